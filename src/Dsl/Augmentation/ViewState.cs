namespace ReLICv2.Augmentation;

/// <summary>The batch flowing through a chain: the images and, until a <see cref="SaliencyMask"/> step uses them, their masks.</summary>
internal sealed class ViewState(Tensor images, Tensor? masks)
{
    public Tensor Images { get; set; } = images;

    public Tensor? Masks { get; set; } = masks;

    public long Count => Images.Size(0);

    public Tensor Bools(IReadOnlyList<bool> flags) => Torch.FromArray(flags.ToArray()).To(Images.Device);

    public Tensor Floats(IEnumerable<double> values) => Torch.FromArray(values.Select(v => (float)v).ToArray()).To(Images.Device);
}
