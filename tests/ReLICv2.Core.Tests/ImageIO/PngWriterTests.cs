using FsCheck;
using FsCheck.Fluent;
using ReLICv2.Vision;
using Xunit;

namespace ReLICv2.Tests;

public class PngWriterTests
{
    [Fact]
    public void Written_png_decodes_through_libspng_to_the_same_pixels()
    {
        var gen = Gen.Choose(1, 23).Three().Select(t => (W: t.Item1, H: t.Item2, C: new[] { 1, 3, 4 }[t.Item3 % 3], Seed: t.Item3));
        Prop.ForAll(gen.ToArbitrary(), s =>
        {
            var rng = new Random(s.Seed * 7919 + s.W);
            var pixels = new byte[s.W * s.H * s.C];
            rng.NextBytes(pixels);
            var image = new DecodedImage(s.W, s.H, s.C, pixels);
            var mode = s.C switch { 1 => ImageColorMode.Gray, 3 => ImageColorMode.Rgb, _ => ImageColorMode.Rgba };
            var back = ImageDecoder.Decode(PngWriter.Encode(image), "roundtrip", mode);
            return back.Equals(image);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(60).WithQuietOnSuccess(true));
    }

    [Fact]
    public void WriteTensor_lays_out_a_grid_with_padding_and_rounds_values()
    {
        using var dir = new TempDirectory();
        using var scope = Torch.NewScope();
        // 3 images 1x2x2 with constant values 0, 0.5, 1 in a 2-column grid with 1 px padding of background 0.2
        var t = Torch.Cat([Torch.Full([1, 1, 2, 2], 0.0), Torch.Full([1, 1, 2, 2], 0.5), Torch.Full([1, 1, 2, 2], 1.0)], 0);
        var path = dir.File("grid.png");
        PngWriter.WriteTensor(path, t, columns: 2, padding: 1, background: 0.2);
        var back = ImageDecoder.Decode(path, ImageColorMode.Gray);
        Assert.Equal(5, back.Width);   // 2 + 1 + 2
        Assert.Equal(5, back.Height);
        var bg = (byte)51;             // round(0.2 * 255)
        byte[] expected =
        [
            0, 0, bg, 128, 128,
            0, 0, bg, 128, 128,
            bg, bg, bg, bg, bg,
            255, 255, bg, bg, bg,
            255, 255, bg, bg, bg,
        ];
        Assert.Equal(expected, back.Pixels);
    }

    [Fact]
    public void WriteTensor_of_one_CHW_image_keeps_channel_order()
    {
        using var dir = new TempDirectory();
        using var scope = Torch.NewScope();
        // planar R = [1, 0], G = [0, 0], B = [0, 1]: pixel 0 red, pixel 1 blue
        var t = Torch.FromArray(new float[] { 1, 0, 0, 0, 0, 1 }, 3, 1, 2);
        var path = dir.File("one.png");
        PngWriter.WriteTensor(path, t);
        var back = ImageDecoder.Decode(path, ImageColorMode.Rgb);
        Assert.Equal(2, back.Width);
        Assert.Equal(1, back.Height);
        Assert.Equal(new byte[] { 255, 0, 0, 0, 0, 255 }, back.Pixels);
    }
}
