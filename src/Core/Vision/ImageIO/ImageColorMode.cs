namespace ReLICv2.Vision;

/// <summary>Which channels a decoder produces.</summary>
public enum ImageColorMode
{
    /// <summary>Grey images stay 1-channel, everything else becomes 3-channel RGB (alpha dropped).</summary>
    Auto,
    /// <summary>Always 3-channel RGB.</summary>
    Rgb,
    /// <summary>Always 1-channel grey (luminance).</summary>
    Gray,
    /// <summary>Always 4-channel RGBA (opaque alpha 255 where the file has none).</summary>
    Rgba,
}
