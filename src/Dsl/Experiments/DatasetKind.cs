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

    /// <summary>
    /// STL-10's binary files (<c>stl10_binary/train_X.bin</c>, <c>train_y.bin</c>, <c>test_X.bin</c>, <c>test_y.bin</c>;
    /// 96 × 96 RGB, 10 classes): pre-training and the probe use the 5 000 labelled training images, the test split its 8 000.
    /// </summary>
    Stl10,
}
