namespace ReLICv2.Experiments;

/// <summary>Where the foreground masks of an experiment come from (<see cref="MaskSourceSpec"/>; docs/method.md §1.3).</summary>
public enum MaskSourceKind
{
    /// <summary>The masks the dataset ships (<see cref="Data.IImageDataset.HasMasks"/>; the synthetic shapes).</summary>
    Dataset,

    /// <summary>PNG masks in a folder that mirrors an image folder's tree (<c>MASKS/train/cat/a.png</c> for <c>ROOT/train/cat/a.jpg</c>).</summary>
    Folder,

    /// <summary>The boundary-contrast estimator (<see cref="Vision.BoundaryContrastSaliencyEstimator"/>).</summary>
    BoundaryContrast,

    /// <summary>The spectral-residual estimator (<see cref="Vision.SpectralResidualSaliencyEstimator"/>).</summary>
    SpectralResidual,
}
