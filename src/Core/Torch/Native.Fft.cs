// P/Invoke declarations for src/Core/Native/rs_fft.cpp.
using System.Runtime.InteropServices;

namespace ReLICv2;

internal static unsafe partial class Native
{
    [LibraryImport(Lib)] internal static partial int rs_fft_fft2(TensorHandle x, out TensorHandle re, out TensorHandle im);
    [LibraryImport(Lib)] internal static partial int rs_fft_ifft2(TensorHandle re, TensorHandle im, out TensorHandle outRe, out TensorHandle outIm);
}
