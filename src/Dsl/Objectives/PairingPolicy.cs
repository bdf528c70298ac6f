namespace ReLICv2.Objectives;

/// <summary>
/// How a pair objective ℓ(a, t) is lifted to a view set of L large and S small views (docs/method.md §3): which
/// (online view, target view) pairs are formed; the view-set loss is the mean of ℓ over them.
/// <list type="bullet">
/// <item><see cref="ReLICv2"/>: Σ_{i&lt;L+S} Σ_{j&lt;L} ℓ(online_i, target_j) / pair count — with same-view pairs (the
/// paper's pseudo-code) L² + S·L pairs, i.e. divided by (L+S)·L; without them L(L−1) + S·L pairs.</item>
/// <item><see cref="TwoViewSymmetric"/>: ½[ℓ(o₀, t₁) + ℓ(o₁, t₀)] for exactly two large views (official BYOL sums
/// the two, i.e. twice this).</item>
/// <item><see cref="DinoStyle"/>: every online view against every large target view except itself (DINO).</item>
/// </list>
/// </summary>
public sealed record PairingPolicy
{
    /// <summary>Creates a policy.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Unknown kind.</exception>
    /// <exception cref="ArgumentException">Same-view pairs requested for a kind that never forms them.</exception>
    public PairingPolicy(PairingKind kind, bool includeSameView)
    {
        if (!Enum.IsDefined(kind)) throw new ArgumentOutOfRangeException(nameof(kind), kind, "PairingPolicy: unknown PairingKind.");
        if (includeSameView && kind != PairingKind.AllAgainstLarge)
            throw new ArgumentException($"PairingPolicy: includeSameView is only possible with {PairingKind.AllAgainstLarge}; {kind} never pairs a view with itself.", nameof(includeSameView));
        Kind = kind;
        IncludeSameView = includeSameView;
    }

    /// <summary>Which pairs are formed.</summary>
    public PairingKind Kind { get; }

    /// <summary>Whether (online view i, target view i) pairs are included (only for <see cref="PairingKind.AllAgainstLarge"/>).</summary>
    public bool IncludeSameView { get; }

    /// <summary>ReLICv2's pairing: every online view × every large target view, same-view pairs included by default (paper pseudo-code).</summary>
    public static PairingPolicy ReLICv2(bool includeSameView = true) => new(PairingKind.AllAgainstLarge, includeSameView);

    /// <summary>Two-view symmetric pairing (o₀, t₁), (o₁, t₀).</summary>
    public static PairingPolicy TwoViewSymmetric { get; } = new(PairingKind.TwoViewSymmetric, false);

    /// <summary>DINO-style pairing: every online view × every other large target view.</summary>
    public static PairingPolicy DinoStyle { get; } = new(PairingKind.SkipSameView, false);

    /// <summary>The pairs for <paramref name="largeViews"/> large and <paramref name="smallViews"/> small views, online-major order.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Counts out of range for this policy (at least one large view; exactly two large and no small views for the two-view policy; at least two views when same-view pairs are skipped).</exception>
    public IReadOnlyList<ViewPair> Pairs(int largeViews, int smallViews)
    {
        if (largeViews < 1) throw new ArgumentOutOfRangeException(nameof(largeViews), largeViews, "PairingPolicy: need at least 1 large view.");
        if (smallViews < 0) throw new ArgumentOutOfRangeException(nameof(smallViews), smallViews, "PairingPolicy: smallViews must be ≥ 0.");
        if (Kind == PairingKind.TwoViewSymmetric)
        {
            if (largeViews != 2) throw new ArgumentOutOfRangeException(nameof(largeViews), largeViews, "PairingPolicy.TwoViewSymmetric: needs exactly 2 large views.");
            if (smallViews != 0) throw new ArgumentOutOfRangeException(nameof(smallViews), smallViews, "PairingPolicy.TwoViewSymmetric: allows no small views.");
            return [new ViewPair(0, 1), new ViewPair(1, 0)];
        }
        var pairs = new List<ViewPair>();
        for (var a = 0; a < largeViews + smallViews; a++)
            for (var t = 0; t < largeViews; t++)
                if (a != t || IncludeSameView) pairs.Add(new ViewPair(a, t));
        if (pairs.Count == 0) throw new ArgumentOutOfRangeException(nameof(largeViews), largeViews, "PairingPolicy: skipping same-view pairs of a single view leaves no pair; add views.");
        return pairs;
    }

    /// <summary>"ReLICv2 pairing (same-view pairs included)", "two-view symmetric", "DINO-style (same view skipped)".</summary>
    public override string ToString() => Kind switch
    {
        PairingKind.AllAgainstLarge => IncludeSameView ? "all views × large targets (same-view pairs included)" : "all views × large targets (same-view pairs excluded)",
        PairingKind.TwoViewSymmetric => "two-view symmetric",
        _ => "all views × other large targets (DINO-style)",
    };
}
