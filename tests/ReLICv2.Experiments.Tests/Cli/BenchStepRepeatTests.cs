using FsCheck;
using FsCheck.Fluent;
using ReLICv2.Experiments;
using Xunit;

namespace ReLICv2.Tests;

/// <summary>The medians <c>relic bench step --pytorch --repeat N</c> summarises its alternating rounds with.</summary>
public class BenchStepRepeatTests
{
    [Fact]
    public void The_median_is_the_middle_value_or_the_mean_of_the_middle_two()
    {
        Assert.Equal(1.13, BenchStepCommand.Median([1.29, 0.91, 1.13]));
        Assert.Equal((1.13 + 1.16) / 2, BenchStepCommand.Median([1.29, 1.13, 0.90, 1.16, 0.91, 1.56]));
        Assert.Equal(7.0, BenchStepCommand.Median([7.0]));
        Assert.Throws<ArgumentException>(() => BenchStepCommand.Median([]));
    }

    [Fact]
    public void The_median_splits_the_values_in_halves_whatever_their_order()
    {
        var values = Gen.Choose(1, 15).SelectMany(n => Gen.ArrayOf(Gen.Choose(-1000, 1000).Select(v => v / 100.0), n));
        Prop.ForAll(values.ToArbitrary(), xs =>
        {
            var m = BenchStepCommand.Median(xs);
            var below = xs.Count(x => x < m);
            var above = xs.Count(x => x > m);
            var reversed = BenchStepCommand.Median(xs.Reverse());
            return below <= xs.Length / 2 && above <= xs.Length / 2 && m >= xs.Min() && m <= xs.Max() && m == reversed;
        }).Check(FsCheck.Config.QuickThrowOnFailure.WithMaxTest(300).WithQuietOnSuccess(true));
    }

    [Fact]
    public void The_summary_gives_each_rounds_ratio_their_medians_and_the_ratio_of_the_median_rates()
    {
        var summary = System.Text.Json.JsonSerializer.SerializeToElement(BenchStepCommand.Summarise(
        [
            (20.0, 16.0, 30.0, 1.25, 1.5),
            (18.0, 18.0, 40.0, 1.00, 1.2),
            (21.0, 15.0, 35.0, 1.40, 1.3),
        ]));
        Assert.Equal(3, summary.GetProperty("rounds").GetInt32());
        Assert.Equal([1.25, 1.00, 1.40], summary.GetProperty("compute_ratios").EnumerateArray().Select(e => e.GetDouble()));
        Assert.Equal(1.25, summary.GetProperty("compute_ratio_median").GetDouble());
        Assert.Equal(1.3, summary.GetProperty("full_step_ratio_median").GetDouble());
        Assert.Equal(35.0, summary.GetProperty("augment_ratio_median").GetDouble());
        Assert.Equal(20.0, summary.GetProperty("ours_compute_images_per_s_median").GetDouble());
        Assert.Equal(16.0, summary.GetProperty("pytorch_compute_images_per_s_median").GetDouble());
        Assert.Equal(1.25, summary.GetProperty("ratio_of_medians").GetDouble());
    }
}
