using ReLICv2.Losses;

namespace ReLICv2.Objectives;

/// <summary>
/// An <see cref="Objective"/> compiled to a function over tensors: <see cref="Evaluate"/> maps one view pair's online
/// embeddings o [N, D] and target embeddings t [N, D] to the scalar loss, with the numerics of Core's loss primitives
/// (<see cref="KlDivergence"/>, <see cref="BarlowTwinsLoss"/>, <see cref="VicRegLoss"/>, <see cref="TwistLoss"/>,
/// <see cref="CandidateSampler"/>, …). Distributions are carried as log-probabilities. Equal sub-expressions are
/// evaluated once per call; all <see cref="Candidates"/> nodes with the same negatives share one draw per call.
/// <see cref="EvaluateViews"/> lifts the pair loss to a view set with a <see cref="PairingPolicy"/>.
/// </summary>
public sealed class CompiledObjective
{
    private enum Positive
    {
        None,
        Diagonal,
        First,
    }

    /// <summary>Number of candidate columns as a·N + b·D + c (N batch size, D embedding dimension).</summary>
    private sealed record Width(int PerBatch, int PerDimension, long Offset)
    {
        public static Width operator +(Width x, Width y) => new(x.PerBatch + y.PerBatch, x.PerDimension + y.PerDimension, x.Offset + y.Offset);

        public override string ToString() =>
            string.Join(" + ", new[] { PerBatch != 0 ? $"{PerBatch}·N" : "", PerDimension != 0 ? $"{PerDimension}·D" : "", Offset != 0 ? $"{Offset}" : "" }.Where(p => p.Length > 0));
    }

    private sealed record Shape(Positive Positive, bool Square, Width Columns);

    private static readonly Width Batch = new(1, 0, 0);

    /// <summary>Validates <paramref name="objective"/> and compiles it.</summary>
    /// <exception cref="ArgumentException">A node is applied to logits of the wrong shape (e.g. a transpose of restricted logits, a cross-entropy against a diagonal the logits do not have).</exception>
    public CompiledObjective(Objective objective)
    {
        Objective = objective ?? throw new ArgumentNullException(nameof(objective));
        Validate(objective);
    }

    /// <summary>The compiled expression.</summary>
    public Objective Objective { get; }

    /// <summary>Needs a generator: the expression sub-samples negatives.</summary>
    public bool IsStochastic => Contains(Objective, n => n is Candidates);

    /// <summary>
    /// The loss of one view pair. <paramref name="generator"/> draws the negatives (required when <see cref="IsStochastic"/>).
    /// Intermediate tensors are disposed; the returned scalar carries the autograd graph.
    /// </summary>
    /// <exception cref="ArgumentException">The two inputs differ in shape, are not [N, D], or a generator is needed and missing.</exception>
    public Tensor Evaluate(Tensor online, Tensor target, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(online);
        ArgumentNullException.ThrowIfNull(target);
        if (online.Rank != 2 || !online.Shape.SequenceEqual(target.Shape))
            throw new ArgumentException($"CompiledObjective: online and target must both be [N, D]; got [{string.Join(", ", online.Shape)}] and [{string.Join(", ", target.Shape)}].", nameof(target));
        if (generator is null && IsStochastic)
            throw new ArgumentException("CompiledObjective: this objective sub-samples negatives; pass a Generator.", nameof(generator));
        return Torch.Scoped(() => new Evaluation(online, target, generator).Scalar(Objective));
    }

    /// <summary>This objective as a plain function (online, target, generator) → loss, for engines that take Func&lt;&gt;.</summary>
    public Func<Tensor, Tensor, Generator, Tensor> AsFunc() => (o, t, g) => Evaluate(o, t, g);

    /// <summary>
    /// The loss over a view set (docs/method.md §3): the mean of the pair loss over <paramref name="pairing"/>'s pairs
    /// (online view a, target view t). <paramref name="online"/> holds the online embeddings of every view, large views
    /// first then small; <paramref name="targets"/> the target embeddings of the large views.
    /// </summary>
    /// <exception cref="ArgumentException">Fewer online views than target views, or no target views.</exception>
    public Tensor EvaluateViews(IReadOnlyList<Tensor> online, IReadOnlyList<Tensor> targets, PairingPolicy pairing, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(online);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(pairing);
        if (targets.Count < 1 || online.Count < targets.Count)
            throw new ArgumentException($"CompiledObjective: need at least one target view and at least as many online views (large first) as target views; got {online.Count} online and {targets.Count} target.", nameof(online));
        var pairs = pairing.Pairs(targets.Count, online.Count - targets.Count);
        return Torch.Scoped(() =>
        {
            Tensor? total = null;
            foreach (var pair in pairs)
            {
                var loss = Evaluate(online[pair.Online], targets[pair.Target], generator);
                total = total is null ? loss : total + loss;
            }
            return total! / pairs.Count;
        });
    }

    private static bool Contains(ExprNode node, Func<ExprNode, bool> predicate) =>
        predicate(node) || node.Children().Any(c => Contains(c, predicate));

    private static void Validate(ExprNode node)
    {
        foreach (var child in node.Children()) Validate(child);
        if (node is DiagonalCrossEntropy ce && ShapeOf(ce.Input).Positive == Positive.None)
            throw new ArgumentException($"DiagonalCrossEntropy: the logits {ce.Input} have no positive per row (use a similarity matrix, its transpose, Candidates or JoinColumns with such a left part).", nameof(node));
        if (node is Expr<Logits> logits) ShapeOf(logits);
        if (node is Kl or CrossEntropy)
        {
            var pair = node.Children();
            var (left, right) = (DistributionWidth((Expr<Distribution>)pair[0]), DistributionWidth((Expr<Distribution>)pair[1]));
            if (left != right)
                throw new ArgumentException($"{node.GetType().Name}: both distributions must range over the same candidates, but {pair[0]} has {left} columns and {pair[1]} has {right}.", nameof(node));
        }
    }

    private static Width DistributionWidth(Expr<Distribution> node) => node switch
    {
        Softmax s => ShapeOf(s.Input).Columns,
        StopGradient<Distribution> s => DistributionWidth(s.Input),
        _ => throw new ArgumentException($"CompiledObjective: unknown distribution node {node.GetType().Name}.", nameof(node)),
    };

    private static Shape ShapeOf(Expr<Logits> node) => node switch
    {
        Similarity => new Shape(Positive.Diagonal, true, Batch),
        AsLogits => new Shape(Positive.None, false, new Width(0, 1, 0)),
        Transpose t => RequireSquare(ShapeOf(t.Input), "Transpose", t.Input),
        Candidates c => RequireSquare(ShapeOf(c.Input), "Candidates", c.Input) with { Positive = Positive.First, Square = false, Columns = new Width(0, 0, 1 + c.Negatives.Count!.Value) },
        DropDiagonal d => RequireSquare(ShapeOf(d.Input), "DropDiagonal", d.Input) with { Positive = Positive.None, Square = false, Columns = new Width(1, 0, -1) },
        JoinColumns j => JoinShape(j),
        StopGradient<Logits> s => ShapeOf(s.Input),
        _ => throw new ArgumentException($"CompiledObjective: unknown logits node {node.GetType().Name}.", nameof(node)),
    };

    private static Shape JoinShape(JoinColumns join)
    {
        var left = ShapeOf(join.Left);
        return left with { Square = false, Columns = left.Columns + ShapeOf(join.Right).Columns };
    }

    private static Shape RequireSquare(Shape shape, string op, Expr<Logits> input) => shape.Square
        ? shape
        : throw new ArgumentException($"{op}: needs a square [N, N] logit matrix, but {input} is not square (restricted, joined, without diagonal or class logits).", nameof(input));

    private sealed class Evaluation(Tensor online, Tensor target, Generator? generator)
    {
        private readonly Dictionary<ExprNode, Tensor> memo = [];
        private readonly Dictionary<Negatives, Tensor> candidates = [];

        public Tensor Scalar(Objective node) => Value(node);

        private Tensor Value(ExprNode node)
        {
            if (memo.TryGetValue(node, out var cached)) return cached;
            var value = Compute(node);
            memo[node] = value;
            return value;
        }

        private Tensor Compute(ExprNode node) => node switch
        {
            OnlineEmbeddings => online,
            TargetEmbeddings => target,
            Normalize n => Torch.Normalize(Value(n.Input)),
            Centre c => Value(c.Input) - Value(c.Input).Mean(0, keepDim: true),
            Standardise s => BarlowTwinsLoss.Standardise(Value(s.Input), s.Eps),
            IStopGradient s => Value(s.Inner).Detach(),
            AsLogits a => Value(a.Input) / a.Temperature,
            Similarity s => Value(s.Left).Matmul(Value(s.Right).T()) / s.Temperature,
            Transpose t => Value(t.Input).T(),
            Candidates c => Value(c.Input).Gather(1, CandidateIndices(c.Negatives, Value(c.Input).Size(0))),
            DropDiagonal d => ResslLoss.OffDiagonal(Value(d.Input)),
            JoinColumns j => Torch.Cat([Value(j.Left), Value(j.Right)], 1),
            Softmax s => Value(s.Input).LogSoftmax(1),
            CrossCorrelation c => BarlowTwinsLoss.CrossCorrelation(Value(c.Left), Value(c.Right)),
            DiagonalCrossEntropy ce => DiagonalCe(ce.Input),
            Kl k => KlDivergence.Compute(Value(k.Left), Value(k.Right)),
            CrossEntropy h => KlDivergence.CrossEntropy(Value(h.Left), Value(h.Right)),
            Entropy h => TwistLoss.MeanEntropy(Value(h.Input)),
            EntropyOfMean h => TwistLoss.EntropyOfMean(Value(h.Input)),
            MeanSquaredError m => Torch.MseLoss(Value(m.Left), Value(m.Right)),
            Cosine c => ByolLoss.MeanCosine(Value(c.Left), Value(c.Right)),
            OnDiagonalPenalty p => BarlowTwinsLoss.OnDiagonalPenalty(Value(p.Input)),
            OffDiagonalPenalty p => BarlowTwinsLoss.OffDiagonalPenalty(Value(p.Input)),
            VariancePenalty v => VicRegLoss.VariancePenalty(Value(v.Input), v.Eps),
            CovariancePenalty c => VicRegLoss.CovariancePenalty(Value(c.Input)),
            Constant c => Torch.Scalar(c.Value, online.DType, online.Device),
            WeightedSum s => s.Terms.Select(t => Value(t.Term) * t.Weight).Aggregate((a, b) => a + b),
            _ => throw new ArgumentException($"CompiledObjective: unknown node {node.GetType().Name}.", nameof(node)),
        };

        private Tensor DiagonalCe(Expr<Logits> logits)
        {
            var values = Value(logits);
            var n = values.Size(0);
            var positives = ShapeOf(logits).Positive == Positive.First
                ? Torch.Zeros([n], DType.Int64, values.Device)
                : Torch.Arange(0, n, 1, DType.Int64, values.Device);
            return Torch.NllLoss(values.LogSoftmax(1), positives);
        }

        private Tensor CandidateIndices(Negatives negatives, long batch)
        {
            if (candidates.TryGetValue(negatives, out var idx)) return idx;
            idx = CandidateSampler.Sample(batch, negatives.Count!.Value, generator!, online.Device);
            candidates[negatives] = idx;
            return idx;
        }
    }
}
