using FsCheck;
using FsCheck.Fluent;
using ReLICv2.Optim;
using Xunit;

namespace ReLICv2.Tests;

public class WarmupCosineScheduleTests
{
    [Fact]
    public void Values_follow_linear_warmup_then_cosine_with_batch_scaling()
    {
        var s = new WarmupCosineSchedule(totalSteps: 110, warmupSteps: 10, batchSize: 1024);
        Assert.Equal(4.0, s.Peak);
        Assert.Equal(0.0, s.Multiplier(0));
        Assert.Equal(4.0 * 5 / 10, s.Multiplier(5), 12);
        Assert.Equal(4.0, s.Multiplier(10), 12);
        Assert.Equal(4.0 * 0.5 * (1 + Math.Cos(Math.PI * 0.25)), s.Multiplier(35), 12);
        Assert.Equal(2.0, s.Multiplier(60), 12);
        Assert.Equal(0.0, s.Multiplier(110), 12);
        Assert.Equal(0.0, s.Multiplier(500), 12);
    }

    [Fact]
    public void Final_fraction_sets_the_floor()
    {
        var s = new WarmupCosineSchedule(totalSteps: 100, finalFraction: 0.1);
        Assert.Equal(1.0, s.Multiplier(0), 12);
        Assert.Equal(0.1, s.Multiplier(100), 12);
        Assert.Equal(0.55, s.Multiplier(50), 12);
    }

    [Fact]
    public void Schedule_rises_during_warmup_and_never_rises_after()
    {
        Prop.ForAll(Gen.Choose(1, 500).ToArbitrary(), Gen.Choose(0, 100).ToArbitrary(), (total, warmupPercent) =>
        {
            var s = new WarmupCosineSchedule(total, warmupSteps: total * warmupPercent / 100);
            for (long k = 1; k <= total + 2; k++)
            {
                var (a, b) = (s.Multiplier(k - 1), s.Multiplier(k));
                if (k <= s.WarmupSteps ? b < a : b > a + 1e-15) return false;
                if (b is < 0 or > 1) return false;
            }
            return true;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(100).WithQuietOnSuccess(true));
    }

    /// <summary>Random bends of random schedules: (total, warm-up, then (step, new total) pairs drawn inside each plan's decay).</summary>
    private static Gen<(WarmupCosineSchedule Start, (long At, long Total)[] Bends)> BentSchedules() =>
        from total in Gen.Choose(3, 400)
        from warmupPercent in Gen.Choose(0, 60)
        from final in Gen.Elements(0.0, 0.1)
        from seeds in Gen.Choose(0, int.MaxValue).ArrayOf(3)
        select Bends(new WarmupCosineSchedule(total, total * warmupPercent / 100, final, batchSize: 512), seeds);

    private static (WarmupCosineSchedule, (long, long)[]) Bends(WarmupCosineSchedule start, int[] seeds)
    {
        var bends = new List<(long, long)>();
        var (from, total) = (start.WarmupSteps, start.TotalSteps);
        foreach (var seed in seeds)
        {
            if (from >= total) break;
            var at = from + seed % (total - from);
            var newTotal = at + 1 + seed / 7 % (2 * total);
            bends.Add((at, newTotal));
            (from, total) = (at, newTotal);
        }
        return (start, [.. bends]);
    }

    [Fact]
    public void A_bend_keeps_every_multiplier_up_to_it_ends_at_the_floor_on_time_and_never_jumps()
    {
        Prop.ForAll(BentSchedules().ToArbitrary(), c =>
        {
            var s = c.Start;
            foreach (var (at, total) in c.Bends)
            {
                var bent = s.Bend(at, total);
                // Unchanged up to and at the bend (the warm-up exactly; the decay up to rounding of its progress).
                for (long k = 0; k <= at; k++)
                    if (Math.Abs(bent.Multiplier(k) - s.Multiplier(k)) > 1e-12) return false;
                // At the floor exactly from the new end on.
                if (Math.Abs(bent.Multiplier(total) - bent.Peak * bent.FinalFraction) > 1e-12 || bent.Multiplier(total + 5) != bent.Multiplier(total)) return false;
                // Non-increasing after the warm-up, and no step larger than the cosine's steepest slope over what is left.
                var progressAt = bent.Bends[^1].Progress;
                var steepest = bent.Peak * (1 - bent.FinalFraction) * Math.PI / 2 * (1 - progressAt) / (total - at);
                for (var k = Math.Max(at, bent.WarmupSteps) + 1; k <= total; k++)
                {
                    var drop = bent.Multiplier(k - 1) - bent.Multiplier(k);
                    if (drop < -1e-15 || drop > steepest + 1e-12) return false;
                }
                s = bent;
            }
            return true;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(150).WithQuietOnSuccess(true));
    }

    [Fact]
    public void A_bend_halfway_through_the_decay_finishes_the_cosine_over_the_new_length()
    {
        // 10 warm-up steps, 100 of decay; bent at step 60 (progress 1/2) to end at 160: from there the second half of the
        // cosine takes 100 steps instead of 50.
        var s = new WarmupCosineSchedule(110, 10).Bend(60, 160);
        Assert.Equal([new ScheduleBend(60, 0.5)], s.Bends);
        Assert.Equal(0.5, s.Multiplier(60), 12);
        Assert.Equal(0.5 * (1 + Math.Cos(Math.PI * 0.75)), s.Multiplier(110), 12);
        Assert.Equal(0.0, s.Multiplier(160), 12);
        Assert.Equal(new WarmupCosineSchedule(110, 10).Bend(60, 160), s);
        Assert.NotEqual(new WarmupCosineSchedule(160, 10), s);
        Assert.Equal(new WarmupCosineSchedule(160, 10, bends: [new ScheduleBend(60, 0.5)]), s);
    }

    [Fact]
    public void Bends_out_of_place_are_refused_naming_the_value_and_the_range()
    {
        var s = new WarmupCosineSchedule(100, 10);
        Assert.Contains("atStep must be in [warm-up 10, end 99]", Assert.Throws<ArgumentOutOfRangeException>(() => s.Bend(9, 200)).Message);
        Assert.Contains("atStep must be in [warm-up 10, end 99]", Assert.Throws<ArgumentOutOfRangeException>(() => s.Bend(100, 200)).Message);
        Assert.Contains("totalSteps must be > atStep = 50", Assert.Throws<ArgumentOutOfRangeException>(() => s.Bend(50, 50)).Message);
        Assert.Contains("bends[1].Step = 30 must be in [41, 99]",
            Assert.Throws<ArgumentOutOfRangeException>(() => new WarmupCosineSchedule(100, 10, bends: [new(40, 0.2), new(30, 0.3)])).Message);
        Assert.Contains("bends[1].Progress = 0.1 must be in [0.2, 1)",
            Assert.Throws<ArgumentOutOfRangeException>(() => new WarmupCosineSchedule(100, 10, bends: [new(40, 0.2), new(50, 0.1)])).Message);
        Assert.Contains("bends[0].Progress = 0.5 must be 0 at the decay's start (step 10)",
            Assert.Throws<ArgumentOutOfRangeException>(() => new WarmupCosineSchedule(100, 10, bends: [new(10, 0.5)])).Message);
    }

    [Fact]
    public void Invalid_settings_are_rejected_with_the_allowed_range()
    {
        Assert.Contains("warmupSteps", Assert.Throws<ArgumentOutOfRangeException>(() => new WarmupCosineSchedule(10, warmupSteps: 11)).Message);
        Assert.Contains("totalSteps", Assert.Throws<ArgumentOutOfRangeException>(() => new WarmupCosineSchedule(0)).Message);
        Assert.Contains("finalFraction", Assert.Throws<ArgumentOutOfRangeException>(() => new WarmupCosineSchedule(10, finalFraction: 2)).Message);
    }
}
