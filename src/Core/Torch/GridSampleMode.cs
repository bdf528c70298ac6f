namespace ReLICv2;

/// <summary>Interpolation of <see cref="Torch.GridSample"/>; values are libtorch's grid_sampler codes.</summary>
public enum GridSampleMode
{
    Bilinear = 0,
    Nearest = 1,
    Bicubic = 2,
}
