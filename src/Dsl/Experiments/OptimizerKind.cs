namespace ReLICv2.Experiments;

/// <summary>The optimiser of pre-training.</summary>
public enum OptimizerKind
{
    /// <summary>LARS as in BYOL/ReLICv2 (biases and BN parameters excluded from adaptation and weight decay).</summary>
    Lars,

    /// <summary>SGD with momentum.</summary>
    Sgd,

    /// <summary>AdamW.</summary>
    AdamW,
}
