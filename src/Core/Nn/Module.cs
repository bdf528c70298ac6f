using System.Collections;
using System.Reflection;
using System.Text;

namespace ReLICv2.Nn;

/// <summary>
/// A neural-network building block with named parameters, buffers and child modules, as torch.nn.Module.
/// Subclasses register what they own in their constructor (<see cref="RegisterParameter"/>, <see cref="RegisterBuffer"/>,
/// <see cref="RegisterModule{T}"/>) and keep the returned references in fields; the registration order gives the dotted
/// names of <see cref="StateDict"/> (PyTorch's state-dict keys: a module's parameters, then its buffers, then its children).
/// </summary>
/// <remarks>
/// Parameters and buffers are taken out of tensor scopes when registered and freed by <see cref="Dispose"/>; they keep their
/// identity for the module's lifetime (<see cref="To(Device)"/> and <see cref="LoadStateDict"/> change their values and storage in
/// place), so an optimiser may hold them. <see cref="DeepCopy"/> (the EMA target network is a copy of the online one) clones
/// the tree and re-points the copy's fields of type <see cref="Tensor"/> or <see cref="Module"/>; keep collections of
/// children in a <see cref="Sequential"/> rather than in a list field.
/// <para>From F#, register in the constructor's let bindings through a self identifier:</para>
/// <code>
/// type TwoLayer(g: Generator) as this =
///     inherit Module()
///     let fc1 = this.RegisterModule("fc1", new Linear(4L, 8L, g))
///     let fc2 = this.RegisterModule("fc2", new Linear(8L, 2L, g))
///     override _.Forward x =
///         use h = fc1.Forward(x).Relu()
///         fc2.Forward h
/// </code>
/// </remarks>
public abstract class Module : IDisposable
{
    private List<NamedTensor> parameters = [];
    private List<NamedTensor> buffers = [];
    private List<NamedModule> children = [];
    private bool disposed;

    /// <summary>True in training mode (batch statistics in BatchNorm), false in evaluation mode.</summary>
    public bool IsTraining { get; private set; } = true;

    /// <summary>Computes the module's output for <paramref name="input"/> (a new tensor the caller owns).</summary>
    public abstract Tensor Forward(Tensor input);

    // ---- registration --------------------------------------------------------------------------------

    /// <summary>
    /// Takes ownership of <paramref name="value"/> as the trainable parameter <paramref name="name"/>: it is removed from tensor
    /// scopes, made a leaf that requires gradients (unless <paramref name="requiresGrad"/> is false) and freed with the module.
    /// </summary>
    protected Tensor RegisterParameter(string name, Tensor value, bool requiresGrad = true)
    {
        CheckName(name);
        ArgumentNullException.ThrowIfNull(value);
        value.DetachFromScope();
        if (value.RequiresGrad != requiresGrad) value.RequiresGrad = requiresGrad;
        parameters.Add(new NamedTensor(name, value));
        return value;
    }

    /// <summary>Takes ownership of <paramref name="value"/> as the non-trainable state <paramref name="name"/> (running statistics).</summary>
    protected Tensor RegisterBuffer(string name, Tensor value)
    {
        CheckName(name);
        ArgumentNullException.ThrowIfNull(value);
        value.DetachFromScope();
        buffers.Add(new NamedTensor(name, value));
        return value;
    }

    /// <summary>Adopts <paramref name="module"/> as the child <paramref name="name"/> (disposed with this module) and returns it.</summary>
    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        CheckName(name);
        ArgumentNullException.ThrowIfNull(module);
        if (ReferenceEquals(module, this)) throw new ArgumentException($"{GetType().Name}: a module cannot be its own child", nameof(module));
        module.IsTraining = IsTraining;
        children.Add(new NamedModule(name, module));
        return module;
    }

    private void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
            throw new ArgumentException($"{GetType().Name}: name '{name}' must be non-empty and contain no '.'", nameof(name));
        if (parameters.Any(p => p.Name == name) || buffers.Any(b => b.Name == name) || children.Any(c => c.Name == name))
            throw new ArgumentException($"{GetType().Name}: '{name}' is already registered", nameof(name));
    }

    // ---- enumeration ---------------------------------------------------------------------------------

    /// <summary>The direct children in registration order.</summary>
    public IReadOnlyList<NamedModule> Children() => children.ToList();

    /// <summary>This module (name "") and every descendant, depth first, with dotted names.</summary>
    public IReadOnlyList<NamedModule> NamedModules()
    {
        var result = new List<NamedModule>();
        Walk("", (prefix, m) => result.Add(new NamedModule(prefix.TrimEnd('.'), m)));
        return result;
    }

    /// <summary>Every trainable parameter of the tree with its dotted name, in state-dict order.</summary>
    public IReadOnlyList<NamedTensor> NamedParameters()
    {
        var result = new List<NamedTensor>();
        Walk("", (prefix, m) => result.AddRange(m.parameters.Select(p => new NamedTensor(prefix + p.Name, p.Tensor))));
        return result;
    }

    /// <summary>Every parameter of the tree, in state-dict order.</summary>
    public IReadOnlyList<Tensor> Parameters() => NamedParameters().Select(p => p.Tensor).ToList();

    /// <summary>Every buffer (running statistics, counters) of the tree with its dotted name.</summary>
    public IReadOnlyList<NamedTensor> NamedBuffers()
    {
        var result = new List<NamedTensor>();
        Walk("", (prefix, m) => result.AddRange(m.buffers.Select(b => new NamedTensor(prefix + b.Name, b.Tensor))));
        return result;
    }

    /// <summary>Number of scalar parameters (buffers not counted), as <c>sum(p.numel() for p in m.parameters())</c>.</summary>
    public long ParameterCount => NamedParameters().Sum(p => p.Tensor.NumEl);

    private void Walk(string prefix, Action<string, Module> visit)
    {
        visit(prefix, this);
        foreach (var c in children) c.Module.Walk(prefix + c.Name + ".", visit);
    }

    // ---- modes and gradients -------------------------------------------------------------------------

    /// <summary>Sets training mode on the whole tree (<paramref name="mode"/> false = evaluation mode) and returns this module.</summary>
    public Module Train(bool mode = true)
    {
        Walk("", (_, m) => m.IsTraining = mode);
        return this;
    }

    /// <summary>Sets evaluation mode on the whole tree (BatchNorm uses its running statistics) and returns this module.</summary>
    public Module Eval() => Train(false);

    /// <summary>Clears every parameter's gradient (sets it to none, as <c>zero_grad(set_to_none=True)</c>).</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters()) p.Grad = null;
    }

    /// <summary>Sets whether every parameter requires gradients (false freezes the tree, as for the EMA target) and returns this module.</summary>
    public Module SetRequiresGrad(bool requiresGrad)
    {
        foreach (var p in Parameters())
            if (p.RequiresGrad != requiresGrad) p.RequiresGrad = requiresGrad;
        return this;
    }

    /// <summary>
    /// Moves every parameter, gradient and buffer to <paramref name="device"/> in place (same tensor objects, new storage), as
    /// <c>module.to(device)</c>; returns this module.
    /// </summary>
    public Module To(Device device)
    {
        Torch.CheckDevice(device);
        foreach (var t in NamedParameters().Concat(NamedBuffers()).Select(p => p.Tensor))
        {
            if (t.Device == device) continue;
            using (var moved = Torch.Scoped(() => t.Detach().To(device)))
                TorchException.Check(Native.rs_module_set_data(t.H, moved.H));
            using var grad = t.Grad;
            if (grad is null || grad.Device == device) continue;
            using var movedGrad = Torch.Scoped(() => grad.To(device));
            TorchException.Check(Native.rs_module_set_data(grad.H, movedGrad.H));
        }
        return this;
    }

    /// <summary>
    /// Lays every 4-D parameter, gradient and buffer out in <paramref name="format"/> in place (same tensor objects, as
    /// <c>module.to(memory_format=…)</c>); values are unchanged. Returns this module.
    /// </summary>
    public Module To(MemoryFormat format)
    {
        if (!Enum.IsDefined(format)) throw new ArgumentOutOfRangeException(nameof(format), format, "Module.To: format must be Contiguous or ChannelsLast");
        foreach (var t in NamedParameters().Concat(NamedBuffers()).Select(p => p.Tensor))
        {
            if (t.Rank != 4) continue;
            if (!t.IsContiguousIn(format))
                using (var laid = Torch.Scoped(() => t.Detach().Contiguous(format)))
                    TorchException.Check(Native.rs_module_set_data(t.H, laid.H));
            using var grad = t.Grad;
            if (grad is null || grad.IsContiguousIn(format)) continue;
            using var laidGrad = Torch.Scoped(() => grad.Contiguous(format));
            TorchException.Check(Native.rs_module_set_data(grad.H, laidGrad.H));
        }
        return this;
    }

    // ---- state ---------------------------------------------------------------------------------------

    /// <summary>
    /// Parameters and buffers by dotted name in PyTorch's order (each module's parameters, then its buffers, then its children).
    /// The tensors are the module's own (not copies): read or save them, do not dispose them.
    /// </summary>
    public StateDict StateDict()
    {
        var result = new List<NamedTensor>();
        Walk("", (prefix, m) =>
        {
            result.AddRange(m.parameters.Select(p => new NamedTensor(prefix + p.Name, p.Tensor)));
            result.AddRange(m.buffers.Select(b => new NamedTensor(prefix + b.Name, b.Tensor)));
        });
        return new StateDict(result);
    }

    /// <summary>
    /// Copies values from <paramref name="state"/> into the parameters and buffers with the same names (converting dtype and
    /// device). Nothing is changed when an error is found. A shape mismatch is always an error; missing or unexpected keys are
    /// errors when <paramref name="strict"/>, otherwise they are reported in the result.
    /// </summary>
    /// <exception cref="ArgumentException">Listing every missing, unexpected and mis-shaped entry.</exception>
    public StateDictLoadResult LoadStateDict(IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(state);
        var own = StateDict();
        var optional = OptionalKeys();
        var missing = own.Keys.Where(k => !state.ContainsKey(k) && !optional.Contains(k)).ToList();
        var unexpected = state.Keys.Where(k => !own.ContainsKey(k)).ToList();
        var errors = new List<string>();
        if (strict && missing.Count > 0) errors.Add($"{missing.Count} missing key(s): {string.Join(", ", missing)}");
        if (strict && unexpected.Count > 0) errors.Add($"{unexpected.Count} unexpected key(s): {string.Join(", ", unexpected)}");
        foreach (var (key, target) in own)
        {
            if (!state.TryGetValue(key, out var source)) continue;
            if (!source.Shape.SequenceEqual(target.Shape))
                errors.Add($"size mismatch for {key}: the state dict has shape [{string.Join(", ", source.Shape)}], the module has [{string.Join(", ", target.Shape)}]");
        }
        if (errors.Count > 0)
            throw new ArgumentException($"LoadStateDict into {GetType().Name}: " + string.Join("; ", errors), nameof(state));
        using (Torch.NoGrad())
        {
            foreach (var (key, target) in own)
                if (state.TryGetValue(key, out var source)) target.Copy_(source);
        }
        return new StateDictLoadResult(missing, unexpected);
    }

    /// <summary>
    /// Names of this module's own buffers that a state dict may omit without being incomplete (left unchanged when absent):
    /// BatchNorm's <c>num_batches_tracked</c>, which state dicts from before PyTorch 0.4.1 and some exporters lack.
    /// </summary>
    protected virtual IReadOnlyCollection<string> OptionalStateKeys => [];

    private HashSet<string> OptionalKeys()
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        Walk("", (prefix, m) =>
        {
            foreach (var k in m.OptionalStateKeys) result.Add(prefix + k);
        });
        return result;
    }

    // ---- copying -------------------------------------------------------------------------------------

    /// <summary>
    /// An independent copy of the whole tree: same structure, mode, values and requires-grad flags, new tensors (no gradients).
    /// The BYOL/ReLIC target network starts as <c>online.DeepCopy()</c>.
    /// </summary>
    /// <exception cref="NotSupportedException">When a field holds a collection of tensors or modules (use a <see cref="Sequential"/>),
    /// or a tensor or module that is not registered in this tree.</exception>
    public Module DeepCopy()
    {
        var map = new Dictionary<object, object>(ReferenceEqualityComparer.Instance);
        var copies = new List<Module>();
        var copy = CopyStructure(map, copies);
        foreach (var c in copies) c.RemapFields(map);
        return copy;
    }

    private Module CopyStructure(Dictionary<object, object> map, List<Module> copies)
    {
        var copy = (Module)MemberwiseClone();
        map[this] = copy;
        copies.Add(copy);
        copy.parameters = parameters.Select(p => new NamedTensor(p.Name, CloneTensor(p.Tensor, map))).ToList();
        copy.buffers = buffers.Select(b => new NamedTensor(b.Name, CloneTensor(b.Tensor, map))).ToList();
        copy.children = children.Select(c => new NamedModule(c.Name, c.Module.CopyStructure(map, copies))).ToList();
        return copy;
    }

    private static Tensor CloneTensor(Tensor t, Dictionary<object, object> map)
    {
        Tensor clone;
        using (Torch.NoGrad())
            clone = Torch.Scoped(() => t.Detach().Clone()).DetachFromScope();
        if (t.RequiresGrad) clone.RequiresGrad = true;
        map[t] = clone;
        return clone;
    }

    private void RemapFields(Dictionary<object, object> map)
    {
        for (var type = GetType(); type is not null && type != typeof(Module); type = type.BaseType)
        {
            foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                var value = field.GetValue(this);
                switch (value)
                {
                    case null or string:
                        break;
                    case Tensor or Module:
                        if (!map.TryGetValue(value, out var replacement))
                            throw new NotSupportedException(
                                $"DeepCopy of {type.Name}: field '{field.Name}' holds a {value.GetType().Name} that is not registered in the module tree; " +
                                "register it (RegisterParameter/RegisterBuffer/RegisterModule) so the copy gets its own");
                        field.SetValue(this, replacement);
                        break;
                    case IEnumerable e when e is IEnumerable<Tensor> || e is IEnumerable<Module>:
                        throw new NotSupportedException(
                            $"DeepCopy of {type.Name}: field '{field.Name}' holds a collection of tensors or modules, which cannot be re-pointed; " +
                            "keep children in a Sequential and tensors in registered fields");
                }
            }
        }
    }

    // ---- display and disposal ------------------------------------------------------------------------

    /// <summary>Extra text shown after the type name by <see cref="ToString"/>, e.g. <c>in=512, out=256</c>.</summary>
    protected virtual string Describe() => "";

    /// <summary>A PyTorch-style tree of the modules, e.g. <c>Sequential( (0): Linear(in=4, out=2, bias=True) … )</c>.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        Print(sb, 0);
        return sb.ToString();
    }

    private void Print(StringBuilder sb, int indent)
    {
        sb.Append(GetType().Name).Append('(').Append(Describe());
        if (children.Count > 0)
        {
            sb.AppendLine();
            foreach (var c in children)
            {
                sb.Append(' ', indent + 2).Append('(').Append(c.Name).Append("): ");
                c.Module.Print(sb, indent + 2);
                sb.AppendLine();
            }
            sb.Append(' ', indent);
        }
        sb.Append(')');
    }

    /// <summary>Frees every parameter, buffer and child. Idempotent.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        foreach (var p in parameters) p.Tensor.Dispose();
        foreach (var b in buffers) b.Tensor.Dispose();
        foreach (var c in children) c.Module.Dispose();
        GC.SuppressFinalize(this);
    }
}
