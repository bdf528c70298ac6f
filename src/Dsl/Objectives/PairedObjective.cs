namespace ReLICv2.Objectives;

/// <summary>A pair objective ℓ(a, t) together with the <see cref="PairingPolicy"/> that lifts it to a view set (docs/method.md §3).</summary>
/// <param name="Pair">The pair objective.</param>
/// <param name="Pairing">The pairing policy.</param>
public sealed record PairedObjective(Objective Pair, PairingPolicy Pairing)
{
    /// <summary>The pair objective.</summary>
    public Objective Pair { get; } = Pair ?? throw new ArgumentNullException(nameof(Pair));

    /// <summary>The pairing policy.</summary>
    public PairingPolicy Pairing { get; } = Pairing ?? throw new ArgumentNullException(nameof(Pairing));

    /// <summary>The view-set loss: online embeddings per view (large first, then small) and target embeddings per large view.</summary>
    public Tensor Evaluate(IReadOnlyList<Tensor> online, IReadOnlyList<Tensor> targets, Generator? generator = null) =>
        Pair.Compile().EvaluateViews(online, targets, Pairing, generator);

    /// <summary>"mean over pairs [policy] of ℓ".</summary>
    public override string ToString() => $"mean over pairs [{Pairing}] of {Pair}";
}
