namespace ReLICv2.Training;

/// <summary>Where the target embeddings of a view pair come from (docs/method.md §5, §6).</summary>
public enum TargetMode
{
    /// <summary>A separate target network (encoder + projector) whose weights are an EMA of the online ones (BYOL, ReLICv2).</summary>
    Ema,

    /// <summary>The online encoder + projector itself, gradients flowing through both branches (SimCLR, Barlow Twins, VICReg).</summary>
    Shared,

    /// <summary>The online encoder + projector with the target branch detached (SimSiam-style).</summary>
    SharedStopGradient,
}
