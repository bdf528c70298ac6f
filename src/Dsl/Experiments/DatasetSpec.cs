using ReLICv2.Data;

namespace ReLICv2.Experiments;

/// <summary>
/// Which data an experiment trains and evaluates on: the kind, an optional root folder (each kind has a default),
/// optional limits on the number of train/test images used (the first ones; for quick runs), and the image size for
/// folders of differently sized images.
/// </summary>
public sealed record DatasetSpec
{
    public DatasetSpec(DatasetKind kind, string? root = null, int? trainLimit = null, int? testLimit = null, int imageSize = 96)
    {
        Kind = Enum.IsDefined(kind) ? kind
            : throw new ArgumentOutOfRangeException(nameof(kind), kind, $"DatasetSpec.Kind must be one of {string.Join(", ", Enum.GetNames<DatasetKind>())}");
        Root = root;
        TrainLimit = trainLimit is null or > 0 ? trainLimit : throw new ArgumentOutOfRangeException(nameof(trainLimit), trainLimit, "DatasetSpec.TrainLimit must be > 0 (or null for all)");
        TestLimit = testLimit is null or > 0 ? testLimit : throw new ArgumentOutOfRangeException(nameof(testLimit), testLimit, "DatasetSpec.TestLimit must be > 0 (or null for all)");
        ImageSize = imageSize is >= 8 and <= 1024 ? imageSize : throw new ArgumentOutOfRangeException(nameof(imageSize), imageSize, "DatasetSpec.ImageSize must be in [8, 1024]");
    }

    public DatasetKind Kind { get; }

    public string? Root { get; }

    public int? TrainLimit { get; }

    public int? TestLimit { get; }

    /// <summary>Side of the images an ImageFolder is resized and centre-cropped to (other kinds have a fixed size).</summary>
    public int ImageSize { get; }

    /// <summary>Loads the train and test splits (the test split of an ImageFolder is its val/ or test/ folder).</summary>
    public (IImageDataset Train, IImageDataset Test) Load()
    {
        (IImageDataset train, IImageDataset test) = Kind switch
        {
            DatasetKind.FashionMnist => ((IImageDataset)FashionMnist.Load(DatasetSplit.Train, Root), (IImageDataset)FashionMnist.Load(DatasetSplit.Test, Root)),
            DatasetKind.Cifar10 => (Cifar.Load10(DatasetSplit.Train, Root), Cifar.Load10(DatasetSplit.Test, Root)),
            DatasetKind.Cifar100 => (Cifar.Load100(DatasetSplit.Train, Root), Cifar.Load100(DatasetSplit.Test, Root)),
            DatasetKind.ImageFolder => LoadFolder(),
            DatasetKind.Synthetic => (new SyntheticDataset(TrainLimit ?? 2048, ImageSize, 3, seed: 1), new SyntheticDataset(TestLimit ?? 512, ImageSize, 3, seed: 2)),
            _ => throw new ArgumentOutOfRangeException(nameof(Kind), Kind, "DatasetSpec: unknown dataset kind"),
        };
        return (Limit(train, TrainLimit), Limit(test, TestLimit));
    }

    private (IImageDataset, IImageDataset) LoadFolder()
    {
        var root = Root ?? throw new ArgumentException("DatasetSpec: an ImageFolder dataset needs a root folder with train/ and val/ (or test/) inside", nameof(Root));
        var train = Path.Combine(root, "train");
        var test = new[] { "val", "test" }.Select(d => Path.Combine(root, d)).FirstOrDefault(Directory.Exists)
                   ?? throw new DirectoryNotFoundException($"DatasetSpec: '{root}' has no val/ or test/ folder for evaluation");
        return (new ImageFolderDataset(train, ImageSize, ImageSize, skipCorrupt: true), new ImageFolderDataset(test, ImageSize, ImageSize, skipCorrupt: true));
    }

    private static IImageDataset Limit(IImageDataset data, int? limit) =>
        limit is { } n && n < data.Count ? new SubsetDataset(data, Enumerable.Range(0, n).ToArray()) : data;
}
