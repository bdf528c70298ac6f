using ReLICv2.Augmentation;

namespace ReLICv2.Testing;

/// <summary>
/// One generated input of an augmentation law: a chain, a batch of <see cref="BatchSize"/> random images of
/// <see cref="Channels"/> × <see cref="Height"/> × <see cref="Width"/> (floats in [0, 1], or bytes 0–255 when
/// <see cref="Bytes"/>), and the <see cref="Seed"/> of both the images and the chain's parameters. Plain data, so a
/// failing case prints completely and is rebuilt exactly.
/// </summary>
/// <param name="Chain">The augmentation chain under test.</param>
/// <param name="BatchSize">N, the number of images.</param>
/// <param name="Channels">C (1 or 3).</param>
/// <param name="Height">H of the source images.</param>
/// <param name="Width">W of the source images.</param>
/// <param name="Bytes">UInt8 images in 0–255 instead of floats in [0, 1].</param>
/// <param name="Seed">Seeds the images, the masks and the chain's parameters.</param>
public sealed record AugmentationCase(AugmentationChain Chain, int BatchSize, int Channels, int Height, int Width, bool Bytes, ulong Seed)
{
    /// <summary>The source images [N, C, H, W], drawn from <see cref="Seed"/>.</summary>
    public Tensor Images() => RandomImages(BatchSize, Channels, Height, Width, Bytes, Seed);

    /// <summary>Saliency masks [N, 1, H, W] of 0s and 1s when the chain masks views (<see cref="AugmentationChain.NeedsMasks"/>), else null.</summary>
    public Tensor? Masks() => Chain.NeedsMasks ? RandomMasks(BatchSize, Height, Width, Seed) : null;

    /// <summary>The output shape the chain declares: [N, C, chain.OutputHeight(H), chain.OutputWidth(W)].</summary>
    public long[] ExpectedShape => [BatchSize, Channels, Chain.OutputHeight(Height), Chain.OutputWidth(Width)];

    /// <summary>Random images, floats in [0, 1] or bytes.</summary>
    internal static Tensor RandomImages(int n, int c, int h, int w, bool bytes, ulong seed)
    {
        using var g = new Generator(seed);
        var x = Torch.Rand([n, c, h, w], g);
        if (!bytes) return x;
        using (x)
        using (var scaled = x * 255.0)
        using (var floor = scaled.Floor())
            return floor.To(DType.UInt8);
    }

    /// <summary>Random 0/1 masks.</summary>
    internal static Tensor RandomMasks(int n, int h, int w, ulong seed)
    {
        using var g = new Generator(seed + 1);
        using var u = Torch.Rand([n, 1, h, w], g);
        using var on = u.Gt(0.5);
        return on.To(DType.Float32);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Chain} on {BatchSize}x{Channels}x{Height}x{Width} {(Bytes ? "bytes" : "floats")}, seed {Seed}";
}
