namespace ReLICv2.Losses;

/// <summary>
/// Batch-mean KL divergence between row distributions given as log-probabilities:
/// KL(P‖Q) = (1/N) Σ_i Σ_j P_ij (log P_ij − log Q_ij) (docs/method.md §2; "batchmean" of torch's kl_div).
/// </summary>
public static class KlDivergence
{
    /// <summary>KL(P‖Q) for log P, log Q of shape [N, C]; gradients flow through both unless the caller detaches one.</summary>
    public static Tensor Compute(Tensor logP, Tensor logQ)
    {
        ArgumentNullException.ThrowIfNull(logP);
        ArgumentNullException.ThrowIfNull(logQ);
        return Torch.Scoped(() => (logP.Exp() * (logP - logQ)).Sum() / logP.Size(0));
    }

    /// <summary>Cross-entropy −(1/N) Σ_i Σ_j P_ij log Q_ij of row distributions given as log-probabilities.</summary>
    public static Tensor CrossEntropy(Tensor logP, Tensor logQ)
    {
        ArgumentNullException.ThrowIfNull(logP);
        ArgumentNullException.ThrowIfNull(logQ);
        return Torch.Scoped(() => -(logP.Exp() * logQ).Sum() / logP.Size(0));
    }
}
