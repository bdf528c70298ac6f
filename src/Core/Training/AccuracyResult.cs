namespace ReLICv2.Training;

/// <summary>
/// One row of a run's accuracy table: which encoder (the pre-trained one, a random-init baseline, a supervised
/// baseline) under which protocol (linear probe, k-NN; docs/method.md §7), with top-1 and, where defined, top-5 in [0, 1].
/// </summary>
public sealed record AccuracyResult(string Encoder, string Protocol, double Top1, double? Top5 = null, string? Note = null)
{
    public double Top1 { get; } = Top1 is >= 0 and <= 1 ? Top1
        : throw new ArgumentOutOfRangeException(nameof(Top1), Top1, "AccuracyResult.Top1 must be in [0, 1]");

    public double? Top5 { get; } = Top5 is null or (>= 0 and <= 1) ? Top5
        : throw new ArgumentOutOfRangeException(nameof(Top5), Top5, "AccuracyResult.Top5 must be in [0, 1]");
}
