namespace ReLICv2.Vision;

/// <summary>
/// A decoded 8-bit image in interleaved height × width × channels order (HWC, row-major), as JPEG and PNG decoders
/// produce it: <see cref="Channels"/> is 1 (grey), 3 (RGB) or 4 (RGBA).
/// </summary>
/// <param name="Width">Width in pixels (&gt; 0).</param>
/// <param name="Height">Height in pixels (&gt; 0).</param>
/// <param name="Channels">Interleaved channels per pixel: 1, 3 or 4.</param>
/// <param name="Pixels">Width·Height·Channels bytes, row by row, channels interleaved.</param>
public sealed record DecodedImage(int Width, int Height, int Channels, byte[] Pixels)
{
    /// <summary>Width in pixels.</summary>
    public int Width { get; } = Width > 0 ? Width
        : throw new ArgumentOutOfRangeException(nameof(Width), Width, "DecodedImage: Width must be > 0");

    /// <summary>Height in pixels.</summary>
    public int Height { get; } = Height > 0 ? Height
        : throw new ArgumentOutOfRangeException(nameof(Height), Height, "DecodedImage: Height must be > 0");

    /// <summary>Channels per pixel.</summary>
    public int Channels { get; } = Channels is 1 or 3 or 4 ? Channels
        : throw new ArgumentOutOfRangeException(nameof(Channels), Channels, "DecodedImage: Channels must be 1, 3 or 4");

    /// <summary>The interleaved pixel bytes (HWC).</summary>
    public byte[] Pixels { get; } = Pixels is null ? throw new ArgumentNullException(nameof(Pixels))
        : Pixels.LongLength == (long)Width * Height * Channels ? Pixels
        : throw new ArgumentException(
            $"DecodedImage: Pixels holds {Pixels.LongLength} bytes, Width·Height·Channels = {Width}·{Height}·{Channels} = {(long)Width * Height * Channels}",
            nameof(Pixels));

    /// <summary>The pixels as a planar [C,H,W] byte array (channel-first, the tensor layout).</summary>
    public byte[] ToPlanar()
    {
        if (Channels == 1) return (byte[])Pixels.Clone();
        var plane = Width * Height;
        var result = new byte[Pixels.Length];
        for (var c = 0; c < Channels; c++)
        {
            var dst = result.AsSpan(c * plane, plane);
            for (int i = 0, s = c; i < plane; i++, s += Channels) dst[i] = Pixels[s];
        }
        return result;
    }

    /// <summary>The image as a new uint8 tensor [C,H,W] (owned by the caller or the current scope).</summary>
    public Tensor ToTensor() => Torch.FromArray(ToPlanar(), Channels, Height, Width);

    /// <summary>Value equality including the pixel bytes.</summary>
    public bool Equals(DecodedImage? other) =>
        other is not null && Width == other.Width && Height == other.Height && Channels == other.Channels &&
        Pixels.AsSpan().SequenceEqual(other.Pixels);

    public override int GetHashCode() => HashCode.Combine(Width, Height, Channels, Pixels.Length);

    public override string ToString() => $"DecodedImage {Width}x{Height}x{Channels}";
}
