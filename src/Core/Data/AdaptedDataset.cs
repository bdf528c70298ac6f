using ReLICv2.Vision;

namespace ReLICv2.Data;

/// <summary>
/// Another dataset's images brought to the channel count and size an encoder was trained on, for transfer evaluation
/// (docs/evaluation.md §3): grey → RGB repeats the one channel three times, RGB → grey takes the luma
/// 0.2989·R + 0.587·G + 0.114·B (the weights of <see cref="GrayscaleKernel"/>), and images of another size are resized
/// bilinearly (antialiased when shrinking) to Height × Width; the result is rounded back to bytes. Labels and class names
/// are the source's; masks are dropped (the evaluation protocols do not use them).
/// </summary>
public sealed class AdaptedDataset : IImageDataset
{
    private readonly IImageDataset source;

    /// <summary>Adapts <paramref name="source"/> to <paramref name="channels"/> × <paramref name="height"/> × <paramref name="width"/>.</summary>
    public AdaptedDataset(IImageDataset source, int channels, int height, int width)
    {
        this.source = source ?? throw new ArgumentNullException(nameof(source));
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "AdaptedDataset: channels must be 1 (grey) or 3 (RGB)");
        if (source.Channels is not (1 or 3))
            throw new ArgumentException($"AdaptedDataset: the source has {source.Channels} channels; only grey (1) and RGB (3) images can be adapted", nameof(source));
        Channels = channels;
        Height = height >= 1 ? height : throw new ArgumentOutOfRangeException(nameof(height), height, "AdaptedDataset: height must be >= 1");
        Width = width >= 1 ? width : throw new ArgumentOutOfRangeException(nameof(width), width, "AdaptedDataset: width must be >= 1");
    }

    /// <summary>
    /// <paramref name="source"/> itself when it already has the shape, otherwise the adapted view of it.
    /// </summary>
    public static IImageDataset To(IImageDataset source, int channels, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(source);
        return source.Channels == channels && source.Height == height && source.Width == width ? source : new AdaptedDataset(source, channels, height, width);
    }

    public int Count => source.Count;

    public int Channels { get; }

    public int Height { get; }

    public int Width { get; }

    public IReadOnlyList<string> ClassNames => source.ClassNames;

    public int ClassCount => source.ClassCount;

    public bool HasMasks => false;

    public int Label(int index) => source.Label(index);

    public byte[] Pixels(int index)
    {
        using var batch = GetBatch([index]);
        return batch.Count == 1 ? batch.Images.Contiguous().ToArray<byte>()
            : throw new InvalidOperationException($"AdaptedDataset: image {index} could not be read from the source dataset");
    }

    public float[]? Mask(int index) => null;

    public Batch GetBatch(IReadOnlyList<int> indices)
    {
        var inner = source.GetBatch(indices);
        try
        {
            using var scope = Torch.NewScope();
            using var noGrad = Torch.NoGrad();
            var x = Adapt(inner.Images.To(DType.Float32), Channels, Height, Width);
            var images = scope.MoveOut(x.Round().Clamp(0, 255).To(DType.UInt8).Contiguous()).DetachFromScope();
            inner.Images.Dispose();
            inner.Masks?.Dispose();
            return inner with { Images = images, Masks = null };
        }
        catch
        {
            inner.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Float images [N, C, H, W] (C = 1 or 3) as [N, <paramref name="channels"/>, <paramref name="height"/>,
    /// <paramref name="width"/>]: channels repeated (1 → 3) or luma-weighted (3 → 1), then a bilinear resize when the size differs.
    /// </summary>
    public static Tensor Adapt(Tensor images, int channels, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Rank != 4 || images.Size(1) is not (1 or 3))
            throw new ArgumentException($"AdaptedDataset.Adapt: images must be [N, 1 or 3, H, W], got [{string.Join(", ", images.Shape)}]", nameof(images));
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "AdaptedDataset.Adapt: channels must be 1 or 3");
        return Torch.Scoped(() =>
        {
            var x = images;
            if (x.Size(1) == 1 && channels == 3) x = x.Expand(x.Size(0), 3, x.Size(2), x.Size(3)).Contiguous();
            else if (x.Size(1) == 3 && channels == 1) x = GrayscaleKernel.Luma(x);
            if (x.Size(2) != height || x.Size(3) != width)
                x = Torch.Interpolate(x, height, width, InterpolationMode.Bilinear, alignCorners: false, antialias: height < x.Size(2) || width < x.Size(3));
            return ReferenceEquals(x, images) ? x.Clone() : x;
        });
    }
}
