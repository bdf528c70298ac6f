using System.Text.Json;
using ReLICv2.Vision;
using Xunit;

namespace ReLICv2.Tests;

/// <summary>
/// JPEG (TurboJPEG) and PNG (libspng) decoding against PIL 9.4's decoding of the same files
/// (fixtures: tests/fixtures-src/data/make_image_fixtures.py). Tolerances: PNG exact; JPEG at most 2 grey levels per
/// channel (PIL decodes through libjpeg-turbo's libjpeg API too, so the values are expected to agree, but IDCT and
/// upsampling implementations may legitimately differ by rounding).
/// </summary>
public class ImageDecoderTests
{
    private static string FixturePath(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "data", name);

    private static (int Width, int Height, int Channels, byte[] Pixels) Expected(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(FixturePath(name + ".json")));
        var r = doc.RootElement;
        return (r.GetProperty("width").GetInt32(), r.GetProperty("height").GetInt32(), r.GetProperty("channels").GetInt32(),
            Convert.FromBase64String(r.GetProperty("pixels").GetString()!));
    }

    [Theory]
    [InlineData("rgb444_q100.jpg", ImageColorMode.Auto, 2)]
    [InlineData("rgb420_q90.jpg", ImageColorMode.Auto, 2)]
    [InlineData("gray_q100.jpg", ImageColorMode.Auto, 2)]
    [InlineData("rgb.png", ImageColorMode.Auto, 0)]
    [InlineData("gray.png", ImageColorMode.Auto, 0)]
    [InlineData("palette_trns.png", ImageColorMode.Rgba, 0)]
    [InlineData("rgba.png", ImageColorMode.Rgba, 0)]
    public void Decoded_pixels_match_PIL_within_tolerance(string file, ImageColorMode mode, int tolerance)
    {
        var expected = Expected(file);
        var image = ImageDecoder.Decode(FixturePath(file), mode);
        Assert.Equal(expected.Width, image.Width);
        Assert.Equal(expected.Height, image.Height);
        Assert.Equal(expected.Channels, image.Channels);
        var maxDiff = 0;
        for (var i = 0; i < expected.Pixels.Length; i++)
            maxDiff = Math.Max(maxDiff, Math.Abs(expected.Pixels[i] - image.Pixels[i]));
        Assert.True(maxDiff <= tolerance, $"{file}: max abs difference {maxDiff} > {tolerance}");
    }

    [Fact]
    public void Png_to_gray_uses_BT601_luminance_like_PIL()
    {
        var rgb = ImageDecoder.Decode(FixturePath("rgb.png"));
        var gray = ImageDecoder.Decode(FixturePath("rgb.png"), ImageColorMode.Gray);
        var expectedGray = Expected("gray.png"); // PIL's convert("L") of the same RGB pixels
        Assert.Equal(3, rgb.Channels);
        Assert.Equal(1, gray.Channels);
        for (var i = 0; i < expectedGray.Pixels.Length; i++)
            Assert.True(Math.Abs(expectedGray.Pixels[i] - gray.Pixels[i]) <= 1, $"pixel {i}: {gray.Pixels[i]} vs PIL {expectedGray.Pixels[i]}");
    }

    [Fact]
    public void DecodeToTensor_gives_uint8_CHW_with_planar_channels()
    {
        var image = ImageDecoder.Decode(FixturePath("rgb.png"));
        using var scope = Torch.NewScope();
        var t = ImageDecoder.DecodeToTensor(FixturePath("rgb.png"));
        Assert.Equal(DType.UInt8, t.DType);
        Assert.Equal(new long[] { 3, 14, 20 }, t.Shape);
        var values = t.ToArray<byte>();
        // pixel (y=4, x=7), channel 1 (green), from the interleaved HWC buffer
        Assert.Equal(image.Pixels[(4 * 20 + 7) * 3 + 1], values[1 * 14 * 20 + 4 * 20 + 7]);
        Assert.Equal(image.Pixels[(13 * 20 + 19) * 3 + 2], values[2 * 14 * 20 + 13 * 20 + 19]);
    }

    [Theory]
    [InlineData("rgb444_q100.jpg")]
    [InlineData("rgb.png")]
    public void Truncated_file_raises_naming_the_file(string file)
    {
        using var dir = new TempDirectory();
        var bytes = File.ReadAllBytes(FixturePath(file));
        var path = dir.File("cut_" + file);
        File.WriteAllBytes(path, bytes[..(bytes.Length * 2 / 3)]);
        var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(path));
        Assert.Equal(path, e.Path);
        Assert.Contains(path, e.Message);
        Assert.False(string.IsNullOrWhiteSpace(e.LibraryMessage));
    }

    [Fact]
    public void Corrupted_png_data_raises_with_libspng_message()
    {
        using var dir = new TempDirectory();
        var bytes = File.ReadAllBytes(FixturePath("rgb.png"));
        for (var i = 40; i < bytes.Length - 20; i++) bytes[i] ^= 0x5A; // garble the IDAT stream (CRC fails)
        var path = dir.File("garbled.png");
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(path));
        Assert.Contains("libspng", e.LibraryMessage);
        Assert.Contains("garbled.png", e.Message);
    }

    [Fact]
    public void Non_image_and_missing_files_raise_naming_the_file()
    {
        using var dir = new TempDirectory();
        var text = dir.File("notes.jpg");
        File.WriteAllText(text, "not an image at all");
        var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(text));
        Assert.Contains("notes.jpg", e.Message);
        var missing = dir.File("missing.png");
        var m = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(missing));
        Assert.Equal(missing, m.Path);
    }
}
