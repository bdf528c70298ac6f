namespace ReLICv2;

/// <summary>
/// Disposes, when it is disposed, every tensor created on this thread while it was the innermost open scope,
/// except the tensors moved out (<see cref="MoveOut(Tensor)"/>, <see cref="Tensor.MoveToOuterScope"/>) or detached from
/// scopes (<see cref="Tensor.DetachFromScope"/>). Open one with <c>using var scope = Torch.NewScope();</c>
/// (F#: <c>use scope = Torch.NewScope()</c>), or run a function in one with <see cref="Torch.Scoped(Func{Tensor})"/>.
/// </summary>
/// <remarks>
/// Scopes are per thread and nest. Disposal is idempotent and tolerates out-of-order disposal: a scope disposed
/// while an inner one is still open frees its own tensors, and new tensors then go to the nearest open scope.
/// Module parameters and optimiser state are created outside scopes (or detached from them) by their owners.
/// </remarks>
public sealed class TensorScope : IDisposable
{
    [ThreadStatic]
    private static TensorScope? innermost;

    private readonly TensorScope? parent;
    private readonly List<Tensor> owned = [];
    private bool disposed;

    internal TensorScope()
    {
        parent = Current;
        innermost = this;
    }

    /// <summary>The innermost open scope of this thread, or null when none is open.</summary>
    public static TensorScope? Current
    {
        get
        {
            while (innermost is { disposed: true }) innermost = innermost.parent;
            return innermost;
        }
    }

    /// <summary>Number of tensors this scope will dispose.</summary>
    public int Count => owned.Count(t => ReferenceEquals(t.Scope, this) && !t.IsDisposed);

    internal static void Register(Tensor tensor)
    {
        var scope = Current;
        if (scope is null) return;
        tensor.Scope = scope;
        scope.owned.Add(tensor);
    }

    /// <summary>Moves <paramref name="tensor"/> to the enclosing scope (or out of all scopes) and returns it.</summary>
    public Tensor MoveOut(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (!ReferenceEquals(tensor.Scope, this))
            throw new InvalidOperationException("MoveOut: the tensor does not belong to this scope");
        var target = parent;
        while (target is { disposed: true }) target = target.parent;
        tensor.Scope = target;
        target?.owned.Add(tensor);
        return tensor;
    }

    /// <summary>Moves every given tensor out (see <see cref="MoveOut(Tensor)"/>) and returns them.</summary>
    public Tensor[] MoveOut(params Tensor[] tensors)
    {
        foreach (var t in tensors) MoveOut(t);
        return tensors;
    }

    internal static void Forget(Tensor tensor) => tensor.Scope = null;

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        foreach (var t in owned)
            if (ReferenceEquals(t.Scope, this)) t.Dispose();
        owned.Clear();
        if (ReferenceEquals(innermost, this)) innermost = parent;
    }
}
