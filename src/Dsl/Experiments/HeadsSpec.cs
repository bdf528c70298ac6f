namespace ReLICv2.Experiments;

/// <summary>Projector g (Linear–BN–ReLU–Linear, hidden → out) and predictor q (out → hidden → out; hidden 0 = no predictor).</summary>
public sealed record HeadsSpec
{
    public HeadsSpec(long projectorHidden = 4096, long projectorOut = 256, long predictorHidden = 4096)
    {
        ProjectorHidden = projectorHidden >= 1 ? projectorHidden : throw new ArgumentOutOfRangeException(nameof(projectorHidden), projectorHidden, "HeadsSpec.ProjectorHidden must be >= 1");
        ProjectorOut = projectorOut >= 1 ? projectorOut : throw new ArgumentOutOfRangeException(nameof(projectorOut), projectorOut, "HeadsSpec.ProjectorOut must be >= 1");
        PredictorHidden = predictorHidden >= 0 ? predictorHidden : throw new ArgumentOutOfRangeException(nameof(predictorHidden), predictorHidden, "HeadsSpec.PredictorHidden must be >= 0 (0: no predictor)");
    }

    public long ProjectorHidden { get; }

    public long ProjectorOut { get; }

    public long PredictorHidden { get; }
}
