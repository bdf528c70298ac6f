using ReLICv2.Data;

namespace ReLICv2.Experiments;

/// <summary>
/// Which data an experiment trains and evaluates on: the kind, an optional root folder (each kind has a default),
/// optional limits on the number of train/test images used (the first ones; for quick runs), the image size for
/// folders of differently sized images, the mask source of saliency masking and of the background shift
/// (<see cref="MaskSourceSpec"/>; null names none), and the largest fraction of an image folder's files that may be
/// unreadable before a run is refused.
/// </summary>
public sealed record DatasetSpec
{
    public DatasetSpec(DatasetKind kind, string? root = null, int? trainLimit = null, int? testLimit = null, int imageSize = 96,
        MaskSourceSpec? masks = null, double maxUnreadableFraction = 0.01)
    {
        Kind = Enum.IsDefined(kind) ? kind
            : throw new ArgumentOutOfRangeException(nameof(kind), kind, $"DatasetSpec.Kind must be one of {string.Join(", ", Enum.GetNames<DatasetKind>())}");
        Root = root;
        TrainLimit = trainLimit is null or > 0 ? trainLimit : throw new ArgumentOutOfRangeException(nameof(trainLimit), trainLimit, "DatasetSpec.TrainLimit must be > 0 (or null for all)");
        TestLimit = testLimit is null or > 0 ? testLimit : throw new ArgumentOutOfRangeException(nameof(testLimit), testLimit, "DatasetSpec.TestLimit must be > 0 (or null for all)");
        ImageSize = imageSize is >= 8 and <= 1024 ? imageSize : throw new ArgumentOutOfRangeException(nameof(imageSize), imageSize, "DatasetSpec.ImageSize must be in [8, 1024]");
        if (masks?.Kind == MaskSourceKind.Folder && kind != DatasetKind.ImageFolder)
            throw new ArgumentException($"DatasetSpec.Masks '{masks}': a mask folder mirrors an image folder's tree, but the dataset kind is {kind} (allowed with ImageFolder only; use boundary-contrast or spectral-residual)", nameof(masks));
        Masks = masks;
        MaxUnreadableFraction = maxUnreadableFraction is >= 0 and <= 1 ? maxUnreadableFraction
            : throw new ArgumentOutOfRangeException(nameof(maxUnreadableFraction), maxUnreadableFraction, "DatasetSpec.MaxUnreadableFraction must be in [0, 1]");
    }

    public DatasetKind Kind { get; }

    public string? Root { get; }

    public int? TrainLimit { get; }

    public int? TestLimit { get; }

    /// <summary>Side of the images an ImageFolder is resized and centre-cropped to (other kinds have a fixed size).</summary>
    public int ImageSize { get; }

    /// <summary>
    /// Where foreground masks come from — the view set's saliency masking and the robustness protocol's background shift
    /// use them; null names no source, and an experiment whose view set masks is then refused.
    /// </summary>
    public MaskSourceSpec? Masks { get; }

    /// <summary>
    /// The largest fraction of an image folder's files (per split) that may be unreadable: those files are skipped and
    /// counted, and a run stops with an error naming them once more than this fraction of a split has failed to decode.
    /// </summary>
    public double MaxUnreadableFraction { get; }

    /// <summary>
    /// Loads the train and test splits (the test split of an ImageFolder is its val/ or test/ folder; STL-10's are its
    /// labelled train and test files). Folder masks are attached to the image folders.
    /// </summary>
    public (IImageDataset Train, IImageDataset Test) Load()
    {
        (IImageDataset train, IImageDataset test) = Kind switch
        {
            DatasetKind.FashionMnist => ((IImageDataset)FashionMnist.Load(DatasetSplit.Train, Root), (IImageDataset)FashionMnist.Load(DatasetSplit.Test, Root)),
            DatasetKind.Cifar10 => (Cifar.Load10(DatasetSplit.Train, Root), Cifar.Load10(DatasetSplit.Test, Root)),
            DatasetKind.Cifar100 => (Cifar.Load100(DatasetSplit.Train, Root), Cifar.Load100(DatasetSplit.Test, Root)),
            DatasetKind.Stl10 => (new Stl10Dataset(Stl10Split.Train, Root), new Stl10Dataset(Stl10Split.Test, Root)),
            DatasetKind.ImageFolder => LoadFolder(),
            DatasetKind.Synthetic => (new SyntheticDataset(TrainLimit ?? 2048, ImageSize, 3, seed: 1), new SyntheticDataset(TestLimit ?? 512, ImageSize, 3, seed: 2)),
            _ => throw new ArgumentOutOfRangeException(nameof(Kind), Kind, "DatasetSpec: unknown dataset kind"),
        };
        return (Limit(train, TrainLimit), Limit(test, TestLimit));
    }

    private (IImageDataset, IImageDataset) LoadFolder()
    {
        var root = Root ?? throw new ArgumentException("DatasetSpec: an ImageFolder dataset needs a root folder with train/ and val/ (or test/) inside", nameof(Root));
        var testName = new[] { "val", "test" }.FirstOrDefault(d => Directory.Exists(Path.Combine(root, d)))
                       ?? throw new DirectoryNotFoundException($"DatasetSpec: '{root}' has no val/ or test/ folder for evaluation");
        string? MaskFolder(string split) => Masks?.Kind == MaskSourceKind.Folder ? Path.Combine(Masks.Root!, split) : null;
        return (new ImageFolderDataset(Path.Combine(root, "train"), ImageSize, ImageSize, skipCorrupt: true, maskRoot: MaskFolder("train")),
            new ImageFolderDataset(Path.Combine(root, testName), ImageSize, ImageSize, skipCorrupt: true, maskRoot: MaskFolder(testName)));
    }

    private static IImageDataset Limit(IImageDataset data, int? limit) =>
        limit is { } n && n < data.Count ? new SubsetDataset(data, Enumerable.Range(0, n).ToArray()) : data;
}
