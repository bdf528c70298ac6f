using System.Buffers;
using System.Runtime.ExceptionServices;

namespace ReLICv2.Data;

/// <summary>
/// Shared batch assembly for <see cref="IImageDataset"/> implementations: images are copied straight into one pooled
/// buffer and become one tensor (one copy), labels and masks likewise. Subclasses provide per-image access.
/// </summary>
public abstract class ImageDatasetBase : IImageDataset
{
    public abstract int Count { get; }
    public abstract int Channels { get; }
    public abstract int Height { get; }
    public abstract int Width { get; }
    public abstract IReadOnlyList<string> ClassNames { get; }
    public int ClassCount => ClassNames.Count;
    public virtual bool HasMasks => false;

    /// <summary>Files skipped as unreadable so far; none unless a subclass skips (an image folder with <c>skipCorrupt</c>).</summary>
    public virtual IReadOnlyList<string> SkippedFiles => [];
    public abstract int Label(int index);

    /// <summary>Bytes per image: Channels·Height·Width.</summary>
    public int ImageBytes => Channels * Height * Width;

    public byte[] Pixels(int index)
    {
        CheckIndex(index);
        var result = new byte[ImageBytes];
        if (!TryCopyPixels(index, result))
            throw new InvalidOperationException($"{GetType().Name}: image {index} could not be read and was skipped");
        return result;
    }

    public float[]? Mask(int index)
    {
        CheckIndex(index);
        if (!HasMasks) return null;
        var result = new float[Height * Width];
        CopyMask(index, result);
        return result;
    }

    /// <summary>
    /// Writes image <paramref name="index"/> (planar [C,H,W]) into <paramref name="destination"/>; returns false when the
    /// dataset skips this image (an unreadable file under a skip policy).
    /// </summary>
    protected abstract bool TryCopyPixels(int index, Span<byte> destination);

    /// <summary>Writes the [H,W] mask of image <paramref name="index"/>; only called when <see cref="HasMasks"/>.</summary>
    protected virtual void CopyMask(int index, Span<float> destination) =>
        throw new NotSupportedException($"{GetType().Name} has no masks");

    /// <summary>
    /// How many images <see cref="GetBatch"/> decodes at once (thread-pool threads); 1 for in-memory datasets, where
    /// a copy is cheaper than a thread hand-off. <see cref="TryCopyPixels"/> must be thread-safe when this exceeds 1.
    /// </summary>
    protected virtual int DecodeParallelism => 1;

    public virtual Batch GetBatch(IReadOnlyList<int> indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        if (indices.Count == 0) throw new ArgumentException("GetBatch: indices must not be empty", nameof(indices));
        foreach (var i in indices) CheckIndex(i);
        var per = ImageBytes;
        var plane = Height * Width;
        var images = ArrayPool<byte>.Shared.Rent(checked(indices.Count * per));
        var masks = HasMasks ? ArrayPool<float>.Shared.Rent(checked(indices.Count * plane)) : null;
        try
        {
            var present = new bool[indices.Count];
            var parallelism = Math.Min(DecodeParallelism, indices.Count);
            if (parallelism > 1)
            {
                try
                {
                    Parallel.For(0, indices.Count, new ParallelOptions { MaxDegreeOfParallelism = parallelism },
                        k => present[k] = TryCopyPixels(indices[k], images.AsSpan(k * per, per)));
                }
                catch (AggregateException e) when (e.InnerExceptions.Count > 0)
                {
                    ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
                }
            }
            else
            {
                for (var k = 0; k < indices.Count; k++) present[k] = TryCopyPixels(indices[k], images.AsSpan(k * per, per));
            }
            // Close the gaps left by skipped images, then add masks and labels of the images kept.
            var kept = new List<int>(indices.Count);
            var labels = new List<long>(indices.Count);
            for (var k = 0; k < indices.Count; k++)
            {
                if (!present[k]) continue;
                var n = kept.Count;
                if (n != k) images.AsSpan(k * per, per).CopyTo(images.AsSpan(n * per, per));
                if (masks is not null) CopyMask(indices[k], masks.AsSpan(n * plane, plane));
                kept.Add(indices[k]);
                labels.Add(Label(indices[k]));
            }
            if (kept.Count == 0)
                throw new InvalidOperationException($"{GetType().Name}: every image of the batch was skipped as unreadable (indices {string.Join(", ", indices)})");
            var count = kept.Count;
            Tensor? imageTensor = null, labelTensor = null;
            try
            {
                imageTensor = Torch.FromSpan<byte>(images.AsSpan(0, count * per), [count, Channels, Height, Width]);
                labelTensor = Torch.FromArray(labels.ToArray(), count);
                var maskTensor = masks is null ? null : Torch.FromSpan<float>(masks.AsSpan(0, count * plane), [count, 1, Height, Width]);
                return new Batch(imageTensor, labelTensor, maskTensor, kept.AsReadOnly());
            }
            catch
            {
                imageTensor?.Dispose();
                labelTensor?.Dispose();
                throw;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(images);
            if (masks is not null) ArrayPool<float>.Shared.Return(masks);
        }
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> unless 0 ≤ index &lt; Count.</summary>
    protected void CheckIndex(int index)
    {
        if ((uint)index >= (uint)Count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"{GetType().Name}: index must be in [0, {Count - 1}]");
    }
}
