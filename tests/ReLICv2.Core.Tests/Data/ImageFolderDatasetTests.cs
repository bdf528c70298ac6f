using ReLICv2.Data;
using ReLICv2.Vision;
using Xunit;

namespace ReLICv2.Tests;

public class ImageFolderDatasetTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "data", name);

    /// <summary>cats/{a.png, b.jpg}, dogs/{c.png, sub/d.png}, dogs/readme.txt (ignored); all 20x14 RGB.</summary>
    private static TempDirectory MakeFolder(bool withCorrupt)
    {
        var dir = new TempDirectory();
        Directory.CreateDirectory(dir.File("cats"));
        Directory.CreateDirectory(dir.File("dogs/sub"));
        var rng = new Random(3);
        DecodedImage Noise()
        {
            var p = new byte[20 * 14 * 3];
            rng.NextBytes(p);
            return new DecodedImage(20, 14, 3, p);
        }
        PngWriter.Write(dir.File("cats/a.png"), Noise());
        File.Copy(Fixture("rgb444_q100.jpg"), dir.File("cats/b.jpg"));
        PngWriter.Write(dir.File("dogs/c.png"), Noise());
        PngWriter.Write(dir.File("dogs/sub/d.png"), Noise());
        File.WriteAllText(dir.File("dogs/readme.txt"), "ignored");
        if (withCorrupt)
        {
            var bytes = File.ReadAllBytes(dir.File("dogs/c.png"));
            File.WriteAllBytes(dir.File("dogs/broken.png"), bytes[..(bytes.Length / 2)]);
        }
        return dir;
    }

    [Fact]
    public void Classes_are_sorted_subfolders_and_pixels_equal_the_decoded_files()
    {
        using var dir = MakeFolder(withCorrupt: false);
        var ds = new ImageFolderDataset(dir.Path);
        Assert.Equal(new[] { "cats", "dogs" }, ds.ClassNames);
        Assert.Equal(4, ds.Count);
        Assert.Equal(new[] { 0, 0, 1, 1 }, Enumerable.Range(0, 4).Select(ds.Label));
        Assert.Equal(Path.Combine("dogs", "sub", "d.png"), ds.RelativePath(3));
        Assert.Equal((3, 14, 20), (ds.Channels, ds.Height, ds.Width));
        using var scope = Torch.NewScope();
        using var batch = ds.GetBatch([3, 1]);
        var expected = ImageDecoder.Decode(ds.Paths[3]).ToPlanar().Concat(ImageDecoder.Decode(ds.Paths[1]).ToPlanar());
        Assert.Equal(expected, batch.Images.ToArray<byte>());
        Assert.Equal(new long[] { 1, 0 }, batch.Labels.ToArray<long>());
    }

    [Fact]
    public void Eager_and_lazy_decoding_give_the_same_resized_batches()
    {
        using var dir = MakeFolder(withCorrupt: false);
        var lazy = new ImageFolderDataset(dir.Path, height: 8, width: 6, color: ImageColorMode.Gray, decodeThreads: 1);
        var reports = new List<int>();
        var eager = new ImageFolderDataset(dir.Path, height: 8, width: 6, color: ImageColorMode.Gray, eager: true,
            decodeThreads: 3, progress: new Progress<int>(reports.Add));
        var parallel = new ImageFolderDataset(dir.Path, height: 8, width: 6, color: ImageColorMode.Gray, decodeThreads: 4);
        using var scope = Torch.NewScope();
        using var a = lazy.GetBatch([0, 1, 2, 3]);
        using var b = eager.GetBatch([0, 1, 2, 3]);
        using var c = parallel.GetBatch([0, 1, 2, 3]);
        Assert.Equal(new long[] { 4, 1, 8, 6 }, a.Images.Shape);
        Assert.True(a.Images.Equal(b.Images));
        Assert.True(a.Images.Equal(c.Images));
    }

    [Fact]
    public void Corrupt_file_raises_naming_it_or_is_skipped_and_counted()
    {
        using var dir = MakeFolder(withCorrupt: true);
        var strict = new ImageFolderDataset(dir.Path);
        var broken = strict.Paths.ToList().FindIndex(p => p.EndsWith("broken.png", StringComparison.Ordinal));
        Assert.True(broken >= 0);
        using var scope = Torch.NewScope();
        var e = Assert.Throws<ImageDecodeException>(() => strict.GetBatch([0, broken]));
        Assert.EndsWith("broken.png", e.Path);

        var lenient = new ImageFolderDataset(dir.Path, skipCorrupt: true, decodeThreads: 2);
        var all = Enumerable.Range(0, lenient.Count).ToArray();
        using var batch = lenient.GetBatch(all);
        Assert.Equal(lenient.Count - 1, batch.Count);
        Assert.Equal(all.Where(i => i != broken), batch.Indices);
        var expectedPixels = all.Where(i => i != broken).SelectMany(i => ImageDecoder.Decode(lenient.Paths[i]).ToPlanar());
        Assert.Equal(expectedPixels, batch.Images.ToArray<byte>()); // the gap left by the skipped file is closed
        Assert.Equal(1, lenient.SkippedCount);
        Assert.EndsWith("broken.png", lenient.SkippedFiles[0]);

        var eager = new ImageFolderDataset(dir.Path, skipCorrupt: true, eager: true);
        Assert.Equal(1, eager.SkippedCount);
        using var eagerBatch = eager.GetBatch([broken, 0]);
        Assert.Equal(new[] { 0 }, eagerBatch.Indices);
    }

    [Fact]
    public void Size_mismatch_without_a_requested_size_is_an_error_naming_the_file()
    {
        using var dir = MakeFolder(withCorrupt: false);
        PngWriter.Write(dir.File("dogs/z_small.png"), new DecodedImage(5, 5, 3, new byte[75]));
        var ds = new ImageFolderDataset(dir.Path);
        using var scope = Torch.NewScope();
        var e = Assert.Throws<ImageDecodeException>(() => ds.GetBatch([ds.Count - 1]));
        Assert.Contains("z_small.png", e.Message);
        Assert.Contains("pass height and width", e.Message);
    }

    [Fact]
    public void Invalid_arguments_are_rejected_naming_the_field()
    {
        using var dir = MakeFolder(withCorrupt: false);
        Assert.Equal("height", Assert.Throws<ArgumentOutOfRangeException>(() => new ImageFolderDataset(dir.Path, height: 0, width: 4)).ParamName);
        Assert.Equal("width", Assert.Throws<ArgumentException>(() => new ImageFolderDataset(dir.Path, height: 4)).ParamName);
        Assert.Equal("decodeThreads", Assert.Throws<ArgumentOutOfRangeException>(() => new ImageFolderDataset(dir.Path, decodeThreads: 0)).ParamName);
        Assert.Throws<DirectoryNotFoundException>(() => new ImageFolderDataset(dir.File("nope")));
    }
}
