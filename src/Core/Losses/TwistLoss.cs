namespace ReLICv2.Losses;

/// <summary>
/// TWIST (Wang et al. 2021, eq. 4–6; official bytedance/TWIST objective.py EntLoss with λ1 = 0, λ2 = 1) on the class
/// logits s_a, s_b ∈ R^{N×K} of two views:
/// <code>
///   p = softmax(s)   (τ = 1 in the official default)
///   ℓ = ½[KL(p_a‖p_b) + KL(p_b‖p_a)] + ½[H̄(p_a) + H̄(p_b)] − ½[H(p̄_a) + H(p̄_b)]
///   H̄(p) = mean_i H(p_i) (mean per-sample entropy),  H(p̄) = entropy of the batch-mean distribution
/// </code>
/// KL is the batch mean. No stop-gradient: both views receive gradients. Unlike the official code no ε = 1e-5 is added
/// inside the logarithms (log-softmax is exact). A collapsed batch gives ℓ = 0 &gt; −log K, so collapse is not a minimum.
/// The whole loss is Presets.Twist, composed from these primitives by the objective compiler (docs/method.md §5).
/// </summary>
public static class TwistLoss
{
    /// <summary>H̄(p) = −mean_i Σ_j p_ij log p_ij for row distributions given as log-probabilities [N, K].</summary>
    public static Tensor MeanEntropy(Tensor logP)
    {
        ArgumentNullException.ThrowIfNull(logP);
        return KlDivergence.CrossEntropy(logP, logP);
    }

    /// <summary>H(p̄) = −Σ_j p̄_j log p̄_j with p̄ = mean_i p_i, for row distributions given as log-probabilities [N, K].</summary>
    public static Tensor EntropyOfMean(Tensor logP)
    {
        ArgumentNullException.ThrowIfNull(logP);
        return Torch.Scoped(() =>
        {
            var logMean = logP.LogSumExp(0) - Math.Log(logP.Size(0));
            return -(logMean.Exp() * logMean).Sum();
        });
    }
}
