using ReLICv2.Nn;

namespace ReLICv2.Experiments;

/// <summary>The encoder f: a ResNet of the given depth, base width and width multiplier, with the small-image stem option.</summary>
public sealed record EncoderSpec
{
    public EncoderSpec(int depth = 50, long baseWidth = 64, int widthMultiplier = 1, bool smallImageStem = false)
    {
        Depth = depth is 18 or 34 or 50 or 101 or 152 or 200 ? depth
            : throw new ArgumentOutOfRangeException(nameof(depth), depth, "EncoderSpec.Depth must be one of 18, 34, 50, 101, 152, 200");
        BaseWidth = baseWidth is >= 1 and <= 1024 ? baseWidth : throw new ArgumentOutOfRangeException(nameof(baseWidth), baseWidth, "EncoderSpec.BaseWidth must be in [1, 1024]");
        WidthMultiplier = widthMultiplier is 1 or 2 or 4 ? widthMultiplier
            : throw new ArgumentOutOfRangeException(nameof(widthMultiplier), widthMultiplier, "EncoderSpec.WidthMultiplier must be 1, 2 or 4");
        SmallImageStem = smallImageStem;
    }

    public int Depth { get; }

    public long BaseWidth { get; }

    public int WidthMultiplier { get; }

    public bool SmallImageStem { get; }

    public ResNet Build(int inChannels, Generator generator) =>
        new(Depth, generator, WidthMultiplier, SmallImageStem, inChannels: inChannels, baseWidth: BaseWidth);
}
