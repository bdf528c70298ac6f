namespace ReLICv2.Augmentation;

/// <summary>A crop rectangle in source pixels: rows Top … Top+Height−1, columns Left … Left+Width−1.</summary>
public sealed record CropBox(int Top, int Left, int Height, int Width)
{
    /// <summary>Compact form, e.g. <c>(12,30 140x180)</c>.</summary>
    public override string ToString() => $"({Top},{Left} {Height}x{Width})";
}
