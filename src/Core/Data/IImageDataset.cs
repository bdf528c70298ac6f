namespace ReLICv2.Data;

/// <summary>
/// A labelled collection of equally sized 8-bit images, the input of the pre-training and evaluation loaders
/// (docs/architecture.md §1: Dataset → Loader). Images are planar [C,H,W] bytes; optional saliency masks are [H,W] floats in [0,1]
/// (1 = foreground), the "masks shipped with a dataset" of docs/method.md §1.3.
/// Implementations are safe to read from several threads at once (the loader's prefetch thread and the caller).
/// </summary>
public interface IImageDataset
{
    /// <summary>Number of images.</summary>
    int Count { get; }

    /// <summary>Channels per image (1 grey, 3 RGB).</summary>
    int Channels { get; }

    /// <summary>Image height in pixels.</summary>
    int Height { get; }

    /// <summary>Image width in pixels.</summary>
    int Width { get; }

    /// <summary>Class names, indexed by label; empty for unlabelled data.</summary>
    IReadOnlyList<string> ClassNames { get; }

    /// <summary>Number of classes (= ClassNames.Count).</summary>
    int ClassCount { get; }

    /// <summary>Whether <see cref="Mask"/> returns ground-truth or precomputed foreground masks.</summary>
    bool HasMasks { get; }

    /// <summary>The class label of image <paramref name="index"/> in [0, ClassCount), or -1 when unlabelled.</summary>
    int Label(int index);

    /// <summary>The pixels of image <paramref name="index"/>: Channels·Height·Width bytes, planar [C,H,W], row-major.</summary>
    byte[] Pixels(int index);

    /// <summary>The foreground mask of image <paramref name="index"/>, Height·Width floats in [0,1], or null without masks.</summary>
    float[]? Mask(int index);

    /// <summary>
    /// The files found unreadable and skipped so far (an image folder read with <c>skipCorrupt</c>); empty for datasets
    /// that never skip. Runs count them against <c>DatasetSpec.MaxUnreadableFraction</c>.
    /// </summary>
    IReadOnlyList<string> SkippedFiles => [];

    /// <summary>
    /// The images, labels and (when <see cref="HasMasks"/>) masks of <paramref name="indices"/> as one
    /// <see cref="Batch"/>, assembled with a single copy per tensor. Datasets that skip unreadable files leave those
    /// indices out; <see cref="Batch.Indices"/> lists the ones present.
    /// </summary>
    Batch GetBatch(IReadOnlyList<int> indices);
}
