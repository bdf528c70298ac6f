using ReLICv2.Data;
using ReLICv2.Distributed;
using ReLICv2.Losses;
using ReLICv2.Nn;
using ReLICv2.Optim;
using ReLICv2.Training;
using Xunit;
using ReLICv2.Tests.References;

namespace ReLICv2.Tests.Distributed;

/// <summary>
/// Data-parallel pre-training against one process on the concatenated global batch: the identity of docs/distributed.md
/// (local anchors against gathered candidates, gradients averaged over ranks, synchronised batch norm) must give the same
/// parameters and buffers.
/// </summary>
public class DataParallelPretrainerTests
{
    private const int GlobalBatch = 8;

    // Float64 so that the comparison shows the identity itself rather than float32 round-off amplified by training
    // (`relic bench ddp` reports the float32 difference).
    private static SiameseNetwork Network()
    {
        using var g = new Generator(11);
        var encoder = new ResNet(18, g, smallImageStem: true, baseWidth: 4, dtype: DType.Float64);
        return new SiameseNetwork(encoder, new MlpHead(32, 32, 16, g, dtype: DType.Float64), new MlpHead(16, 32, 16, g, dtype: DType.Float64));
    }

    /// <summary>Fixed views of the global batch for a step: two 8×8 large views and one 6×6 small view.</summary>
    private static PretrainingViews GlobalViews(long step)
    {
        using var g = new Generator(500 + (ulong)step);
        return new PretrainingViews([Torch.Randn([GlobalBatch, 3, 8, 8], g, DType.Float64), Torch.Randn([GlobalBatch, 3, 8, 8], g, DType.Float64)],
            [Torch.Randn([GlobalBatch, 3, 6, 6], g, DType.Float64)]);
    }

    private static PretrainingViews Rows(PretrainingViews views, int rank, int worldSize)
    {
        var n = GlobalBatch / worldSize;
        return new PretrainingViews([.. views.Large.Select(v => v.Narrow(0, rank * n, n).Contiguous())], [.. views.Small.Select(v => v.Narrow(0, rank * n, n).Contiguous())]);
    }

    private static LossValue Relic(IReadOnlyList<Tensor> online, IReadOnlyList<Tensor> targets, Generator g, GlobalBatch? global)
    {
        var terms = new List<RelicLossTerms>();
        for (var i = 0; i < online.Count; i++)
            for (var j = 0; j < targets.Count; j++)
                if (i != j)
                    terms.Add(global is null ? RelicLoss.Compute(online[i], targets[j], temperature: 0.2) : RelicLoss.Compute(online[i], targets[j], global, temperature: 0.2));
        var n = terms.Count;
        return new LossValue(terms.Select(t => t.Total).Aggregate((a, b) => a + b) / n, new Dictionary<string, Tensor>
        {
            ["contrastive"] = terms.Select(t => t.Contrastive).Aggregate((a, b) => a + b) / n,
            ["invariance"] = terms.Select(t => t.Invariance).Aggregate((a, b) => a + b) / n,
        });
    }

    private static Pretrainer Engine(ProcessGroup? group, bool syncBatchNorm = true)
    {
        var online = Network();
        var optimizer = new Sgd(online.Parameters(), new SgdOptions(0.2, momentum: 0.9, weightDecay: 1e-4));
        return new Pretrainer(online, TargetMode.Ema, optimizer, new WarmupCosineSchedule(10), (_, _) => throw new InvalidOperationException("views are given"),
            Relic, new PretrainingOptions(1, seed: 3), EmaSchedule.Constant(0.9), group, new DataParallelOptions(syncBatchNorm, checksumEvery: 1));
    }

    /// <summary>Every parameter and buffer of the online network and the EMA target, by name, as float64 values.</summary>
    private static Dictionary<string, double[]> State(Pretrainer engine) =>
        engine.Online.NamedParameters().Concat(engine.Online.NamedBuffers()).Select(p => ("online." + p.Name, p.Tensor))
            .Concat(engine.Ema!.Target.NamedParameters().Concat(engine.Ema.Target.NamedBuffers()).Select(p => ("target." + p.Name, p.Tensor)))
            .ToDictionary(x => x.Item1, x => { using var d = x.Item2.To(DType.Float64); return d.ToArray<double>(); });

    private static (Dictionary<string, double[]> State, double[] Losses) Single(int steps)
    {
        using var engine = Engine(null);
        var losses = new List<double>();
        for (var k = 0; k < steps; k++)
            using (var views = GlobalViews(k))
                losses.Add(engine.Step(views, GlobalBatch).Loss);
        return (State(engine), [.. losses]);
    }

    private static (Dictionary<string, double[]> State, double[] Losses)[] Parallel(int worldSize, int steps) => Ranks.Run(worldSize, group =>
    {
        using var engine = Engine(group);
        var losses = new List<double>();
        for (var k = 0; k < steps; k++)
            using (var all = GlobalViews(k))
            using (var mine = Rows(all, group.Rank, worldSize))
                losses.Add(engine.Step(mine, GlobalBatch / worldSize).Loss);
        return (State(engine), losses.ToArray());
    }, timeoutSeconds: 60);

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void Ranks_trained_on_shards_equal_one_process_on_the_global_batch_in_every_parameter_and_buffer(int worldSize)
    {
        var (expected, expectedLosses) = Single(3);
        var ranks = Parallel(worldSize, 3);
        foreach (var (state, losses) in ranks)
        {
            for (var k = 0; k < 3; k++) Assert.Equal(expectedLosses[k], losses[k], 1e-9 * Math.Abs(expectedLosses[k]));
            Assert.Equal(expected.Keys.Order(), state.Keys.Order());
            var worst = 0.0;
            foreach (var (name, values) in expected)
            {
                var actual = state[name];
                var scale = Math.Max(values.Max(Math.Abs), 1e-3);
                var diff = values.Zip(actual, (a, b) => Math.Abs(a - b)).Max();
                worst = Math.Max(worst, diff / scale);
                Assert.True(diff <= 1e-9 * scale, $"{name}: largest difference {diff:G3} against a scale of {scale:G3} (relative {diff / scale:G3})");
            }
            Assert.True(worst > 0 || worldSize == 1, "bit-identical to the single process: suspicious, the ranks may not have sharded anything");
        }
        // The ranks themselves are bit-identical copies.
        foreach (var name in expected.Keys) Assert.Equal(ranks[0].State[name], ranks[^1].State[name]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_non_finite_loss_on_one_rank_is_refused_by_every_rank_and_changes_no_parameter_or_buffer(bool syncBatchNorm)
    {
        var results = Ranks.Run(2, group =>
        {
            // Rank 1's loss is NaN at the second step: every rank sees the agreed (averaged) NaN and refuses the step.
            var calls = 0;
            LossValue Poisoned(IReadOnlyList<Tensor> o, IReadOnlyList<Tensor> t, Generator g, GlobalBatch? global)
            {
                var v = Relic(o, t, g, global);
                if (++calls != 2 || group.Rank != 1) return v;
                return new LossValue(v.Total * double.NaN, v.Terms);
            }
            var online = Network();
            var optimizer = new Sgd(online.Parameters(), new SgdOptions(0.2, momentum: 0.9));
            using var engine = new Pretrainer(online, TargetMode.Ema, optimizer, new WarmupCosineSchedule(10), (_, _) => throw new InvalidOperationException("views are given"),
                Poisoned, new PretrainingOptions(1, seed: 3), EmaSchedule.Constant(0.9), group, new DataParallelOptions(syncBatchNorm, checksumEvery: 1));
            using (var all = GlobalViews(0))
            using (var mine = Rows(all, group.Rank, 2))
                engine.Step(mine, GlobalBatch / 2);
            var before = State(engine);
            NonFiniteLossException? refused;
            using (var all = GlobalViews(1))
            using (var mine = Rows(all, group.Rank, 2))
                refused = Assert.Throws<NonFiniteLossException>(() => engine.Step(mine, GlobalBatch / 2));
            var after = State(engine);
            // The ranks still agree (checksums every step) and train on.
            using (var all = GlobalViews(2))
            using (var mine = Rows(all, group.Rank, 2))
                engine.Step(mine, GlobalBatch / 2);
            return (Before: before, After: after, refused.Step, engine.StepsDone);
        }, timeoutSeconds: 60);
        foreach (var r in results)
        {
            Assert.Equal(1, r.Step);
            Assert.Equal(2, r.StepsDone);
            Assert.Contains(r.Before.Keys, k => k.EndsWith(".running_var", StringComparison.Ordinal));
            foreach (var (name, values) in r.Before) Assert.True(values.AsSpan().SequenceEqual(r.After[name]), $"{name} changed in the refused step");
        }
    }

    [Fact]
    public void Without_synchronised_batch_norm_the_ranks_differ_from_the_global_batch()
    {
        var (expected, _) = Single(1);
        var ranks = Ranks.Run(2, group =>
        {
            using var engine = Engine(group, syncBatchNorm: false);
            using (var all = GlobalViews(0))
            using (var mine = Rows(all, group.Rank, 2))
                engine.Step(mine, GlobalBatch / 2);
            return State(engine);
        }, timeoutSeconds: 60);
        var name = "online.encoder.conv1.weight";
        Assert.True(expected.ContainsKey(name), string.Join(", ", expected.Keys.Take(5)));
        var diff = expected[name].Zip(ranks[0][name], (a, b) => Math.Abs(a - b)).Max();
        Assert.True(diff > 1e-6, $"per-rank batch statistics should change the step; largest difference {diff}");
    }

    [Fact]
    public void Rank_zero_parameters_are_broadcast_at_the_start_and_a_divergence_is_caught_naming_the_rank()
    {
        var e = Assert.Throws<AggregateException>(() => Ranks.Run(2, group =>
        {
            var online = Network();
            if (group.Rank == 1)
                using (Torch.NoGrad())
                    online.Parameters()[0].Add_(1.0);
            var optimizer = new Sgd(online.Parameters(), new SgdOptions(0.1));
            using var engine = new Pretrainer(online, TargetMode.Ema, optimizer, new WarmupCosineSchedule(10), (_, _) => throw new InvalidOperationException(),
                Relic, new PretrainingOptions(1), EmaSchedule.Constant(0.9), group);
            engine.CompareChecksums(); // equal after the broadcast
            using (Torch.NoGrad())
                if (group.Rank == 1) online.Parameters()[3].Add_(1e-3);
            engine.CompareChecksums();
            return 0;
        }, timeoutSeconds: 30));
        var diverged = e.InnerExceptions.OfType<RankDivergedException>().ToList();
        Assert.Equal(2, diverged.Count);
        Assert.All(diverged, d => Assert.Equal([1], d.Ranks));
        Assert.Contains("rank(s) 1 differ from rank 0", diverged[0].Message);
    }

    private sealed class WholeBatch(Tensor online, Tensor target, int rank, int worldSize) : GlobalBatch(rank, worldSize)
    {
        public Tensor? Online { get; init; }

        public override Tensor Gather(Tensor local) => (local.Size(0) * WorldSize == online.Size(0) && ReferenceEquals(local, Online)) ? online.Detach() : target.Detach();
    }

    [Theory]
    [InlineData(KlHandling.Reverse)]
    [InlineData(KlHandling.Symmetric)]
    [InlineData(KlHandling.NoStopGradient)]
    public void Kl_handlings_that_differentiate_other_ranks_rows_are_refused(KlHandling kl)
    {
        using var scope = Torch.NewScope();
        var x = Torch.Ones([2, 3]);
        var e = Assert.Throws<ArgumentException>(() => RelicLoss.Compute(x, x, new WholeBatch(x, x, 0, 2), kl: kl));
        Assert.Contains($"KL handling {kl}", e.Message);
        Assert.Contains("only Forward", e.Message);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void The_gathered_negatives_loss_averaged_over_ranks_equals_the_global_loss_and_so_do_the_gradients(int worldSize)
    {
        const KlHandling kl = KlHandling.Forward;
        using var scope = Torch.NewScope();
        using var g = new Generator(3);
        var online = Torch.Randn([12, 5], g, DType.Float64);
        online.RequiresGrad = true;
        var target = Torch.Randn([12, 5], g, DType.Float64);
        var expected = RelicLoss.Compute(online, target, temperature: 0.3, kl: kl);
        var expectedGrad = Torch.Grad([expected.Total], [online])[0]!;
        var n = 12 / worldSize;
        Tensor? total = null;
        for (var r = 0; r < worldSize; r++)
        {
            var mine = online.Narrow(0, r * n, n);
            var global = new WholeBatch(online, target, r, worldSize) { Online = mine };
            var terms = RelicLoss.Compute(mine, target.Narrow(0, r * n, n), global, temperature: 0.3, kl: kl);
            total = total is null ? terms.Total : total + terms.Total;
        }
        var mean = total! / worldSize;
        Assert.Equal(expected.Total.Item(), mean.Item(), 1e-12);
        var grad = Torch.Grad([mean], [online])[0]!;
        Assert.True(grad.AllClose(expectedGrad, 1e-10, 1e-12), "the mean of the ranks' gradients differs from the global gradient");
    }

    [Fact]
    public void The_sharded_loader_gives_each_rank_a_disjoint_part_of_every_global_batch_covering_the_epoch()
    {
        var data = new SyntheticDataset(50, size: 8, channels: 1, seed: 1);
        var single = new DataLoader(data, 12, seed: 9, dropLast: true, prefetchDepth: 0);
        var ranks = Enumerable.Range(0, 3).Select(r => new DataLoader(data, 4, seed: 9, dropLast: true, prefetchDepth: 0, rank: r, worldSize: 3)).ToList();
        foreach (var epoch in new[] { 0, 1 })
        {
            var expected = single.BatchIndices(epoch);
            Assert.All(ranks, l => Assert.Equal(expected.Count, l.BatchesPerEpoch));
            for (var k = 0; k < expected.Count; k++)
                Assert.Equal(expected[k], ranks.SelectMany(l => l.BatchIndices(epoch)[k]));
            var all = ranks.SelectMany(l => l.BatchIndices(epoch).SelectMany(b => b)).ToList();
            Assert.Equal(all.Count, all.Distinct().Count());
            Assert.Equal(48, all.Count);
        }
        Assert.NotEqual(ranks[0].BatchIndices(0), ranks[0].BatchIndices(1));
        var e = Assert.Throws<ArgumentException>(() => new DataLoader(data, 4, rank: 0, worldSize: 2));
        Assert.Contains("dropLast", e.Message);
    }
}
