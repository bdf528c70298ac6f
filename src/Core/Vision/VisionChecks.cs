namespace ReLICv2.Vision;

/// <summary>Argument checks shared by the augmentation kernels (shapes of image batches and per-image parameters).</summary>
internal static class VisionChecks
{
    /// <summary>Fails unless <paramref name="images"/> is a floating [N, C, H, W] batch with C in {1, 3}.</summary>
    public static void Images(Tensor images, string kernel, bool rgbOnly = false)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Rank != 4)
            throw new ArgumentException($"{kernel}: images must be [N, C, H, W], got shape [{string.Join(", ", images.Shape)}]", nameof(images));
        if (images.DType is not (DType.Float32 or DType.Float64))
            throw new ArgumentException($"{kernel}: images must be Float32 or Float64 in [0, 1], got {images.DType}", nameof(images));
        var c = images.Size(1);
        if (rgbOnly ? c != 3 : c is not (1 or 3))
            throw new ArgumentException($"{kernel}: images must have {(rgbOnly ? "3" : "1 or 3")} channels, got {c}", nameof(images));
    }

    /// <summary>Fails unless <paramref name="values"/> is a 1-D tensor with one entry per image.</summary>
    public static void PerImage(Tensor? values, long n, string kernel, string name)
    {
        if (values is null) return;
        if (values.Rank != 1 || values.Size(0) != n)
            throw new ArgumentException($"{kernel}: {name} must be [N] = [{n}], got shape [{string.Join(", ", values.Shape)}]", name);
    }

    /// <summary>True when the fused native kernels of rs_vision.cpp apply: Float32 images on the CPU.</summary>
    public static bool FusedPath(Tensor images) => images.DType == DType.Float32 && images.Device.Type == DeviceType.Cpu;

    /// <summary>
    /// Runs an in-place variant: the native kernel writing into <paramref name="images"/> when it is a contiguous
    /// Float32 CPU tensor, otherwise the out-of-place <paramref name="fallback"/> copied back.
    /// </summary>
    public static void InPlace(Tensor images, Func<Tensor> native, Func<Tensor> fallback)
    {
        if (FusedPath(images) && images.IsContiguous)
        {
            using var alias = native();
            return;
        }
        using var result = fallback();
        images.Copy_(result);
    }

    /// <summary>A per-image [N] tensor as a broadcastable [N, 1, 1, 1] tensor of the images' dtype and device.</summary>
    public static Tensor Broadcast(Tensor perImage, Tensor images)
    {
        using var typed = perImage.To(images.DType);
        using var placed = typed.To(images.Device);
        return placed.Reshape(-1, 1, 1, 1);
    }

    /// <summary>A per-image Bool flag tensor as a [N, 1, 1, 1] Bool tensor on the images' device.</summary>
    public static Tensor Flags(Tensor flags, Tensor images)
    {
        using var b = flags.To(DType.Bool);
        using var placed = b.To(images.Device);
        return placed.Reshape(-1, 1, 1, 1);
    }
}
