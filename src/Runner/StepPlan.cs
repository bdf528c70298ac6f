using System.Globalization;
using System.Text;
using ReLICv2.Optim;
using ReLICv2.Training;

namespace ReLICv2.Experiments;

/// <summary>
/// What a run is planned to do, kept in its run directory's plan.txt so that a resumed run continues on the same schedule:
/// the total steps and, once a time-budgeted run has re-planned itself past its warm-up (<see cref="BudgetPace"/>), the
/// warm-up it had and the bends of its learning-rate and EMA schedules (<see cref="ScheduleBend"/>).
/// <code>
/// 1200                      total steps (a plan never re-planned past its warm-up is this line alone)
/// warmup 110                the warm-up's steps
/// bend 600 0.4123 0.5012    a bend: step, learning-rate progress, EMA progress (round-trip decimals)
/// </code>
/// </summary>
/// <param name="TotalSteps">Steps of the whole run (at least 1).</param>
/// <param name="WarmupSteps">The warm-up, when it is no longer the one the total steps give (after a bend); else null.</param>
/// <param name="Bends">The re-plans past the warm-up, in step order, with both schedules' progress there.</param>
public sealed record StepPlan(long TotalSteps, long? WarmupSteps = null, IReadOnlyList<StepPlan.Bend>? Bends = null)
{
    /// <summary>A re-plan past the warm-up: the step, and the learning-rate and EMA schedules' progress there.</summary>
    public readonly record struct Bend(long Step, double LearningRateProgress, double EmaProgress);

    /// <summary>The bends, never null.</summary>
    public IReadOnlyList<Bend> AllBends => Bends ?? [];

    /// <summary>The learning-rate schedule's bends.</summary>
    public IEnumerable<ScheduleBend> LearningRateBends => AllBends.Select(b => new ScheduleBend(b.Step, b.LearningRateProgress));

    /// <summary>The EMA schedule's bends.</summary>
    public IEnumerable<ScheduleBend> EmaBends => AllBends.Select(b => new ScheduleBend(b.Step, b.EmaProgress));

    /// <summary>The plan as plan.txt holds it.</summary>
    public string Format()
    {
        var text = new StringBuilder(TotalSteps.ToString(CultureInfo.InvariantCulture));
        if (WarmupSteps is { } warmup) text.Append(CultureInfo.InvariantCulture, $"\nwarmup {warmup}");
        foreach (var b in AllBends)
            text.Append(CultureInfo.InvariantCulture, $"\nbend {b.Step} {b.LearningRateProgress:R} {b.EmaProgress:R}");
        return text.Append('\n').ToString();
    }

    /// <summary>Writes the plan to <paramref name="path"/> atomically.</summary>
    public void Write(string path) => AtomicFile.WriteAllBytes(path, Encoding.UTF8.GetBytes(Format()));

    /// <summary>The plan in <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a plan; the message names the file, the line and the value.</exception>
    public static StepPlan Read(string path) => Parse(File.ReadAllText(path), $"plan file '{path}'");

    /// <summary>Parses plan.txt's text; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="InvalidDataException">The text is not a plan.</exception>
    public static StepPlan Parse(string text, string source = "plan")
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
        if (lines.Length == 0 || !TryWhole(lines[0], out var total) || total < 1)
        {
            var first = lines.Length == 0 ? "" : lines[0];
            throw new InvalidDataException($"{source} holds '{Clip(first)}', not a number of steps in [1, {long.MaxValue}]");
        }
        long? warmup = null;
        var bends = new List<Bend>();
        for (var i = 1; i < lines.Length; i++)
        {
            var words = lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            InvalidDataException Bad(string why) => new($"{source}, line {i + 1} '{Clip(lines[i])}': {why}");
            switch (words[0])
            {
                case "warmup" when words.Length == 2 && warmup is null && bends.Count == 0:
                    if (!TryWhole(words[1], out var w) || w < 0 || w > total) throw Bad($"the warm-up must be a whole number of steps in [0, {total}]");
                    warmup = w;
                    break;
                case "bend" when words.Length == 4:
                    if (warmup is null) throw Bad("a bend needs the warm-up line before it");
                    var low = bends.Count == 0 ? warmup.Value : bends[^1].Step + 1;
                    if (!TryWhole(words[1], out var step) || step < low || step >= total) throw Bad($"the step must be in [{low}, {total - 1}]");
                    if (!TryProgress(words[2], out var lr) || !TryProgress(words[3], out var ema)) throw Bad("the progress values must be numbers in [0, 1)");
                    bends.Add(new Bend(step, lr, ema));
                    break;
                default:
                    throw Bad("expected 'warmup STEPS' once, then 'bend STEP LR-PROGRESS EMA-PROGRESS' lines");
            }
        }
        return new StepPlan(total, warmup, bends.Count == 0 ? null : bends);
    }

    private static bool TryWhole(string s, out long value) => long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    private static bool TryProgress(string s, out double value) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && value is >= 0 and < 1;

    private static string Clip(string s) => s.Length <= 40 ? s : s[..40] + "…";

    public bool Equals(StepPlan? other) =>
        other is not null && TotalSteps == other.TotalSteps && WarmupSteps == other.WarmupSteps && AllBends.SequenceEqual(other.AllBends);

    public override int GetHashCode() => HashCode.Combine(TotalSteps, WarmupSteps, AllBends.Count);
}
