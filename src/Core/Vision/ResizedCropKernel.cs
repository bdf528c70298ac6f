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
/// </remarks>
public static class ResizedCropKernel
{
    /// <summary>
    /// Crops and resizes every image. <paramref name="boxes"/> is [N, 4] (top, left, height, width) in pixels, each
    /// box inside its image; <paramref name="flip"/> (optional [N] Bool) mirrors the output of the flagged images,
    /// which equals cropping then applying <see cref="HorizontalFlipKernel"/>.
    /// </summary>
    public static Tensor Apply(Tensor images, Tensor boxes, long outputHeight, long outputWidth,
        InterpolationMode interpolation = InterpolationMode.Bilinear, Tensor? flip = null, bool fused = true)
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
