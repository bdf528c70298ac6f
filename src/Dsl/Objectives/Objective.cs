namespace ReLICv2.Objectives;

/// <summary>
/// A scalar objective expression (an <see cref="Expr{T}"/> of <see cref="Scalar"/>): a loss over one view pair.
/// Objectives combine with <c>a + b</c>, <c>a - b</c>, <c>0.5 * a</c>, <c>a * 0.5</c> (double, float and int
/// overloads for F#) into a flat <see cref="WeightedSum"/>, and compile to a tensor function with <see cref="Compile"/>.
/// </summary>
public abstract record Objective : Expr<Scalar>
{
    private protected Objective()
    {
    }

    /// <summary>Validates the expression and compiles it to a function over (online, target) tensors.</summary>
    /// <exception cref="ArgumentException">The expression is well typed but not well formed (e.g. a cross-entropy against a diagonal the logits do not have).</exception>
    public CompiledObjective Compile() => new(this);

    /// <summary>The weighted terms of this objective: its own terms for a <see cref="WeightedSum"/>, else the single term 1·this.</summary>
    public IReadOnlyList<WeightedTerm> AsTerms() => this is WeightedSum sum ? sum.Terms : [new WeightedTerm(1, this)];

    /// <summary>a + b (the terms of both, in order).</summary>
    public static Objective operator +(Objective a, Objective b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return new WeightedSum([.. a.AsTerms(), .. b.AsTerms()]);
    }

    /// <summary>a − b = a + (−1)·b.</summary>
    public static Objective operator -(Objective a, Objective b) => a + -1.0 * b;

    /// <summary>−a = (−1)·a.</summary>
    public static Objective operator -(Objective a) => -1.0 * a;

    /// <summary>c·a: every term's weight multiplied by c.</summary>
    public static Objective operator *(double c, Objective a)
    {
        ArgumentNullException.ThrowIfNull(a);
        return new WeightedSum(a.AsTerms().Select(t => t with { Weight = c * t.Weight }).ToArray());
    }

    /// <summary>a·c.</summary>
    public static Objective operator *(Objective a, double c) => c * a;

    /// <summary>c·a.</summary>
    public static Objective operator *(float c, Objective a) => (double)c * a;

    /// <summary>a·c.</summary>
    public static Objective operator *(Objective a, float c) => (double)c * a;

    /// <summary>c·a.</summary>
    public static Objective operator *(int c, Objective a) => (double)c * a;

    /// <summary>a·c.</summary>
    public static Objective operator *(Objective a, int c) => (double)c * a;

    /// <summary>a + c (a constant term).</summary>
    public static Objective operator +(Objective a, double c) => a + new Constant(c);

    /// <summary>c + a (a constant term).</summary>
    public static Objective operator +(double c, Objective a) => new Constant(c) + a;

    /// <summary>a − c.</summary>
    public static Objective operator -(Objective a, double c) => a + new Constant(-c);

    /// <summary>c − a.</summary>
    public static Objective operator -(double c, Objective a) => new Constant(c) - a;

    /// <summary>a + c (a constant term).</summary>
    public static Objective operator +(Objective a, int c) => a + (double)c;

    /// <summary>c + a (a constant term).</summary>
    public static Objective operator +(int c, Objective a) => (double)c + a;

    /// <summary>a − c.</summary>
    public static Objective operator -(Objective a, int c) => a - (double)c;

    /// <summary>c − a.</summary>
    public static Objective operator -(int c, Objective a) => (double)c - a;
}
