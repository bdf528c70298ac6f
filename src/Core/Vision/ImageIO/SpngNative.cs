// P/Invoke declarations for libspng (libspng.so.0, Debian's libspng0); signatures and constants from /usr/include/spng.h (0.7.x).
using System.Runtime.InteropServices;

namespace ReLICv2.Vision;

internal static unsafe partial class SpngNative
{
    internal const string Lib = "libspng.so.0";

    internal const int SPNG_FMT_RGBA8 = 1;
    internal const int SPNG_FMT_RGB8 = 4;
    internal const int SPNG_FMT_G8 = 64;
    internal const int SPNG_DECODE_TRNS = 1;
    internal const byte SPNG_COLOR_TYPE_GRAYSCALE = 0;
    internal const byte SPNG_COLOR_TYPE_GRAYSCALE_ALPHA = 4;

    [StructLayout(LayoutKind.Sequential)]
    internal struct Ihdr
    {
        public uint Width;
        public uint Height;
        public byte BitDepth;
        public byte ColorType;
        public byte CompressionMethod;
        public byte FilterMethod;
        public byte InterlaceMethod;
    }

    [LibraryImport(Lib)] internal static partial IntPtr spng_ctx_new(int flags);
    [LibraryImport(Lib)] internal static partial void spng_ctx_free(IntPtr ctx);
    [LibraryImport(Lib)] internal static partial int spng_set_png_buffer(IntPtr ctx, void* buf, nuint size);
    [LibraryImport(Lib)] internal static partial int spng_get_ihdr(IntPtr ctx, Ihdr* ihdr);
    [LibraryImport(Lib)] internal static partial int spng_decoded_image_size(IntPtr ctx, int fmt, out nuint len);
    [LibraryImport(Lib)] internal static partial int spng_decode_image(IntPtr ctx, void* @out, nuint len, int fmt, int flags);
    [LibraryImport(Lib)] internal static partial IntPtr spng_strerror(int err);
}
