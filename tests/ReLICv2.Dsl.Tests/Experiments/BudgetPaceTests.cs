using FsCheck;
using FsCheck.Fluent;
using ReLICv2.Experiments;
using Xunit;

namespace ReLICv2.Tests;

/// <summary>The re-planning of a time-budgeted run from its own pace, on a clock the test moves.</summary>
public sealed class BudgetPaceTests
{
    /// <summary>A clock that advances by the given seconds per step (after a start-up cost) as the test calls the pace.</summary>
    private sealed class StepClock(double startup, double perStep)
    {
        public double Now { get; private set; }

        public void Step(long step) => Now = startup + step * perStep;
    }

    [Fact]
    public void At_its_two_marks_the_pace_plans_the_steps_that_fit_the_rest_of_the_budget()
    {
        var clock = new StepClock(startup: 5, perStep: 0.5);
        var pace = new BudgetPace(100, warmupSteps: 30, maxSteps: 1000, clock: () => clock.Now);
        Assert.True(pace.Enabled);
        var plans = new Dictionary<long, long>();
        for (long s = 1; s <= 40; s++)
        {
            clock.Step(s);
            if (pace.Replan(s, 300) is { } plan) plans[s] = plan;
        }
        // Marks at a third (10) and two thirds (20) of the warm-up; 0.5 s per step; 100 − (5 + 0.5 s) seconds remain.
        Assert.Equal(new Dictionary<long, long> { [10] = 10 + 180, [20] = 20 + 170 }, plans);
        Assert.Equal(0.5, pace.SecondsPerStep, 12);
    }

    [Fact]
    public void A_plan_is_at_least_one_more_step_and_at_most_the_whole_epochs()
    {
        var slow = new StepClock(startup: 0, perStep: 50);
        var pace = new BudgetPace(60, warmupSteps: 30, maxSteps: 1000, clock: () => slow.Now);
        for (long s = 1; s < 10; s++)
        {
            slow.Step(s);
            Assert.Null(pace.Replan(s, 300));
        }
        slow.Step(10);
        Assert.Equal(11, pace.Replan(10, 300));

        var fast = new StepClock(startup: 0, perStep: 0.001);
        pace = new BudgetPace(600, warmupSteps: 30, maxSteps: 400, clock: () => fast.Now);
        for (long s = 1; s < 10; s++)
        {
            fast.Step(s);
            pace.Replan(s, 300);
        }
        fast.Step(10);
        Assert.Equal(400, pace.Replan(10, 300));
    }

    [Fact]
    public void A_warm_up_too_short_for_both_marks_leaves_the_first_plan()
    {
        var clock = new StepClock(0, 1);
        var pace = new BudgetPace(100, warmupSteps: 5, maxSteps: 1000, clock: () => clock.Now);
        Assert.False(pace.Enabled);
        for (long s = 1; s <= 20; s++)
        {
            clock.Step(s);
            Assert.Null(pace.Replan(s, 50));
        }
    }

    [Theory]
    [InlineData(0.0, "budgetSeconds")]
    [InlineData(double.PositiveInfinity, "budgetSeconds")]
    [InlineData(double.NaN, "budgetSeconds")]
    public void Bad_budgets_are_refused_naming_the_field(double budget, string field)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new BudgetPace(budget, 30, 100));
        Assert.Equal(field, e.ParamName);
        Assert.Equal("warmupSteps", Assert.Throws<ArgumentOutOfRangeException>(() => new BudgetPace(10, -1, 100)).ParamName);
        Assert.Equal("maxSteps", Assert.Throws<ArgumentOutOfRangeException>(() => new BudgetPace(10, 30, 0)).ParamName);
    }

    [Fact]
    public void At_a_steady_pace_the_second_plan_fills_the_budget_to_within_one_step()
    {
        var cases =
            from perStep in Gen.Choose(1, 4000).Select(ms => ms / 1000.0)
            from startup in Gen.Choose(0, 30).Select(s => (double)s)
            from budget in Gen.Choose(60, 3600).Select(s => (double)s)
            from warmup in Gen.Choose(9, 200)
            select (perStep, startup, budget, warmup: (long)warmup);
        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var clock = new StepClock(c.startup, c.perStep);
            var pace = new BudgetPace(c.budget, c.warmup, long.MaxValue, () => clock.Now);
            long? last = null;
            long lastAt = 0;
            for (long s = 1; s <= c.warmup; s++)
            {
                clock.Step(s);
                if (pace.Replan(s, 1000) is { } plan) (last, lastAt) = (plan, s);
            }
            var endOfPlan = c.startup + last!.Value * c.perStep;
            var remaining = c.budget - (c.startup + lastAt * c.perStep);
            // Less than a step left: one more step, the least a plan gives.
            return remaining < c.perStep
                ? last == lastAt + 1
                : endOfPlan <= c.budget + 1e-6 && endOfPlan + c.perStep > c.budget - 1e-6;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(200).WithQuietOnSuccess(true));
    }
}
