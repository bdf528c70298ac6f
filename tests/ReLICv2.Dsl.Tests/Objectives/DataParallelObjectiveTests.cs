using FsCheck;
using FsCheck.Fluent;
using ReLICv2.Experiments;
using ReLICv2.Losses;
using ReLICv2.Objectives;
using ReLICv2.Training;
using Xunit;

namespace ReLICv2.Tests;

/// <summary>
/// Data-parallel evaluation of compiled objectives, with R ranks simulated in one process: rank r holds rows
/// r·n … r·n + n − 1 of every global view and gathers the others' rows detached. The mean of the R rank losses, and its
/// gradient with respect to the global online embeddings, must equal the single-process loss of the global batch;
/// objectives that need batch statistics or gradients through gathered candidates are refused.
/// </summary>
public class DataParallelObjectiveTests
{
    private const double Tolerance = 1e-9;

    /// <summary>One simulated rank: Gather returns the rows of all ranks of the global tensor whose slice was passed, detached, in rank order.</summary>
    private sealed class SimulatedRank(int rank, int worldSize, IReadOnlyList<(Tensor Local, Tensor Global)> views) : GlobalBatch(rank, worldSize)
    {
        /// <summary>Indices (into the views) of the gathered tensors, in call order.</summary>
        public List<int> Gathers { get; } = [];

        public override Tensor Gather(Tensor local)
        {
            var index = Enumerable.Range(0, views.Count).Single(i => ReferenceEquals(views[i].Local, local));
            Gathers.Add(index);
            var n = local.Size(0);
            return Torch.Cat(Enumerable.Range(0, WorldSize).Select(r => views[index].Global.Narrow(0, r * n, n).Detach()).ToArray(), 0);
        }
    }

    /// <summary>A loss over view lists (online large-first, targets) with an optional global batch.</summary>
    private delegate Tensor ViewLoss(IReadOnlyList<Tensor> online, IReadOnlyList<Tensor> targets, Generator generator, GlobalBatch? global);

    private sealed record Run(Tensor Mean, IReadOnlyList<SimulatedRank> Ranks, IReadOnlyList<byte[]> GeneratorStates);

    /// <summary>(1/R)·Σ_r loss_r, every rank starting from a generator seeded with <paramref name="seed"/>.</summary>
    private static Run DataParallel(ViewLoss loss, Tensor[] online, Tensor[] targets, int worldSize, ulong seed)
    {
        var n = online[0].Size(0) / worldSize;
        Tensor? total = null;
        var ranks = new List<SimulatedRank>();
        var states = new List<byte[]>();
        for (var r = 0; r < worldSize; r++)
        {
            var localOnline = online.Select(o => o.Narrow(0, r * n, n)).ToArray();
            var localTargets = targets.Select(t => t.Narrow(0, r * n, n)).ToArray();
            var rank = new SimulatedRank(r, worldSize, [.. localOnline.Zip(online), .. localTargets.Zip(targets)]);
            var generator = new Generator(seed);
            var value = loss(localOnline, localTargets, generator, rank);
            total = total is null ? value : total + value;
            ranks.Add(rank);
            states.Add(generator.GetState());
        }
        return new Run(total! / worldSize, ranks, states);
    }

    private static Tensor[] Embeddings(int count, long rows, long dim, ulong seed, bool grad) =>
        Enumerable.Range(0, count)
            .Select(v => Torch.Randn([rows, dim], new Generator(seed + (ulong)v), DType.Float64).RequireGrad(grad))
            .ToArray();

    private static bool Close(double expected, double actual) => Math.Abs(expected - actual) <= Tolerance * Math.Max(1, Math.Abs(expected));

    private static double MaxDifference(IReadOnlyList<Tensor?> expected, IReadOnlyList<Tensor?> actual) =>
        expected.Zip(actual).Max(p => (p.First! - p.Second!).Abs().Max().Item() / Math.Max(1e-3, p.First!.Abs().Max().Item()));

    /// <summary>Asserts value, gradient wrt the global online embeddings and final generator state against the single process.</summary>
    private static Run AssertSameAsSingleProcess(ViewLoss loss, Tensor[] online, Tensor[] targets, int worldSize, string what)
    {
        var singleGenerator = new Generator(17);
        var single = loss(online, targets, singleGenerator, null);
        var run = DataParallel(loss, online, targets, worldSize, 17);
        Assert.True(Close(single.Item(), run.Mean.Item()), $"{what}, R = {worldSize}: single process {single.Item():R}, mean over ranks {run.Mean.Item():R}");
        var expected = Torch.Grad([single], online);
        var actual = Torch.Grad([run.Mean], online);
        var difference = MaxDifference(expected, actual);
        Assert.True(difference <= Tolerance, $"{what}, R = {worldSize}: gradient wrt the online embeddings differs by {difference:R} (relative)");
        Assert.All(run.GeneratorStates, s => Assert.Equal(singleGenerator.GetState(), s));
        return run;
    }

    private static ViewLoss Pair(CompiledObjective compiled) => (o, t, g, global) => compiled.Evaluate(o[0], t[0], g, global);

    private static ViewLoss Views(CompiledObjective compiled, PairingPolicy pairing) => (o, t, g, global) => compiled.EvaluateViews(o, t, pairing, g, global);

    private static ViewLoss Adapter(PairedObjective objective)
    {
        var loss = PretrainingAdapters.Loss(objective);
        return (o, t, g, global) => loss(o, t, g, global).Total;
    }

    [Theory]
    [InlineData(2, 0), InlineData(3, 0), InlineData(2, 3), InlineData(3, 5)]
    public void Relic_pair_loss_averaged_over_ranks_is_the_global_loss_in_value_and_gradient(int worldSize, int k)
    {
        using var scope = Torch.NewScope();
        var negatives = k == 0 ? Negatives.All : Negatives.Sample(k);
        var compiled = Presets.ReLICv2(negatives: negatives).Pair.Compile();
        Assert.True(compiled.IsDataParallelSafe);
        var online = Embeddings(1, 4L * worldSize, 5, 100, grad: true);
        var targets = Embeddings(1, 4L * worldSize, 5, 200, grad: false);
        var run = AssertSameAsSingleProcess(Pair(compiled), online, targets, worldSize, $"ReLIC k = {negatives}");
        // the CE's candidates are the gathered target, the KL target distribution's are the gathered online rows; once each
        Assert.All(run.Ranks, r => Assert.Equal([1, 0], r.Gathers));
    }

    [Theory]
    [InlineData(2, 0), InlineData(3, 0), InlineData(2, 4), InlineData(3, 2)]
    public void ReLICv2_view_set_loss_and_engine_adapter_averaged_over_ranks_are_the_global_loss(int worldSize, int k)
    {
        using var scope = Torch.NewScope();
        var objective = Presets.ReLICv2(negatives: k == 0 ? Negatives.All : Negatives.Sample(k));
        var online = Embeddings(4, 3L * worldSize, 6, 300, grad: true);     // 2 large + 2 small views
        var targets = Embeddings(2, 3L * worldSize, 6, 400, grad: false);   // the 2 large views' targets
        // views of the simulated rank: online 0..3, then targets 4..5
        var whole = AssertSameAsSingleProcess(Views(objective.Pair.Compile(), objective.Pairing), online, targets, worldSize, "EvaluateViews");
        Assert.All(whole.Ranks, r => Assert.Equal([4, 0, 5, 1, 2, 3], r.Gathers));
        // the adapter evaluates CE and KL in the same pass per pair, so it gathers exactly as the whole objective does
        var adapter = AssertSameAsSingleProcess(Adapter(objective), online, targets, worldSize, "PretrainingAdapters.Loss");
        Assert.All(adapter.Ranks, r => Assert.Equal([4, 0, 5, 1, 2, 3], r.Gathers));
    }

    [Fact]
    public void Adapter_terms_averaged_over_ranks_are_the_global_terms()
    {
        using var scope = Torch.NewScope();
        const int worldSize = 3;
        var loss = PretrainingAdapters.Loss(Presets.ReLICv2(negatives: Negatives.Sample(4)));
        var online = Embeddings(3, 2L * worldSize, 4, 500, grad: true);
        var targets = Embeddings(2, 2L * worldSize, 4, 600, grad: false);
        var single = loss(online, targets, new Generator(3), null);
        var sums = new Dictionary<string, double>();
        for (var r = 0; r < worldSize; r++)
        {
            var localOnline = online.Select(o => o.Narrow(0, r * 2, 2)).ToArray();
            var localTargets = targets.Select(t => t.Narrow(0, r * 2, 2)).ToArray();
            var rank = new SimulatedRank(r, worldSize, [.. localOnline.Zip(online), .. localTargets.Zip(targets)]);
            foreach (var (name, value) in loss(localOnline, localTargets, new Generator(3), rank).Terms)
                sums[name] = sums.GetValueOrDefault(name) + value.Item() / worldSize;
        }
        Assert.Equal(["contrastive", "invariance"], single.Terms.Keys.Order());
        foreach (var (name, value) in single.Terms)
            Assert.True(Close(value.Item(), sums[name]), $"{name}: single process {value.Item():R}, mean over ranks {sums[name]:R}");
    }

    [Theory]
    [InlineData(2), InlineData(3)]
    public void Transposes_dropped_diagonals_joined_columns_row_wise_terms_and_primitives_agree_with_the_single_process(int worldSize)
    {
        using var scope = Torch.NewScope();
        var o = Expr.Normalize(Expr.Online);
        var t = Expr.StopGradient(Expr.Normalize(Expr.Target));
        var l = Expr.Similarity(o, t, 0.2);
        var objective =
            Expr.DiagonalCrossEntropy(Expr.Transpose(Expr.Similarity(t, o, 0.3)))                       // rows ô, columns sg[t̂]
            + 0.5 * Expr.Kl(Expr.Softmax(l), Expr.StopGradient(Expr.Softmax(Expr.Transpose(l))))       // rows sg[t̂], gathered ô (no gradient)
            + Expr.DiagonalCrossEntropy(Expr.Candidates(Expr.Transpose(Expr.Similarity(t, o, 0.3)), Negatives.Sample(3)))
            + Expr.DiagonalCrossEntropy(Expr.JoinColumns(l, Expr.DropDiagonal(Expr.Similarity(o, Expr.StopGradient(o), 0.2))))
            + Presets.Ressl()
            + 0.3 * Expr.Entropy(Expr.Softmax(Expr.AsLogits(Expr.Online, 2)))
            + 0.1 * Expr.MeanSquaredError(Expr.Online, Expr.StopGradient(Expr.Target))
            - Expr.Cosine(Expr.Online, Expr.StopGradient(Expr.Target))
            + 1.5
            + Expr.DiagonalCrossEntropy(Expr.Similarity(TestPrimitives.Squash.Apply<Embeddings>([o], [2.0]), Expr.StopGradient(TestPrimitives.Squash.Apply<Embeddings>([t], [2.0])), 0.3));
        var compiled = objective.Compile();
        Assert.Empty(compiled.DataParallelProblems);
        var online = Embeddings(1, 3L * worldSize, 4, 700, grad: true);
        var targets = Embeddings(1, 3L * worldSize, 4, 800, grad: false);
        var run = AssertSameAsSingleProcess(Pair(compiled), online, targets, worldSize, "composite");
        Assert.All(run.Ranks, r => Assert.Equal([1, 0], r.Gathers));
        Assert.Empty(DataParallel(Pair(Presets.Byol().Compile()), online, targets, worldSize, 1).Ranks.SelectMany(r => r.Gathers));
    }

    [Theory]
    [InlineData(2), InlineData(3)]
    public void Candidate_sets_of_the_ranks_stacked_are_the_single_process_candidate_sets(int worldSize)
    {
        using var scope = Torch.NewScope();
        const long n = 3, k = 2;
        var rows = n * worldSize;
        // ∂/∂o_i of CE(diag, (o·sg[t]ᵀ)|k) with one-hot t_j = e_j is Σ_{c ∈ C_i} (p_ic − [c = i]) e_c / rows: its support is C_i
        var compiled = Expr.DiagonalCrossEntropy(Expr.Candidates(Expr.Similarity(Expr.Online, Expr.StopGradient(Expr.Target), 1), Negatives.Sample(k))).Compile();
        var online = Embeddings(1, rows, rows, 900, grad: true);
        var targets = new[] { Torch.Eye(rows, null, DType.Float64) };
        var singleGenerator = new Generator(5);
        var singleGradient = Torch.Grad([compiled.Evaluate(online[0], targets[0], singleGenerator)], online)[0]!;
        var expected = CandidateSampler.Sample(rows, k, new Generator(5)).ToArray<long>();
        var run = DataParallel(Pair(compiled), online, targets, worldSize, 5);
        var rankGradient = Torch.Grad([run.Mean], online)[0]!;
        var (single, ranks) = (singleGradient.ToArray<double>(), rankGradient.ToArray<double>());
        for (var i = 0; i < rows; i++)
        {
            var candidates = expected.Skip((int)(i * (k + 1))).Take((int)(k + 1)).Order().ToArray();
            Assert.Equal(candidates, Enumerable.Range(0, (int)rows).Where(c => single[i * rows + c] != 0).Select(c => (long)c));
            Assert.Equal(candidates, Enumerable.Range(0, (int)rows).Where(c => ranks[i * rows + c] != 0).Select(c => (long)c));
        }
        Assert.All(run.GeneratorStates, s => Assert.Equal(singleGenerator.GetState(), s));
    }

    public static TheoryData<string, Func<Objective>, string[]> Refused => new()
    {
        { "Barlow Twins", () => Presets.BarlowTwins(), ["CrossCorrelation corr(standardise(o), standardise(t))", "Standardise standardise(o)", "needs the batch mean and variance over the global batch"] },
        { "VICReg", () => Presets.VicReg(), ["VariancePenalty var(o)", "CovariancePenalty cov(t)", "needs the batch covariance over the global batch"] },
        { "TWIST", () => Presets.Twist(), ["EntropyOfMean H(mean softmax(o))"] },
        { "centred BYOL", () => Expr.Cosine(Expr.Centre(Expr.Online), Expr.StopGradient(Expr.Target)), ["Centre centre(o): needs the batch mean"] },
        { "SimCLR", () => Presets.SimClr(), ["Similarity ô·t̂ᵀ/0.5: its candidates (columns) t̂ receive a gradient here", "Similarity ô·ôᵀ/0.5", "Similarity t̂·t̂ᵀ/0.5"] },
        { "ReLIC without stop-gradient", () => Presets.Relic(kl: KlHandling.NoStopGradient), ["Similarity sg[t̂]·ôᵀ/0.1: its candidates (columns) ô receive a gradient here"] },
        { "ReLIC reverse KL", () => Presets.Relic(kl: KlHandling.Reverse), ["Similarity sg[t̂]·ôᵀ/0.1"] },
        { "whole-batch primitive", () => Presets.Relic() + TestPrimitives.Uniformity.Apply([Expr.Normalize(Expr.Online)], [2.0]), ["Primitive 'test.uniformity' test.uniformity(ô; t=2): needs the whole batch"] },
        { "undeclared primitive", () => Presets.Relic() + TestPrimitives.Distance[0].Apply([Expr.Online, Expr.Target]), ["Primitive 'test.distance0' test.distance0(o, t)", "does not declare its locality"] },
        {
            "transposed CE", () => Expr.DiagonalCrossEntropy(Expr.Transpose(Expr.Similarity(Expr.Normalize(Expr.Online), Expr.StopGradient(Expr.Normalize(Expr.Target)), 0.1))),
            ["Transpose (ô·sg[t̂]ᵀ/0.1)ᵀ: under data parallelism it is computed as the swapped similarity, local sg[t̂] × gathered ô; its candidates (columns) ô receive a gradient here"]
        },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Objectives_needing_batch_statistics_or_gradients_through_candidates_are_refused_on_two_ranks_naming_the_node(
        string name, Func<Objective> make, string[] named)
    {
        using var scope = Torch.NewScope();
        var compiled = make().Compile();
        Assert.False(compiled.IsDataParallelSafe, name);
        var online = Embeddings(1, 8, 4, 1000, grad: true);
        var targets = Embeddings(1, 8, 4, 1100, grad: true);
        var local = new[] { online[0].Narrow(0, 0, 4), targets[0].Narrow(0, 0, 4) };
        var rank = new SimulatedRank(0, 2, [(local[0], online[0]), (local[1], targets[0])]);
        var early = Assert.Throws<InvalidOperationException>(() => compiled.ValidateForDataParallel(2));
        var late = Assert.Throws<InvalidOperationException>(() => compiled.Evaluate(local[0], local[1], new Generator(1), rank));
        var adapter = Assert.Throws<InvalidOperationException>(() => PretrainingAdapters.Loss(new PairedObjective(make(), PairingPolicy.ReLICv2()))([local[0]], [local[1]], new Generator(1), rank));
        foreach (var e in new[] { early, late, adapter })
        {
            Assert.StartsWith("CompiledObjective: WorldSize 2 is not possible for ", e.Message);
            Assert.Contains("it allows only WorldSize 1 (one rank)", e.Message);
            Assert.Contains("train on one rank", e.Message);
            foreach (var text in named) Assert.Contains(text, e.Message);
        }
        Assert.Contains(compiled.DataParallelProblems, p => p.Contains("batch statistics across ranks", StringComparison.Ordinal)
            || p.Contains("gathered from every rank without autograd", StringComparison.Ordinal));
        Assert.Empty(rank.Gathers);   // refused before the first collective call
        compiled.ValidateForDataParallel(1);
        Assert.Throws<ArgumentOutOfRangeException>(() => compiled.ValidateForDataParallel(0));
    }

    public static TheoryData<string, Func<Objective>> AllKinds => new()
    {
        { "ReLIC sampled", () => Presets.Relic(temperature: 0.2, negatives: Negatives.Sample(3)) },
        { "ReLIC symmetric", () => Presets.Relic(kl: KlHandling.Symmetric) },
        { "SimCLR", () => Presets.SimClr() },
        { "Barlow Twins", () => Presets.BarlowTwins() },
        { "VICReg", () => Presets.VicReg() },
        { "ReSSL", () => Presets.Ressl() },
        { "TWIST", () => Presets.Twist() },
    };

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void One_rank_or_no_global_batch_gives_exactly_the_single_process_value_and_gradient_without_gathering(string name, Func<Objective> make)
    {
        using var scope = Torch.NewScope();
        var compiled = make().Compile();
        var online = Embeddings(1, 6, 4, 1200, grad: true)[0];
        var target = Embeddings(1, 6, 4, 1300, grad: true)[0];
        var (g0, g1) = (new Generator(8), new Generator(8));
        var plain = compiled.Evaluate(online, target, g0);
        var rank = new SimulatedRank(0, 1, [(online, online), (target, target)]);
        var one = compiled.Evaluate(online, target, g1, rank);
        Assert.True(plain.Item() == one.Item(), $"{name}: {plain.Item():R} vs {one.Item():R}");
        Assert.True(Torch.Grad([plain], [online, target], retainGraph: true)[0]!.Equal(Torch.Grad([one], [online, target], retainGraph: true)[0]!), name);
        Assert.Equal(g0.GetState(), g1.GetState());
        var views = compiled.EvaluateViews([online, target], [online, target], PairingPolicy.TwoViewSymmetric, new Generator(8), rank);
        Assert.True(compiled.EvaluateViews([online, target], [online, target], PairingPolicy.TwoViewSymmetric, new Generator(8)).Item() == views.Item(), name);
        Assert.Empty(rank.Gathers);
    }

    private sealed class LocalOnly(int rank, int worldSize) : GlobalBatch(rank, worldSize)
    {
        public override Tensor Gather(Tensor local) => local.Detach();
    }

    [Fact]
    public void A_gather_of_the_wrong_shape_is_reported_with_the_expected_shape()
    {
        using var scope = Torch.NewScope();
        var x = Torch.Randn([4, 3], new Generator(1), DType.Float64);
        var e = Assert.Throws<InvalidOperationException>(() => Presets.Relic().Compile().Evaluate(x, x, null, new LocalOnly(1, 2)));
        Assert.Contains("GlobalBatch.Gather: for local rows [4, 3] on 2 ranks the result must be [8, 3]", e.Message);
        Assert.Contains("got [4, 3]", e.Message);
    }

    [Fact]
    public void Data_parallel_evaluation_does_not_leak_tensors()
    {
        var online = Embeddings(3, 6, 4, 1400, grad: false).Select(t => t.DetachFromScope()).ToArray();
        var targets = online.Take(2).Select(t => (t * 2).DetachFromScope()).ToArray();
        var objective = Presets.ReLICv2(negatives: Negatives.Sample(3));
        var compiled = objective.Pair.Compile();
        var loss = PretrainingAdapters.Loss(objective);
        var local = online.Concat(targets).Select(t => t.Narrow(0, 3, 3).DetachFromScope()).ToArray();
        var rank = new SimulatedRank(1, 2, [.. local.Zip(online.Concat(targets))]);
        var g = new Generator(2);
        // counted in a thread-local scope, which every tensor created on this thread and not disposed would stay in
        using (var scope = Torch.NewScope())
        {
            compiled.Evaluate(local[0], local[3], g, rank).Dispose();
            compiled.EvaluateViews(local[..3], local[3..], objective.Pairing, g, rank).Dispose();
            Assert.Equal(0, scope.Count);
        }
        // the adapter leaves its intermediate term tensors to the caller's scope (the engine's step scope); a global batch adds none
        int Left(Tensor[] views, GlobalBatch? global)
        {
            using var scope = Torch.NewScope();
            var value = loss(views[..3], views[3..], g, global);
            value.Total.Dispose();
            foreach (var term in value.Terms.Values) term.Dispose();
            return scope.Count;
        }
        Assert.Equal(Left([.. online, .. targets], null), Left(local, rank));
        Assert.Equal(2 + 5 + 5, rank.Gathers.Count);   // each needed view once per call: 2, 5 and 5 tensors
        foreach (var t in online.Concat(targets).Concat(local)) t.Dispose();
    }

    private sealed record Case(int N, int D, int R, int K, int Large, int Small, double Tau, int Seed);

    private static readonly Arbitrary<Case> Cases =
        (from n in Gen.Choose(1, 4)
         from d in Gen.Choose(2, 5)
         from r in Gen.Choose(2, 3)
         from k in Gen.Choose(0, n * r - 1)
         from large in Gen.Choose(1, 2)
         from small in Gen.Choose(0, 1)
         from tau in Gen.Elements(0.05, 0.1, 0.5)
         from seed in Gen.Choose(0, 100_000)
         select new Case(n, d, r, k, large, small, tau, seed)).ToArbitrary();

    [Fact]
    public void ReLICv2_over_ranks_equals_the_global_batch_for_generated_sizes_ranks_and_negatives() =>
        Prop.ForAll(Cases, c => Torch.ScopedValue(() =>
        {
            var objective = Presets.ReLICv2(temperature: c.Tau, negatives: c.K == 0 ? Negatives.All : Negatives.Sample(c.K));
            var loss = Views(objective.Pair.Compile(), objective.Pairing);
            var online = Embeddings(c.Large + c.Small, c.N * c.R, c.D, (ulong)c.Seed, grad: true);
            var targets = Embeddings(c.Large, c.N * c.R, c.D, (ulong)c.Seed + 50, grad: false);
            var singleGenerator = new Generator((ulong)c.Seed);
            var single = loss(online, targets, singleGenerator, null);
            var run = DataParallel(loss, online, targets, c.R, (ulong)c.Seed);
            var gathers = run.Ranks[0].Gathers;
            return Close(single.Item(), run.Mean.Item())
                && MaxDifference(Torch.Grad([single], online), Torch.Grad([run.Mean], online)) <= Tolerance
                && run.GeneratorStates.All(s => s.SequenceEqual(singleGenerator.GetState()))
                && gathers.Distinct().Count() == gathers.Count
                && gathers.Count == online.Length + targets.Length
                && run.Ranks.All(r => r.Gathers.SequenceEqual(gathers));
        })).Check(Config.QuickThrowOnFailure.WithMaxTest(100).WithQuietOnSuccess(true));
}
