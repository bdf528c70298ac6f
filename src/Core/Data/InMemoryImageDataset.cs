namespace ReLICv2.Data;

/// <summary>
/// Images held in one contiguous planar byte array ([N,C,H,W]) with their labels and optional [N,H,W] masks:
/// the storage of Fashion-MNIST, CIFAR and the synthetic dataset, and a way to wrap arrays a user already has.
/// </summary>
public class InMemoryImageDataset : ImageDatasetBase
{
    private readonly byte[] pixels;
    private readonly int[] labels;
    private readonly float[]? masks;

    /// <param name="pixels">Count·C·H·W bytes, planar per image.</param>
    /// <param name="labels">One label per image, in [0, classNames.Count) or -1 (unlabelled).</param>
    /// <param name="channels">C (1 or 3).</param>
    /// <param name="height">H (&gt; 0).</param>
    /// <param name="width">W (&gt; 0).</param>
    /// <param name="classNames">Class names indexed by label.</param>
    /// <param name="masks">Optional Count·H·W foreground masks in [0,1].</param>
    public InMemoryImageDataset(byte[] pixels, IReadOnlyList<int> labels, int channels, int height, int width,
        IReadOnlyList<string> classNames, float[]? masks = null)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(classNames);
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "channels must be 1 or 3");
        if (height <= 0) throw new ArgumentOutOfRangeException(nameof(height), height, "height must be > 0");
        if (width <= 0) throw new ArgumentOutOfRangeException(nameof(width), width, "width must be > 0");
        var per = (long)channels * height * width;
        if (pixels.LongLength != per * labels.Count)
            throw new ArgumentException($"pixels holds {pixels.LongLength} bytes; {labels.Count} images of {channels}x{height}x{width} need {per * labels.Count}", nameof(pixels));
        for (var i = 0; i < labels.Count; i++)
            if (labels[i] < -1 || labels[i] >= classNames.Count)
                throw new ArgumentOutOfRangeException(nameof(labels), labels[i], $"labels[{i}] must be in [-1, {classNames.Count - 1}]");
        if (masks is not null && masks.LongLength != (long)height * width * labels.Count)
            throw new ArgumentException($"masks holds {masks.LongLength} values; {labels.Count} masks of {height}x{width} need {(long)height * width * labels.Count}", nameof(masks));
        this.pixels = pixels;
        this.labels = [.. labels];
        this.masks = masks;
        Channels = channels;
        Height = height;
        Width = width;
        ClassNames = [.. classNames];
    }

    public override int Count => labels.Length;
    public override int Channels { get; }
    public override int Height { get; }
    public override int Width { get; }
    public override IReadOnlyList<string> ClassNames { get; }
    public override bool HasMasks => masks is not null;

    public override int Label(int index)
    {
        CheckIndex(index);
        return labels[index];
    }

    protected override bool TryCopyPixels(int index, Span<byte> destination)
    {
        pixels.AsSpan(index * ImageBytes, ImageBytes).CopyTo(destination);
        return true;
    }

    protected override void CopyMask(int index, Span<float> destination)
    {
        var plane = Height * Width;
        masks.AsSpan(index * plane, plane).CopyTo(destination);
    }
}
