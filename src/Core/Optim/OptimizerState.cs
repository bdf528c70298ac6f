using ReLICv2.Nn;

namespace ReLICv2.Optim;

/// <summary>
/// An optimiser's resumable state, for checkpoints: per-parameter buffers (momentum, Adam moments) as tensors named
/// <c>{parameter index}.{buffer}</c> with parameters numbered across groups in order, per-parameter step counts, the global
/// step count and the learning-rate multiplier. Owns its tensors (copies); dispose it when done.
/// </summary>
public sealed record OptimizerState(string Kind, long StepCount, double LearningRateMultiplier, IReadOnlyList<long> ParameterSteps, StateDict Tensors)
    : IDisposable
{
    public void Dispose() => Tensors.Dispose();
}
