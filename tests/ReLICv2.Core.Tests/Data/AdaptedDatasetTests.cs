using ReLICv2.Data;
using Xunit;

namespace ReLICv2.Tests;

/// <summary>Transfer's channel and size adaptation (docs/evaluation.md §3).</summary>
public class AdaptedDatasetTests
{
    private static InMemoryImageDataset Noise(int count, int channels, int size, int seed)
    {
        var rng = new Random(seed);
        var pixels = new byte[count * channels * size * size];
        rng.NextBytes(pixels);
        return new InMemoryImageDataset(pixels, Enumerable.Range(0, count).Select(i => i % 3).ToArray(), channels, size, size, ["a", "b", "c"]);
    }

    [Fact]
    public void Grey_to_rgb_repeats_the_channel_exactly()
    {
        var grey = Noise(5, 1, 6, 1);
        var rgb = new AdaptedDataset(grey, 3, 6, 6);
        Assert.Equal((3, 6, 6), (rgb.Channels, rgb.Height, rgb.Width));
        for (var i = 0; i < grey.Count; i++)
        {
            var source = grey.Pixels(i);
            var adapted = rgb.Pixels(i);
            Assert.Equal(source, adapted[..36]);
            Assert.Equal(source, adapted[36..72]);
            Assert.Equal(source, adapted[72..]);
            Assert.Equal(grey.Label(i), rgb.Label(i));
        }
        using var batch = rgb.GetBatch([4, 0, 2]);
        Assert.Equal([3L, 3, 6, 6], batch.Images.Shape);
        Assert.Equal(DType.UInt8, batch.Images.DType);
        Assert.Equal(rgb.Pixels(0), batch.Images.Select(0, 1).Contiguous().ToArray<byte>());
    }

    [Fact]
    public void Rgb_to_grey_is_the_luma_with_the_grayscale_weights()
    {
        var rgb = Noise(4, 3, 5, 2);
        var grey = new AdaptedDataset(rgb, 1, 5, 5);
        for (var i = 0; i < rgb.Count; i++)
        {
            var p = rgb.Pixels(i);
            var adapted = grey.Pixels(i);
            Assert.Equal(25, adapted.Length);
            for (var k = 0; k < 25; k++)
            {
                var luma = 0.2989 * p[k] + 0.587 * p[25 + k] + 0.114 * p[50 + k];
                // Exact up to the byte rounding (float32 arithmetic may round a value within 1e-3 of .5 either way).
                Assert.True(Math.Abs(adapted[k] - luma) <= 0.5 + 1e-3, $"image {i} pixel {k}: {adapted[k]} vs luma {luma}");
                if (Math.Abs(luma - Math.Floor(luma) - 0.5) > 1e-3) Assert.Equal(Math.Round(luma), adapted[k]);
            }
        }

        // The float transform itself, before rounding.
        using var scope = Torch.NewScope();
        var x = Torch.FromArray(new float[] { 10, 200, 30, 0, 100, 255 }, 1, 3, 1, 2);
        var y = AdaptedDataset.Adapt(x, 1, 1, 2).ToArray<float>();
        Assert.Equal(0.2989 * 10 + 0.587 * 30 + 0.114 * 100, y[0], 3);
        Assert.Equal(0.2989 * 200 + 0.587 * 0 + 0.114 * 255, y[1], 3);
    }

    [Fact]
    public void Resizing_brings_images_to_the_encoder_size_and_keeps_a_flat_image_flat()
    {
        var flat = new InMemoryImageDataset(Enumerable.Repeat((byte)77, 2 * 3 * 32 * 32).ToArray(), [0, 1], 3, 32, 32, ["a", "b"]);
        var small = new AdaptedDataset(flat, 1, 28, 28);
        Assert.Equal((1, 28, 28), (small.Channels, small.Height, small.Width));
        Assert.All(small.Pixels(1), b => Assert.Equal(77, b));
        Assert.False(small.HasMasks);
        Assert.Same(flat, AdaptedDataset.To(flat, 3, 32, 32));
        Assert.IsType<AdaptedDataset>(AdaptedDataset.To(flat, 3, 28, 28));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdaptedDataset(flat, 2, 28, 28));
    }
}
