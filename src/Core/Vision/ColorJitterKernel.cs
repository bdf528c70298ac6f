namespace ReLICv2.Vision;

/// <summary>
/// Colour-jitter kernels (paper Table 16: p = 0.8, brightness/contrast/saturation/hue 0.4/0.4/0.2/0.1), each with
/// torchvision 0.14's float-tensor semantics and a per-image factor, each clipped to [0, 1]:
/// brightness blends with black, contrast with the image's mean grey level, saturation with its grey image, and hue
/// rotates H by the factor on the unit circle in HSV. On one-channel images saturation and hue are identities and
/// contrast uses the mean of the single channel (as torchvision). <see cref="Apply"/> runs the four in a per-image
/// order behind a per-image gate.
/// </summary>
public static class ColorJitterKernel
{
    /// <summary>Colour-op indices used in an order row of <see cref="Apply"/>.</summary>
    public const int BrightnessOp = 0, ContrastOp = 1, SaturationOp = 2, HueOp = 3;

    /// <summary><c>clamp(f·x, 0, 1)</c> with factors [N] ≥ 0 (adjust_brightness).</summary>
    public static Tensor Brightness(Tensor images, Tensor factors)
    {
        VisionChecks.Images(images, "ColorJitterKernel.Brightness");
        VisionChecks.PerImage(factors, images.Size(0), "ColorJitterKernel.Brightness", nameof(factors));
        return Torch.Scoped(() => (VisionChecks.Broadcast(factors, images) * images).Clamp(0, 1));
    }

    /// <summary><c>clamp(f·x + (1 − f)·mean(grey(x)), 0, 1)</c> per image (adjust_contrast).</summary>
    public static Tensor Contrast(Tensor images, Tensor factors)
    {
        VisionChecks.Images(images, "ColorJitterKernel.Contrast");
        VisionChecks.PerImage(factors, images.Size(0), "ColorJitterKernel.Contrast", nameof(factors));
        return Torch.Scoped(() =>
        {
            var grey = images.Size(1) == 3 ? GrayscaleKernel.Luma(images) : images;
            var mean = grey.Mean([1, 2, 3], keepDim: true);
            return Blend(images, mean, VisionChecks.Broadcast(factors, images));
        });
    }

    /// <summary><c>clamp(f·x + (1 − f)·grey(x), 0, 1)</c> per image (adjust_saturation); identity on one channel.</summary>
    public static Tensor Saturation(Tensor images, Tensor factors)
    {
        VisionChecks.Images(images, "ColorJitterKernel.Saturation");
        VisionChecks.PerImage(factors, images.Size(0), "ColorJitterKernel.Saturation", nameof(factors));
        if (images.Size(1) == 1) return images.Clone();
        return Torch.Scoped(() => Blend(images, GrayscaleKernel.Luma(images), VisionChecks.Broadcast(factors, images)));
    }

    /// <summary>
    /// Hue rotation H ← (H + f) mod 1 with factors [N] in [−0.5, 0.5] (adjust_hue); identity on one channel.
    /// Float32 CPU batches use a fused single-pass native kernel with torchvision's float32 arithmetic
    /// (rs_vision.cpp); other dtypes and devices, or <paramref name="fused"/> = false, use the composed tensor form
    /// (<see cref="HsvColorSpace"/>), about 40 full-size passes.
    /// </summary>
    public static Tensor Hue(Tensor images, Tensor factors, bool fused = true)
    {
        VisionChecks.Images(images, "ColorJitterKernel.Hue");
        VisionChecks.PerImage(factors, images.Size(0), "ColorJitterKernel.Hue", nameof(factors));
        if (images.Size(1) == 1) return images.Clone();
        if (fused && VisionChecks.FusedPath(images))
            return Tensor.Wrap(Native.rs_vision_adjust_hue(images.H, factors.H, out var r), r);
        return Torch.Scoped(() =>
        {
            var hsv = HsvColorSpace.RgbToHsv(images);
            var f = factors.To(images.DType).To(images.Device).Reshape(-1, 1, 1);
            var h = (hsv.Select(1, 0) + f).Remainder(1.0);
            var shifted = Torch.Stack([h, hsv.Select(1, 1), hsv.Select(1, 2)], 1);
            return HsvColorSpace.HsvToRgb(shifted);
        });
    }

    /// <summary>
    /// ColorJitter as in torchvision's transform, with the randomness supplied as data: for each image whose
    /// <paramref name="applied"/> flag is set, the ops run in the order of its row of <paramref name="order"/>
    /// ([N, 4] Int64, a permutation of 0 = brightness, 1 = contrast, 2 = saturation, 3 = hue) with that image's
    /// factors. A null factor tensor leaves that op out for every image (torchvision skips ops whose range is zero).
    /// Float32 CPU batches run in one fused native call (rs_vision.cpp: one task per image, each op one pass over
    /// that image, torchvision's float formulas). Otherwise, or with <paramref name="fused"/> = false, per order
    /// position and op the images doing that op are gathered and processed together with the single-op kernels above:
    /// 4 × 4 batched calls at most, never a loop over pixels.
    /// </summary>
    public static Tensor Apply(Tensor images, Tensor order, Tensor applied,
        Tensor? brightness = null, Tensor? contrast = null, Tensor? saturation = null, Tensor? hue = null, bool fused = true) =>
        ApplyCore(images, order, applied, brightness, contrast, saturation, hue, fused, inPlace: false);

    /// <summary>
    /// In-place <see cref="Apply"/>: overwrites <paramref name="images"/> (one native call for contiguous Float32 CPU
    /// batches; otherwise the gathered kernels, copied back).
    /// </summary>
    public static void Apply_(Tensor images, Tensor order, Tensor applied,
        Tensor? brightness = null, Tensor? contrast = null, Tensor? saturation = null, Tensor? hue = null)
    {
        if (VisionChecks.FusedPath(images) && images.IsContiguous)
        {
            using var alias = ApplyCore(images, order, applied, brightness, contrast, saturation, hue, fused: true, inPlace: true);
            return;
        }
        using var result = ApplyCore(images, order, applied, brightness, contrast, saturation, hue, fused: false, inPlace: false);
        images.Copy_(result);
    }

    private static Tensor ApplyCore(Tensor images, Tensor order, Tensor applied,
        Tensor? brightness, Tensor? contrast, Tensor? saturation, Tensor? hue, bool fused, bool inPlace)
    {
        VisionChecks.Images(images, "ColorJitterKernel");
        var n = images.Size(0);
        if (order.Rank != 2 || order.Size(0) != n || order.Size(1) != 4)
            throw new ArgumentException($"ColorJitterKernel: order must be [N, 4] = [{n}, 4], got [{string.Join(", ", order.Shape)}]", nameof(order));
        VisionChecks.PerImage(applied, n, "ColorJitterKernel", nameof(applied));
        Tensor?[] factors = [brightness, contrast, saturation, hue];
        Func<Tensor, Tensor, Tensor>[] ops = [Brightness, Contrast, Saturation, (x, f) => Hue(x, f)];
        for (var k = 0; k < 4; k++) VisionChecks.PerImage(factors[k], n, "ColorJitterKernel", ((string[])["brightness", "contrast", "saturation", "hue"])[k]);
        long[] orders;
        bool[] gate;
        using (var o = order.To(DType.Int64).To(Device.Cpu))
        using (var oc = o.Contiguous())
            orders = oc.ToArray<long>();
        using (var a = applied.To(DType.UInt8).To(Device.Cpu))
        using (var ac = a.Contiguous())
            gate = ac.ToArray<byte>().Select(v => v != 0).ToArray();
        for (var i = 0; i < n; i++)
        {
            if (!gate[i]) continue;
            var seen = 0;
            for (var k = 0; k < 4; k++)
            {
                var op = orders[i * 4 + k];
                if (op is < 0 or > 3 || (seen & (1 << (int)op)) != 0)
                    throw new ArgumentException($"ColorJitterKernel: order row {i} must be a permutation of 0..3, got [{string.Join(", ", orders.Skip(i * 4).Take(4))}]", nameof(order));
                seen |= 1 << (int)op;
            }
        }
        if (fused && VisionChecks.FusedPath(images))
            return Torch.Scoped(() =>
            {
                var enabled = 0L;
                var columns = new Tensor[4];
                for (var k = 0; k < 4; k++)
                {
                    if (factors[k] is not null) enabled |= 1L << k;
                    columns[k] = factors[k]?.To(DType.Float32).To(images.Device) ?? Torch.Zeros([n], DType.Float32, images.Device);
                }
                var stacked = Torch.Stack(columns, 1);
                return Tensor.Wrap(Native.rs_vision_color_jitter(images.H, order.H, applied.H, stacked.H, enabled, inPlace ? 1 : 0, out var r), r);
            });
        return Torch.Scoped(() =>
        {
            var current = images;
            for (var position = 0; position < 4; position++)
            {
                var groups = new List<long>[4];
                var rest = new List<long>();
                for (var j = 0; j < 4; j++) groups[j] = [];
                for (var i = 0; i < n; i++)
                {
                    var op = (int)orders[i * 4 + position];
                    if (gate[i] && factors[op] is not null) groups[op].Add(i); else rest.Add(i);
                }
                if (rest.Count == n) continue;
                var parts = new List<Tensor>();
                var permutation = new List<long>();
                for (var j = 0; j < 4; j++)
                {
                    if (groups[j].Count == 0) continue;
                    if (groups[j].Count == n)
                    {
                        parts.Add(ops[j](current, factors[j]!));
                        permutation.AddRange(groups[j]);
                        continue;
                    }
                    var index = Vector(groups[j].ToArray(), images.Device);
                    parts.Add(ops[j](current.IndexSelect(0, index), factors[j]!.To(images.Device).IndexSelect(0, index)));
                    permutation.AddRange(groups[j]);
                }
                if (rest.Count > 0)
                {
                    parts.Add(current.IndexSelect(0, Vector(rest.ToArray(), images.Device)));
                    permutation.AddRange(rest);
                }
                if (parts.Count == 1) { current = parts[0]; continue; }
                var inverse = new long[n];
                for (var p = 0; p < n; p++) inverse[permutation[p]] = p;
                current = Torch.Cat(parts).IndexSelect(0, Vector(inverse, images.Device));
            }
            return ReferenceEquals(current, images) ? images.Clone() : current;
        });
    }

    private static Tensor Vector(long[] values, Device device) => Torch.FromSpan<long>(values, [values.Length], device);

    private static Tensor Blend(Tensor image, Tensor other, Tensor ratio) => (ratio * image + (1.0 - ratio) * other).Clamp(0, 1);
}
