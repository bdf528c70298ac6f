using ReLICv2.Losses;

namespace ReLICv2.Tests.References;

/// <summary>
/// The ReLIC loss of one (online view a, target view t) pair — Mitrovic et al. 2021 (ReLIC) and Tomasev et al. 2022
/// (ReLICv2, eq. 3), restated in docs/method.md §2:
/// <code>
///   L_ij      = ⟨ô_i, t̂_j⟩ / τ                       over the candidate set C_i = {i} ∪ negatives_i
///   CE        = −mean_i log softmax_{j∈C_i}(L_ij)[j = i]
///   P^{a→t}_i(j) ∝ exp(⟨ô_i, t̂_j⟩/τ),   P^{t→a}_i(j) ∝ exp(⟨t̂_i, ô_j⟩/τ)   for j ∈ C_i (the same index set)
///   KL        = per <see cref="KlHandling"/>, Forward = mean_i KL(P^{a→t}_i ‖ sg[P^{t→a}_i])
///   ℓ(a, t)   = β·CE + α·KL
/// </code>
/// With all negatives, P^{a→t} is the row softmax and P^{t→a} the column softmax (transposed) of the square matrix L.
/// The target embeddings are detached (the target network receives no gradient). Reductions are means over the N anchors.
/// Defaults: β = 1, α = 1, τ = 0.1, Forward — in the order and with the defaults of the DSL preset
/// <c>Presets.Relic(beta, alpha, temperature, …)</c>.
/// </summary>
public static class RelicLoss
{
    /// <summary>
    /// ℓ(a, t) for online embeddings <paramref name="online"/> [N, D] and target embeddings <paramref name="target"/> [N, D].
    /// <paramref name="candidates"/>: Int64 [N, 1 + k] with the anchor in column 0 (see <see cref="CandidateSampler"/>),
    /// or null for all batch elements.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">τ is not positive and finite, or α/β negative or not finite.</exception>
    public static RelicLossTerms Compute(Tensor online, Tensor target, double beta = 1, double alpha = 1, double temperature = 0.1,
        KlHandling kl = KlHandling.Forward, Tensor? candidates = null)
    {
        ArgumentNullException.ThrowIfNull(online);
        ArgumentNullException.ThrowIfNull(target);
        if (!(temperature > 0) || double.IsInfinity(temperature))
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "RelicLoss: temperature τ must be positive and finite.");
        using var scope = Torch.NewScope();
        var o = Torch.Normalize(online);
        var t = Torch.Normalize(target.Detach());
        var logitsAt = o.Matmul(t.T()) / temperature;  // L_ij = ⟨ô_i, t̂_j⟩/τ
        var logitsTa = logitsAt.T();                    // L_ji = ⟨t̂_i, ô_j⟩/τ
        if (candidates is not null)
        {
            logitsAt = logitsAt.Gather(1, candidates);
            logitsTa = logitsTa.Gather(1, candidates);
        }
        var terms = FromLogits(logitsAt, logitsTa, beta, alpha, kl, positiveFirst: candidates is not null);
        scope.MoveOut(terms.Total, terms.Contrastive, terms.Invariance);
        return terms;
    }

    /// <summary>
    /// ℓ(a, t) with sub-sampled negatives drawn from <paramref name="generator"/> (one candidate set per anchor, shared by both distributions).
    /// </summary>
    public static RelicLossTerms Compute(Tensor online, Tensor target, Negatives negatives, Generator generator, double beta = 1,
        double alpha = 1, double temperature = 0.1, KlHandling kl = KlHandling.Forward)
    {
        ArgumentNullException.ThrowIfNull(online);
        using var scope = Torch.NewScope();
        var candidates = CandidateSampler.Sample(online.Size(0), negatives, generator, online.Device);
        var terms = Compute(online, target, beta, alpha, temperature, kl, candidates);
        scope.MoveOut(terms.Total, terms.Contrastive, terms.Invariance);
        return terms;
    }

    /// <summary>
    /// ℓ(a, t) of this rank's anchors under data parallelism (docs/distributed.md), all negatives: the n local online
    /// rows score the R·n target rows gathered from every rank (L = ô_local·sg[t̂_global]ᵀ/τ, positive of row i at column
    /// r·n + i), and P^{t→a} of local row i ranges over the gathered online rows (⟨t̂_i, ô_j⟩/τ, j global) — both
    /// gathered without autograd, so only <see cref="KlHandling.Forward"/> is allowed (every other handling differentiates
    /// P^{t→a}, whose columns are other ranks' online rows). The mean over ranks of this value is
    /// ℓ of the global batch, and so is the mean of the gradients.
    /// </summary>
    /// <exception cref="ArgumentException">A KL handling other than Forward (it would need gradients of other ranks' rows).</exception>
    public static RelicLossTerms Compute(Tensor online, Tensor target, Training.GlobalBatch global, double beta = 1, double alpha = 1,
        double temperature = 0.1, KlHandling kl = KlHandling.Forward)
    {
        ArgumentNullException.ThrowIfNull(online);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(global);
        if (global.WorldSize == 1) return Compute(online, target, beta, alpha, temperature, kl);
        if (kl != KlHandling.Forward)
            throw new ArgumentException($"RelicLoss: KL handling {kl} differentiates P^(t->a), whose candidates are other ranks' online embeddings, gathered without autograd; under data parallelism only Forward (KL(P^(a->t) || sg[P^(t->a)])) is allowed", nameof(kl));
        if (!(temperature > 0) || double.IsInfinity(temperature))
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "RelicLoss: temperature τ must be positive and finite.");
        using var scope = Torch.NewScope();
        var o = Torch.Normalize(online);
        var t = Torch.Normalize(target.Detach());
        var oAll = Torch.Normalize(global.Gather(online));
        var tAll = Torch.Normalize(global.Gather(target));
        var logitsAt = o.Matmul(tAll.T()) / temperature;   // [n, R·n]: ⟨ô_i, t̂_j⟩/τ
        var logitsTa = t.Matmul(oAll.T()) / temperature;   // [n, R·n]: ⟨t̂_i, ô_j⟩/τ
        var terms = FromLogits(logitsAt, logitsTa, beta, alpha, kl, positiveOffset: global.RowOffset(online.Size(0)));
        scope.MoveOut(terms.Total, terms.Contrastive, terms.Invariance);
        return terms;
    }

    /// <summary>
    /// ℓ from the two logit matrices directly: <paramref name="logitsAt"/>[i, j] = ⟨ô_i, t̂_{c_ij}⟩/τ and
    /// <paramref name="logitsTa"/>[i, j] = ⟨t̂_i, ô_{c_ij}⟩/τ over the same candidates c_ij. The positive of row i is
    /// column 0 when <paramref name="positiveFirst"/>, else column <paramref name="positiveOffset"/> + i (the rows of one rank
    /// of a data-parallel global batch; 0 for square matrices).
    /// </summary>
    public static RelicLossTerms FromLogits(Tensor logitsAt, Tensor logitsTa, double beta = 1, double alpha = 1,
        KlHandling kl = KlHandling.Forward, bool positiveFirst = false, long positiveOffset = 0)
    {
        ArgumentNullException.ThrowIfNull(logitsAt);
        ArgumentNullException.ThrowIfNull(logitsTa);
        if (!double.IsFinite(alpha) || alpha < 0) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "RelicLoss: invariance scale α must be finite and ≥ 0.");
        if (!double.IsFinite(beta) || beta < 0) throw new ArgumentOutOfRangeException(nameof(beta), beta, "RelicLoss: contrast scale β must be finite and ≥ 0.");
        using var scope = Torch.NewScope();
        var logPat = logitsAt.LogSoftmax(1);
        var logPta = logitsTa.LogSoftmax(1);
        var n = logitsAt.Size(0);
        var positives = positiveFirst
            ? Torch.Zeros([n], DType.Int64, logitsAt.Device)
            : Torch.Arange(positiveOffset, positiveOffset + n, 1, DType.Int64, logitsAt.Device);
        var ce = Torch.NllLoss(logPat, positives);
        var invariance = kl switch
        {
            KlHandling.Forward => KlDivergence.Compute(logPat, logPta.Detach()),
            KlHandling.Reverse => KlDivergence.Compute(logPta, logPat.Detach()),
            KlHandling.Symmetric => (KlDivergence.Compute(logPat, logPta.Detach()) + KlDivergence.Compute(logPta, logPat.Detach())) * 0.5,
            KlHandling.NoStopGradient => KlDivergence.Compute(logPat, logPta),
            KlHandling.ReverseNoStopGradient => KlDivergence.Compute(logPta, logPat),
            _ => throw new ArgumentOutOfRangeException(nameof(kl), kl, "RelicLoss: unknown KlHandling."),
        };
        var total = ce * beta + invariance * alpha;
        return new RelicLossTerms(scope.MoveOut(total), scope.MoveOut(ce), scope.MoveOut(invariance));
    }
}
