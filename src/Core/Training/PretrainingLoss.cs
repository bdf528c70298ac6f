namespace ReLICv2.Training;

/// <summary>
/// The objective as the engine sees it: online embeddings of every view (large views first, then small ones) and
/// target embeddings of every large view, to a <see cref="LossValue"/>. The generator is the run's, for stochastic
/// parts such as negative sub-sampling.
/// </summary>
public delegate LossValue PretrainingLoss(IReadOnlyList<Tensor> online, IReadOnlyList<Tensor> targets, Generator generator);
