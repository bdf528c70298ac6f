using ReLICv2.Views;

namespace ReLICv2.Testing;

/// <summary>
/// One generated input of a view-set law: a view set, a batch of random source images (floats in [0, 1] or bytes)
/// and the seed of the images, masks and view parameters.
/// </summary>
/// <param name="ViewSet">The view set under test.</param>
/// <param name="BatchSize">N, the number of source images.</param>
/// <param name="Channels">C (1 or 3).</param>
/// <param name="Height">H of the source images.</param>
/// <param name="Width">W of the source images.</param>
/// <param name="Bytes">UInt8 images in 0–255 instead of floats in [0, 1].</param>
/// <param name="Seed">Seeds the images, the masks and the views' parameters.</param>
public sealed record ViewSetCase(ViewSet ViewSet, int BatchSize, int Channels, int Height, int Width, bool Bytes, ulong Seed)
{
    /// <summary>The source images [N, C, H, W], drawn from <see cref="Seed"/>.</summary>
    public Tensor Images() => AugmentationCase.RandomImages(BatchSize, Channels, Height, Width, Bytes, Seed);

    /// <summary>Saliency masks [N, 1, H, W] of 0s and 1s when a large view masks, else null.</summary>
    public Tensor? Masks() => ViewSet.NeedsMasks ? AugmentationCase.RandomMasks(BatchSize, Height, Width, Seed) : null;

    /// <inheritdoc />
    public override string ToString() =>
        $"{ViewSet.ToString().Replace(Environment.NewLine, "; ", StringComparison.Ordinal)} on {BatchSize}x{Channels}x{Height}x{Width} {(Bytes ? "bytes" : "floats")}, seed {Seed}";
}
