namespace ReLICv2.Data;

/// <summary>
/// Brings a decoded image to a fixed size the way evaluation pipelines do: scale (bilinear, antialiased) so that it
/// covers height × width, then crop the centre. Used for ImageFolder images and the masks that mirror them.
/// </summary>
internal static class ImageFit
{
    /// <summary>Planar [C,h,w] bytes of <paramref name="image"/> covering and centre-cropped to h × w.</summary>
    internal static byte[] CoverAndCrop(Vision.DecodedImage image, int height, int width)
    {
        if (image.Height == height && image.Width == width) return image.ToPlanar();
        using var scope = Torch.NewScope();
        using var noGrad = Torch.NoGrad();
        var x = Torch.FromArray(image.Pixels, image.Height, image.Width, image.Channels)
            .Permute(2, 0, 1).To(DType.Float32).Unsqueeze(0);
        var scale = Math.Max((double)height / image.Height, (double)width / image.Width);
        var h = Math.Max(height, (int)Math.Round(image.Height * scale));
        var w = Math.Max(width, (int)Math.Round(image.Width * scale));
        var resized = Torch.Interpolate(x, h, w, InterpolationMode.Bilinear, alignCorners: false, antialias: scale < 1);
        var cropped = resized.Narrow(2, (h - height) / 2, height).Narrow(3, (w - width) / 2, width);
        return cropped.Round().Clamp(0, 255).To(DType.UInt8).Contiguous().ToArray<byte>();
    }
}
