using ReLICv2.Data;
using Xunit;

namespace ReLICv2.Tests;

public class SyntheticDatasetTests
{
    [Fact]
    public void Same_seed_gives_the_same_images_and_different_seeds_differ()
    {
        var a = new SyntheticDataset(6, size: 16, seed: 5);
        var b = new SyntheticDataset(6, size: 16, seed: 5);
        var c = new SyntheticDataset(6, size: 16, seed: 6);
        Assert.Equal(a.Pixels(3), b.Pixels(3));
        Assert.Equal(a.Mask(3), b.Mask(3));
        Assert.NotEqual(a.Pixels(3), c.Pixels(3));
    }

    [Fact]
    public void Masks_are_binary_cover_a_plausible_fraction_and_match_the_foreground_colour()
    {
        var ds = new SyntheticDataset(40, size: 32, seed: 1, noise: 0);
        Assert.True(ds.HasMasks);
        for (var i = 0; i < ds.Count; i++)
        {
            var m = ds.Mask(i)!;
            Assert.All(m, v => Assert.True(v is 0f or 1f));
            var fraction = m.Average();
            Assert.InRange(fraction, 0.05, 0.6);
            // without noise every foreground pixel has the same colour
            var px = ds.Pixels(i);
            var fg = Enumerable.Range(0, m.Length).Where(k => m[k] == 1f).Select(k => (px[k], px[1024 + k], px[2048 + k])).Distinct();
            Assert.Single(fg);
        }
        Assert.Equal(4, Enumerable.Range(0, ds.Count).Select(ds.Label).Distinct().Count());
    }

    [Fact]
    public void Batches_carry_masks_as_float_N1HW()
    {
        var ds = new SyntheticDataset(5, size: 12, channels: 1, seed: 2);
        using var scope = Torch.NewScope();
        using var batch = ds.GetBatch([4, 2]);
        Assert.NotNull(batch.Masks);
        Assert.Equal(new long[] { 2, 1, 12, 12 }, batch.Masks!.Shape);
        Assert.Equal(DType.Float32, batch.Masks.DType);
        Assert.Equal(ds.Mask(4)!.Concat(ds.Mask(2)!), batch.Masks.ToArray<float>());
    }

    [Fact]
    public void Invalid_parameters_are_rejected_naming_the_field()
    {
        Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => new SyntheticDataset(0)).ParamName);
        Assert.Equal("size", Assert.Throws<ArgumentOutOfRangeException>(() => new SyntheticDataset(3, size: 4)).ParamName);
        Assert.Equal("classes", Assert.Throws<ArgumentOutOfRangeException>(() => new SyntheticDataset(3, classes: 5)).ParamName);
    }
}
