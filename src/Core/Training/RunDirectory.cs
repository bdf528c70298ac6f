namespace ReLICv2.Training;

/// <summary>
/// The files of one run: <c>experiment.json</c> (the experiment value), <c>metrics.jsonl</c> (one line per step),
/// <c>results.json</c> (the accuracy table), <c>views.png</c> (the view grid), <c>checkpoints/</c> and <c>report.html</c>.
/// </summary>
public sealed record RunDirectory(string Root)
{
    public string Root { get; } = Path.GetFullPath(Root);
    public string Experiment => Path.Combine(Root, "experiment.json");
    public string Metrics => Path.Combine(Root, "metrics.jsonl");
    public string Results => Path.Combine(Root, "results.json");
    public string Views => Path.Combine(Root, "views.png");
    public string Checkpoints => Path.Combine(Root, "checkpoints");
    public string Report => Path.Combine(Root, "report.html");

    /// <summary>The planned number of pre-training steps (fixed at the start, so a resumed run keeps its schedule).</summary>
    public string Plan => Path.Combine(Root, "plan.txt");
}
