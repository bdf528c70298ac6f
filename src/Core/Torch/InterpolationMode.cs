namespace ReLICv2;

/// <summary>Resampling kernel of <see cref="Torch.Interpolate"/> (codes of the native shim).</summary>
public enum InterpolationMode
{
    Nearest = 0,
    Bilinear = 1,
    Bicubic = 2,
}
