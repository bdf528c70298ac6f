namespace ReLICv2.Distributed;

/// <summary>How an all-reduce combines the ranks' values, element by element.</summary>
public enum ReduceOp
{
    Sum = 0,
    Min = 1,
    Max = 2,
    Product = 3,
}
