using ReLICv2.Losses;
using ReLICv2.Training;

namespace ReLICv2.Objectives;

/// <summary>
/// An <see cref="Objective"/> compiled to a function over tensors: <see cref="Evaluate"/> maps one view pair's online
/// embeddings o [N, D] and target embeddings t [N, D] to the scalar loss, with the numerics of Core's loss primitives
/// (<see cref="KlDivergence"/>, <see cref="BarlowTwinsLoss"/>, <see cref="VicRegLoss"/>, <see cref="TwistLoss"/>,
/// <see cref="CandidateSampler"/>, …). Distributions are carried as log-probabilities. Equal sub-expressions are
/// evaluated once per call; all <see cref="Candidates"/> nodes with the same negatives share one draw per call.
/// <see cref="EvaluateViews"/> lifts the pair loss to a view set with a <see cref="PairingPolicy"/>.
/// <para>
/// Data parallelism (docs/distributed.md): with a <see cref="GlobalBatch"/> of R &gt; 1 ranks, the inputs are this rank's
/// n rows of the global batch of R·n and the loss is the mean over the n local anchors, so that the gradients summed
/// over ranks and divided by R are those of the single-process loss on the global batch. Embedding expressions are
/// row-wise and evaluated on the local rows; the candidate side (columns) of a <see cref="Similarity"/> is the same
/// expression on the gathered inputs (<see cref="GlobalBatch.Gather"/>, without autograd), so a similarity is
/// [n, R·n]; its transpose is the swapped similarity; the positive of local anchor i is global column
/// <see cref="GlobalBatch.RowOffset"/>(n) + i; <see cref="Candidates"/> draws, from the same generator state on every
/// rank, the rows of this rank out of the draw for the global batch; <see cref="DropDiagonal"/> drops the global
/// column of the anchor. Gathered candidates carry no gradient and whole-batch statistics are not all-reduced, so an
/// objective that needs either is refused (<see cref="DataParallelProblems"/>, <see cref="ValidateForDataParallel"/>).
/// </para>
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
        DataParallelProblems = FindDataParallelProblems(objective);
    }

    /// <summary>The compiled expression.</summary>
    public Objective Objective { get; }

    /// <summary>Needs a generator: the expression sub-samples negatives.</summary>
    public bool IsStochastic => Contains(Objective, n => n is Candidates);

    /// <summary>
    /// Why this objective cannot be trained data-parallel on more than one rank, one sentence per offending node (its
    /// printed formula first): a node that needs whole-batch statistics (centre, standardise, corr, var, cov, H(mean P), a
    /// user <see cref="Primitive"/> not declared <see cref="PrimitiveLocality.RowWise"/>),
    /// or a similarity (or transpose) whose candidate columns receive a gradient in their context, since candidates
    /// are gathered from every rank without autograd. Empty when the objective is data-parallel safe.
    /// </summary>
    public IReadOnlyList<string> DataParallelProblems { get; }

    /// <summary>True when <see cref="DataParallelProblems"/> is empty: the loss can be evaluated under a <see cref="GlobalBatch"/> of any size.</summary>
    public bool IsDataParallelSafe => DataParallelProblems.Count == 0;

    /// <summary>
    /// Refuses, before training starts, a data-parallel run of <paramref name="worldSize"/> ranks that this objective
    /// cannot do (see <see cref="DataParallelProblems"/>); WorldSize 1 is always accepted. <see cref="Evaluate"/> and
    /// <see cref="EvaluateViews"/> make the same check before their first gather.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">worldSize is below 1.</exception>
    /// <exception cref="InvalidOperationException">worldSize &gt; 1 and the objective is not data-parallel safe; the message names every offending node.</exception>
    public void ValidateForDataParallel(int worldSize)
    {
        if (worldSize < 1) throw new ArgumentOutOfRangeException(nameof(worldSize), worldSize, "CompiledObjective: worldSize must be ≥ 1.");
        if (worldSize == 1 || IsDataParallelSafe) return;
        throw new InvalidOperationException(
            $"CompiledObjective: WorldSize {worldSize} is not possible for {Objective}; it allows only WorldSize 1 (one rank), because:"
            + string.Concat(DataParallelProblems.Select(p => "\n  - " + p)));
    }

    /// <summary>
    /// The loss of one view pair. <paramref name="generator"/> draws the negatives (required when <see cref="IsStochastic"/>).
    /// Intermediate tensors are disposed; the returned scalar carries the autograd graph. <paramref name="global"/> null or
    /// of WorldSize 1: the single-process loss (unchanged). Of WorldSize R &gt; 1: online and target are this rank's n rows,
    /// and the result is the mean over its n anchors scored against the R·n global candidates (see the class remarks);
    /// each raw input is gathered at most once, only when a candidate side needs it, in the order the expression asks
    /// for it (the same on every rank); the generator must be in the same state on every rank.
    /// </summary>
    /// <exception cref="ArgumentException">The two inputs differ in shape, are not [N, D], or a generator is needed and missing.</exception>
    /// <exception cref="InvalidOperationException">WorldSize &gt; 1 and the objective is not data-parallel safe (see <see cref="ValidateForDataParallel"/>); thrown before any gather.</exception>
    public Tensor Evaluate(Tensor online, Tensor target, Generator? generator = null, GlobalBatch? global = null)
    {
        ArgumentNullException.ThrowIfNull(online);
        ArgumentNullException.ThrowIfNull(target);
        if (online.Rank != 2 || !online.Shape.SequenceEqual(target.Shape))
            throw new ArgumentException($"CompiledObjective: online and target must both be [N, D]; got [{string.Join(", ", online.Shape)}] and [{string.Join(", ", target.Shape)}].", nameof(target));
        if (generator is null && IsStochastic)
            throw new ArgumentException("CompiledObjective: this objective sub-samples negatives; pass a Generator.", nameof(generator));
        if (global is not { WorldSize: > 1 })
            return Torch.Scoped(() => new Evaluation(online, target, generator, null).Scalar(Objective));
        ValidateForDataParallel(global.WorldSize);
        using var owned = global is GatherOnce ? null : new GatherOnce(global);
        var gather = owned ?? (GatherOnce)global;
        return Torch.Scoped(() => new Evaluation(online, target, generator, gather).Scalar(Objective));
    }

    /// <summary>This objective as a plain function (online, target, generator) → loss, for engines that take Func&lt;&gt;.</summary>
    public Func<Tensor, Tensor, Generator, Tensor> AsFunc() => (o, t, g) => Evaluate(o, t, g);

    /// <summary>
    /// The loss over a view set (docs/method.md §3): the mean of the pair loss over <paramref name="pairing"/>'s pairs
    /// (online view a, target view t). <paramref name="online"/> holds the online embeddings of every view, large views
    /// first then small; <paramref name="targets"/> the target embeddings of the large views. Under a
    /// <paramref name="global"/> batch of WorldSize &gt; 1 every pair is evaluated as in <see cref="Evaluate"/>, and each
    /// view tensor is gathered at most once for all pairs.
    /// </summary>
    /// <exception cref="ArgumentException">Fewer online views than target views, or no target views.</exception>
    /// <exception cref="InvalidOperationException">WorldSize &gt; 1 and the objective is not data-parallel safe; thrown before any gather.</exception>
    public Tensor EvaluateViews(IReadOnlyList<Tensor> online, IReadOnlyList<Tensor> targets, PairingPolicy pairing, Generator? generator = null,
        GlobalBatch? global = null)
    {
        ArgumentNullException.ThrowIfNull(online);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(pairing);
        if (targets.Count < 1 || online.Count < targets.Count)
            throw new ArgumentException($"CompiledObjective: need at least one target view and at least as many online views (large first) as target views; got {online.Count} online and {targets.Count} target.", nameof(online));
        var pairs = pairing.Pairs(targets.Count, online.Count - targets.Count);
        if (global is { WorldSize: > 1 }) ValidateForDataParallel(global.WorldSize);
        using var owned = global is { WorldSize: > 1 } and not GatherOnce ? new GatherOnce(global) : null;
        var shared = owned ?? global;
        return Torch.Scoped(() =>
        {
            Tensor? total = null;
            foreach (var pair in pairs)
            {
                var loss = Evaluate(online[pair.Online], targets[pair.Target], generator, shared);
                total = total is null ? loss : total + loss;
            }
            return total! / pairs.Count;
        });
    }

    /// <summary>
    /// The terms of this objective (<see cref="Objectives.Objective.AsTerms"/>, unweighted, in order) over a view set, in
    /// one evaluation pass per view pair: sub-expressions shared by several terms (the logits of the pair, its softmaxes)
    /// are computed once, and candidate negatives are drawn once per pair and shared by every term — exactly what
    /// evaluating the whole objective draws, so Σ wₖ·termₖ equals <see cref="EvaluateViews"/> from the same generator
    /// state, and the generator advances once per step whatever the terms sample.
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="EvaluateViews"/>; or a generator is needed and missing.</exception>
    /// <exception cref="InvalidOperationException">WorldSize &gt; 1 and the objective is not data-parallel safe; thrown before any gather.</exception>
    public IReadOnlyList<Tensor> EvaluateTerms(IReadOnlyList<Tensor> online, IReadOnlyList<Tensor> targets, PairingPolicy pairing, Generator? generator = null,
        GlobalBatch? global = null)
    {
        ArgumentNullException.ThrowIfNull(online);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(pairing);
        if (targets.Count < 1 || online.Count < targets.Count)
            throw new ArgumentException($"CompiledObjective: need at least one target view and at least as many online views (large first) as target views; got {online.Count} online and {targets.Count} target.", nameof(online));
        if (generator is null && IsStochastic)
            throw new ArgumentException("CompiledObjective: this objective sub-samples negatives; pass a Generator.", nameof(generator));
        var distributed = global is { WorldSize: > 1 };
        if (distributed) ValidateForDataParallel(global!.WorldSize);
        using var owned = distributed && global is not GatherOnce ? new GatherOnce(global!) : null;
        var gather = distributed ? owned ?? (GatherOnce)global! : null;
        var terms = Objective.AsTerms();
        var pairs = pairing.Pairs(targets.Count, online.Count - targets.Count);
        using var scope = Torch.NewScope();
        var sums = new Tensor?[terms.Count];
        foreach (var pair in pairs)
        {
            var (o, t) = (online[pair.Online], targets[pair.Target]);
            if (o.Rank != 2 || !o.Shape.SequenceEqual(t.Shape))
                throw new ArgumentException($"CompiledObjective: online and target must both be [N, D]; got [{string.Join(", ", o.Shape)}] and [{string.Join(", ", t.Shape)}].", nameof(online));
            var evaluation = new Evaluation(o, t, generator, gather);
            for (var k = 0; k < terms.Count; k++)
            {
                var value = evaluation.Scalar(terms[k].Term);
                sums[k] = sums[k] is { } s ? s + value : value;
            }
        }
        return [.. sums.Select(s => scope.MoveOut(s! / pairs.Count))];
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

    private static IReadOnlyList<string> FindDataParallelProblems(Objective objective)
    {
        var problems = new List<string>();
        VisitForDataParallel(objective, live: true, problems);
        return problems.Distinct(StringComparer.Ordinal).ToArray();
    }

    /// <summary>Walks the expression as the data-parallel evaluation does; <paramref name="live"/>: a gradient reaches this node's value.</summary>
    private static void VisitForDataParallel(ExprNode node, bool live, List<string> problems)
    {
        if (BatchStatistic(node) is { } statistic)
            problems.Add($"{(node is IPrimitiveCall call ? $"Primitive '{call.Primitive.Name}'" : node.GetType().Name)} {node}: needs {statistic} over the global batch, i.e. batch statistics across ranks, which this version does not all-reduce; train on one rank.");
        switch (node)
        {
            case IStopGradient stop:
                VisitForDataParallel(stop.Inner, live: false, problems);
                return;
            case Similarity s when live && s.Right.Flow != GradientFlow.None:
                problems.Add($"Similarity {s}: its candidates (columns) {s.Right} receive a gradient here, but under data parallelism the candidates "
                    + "are the global batch, gathered from every rank without autograd, so the other ranks' rows would miss their gradient; "
                    + $"wrap the candidates in a stop-gradient (sg[{s.Right}]) or the whole relation (sg[softmax(…)]), or train on one rank.");
                break;
            case Transpose t:
                var (similarity, swapped, stopped) = Orient(t.Input, swapped: true, stopped: false);
                var (rows, columns) = swapped ? (similarity.Right, similarity.Left) : (similarity.Left, similarity.Right);
                if (live && !stopped && columns.Flow != GradientFlow.None)
                    problems.Add($"Transpose {t}: under data parallelism it is computed as the swapped similarity, local {rows} × gathered {columns}; "
                        + $"its candidates (columns) {columns} receive a gradient here, but they are gathered from every rank without autograd, so the "
                        + $"other ranks' rows would miss their gradient; wrap them in a stop-gradient (sg[{columns}]) or the whole relation (sg[softmax(…)]), or train on one rank.");
                VisitForDataParallel(similarity.Left, live && !stopped, problems);
                VisitForDataParallel(similarity.Right, live && !stopped, problems);
                return;
            case IPrimitiveCall p:
                for (var i = 0; i < p.Inputs.Count; i++) VisitForDataParallel(p.Inputs[i], live && !p.Primitive.StopsGradient(i), problems);
                return;
        }
        foreach (var child in node.Children()) VisitForDataParallel(child, live, problems);
    }

    private static string? BatchStatistic(ExprNode node) => node switch
    {
        Centre => "the batch mean",
        Standardise => "the batch mean and variance",
        CrossCorrelation => "the cross-correlation aᵀb/N",
        VariancePenalty => "the batch variance",
        CovariancePenalty => "the batch covariance",
        EntropyOfMean => "the batch-mean distribution",
        IPrimitiveCall { Primitive.Locality: PrimitiveLocality.WholeBatch } => "the whole batch (the primitive declares PrimitiveLocality.WholeBatch)",
        IPrimitiveCall { Primitive.Locality: PrimitiveLocality.Unknown } =>
            "possibly the whole batch (the primitive does not declare its locality; declare PrimitiveLocality.RowWise if row i of its value depends on row i of its inputs only)",
        _ => null,
    };

    /// <summary>
    /// A square logit matrix (a similarity under transposes and stop-gradients) as its similarity, whether it is
    /// swapped (rows are the similarity's right operand) and whether a stop-gradient cuts it.
    /// </summary>
    private static (Similarity Similarity, bool Swapped, bool Stopped) Orient(Expr<Logits> square, bool swapped, bool stopped) => square switch
    {
        Similarity s => (s, swapped, stopped),
        Transpose t => Orient(t.Input, !swapped, stopped),
        StopGradient<Logits> g => Orient(g.Input, swapped, stopped: true),
        _ => throw new ArgumentException($"CompiledObjective: {square} is not a square similarity matrix.", nameof(square)),
    };

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

    /// <summary>One evaluation; <paramref name="global"/> non-null only under data parallelism (WorldSize &gt; 1).</summary>
    private sealed class Evaluation(Tensor online, Tensor target, Generator? generator, GatherOnce? global)
    {
        private readonly Dictionary<ExprNode, Tensor> memo = [];
        private readonly Dictionary<ExprNode, Tensor> gathered = [];
        private readonly Dictionary<Negatives, Tensor> candidates = [];

        /// <summary>Global index of local row 0 (0 in a single process).</summary>
        private long Offset => global?.RowOffset(online.Size(0)) ?? 0;

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
            Similarity s => Value(s.Left).Matmul(Columns(s.Right).T()) / s.Temperature,
            Transpose t => global is null ? Value(t.Input).T() : SwappedSimilarity(t),
            Candidates c => Value(c.Input).Gather(1, CandidateIndices(c.Negatives, Value(c.Input).Size(0))),
            DropDiagonal d => global is null ? ResslLoss.OffDiagonal(Value(d.Input)) : DropOwnColumn(Value(d.Input)),
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
            IPrimitiveCall p => p.Primitive.Evaluate(p.Inputs.Select((x, i) => p.Primitive.StopsGradient(i) ? Value(x).Detach() : Value(x)).ToArray(), p.Parameters),
            _ => throw new ArgumentException($"CompiledObjective: unknown node {node.GetType().Name}.", nameof(node)),
        };

        /// <summary>The candidate side of a similarity: the local value in a single process, else the value over the gathered global batch.</summary>
        private Tensor Columns(Expr<Embeddings> node) => global is null ? Value(node) : Gathered(node);

        /// <summary>An embedding expression evaluated on the gathered inputs [R·n, D] (valid: every embedding node allowed here is row-wise).</summary>
        private Tensor Gathered(ExprNode node)
        {
            if (gathered.TryGetValue(node, out var cached)) return cached;
            var value = node switch
            {
                OnlineEmbeddings => global!.Gather(online),
                TargetEmbeddings => global!.Gather(target),
                Normalize n => Torch.Normalize(Gathered(n.Input)),
                IStopGradient s => Gathered(s.Inner),
                IPrimitiveCall { Primitive.Locality: PrimitiveLocality.RowWise } p when p.Primitive.Result == typeof(Embeddings) =>
                    p.Primitive.Evaluate(p.Inputs.Select(Gathered).ToArray(), p.Parameters),
                _ => throw new InvalidOperationException($"CompiledObjective: {node} cannot be evaluated over the global batch (it is not row-wise)."),
            };
            gathered[node] = value;
            return value;
        }

        /// <summary>Rows of Lᵀ for the local anchors: the similarity with its operands swapped (local rows × global columns).</summary>
        private Tensor SwappedSimilarity(Transpose transpose)
        {
            var (s, swapped, stopped) = Orient(transpose.Input, swapped: true, stopped: false);
            var value = Value(swapped ? new Similarity(s.Right, s.Left, s.Temperature) : s);
            return stopped ? value.Detach() : value;
        }

        /// <summary>Row i of a local-rows × global-columns matrix without global column Offset + i (the anchor itself).</summary>
        private Tensor DropOwnColumn(Tensor square)
        {
            var (rows, columns) = (square.Size(0), square.Size(1));
            var own = Torch.Arange(Offset, Offset + rows, 1, DType.Int64, square.Device).Unsqueeze(1);
            var keep = Torch.Arange(0, columns, 1, DType.Int64, square.Device).Unsqueeze(0).Ne(own);
            return square.MaskedSelect(keep).View(rows, columns - 1);
        }

        private Tensor DiagonalCe(Expr<Logits> logits)
        {
            var values = Value(logits);
            var n = values.Size(0);
            var positives = ShapeOf(logits).Positive == Positive.First
                ? Torch.Zeros([n], DType.Int64, values.Device)
                : Torch.Arange(Offset, Offset + n, 1, DType.Int64, values.Device);
            return Torch.NllLoss(values.LogSoftmax(1), positives);
        }

        private Tensor CandidateIndices(Negatives negatives, long rows)
        {
            if (candidates.TryGetValue(negatives, out var idx)) return idx;
            idx = global is null
                ? CandidateSampler.Sample(rows, negatives.Count!.Value, generator!, online.Device)
                : CandidateSampler.SampleRows(rows * global.WorldSize, negatives.Count!.Value, Offset, rows, generator!, online.Device);
            candidates[negatives] = idx;
            return idx;
        }
    }
}
