using ReLICv2.Losses;

namespace ReLICv2.Tests.References;

/// <summary>
/// The terms of the ReLIC loss of one (online, target) view pair (docs/method.md §2): <see cref="Total"/> = β·<see cref="Contrastive"/> + α·<see cref="Invariance"/>.
/// All three are scalar tensors; <see cref="Total"/> carries the autograd graph of both terms.
/// </summary>
/// <param name="Total">β·CE + α·KL.</param>
/// <param name="Contrastive">The instance-discrimination cross-entropy CE (unscaled).</param>
/// <param name="Invariance">The KL term as chosen by <see cref="KlHandling"/> (unscaled; for Symmetric the mean of both directions).</param>
public sealed record RelicLossTerms(Tensor Total, Tensor Contrastive, Tensor Invariance);
