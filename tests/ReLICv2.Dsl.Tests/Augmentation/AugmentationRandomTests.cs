using ReLICv2.Augmentation;
using Xunit;

namespace ReLICv2.Tests;

public class AugmentationRandomTests
{
    [Fact]
    public void Same_seed_gives_the_same_stream_and_different_seeds_differ()
    {
        var a = new AugmentationRandom(123);
        var b = new AugmentationRandom(123);
        var c = new AugmentationRandom(124);
        var sa = Enumerable.Range(0, 64).Select(_ => a.NextBits()).ToArray();
        Assert.Equal(sa, Enumerable.Range(0, 64).Select(_ => b.NextBits()).ToArray());
        Assert.NotEqual(sa, Enumerable.Range(0, 64).Select(_ => c.NextBits()).ToArray());
    }

    [Fact]
    public void Draws_stay_in_their_ranges_and_cover_them_evenly()
    {
        var r = new AugmentationRandom(7);
        var counts = new int[5];
        for (var i = 0; i < 50_000; i++) counts[r.NextInt(-2, 3) + 2]++;
        Assert.All(counts, n => Assert.InRange(n, 9_400, 10_600));
        var u = Enumerable.Range(0, 10_000).Select(_ => r.Uniform(0.25, 0.75)).ToArray();
        Assert.All(u, v => Assert.InRange(v, 0.25, 0.75));
        Assert.InRange(u.Average(), 0.49, 0.51);
        Assert.InRange(Enumerable.Range(0, 10_000).Count(_ => r.Bernoulli(0.3)) / 10_000.0, 0.28, 0.32);
    }

    [Fact]
    public void Certain_and_impossible_events_do_not_advance_the_stream()
    {
        var a = new AugmentationRandom(9);
        var b = new AugmentationRandom(9);
        Assert.True(a.Bernoulli(1));
        Assert.False(a.Bernoulli(0));
        Assert.Equal(b.NextBits(), a.NextBits());
    }

    [Fact]
    public void Permutations_are_permutations_and_all_orders_occur()
    {
        var r = new AugmentationRandom(3);
        var seen = new HashSet<string>();
        for (var i = 0; i < 2_000; i++)
        {
            var p = r.Permutation(4);
            Assert.Equal([0, 1, 2, 3], p.OrderBy(v => v));
            seen.Add(string.Join("", p));
        }
        Assert.Equal(24, seen.Count);
    }

    [Fact]
    public void Unknown_step_kinds_in_json_are_rejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => AugmentationChain.FromJson("{\"steps\":[{\"kind\":\"mixup\",\"p\":0.5}]}"));
        Assert.Contains("AugmentationChain.FromJson", ex.Message);
    }
}
