using System.Runtime.InteropServices;

namespace ReLICv2.Vision;

/// <summary>
/// Decodes JPEG files through libjpeg-turbo's TurboJPEG API and PNG files through libspng (both system libraries,
/// Debian packages <c>libturbojpeg0</c> and <c>libspng0</c>) into 8-bit images. The format is recognised from the
/// file's signature, not its name. A corrupt, truncated or unsupported file raises <see cref="ImageDecodeException"/>
/// naming the file, with the library's own message; a truncated JPEG counts as corrupt (libjpeg's "premature end"
/// warning is treated as an error). Thread-safe: every call uses its own decoder handle.
/// </summary>
public static class ImageDecoder
{
    /// <summary>Reads and decodes <paramref name="path"/> (JPEG or PNG).</summary>
    public static DecodedImage Decode(string path, ImageColorMode mode = ImageColorMode.Auto)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] data;
        try
        {
            data = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImageDecodeException(path, e.Message, e);
        }
        return Decode(data, path, mode);
    }

    /// <summary>Decodes an in-memory JPEG or PNG; <paramref name="name"/> identifies it in error messages.</summary>
    public static DecodedImage Decode(ReadOnlySpan<byte> data, string name, ImageColorMode mode = ImageColorMode.Auto)
    {
        if (IsPng(data)) return DecodePng(data, name, mode);
        if (IsJpeg(data)) return DecodeJpeg(data, name, mode);
        throw new ImageDecodeException(name, data.Length == 0
            ? "the file is empty"
            : "not a JPEG (FF D8 FF) or PNG (89 50 4E 47 0D 0A 1A 0A) signature");
    }

    /// <summary>Reads and decodes <paramref name="path"/> into a new uint8 tensor [C,H,W].</summary>
    public static Tensor DecodeToTensor(string path, ImageColorMode mode = ImageColorMode.Auto) => Decode(path, mode).ToTensor();

    /// <summary>True when the bytes start with the PNG signature.</summary>
    public static bool IsPng(ReadOnlySpan<byte> data) =>
        data.Length >= 8 && data[0] == 0x89 && data[1] == 0x50 && data[2] == 0x4E && data[3] == 0x47 &&
        data[4] == 0x0D && data[5] == 0x0A && data[6] == 0x1A && data[7] == 0x0A;

    /// <summary>True when the bytes start with a JPEG start-of-image marker.</summary>
    public static bool IsJpeg(ReadOnlySpan<byte> data) => data.Length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF;

    /// <summary>Decodes a JPEG through TurboJPEG (accurate integer IDCT, fancy upsampling: libjpeg's defaults).</summary>
    public static unsafe DecodedImage DecodeJpeg(ReadOnlySpan<byte> data, string name, ImageColorMode mode = ImageColorMode.Auto)
    {
        var handle = TurboJpegNative.tjInitDecompress();
        if (handle == IntPtr.Zero)
            throw new ImageDecodeException(name, "tjInitDecompress failed: " + Marshal.PtrToStringUTF8(TurboJpegNative.tjGetErrorStr2(IntPtr.Zero)));
        try
        {
            fixed (byte* src = data)
            {
                if (TurboJpegNative.tjDecompressHeader3(handle, src, (nuint)data.Length, out var width, out var height, out _, out var colorspace) != 0)
                    throw new ImageDecodeException(name, JpegError(handle));
                var channels = mode switch
                {
                    ImageColorMode.Gray => 1,
                    ImageColorMode.Rgb => 3,
                    ImageColorMode.Rgba => 4,
                    _ => colorspace == TurboJpegNative.TJCS_GRAY ? 1 : 3,
                };
                var format = channels switch
                {
                    1 => TurboJpegNative.TJPF_GRAY,
                    4 => TurboJpegNative.TJPF_RGBA,
                    _ => TurboJpegNative.TJPF_RGB,
                };
                var pixels = new byte[checked(width * height * channels)];
                fixed (byte* dst = pixels)
                {
                    if (TurboJpegNative.tjDecompress2(handle, src, (nuint)data.Length, dst, width, 0, height, format,
                            TurboJpegNative.TJFLAG_ACCURATEDCT | TurboJpegNative.TJFLAG_STOPONWARNING) != 0)
                        throw new ImageDecodeException(name, JpegError(handle));
                }
                return new DecodedImage(width, height, channels, pixels);
            }
        }
        finally
        {
            TurboJpegNative.tjDestroy(handle);
        }
    }

    /// <summary>Decodes a PNG through libspng (transparency applied, 16-bit samples scaled to 8 bits).</summary>
    public static unsafe DecodedImage DecodePng(ReadOnlySpan<byte> data, string name, ImageColorMode mode = ImageColorMode.Auto)
    {
        var ctx = SpngNative.spng_ctx_new(0);
        if (ctx == IntPtr.Zero) throw new ImageDecodeException(name, "spng_ctx_new failed (out of memory)");
        try
        {
            fixed (byte* src = data)
            {
                Check(SpngNative.spng_set_png_buffer(ctx, src, (nuint)data.Length), name);
                SpngNative.Ihdr ihdr;
                Check(SpngNative.spng_get_ihdr(ctx, &ihdr), name);
                var grey = ihdr.ColorType is SpngNative.SPNG_COLOR_TYPE_GRAYSCALE or SpngNative.SPNG_COLOR_TYPE_GRAYSCALE_ALPHA;
                var channels = mode switch
                {
                    ImageColorMode.Gray => 1,
                    ImageColorMode.Rgb => 3,
                    ImageColorMode.Rgba => 4,
                    _ => grey ? 1 : 3,
                };
                // libspng decodes G8 only from grey files of at most 8 bits; everything else goes through RGB8 and is
                // converted to luminance here (ITU-R BT.601 weights, as PIL's "L" mode).
                var direct = channels != 1 || (ihdr.ColorType == SpngNative.SPNG_COLOR_TYPE_GRAYSCALE && ihdr.BitDepth <= 8);
                var format = channels switch
                {
                    4 => SpngNative.SPNG_FMT_RGBA8,
                    1 when direct => SpngNative.SPNG_FMT_G8,
                    _ => SpngNative.SPNG_FMT_RGB8,
                };
                Check(SpngNative.spng_decoded_image_size(ctx, format, out var size), name);
                var decoded = new byte[checked((int)size)];
                fixed (byte* dst = decoded)
                    Check(SpngNative.spng_decode_image(ctx, dst, size, format, SpngNative.SPNG_DECODE_TRNS), name);
                var width = checked((int)ihdr.Width);
                var height = checked((int)ihdr.Height);
                return new DecodedImage(width, height, channels, direct ? decoded : Luminance(decoded));
            }
        }
        finally
        {
            SpngNative.spng_ctx_free(ctx);
        }
    }

    private static byte[] Luminance(byte[] rgb)
    {
        var result = new byte[rgb.Length / 3];
        for (int i = 0, s = 0; i < result.Length; i++, s += 3)
            result[i] = (byte)((rgb[s] * 299 + rgb[s + 1] * 587 + rgb[s + 2] * 114 + 500) / 1000);
        return result;
    }

    private static void Check(int status, string name)
    {
        if (status != 0)
            throw new ImageDecodeException(name, $"libspng error {status}: {Marshal.PtrToStringUTF8(SpngNative.spng_strerror(status))}");
    }

    private static string JpegError(IntPtr handle) => "libjpeg-turbo: " + (Marshal.PtrToStringUTF8(TurboJpegNative.tjGetErrorStr2(handle)) ?? "unknown error");
}
