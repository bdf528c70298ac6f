namespace ReLICv2.Data;

/// <summary>The parts of STL-10: labelled train (5 000), labelled test (8 000) and unlabelled (100 000) images.</summary>
public enum Stl10Split
{
    Train,
    Test,
    Unlabeled,
}
