using ReLICv2.Optim;
using Xunit;

namespace ReLICv2.Tests;

public class StepDecayScheduleTests
{
    [Fact]
    public void The_rate_drops_by_the_factor_at_each_milestone()
    {
        var s = new StepDecaySchedule([12, 16], 0.2);
        Assert.Equal(1.0, s.Multiplier(0));
        Assert.Equal(1.0, s.Multiplier(11));
        Assert.Equal(0.2, s.Multiplier(12), 15);
        Assert.Equal(0.2, s.Multiplier(15), 15);
        Assert.Equal(0.04, s.Multiplier(16), 15);
        Assert.Equal(0.04, s.Multiplier(1000), 15);
    }

    [Fact]
    public void Fine_tuning_places_the_milestones_at_its_fractions_of_training()
    {
        var o = new Training.FineTuningOptions(20, 64, 0.5, 0.02, 0);
        Assert.Equal([12L, 16L], o.Schedule(20).Milestones);
        Assert.Equal([1L, 2L], o.Schedule(1).Milestones);
        Assert.Equal(0, Training.FineTuningOptions.For(0.01).WeightDecay);
        Assert.True(Training.FineTuningOptions.For(0.1).WeightDecay > 0);
    }

    [Fact]
    public void Invalid_settings_are_rejected_with_the_allowed_range()
    {
        Assert.Contains("strictly increasing", Assert.Throws<ArgumentOutOfRangeException>(() => new StepDecaySchedule([5, 5], 0.1)).Message);
        Assert.Contains("(0, 1]", Assert.Throws<ArgumentOutOfRangeException>(() => new StepDecaySchedule([5], 0)).Message);
        Assert.Contains("SecondMilestone", Assert.Throws<ArgumentOutOfRangeException>(() => new Training.FineTuningOptions(20, 64, 0.5, 0.02, 0, secondMilestone: 0.5)).Message);
        Assert.Contains("HeadLearningRate", Assert.Throws<ArgumentOutOfRangeException>(() => new Training.FineTuningOptions(20, 64, 0, 0.02, 0)).Message);
    }
}
