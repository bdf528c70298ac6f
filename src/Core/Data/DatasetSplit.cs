namespace ReLICv2.Data;

/// <summary>Which part of a dataset with a fixed train/test split to read.</summary>
public enum DatasetSplit
{
    Train,
    Test,
}
