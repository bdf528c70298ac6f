namespace ReLICv2.Augmentation;

/// <summary>The batch flowing through a chain: the images and, until a <see cref="SaliencyMask"/> step uses them, their masks.</summary>
internal sealed class ViewState(Tensor images, Tensor? masks)
{
    public Tensor Images { get; set; } = images;

    public Tensor? Masks { get; set; } = masks;

    public long Count => Images.Size(0);

    public Tensor Bools(IReadOnlyList<bool> flags) => Torch.FromSpan<bool>(flags.ToArray(), [flags.Count], Images.Device);

    public Tensor Floats(IEnumerable<double> values)
    {
        var data = values.Select(v => (float)v).ToArray();
        return Torch.FromSpan<float>(data, [data.Length], Images.Device);
    }
}
