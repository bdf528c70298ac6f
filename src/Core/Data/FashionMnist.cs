namespace ReLICv2.Data;

/// <summary>
/// Fashion-MNIST (Xiao, Rasul &amp; Vollgraf 2017): 28×28 grey images of 10 clothing classes, 60 000 for training and
/// 10 000 for testing, read from the four IDX files (gzip-compressed or not). The default folder is where Debian's
/// <c>dataset-fashion-mnist</c> package puts them.
/// </summary>
public static class FashionMnist
{
    /// <summary>Debian's location of the files (package <c>dataset-fashion-mnist</c>).</summary>
    public const string DefaultRoot = "/usr/share/datasets/fashion-mnist";

    /// <summary>The ten class names, indexed by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>Loads one split into memory (47 MB for the training split).</summary>
    /// <param name="split">Train (60 000 images) or Test (10 000).</param>
    /// <param name="root">Folder with <c>train-images-idx3-ubyte[.gz]</c>, <c>train-labels-idx1-ubyte[.gz]</c>,
    /// <c>t10k-images-idx3-ubyte[.gz]</c>, <c>t10k-labels-idx1-ubyte[.gz]</c>; default <see cref="DefaultRoot"/>.</param>
    public static InMemoryImageDataset Load(DatasetSplit split = DatasetSplit.Train, string? root = null)
    {
        root ??= DefaultRoot;
        var prefix = split == DatasetSplit.Train ? "train" : "t10k";
        var imagesPath = Find(root, $"{prefix}-images-idx3-ubyte");
        var labelsPath = Find(root, $"{prefix}-labels-idx1-ubyte");
        var images = IdxFile.Read(imagesPath);
        var labels = IdxFile.Read(labelsPath);
        if (images.Dimensions.Count != 3)
            throw new InvalidDataException($"'{imagesPath}': expected a 3-dimensional IDX array [N,28,28], got [{string.Join("x", images.Dimensions)}]");
        if (images.Dimensions[1] == 0 || images.Dimensions[2] == 0)
            throw new InvalidDataException($"'{imagesPath}': images of {images.Dimensions[1]}x{images.Dimensions[2]} pixels (IDX dimensions 1 and 2) are empty; expected 28x28");
        if (labels.Dimensions.Count != 1 || labels.Dimensions[0] != images.Dimensions[0])
            throw new InvalidDataException($"'{labelsPath}': expected {images.Dimensions[0]} labels, got [{string.Join("x", labels.Dimensions)}]");
        var ints = new int[labels.Data.Length];
        for (var i = 0; i < ints.Length; i++)
        {
            ints[i] = labels.Data[i];
            if (ints[i] >= ClassNames.Count)
                throw new InvalidDataException($"'{labelsPath}': label {ints[i]} at position {i} is outside [0, 9]");
        }
        return new InMemoryImageDataset(images.Data, ints, 1, images.Dimensions[1], images.Dimensions[2], ClassNames);
    }

    private static string Find(string root, string name)
    {
        foreach (var candidate in new[] { name + ".gz", name })
        {
            var path = Path.Combine(root, candidate);
            if (File.Exists(path)) return path;
        }
        throw new FileNotFoundException(
            $"Fashion-MNIST file '{Path.Combine(root, name)}[.gz]' not found. Install Debian's package with " +
            "`apt-get install dataset-fashion-mnist` (files in /usr/share/datasets/fashion-mnist), or put the four IDX files " +
            "from the Fashion-MNIST release (github zalandoresearch/fashion-mnist) in one folder and pass it as root.",
            Path.Combine(root, name + ".gz"));
    }
}
