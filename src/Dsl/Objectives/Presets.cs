using ReLICv2.Losses;

namespace ReLICv2.Objectives;

/// <summary>
/// The ReLIC family and its neighbours written with the public primitives of <see cref="Expr"/> (nothing a user does
/// not have). Each preset is a plain <see cref="Objective"/> value over one view pair (online o, target t), or a
/// <see cref="PairedObjective"/> when the method fixes a view pairing. Each agrees with the Core primitive named in its
/// doc comment, which is pinned to a PyTorch reference in the tests.
/// </summary>
public static class Presets
{
    /// <summary>
    /// ReLIC's pair loss (Mitrovic et al. 2021; ReLICv2 eq. 3; docs/method.md §2):
    /// β·CE(diag, L) + α·KL per <paramref name="kl"/>, with L = ô·sg[t̂]ᵀ/τ restricted to {i} ∪ k sampled negatives and
    /// P^{a→t} = softmax(L), P^{t→a} = softmax(sg[t̂]·ôᵀ/τ) over the same candidates. <see cref="KlHandling.Forward"/>
    /// (default) is the paper's KL(P^{a→t} ‖ sg[P^{t→a}]); <see cref="KlHandling.ReverseNoStopGradient"/> is what
    /// filipbasara0/relic computes, KL(P^{t→a} ‖ P^{a→t}) with gradients through both. The target is always detached.
    /// Defaults β = 1, α = 1, τ = 0.1, all negatives.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">β or α negative or not finite, τ not positive.</exception>
    public static Objective Relic(double beta = 1, double alpha = 1, double temperature = 0.1, Negatives? negatives = null,
        KlHandling kl = KlHandling.Forward)
    {
        if (!double.IsFinite(beta) || beta < 0) throw new ArgumentOutOfRangeException(nameof(beta), beta, "Presets.Relic: contrast scale β must be finite and ≥ 0.");
        if (!double.IsFinite(alpha) || alpha < 0) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "Presets.Relic: invariance scale α must be finite and ≥ 0.");
        var o = Expr.Normalize(Expr.Online);
        var t = Expr.StopGradient(Expr.Normalize(Expr.Target));
        var candidates = negatives ?? Negatives.All;
        var logitsAt = Expr.Candidates(Expr.Similarity(o, t, temperature), candidates);
        var logitsTa = Expr.Candidates(Expr.Similarity(t, o, temperature), candidates);
        var pAt = Expr.Softmax(logitsAt);
        var pTa = Expr.Softmax(logitsTa);
        var contrast = beta * Expr.DiagonalCrossEntropy(logitsAt);
        return kl switch
        {
            KlHandling.Forward => contrast + alpha * Expr.Kl(pAt, Expr.StopGradient(pTa)),
            KlHandling.Reverse => contrast + alpha * Expr.Kl(pTa, Expr.StopGradient(pAt)),
            KlHandling.Symmetric => contrast + 0.5 * alpha * Expr.Kl(pAt, Expr.StopGradient(pTa)) + 0.5 * alpha * Expr.Kl(pTa, Expr.StopGradient(pAt)),
            KlHandling.NoStopGradient => contrast + alpha * Expr.Kl(pAt, pTa),
            KlHandling.ReverseNoStopGradient => contrast + alpha * Expr.Kl(pTa, pAt),
            _ => throw new ArgumentOutOfRangeException(nameof(kl), kl, "Presets.Relic: unknown KlHandling."),
        };
    }

    /// <summary>
    /// ReLICv2 (Tomasev et al. 2022, eq. 4 and pseudo-code; docs/method.md §3): <see cref="Relic"/> over an [L, S] view set with
    /// <see cref="PairingPolicy.ReLICv2"/> — every online view × every large target view, divided by the pair count;
    /// same-view pairs included as in the paper's pseudo-code unless <paramref name="includeSameView"/> is false.
    /// Negatives default to 10 sampled per anchor (the paper's best ablation value).
    /// </summary>
    public static PairedObjective ReLICv2(double beta = 1, double alpha = 1, double temperature = 0.1, Negatives? negatives = null,
        KlHandling kl = KlHandling.Forward, bool includeSameView = true) =>
        new(Relic(beta, alpha, temperature, negatives ?? Negatives.Sample(10), kl), PairingPolicy.ReLICv2(includeSameView));

    /// <summary>
    /// SimCLR's NT-Xent (Chen et al. 2020; lightly NTXentLoss) for o, t = the two views of a shared
    /// network (no stop-gradient): ½CE(diag, [ô·t̂ᵀ/τ | dropdiag(ô·ôᵀ/τ)]) + ½CE(diag, [t̂·ôᵀ/τ | dropdiag(t̂·t̂ᵀ/τ)]), the
    /// 2N-way softmax without the anchor itself. Default τ = 0.5 (lightly).
    /// </summary>
    public static Objective SimClr(double temperature = 0.5)
    {
        var o = Expr.Normalize(Expr.Online);
        var t = Expr.Normalize(Expr.Target);
        var fromOnline = Expr.JoinColumns(Expr.Similarity(o, t, temperature), Expr.DropDiagonal(Expr.Similarity(o, o, temperature)));
        var fromTarget = Expr.JoinColumns(Expr.Similarity(t, o, temperature), Expr.DropDiagonal(Expr.Similarity(t, t, temperature)));
        return 0.5 * Expr.DiagonalCrossEntropy(fromOnline) + 0.5 * Expr.DiagonalCrossEntropy(fromTarget);
    }

    /// <summary>
    /// BYOL (Grill et al. 2020, eq. 2; deepmind-research byol regression_loss) = <see cref="ByolLoss"/>: 2 − 2·cos(o, sg[t])
    /// with o the online prediction and t the target projection. Use with <see cref="PairingPolicy.TwoViewSymmetric"/>
    /// (the mean of both directions; the official code sums them, i.e. twice this).
    /// </summary>
    public static Objective Byol() => 2.0 - 2.0 * Expr.Cosine(Expr.Online, Expr.StopGradient(Expr.Target));

    /// <summary>
    /// Barlow Twins (Zbontar et al. 2021, eq. 1; official code and lightly BarlowTwinsLoss) = <see cref="BarlowTwinsLoss"/>:
    /// scale·(Σ(1 − C_ii)² + λ·Σ_{i≠j} C_ij²), C = corr(standardise(o, ε), standardise(t, ε)), λ = 5e-3, scale = 1. No
    /// stop-gradient. Standardisation is (z − mean)/sqrt(biased Var + ε) per dimension: ε = 1e-5 (default) is the official
    /// code's BatchNorm1d without affine, ε = 0 the paper's plain standardisation by the batch standard deviation.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">λ negative, scale not positive, or ε negative.</exception>
    public static Objective BarlowTwins(double lambda = 5e-3, double scale = 1, double eps = 1e-5)
    {
        if (!double.IsFinite(lambda) || lambda < 0) throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "Presets.BarlowTwins: λ must be finite and ≥ 0.");
        if (!double.IsFinite(scale) || scale <= 0) throw new ArgumentOutOfRangeException(nameof(scale), scale, "Presets.BarlowTwins: scale must be finite and > 0.");
        var c = Expr.CrossCorrelation(Expr.Standardise(Expr.Online, eps), Expr.Standardise(Expr.Target, eps));
        return scale * Expr.OnDiagonalPenalty(c) + scale * lambda * Expr.OffDiagonalPenalty(c);
    }

    /// <summary>Barlow Twins scaled as solo-learn's barlow_loss_func (scale_loss = 0.025, λ = 5e-3) = <see cref="BarlowTwinsLoss"/> with scale 0.025.</summary>
    public static Objective BarlowTwinsScaled(double lambda = 5e-3, double scale = 0.025, double eps = 1e-5) => BarlowTwins(lambda, scale, eps);

    /// <summary>
    /// VICReg (Bardes et al. 2022; official main_vicreg.py, lightly VICRegLoss) = <see cref="VicRegLoss"/>:
    /// 25·MSE(o, t) + 25·½(var(o) + var(t)) + 1·(cov(o) + cov(t)), var with ε = 1e-4. No stop-gradient.
    /// </summary>
    public static Objective VicReg(double invariance = 25, double variance = 25, double covariance = 1, double eps = 1e-4) =>
        invariance * Expr.MeanSquaredError(Expr.Online, Expr.Target)
        + 0.5 * variance * Expr.VariancePenalty(Expr.Online, eps) + 0.5 * variance * Expr.VariancePenalty(Expr.Target, eps)
        + covariance * Expr.CovariancePenalty(Expr.Online) + covariance * Expr.CovariancePenalty(Expr.Target);

    /// <summary>
    /// ReSSL with batch relations (Zheng et al. 2021, eq. 5; official code with the queue replaced by the other target
    /// embeddings of the batch) = <see cref="ResslLoss"/> without anchors: H(sg[softmax(dropdiag(t̂·t̂ᵀ/τ_t))],
    /// softmax(dropdiag(ô·t̂ᵀ/τ_s))) with t̂ detached, τ_t = 0.04, τ_s = 0.1. One direction (o = strong view, t = weak view).
    /// </summary>
    public static Objective Ressl(double targetTemperature = 0.04, double onlineTemperature = 0.1)
    {
        var o = Expr.Normalize(Expr.Online);
        var t = Expr.StopGradient(Expr.Normalize(Expr.Target));
        var relationT = Expr.Softmax(Expr.DropDiagonal(Expr.Similarity(t, t, targetTemperature)));
        var relationS = Expr.Softmax(Expr.DropDiagonal(Expr.Similarity(o, t, onlineTemperature)));
        return Expr.CrossEntropy(Expr.StopGradient(relationT), relationS);
    }

    /// <summary>
    /// TWIST (Wang et al. 2021; official EntLoss with λ1 = 0, λ2 = 1) = <see cref="TwistLoss"/>, with o and t the class logits
    /// of the two views: ½KL(p_o‖p_t) + ½KL(p_t‖p_o) + ½H̄(p_o) + ½H̄(p_t) − ½H(mean p_o) − ½H(mean p_t), p = softmax(x/τ),
    /// τ = 1. No stop-gradient (both views receive gradients); no ε inside the logarithms.
    /// </summary>
    public static Objective Twist(double temperature = 1)
    {
        var pO = Expr.Softmax(Expr.AsLogits(Expr.Online, temperature));
        var pT = Expr.Softmax(Expr.AsLogits(Expr.Target, temperature));
        return 0.5 * Expr.Kl(pO, pT) + 0.5 * Expr.Kl(pT, pO)
            + 0.5 * Expr.Entropy(pO) + 0.5 * Expr.Entropy(pT)
            - 0.5 * Expr.EntropyOfMean(pO) - 0.5 * Expr.EntropyOfMean(pT);
    }
}
