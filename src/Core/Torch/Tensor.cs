using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace ReLICv2;

/// <summary>
/// An n-dimensional array on a device, with autograd: a managed owner of one libtorch tensor handle.
/// Method names mirror PyTorch's in PascalCase (<c>Softmax(dim)</c>, <c>LogSumExp</c>, <c>Add_</c> for in-place).
/// Every operation returns a new tensor that the caller owns: dispose it, or let the enclosing
/// <see cref="TensorScope"/> do so. A tensor is deliberately not enumerable; read values with
/// <see cref="ToArray{T}"/> or <see cref="Item"/>.
/// </summary>
public sealed partial class Tensor : IDisposable
{
    private TensorHandle? handle;
    private long[]? shape;
    private DType? dtype;

    internal Tensor(TensorHandle handle, bool register = true)
    {
        this.handle = handle;
        if (register) TensorScope.Register(this);
    }

    internal TensorScope? Scope { get; set; }

    internal TensorHandle H => handle ?? throw new ObjectDisposedException(nameof(Tensor),
        "This tensor has been disposed, directly or by the TensorScope it was created in. " +
        "Keep a tensor beyond its scope with scope.MoveOut(t), t.MoveToOuterScope() or t.DetachFromScope().");

    /// <summary>True once the tensor has been disposed (by <see cref="Dispose"/> or its scope).</summary>
    public bool IsDisposed => handle is null;

    /// <summary>Frees the native handle now; later use throws <see cref="ObjectDisposedException"/>. Idempotent.</summary>
    public void Dispose() => Interlocked.Exchange(ref handle, null)?.Dispose();

    /// <summary>Moves this tensor to the scope enclosing its own (or out of all scopes) and returns it.</summary>
    public Tensor MoveToOuterScope() => Scope is null ? this : Scope.MoveOut(this);

    /// <summary>Takes this tensor out of scope management: only <see cref="Dispose"/> or the GC frees it. Returns it.</summary>
    public Tensor DetachFromScope()
    {
        TensorScope.Forget(this);
        return this;
    }

    internal static Tensor Wrap(int status, TensorHandle result)
    {
        if (status != 0)
        {
            result.Dispose();
            throw TorchException.FromNative();
        }
        return new Tensor(result);
    }

    // ---- properties ------------------------------------------------------------------------------

    /// <summary>The sizes of the dimensions.</summary>
    public unsafe long[] Shape
    {
        get
        {
            if (shape is null)
            {
                var s = new long[Rank];
                fixed (long* p = s) TorchException.Check(Native.rs_sizes(H, p, s.Length));
                shape = s;
            }
            return (long[])shape.Clone();
        }
    }

    /// <summary>The number of dimensions.</summary>
    public int Rank
    {
        get
        {
            if (shape is not null) return shape.Length;
            TorchException.Check(Native.rs_ndim(H, out var n));
            return n;
        }
    }

    /// <summary>Size of dimension <paramref name="dim"/> (negative counts from the end).</summary>
    public long Size(int dim)
    {
        var s = Shape;
        var d = dim < 0 ? dim + s.Length : dim;
        if (d < 0 || d >= s.Length)
            throw new ArgumentOutOfRangeException(nameof(dim), dim, $"Size: dim must be in [{-s.Length}, {s.Length - 1}] for shape {FormatShape(s)}");
        return s[d];
    }

    /// <summary>The number of elements.</summary>
    public long NumEl
    {
        get
        {
            TorchException.Check(Native.rs_numel(H, out var n));
            return n;
        }
    }

    public DType DType
    {
        get
        {
            if (dtype is null)
            {
                TorchException.Check(Native.rs_dtype(H, out var d));
                dtype = (DType)d;
            }
            return dtype.Value;
        }
    }

    public Device Device
    {
        get
        {
            TorchException.Check(Native.rs_device(H, out var type, out var index));
            return type == (int)DeviceType.Cuda ? Device.Cuda(index) : Device.Cpu;
        }
    }

    public bool IsContiguous
    {
        get
        {
            TorchException.Check(Native.rs_is_contiguous(H, out var c));
            return c != 0;
        }
    }

    // ---- autograd --------------------------------------------------------------------------------

    /// <summary>Whether autograd records operations on this tensor; settable on leaves.</summary>
    public bool RequiresGrad
    {
        get
        {
            TorchException.Check(Native.rs_requires_grad(H, out var r));
            return r != 0;
        }
        set => TorchException.Check(Native.rs_set_requires_grad(H, value ? 1 : 0));
    }

    /// <summary>Sets <see cref="RequiresGrad"/> and returns this tensor (for expressions).</summary>
    public Tensor RequireGrad(bool flag = true)
    {
        RequiresGrad = flag;
        return this;
    }

    public bool IsLeaf
    {
        get
        {
            TorchException.Check(Native.rs_is_leaf(H, out var r));
            return r != 0;
        }
    }

    /// <summary>
    /// The gradient accumulated by <see cref="Backward"/>, as a new handle (owned by the caller or scope),
    /// or null when none has been accumulated. Setting null clears it.
    /// </summary>
    public Tensor? Grad
    {
        get
        {
            TorchException.Check(Native.rs_grad(H, out var g));
            if (g.IsInvalid)
            {
                g.Dispose();
                return null;
            }
            return new Tensor(g);
        }
        set => TorchException.Check(Native.rs_set_grad(H, value?.H ?? TensorHandle.Null));
    }

    /// <summary>Back-propagates from this tensor (a scalar unless <paramref name="gradient"/> is given).</summary>
    public void Backward(Tensor? gradient = null, bool retainGraph = false, bool createGraph = false) =>
        TorchException.Check(Native.rs_backward(H, gradient?.H ?? TensorHandle.Null, retainGraph ? 1 : 0, createGraph ? 1 : 0));

    /// <summary>The same values cut from the autograd graph: the stop-gradient sg[·]. Shares storage.</summary>
    public Tensor Detach() => Wrap(Native.rs_detach(H, out var r), r);

    // ---- values ----------------------------------------------------------------------------------

    /// <summary>The value of a one-element tensor as a double.</summary>
    public double Item()
    {
        TorchException.Check(Native.rs_item_double(H, out var v));
        return v;
    }

    /// <summary>The value of a one-element integer tensor.</summary>
    public long ItemLong()
    {
        TorchException.Check(Native.rs_item_long(H, out var v));
        return v;
    }

    /// <summary>Copies the values (row-major) into a new array; <typeparamref name="T"/> must match <see cref="DType"/>.</summary>
    public T[] ToArray<T>() where T : unmanaged
    {
        var result = new T[checked((int)NumEl)];
        CopyTo<T>(result);
        return result;
    }

    /// <summary>Copies the values (row-major) into <paramref name="destination"/>, which must hold exactly NumEl elements.</summary>
    public unsafe void CopyTo<T>(Span<T> destination) where T : unmanaged
    {
        var want = DTypes.Of<T>();
        if (want != DType)
            throw new InvalidOperationException($"CopyTo<{typeof(T).Name}>: the tensor's dtype is {DType}, not {want}; convert with To(DType.{want}) first");
        if (destination.Length != NumEl)
            throw new ArgumentException($"CopyTo: destination holds {destination.Length} elements, the tensor {FormatShape(Shape)} has {NumEl}", nameof(destination));
        fixed (T* p = destination)
            TorchException.Check(Native.rs_copy_to_host(H, p, (long)destination.Length * sizeof(T)));
    }

    // ---- conversion ------------------------------------------------------------------------------

    /// <summary>The tensor converted to <paramref name="type"/> (a new handle; a copy when the type differs).</summary>
    public Tensor To(DType type) => Wrap(Native.rs_to(H, (int)type, (int)Device.Type, Device.Index, 0, out var r), r);

    /// <summary>The tensor on <paramref name="device"/>.</summary>
    public Tensor To(Device device)
    {
        Torch.CheckDevice(device);
        return Wrap(Native.rs_to(H, (int)DType, (int)device.Type, device.Index, 0, out var r), r);
    }

    public Tensor Clone() => Wrap(Native.rs_clone(H, out var r), r);

    /// <summary>A new handle on the same tensor (same storage, same autograd identity).</summary>
    public Tensor Alias() => Wrap(Native.rs_alias(H, out var r), r);

    public Tensor Contiguous() => Wrap(Native.rs_contiguous(H, out var r), r);

    /// <summary>This tensor laid out in <paramref name="format"/> (itself when it already is); channels-last needs a 4-D tensor.</summary>
    public Tensor Contiguous(MemoryFormat format) => Wrap(Native.rs_contiguous_format(H, (int)format, out var r), r);

    /// <summary>Whether this tensor is laid out in <paramref name="format"/> (a tensor may be both, e.g. with one channel).</summary>
    public bool IsContiguousIn(MemoryFormat format)
    {
        TorchException.Check(Native.rs_is_contiguous_format(H, (int)format, out var c));
        return c != 0;
    }

    // ---- display ---------------------------------------------------------------------------------

    /// <summary>Shape, dtype, device and a preview of the first values, e.g. <c>Tensor[2x3, Float32, cpu] [0.1, 0.2, …]</c>.</summary>
    public override string ToString()
    {
        if (IsDisposed) return "Tensor[disposed]";
        var sb = new StringBuilder();
        sb.Append("Tensor[").Append(FormatShape(Shape)).Append(", ").Append(DType).Append(", ").Append(Device);
        if (RequiresGrad) sb.Append(", requires_grad");
        sb.Append(']');
        const int preview = 8;
        var n = NumEl;
        if (n > 0 && DType != DType.Float16)
        {
            using var flat = Reshape(-1);
            using var head = flat.Narrow(0, 0, Math.Min(n, preview));
            using var host = head.Detach().To(DType.Float64);
            var values = host.ToArray<double>();
            sb.Append(" [");
            sb.Append(string.Join(", ", values.Select(v => DType.IsFloatingPoint()
                ? v.ToString("G6", CultureInfo.InvariantCulture)
                : DType == DType.Bool ? (v != 0 ? "true" : "false") : ((long)v).ToString(CultureInfo.InvariantCulture))));
            if (n > preview) sb.Append(", …");
            sb.Append(']');
        }
        return sb.ToString();
    }

    internal static string FormatShape(IReadOnlyList<long> s) => s.Count == 0 ? "scalar" : string.Join("x", s);
}
