namespace ReLICv2.Training;

/// <summary>What an EMA update does with the target's buffers (BatchNorm running statistics).</summary>
public enum EmaBuffers
{
    /// <summary>Floating-point buffers are averaged like the weights; integer buffers (batch counters) are copied. The default (docs/method.md §6.2).</summary>
    Average,

    /// <summary>Buffers are copied from the online network.</summary>
    Copy,

    /// <summary>Buffers are left alone (the target keeps the statistics of its own forward passes, as solo-learn).</summary>
    Keep,
}
