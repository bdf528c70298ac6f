using ReLICv2.Nn;

namespace ReLICv2.Experiments;

/// <summary>
/// The encoder f: a ResNet of the given depth, base width and width multiplier, with the small-image stem option and the
/// stem's max-pool kept or dropped (null: torchvision's stem keeps it, the small stem drops it).
/// </summary>
public sealed record EncoderSpec
{
    public EncoderSpec(int depth = 50, long baseWidth = 64, int widthMultiplier = 1, bool smallImageStem = false, bool? stemMaxPool = null,
        bool channelsLast = true)
    {
        Depth = depth is 18 or 34 or 50 or 101 or 152 or 200 ? depth
            : throw new ArgumentOutOfRangeException(nameof(depth), depth, "EncoderSpec.Depth must be one of 18, 34, 50, 101, 152, 200");
        BaseWidth = baseWidth is >= 1 and <= 1024 ? baseWidth : throw new ArgumentOutOfRangeException(nameof(baseWidth), baseWidth, "EncoderSpec.BaseWidth must be in [1, 1024]");
        WidthMultiplier = widthMultiplier is 1 or 2 or 4 ? widthMultiplier
            : throw new ArgumentOutOfRangeException(nameof(widthMultiplier), widthMultiplier, "EncoderSpec.WidthMultiplier must be 1, 2 or 4");
        SmallImageStem = smallImageStem;
        StemMaxPool = stemMaxPool;
        ChannelsLast = channelsLast;
    }

    public int Depth { get; }

    public long BaseWidth { get; }

    public int WidthMultiplier { get; }

    public bool SmallImageStem { get; }

    public bool? StemMaxPool { get; }

    /// <summary>
    /// Convolution weights laid out channels-last (<see cref="MemoryFormat.ChannelsLast"/>), so oneDNN convolves without
    /// reordering on every call; the values computed are the same up to floating-point summation order.
    /// </summary>
    public bool ChannelsLast { get; }

    public ResNet Build(int inChannels, Generator generator)
    {
        var net = new ResNet(Depth, generator, WidthMultiplier, SmallImageStem, inChannels: inChannels, baseWidth: BaseWidth, stemMaxPool: StemMaxPool);
        if (ChannelsLast) net.To(MemoryFormat.ChannelsLast);
        return net;
    }
}
