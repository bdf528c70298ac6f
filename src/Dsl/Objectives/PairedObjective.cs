using ReLICv2.Training;

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

    /// <summary>
    /// The view-set loss: online embeddings per view (large first, then small) and target embeddings per large view;
    /// under a <paramref name="global"/> batch of WorldSize &gt; 1 this rank's share (see <see cref="CompiledObjective.EvaluateViews"/>).
    /// </summary>
    public Tensor Evaluate(IReadOnlyList<Tensor> online, IReadOnlyList<Tensor> targets, Generator? generator = null, GlobalBatch? global = null) =>
        Pair.Compile().EvaluateViews(online, targets, Pairing, generator, global);

    /// <summary>Refuses a data-parallel run of <paramref name="worldSize"/> ranks that the pair objective cannot do (see <see cref="CompiledObjective.ValidateForDataParallel"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">worldSize is below 1.</exception>
    /// <exception cref="InvalidOperationException">worldSize &gt; 1 and the pair objective is not data-parallel safe; the message names every offending node.</exception>
    public void ValidateForDataParallel(int worldSize) => Pair.Compile().ValidateForDataParallel(worldSize);

    /// <summary>"mean over pairs [policy] of ℓ".</summary>
    public override string ToString() => $"mean over pairs [{Pairing}] of {Pair}";
}
