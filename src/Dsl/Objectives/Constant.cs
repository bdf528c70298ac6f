namespace ReLICv2.Objectives;

/// <summary>A constant scalar c (e.g. the 2 of BYOL's 2 − 2·cos); receives and passes no gradient.</summary>
public sealed record Constant : Objective
{
    /// <summary>Creates the constant <paramref name="value"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not finite.</exception>
    public Constant(double value)
    {
        if (!double.IsFinite(value)) throw new ArgumentOutOfRangeException(nameof(value), value, "Constant: value must be finite.");
        Value = value;
    }

    /// <summary>The value c.</summary>
    public double Value { get; }

    /// <inheritdoc />
    public override IReadOnlyList<ExprNode> Children() => [];

    private protected override string Print() => Num(Value);
}
