namespace ReLICv2;

/// <summary>Where a tensor lives: the CPU or the CUDA device with the given index.</summary>
public readonly record struct Device
{
    private Device(DeviceType type, int index)
    {
        Type = type;
        Index = index;
    }

    public DeviceType Type { get; }

    public int Index { get; }

    public static Device Cpu { get; } = new(DeviceType.Cpu, 0);

    /// <summary>CUDA device <paramref name="index"/>; using it needs a libtorch built with CUDA.</summary>
    public static Device Cuda(int index = 0) =>
        index >= 0 ? new(DeviceType.Cuda, index)
        : throw new ArgumentOutOfRangeException(nameof(index), index, "Device.Cuda: index must be >= 0");

    /// <summary>Parses "cpu", "cuda" or "cuda:N".</summary>
    public static Device Parse(string text)
    {
        var s = text.Trim().ToLowerInvariant();
        if (s == "cpu") return Cpu;
        if (s == "cuda") return Cuda(0);
        if (s.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(s.AsSpan(5), out var i) && i >= 0) return Cuda(i);
        throw new FormatException($"device '{text}' is not one of cpu, cuda, cuda:N (N >= 0)");
    }

    public override string ToString() => Type == DeviceType.Cpu ? "cpu" : $"cuda:{Index}";
}
