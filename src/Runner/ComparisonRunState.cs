namespace ReLICv2.Experiments;

/// <summary>What a comparison at equal budget does with one method's run directory (<see cref="MethodComparison.StateOf"/>).</summary>
public enum ComparisonRunState
{
    /// <summary>No checkpoint yet: the run starts from step 0 (a partial directory without checkpoint is started over).</summary>
    Fresh,

    /// <summary>A checkpoint of this experiment and no finished evaluation: the run continues from the checkpoint.</summary>
    Resume,

    /// <summary>Pre-trained and evaluated: the run is kept as it is and not repeated.</summary>
    Finished,
}
