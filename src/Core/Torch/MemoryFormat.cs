namespace ReLICv2;

/// <summary>
/// How a 4-D [N, C, H, W] tensor is laid out in memory: <see cref="Contiguous"/> (row-major NCHW) or
/// <see cref="ChannelsLast"/> (NHWC strides, the same logical shape), which oneDNN convolutions on the CPU run without
/// reordering. Values and shapes do not depend on the format; only speed does.
/// </summary>
public enum MemoryFormat
{
    Contiguous = 0,
    ChannelsLast = 1,
}
