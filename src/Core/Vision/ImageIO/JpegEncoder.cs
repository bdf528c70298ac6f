using System.Runtime.InteropServices;

namespace ReLICv2.Vision;

/// <summary>
/// Encodes 8-bit images as baseline JPEG through libjpeg-turbo's TurboJPEG API (the library <see cref="ImageDecoder"/>
/// decodes with): grey images as one-component JPEGs, RGB with 4:2:0 chroma subsampling (libjpeg's and PIL's default),
/// the IJG quality scale 1–100 for the quantisation tables. The JPEG corruption of the robustness evaluation
/// (<see cref="Corruptions"/>) re-encodes through it. Thread-safe: every call uses its own encoder handle.
/// </summary>
public static class JpegEncoder
{
    /// <summary>The JPEG bytes of <paramref name="image"/> (1 or 3 interleaved channels) at <paramref name="quality"/> in [1, 100].</summary>
    /// <exception cref="ArgumentOutOfRangeException">The quality is outside [1, 100] or the image has 4 channels.</exception>
    /// <exception cref="InvalidOperationException">libjpeg-turbo reported an error (its message is included).</exception>
    public static unsafe byte[] Encode(DecodedImage image, int quality)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (quality is < 1 or > 100) throw new ArgumentOutOfRangeException(nameof(quality), quality, "JpegEncoder: quality must be in [1, 100]");
        if (image.Channels is not (1 or 3))
            throw new ArgumentOutOfRangeException(nameof(image), image.Channels, "JpegEncoder: the image must have 1 (grey) or 3 (RGB) channels");
        var handle = TurboJpegNative.tjInitCompress();
        if (handle == IntPtr.Zero)
            throw new InvalidOperationException("JpegEncoder: tjInitCompress failed: " + Marshal.PtrToStringUTF8(TurboJpegNative.tjGetErrorStr2(IntPtr.Zero)));
        byte* output = null;
        try
        {
            var grey = image.Channels == 1;
            nuint size = 0;
            fixed (byte* src = image.Pixels)
            {
                if (TurboJpegNative.tjCompress2(handle, src, image.Width, 0, image.Height, grey ? TurboJpegNative.TJPF_GRAY : TurboJpegNative.TJPF_RGB,
                        &output, &size, grey ? TurboJpegNative.TJSAMP_GRAY : TurboJpegNative.TJSAMP_420, quality, TurboJpegNative.TJFLAG_ACCURATEDCT) != 0)
                    throw new InvalidOperationException("JpegEncoder: libjpeg-turbo: " + (Marshal.PtrToStringUTF8(TurboJpegNative.tjGetErrorStr2(handle)) ?? "unknown error"));
            }
            return new ReadOnlySpan<byte>(output, checked((int)size)).ToArray();
        }
        finally
        {
            if (output is not null) TurboJpegNative.tjFree(output);
            TurboJpegNative.tjDestroy(handle);
        }
    }

    /// <summary>
    /// <paramref name="image"/> after one JPEG round trip at <paramref name="quality"/>: encoded, then decoded with the
    /// same number of channels.
    /// </summary>
    public static DecodedImage RoundTrip(DecodedImage image, int quality)
    {
        ArgumentNullException.ThrowIfNull(image);
        var mode = image.Channels == 1 ? ImageColorMode.Gray : ImageColorMode.Rgb;
        return ImageDecoder.DecodeJpeg(Encode(image, quality), "JPEG round trip", mode);
    }
}
