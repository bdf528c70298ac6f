namespace ReLICv2.Data;

/// <summary>
/// CIFAR-10 and CIFAR-100 (Krizhevsky 2009) in their "binary version": 32×32 RGB images stored as records of
/// label byte(s) followed by 3072 planar bytes (1024 red, 1024 green, 1024 blue, each row-major).
/// CIFAR-10 records carry one label byte; CIFAR-100 records a coarse (20 superclasses) and a fine (100 classes) one.
/// </summary>
public static class Cifar
{
    private const int ImageBytes = 3 * 32 * 32;

    /// <summary>
    /// Loads CIFAR-10 from <paramref name="root"/> (default <c>DatasetLocations.Root/cifar-10-batches-bin</c>), the folder
    /// of <c>data_batch_1.bin</c> … <c>data_batch_5.bin</c> (train, 50 000), <c>test_batch.bin</c> (10 000) and
    /// <c>batches.meta.txt</c> (class names).
    /// </summary>
    public static InMemoryImageDataset Load10(DatasetSplit split = DatasetSplit.Train, string? root = null)
    {
        root ??= Path.Combine(DatasetLocations.Root, "cifar-10-batches-bin");
        var files = split == DatasetSplit.Train
            ? Enumerable.Range(1, 5).Select(i => $"data_batch_{i}.bin").ToArray()
            : ["test_batch.bin"];
        var names = ReadNames(root, "batches.meta.txt", 10) ??
            ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];
        return Read(root, files, 1, 0, names, "CIFAR-10", "cifar-10-binary.tar.gz", "cifar-10-batches-bin");
    }

    /// <summary>
    /// Loads CIFAR-100 from <paramref name="root"/> (default <c>DatasetLocations.Root/cifar-100-binary</c>), the folder of
    /// <c>train.bin</c> (50 000), <c>test.bin</c> (10 000), <c>fine_label_names.txt</c> and <c>coarse_label_names.txt</c>.
    /// </summary>
    /// <param name="split">Train or Test.</param>
    /// <param name="root">The folder holding the files.</param>
    /// <param name="coarseLabels">Use the 20 superclass labels instead of the 100 fine ones.</param>
    public static InMemoryImageDataset Load100(DatasetSplit split = DatasetSplit.Train, string? root = null, bool coarseLabels = false)
    {
        root ??= Path.Combine(DatasetLocations.Root, "cifar-100-binary");
        var file = split == DatasetSplit.Train ? "train.bin" : "test.bin";
        var namesFile = coarseLabels ? "coarse_label_names.txt" : "fine_label_names.txt";
        var count = coarseLabels ? 20 : 100;
        var names = ReadNames(root, namesFile, count) ?? Enumerable.Range(0, count).Select(i => $"class {i}").ToArray();
        return Read(root, [file], 2, coarseLabels ? 0 : 1, names, "CIFAR-100", "cifar-100-binary.tar.gz", "cifar-100-binary");
    }

    private static InMemoryImageDataset Read(string root, string[] files, int labelBytes, int labelOffset,
        IReadOnlyList<string> names, string dataset, string archive, string folder)
    {
        var record = labelBytes + ImageBytes;
        var contents = new List<(string Path, byte[] Bytes)>();
        foreach (var f in files)
        {
            var path = Path.Combine(root, f);
            if (!File.Exists(path))
                throw new FileNotFoundException(
                    $"{dataset} file '{path}' not found. Download the binary version ({archive}) from the CIFAR page " +
                    $"(www.cs.toronto.edu/~kriz/cifar.html) and extract it so that the folder '{folder}' holds {string.Join(", ", files)}; " +
                    "pass that folder as root or set RELIC_DATA_DIR to its parent.", path);
            var bytes = File.ReadAllBytes(path);
            if (bytes.Length == 0 || bytes.Length % record != 0)
                throw new InvalidDataException($"'{path}': {bytes.Length} bytes is not a whole number of {dataset} records of {record} bytes");
            contents.Add((path, bytes));
        }
        var n = contents.Sum(c => c.Bytes.Length / record);
        var pixels = new byte[(long)n * ImageBytes];
        var labels = new int[n];
        var k = 0;
        foreach (var (path, bytes) in contents)
        {
            for (var off = 0; off < bytes.Length; off += record, k++)
            {
                labels[k] = bytes[off + labelOffset];
                if (labels[k] >= names.Count)
                    throw new InvalidDataException(
                        $"'{path}': the {(labelBytes == 2 ? labelOffset == 0 ? "coarse " : "fine " : "")}label {labels[k]} of record {off / record} (byte {off + labelOffset}) is outside [0, {names.Count - 1}]");
                bytes.AsSpan(off + labelBytes, ImageBytes).CopyTo(pixels.AsSpan(k * ImageBytes));
            }
        }
        return new InMemoryImageDataset(pixels, labels, 3, 32, 32, names);
    }

    /// <summary>The class names of <paramref name="file"/> (one a line, blank lines skipped), null when it is absent or empty.</summary>
    /// <exception cref="InvalidDataException">When the file names another number of classes than <paramref name="count"/>.</exception>
    private static string[]? ReadNames(string root, string file, int count)
    {
        var path = Path.Combine(root, file);
        if (!File.Exists(path)) return null;
        var names = File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
        if (names.Length != 0 && names.Length != count)
            throw new InvalidDataException($"'{path}': {names.Length} class names, expected {count} (one a line)");
        return names.Length == 0 ? null : names;
    }
}
