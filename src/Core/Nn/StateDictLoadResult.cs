namespace ReLICv2.Nn;

/// <summary>
/// What <see cref="Module.LoadStateDict"/> did not match: keys the module has but the state dict lacks (left unchanged),
/// and keys the state dict has but the module does not (ignored). Both are empty after a strict load.
/// </summary>
public sealed record StateDictLoadResult(IReadOnlyList<string> MissingKeys, IReadOnlyList<string> UnexpectedKeys)
{
    /// <summary>True when every key matched.</summary>
    public bool IsExact => MissingKeys.Count == 0 && UnexpectedKeys.Count == 0;
}
