namespace ReLICv2.Vision;

/// <summary>
/// RGB ⇄ HSV conversion of float images [N, 3, H, W] in [0, 1], written to follow torchvision 0.14's tensor
/// <c>_rgb2hsv</c> / <c>_hsv2rgb</c> step for step (same branches for grey pixels, same clamps), so that
/// <see cref="ColorJitterKernel.Hue"/> matches adjust_hue.
/// </summary>
public static class HsvColorSpace
{
    /// <summary>HSV [N, 3, H, W] (H in [0, 1) as a fraction of the colour circle) of RGB images.</summary>
    public static Tensor RgbToHsv(Tensor rgb)
    {
        VisionChecks.Images(rgb, "HsvColorSpace.RgbToHsv", rgbOnly: true);
        return Torch.Scoped(() =>
        {
            var r = rgb.Select(1, 0);
            var g = rgb.Select(1, 1);
            var b = rgb.Select(1, 2);
            var maxc = rgb.Max(1).Values;
            var minc = rgb.Min(1).Values;
            var eqc = maxc.Eq(minc);
            var cr = maxc - minc;
            var ones = Torch.Ones(maxc.Shape, maxc.DType, maxc.Device);
            var s = cr / Torch.Where(eqc, ones, maxc);
            var crDivisor = Torch.Where(eqc, ones, cr);
            var rc = (maxc - r) / crDivisor;
            var gc = (maxc - g) / crDivisor;
            var bc = (maxc - b) / crDivisor;
            var isR = maxc.Eq(r);
            var isG = maxc.Eq(g).LogicalAnd(isR.LogicalNot());
            var isB = maxc.Ne(g).LogicalAnd(isR.LogicalNot());
            var hr = isR.To(rgb.DType) * (bc - gc);
            var hg = isG.To(rgb.DType) * (2.0 + rc - bc);
            var hb = isB.To(rgb.DType) * (4.0 + gc - rc);
            var h = ((hr + hg + hb) / 6.0 + 1.0).Remainder(1.0);
            return Torch.Stack([h, s, maxc], 1);
        });
    }

    /// <summary>RGB [N, 3, H, W] of HSV images (inverse of <see cref="RgbToHsv"/>).</summary>
    public static Tensor HsvToRgb(Tensor hsv)
    {
        VisionChecks.Images(hsv, "HsvColorSpace.HsvToRgb", rgbOnly: true);
        return Torch.Scoped(() =>
        {
            var h = hsv.Select(1, 0);
            var s = hsv.Select(1, 1);
            var v = hsv.Select(1, 2);
            var i = (h * 6.0).Floor();
            var f = h * 6.0 - i;
            var sector = i.Remainder(6.0).To(DType.Int64).Unsqueeze(1);
            var p = (v * (1.0 - s)).Clamp(0, 1);
            var q = (v * (1.0 - s * f)).Clamp(0, 1);
            var t = (v * (1.0 - s * (1.0 - f))).Clamp(0, 1);
            Tensor Channel(params Tensor[] bySector) => Torch.Stack(bySector, 1).Gather(1, sector);
            return Torch.Cat([Channel(v, q, p, p, t, v), Channel(t, v, v, q, p, p), Channel(p, p, t, v, v, q)], 1);
        });
    }
}
