namespace ReLICv2.Optim;

/// <summary>
/// A point where a decaying schedule was re-planned while it ran: from <see cref="Step"/> on, the schedule's progress
/// through its decay goes linearly from <see cref="Progress"/> (where the old plan had got to) to 1 at the new plan's last
/// step. The value at the bend is therefore the old plan's value — the learning rate or EMA coefficient does not jump —
/// and only the speed of the rest of the decay changes (<see cref="WarmupCosineSchedule.Bend"/>,
/// <see cref="Training.CosineEmaSchedule.Bend"/>).
/// </summary>
/// <param name="Step">The step (or EMA update) at which the new plan took over.</param>
/// <param name="Progress">The progress through the decay at that step, in [0, 1).</param>
public readonly record struct ScheduleBend(long Step, double Progress);

/// <summary>Progress through a decay as a piecewise-linear function of the step: through (start, 0), the bends, (end, 1).</summary>
internal static class DecayProgress
{
    /// <summary>Checks bends for a decay from <paramref name="start"/> to <paramref name="end"/>; returns them as an array.</summary>
    public static ScheduleBend[] Check(IEnumerable<ScheduleBend>? bends, long start, long end, string owner, string field)
    {
        var list = bends?.ToArray() ?? [];
        for (var i = 0; i < list.Length; i++)
        {
            var (step, progress) = list[i];
            var lowStep = i == 0 ? start : list[i - 1].Step + 1;
            if (step < lowStep || step >= end)
                throw new ArgumentOutOfRangeException(field, step, $"{owner}: {field}[{i}].Step = {step} must be in [{lowStep}, {end - 1}] (from the decay's start, after the bend before, before its end)");
            var lowProgress = i == 0 ? 0.0 : list[i - 1].Progress;
            if (step == start && progress != 0)
                throw new ArgumentOutOfRangeException(field, progress, $"{owner}: {field}[{i}].Progress = {progress} must be 0 at the decay's start (step {start})");
            if (!(progress >= lowProgress && progress < 1))
                throw new ArgumentOutOfRangeException(field, progress, $"{owner}: {field}[{i}].Progress = {progress} must be in [{lowProgress}, 1) (non-decreasing, short of the end)");
        }
        return list;
    }

    /// <summary>The progress at <paramref name="step"/>: 0 up to the start, 1 from the end on, linear between the knots.</summary>
    public static double At(long step, long start, long end, ScheduleBend[] bends)
    {
        if (step <= start) return 0;
        if (step >= end) return 1;
        var (fromStep, fromProgress) = (start, 0.0);
        foreach (var bend in bends)
        {
            if (step < bend.Step) return Lerp(step, fromStep, fromProgress, bend.Step, bend.Progress);
            (fromStep, fromProgress) = (bend.Step, bend.Progress);
        }
        return Lerp(step, fromStep, fromProgress, end, 1);
    }

    private static double Lerp(long step, long fromStep, double fromProgress, long toStep, double toProgress) =>
        fromProgress + (toProgress - fromProgress) * (step - fromStep) / (toStep - fromStep);

    /// <summary>The bends of a decay re-planned at <paramref name="step"/> (later bends dropped; one at the start itself is
    /// kept too, with progress 0, so that every re-plan leaves one bend).</summary>
    public static ScheduleBend[] BentAt(long step, long start, long end, ScheduleBend[] bends)
    {
        var kept = bends.Where(b => b.Step < step).ToList();
        kept.Add(new ScheduleBend(step, At(step, start, end, bends)));
        return [.. kept];
    }

    public static bool SameBends(ScheduleBend[] a, ScheduleBend[] b) => a.AsSpan().SequenceEqual(b);

    public static int Hash(ScheduleBend[] bends)
    {
        var hash = new HashCode();
        foreach (var bend in bends) hash.Add(bend);
        return hash.ToHashCode();
    }
}
