namespace ReLICv2.Augmentation;

/// <summary>The batch flowing through a chain: the images and, until a <see cref="SaliencyMask"/> step uses them, their masks.</summary>
internal sealed class ViewState(Tensor images, Tensor? masks)

{
    private Tensor current = images;

    /// <summary>The current images; assigning a kernel's result marks them as owned by the chain.</summary>
    public Tensor Images
    {
        get => current;
        set
        {
            current = value;
            Owned = true;
        }
    }

    /// <summary>True once <see cref="Images"/> is a tensor the chain created, which later steps may overwrite in place.</summary>
    public bool Owned { get; private set; }

    public Tensor? Masks { get; set; } = masks;

    public long Count => Images.Size(0);

    public Tensor Bools(IReadOnlyList<bool> flags) => Torch.FromSpan<bool>(flags.ToArray(), [flags.Count], Images.Device);

    public Tensor Floats(IEnumerable<double> values)
    {
        var data = values.Select(v => (float)v).ToArray();
        return Torch.FromSpan<float>(data, [data.Length], Images.Device);
    }
}
