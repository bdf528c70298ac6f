// P/Invoke declarations for libjpeg-turbo's TurboJPEG API (libturbojpeg.so.0, Debian's libturbojpeg0);
// signatures and constants from /usr/include/turbojpeg.h (TurboJPEG 2.x). `unsigned long` is 64-bit on LP64 Linux.
using System.Runtime.InteropServices;

namespace ReLICv2.Vision;

internal static unsafe partial class TurboJpegNative
{
    internal const string Lib = "libturbojpeg.so.0";

    internal const int TJPF_RGB = 0;
    internal const int TJPF_GRAY = 6;
    internal const int TJPF_RGBA = 7;
    internal const int TJCS_GRAY = 2;
    internal const int TJSAMP_420 = 2;
    internal const int TJSAMP_GRAY = 3;
    internal const int TJFLAG_ACCURATEDCT = 4096;
    internal const int TJFLAG_STOPONWARNING = 8192;

    [LibraryImport(Lib)] internal static partial IntPtr tjInitDecompress();
    [LibraryImport(Lib)] internal static partial IntPtr tjInitCompress();
    [LibraryImport(Lib)] internal static partial void tjFree(byte* buffer);
    [LibraryImport(Lib)] internal static partial int tjDestroy(IntPtr handle);
    [LibraryImport(Lib)] internal static partial IntPtr tjGetErrorStr2(IntPtr handle);

    [LibraryImport(Lib)]
    internal static partial int tjDecompressHeader3(IntPtr handle, byte* jpegBuf, nuint jpegSize,
        out int width, out int height, out int jpegSubsamp, out int jpegColorspace);

    [LibraryImport(Lib)]
    internal static partial int tjDecompress2(IntPtr handle, byte* jpegBuf, nuint jpegSize, byte* dstBuf,
        int width, int pitch, int height, int pixelFormat, int flags);

    [LibraryImport(Lib)]
    internal static partial int tjCompress2(IntPtr handle, byte* srcBuf, int width, int pitch, int height, int pixelFormat,
        byte** jpegBuf, nuint* jpegSize, int jpegSubsamp, int jpegQual, int flags);
}
