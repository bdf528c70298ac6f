using FsCheck;
using FsCheck.Fluent;
using ReLICv2.Augmentation;
using ReLICv2.Views;

namespace ReLICv2.Testing;

/// <summary>
/// FsCheck generators with shrinking for [L, S] view sets (ReLICv2 §3.2, Table 16): 1 to <c>maxLarge</c> large views
/// of one size and 0 to <c>maxSmall</c> small views of another, each a chain from
/// <see cref="AugmentationArbitraries.Chains"/> (saliency masks in large views only), and the parameters they sample.
/// Shrinking drops views, then steps, then simplifies steps, keeping every view's crop size.
/// </summary>
public static class ViewSetArbitraries
{
    /// <summary>View sets with large views of [<paramref name="minLarge"/>, <paramref name="maxLarge"/>] px and small views of [3, 6] px.</summary>
    public static Arbitrary<ViewSet> ViewSets(int maxLargeViews = 3, int maxSmallViews = 2, int minLarge = 6, int maxLarge = 12)
    {
        if (maxLargeViews < 1) throw new ArgumentOutOfRangeException(nameof(maxLargeViews), maxLargeViews, $"ViewSetArbitraries: maxLargeViews must be >= 1, got {maxLargeViews}");
        if (maxSmallViews < 0) throw new ArgumentOutOfRangeException(nameof(maxSmallViews), maxSmallViews, $"ViewSetArbitraries: maxSmallViews must be >= 0, got {maxSmallViews}");
        if (minLarge < 3 || maxLarge < minLarge)
            throw new ArgumentOutOfRangeException(nameof(minLarge), minLarge, $"ViewSetArbitraries: large sizes must satisfy 3 <= minLarge <= maxLarge, got [{minLarge}, {maxLarge}]");
        var gen =
            from large in Gen.Choose(minLarge, maxLarge)
            from small in Gen.Choose(3, Math.Min(6, large))
            from l in Gen.Choose(1, maxLargeViews)
            from s in Gen.Choose(0, maxSmallViews)
            from lv in AugmentationArbitraries.Chains(large, large).Generator.ArrayOf(l)
            from sv in AugmentationArbitraries.Chains(small, small, masks: false).Generator.ArrayOf(s)
            select new ViewSet(lv, sv, "generated");
        return Arb.From(gen, set => Shrink(set, minLarge));
    }

    /// <summary>Cases for <paramref name="viewSets"/> (default <see cref="ViewSets"/>): 1–3 images of 1 or 3 channels, 6–14 px, floats or bytes, a seed.</summary>
    public static Arbitrary<ViewSetCase> Cases(Arbitrary<ViewSet>? viewSets = null)
    {
        viewSets ??= ViewSets();
        var gen =
            from set in viewSets.Generator
            from n in Gen.Choose(1, 3)
            from c in Gen.Elements(1, 3)
            from h in Gen.Choose(6, 14)
            from w in Gen.Choose(6, 14)
            from bytes in Gen.Elements(false, true)
            from seed in Gen.Choose(0, 100_000)
            select new ViewSetCase(set, n, c, h, w, bytes, (ulong)seed);
        return Arb.From(gen, c => viewSets.Shrinker(c.ViewSet).Select(v => c with { ViewSet = v })
            .Concat(Shrinks.Toward(c.BatchSize, 1).Select(n => c with { BatchSize = n }))
            .Concat(c.Channels == 3 ? [c with { Channels = 1 }] : [])
            .Concat(Shrinks.Toward(c.Height, 6).Select(h => c with { Height = h }))
            .Concat(Shrinks.Toward(c.Width, 6).Select(w => c with { Width = w }))
            .Concat(c.Bytes ? [c with { Bytes = false }] : [])
            .Concat(Shrinks.Toward((int)c.Seed, 0).Select(s => c with { Seed = (ulong)s })));
    }

    /// <summary>The parameters a case's view set samples (<see cref="ViewSet.Sample"/>); shrinking keeps fewer images.</summary>
    public static Arbitrary<ViewSetParams> ViewSetParams(Arbitrary<ViewSetCase>? cases = null) =>
        Arb.From((cases ?? Cases()).Generator.Select(c => c.ViewSet.Sample(c.BatchSize, c.Height, c.Width, c.Seed)), p =>
        {
            var large = p.Large.Select(v => AugmentationArbitraries.TakeImages(v).ToArray()).ToArray();
            var small = p.Small.Select(v => AugmentationArbitraries.TakeImages(v).ToArray()).ToArray();
            var k = large.Concat(small).Select(v => v.Length).DefaultIfEmpty(0).Min();
            return Enumerable.Range(0, k).Select(i => new Views.ViewSetParams(large.Select(v => v[i]).ToArray(), small.Select(v => v[i]).ToArray()));
        });

    /// <summary>Fewer views, simpler chains, then smaller view sizes (every crop of a group resized together).</summary>
    private static IEnumerable<ViewSet> Shrink(ViewSet set, int minLarge)
    {
        IEnumerable<AugmentationChain> Chain(AugmentationChain c) =>
            AugmentationArbitraries.ShrinkChain(c, c.Steps.OfType<ResizedCrop>().Last().Size, keep: 1);
        var fromLarge = Shrinks.List(set.LargeViews, Chain, minCount: 1).Select(l => (Func<ViewSet>)(() => new ViewSet(l, set.SmallViews, set.Name)));
        var fromSmall = Shrinks.List(set.SmallViews, Chain).Select(s => (Func<ViewSet>)(() => new ViewSet(set.LargeViews, s, set.Name)));
        var largeSizes = Shrinks.Toward(set.LargeSize, Math.Max(minLarge, set.SmallSize ?? 0))
            .Select(size => (Func<ViewSet>)(() => new ViewSet(set.LargeViews.Select(c => Resized(c, size)).ToArray(), set.SmallViews, set.Name)));
        var smallSizes = set.SmallSize is { } small
            ? Shrinks.Toward(small, 3).Select(size => (Func<ViewSet>)(() => new ViewSet(set.LargeViews, set.SmallViews.Select(c => Resized(c, size)).ToArray(), set.Name)))
            : [];
        return Shrinks.Valid(fromLarge.Concat(fromSmall).Concat(largeSizes).Concat(smallSizes));
    }

    /// <summary>The chain with every crop's output size set to <paramref name="size"/> (its other fields kept).</summary>
    private static AugmentationChain Resized(AugmentationChain chain, int size) => new(chain.Steps.Select(s => s is ResizedCrop
        ? StepField.Shrink(s, [StepField.Size("size")], size).FirstOrDefault() ?? s
        : s).ToArray());
}
