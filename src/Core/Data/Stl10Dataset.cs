using Microsoft.Win32.SafeHandles;

namespace ReLICv2.Data;

/// <summary>
/// STL-10 (Coates, Lee &amp; Ng 2011) in its binary format: 96×96 RGB images, each 27 648 bytes stored channel by
/// channel in column-major order, labels as one byte 1…10 per image in <c>*_y.bin</c> (mapped to 0…9 here; the
/// unlabelled split has label -1). Images are read lazily from the open file (positional reads, thread-safe), so the
/// 2.6 GB unlabelled split needs no memory. Dispose to close the file.
/// </summary>
public sealed class Stl10Dataset : ImageDatasetBase, IDisposable
{
    private const int Side = 96;
    private const int Bytes = 3 * Side * Side;
    private static readonly string[] DefaultNames = ["airplane", "bird", "car", "cat", "deer", "dog", "horse", "monkey", "ship", "truck"];

    private readonly SafeFileHandle file;
    private readonly int[] labels;

    /// <param name="split">Train, Test or Unlabeled.</param>
    /// <param name="root">The folder holding <c>train_X.bin</c>, <c>train_y.bin</c>, <c>test_X.bin</c>, <c>test_y.bin</c>,
    /// <c>unlabeled_X.bin</c> and <c>class_names.txt</c>; default <c>DatasetLocations.Root/stl10_binary</c>.</param>
    public Stl10Dataset(Stl10Split split = Stl10Split.Train, string? root = null)
    {
        root ??= Path.Combine(DatasetLocations.Root, "stl10_binary");
        var prefix = split switch { Stl10Split.Train => "train", Stl10Split.Test => "test", _ => "unlabeled" };
        var imagesPath = Path.Combine(root, $"{prefix}_X.bin");
        if (!File.Exists(imagesPath))
            throw new FileNotFoundException(
                $"STL-10 file '{imagesPath}' not found. Download stl10_binary.tar.gz from the STL-10 page (cs.stanford.edu/~acoates/stl10) " +
                "and extract it so that the folder 'stl10_binary' holds train_X.bin, train_y.bin, test_X.bin, test_y.bin and unlabeled_X.bin; " +
                "pass that folder as root or set RELIC_DATA_DIR to its parent.", imagesPath);
        var length = new FileInfo(imagesPath).Length;
        if (length == 0 || length % Bytes != 0)
            throw new InvalidDataException($"'{imagesPath}': {length} bytes is not a whole number of 96x96x3 images ({Bytes} bytes each)");
        var count = checked((int)(length / Bytes));
        if (split == Stl10Split.Unlabeled)
        {
            labels = new int[count];
            Array.Fill(labels, -1);
        }
        else
        {
            var labelsPath = Path.Combine(root, $"{prefix}_y.bin");
            if (!File.Exists(labelsPath))
                throw new FileNotFoundException($"STL-10 labels '{labelsPath}' not found next to '{imagesPath}' (part of stl10_binary.tar.gz)", labelsPath);
            var raw = File.ReadAllBytes(labelsPath);
            if (raw.Length != count)
                throw new InvalidDataException($"'{labelsPath}' holds {raw.Length} labels for {count} images in '{imagesPath}'");
            labels = new int[count];
            for (var i = 0; i < count; i++)
            {
                if (raw[i] is < 1 or > 10)
                    throw new InvalidDataException($"'{labelsPath}': label {raw[i]} at position {i} is outside [1, 10]");
                labels[i] = raw[i] - 1;
            }
        }
        var namesPath = Path.Combine(root, "class_names.txt");
        var names = File.Exists(namesPath) ? File.ReadAllLines(namesPath).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray() : [];
        ClassNames = names.Length == 10 ? names : DefaultNames;
        Split = split;
        file = File.OpenHandle(imagesPath, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
    }

    /// <summary>The split read.</summary>
    public Stl10Split Split { get; }

    public override int Count => labels.Length;
    public override int Channels => 3;
    public override int Height => Side;
    public override int Width => Side;
    public override IReadOnlyList<string> ClassNames { get; }

    public override int Label(int index)
    {
        CheckIndex(index);
        return labels[index];
    }

    protected override bool TryCopyPixels(int index, Span<byte> destination)
    {
        var buffer = new byte[Bytes];
        var read = 0;
        while (read < Bytes)
        {
            var n = RandomAccess.Read(file, buffer.AsSpan(read), (long)index * Bytes + read);
            if (n == 0) throw new EndOfStreamException($"STL-10: image {index} is truncated");
            read += n;
        }
        // Column-major planes: the byte at (row r, column c) of a plane sits at c·96 + r.
        for (var ch = 0; ch < 3; ch++)
        {
            var src = buffer.AsSpan(ch * Side * Side, Side * Side);
            var dst = destination.Slice(ch * Side * Side, Side * Side);
            for (var c = 0; c < Side; c++)
                for (var r = 0; r < Side; r++)
                    dst[r * Side + c] = src[c * Side + r];
        }
        return true;
    }

    public void Dispose() => file.Dispose();
}
