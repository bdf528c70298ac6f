namespace ReLICv2.Training;

/// <summary>
/// The objective as the engine sees it: online embeddings of every view (large views first, then small ones) and
/// target embeddings of every large view, to a <see cref="LossValue"/>. The generator is the run's, for stochastic
/// parts such as negative sub-sampling. <paramref name="global"/> is null in a single process; under data parallelism
/// it places this rank's rows in the global batch, and the loss is the mean over the local anchors scored against the
/// global candidates (so that the gradients averaged over ranks are those of the global mean).
/// </summary>
public delegate LossValue PretrainingLoss(IReadOnlyList<Tensor> online, IReadOnlyList<Tensor> targets, Generator generator, GlobalBatch? global);
