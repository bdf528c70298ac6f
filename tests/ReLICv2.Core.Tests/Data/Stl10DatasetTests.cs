using ReLICv2.Data;
using Xunit;

namespace ReLICv2.Tests;

public class Stl10DatasetTests
{
    [Fact]
    public void Column_major_planes_are_transposed_and_labels_shifted_to_zero_based()
    {
        using var dir = new TempDirectory();
        const int side = 96, plane = side * side;
        var raw = new byte[2 * 3 * plane];
        // raw byte of image k, channel ch at column-major position c·96 + r encodes (k, ch, r, c)
        for (var k = 0; k < 2; k++)
            for (var ch = 0; ch < 3; ch++)
                for (var c = 0; c < side; c++)
                    for (var r = 0; r < side; r++)
                        raw[k * 3 * plane + ch * plane + c * side + r] = (byte)((k * 50 + ch * 17 + r * 3 + c * 5) % 256);
        File.WriteAllBytes(dir.File("train_X.bin"), raw);
        File.WriteAllBytes(dir.File("train_y.bin"), [10, 1]);
        using var ds = new Stl10Dataset(Stl10Split.Train, dir.Path);
        Assert.Equal(2, ds.Count);
        Assert.Equal(new[] { 9, 0 }, new[] { ds.Label(0), ds.Label(1) });
        using var scope = Torch.NewScope();
        using var batch = ds.GetBatch([1]);
        var px = batch.Images.ToArray<byte>();
        foreach (var (ch, r, c) in new[] { (0, 0, 1), (1, 7, 2), (2, 95, 40) })
            Assert.Equal((byte)((50 + ch * 17 + r * 3 + c * 5) % 256), px[ch * plane + r * side + c]);
    }

    [Fact]
    public void Unlabelled_split_has_label_minus_one_and_missing_files_say_where_to_get_them()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("unlabeled_X.bin"), new byte[3 * 96 * 96 * 3]);
        using (var ds = new Stl10Dataset(Stl10Split.Unlabeled, dir.Path))
        {
            Assert.Equal(3, ds.Count);
            Assert.Equal(-1, ds.Label(2));
        }
        var e = Assert.Throws<FileNotFoundException>(() => new Stl10Dataset(Stl10Split.Test, dir.Path));
        Assert.Contains("stl10_binary.tar.gz", e.Message);
    }
}
