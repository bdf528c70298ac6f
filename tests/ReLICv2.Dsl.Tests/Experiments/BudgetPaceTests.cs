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
    public void Past_the_warm_up_two_late_marks_correct_a_plan_made_at_the_warm_up_s_slower_pace()
    {
        // The 30 warm-up steps take 1 s each, every later one 0.5 s: the warm-up's marks plan 300 steps, 90 s short.
        double now = 0;
        var pace = new BudgetPace(300, warmupSteps: 30, maxSteps: 10_000, clock: () => now);
        long plan = 100;
        var replans = new List<(long Step, long Plan)>();
        for (long s = 1; s <= plan; s++)
        {
            now += s <= 30 ? 1.0 : 0.5;
            if (pace.Replan(s, plan) is { } p)
            {
                replans.Add((s, p));
                plan = p;
            }
        }
        // At 150 (half of 300) the pace since step 20 is 70 s / 130 steps: 540 steps fit; at 405 (three quarters of 540)
        // the pace since 150 is the steady 0.5 s: 570 steps, which end exactly at the budget.
        Assert.Equal([(10, 300), (20, 300), (150, 540), (405, 570)], replans);
        Assert.Equal(570, plan);
        Assert.Equal(300, now, 9);
        Assert.Equal(0.5, pace.SecondsPerStep, 12);
    }

    [Fact]
    public void No_late_mark_falls_on_the_plan_s_last_step()
    {
        // Short plans without a warm-up, whose late marks are due by step count when the plan's last step is taken (a plan of
        // 4: due at 2, measurable from 4): a re-plan there could only bend a decay that has ended.
        Prop.ForAll(Gen.Choose(4, 60).ToArbitrary(), Gen.Choose(1, 100).ToArbitrary(), (first, budget) =>
        {
            double now = 0;
            var pace = new BudgetPace(budget, warmupSteps: 0, maxSteps: 10_000, clock: () => now);
            long plan = first;
            for (long s = 1; s <= plan; s++)
            {
                now += 1;
                if (pace.Replan(s, plan) is { } p)
                {
                    if (s >= plan) return false;
                    plan = p;
                }
            }
            return true;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(300).WithQuietOnSuccess(true));
    }

    [Fact]
    public void At_a_steady_pace_the_last_late_plan_fills_the_budget_to_within_one_step()
    {
        var cases =
            from perStep in Gen.Choose(1, 4000).Select(ms => ms / 1000.0)
            from startup in Gen.Choose(0, 30).Select(s => (double)s)
            from budget in Gen.Choose(60, 3600).Select(s => (double)s)
            from first in Gen.Choose(20, 5000)
            from warmupPercent in Gen.Choose(0, 10)
            select (perStep, startup, budget, warmup: first * warmupPercent / 100L, first: (long)first);
        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var clock = new StepClock(c.startup, c.perStep);
            var pace = new BudgetPace(c.budget, c.warmup, long.MaxValue, () => clock.Now);
            var plan = c.first;
            long lastAt = 0;
            for (long s = 1; s <= plan; s++)
            {
                clock.Step(s);
                if (pace.Replan(s, plan) is { } p) (plan, lastAt) = (p, s);
            }
            if (lastAt == 0) return false;  // a plan of 20 steps or more always reaches a mark
            var endOfPlan = c.startup + plan * c.perStep;
            var remaining = c.budget - (c.startup + lastAt * c.perStep);
            return remaining < c.perStep
                ? plan == lastAt + 1
                : endOfPlan <= c.budget + 1e-6 && endOfPlan + c.perStep > c.budget - 1e-6;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(200).WithQuietOnSuccess(true));
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
