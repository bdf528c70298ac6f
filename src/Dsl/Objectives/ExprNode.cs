using System.Globalization;
using System.Text.Json.Serialization;

namespace ReLICv2.Objectives;

/// <summary>
/// Untyped base of every objective expression node (docs/architecture.md §5.3). Use the typed
/// <see cref="Expr{T}"/> and the factory <see cref="Expr"/>; this base carries what all nodes share: structural
/// equality (records), a readable formula (<see cref="ToString"/>), the gradient flow, and JSON round-trip
/// (<see cref="ObjectiveJson"/>).
/// </summary>
public abstract record ExprNode
{
    private protected ExprNode()
    {
    }

    /// <summary>Which inputs (online o, target t) receive gradients through this expression.</summary>
    [JsonIgnore]
    public GradientFlow Flow => ComputeFlow();

    /// <summary>The direct sub-expressions of this node.</summary>
    public abstract IReadOnlyList<ExprNode> Children();

    /// <summary>The expression as a readable formula, e.g. <c>1·CE(diag, ô·sg[t̂]ᵀ/0.1) + 1·KL(…)</c>.</summary>
    public sealed override string ToString() => Print();

    private protected abstract string Print();

    private protected virtual GradientFlow ComputeFlow() =>
        Children().Aggregate(GradientFlow.None, (flow, child) => flow | child.Flow);

    /// <summary>Invariant, round-trip formatting of a number in formulas.</summary>
    private protected static string Num(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private protected static void RequirePositive(double value, string name, string node)
    {
        if (!(value > 0) || double.IsInfinity(value))
            throw new ArgumentOutOfRangeException(name, value, $"{node}: {name} must be positive and finite.");
    }

    private protected static void RequireNonNegative(double value, string name, string node)
    {
        if (!(value >= 0) || double.IsInfinity(value))
            throw new ArgumentOutOfRangeException(name, value, $"{node}: {name} must be finite and ≥ 0.");
    }
}
