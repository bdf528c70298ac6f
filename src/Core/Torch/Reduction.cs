namespace ReLICv2;

/// <summary>How a loss reduces its per-element values; <c>None</c>, <c>Mean</c> and <c>Sum</c> are libtorch's codes.</summary>
public enum Reduction
{
    None = 0,
    Mean = 1,
    Sum = 2,

    /// <summary>Sum divided by the batch size (size of dim 0): the mathematically correct KL mean.</summary>
    BatchMean = 3,
}
