using FsCheck.Fluent;
using ReLICv2.Augmentation;
using ReLICv2.Objectives;
using ReLICv2.Testing;
using Xunit;

namespace ReLICv2.Tests;

/// <summary>
/// ReLICv2.Testing's <see cref="Law"/> machinery: a broken law fails with the law's name, the reason, a shrunk
/// counterexample and replay configurations that reproduce the failure; a seeded run checks the same cases every time.
/// </summary>
public class LawTests
{
    private static readonly LawConfig Config = LawConfig.Default.WithMaxTest(200);

    /// <summary>A "law" that chains of three or more steps break.</summary>
    private static string? ShortChain(AugmentationChain chain) => chain.Steps.Count < 3 ? null : $"{chain.Steps.Count} steps";

    [Fact]
    public void A_broken_law_fails_with_its_name_reason_and_a_fully_shrunk_counterexample()
    {
        AugmentationChain? last = null;
        var e = Assert.Throws<LawFailedException>(() => Law.Check("chains are short", AugmentationArbitraries.Chains(), c =>
        {
            var bad = ShortChain(c);
            if (bad is not null) last = c;
            return bad;
        }, Config));
        Assert.Equal("chains are short", e.Law);
        Assert.Equal("3 steps", e.Reason);
        Assert.Equal(last!.ToString(), e.Counterexample);
        // Shrinking reached the simplest chain of three steps: the smallest whole-image bilinear crop, every other
        // step at its simplest parameters.
        Assert.Equal(new ResizedCrop(4, 1, 1, 1, 1, InterpolationMode.Bilinear), last.Steps[0]);
        Assert.All(last.Steps.Skip(1), s => Assert.Empty(AugmentationArbitraries.Steps().Shrinker(s)));
        Assert.StartsWith($"chains are short failed after {e.Tests} case", e.Message);
        Assert.Contains($"counterexample (shrunk): {e.Counterexample}", e.Message);
        Assert.Contains($"LawConfig.Default.WithReplay({e.ReplayCase.Seed}UL, {e.ReplayCase.Gamma}UL, {e.ReplayCase.ReplaySize})", e.Message);
        Assert.Contains($"LawConfig.Default.WithSeed({e.ReplayRun.Seed}UL, {e.ReplayRun.Gamma}UL)", e.Message);
    }

    [Fact]
    public void Replaying_the_failing_case_or_the_run_reproduces_the_failure()
    {
        var e = Assert.Throws<LawFailedException>(() => Law.Check("chains are short", AugmentationArbitraries.Chains(), ShortChain, Config));
        var again = Assert.Throws<LawFailedException>(() => Law.Check("chains are short", AugmentationArbitraries.Chains(), ShortChain, e.ReplayCase));
        Assert.Equal(1, again.Tests);
        Assert.Equal(e.Counterexample, again.Counterexample);
        var run = Assert.Throws<LawFailedException>(() => Law.Check("chains are short", AugmentationArbitraries.Chains(), ShortChain, e.ReplayRun.WithMaxTest(200)));
        Assert.Equal((e.Tests, e.Counterexample), (run.Tests, run.Counterexample));
    }

    [Fact]
    public void A_seeded_run_checks_the_same_cases_every_time()
    {
        List<AugmentationCase> Run(ulong seed)
        {
            var seen = new List<AugmentationCase>();
            Law.Check("records", AugmentationArbitraries.Cases(), c =>
            {
                seen.Add(c);
                return null;
            }, LawConfig.Default.WithMaxTest(30).WithSeed(seed, 7));
            return seen;
        }
        Assert.Equal(Run(42), Run(42));
        Assert.Equal(30, Run(42).Count);
        Assert.NotEqual(Run(42), Run(43));
    }

    [Fact]
    public void A_probability_shrinks_to_the_boundary_of_the_failure()
    {
        var e = Assert.Throws<LawFailedException>(() =>
            Law.Check("flips are rare", AugmentationArbitraries.HorizontalFlips(), f => f.P < 0.3 ? null : "p >= 0.3", Config));
        var p = double.Parse(e.Counterexample["HorizontalFlip(p=".Length..^1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(p, 0.3, 0.31);
    }

    [Fact]
    public void An_objective_shrinks_to_a_single_offending_term()
    {
        Objective? last = null;
        var e = Assert.Throws<LawFailedException>(() => Law.Check("no KL", ObjectiveArbitraries.Objectives(), o =>
        {
            if (!o.ToString().Contains("KL", StringComparison.Ordinal)) return null;
            last = o;
            return "has a KL term";
        }, Config));
        Assert.Equal(last!.ToString(), e.Counterexample);
        Assert.IsType<Kl>(last);
        Assert.All(ObjectiveArbitraries.Objectives().Shrinker(last), smaller => Assert.DoesNotContain("KL", smaller.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public void An_exception_in_a_law_is_a_failure_that_names_it()
    {
        var e = Assert.Throws<LawFailedException>(() =>
            Law.Check("never throws", ArbMap.Default.ArbFor<int>(), i => i < 5 ? null : throw new InvalidOperationException($"i = {i}"), Config));
        Assert.Equal("InvalidOperationException: i = 5", e.Reason);
        Assert.IsType<InvalidOperationException>(e.InnerException);
    }

    [Fact]
    public void A_reader_that_crashes_on_a_hostile_document_shrinks_to_the_first_place_and_simplest_change()
    {
        var e = Assert.Throws<LawFailedException>(() => JsonLaws.ReadsOrRefusesCleanly(JsonArbitraries.FieldMutations("{\"a\":1,\"b\":[2,3]}"),
            text => System.Text.Json.Nodes.JsonNode.Parse(text)!["b"]!.AsArray().Count, ex => ex is System.Text.Json.JsonException, Config));
        Assert.Equal("$.b removed", e.Counterexample);
        Assert.StartsWith("NullReferenceException", e.Reason, StringComparison.Ordinal);
        var cut = Assert.Throws<LawFailedException>(() => JsonLaws.ReadsOrRefusesCleanly(JsonArbitraries.ByteMutations("[1]"),
            text => text.Length > 0 ? text : throw new InvalidOperationException("empty"), ex => ex is System.Text.Json.JsonException,
            Config.WithSeed(5)));
        Assert.Equal("cut to 0 bytes", cut.Counterexample);
    }

    [Fact]
    public void Sampled_parameters_shrink_to_fewer_images_of_the_same_draw()
    {
        Law.Check("chain parameters", AugmentationArbitraries.ChainParams(), p =>
        {
            var smaller = AugmentationArbitraries.ChainParams().Shrinker(p).ToList();
            if (p.BatchSize > 1 && smaller.Count == 0) return "no smaller parameters";
            var bad = smaller.FirstOrDefault(q => q.BatchSize >= p.BatchSize || !q.Equals(ChainParams.FromJson(Prefix(p, q.BatchSize))));
            return bad is null ? null : $"shrinks to {bad}";
        }, Config);
        Law.Check("view set parameters", ViewSetArbitraries.ViewSetParams(), p =>
        {
            var n = p.Large[0].BatchSize;
            var smaller = ViewSetArbitraries.ViewSetParams().Shrinker(p).ToList();
            if (n > 1 && smaller.Count == 0) return "no smaller parameters";
            var bad = smaller.FirstOrDefault(q => q.Large.Concat(q.Small).Any(c => c.BatchSize >= n));
            return bad is null ? null : $"shrinks to {bad}";
        }, Config);
    }

    /// <summary>The JSON of <paramref name="p"/> keeping the first <paramref name="k"/> images of every step (every per-image array cut).</summary>
    private static string Prefix(ChainParams p, int k)
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(p.ToJson())!;
        foreach (var step in json["steps"]!.AsArray())
            foreach (var field in step!.AsObject().Where(f => f.Value is System.Text.Json.Nodes.JsonArray).ToList())
            {
                var items = field.Value!.AsArray();
                while (items.Count > k) items.RemoveAt(items.Count - 1);
            }
        return json.ToJsonString();
    }

    [Fact]
    public void Invalid_law_configurations_are_rejected_naming_the_field()
    {
        Assert.Equal("maxTest", Assert.Throws<ArgumentOutOfRangeException>(() => LawConfig.Default.WithMaxTest(0)).ParamName);
        Assert.Equal("endSize", Assert.Throws<ArgumentOutOfRangeException>(() => LawConfig.Default.WithSizes(5, 2)).ParamName);
        Assert.Contains("gamma must be odd", Assert.Throws<ArgumentOutOfRangeException>(() => LawConfig.Default.WithSeed(1, 2)).Message);
        Assert.Contains("no generator for step kind", Assert.Throws<ArgumentException>(() => AugmentationArbitraries.Steps(typeof(string))).Message);
    }
}
