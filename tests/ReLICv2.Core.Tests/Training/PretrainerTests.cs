using ReLICv2.Data;
using ReLICv2.Losses;
using ReLICv2.Nn;
using ReLICv2.Optim;
using ReLICv2.Training;
using Xunit;
using ReLICv2.Tests.References;

namespace ReLICv2.Tests;

/// <summary>The pre-training engine on tiny configurations: learning, EMA arithmetic, gradients, resume, non-finite stops.</summary>
public sealed class PretrainerTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "relic-pretrain-" + Guid.NewGuid().ToString("N"));
    private readonly SyntheticDataset data = new(32, size: 12, channels: 3, seed: 5);

    public void Dispose()
    {
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
    }

    private static SiameseNetwork Network(ulong seed)
    {
        using var g = new Generator(seed);
        var encoder = new Sequential(new Conv2d(3, 8, 3, g, stride: 2, padding: 1), new ReLU(), new AdaptiveAvgPool2d(1, 1), new Flatten());
        return new SiameseNetwork(encoder, new MlpHead(8, 16, 8, g), new MlpHead(8, 16, 8, g));
    }

    /// <summary>Two views: the images plus step-seeded noise, the second flipped; one small view, a 6×6 corner crop.</summary>
    private static PretrainingViews Views(Batch batch, long step)
    {
        using var g = new Generator(1000 + (ulong)step);
        using var x = batch.Images.To(DType.Float32) / 255.0;
        using var n1 = Torch.Randn(x.Shape, g) * 0.05;
        using var n2 = Torch.Randn(x.Shape, g) * 0.05;
        using var flipped = x.Flip(3);
        var small = x.Narrow(2, 0, 6).Narrow(3, 0, 6).Contiguous();
        return new PretrainingViews([x + n1, flipped + n2], [small]);
    }

    private static LossValue Relic(IReadOnlyList<Tensor> online, IReadOnlyList<Tensor> targets, Generator g, GlobalBatch? global = null)
    {
        var terms = new List<RelicLossTerms>();
        for (var i = 0; i < online.Count; i++)
            for (var j = 0; j < targets.Count; j++)
                if (i != j) terms.Add(RelicLoss.Compute(online[i], targets[j], temperature: 0.2));
        var n = terms.Count;
        return new LossValue(terms.Select(t => t.Total).Aggregate((a, b) => a + b) / n, new Dictionary<string, Tensor>
        {
            ["contrastive"] = terms.Select(t => t.Contrastive).Aggregate((a, b) => a + b) / n,
            ["invariance"] = terms.Select(t => t.Invariance).Aggregate((a, b) => a + b) / n,
        });
    }

    private Pretrainer Engine(ulong seed, TargetMode mode = TargetMode.Ema, PretrainingLoss? loss = null, int epochs = 1, double gamma = 0.9, int checkpointEvery = 1000,
        int shards = 1)
    {
        var online = Network(seed);
        var optimizer = new Sgd(online.Parameters(), new SgdOptions(0.05, momentum: 0.9));
        return new Pretrainer(online, mode, optimizer, new WarmupCosineSchedule(100, 2), Views, loss ?? Relic,
            new PretrainingOptions(epochs, seed: 3, checkpointEvery: checkpointEvery, runDirectory: dir, shards: shards),
            mode == TargetMode.Ema ? EmaSchedule.Constant(gamma) : null);
    }

    private Batch FixedBatch() => data.GetBatch(Enumerable.Range(0, 16).ToArray());

    [Fact]
    public void Loss_decreases_on_a_learnable_toy_problem()
    {
        using var engine = Engine(1);
        using var batch = FixedBatch();
        var losses = Enumerable.Range(0, 40).Select(_ => engine.Step(batch).Loss).ToList();
        Assert.True(losses.TakeLast(5).Average() < losses.Take(5).Average() - 0.05,
            $"loss did not decrease: first {string.Join(", ", losses.Take(5).Select(l => l.ToString("F3")))}, last {string.Join(", ", losses.TakeLast(5).Select(l => l.ToString("F3")))}");
        Assert.Equal(40, engine.StepsDone);
    }

    [Fact]
    public void The_target_never_receives_gradients_and_follows_the_ema_update_exactly()
    {
        using var engine = Engine(2, gamma: 0.9);
        using var batch = FixedBatch();
        for (var s = 0; s < 3; s++)
        {
            var before = engine.Ema!.Target.NamedParameters().ToDictionary(p => p.Name, p => p.Tensor.Detach().Clone().DetachFromScope());
            var record = engine.Step(batch);
            Assert.Equal(0.9, record.EmaDecay);
            var online = engine.Online.NamedParameters().ToDictionary(p => p.Name, p => p.Tensor);
            foreach (var p in engine.Ema.Target.NamedParameters())
            {
                Assert.False(p.Tensor.RequiresGrad, $"target parameter {p.Name} requires grad");
                Assert.Null(p.Tensor.Grad);
                using var scope = Torch.NewScope();
                var expected = before[p.Name] * 0.9 + online[p.Name].Detach() * 0.1;
                Assert.True(p.Tensor.AllClose(expected, 1e-6, 1e-7), $"EMA update of {p.Name} differs from 0.9·θt + 0.1·θo");
            }
            foreach (var t in before.Values) t.Dispose();
        }
    }

    [Fact]
    public void Resuming_from_a_checkpoint_reproduces_the_next_step_bit_for_bit()
    {
        using var batch = FixedBatch();
        double expected;
        using (var a = Engine(7))
        {
            a.Step(batch);
            a.Step(batch);
            a.SaveCheckpoint();
            expected = a.Step(batch).Loss;
        }
        using var b = Engine(99); // different initial weights: everything must come from the checkpoint
        b.Resume(b.CheckpointPath!);
        Assert.Equal(2, b.StepsDone);
        Assert.Equal(expected, b.Step(batch).Loss);
    }

    /// <summary>Copies of every parameter and buffer of the online network and the EMA target, by name.</summary>
    private static Dictionary<string, Tensor> Snapshot(Pretrainer engine) =>
        engine.Online.NamedParameters().Concat(engine.Online.NamedBuffers()).Select(p => ("online." + p.Name, p.Tensor))
            .Concat(engine.Ema!.Target.NamedParameters().Concat(engine.Ema.Target.NamedBuffers()).Select(p => ("target." + p.Name, p.Tensor)))
            .ToDictionary(x => x.Item1, x => x.Item2.Detach().Clone().DetachFromScope());

    private static void AssertUnchanged(Dictionary<string, Tensor> before, Pretrainer engine)
    {
        using var after = new DisposableState(Snapshot(engine));
        Assert.Equal(before.Keys.Order(), after.State.Keys.Order());
        Assert.Contains(before.Keys, k => k.EndsWith(".running_mean", StringComparison.Ordinal)); // the networks do have buffers
        Assert.Contains(before.Keys, k => k.EndsWith(".num_batches_tracked", StringComparison.Ordinal));
        foreach (var (name, t) in before) Assert.True(t.Equal(after.State[name]), $"{name} changed in a refused step");
    }

    private sealed record DisposableState(Dictionary<string, Tensor> State) : IDisposable
    {
        public void Dispose()
        {
            foreach (var t in State.Values) t.Dispose();
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_non_finite_loss_stops_the_run_with_a_diagnostic_and_changes_nothing(int shards)
    {
        // Two good steps (one loss call per shard each), then NaN terms from the third step on.
        var calls = 0;
        LossValue Poisoned(IReadOnlyList<Tensor> o, IReadOnlyList<Tensor> t, Generator g, GlobalBatch? global)
        {
            var v = Relic(o, t, g);
            if (Interlocked.Increment(ref calls) <= 2 * shards) return v;
            var bad = v.Terms["invariance"] * double.NaN;
            return new LossValue(v.Total + bad, new Dictionary<string, Tensor> { ["contrastive"] = v.Terms["contrastive"], ["invariance"] = bad });
        }
        using var engine = Engine(3, loss: Poisoned, shards: shards);
        using var batch = FixedBatch();
        engine.Step(batch);
        engine.Step(batch);
        using var before = new DisposableState(Snapshot(engine));
        var e = Assert.Throws<NonFiniteLossException>(() => engine.Step(batch));
        Assert.Equal(2, e.Step);
        Assert.Contains("invariance = NaN", e.Message);
        Assert.Equal(2, e.LastFinite!.Step);
        Assert.Contains("last finite step 2", e.Message);
        AssertUnchanged(before.State, engine);
        Assert.Equal(2, engine.StepsDone);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_finite_loss_with_a_non_finite_gradient_changes_no_parameter_or_buffer(int shards)
    {
        // From the second step on the loss gains √|z − sg(z)|: 0 in value, but its gradient is 0·∞ = NaN.
        var calls = 0;
        LossValue Steep(IReadOnlyList<Tensor> o, IReadOnlyList<Tensor> t, Generator g, GlobalBatch? global)
        {
            var v = Relic(o, t, g);
            if (Interlocked.Increment(ref calls) <= shards) return v;
            var zero = (o[0] - o[0].Detach()).Abs().Sqrt().Sum();
            return new LossValue(v.Total + zero, v.Terms);
        }
        using var engine = Engine(4, loss: Steep, shards: shards);
        using var batch = FixedBatch();
        engine.Step(batch);
        using var before = new DisposableState(Snapshot(engine));
        var e = Assert.Throws<NonFiniteLossException>(() => engine.Step(batch));
        Assert.Contains("gradient norm is NaN", e.Message);
        AssertUnchanged(before.State, engine);
        Assert.Equal(1, engine.StepsDone);
    }

    [Theory]
    [InlineData(TargetMode.Shared)]
    [InlineData(TargetMode.SharedStopGradient)]
    public void Shared_target_modes_train_without_an_ema_network(TargetMode mode)
    {
        using var engine = Engine(4, mode);
        using var batch = FixedBatch();
        var record = engine.Step(batch);
        Assert.Null(engine.Ema);
        Assert.Null(record.EmaDecay);
        Assert.True(double.IsFinite(record.Loss));
    }

    [Fact]
    public void Run_logs_every_step_checkpoints_and_stops_cleanly_when_cancelled()
    {
        var loader = new DataLoader(data, batchSize: 8, seed: 1, dropLast: true);
        using (var engine = Engine(5, epochs: 2, checkpointEvery: 3))
        {
            var seen = new List<MetricsRecord>();
            var result = engine.Run(loader, seen.Add);
            Assert.Equal(8, result.StepsDone);
            Assert.False(result.Cancelled);
            Assert.Equal(Enumerable.Range(1, 8).Select(i => (long)i), seen.Select(r => r.Step));
            Assert.Equal([0, 0, 0, 0, 1, 1, 1, 1], seen.Select(r => r.Epoch));
            Assert.Equal(seen, MetricsLog.Read(Path.Combine(dir, "metrics.jsonl")));
            Assert.True(File.Exists(Checkpoint.WeightsPath(result.CheckpointPath!)));
        }
        using var resumed = Engine(6, epochs: 3);
        resumed.Resume(resumed.CheckpointPath!);
        Assert.Equal(8, resumed.StepsDone);
        using var cts = new CancellationTokenSource();
        var cancelled = resumed.Run(loader, r => { if (r.Step == 10) cts.Cancel(); }, cts.Token);
        Assert.True(cancelled.Cancelled);
        Assert.Equal(10, cancelled.StepsDone);
        using var checkpoint = Checkpoint.Load(cancelled.CheckpointPath!);
        Assert.Equal(10, checkpoint.Step);
        Assert.Equal(10, MetricsLog.Read(Path.Combine(dir, "metrics.jsonl")).Count);
    }

    [Fact]
    public void A_replan_within_the_warm_up_changes_the_length_schedules_and_where_the_run_stops()
    {
        var loader = new DataLoader(data, batchSize: 8, seed: 1, dropLast: true);
        var online = Network(7);
        using var engine = new Pretrainer(online, TargetMode.Ema, new Sgd(online.Parameters(), new SgdOptions(0.05, momentum: 0.9)),
            new WarmupCosineSchedule(12, 6), Views, Relic, new PretrainingOptions(5, seed: 3, maxSteps: 12), EmaSchedule.Cosine(0.9, 12));
        var multipliers = new List<double>();
        var result = engine.Run(loader, r =>
        {
            multipliers.Add(engine.Optimizer.LearningRateMultiplier);
            if (r.Step == 3) engine.Replan(7, 4);
        });
        // Steps 1-3 ran on the first plan (warm-up 6), the rest on the second (7 steps, warm-up 4); the run stopped at 7.
        Assert.Equal(7, result.StepsDone);
        Assert.Equal(7, result.TotalSteps);
        Assert.Equal(7, engine.PlannedSteps);
        var first = new WarmupCosineSchedule(12, 6);
        var second = new WarmupCosineSchedule(7, 4);
        Assert.Equal(Enumerable.Range(0, 3).Select(s => first.Multiplier(s)).Concat(Enumerable.Range(3, 4).Select(s => second.Multiplier(s))), multipliers);
        Assert.Equal(new CosineEmaSchedule(0.9, 7), engine.Ema!.Schedule);
    }

    [Fact]
    public void A_stretch_past_the_warm_up_bends_both_schedules_and_moves_where_the_run_stops()
    {
        var loader = new DataLoader(data, batchSize: 8, seed: 1, dropLast: true);
        var online = Network(7);
        using var engine = new Pretrainer(online, TargetMode.Ema, new Sgd(online.Parameters(), new SgdOptions(0.05, momentum: 0.9)),
            new WarmupCosineSchedule(12, 2), Views, Relic, new PretrainingOptions(5, seed: 3, maxSteps: 12), EmaSchedule.Cosine(0.9, 12));
        var multipliers = new List<double>();
        var gammas = new List<double>();
        var result = engine.Run(loader, r =>
        {
            multipliers.Add(engine.Optimizer.LearningRateMultiplier);
            gammas.Add(r.EmaDecay!.Value);
            if (r.Step == 6) engine.Stretch(15);
        });
        Assert.Equal(15, result.StepsDone);
        Assert.Equal(15, engine.PlannedSteps);
        var lr = new WarmupCosineSchedule(12, 2).Bend(6, 15);
        var ema = new CosineEmaSchedule(0.9, 12).Bend(6, 15);
        Assert.Equal(lr, engine.Schedule);
        Assert.Equal(ema, engine.Ema!.Schedule);
        // Steps 1–6 used the first plan, which the bent schedules keep; the rest the bent ones, ending at 0 and γ = 1.
        Assert.Equal(Enumerable.Range(0, 6).Select(k => new WarmupCosineSchedule(12, 2).Multiplier(k)), multipliers.Take(6));
        Assert.Equal(Enumerable.Range(0, 6).Select(k => new CosineEmaSchedule(0.9, 12).Gamma(k)), gammas.Take(6));
        Assert.Equal(Enumerable.Range(6, 9).Select(k => lr.Multiplier(k)), multipliers.Skip(6));
        Assert.Equal(Enumerable.Range(6, 9).Select(k => ema.Gamma(k)), gammas.Skip(6));
        Assert.Equal(1.0, engine.Ema.NextGamma);
    }

    [Fact]
    public void A_stretch_is_refused_inside_the_warm_up_or_not_beyond_the_steps_done()
    {
        using var engine = Engine(8);
        using var batch = FixedBatch();
        Assert.Contains("0 steps are done, outside the decay [2, 99]", Assert.Throws<ArgumentOutOfRangeException>(() => engine.Stretch(200)).Message);
        for (var i = 0; i < 3; i++) engine.Step(batch);
        Assert.Contains("must exceed the 3 steps done", Assert.Throws<ArgumentOutOfRangeException>(() => engine.Stretch(3)).Message);
        Assert.Null(engine.PlannedSteps);
    }

    [Fact]
    public void A_replan_is_refused_past_the_warm_up_or_not_beyond_the_steps_done()
    {
        using var engine = Engine(8);
        using var batch = FixedBatch();
        engine.Step(batch);
        engine.Step(batch);
        var ahead = Assert.Throws<ArgumentOutOfRangeException>(() => engine.Replan(2, 0));
        Assert.Contains("must exceed the 2 steps done", ahead.Message);
        engine.Step(batch);
        var late = Assert.Throws<ArgumentOutOfRangeException>(() => engine.Replan(50, 2));
        Assert.Contains("past the warm-up", late.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => engine.Replan(50, 51));
        Assert.Null(engine.PlannedSteps);
        Assert.Equal(100, engine.Schedule.TotalSteps);
    }

    [Fact]
    public void Run_makes_views_ahead_on_the_prefetch_thread_and_matches_stepping_batch_by_batch()
    {
        var loader = new DataLoader(data, batchSize: 8, seed: 2, dropLast: true, prefetchDepth: 2);
        var made = new List<(long Step, int Thread)>();
        var caller = Environment.CurrentManagedThreadId;
        PretrainingViews Recording(Batch batch, long step)
        {
            lock (made) made.Add((step, Environment.CurrentManagedThreadId));
            return Views(batch, step);
        }
        List<double> RunLosses(long resumeAt)
        {
            var online = Network(9);
            var engine = new Pretrainer(online, TargetMode.Ema, new Sgd(online.Parameters(), new SgdOptions(0.05, momentum: 0.9)),
                new WarmupCosineSchedule(100, 2), Recording, Relic, new PretrainingOptions(2, seed: 3, runDirectory: dir), EmaSchedule.Constant(0.9));
            using (engine)
            {
                if (resumeAt > 0)
                {
                    for (var i = 0; i < resumeAt; i++)
                        using (var b = data.GetBatch(loader.BatchIndices(0)[i]))
                            engine.Step(b);
                }
                var losses = new List<double>();
                engine.Run(loader, r => losses.Add(r.Loss));
                return losses;
            }
        }
        var run = RunLosses(0);
        Assert.Equal(Enumerable.Range(0, 8).Select(i => (long)i), made.Select(m => m.Step));
        Assert.All(made, m => Assert.NotEqual(caller, m.Thread));

        // The same steps taken one batch at a time on this thread.
        var online = Network(9);
        using var manual = new Pretrainer(online, TargetMode.Ema, new Sgd(online.Parameters(), new SgdOptions(0.05, momentum: 0.9)),
            new WarmupCosineSchedule(100, 2), Views, Relic, new PretrainingOptions(2, seed: 3), EmaSchedule.Constant(0.9));
        var expected = new List<double>();
        for (var epoch = 0; epoch < 2; epoch++)
            foreach (var indices in loader.BatchIndices(epoch))
                using (var b = data.GetBatch(indices))
                    expected.Add(manual.Step(b).Loss);
        Assert.Equal(expected, run);

        // Resumed mid-epoch: the skipped batches get no views, the rest are drawn for their own steps.
        made.Clear();
        Directory.Delete(dir, recursive: true);
        var resumed = RunLosses(3);
        Assert.Equal(expected.Skip(3), resumed);
        Assert.Equal(new long[] { 0, 1, 2 }.Concat(Enumerable.Range(3, 5).Select(i => (long)i)), made.Select(m => m.Step));
    }

    // ---- data-parallel shards ------------------------------------------------------------------------

    [Theory]
    [InlineData(2, 16)]
    [InlineData(3, 16)] // shards of 5, 5 and 6 images
    public void A_sharded_step_sets_the_size_weighted_sum_of_each_shards_own_gradient(int shards, int batchSize)
    {
        using var batch = data.GetBatch(Enumerable.Range(0, batchSize).ToArray());
        using var engine = Engine(11, shards: shards);
        // The reference: an identical network, each shard's views forwarded on this thread (its own batch statistics),
        // the loss weighted by shard size, differentiated on its own, the gradients summed.
        using var reference = Engine(11);
        var parameters = reference.Optimizer.Parameters.ToList();
        using var views = Views(batch, 0);
        using var scope = Torch.NewScope();
        // Computed on a worker thread with one intra-op thread, like the shards, so that the summation orders agree.
        using var single = new ShardWorkers(1);
        var (expected, expectedLoss) = single.Run(_ =>
        {
            using var inner = Torch.NewScope();
            var sum = parameters.Select(_ => (Tensor?)null).ToArray();
            var loss = 0.0;
            for (var w = 0; w < shards; w++)
            {
                long begin = batchSize * w / shards, length = batchSize * (w + 1) / shards - begin;
                // Views of one size go through the networks together (batch statistics over all of them), as in the engine.
                var large = Torch.Cat([.. views.Large.Select(v => v.Narrow(0, begin, length))]);
                var small = Torch.Cat([.. views.Small.Select(v => v.Narrow(0, begin, length))]);
                List<Tensor> online = [.. reference.Online.Forward(large).Chunk(views.Large.Count), .. reference.Online.Forward(small).Chunk(views.Small.Count)];
                List<Tensor> targets;
                using (Torch.NoGrad())
                    targets = [.. ((SiameseNetwork)reference.Ema!.Target).Project(large).Chunk(views.Large.Count)];
                using var g = new Generator(0);
                var value = Relic(online, targets, g);
                loss += value.Total.Item() * length / batchSize;
                var grads = Torch.Grad([value.Total * ((double)length / batchSize)], parameters);
                for (var i = 0; i < grads.Length; i++)
                    sum[i] = sum[i] is null ? grads[i] : grads[i] is null ? sum[i] : sum[i]! + grads[i]!;
            }
            foreach (var t in sum) t?.DetachFromScope();
            return (sum, loss);
        })[0];

        var record = engine.Step(batch);
        Assert.Equal(expectedLoss, record.Loss, 9);
        var actual = engine.Optimizer.Parameters.Select(p => p.Grad).ToList();
        Assert.Equal(expected.Length, actual.Count);
        for (var i = 0; i < actual.Count; i++)
        {
            Assert.NotNull(actual[i]);
            Assert.True(actual[i]!.AllClose(expected[i]!, 1e-6, 1e-9), $"gradient {i} differs from the reference by {(actual[i]! - expected[i]!).Abs().Max().Item():G3}");
        }
        // Not the unsharded gradient: batch statistics and negatives are per shard.
        using var whole = Engine(11);
        whole.Step(batch);
        Assert.Contains(whole.Optimizer.Parameters.Zip(engine.Optimizer.Parameters), p => !p.First.Grad!.AllClose(p.Second.Grad!, 1e-4, 1e-6));
    }

    [Fact]
    public void Sharded_runs_are_deterministic_and_resume_bit_for_bit()
    {
        using var batch = FixedBatch();
        List<double> Losses(Pretrainer e) => [.. Enumerable.Range(0, 3).Select(_ => e.Step(batch).Loss)];
        List<double> first, second;
        double next;
        using (var a = Engine(12, shards: 2))
        {
            first = Losses(a);
            a.SaveCheckpoint();
            next = a.Step(batch).Loss;
        }
        using (var b = Engine(12, shards: 2))
            second = Losses(b);
        Assert.Equal(first, second);
        using var c = Engine(98, shards: 2);
        c.Resume(c.CheckpointPath!);
        Assert.Equal(next, c.Step(batch).Loss);
    }

    [Fact]
    public void Running_statistics_follow_shard_zero_only()
    {
        using var batch = FixedBatch();
        using var sharded = Engine(13, shards: 2);
        using var whole = Engine(13);
        sharded.Step(batch);
        whole.Step(batch);
        // Each batch norm saw one large and one small forward per step, whether or not the batch was sharded.
        var norms = sharded.Online.NamedModules().Select(m => m.Module).OfType<BatchNorm>().Zip(whole.Online.NamedModules().Select(m => m.Module).OfType<BatchNorm>()).ToList();
        Assert.NotEmpty(norms);
        Assert.All(norms, n => Assert.Equal(n.Second.NumBatchesTracked.ItemLong(), n.First.NumBatchesTracked.ItemLong()));
        Assert.All(norms, n => Assert.Equal(2, n.First.NumBatchesTracked.ItemLong()));
    }

    [Fact]
    public void A_batch_too_small_for_its_shards_is_rejected_with_its_size()
    {
        using var engine = Engine(14, shards: 3);
        using var batch = data.GetBatch([0, 1, 2, 3, 4]);
        var e = Assert.Throws<ArgumentException>(() => engine.Step(batch));
        Assert.Contains("batch of 5 images cannot be split into 3 shards", e.Message);
        var bad = Assert.Throws<ArgumentOutOfRangeException>(() => new PretrainingOptions(1, shards: 0));
        Assert.Contains("Shards must be in [1, 64]", bad.Message);
    }
}
