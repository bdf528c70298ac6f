using FsCheck;
using ReLICv2.Views;

namespace ReLICv2.Testing;

/// <summary>
/// Laws every [L, S] view set obeys (docs/testing.md §2), checked on generated <see cref="ViewSetCase"/>s; each returns when the law held
/// and throws <see cref="LawFailedException"/> (shrunk counterexample, seed to replay) otherwise.
/// </summary>
public static class ViewSetLaws
{
    /// <summary>L large views of the large size and S small views of the small size, each Float32, finite and in [0, 1].</summary>
    public static void PreservesShapeAndRange(Arbitrary<ViewSet>? viewSets = null, LawConfig? config = null) =>
        Law.Check($"{nameof(ViewSetLaws)}.{nameof(PreservesShapeAndRange)}", ViewSetArbitraries.Cases(viewSets), c => Torch.ScopedValue(() =>
        {
            using var views = c.ViewSet.Run(c.Images(), c.Seed, c.Masks());
            if (views.Large.Count != c.ViewSet.LargeCount || views.Small.Count != c.ViewSet.SmallCount)
                return $"[{views.Large.Count}, {views.Small.Count}] views, the set declares [{c.ViewSet.LargeCount}, {c.ViewSet.SmallCount}]";
            for (var i = 0; i < views.Large.Count; i++)
                if (AugmentationLaws.ShapeAndRangeViolation(views.Large[i], [c.BatchSize, c.Channels, c.ViewSet.LargeSize, c.ViewSet.LargeSize]) is { } bad)
                    return $"large view {i + 1}: {bad}";
            for (var j = 0; j < views.Small.Count; j++)
                if (AugmentationLaws.ShapeAndRangeViolation(views.Small[j], [c.BatchSize, c.Channels, c.ViewSet.SmallSize!.Value, c.ViewSet.SmallSize.Value]) is { } bad)
                    return $"small view {j + 1}: {bad}";
            return null;
        }), config);

    /// <summary>The same seed gives the same parameters and the same views, bit for bit.</summary>
    public static void ReproducibleUnderSeed(Arbitrary<ViewSet>? viewSets = null, LawConfig? config = null) =>
        Law.Check($"{nameof(ViewSetLaws)}.{nameof(ReproducibleUnderSeed)}", ViewSetArbitraries.Cases(viewSets), c => Torch.ScopedValue(() =>
        {
            var first = c.ViewSet.Sample(c.BatchSize, c.Height, c.Width, c.Seed);
            var second = c.ViewSet.Sample(c.BatchSize, c.Height, c.Width, c.Seed);
            if (!first.Equals(second)) return $"two draws with seed {c.Seed} differ";
            var images = c.Images();
            var masks = c.Masks();
            using var a = c.ViewSet.Run(images, c.Seed, masks);
            using var b = c.ViewSet.Apply(images, first, masks);
            var all = a.Large.Concat(a.Small).Zip(b.Large.Concat(b.Small));
            return all.All(p => p.First.Equal(p.Second)) ? null : $"two runs with seed {c.Seed} differ";
        }), config);

    /// <summary>The view set and the parameters it samples survive a JSON round trip (equal, same hash, same print).</summary>
    public static void JsonRoundTrip(Arbitrary<ViewSet>? viewSets = null, LawConfig? config = null) =>
        Law.Check($"{nameof(ViewSetLaws)}.{nameof(JsonRoundTrip)}", ViewSetArbitraries.Cases(viewSets), c =>
        {
            var json = c.ViewSet.ToJson();
            if (AugmentationLaws.RoundTripViolation(c.ViewSet, ViewSet.FromJson(json), json) is { } bad) return bad;
            var p = c.ViewSet.Sample(c.BatchSize, c.Height, c.Width, c.Seed);
            var pJson = p.ToJson();
            return AugmentationLaws.RoundTripViolation(p, ViewSetParams.FromJson(pJson), pJson);
        }, config);
}
