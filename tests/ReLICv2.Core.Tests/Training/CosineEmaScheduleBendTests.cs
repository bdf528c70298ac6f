using FsCheck;
using FsCheck.Fluent;
using ReLICv2.Optim;
using ReLICv2.Training;
using Xunit;

namespace ReLICv2.Tests;

/// <summary>The cosine EMA ramp re-planned while it runs (<see cref="CosineEmaSchedule.Bend"/>).</summary>
public sealed class CosineEmaScheduleBendTests
{
    [Fact]
    public void A_bend_keeps_gamma_up_to_it_and_reaches_one_exactly_at_the_new_end()
    {
        var cases =
            from baseGamma in Gen.Elements(0.0, 0.9, 0.99)
            from total in Gen.Choose(2, 500)
            from atPercent in Gen.Choose(0, 99)
            from newTotalPercent in Gen.Choose(1, 300)
            select (baseGamma, total: (long)total, at: total * atPercent / 100L, newTotal: Math.Max(total * atPercent / 100L + 1, total * newTotalPercent / 100L));
        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var s = new CosineEmaSchedule(c.baseGamma, c.total);
            var bent = s.Bend(c.at, c.newTotal);
            for (long u = 0; u <= c.at; u++)
                if (Math.Abs(bent.Gamma(u) - s.Gamma(u)) > 1e-12) return false;
            if (bent.Gamma(c.newTotal) != 1.0 || bent.Gamma(c.newTotal - 1) > 1.0) return false;
            // Rising after the bend, never faster than the cosine's steepest slope over what is left of the ramp.
            var steepest = (1 - c.baseGamma) * Math.PI / 2 * (1 - bent.Bends[^1].Progress) / (c.newTotal - c.at);
            for (var u = c.at + 1; u <= c.newTotal; u++)
            {
                var rise = bent.Gamma(u) - bent.Gamma(u - 1);
                if (rise < -1e-15 || rise > steepest + 1e-12) return false;
            }
            return true;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(150).WithQuietOnSuccess(true));
    }

    [Fact]
    public void A_bend_is_part_of_the_schedule_s_value()
    {
        // Bent at a quarter of 100 updates (progress 1/4) to end at 175: the remaining 3/4 take 150 updates, so at update 75 the ramp is at progress 1/2.
        var bent = new CosineEmaSchedule(0.9, 100).Bend(25, 175);
        Assert.Equal([new ScheduleBend(25, 0.25)], bent.Bends);
        Assert.Equal(1 - 0.1 * (Math.Cos(Math.PI / 2) + 1) / 2, bent.Gamma(75), 12);
        Assert.Equal(new CosineEmaSchedule(0.9, 175, [new ScheduleBend(25, 0.25)]), bent);
        Assert.NotEqual(new CosineEmaSchedule(0.9, 175), bent);
        Assert.Contains("atUpdate must be in [0, 99]", Assert.Throws<ArgumentOutOfRangeException>(() => new CosineEmaSchedule(0.9, 100).Bend(100, 200)).Message);
        Assert.Contains("totalUpdates must be > atUpdate = 30", Assert.Throws<ArgumentOutOfRangeException>(() => new CosineEmaSchedule(0.9, 100).Bend(30, 30)).Message);
    }
}
