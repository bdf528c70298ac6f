namespace ReLICv2.Objectives;

/// <summary>Which view pairs a <see cref="PairingPolicy"/> forms (docs/method.md §3).</summary>
public enum PairingKind
{
    /// <summary>Every online view (L large + S small) against every large target view (ReLICv2 eq. 4); same-view pairs optional.</summary>
    AllAgainstLarge = 0,

    /// <summary>Two large views, no small ones: (online 0, target 1) and (online 1, target 0) — BYOL/SimCLR symmetrisation.</summary>
    TwoViewSymmetric = 1,

    /// <summary>Every online view against every large target view except itself (DINO / SwAV / most multi-crop code).</summary>
    SkipSameView = 2,
}
