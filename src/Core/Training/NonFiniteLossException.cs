namespace ReLICv2.Training;

/// <summary>
/// Raised when a step's loss or gradients are not finite. The run stops; the last checkpoint written before it is
/// kept. The message names the step, the offending term(s) and the last finite values.
/// </summary>
public sealed class NonFiniteLossException : Exception
{
    public NonFiniteLossException(long step, string diagnostic, MetricsRecord? lastFinite)
        : base($"step {step}: {diagnostic}" + (lastFinite is null
            ? " (no earlier step was finite)"
            : $"; last finite step {lastFinite.Step}: loss {lastFinite.Loss:G6}, " +
              string.Join(", ", lastFinite.Terms.Select(kv => $"{kv.Key} {kv.Value:G6}")) + $", lr {lastFinite.LearningRate:G4}"))
    {
        Step = step;
        LastFinite = lastFinite;
    }

    public long Step { get; }

    public MetricsRecord? LastFinite { get; }
}
