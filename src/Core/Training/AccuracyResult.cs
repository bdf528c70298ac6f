namespace ReLICv2.Training;

/// <summary>
/// One row of a run's accuracy table: which encoder (the pre-trained one, a random-init baseline, a supervised
/// baseline) under which protocol (linear probe, k-NN, robustness; docs/method.md §7), with top-1 and, where defined,
/// top-5 in [0, 1]. Rows of the robustness protocol (docs/method.md §7.1) name the shift in <see cref="Corruption"/>
/// (a corruption's name, <c>clean</c>, or <c>mean</c> for the mean corruption accuracy) and its <see cref="Severity"/> (0–5;
/// null for the mean).
/// </summary>
public sealed record AccuracyResult(string Encoder, string Protocol, double Top1, double? Top5 = null, string? Note = null,
    string? Corruption = null, int? Severity = null)
{
    public double Top1 { get; } = Top1 is >= 0 and <= 1 ? Top1
        : throw new ArgumentOutOfRangeException(nameof(Top1), Top1, "AccuracyResult.Top1 must be in [0, 1]");

    public double? Top5 { get; } = Top5 is null or (>= 0 and <= 1) ? Top5
        : throw new ArgumentOutOfRangeException(nameof(Top5), Top5, "AccuracyResult.Top5 must be in [0, 1]");

    public int? Severity { get; } = Severity is null or (>= 0 and <= 5) ? Severity
        : throw new ArgumentOutOfRangeException(nameof(Severity), Severity, "AccuracyResult.Severity must be in [0, 5] (or null)");
}
