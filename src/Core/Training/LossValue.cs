namespace ReLICv2.Training;

/// <summary>
/// An objective's value for one step: the scalar to back-propagate and its named terms (e.g. "contrastive",
/// "invariance"), reported in the metrics. The terms are for display; only <see cref="Total"/> is differentiated.
/// </summary>
public sealed record LossValue(Tensor Total, IReadOnlyDictionary<string, Tensor> Terms);
