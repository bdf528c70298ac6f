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

    [Fact]
    public void Invalid_settings_are_rejected_with_the_allowed_range()
    {
        Assert.Contains("warmupSteps", Assert.Throws<ArgumentOutOfRangeException>(() => new WarmupCosineSchedule(10, warmupSteps: 11)).Message);
        Assert.Contains("totalSteps", Assert.Throws<ArgumentOutOfRangeException>(() => new WarmupCosineSchedule(0)).Message);
        Assert.Contains("finalFraction", Assert.Throws<ArgumentOutOfRangeException>(() => new WarmupCosineSchedule(10, finalFraction: 2)).Message);
    }
}
