namespace ReLICv2.Vision;

/// <summary>
/// Random-resized-crop kernel (paper Table 16, first step of every view): each image n of a float batch [N, C, H, W]
/// is cropped to its own box (top, left, height, width in pixels) and resized to one common output size, optionally
/// mirrored left–right, in a single batched <see cref="Torch.GridSample"/> call.
/// </summary>
/// <remarks>
/// <para>Sampling follows torchvision's tensor path <c>resized_crop</c> = crop, then <c>resize(antialias=False)</c> with
/// half-pixel centres (<c>align_corners=False</c>): output pixel j of a crop of width w reads crop coordinate
/// <c>(j + 0.5)·w/W_out − 0.5</c>; bilinear clamps that coordinate at 0 and its taps at the crop's last pixel; bicubic
/// (Keys, a = −0.75) clamps its 4 taps to the crop. Neither low-pass filters when downsampling (torchvision's tensor
/// default in 0.14; PIL images are antialiased), so strong downscaling aliases as in the tensor pipeline. The output
/// is clamped to [0, 1] (bicubic overshoot, last-ulp rounding of bilinear weights).</para>
/// <para>Float32 CPU batches use a fused native kernel (rs_vision.cpp): separable x-then-y resampling per image plane,
/// as PyTorch's upsample kernels, so both modes equal torchvision to float rounding (tested at 1e-5). Other dtypes and
/// devices, or <c>fused: false</c>, use one <see cref="Torch.GridSample"/> call with per-image coordinates: identical
/// for bilinear; for bicubic the taps of samples next to the crop border read the real pixels just outside the crop
/// (clamped only at the image border) where crop-then-resize repeats the crop's edge.</para>
/// <para>With <c>antialias: true</c> the resize is torchvision's <c>resize(antialias=True)</c> (PyTorch's
/// <c>interpolate(…, antialias=True)</c>): along an axis downscaled by s = crop/output &gt; 1 the interpolation filter is
/// widened by s — a triangle of half-width s for bilinear, Keys' cubic with a = −0.5 over ±2s for bicubic — and its taps
/// inside the crop are normalised to sum to 1, so each output pixel averages the source pixels it covers instead of
/// point-sampling them; upscaled axes keep the plain filter. It is computed for any dtype and device as two batched
/// matrix products with per-image resampling matrices (output × source pixels along each axis).</para>
/// </remarks>
public static class ResizedCropKernel
{
    /// <summary>
    /// Crops and resizes every image. <paramref name="boxes"/> is [N, 4] (top, left, height, width) in pixels, each
    /// box inside its image; <paramref name="flip"/> (optional [N] Bool) mirrors the output of the flagged images,
    /// which equals cropping then applying <see cref="HorizontalFlipKernel"/>. <paramref name="antialias"/> low-pass
    /// filters downscaled axes as torchvision's <c>antialias=True</c> (see the remarks); false (default) point-samples.
    /// </summary>
    public static Tensor Apply(Tensor images, Tensor boxes, long outputHeight, long outputWidth,
        InterpolationMode interpolation = InterpolationMode.Bilinear, Tensor? flip = null, bool fused = true, bool antialias = false)
    {
        VisionChecks.Images(images, "ResizedCropKernel");
        if (outputHeight <= 0) throw new ArgumentOutOfRangeException(nameof(outputHeight), outputHeight, "ResizedCropKernel: outputHeight must be > 0");
        if (outputWidth <= 0) throw new ArgumentOutOfRangeException(nameof(outputWidth), outputWidth, "ResizedCropKernel: outputWidth must be > 0");
        if (interpolation is not (InterpolationMode.Bilinear or InterpolationMode.Bicubic))
            throw new ArgumentOutOfRangeException(nameof(interpolation), interpolation, "ResizedCropKernel: interpolation must be Bilinear or Bicubic");
        var n = images.Size(0);
        if (boxes.Rank != 2 || boxes.Size(0) != n || boxes.Size(1) != 4)
            throw new ArgumentException($"ResizedCropKernel: boxes must be [N, 4] = [{n}, 4] (top, left, height, width), got [{string.Join(", ", boxes.Shape)}]", nameof(boxes));
        VisionChecks.PerImage(flip, n, "ResizedCropKernel", nameof(flip));
        var bicubic = interpolation == InterpolationMode.Bicubic;
        if (antialias) return Antialiased(images, boxes, outputHeight, outputWidth, bicubic, flip);
        if (fused && VisionChecks.FusedPath(images))
            return Tensor.Wrap(Native.rs_vision_resized_crop(images.H, boxes.H, outputHeight, outputWidth, bicubic ? 2 : 1,
                flip?.H ?? TensorHandle.Null, out var r), r);
        return Torch.Scoped(() =>
        {
            var b = boxes.To(DType.Float64).To(images.Device);
            var top = b.Narrow(1, 0, 1);
            var left = b.Narrow(1, 1, 1);
            var height = b.Narrow(1, 2, 1);
            var width = b.Narrow(1, 3, 1);
            var gx = Axis(left, width, outputWidth, images.Size(3), bicubic, images.Device);
            var gy = Axis(top, height, outputHeight, images.Size(2), bicubic, images.Device);
            if (flip is not null)
            {
                var mirrored = gx.Flip(1);
                var f = flip.To(DType.Bool).To(images.Device).Reshape(-1, 1);
                gx = Torch.Where(f, mirrored, gx);
            }
            var gridX = gx.Reshape(n, 1, outputWidth).Expand(n, outputHeight, outputWidth);
            var gridY = gy.Reshape(n, outputHeight, 1).Expand(n, outputHeight, outputWidth);
            var grid = Torch.Stack([gridX, gridY], 3).To(images.DType);
            var mode = bicubic ? GridSampleMode.Bicubic : GridSampleMode.Bilinear;
            var sampled = Torch.GridSample(images, grid, mode, GridPadding.Border, alignCorners: false);
            return sampled.Clamp(0, 1);
        });
    }

    /// <summary>Crop and antialiased resize as out[n, c] = Wy[n] · image[n, c] · Wx[n]ᵀ, the flip mirroring the rows of Wx.</summary>
    private static Tensor Antialiased(Tensor images, Tensor boxes, long outputHeight, long outputWidth, bool bicubic, Tensor? flip) =>
        Torch.Scoped(() =>
        {
            var b = boxes.To(DType.Float64).To(images.Device);
            var wy = AntialiasWeights(b.Narrow(1, 0, 1), b.Narrow(1, 2, 1), outputHeight, images.Size(2), bicubic, images.Device);
            var wx = AntialiasWeights(b.Narrow(1, 1, 1), b.Narrow(1, 3, 1), outputWidth, images.Size(3), bicubic, images.Device);
            if (flip is not null)
                wx = Torch.Where(flip.To(DType.Bool).To(images.Device).Reshape(-1, 1, 1), wx.Flip(1), wx);
            var rows = wy.To(images.DType).Unsqueeze(1).Matmul(images);               // [N, C, outH, W]
            return rows.Matmul(wx.To(images.DType).Transpose(1, 2).Unsqueeze(1)).Clamp(0, 1);
        });

    /// <summary>
    /// Resampling matrices [N, out, size] of one axis, as PyTorch's antialiased upsampling computes its taps: with
    /// s = extent/out, centre cₒ = s·(o + 0.5), support r = max(s, 1)·h (h = 1 bilinear, 2 bicubic), the crop-local source
    /// pixels j ∈ [trunc(cₒ − r + 0.5)⁺, min(trunc(cₒ + r + 0.5), extent)) get f((j − cₒ + 0.5)/max(s, 1)), normalised.
    /// </summary>
    private static Tensor AntialiasWeights(Tensor start, Tensor extent, long outputSize, long inputSize, bool bicubic, Device device)
    {
        var o = Torch.Arange(0, outputSize, 1, DType.Float64, device).Reshape(1, -1, 1);
        var (s, first, size) = (extent.Unsqueeze(2) / (double)outputSize, start.Unsqueeze(2), extent.Unsqueeze(2));
        var stretch = s.ClampMin(1);
        var support = stretch * (bicubic ? 2.0 : 1.0);
        var centre = s * (o + 0.5);
        var low = (centre - support + 0.5).Trunc().ClampMin(0);
        var high = (centre + support + 0.5).Trunc().Minimum(size);
        var j = Torch.Arange(0, inputSize, 1, DType.Float64, device).Reshape(1, 1, -1) - first;   // crop-local index of every pixel
        var x = ((j - centre + 0.5) / stretch).Abs();
        var weights = (bicubic ? KeysCubic(x, -0.5) : (1 - x).ClampMin(0)) * j.Ge(low).LogicalAnd(j.Lt(high)).To(DType.Float64);
        return weights / weights.Sum(2, keepDim: true);
    }

    /// <summary>Keys' cubic convolution kernel of |x| with parameter a (0 beyond 2).</summary>
    private static Tensor KeysCubic(Tensor x, double a)
    {
        var near = ((x * (a + 2) - (a + 3)) * x * x + 1) * x.Lt(1).To(DType.Float64);
        var far = ((((x - 5) * x + 8) * x - 4) * a) * x.Ge(1).LogicalAnd(x.Lt(2)).To(DType.Float64);
        return near + far;
    }

    /// <summary>
    /// Normalised grid coordinates [N, out] along one axis: crop start <paramref name="start"/> and extent
    /// <paramref name="extent"/> ([N, 1] pixels) resampled to <paramref name="outputSize"/> samples of an image axis of
    /// <paramref name="inputSize"/> pixels (align_corners = False normalisation: x_norm = (2x + 1)/size − 1).
    /// </summary>
    private static Tensor Axis(Tensor start, Tensor extent, long outputSize, long inputSize, bool bicubic, Device device)
    {
        var j = Torch.Arange(0, outputSize, 1, DType.Float64, device).Reshape(1, -1);
        var scale = extent / (double)outputSize;
        var local = (j + 0.5) * scale - 0.5;
        if (!bicubic) local = local.ClampMin(0).Minimum((extent - 1).ExpandAs(local));
        var pixel = local + start;
        return (pixel * 2.0 + 1.0) / inputSize - 1.0;
    }
}
