namespace ReLICv2;

/// <summary>One range recorded by the <see cref="Profiler"/>: an ATen operator (<c>aten::convolution</c>), an autograd node
/// of the backward pass, or a named range; times in microseconds on one clock.</summary>
public readonly record struct ProfiledRange(long Thread, string Name, double StartMicroseconds, double EndMicroseconds)
{
    /// <summary>End minus start, in microseconds.</summary>
    public double DurationMicroseconds => EndMicroseconds - StartMicroseconds;
}
