using ReLICv2.Losses;

namespace ReLICv2.Objectives;

/// <summary>
/// The primitives from which objectives are composed (docs/architecture.md §5.3; docs/method.md §2, §5), over one
/// view pair's online embeddings <see cref="Online"/> (o) and target embeddings <see cref="Target"/> (t). The presets in
/// <see cref="Presets"/> use nothing else. Example — ReLIC's loss with the paper's stop-gradient:
/// <code>
///   var l   = Expr.Similarity(Expr.Normalize(Expr.Online), Expr.StopGradient(Expr.Normalize(Expr.Target)), 0.1);
///   var lta = Expr.Similarity(Expr.StopGradient(Expr.Normalize(Expr.Target)), Expr.Normalize(Expr.Online), 0.1);
///   Objective relic = Expr.DiagonalCrossEntropy(l) + 1.0 * Expr.Kl(Expr.Softmax(l), Expr.StopGradient(Expr.Softmax(lta)));
///   // Expr.Kl(l, lta) does not compile: Kl takes two Expr&lt;Distribution&gt;, l and lta are Expr&lt;Logits&gt;.
/// </code>
/// </summary>
public static class Expr
{
    /// <summary>The online embeddings o.</summary>
    public static Expr<Embeddings> Online { get; } = new OnlineEmbeddings();

    /// <summary>The target embeddings t.</summary>
    public static Expr<Embeddings> Target { get; } = new TargetEmbeddings();

    /// <summary>x̂ = x/‖x‖ per row.</summary>
    public static Expr<Embeddings> Normalize(Expr<Embeddings> x) => new Normalize(x);

    /// <summary>x − mean_batch(x).</summary>
    public static Expr<Embeddings> Centre(Expr<Embeddings> x) => new Centre(x);

    /// <summary>(x − mean)/sqrt(biased Var + ε) per dimension (BatchNorm without affine).</summary>
    public static Expr<Embeddings> Standardise(Expr<Embeddings> x, double eps = 1e-5) => new Standardise(x, eps);

    /// <summary>sg[x]: same value, no gradient.</summary>
    public static Expr<T> StopGradient<T>(Expr<T> x) => new StopGradient<T>(x);

    /// <summary>Embeddings read as class logits x/τ (TWIST).</summary>
    public static Expr<Logits> AsLogits(Expr<Embeddings> x, double temperature = 1) => new AsLogits(x, temperature);

    /// <summary>L_ij = ⟨a_i, b_j⟩/τ.</summary>
    public static Expr<Logits> Similarity(Expr<Embeddings> a, Expr<Embeddings> b, double temperature) => new Similarity(a, b, temperature);

    /// <summary>Lᵀ (row softmax of Lᵀ = column softmax of L).</summary>
    public static Expr<Logits> Transpose(Expr<Logits> logits) => new Transpose(logits);

    /// <summary>Each row restricted to {i} ∪ k sampled negatives (positive in column 0); <see cref="Negatives.All"/> keeps the matrix as is.</summary>
    public static Expr<Logits> Candidates(Expr<Logits> logits, Negatives negatives)
    {
        ArgumentNullException.ThrowIfNull(negatives);
        return negatives.IsAll ? logits : new Candidates(logits, negatives);
    }

    /// <summary>The square matrix without its diagonal, [N, N − 1].</summary>
    public static Expr<Logits> DropDiagonal(Expr<Logits> logits) => new DropDiagonal(logits);

    /// <summary>[A | B] column-wise.</summary>
    public static Expr<Logits> JoinColumns(Expr<Logits> a, Expr<Logits> b) => new JoinColumns(a, b);

    /// <summary>Row softmax.</summary>
    public static Expr<Distribution> Softmax(Expr<Logits> logits) => new Softmax(logits);

    /// <summary>C = aᵀb/N.</summary>
    public static Expr<Correlation> CrossCorrelation(Expr<Embeddings> a, Expr<Embeddings> b) => new CrossCorrelation(a, b);

    /// <summary>−mean_i log softmax(L_i)[positive of i].</summary>
    public static Objective DiagonalCrossEntropy(Expr<Logits> logits) => new DiagonalCrossEntropy(logits);

    /// <summary>KL(P‖Q), batch mean.</summary>
    public static Objective Kl(Expr<Distribution> p, Expr<Distribution> q) => new Kl(p, q);

    /// <summary>H(P, Q) = −mean_i Σ_j P_ij log Q_ij.</summary>
    public static Objective CrossEntropy(Expr<Distribution> p, Expr<Distribution> q) => new CrossEntropy(p, q);

    /// <summary>Mean per-row entropy.</summary>
    public static Objective Entropy(Expr<Distribution> p) => new Entropy(p);

    /// <summary>Entropy of the batch-mean distribution.</summary>
    public static Objective EntropyOfMean(Expr<Distribution> p) => new EntropyOfMean(p);

    /// <summary>Mean squared error over all elements.</summary>
    public static Objective MeanSquaredError(Expr<Embeddings> a, Expr<Embeddings> b) => new MeanSquaredError(a, b);

    /// <summary>Mean row cosine similarity.</summary>
    public static Objective Cosine(Expr<Embeddings> a, Expr<Embeddings> b) => new Cosine(a, b);

    /// <summary>Σ_i (1 − C_ii)².</summary>
    public static Objective OnDiagonalPenalty(Expr<Correlation> c) => new OnDiagonalPenalty(c);

    /// <summary>Σ_{i≠j} C_ij².</summary>
    public static Objective OffDiagonalPenalty(Expr<Correlation> c) => new OffDiagonalPenalty(c);

    /// <summary>mean_d relu(1 − sqrt(Var_d + ε)).</summary>
    public static Objective VariancePenalty(Expr<Embeddings> x, double eps = 1e-4) => new VariancePenalty(x, eps);

    /// <summary>Σ_{i≠j} Cov_ij² / D.</summary>
    public static Objective CovariancePenalty(Expr<Embeddings> x) => new CovariancePenalty(x);

    /// <summary>A constant.</summary>
    public static Objective Constant(double value) => new Constant(value);

    /// <summary>Σ_k w_k·ℓ_k.</summary>
    public static Objective Sum(IReadOnlyList<WeightedTerm> terms) => new WeightedSum(terms);
}
