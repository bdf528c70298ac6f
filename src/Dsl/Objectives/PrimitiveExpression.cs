namespace ReLICv2.Objectives;

/// <summary>
/// An embeddings- or correlation-valued expression that applies a user-defined <see cref="Objectives.Primitive"/> to
/// input expressions with real parameters (<see cref="Primitive.Apply{T}"/>); printed as the primitive says. Its
/// gradient flows to the inputs the primitive does not stop.
/// </summary>
/// <typeparam name="T">The primitive's value kind (<see cref="Embeddings"/> or <see cref="Correlation"/>).</typeparam>
public sealed record PrimitiveExpression<T> : Expr<T>, IPrimitiveCall
{
    /// <summary>Applies <paramref name="primitive"/> to <paramref name="inputs"/> with <paramref name="parameters"/>.</summary>
    /// <exception cref="ArgumentException">The inputs or parameters do not match the primitive's declaration, or its value kind is not <typeparamref name="T"/>.</exception>
    public PrimitiveExpression(Primitive primitive, IReadOnlyList<ExprNode> inputs, IReadOnlyList<double> parameters)
    {
        (Inputs, Parameters) = PrimitiveCalls.Checked($"PrimitiveExpression<{typeof(T).Name}>", typeof(T), primitive, inputs, parameters);
        Primitive = primitive;
    }

    /// <summary>The applied primitive.</summary>
    public Primitive Primitive { get; }

    /// <summary>The input expressions, in the primitive's order.</summary>
    public IReadOnlyList<ExprNode> Inputs { get; }

    /// <summary>The parameter values, in the primitive's order.</summary>
    public IReadOnlyList<double> Parameters { get; }

    /// <inheritdoc />
    public override IReadOnlyList<ExprNode> Children() => Inputs;

    /// <summary>Structural equality: the same primitive, inputs and parameters.</summary>
    public bool Equals(PrimitiveExpression<T>? other) =>
        other is not null && ReferenceEquals(Primitive, other.Primitive) && Inputs.SequenceEqual(other.Inputs) && Parameters.SequenceEqual(other.Parameters);

    /// <inheritdoc />
    public override int GetHashCode() => PrimitiveCalls.Hash(this);

    private protected override GradientFlow ComputeFlow() => PrimitiveCalls.Flow(this);

    private protected override string Print() => Primitive.Print(Inputs, Parameters);
}
