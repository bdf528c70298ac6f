using ReLICv2.Data;
using ReLICv2.Vision;
using Xunit;

namespace ReLICv2.Tests;

public class SaliencySourceTests
{
    [Fact]
    public void Dataset_source_returns_the_dataset_masks_with_or_without_batch_masks()
    {
        var ds = new SyntheticDataset(5, size: 10, seed: 8);
        var source = new SaliencyDatasetSource(ds);
        using var scope = Torch.NewScope();
        using var batch = ds.GetBatch([3, 1]);
        var expected = ds.Mask(3)!.Concat(ds.Mask(1)!).ToArray();
        Assert.Equal(expected, source.Masks(batch).ToArray<float>());
        var stripped = batch with { Masks = null };
        Assert.Equal(expected, source.Masks(stripped).ToArray<float>());
        var one = source.Mask(3, batch.Images.Select(0, 0));
        Assert.Equal(new long[] { 1, 10, 10 }, one.Shape);
        Assert.Equal(ds.Mask(3), one.ToArray<float>());
    }

    [Fact]
    public void Dataset_source_rejects_datasets_without_masks()
    {
        var plain = new InMemoryImageDataset(new byte[4], [0], 1, 2, 2, ["x"]);
        Assert.Equal("dataset", Assert.Throws<ArgumentException>(() => new SaliencyDatasetSource(plain)).ParamName);
    }

    [Fact]
    public void Folder_source_reads_mirrored_png_masks_resized_like_their_images()
    {
        using var images = new TempDirectory();
        using var masks = new TempDirectory();
        Directory.CreateDirectory(images.File("a"));
        Directory.CreateDirectory(masks.File("a"));
        PngWriter.Write(images.File("a/one.png"), new DecodedImage(4, 2, 3, new byte[24]));
        PngWriter.Write(images.File("a/two.png"), new DecodedImage(4, 2, 3, new byte[24]));
        // 4x2 masks: left half foreground, the second one with half intensity on the right
        PngWriter.Write(masks.File("a/one.png"), new DecodedImage(4, 2, 1, [255, 255, 0, 0, 255, 255, 0, 0]));
        PngWriter.Write(masks.File("a/two.png"), new DecodedImage(4, 2, 1, [255, 255, 51, 51, 255, 255, 51, 51]));
        var ds = new ImageFolderDataset(images.Path);
        var source = new SaliencyFolderSource(ds, masks.Path);
        using var scope = Torch.NewScope();
        using var batch = ds.GetBatch([1, 0]);
        var m = source.Masks(batch);
        Assert.Equal(new long[] { 2, 1, 2, 4 }, m.Shape);
        Assert.Equal(new float[] { 1, 1, 0.2f, 0.2f, 1, 1, 0.2f, 0.2f, 1, 1, 0, 0, 1, 1, 0, 0 }, m.ToArray<float>());

        // the same images brought to 2x2 (cover: 4x2 -> 4x2, centre crop columns 1..2): masks follow
        var small = new ImageFolderDataset(images.Path, height: 2, width: 2);
        var one = new SaliencyFolderSource(small, masks.Path).Mask(0, Torch.Zeros(3, 2, 2));
        Assert.Equal(new float[] { 1, 0, 1, 0 }, one.ToArray<float>());

        File.Delete(masks.File("a/two.png"));
        var e = Assert.Throws<FileNotFoundException>(() => source.Masks(batch));
        Assert.Contains("two.png", e.Message);
    }
}
