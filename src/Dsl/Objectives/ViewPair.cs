namespace ReLICv2.Objectives;

/// <summary>One (online view, target view) pair of a view set: indices into the online views (large first, then small) and into the target (large) views.</summary>
/// <param name="Online">Index of the online view.</param>
/// <param name="Target">Index of the target view (a large view).</param>
public sealed record ViewPair(int Online, int Target);
