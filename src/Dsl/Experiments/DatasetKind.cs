namespace ReLICv2.Experiments;

/// <summary>The datasets an experiment can name.</summary>
public enum DatasetKind
{
    /// <summary>Fashion-MNIST from Debian's dataset-fashion-mnist (28 × 28 grey, 10 classes).</summary>
    FashionMnist,

    /// <summary>CIFAR-10 binary batches (32 × 32 RGB, 10 classes).</summary>
    Cifar10,

    /// <summary>CIFAR-100 binary batches (32 × 32 RGB, 100 fine classes).</summary>
    Cifar100,

    /// <summary>An ImageNet-style folder with train/ and val/ (or test/) sub-folders of class folders.</summary>
    ImageFolder,

    /// <summary>The procedural shapes of <see cref="Data.SyntheticDataset"/> (for tests and demos).</summary>
    Synthetic,
}
