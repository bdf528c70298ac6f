using ReLICv2.Losses;

namespace ReLICv2.Objectives;

/// <summary>
/// Restricts each row i of a square logit matrix to its candidate set C_i = {i} ∪ negatives_i (docs/method.md §2): k
/// negatives per anchor drawn uniformly without replacement from the batch, never the anchor itself, or all of
/// them. The result is [N, 1 + k] with the positive in column 0. All <see cref="Candidates"/> nodes of one objective
/// with the same <see cref="Negatives"/> share one draw per evaluation, so P^{a→t} and P^{t→a} use the same index set.
/// Printed <c>L|k=10</c>.
/// </summary>
/// <param name="Input">A square logit matrix.</param>
/// <param name="Negatives">The sampled negatives per anchor (not <see cref="Negatives.All"/>).</param>
public sealed record Candidates(Expr<Logits> Input, Negatives Negatives) : Expr<Logits>
{
    /// <summary>The square logit matrix.</summary>
    public Expr<Logits> Input { get; } = Input ?? throw new ArgumentNullException(nameof(Input));

    /// <summary>The negatives per anchor.</summary>
    public Negatives Negatives { get; } = Check(Negatives);

    /// <inheritdoc />
    public override IReadOnlyList<ExprNode> Children() => [Input];

    private protected override string Print() => $"({Input})|k={Negatives}";

    private static Negatives Check(Negatives negatives)
    {
        ArgumentNullException.ThrowIfNull(negatives);
        if (negatives.IsAll)
            throw new ArgumentException("Candidates: Negatives must be a sampled count; with all negatives use the square logits themselves (Expr.Candidates does this).", nameof(Negatives));
        return negatives;
    }
}
