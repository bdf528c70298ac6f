using ReLICv2.Training;

namespace ReLICv2.Experiments;

/// <summary>
/// What a running experiment reports: the phase it enters ("loading data", "pre-training", "linear probe" …), each
/// pre-training step with the planned total, and free-form messages. Every callback is optional.
/// </summary>
public sealed record ExperimentCallbacks(Action<string>? OnPhase = null, Action<MetricsRecord, long>? OnStep = null, Action<string>? OnMessage = null)
{
    public static ExperimentCallbacks None { get; } = new();
}
