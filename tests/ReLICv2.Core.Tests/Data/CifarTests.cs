using ReLICv2.Data;
using Xunit;

namespace ReLICv2.Tests;

public class CifarTests
{
    /// <summary>Record k: label byte(s), then 3072 planar bytes where byte j = (k·31 + j) mod 256.</summary>
    private static byte[] Records(int first, int count, Func<int, byte[]> labels)
    {
        var list = new List<byte>();
        for (var k = first; k < first + count; k++)
        {
            list.AddRange(labels(k));
            for (var j = 0; j < 3072; j++) list.Add((byte)((k * 31 + j) % 256));
        }
        return [.. list];
    }

    [Fact]
    public void Cifar10_reads_five_training_batches_in_order_with_planar_pixels_and_names()
    {
        using var dir = new TempDirectory();
        for (var b = 1; b <= 5; b++)
            File.WriteAllBytes(dir.File($"data_batch_{b}.bin"), Records((b - 1) * 2, 2, k => [(byte)(k % 10)]));
        File.WriteAllBytes(dir.File("test_batch.bin"), Records(100, 3, k => [(byte)(9 - k % 10)]));
        File.WriteAllLines(dir.File("batches.meta.txt"), ["a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9", ""]);
        var train = Cifar.Load10(DatasetSplit.Train, dir.Path);
        Assert.Equal(10, train.Count);
        Assert.Equal((3, 32, 32), (train.Channels, train.Height, train.Width));
        Assert.Equal(Enumerable.Range(0, 10), Enumerable.Range(0, 10).Select(train.Label));
        Assert.Equal(10, train.ClassCount);
        Assert.Equal("a7", train.ClassNames[7]);
        var px = train.Pixels(7);
        Assert.Equal((byte)((7 * 31 + 1024 + 5 * 32 + 3) % 256), px[1024 + 5 * 32 + 3]); // green, row 5, column 3
        var test = Cifar.Load10(DatasetSplit.Test, dir.Path);
        Assert.Equal(3, test.Count);
        Assert.Equal(9 - 101 % 10, test.Label(1));
    }

    [Fact]
    public void Cifar100_uses_fine_or_coarse_label_byte()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("train.bin"), Records(0, 4, k => [(byte)(k + 10), (byte)(k * 20 + 3)]));
        var fine = Cifar.Load100(DatasetSplit.Train, dir.Path);
        var coarse = Cifar.Load100(DatasetSplit.Train, dir.Path, coarseLabels: true);
        Assert.Equal(new[] { 3, 23, 43, 63 }, Enumerable.Range(0, 4).Select(fine.Label));
        Assert.Equal(new[] { 10, 11, 12, 13 }, Enumerable.Range(0, 4).Select(coarse.Label));
        Assert.Equal(100, fine.ClassCount);
        Assert.Equal(20, coarse.ClassCount);
    }

    [Fact]
    public void Missing_or_malformed_files_explain_themselves()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<FileNotFoundException>(() => Cifar.Load10(DatasetSplit.Test, dir.Path));
        Assert.Contains("cifar-10-binary.tar.gz", e.Message);
        Assert.Contains("test_batch.bin", e.Message);
        File.WriteAllBytes(dir.File("test.bin"), new byte[3075]);
        var m = Assert.Throws<InvalidDataException>(() => Cifar.Load100(DatasetSplit.Test, dir.Path));
        Assert.Contains("3074", m.Message);
    }
}
