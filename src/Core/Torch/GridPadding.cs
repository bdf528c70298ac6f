namespace ReLICv2;

/// <summary>What <see cref="Torch.GridSample"/> reads outside the input; values are libtorch's codes.</summary>
public enum GridPadding
{
    Zeros = 0,
    Border = 1,
    Reflection = 2,
}
