// P/Invoke declarations of src/Core/Native/rs_vision.cpp (fused augmentation kernels of ReLICv2.Vision).
using System.Runtime.InteropServices;

namespace ReLICv2;

internal static unsafe partial class Native
{
    [LibraryImport(Lib)] internal static partial int rs_vision_adjust_hue(TensorHandle images, TensorHandle factors, out TensorHandle @out);
    [LibraryImport(Lib)] internal static partial int rs_vision_color_jitter(TensorHandle images, TensorHandle order, TensorHandle applied, TensorHandle factors, long enabled, int inplace, out TensorHandle @out);
    [LibraryImport(Lib)] internal static partial int rs_vision_resized_crop(TensorHandle images, TensorHandle boxes, long outH, long outW, long mode, TensorHandle flip, out TensorHandle @out);
    [LibraryImport(Lib)] internal static partial int rs_vision_gaussian_blur(TensorHandle images, TensorHandle taps, TensorHandle flags, int inplace, out TensorHandle @out);
    [LibraryImport(Lib)] internal static partial int rs_vision_solarize(TensorHandle images, double threshold, TensorHandle flags, int inplace, out TensorHandle @out);
    [LibraryImport(Lib)] internal static partial int rs_vision_grayscale(TensorHandle images, TensorHandle flags, int inplace, out TensorHandle @out);
}
