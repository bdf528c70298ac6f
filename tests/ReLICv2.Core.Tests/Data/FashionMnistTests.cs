using System.IO.Compression;
using ReLICv2.Data;
using Xunit;

namespace ReLICv2.Tests;

public class FashionMnistTests
{
    private static bool Installed => File.Exists(Path.Combine(FashionMnist.DefaultRoot, "t10k-labels-idx1-ubyte.gz"));

    private static byte[] ReadGzPrefix(string path, int count)
    {
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        var buffer = new byte[count];
        gz.ReadExactly(buffer);
        return buffer;
    }

    [Fact]
    public void Debian_package_files_load_with_the_published_counts_and_labels()
    {
        if (!Installed) return; // dataset-fashion-mnist not installed: covered by the generated-file test below
        var test = FashionMnist.Load(DatasetSplit.Test);
        Assert.Equal(10000, test.Count);
        Assert.Equal((1, 28, 28), (test.Channels, test.Height, test.Width));
        var labels = Enumerable.Range(0, test.Count).Select(test.Label).ToArray();
        Assert.All(labels, l => Assert.InRange(l, 0, 9));
        Assert.Equal(10, labels.Distinct().Count());
        // first label and first image read independently: IDX label data start at byte 8, image data at byte 16
        var rawLabels = ReadGzPrefix(Path.Combine(FashionMnist.DefaultRoot, "t10k-labels-idx1-ubyte.gz"), 9);
        Assert.Equal(rawLabels[8], test.Label(0));
        var rawImages = ReadGzPrefix(Path.Combine(FashionMnist.DefaultRoot, "t10k-images-idx3-ubyte.gz"), 16 + 784);
        Assert.Equal(rawImages[16..], test.Pixels(0));

        var train = FashionMnist.Load(DatasetSplit.Train);
        Assert.Equal(60000, train.Count);
        var trainLabels = ReadGzPrefix(Path.Combine(FashionMnist.DefaultRoot, "train-labels-idx1-ubyte.gz"), 9);
        Assert.Equal(trainLabels[8], train.Label(0));
        Assert.Equal(6000, Enumerable.Range(0, train.Count).Count(i => train.Label(i) == 3)); // balanced: 6000 per class
    }

    [Fact]
    public void Generated_idx_files_load_as_a_dataset_and_batch()
    {
        using var dir = new TempDirectory();
        var pixels = Enumerable.Range(0, 3 * 4 * 5).Select(i => (byte)i).ToArray();
        IdxFileTests.WriteGz(dir.File("t10k-images-idx3-ubyte.gz"), IdxFileTests.Idx([3, 4, 5], pixels));
        IdxFileTests.WriteGz(dir.File("t10k-labels-idx1-ubyte.gz"), IdxFileTests.Idx([3], [9, 0, 4]));
        var ds = FashionMnist.Load(DatasetSplit.Test, dir.Path);
        Assert.Equal((3, 1, 4, 5), (ds.Count, ds.Channels, ds.Height, ds.Width));
        using var scope = Torch.NewScope();
        using var batch = ds.GetBatch([2, 0]);
        Assert.Equal(new long[] { 2, 1, 4, 5 }, batch.Images.Shape);
        Assert.Equal(new long[] { 4, 9 }, batch.Labels.ToArray<long>());
        Assert.Equal(pixels[40..60].Concat(pixels[0..20]).ToArray(), batch.Images.ToArray<byte>());
        Assert.Null(batch.Masks);
    }

    [Fact]
    public void Missing_files_say_how_to_get_them()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<FileNotFoundException>(() => FashionMnist.Load(DatasetSplit.Train, dir.Path));
        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message);
        Assert.Contains("train-images-idx3-ubyte", e.Message);
    }
}
