namespace ReLICv2.Objectives;

/// <summary>Σ_k w_k·ℓ_k: a weighted sum of scalar terms, e.g. ReLIC's β·CE + α·KL. Printed as <c>w₁·ℓ₁ + w₂·ℓ₂</c>.</summary>
public sealed record WeightedSum : Objective
{
    /// <summary>Creates the sum of <paramref name="terms"/> (at least one).</summary>
    /// <exception cref="ArgumentException">No terms.</exception>
    public WeightedSum(IReadOnlyList<WeightedTerm> terms)
    {
        ArgumentNullException.ThrowIfNull(terms);
        if (terms.Count == 0) throw new ArgumentException("WeightedSum: terms must contain at least one term.", nameof(terms));
        Terms = terms.Select(t => t ?? throw new ArgumentException("WeightedSum: terms must not contain null.", nameof(terms))).ToArray();
    }

    /// <summary>The terms, in order.</summary>
    public IReadOnlyList<WeightedTerm> Terms { get; }

    /// <inheritdoc />
    public override IReadOnlyList<ExprNode> Children() => Terms.Select(t => (ExprNode)t.Term).ToArray();

    /// <summary>Structural equality: the same terms in the same order.</summary>
    public bool Equals(WeightedSum? other) => other is not null && Terms.SequenceEqual(other.Terms);

    /// <inheritdoc />
    public override int GetHashCode() => Terms.Aggregate(17, (h, t) => HashCode.Combine(h, t));

    private protected override string Print()
    {
        var text = new System.Text.StringBuilder();
        for (var i = 0; i < Terms.Count; i++)
        {
            var (w, term) = (Terms[i].Weight, Terms[i].Term);
            var body = term switch
            {
                Constant c => Num(Math.Abs(w * c.Value)),
                WeightedSum => $"{Num(Math.Abs(w))}·({term})",
                _ => $"{Num(Math.Abs(w))}·{term}",
            };
            var negative = term is Constant k ? w * k.Value < 0 : w < 0;
            text.Append(i == 0 ? (negative ? "−" : "") : (negative ? " − " : " + ")).Append(body);
        }
        return text.ToString();
    }
}
