namespace ReLICv2.Objectives;

/// <summary>
/// A loss term that applies a user-defined scalar <see cref="Objectives.Primitive"/> to input expressions with real
/// parameters (<see cref="Primitive.Apply(IReadOnlyList{ExprNode}, IReadOnlyList{double})"/>); printed as the primitive
/// says (by default <c>name(x; p=v)</c>). Its gradient flows to the inputs the primitive does not stop.
/// </summary>
public sealed record PrimitiveObjective : Objective, IPrimitiveCall
{
    /// <summary>Applies <paramref name="primitive"/> to <paramref name="inputs"/> with <paramref name="parameters"/>.</summary>
    /// <exception cref="ArgumentException">The inputs or parameters do not match the primitive's declaration, or it is not scalar-valued.</exception>
    public PrimitiveObjective(Primitive primitive, IReadOnlyList<ExprNode> inputs, IReadOnlyList<double> parameters)
    {
        (Inputs, Parameters) = PrimitiveCalls.Checked("PrimitiveObjective", typeof(Scalar), primitive, inputs, parameters);
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
    public bool Equals(PrimitiveObjective? other) =>
        other is not null && ReferenceEquals(Primitive, other.Primitive) && Inputs.SequenceEqual(other.Inputs) && Parameters.SequenceEqual(other.Parameters);

    /// <inheritdoc />
    public override int GetHashCode() => PrimitiveCalls.Hash(this);

    private protected override GradientFlow ComputeFlow() => PrimitiveCalls.Flow(this);

    private protected override string Print() => Primitive.Print(Inputs, Parameters);
}
