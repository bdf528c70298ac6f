namespace ReLICv2.Data;

/// <summary>The images of another dataset at the given indices, in that order (for quick runs and splits).</summary>
public sealed class SubsetDataset : IImageDataset
{
    private readonly IImageDataset source;
    private readonly int[] indices;

    public SubsetDataset(IImageDataset source, IReadOnlyList<int> indices)
    {
        this.source = source ?? throw new ArgumentNullException(nameof(source));
        ArgumentNullException.ThrowIfNull(indices);
        foreach (var i in indices)
            if (i < 0 || i >= source.Count) throw new ArgumentOutOfRangeException(nameof(indices), i, $"SubsetDataset: index must be in [0, {source.Count})");
        this.indices = [.. indices];
    }

    public int Count => indices.Length;
    public int Channels => source.Channels;
    public int Height => source.Height;
    public int Width => source.Width;
    public IReadOnlyList<string> ClassNames => source.ClassNames;
    public int ClassCount => source.ClassCount;
    public bool HasMasks => source.HasMasks;
    public int Label(int index) => source.Label(indices[index]);
    public byte[] Pixels(int index) => source.Pixels(indices[index]);
    public float[]? Mask(int index) => source.Mask(indices[index]);

    /// <summary>The unreadable files of the source (only the subset's images are read through it).</summary>
    public IReadOnlyList<string> SkippedFiles => source.SkippedFiles;

    public Batch GetBatch(IReadOnlyList<int> batchIndices)
    {
        ArgumentNullException.ThrowIfNull(batchIndices);
        var inner = source.GetBatch(batchIndices.Select(i => indices[i]).ToArray());
        var back = new Dictionary<int, int>();
        foreach (var i in batchIndices) back.TryAdd(indices[i], i);
        return inner with { Indices = inner.Indices.Select(i => back[i]).ToArray() };
    }
}
