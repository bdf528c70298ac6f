using ReLICv2.Data;

namespace ReLICv2.Vision;

/// <summary>
/// Saliency masks shipped with a dataset (<see cref="IImageDataset.HasMasks"/>, e.g. the ground-truth masks of
/// <see cref="SyntheticDataset"/>): the batch's own masks when the loader carried them, otherwise the dataset's.
/// </summary>
public sealed class SaliencyDatasetSource : ISaliencySource
{
    /// <param name="dataset">A dataset with masks.</param>
    public SaliencyDatasetSource(IImageDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (!dataset.HasMasks)
            throw new ArgumentException($"dataset: {dataset.GetType().Name} has no masks (HasMasks is false); use a mask folder or an estimator", nameof(dataset));
        Dataset = dataset;
    }

    /// <summary>The dataset whose masks are used.</summary>
    public IImageDataset Dataset { get; }

    public Tensor Mask(int index, Tensor image) =>
        Torch.FromArray(Dataset.Mask(index) ?? throw new InvalidOperationException($"{Dataset.GetType().Name}.Mask({index}) returned null"),
            1, Dataset.Height, Dataset.Width);

    public Tensor Masks(Batch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Masks is not null) return batch.Masks.Clone();
        var plane = Dataset.Height * Dataset.Width;
        var values = new float[batch.Count * plane];
        for (var k = 0; k < batch.Count; k++)
            (Dataset.Mask(batch.Indices[k]) ?? throw new InvalidOperationException($"{Dataset.GetType().Name}.Mask({batch.Indices[k]}) returned null"))
                .CopyTo(values.AsSpan(k * plane, plane));
        return Torch.FromArray(values, batch.Count, 1, Dataset.Height, Dataset.Width);
    }
}
