using ReLICv2.Vision;
using Xunit;

namespace ReLICv2.Tests;

public class JpegEncoderTests
{
    private static DecodedImage Gradient(int channels, int side = 32)
    {
        var pixels = new byte[side * side * channels];
        for (var y = 0; y < side; y++)
            for (var x = 0; x < side; x++)
                for (var c = 0; c < channels; c++)
                    pixels[(y * side + x) * channels + c] = (byte)(x * 3 + y * 2 + c * 40);
        return new DecodedImage(side, side, channels, pixels);
    }

    private static double MeanAbsoluteError(DecodedImage a, DecodedImage b) =>
        a.Pixels.Zip(b.Pixels, (p, q) => Math.Abs(p - q)).Average();

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void A_round_trip_keeps_the_size_and_loses_more_at_lower_quality(int channels)
    {
        var image = Gradient(channels);
        var bytes = JpegEncoder.Encode(image, 90);
        Assert.True(ImageDecoder.IsJpeg(bytes));
        var high = JpegEncoder.RoundTrip(image, 95);
        var low = JpegEncoder.RoundTrip(image, 5);
        Assert.Equal((32, 32, channels), (high.Width, high.Height, high.Channels));
        Assert.True(MeanAbsoluteError(image, high) < 3, $"quality 95 is off by {MeanAbsoluteError(image, high):F2} grey levels on average");
        Assert.True(MeanAbsoluteError(image, low) > MeanAbsoluteError(image, high));
        Assert.Equal(high, JpegEncoder.RoundTrip(image, 95));
    }

    [Fact]
    public void Quality_and_channels_out_of_range_are_rejected()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => JpegEncoder.Encode(Gradient(1), 0));
        Assert.Contains("[1, 100]", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => JpegEncoder.Encode(Gradient(4), 50));
    }
}
