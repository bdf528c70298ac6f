using FsCheck;
using FsCheck.Fluent;
using ReLICv2.Training;
using Xunit;

namespace ReLICv2.Tests;

public sealed class LabelSubsetTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "relic-subset-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
    }

    /// <summary>Labels with unequal class sizes: class c appears sizes[c] times, interleaved by a seeded shuffle.</summary>
    private static int[] Labels(int[] sizes, int seed)
    {
        var labels = sizes.SelectMany((n, c) => Enumerable.Repeat(c, n)).ToArray();
        new Random(seed).Shuffle(labels);
        return labels;
    }

    [Fact]
    public void Every_class_gets_the_floor_or_ceiling_of_its_share_and_the_total_is_the_rounded_share()
    {
        Prop.ForAll(Gen.Choose(2, 12).ToArbitrary(), Gen.Choose(1, 1000).ToArbitrary(), Gen.Choose(0, 1000).ToArbitrary(), (classes, permille, seed) =>
        {
            var fraction = permille / 1000.0;
            var rng = new Random(seed);
            var sizes = Enumerable.Range(0, classes).Select(_ => rng.Next(0, 301)).ToArray();
            sizes[0] = Math.Max(sizes[0], 1);
            var labels = Labels(sizes, seed);
            var subset = LabelSubset.Draw(labels, sizes.Length, fraction, (ulong)seed);
            var counts = new int[sizes.Length];
            foreach (var i in subset.Indices) counts[labels[i]]++;
            for (var c = 0; c < sizes.Length; c++)
                if (counts[c] < Math.Floor(fraction * sizes[c]) || counts[c] > Math.Ceiling(fraction * sizes[c])) return false;
            return subset.Indices.Count == (int)Math.Round(fraction * labels.Length, MidpointRounding.AwayFromZero)
                   && subset.Indices.Distinct().Count() == subset.Indices.Count
                   && subset.Indices.All(i => i >= 0 && i < labels.Length);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(200).WithQuietOnSuccess(true));
    }

    [Fact]
    public void One_percent_of_ten_equal_classes_is_exactly_balanced_and_depends_only_on_the_seed()
    {
        var labels = Labels(Enumerable.Repeat(600, 10).ToArray(), 5);
        var a = LabelSubset.Draw(labels, 10, 0.01, 7);
        var b = LabelSubset.Draw(labels, 10, 0.01, 7);
        var c = LabelSubset.Draw(labels, 10, 0.01, 8);
        Assert.Equal(60, a.Indices.Count);
        Assert.All(Enumerable.Range(0, 10), k => Assert.Equal(6, a.Indices.Count(i => labels[i] == k)));
        Assert.Equal(a, b);
        Assert.Equal(a.Indices, b.Indices);
        Assert.NotEqual(a.Indices.Order(), c.Indices.Order());
    }

    [Fact]
    public void A_saved_subset_reloads_identically()
    {
        var labels = Labels([50, 70, 30], 1);
        var subset = LabelSubset.Draw(labels, 3, 0.1, 42);
        var path = Path.Combine(dir, "labels.json");
        Directory.CreateDirectory(dir);
        subset.Save(path);
        var back = LabelSubset.Load(path);
        Assert.Equal(subset, back);
        Assert.Equal(subset.Indices, back.Indices);
        Assert.Equal(0.1, back.Fraction);
        Assert.Equal(42UL, back.Seed);
        Assert.Equal(150, back.SourceCount);
    }

    [Fact]
    public void Hostile_subsets_are_refused_naming_the_field()
    {
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "bad.json");
        File.WriteAllText(path, """{"fraction":0.1,"seed":1,"source_count":10,"indices":[1,2,2]}""");
        Assert.Contains("twice", Assert.Throws<InvalidDataException>(() => LabelSubset.Load(path)).Message);
        File.WriteAllText(path, """{"fraction":0.1,"seed":1,"source_count":10,"indices":[10]}""");
        Assert.Contains("[0, 10)", Assert.Throws<InvalidDataException>(() => LabelSubset.Load(path)).Message);
        File.WriteAllText(path, """{"fraction":0,"seed":1,"source_count":10,"indices":[]}""");
        Assert.Contains("Fraction", Assert.Throws<InvalidDataException>(() => LabelSubset.Load(path)).Message);
        var subset = new LabelSubset(0.5, 1, 10, [0, 1]);
        Assert.Contains("10 training images", Assert.Throws<ArgumentException>(() => subset.CheckFits(12, "the split")).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => LabelSubset.Draw([0, 1, 5], 2, 0.5, 0));
    }
}
