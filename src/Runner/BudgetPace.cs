using System.Diagnostics;

namespace ReLICv2.Experiments;

/// <summary>
/// Keeps a time-budgeted pre-training run to its budget. The first plan comes from a few throw-away steps measured before
/// the run, which misjudge the run's pace in both directions (the loader's prefetch queue is still full, oneDNN is still
/// creating its primitives; docs/results.md §8 logs runs that used 69 % and 118 % of a 5-minute budget). So the run
/// re-plans itself twice from its own pace, at a third and at two thirds of its warm-up, where only the slope of the
/// learning rate's ramp changes (<see cref="Training.Pretrainer.Replan"/>), and twice more past the warm-up, at half and at
/// three quarters of its plan, where the cosines are bent so that neither the learning rate nor the EMA coefficient jumps
/// (<see cref="Training.Pretrainer.Stretch"/>): the warm-up's pace still carries start-up costs (docs/results.md §1.3: a
/// run paced at 0.40 s per step there averaged 0.37 and used 89 % of its budget). At each mark the steps that fit are the
/// steps done plus the budget's remaining seconds over the seconds per step since the previous mark.
/// </summary>
public sealed class BudgetPace
{
    private readonly Func<double> seconds;
    private readonly long first, second, maxSteps;
    private readonly double origin;
    private long markStep = -1;
    private double markSeconds;
    private int lateMarksDone;

    // The late marks, as fractions of the plan current when they are reached.
    private static readonly double[] LateMarks = [0.5, 0.75];

    /// <param name="budgetSeconds">The pre-training budget in seconds, counted from this object's creation.</param>
    /// <param name="warmupSteps">The first plan's warm-up; the re-plans happen at a third and at two thirds of it.</param>
    /// <param name="maxSteps">The most steps a re-plan may give (the experiment's whole epochs).</param>
    /// <param name="clock">Seconds since some origin (a stopwatch unless given; tests pass their own).</param>
    /// <exception cref="ArgumentOutOfRangeException">A budget that is not finite and positive, a negative warm-up, or fewer than one step.</exception>
    public BudgetPace(double budgetSeconds, long warmupSteps, long maxSteps, Func<double>? clock = null)
    {
        if (!(budgetSeconds > 0 && double.IsFinite(budgetSeconds)))
            throw new ArgumentOutOfRangeException(nameof(budgetSeconds), budgetSeconds, "BudgetPace: budgetSeconds must be finite and > 0");
        if (warmupSteps < 0) throw new ArgumentOutOfRangeException(nameof(warmupSteps), warmupSteps, "BudgetPace: warmupSteps must be >= 0");
        if (maxSteps < 1) throw new ArgumentOutOfRangeException(nameof(maxSteps), maxSteps, "BudgetPace: maxSteps must be >= 1");
        if (clock is null)
        {
            var watch = Stopwatch.StartNew();
            clock = () => watch.Elapsed.TotalSeconds;
        }
        seconds = clock;
        origin = seconds();
        BudgetSeconds = budgetSeconds;
        this.maxSteps = maxSteps;
        first = Math.Max(FirstMark + 2, warmupSteps / 3);
        second = Math.Max(first + 2, 2 * warmupSteps / 3);
        // A warm-up too short to hold both marks leaves the first plan alone.
        Enabled = second <= warmupSteps;
    }

    // The first steps start the loader and the allocator's cache: the pace is measured from the end of this step on.
    private const long FirstMark = 2;

    /// <summary>The budget in seconds.</summary>
    public double BudgetSeconds { get; }

    /// <summary>Whether the warm-up is long enough for its two re-plans (else only the late marks re-plan).</summary>
    public bool Enabled { get; }

    /// <summary>The seconds per step measured at the last re-plan (NaN before).</summary>
    public double SecondsPerStep { get; private set; } = double.NaN;

    /// <summary>
    /// Called after every step with the steps done and the current plan: at the re-plan marks, the steps that fit the
    /// budget at the pace measured since the previous mark (at least one more than done, at most the whole epochs);
    /// otherwise null. The marks depend only on the steps and the plan, never on the clock, so every rank of a
    /// data-parallel run reaches them together.
    /// </summary>
    public long? Replan(long stepsDone, long plannedSteps)
    {
        var now = seconds() - origin;
        if (stepsDone == FirstMark)
        {
            (markStep, markSeconds) = (stepsDone, now);
            return null;
        }
        if (markStep < 0 || stepsDone <= markStep) return null;
        var warmupMark = Enabled && (stepsDone == first || stepsDone == second);
        // A late mark needs the warm-up's marks behind it, a tenth of the plan since the previous mark to measure over, and
        // a step of the plan still to run (a finished decay has nothing left to bend).
        var lateMark = !warmupMark && lateMarksDone < LateMarks.Length && (!Enabled || stepsDone > second) && stepsDone < plannedSteps
            && stepsDone >= LateMarks[lateMarksDone] * plannedSteps && stepsDone - markStep >= Math.Max(2, plannedSteps / 10);
        if (!warmupMark && !lateMark) return null;
        if (lateMark) lateMarksDone++;
        SecondsPerStep = (now - markSeconds) / (stepsDone - markStep);
        (markStep, markSeconds) = (stepsDone, now);
        if (!(SecondsPerStep > 0)) return plannedSteps;
        var fit = stepsDone + (long)Math.Floor(Math.Max(0, BudgetSeconds - now) / SecondsPerStep);
        return Math.Clamp(fit, stepsDone + 1, maxSteps);
    }
}
