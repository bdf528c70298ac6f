using FsCheck;
using FsCheck.Fluent;
using ReLICv2.Losses;
using ReLICv2.Objectives;

namespace ReLICv2.Tests;

/// <summary>
/// A generator of random well-typed, well-formed objective expressions over a batch of <see cref="Batch"/> embeddings of
/// dimension <see cref="Dimension"/>, built only from the public <see cref="Expr"/> primitives and operators and the
/// user-defined primitives of <see cref="TestPrimitives"/>.
/// </summary>
public static class RandomExpressions
{
    public const int Batch = 5;
    public const int Dimension = 3;

    private static readonly double[] Temperatures = [0.07, 0.2, 1.0, 3.0];
    private static readonly double[] Weights = [-2.0, -0.5, 0.3, 1.0, 2.5];

    // candidate widths: 0 = N (square), 1 = N − 1 (diagonal dropped), 2 = D (class logits), 2 + k = 1 + k (k sampled negatives)
    private static Gen<int> Width => Gen.Choose(0, 2 + Batch - 1);

    public static Gen<Expr<Embeddings>> Embeddings(int depth) => depth == 0
        ? Gen.Elements(Expr.Online, Expr.Target)
        : Gen.OneOf(
            Embeddings(0),
            Embeddings(depth - 1).Select(Expr.Normalize),
            Embeddings(depth - 1).Select(Expr.Centre),
            Embeddings(depth - 1).Select(x => Expr.Standardise(x)),
            Embeddings(depth - 1).Select(Expr.StopGradient),
            Embeddings(depth - 1).Select(x => TestPrimitives.Squash.Apply<Embeddings>([x], [0.8])));

    public static Gen<Expr<Logits>> Square(int depth) => depth == 0
        ? Gen.Zip(Gen.Zip(Embeddings(2), Embeddings(2), (a, b) => (a, b)), Gen.Elements(Temperatures), (ab, tau) => Expr.Similarity(ab.a, ab.b, tau))
        : Gen.OneOf(Square(0), Square(depth - 1).Select(Expr.Transpose), Square(depth - 1).Select(Expr.StopGradient));

    public static Gen<Expr<Logits>> OfWidth(int width, int depth) => width switch
    {
        0 => Square(depth),
        1 => Square(depth).Select(Expr.DropDiagonal),
        2 => Gen.Zip(Embeddings(2), Gen.Elements(Temperatures), (x, tau) => Expr.AsLogits(x, tau)),
        _ => Square(depth).Select(l => Expr.Candidates(l, Negatives.Sample(width - 2))),
    };

    public static Gen<Expr<Logits>> WithPositive(int depth) => Gen.OneOf(
        Square(depth),
        Gen.Choose(1, Batch - 1).SelectMany(k => OfWidth(2 + k, depth)),
        Gen.Zip(Gen.Choose(0, 1).SelectMany(w => OfWidth(w == 0 ? 0 : 4, depth)), Width.SelectMany(w => OfWidth(w, depth)), Expr.JoinColumns));

    public static Gen<Expr<Distribution>> Distribution(int width, int depth) =>
        Gen.Zip(OfWidth(width, depth).Select(Expr.Softmax), Gen.Elements(false, true), (p, sg) => sg ? Expr.StopGradient(p) : p);

    public static Gen<Expr<Correlation>> Correlation() =>
        Gen.Zip(Embeddings(2), Embeddings(2), Expr.CrossCorrelation).SelectMany(c => Gen.Elements(c, Expr.StopGradient(c)));

    private static Gen<Objective> Leaf(int depth) => Gen.OneOf(
        WithPositive(depth).Select(Expr.DiagonalCrossEntropy),
        Width.SelectMany(w => Gen.Zip(Distribution(w, depth), Distribution(w, depth), Expr.Kl)),
        Width.SelectMany(w => Gen.Zip(Distribution(w, depth), Distribution(w, depth), Expr.CrossEntropy)),
        Width.SelectMany(w => Distribution(w, depth)).Select(Expr.Entropy),
        Width.SelectMany(w => Distribution(w, depth)).Select(Expr.EntropyOfMean),
        Gen.Zip(Embeddings(2), Embeddings(2), Expr.MeanSquaredError),
        Gen.Zip(Embeddings(2), Embeddings(2), Expr.Cosine),
        Correlation().Select(Expr.OnDiagonalPenalty),
        Correlation().Select(Expr.OffDiagonalPenalty),
        Embeddings(2).Select(x => Expr.VariancePenalty(x)),
        Embeddings(2).Select(Expr.CovariancePenalty),
        Gen.Elements(Weights).Select(Expr.Constant),
        Gen.Zip(Gen.Choose(0, 3), Gen.Zip(Embeddings(2), Embeddings(2)), (mask, ab) => TestPrimitives.Distance[mask].Apply([ab.Item1, ab.Item2])),
        Embeddings(2).Select(x => TestPrimitives.Uniformity.Apply([x], [0.5])));

    public static Gen<Objective> Objective(int depth) => depth == 0
        ? Leaf(1)
        : Gen.OneOf(
            Leaf(1),
            Gen.Choose(1, 3).SelectMany(n => Gen.ArrayOf(Gen.Zip(Gen.Elements(Weights), Objective(depth - 1), (w, o) => new WeightedTerm(w, o)), n))
                .Select(terms => Expr.Sum(terms)),
            Gen.Zip(Objective(depth - 1), Objective(depth - 1), (a, b) => a + b),
            Gen.Zip(Gen.Elements(Weights), Objective(depth - 1), (w, o) => w * o));

    public static Arbitrary<Objective> Arbitrary { get; } = Objective(2).ToArbitrary();
}
