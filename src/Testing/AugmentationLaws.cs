using FsCheck;
using ReLICv2.Augmentation;

namespace ReLICv2.Testing;

/// <summary>
/// Laws every augmentation chain obeys (docs/testing.md §2), checked on generated <see cref="AugmentationCase"/>s:
/// each returns when the law held for every case and throws <see cref="LawFailedException"/> with the shrunk
/// counterexample and the seed to replay it otherwise. Pass chains of one step kind
/// (<see cref="AugmentationArbitraries.ChainsOf"/>) to check that kind alone, or your own chains.
/// </summary>
public static class AugmentationLaws
{
    /// <summary>
    /// The output has the declared shape [N, C, chain.OutputHeight(H), chain.OutputWidth(W)], is Float32, finite and in
    /// [0, 1], for float and byte inputs (and random saliency masks when the chain masks).
    /// </summary>
    public static void PreservesShapeAndRange(Arbitrary<AugmentationChain>? chains = null, LawConfig? config = null) =>
        Law.Check($"{nameof(AugmentationLaws)}.{nameof(PreservesShapeAndRange)}", AugmentationArbitraries.Cases(chains), c => Torch.ScopedValue(() =>
        {
            var output = c.Chain.Run(c.Images(), c.Seed, c.Masks());
            return ShapeAndRangeViolation(output, c.ExpectedShape);
        }), config);

    /// <summary>
    /// The same seed gives the same parameters (sampling is pure) and the same output, bit for bit; applying the
    /// sampled parameters gives what <see cref="AugmentationChain.Run"/> gives.
    /// </summary>
    public static void ReproducibleUnderSeed(Arbitrary<AugmentationChain>? chains = null, LawConfig? config = null) =>
        Law.Check($"{nameof(AugmentationLaws)}.{nameof(ReproducibleUnderSeed)}", AugmentationArbitraries.Cases(chains), c => Torch.ScopedValue(() =>
        {
            var first = c.Chain.Sample(c.BatchSize, c.Height, c.Width, c.Seed);
            var second = c.Chain.Sample(c.BatchSize, c.Height, c.Width, c.Seed);
            if (!first.Equals(second)) return $"two draws with seed {c.Seed} differ: {first} vs {second}";
            var images = c.Images();
            var masks = c.Masks();
            var a = c.Chain.Run(images, c.Seed, masks);
            var b = c.Chain.Run(images, c.Seed, masks);
            var replayed = c.Chain.Apply(images, first, masks);
            if (!a.Equal(b)) return $"two runs with seed {c.Seed} differ by up to {MaxDifference(a, b)}";
            return replayed.Equal(a) ? null : $"applying the sampled parameters differs from Run by up to {MaxDifference(a, replayed)}";
        }), config);

    /// <summary>
    /// The chain and the parameters it samples survive a JSON round trip: read back, they are equal to the originals,
    /// hash alike and print alike.
    /// </summary>
    public static void JsonRoundTrip(Arbitrary<AugmentationChain>? chains = null, LawConfig? config = null) =>
        Law.Check($"{nameof(AugmentationLaws)}.{nameof(JsonRoundTrip)}", AugmentationArbitraries.Cases(chains), c =>
        {
            var json = c.Chain.ToJson();
            var chain = AugmentationChain.FromJson(json);
            if (RoundTripViolation(c.Chain, chain, json) is { } bad) return bad;
            var p = c.Chain.Sample(c.BatchSize, c.Height, c.Width, c.Seed);
            var pJson = p.ToJson();
            return RoundTripViolation(p, ChainParams.FromJson(pJson), pJson);
        }, config);

    /// <summary>Null when <paramref name="back"/> equals, hashes and prints as <paramref name="original"/>.</summary>
    internal static string? RoundTripViolation<T>(T original, T back, string json) where T : notnull
    {
        if (!original.Equals(back)) return $"read back as {back}, not equal to the original; JSON: {json}";
        if (original.GetHashCode() != back.GetHashCode()) return $"read back equal but with another hash code; JSON: {json}";
        return original.ToString() == back.ToString() ? null : $"read back prints as {back}; JSON: {json}";
    }

    /// <summary>Null when <paramref name="output"/> has the shape, is Float32, finite and in [0, 1].</summary>
    internal static string? ShapeAndRangeViolation(Tensor output, long[] expected)
    {
        if (!output.Shape.SequenceEqual(expected)) return $"output shape [{string.Join(", ", output.Shape)}], declared [{string.Join(", ", expected)}]";
        if (output.DType != DType.Float32) return $"output is {output.DType}, not Float32";
        using var finite = output.IsFinite().All();
        if (finite.Item() == 0) return "output has a NaN or infinite value";
        using var min = output.Min();
        using var max = output.Max();
        return min.Item() >= 0 && max.Item() <= 1 ? null : $"output spans [{min.Item():G6}, {max.Item():G6}], outside [0, 1]";
    }

    private static double MaxDifference(Tensor a, Tensor b)
    {
        using var d = (a - b).Abs().Max();
        return d.Item();
    }
}
