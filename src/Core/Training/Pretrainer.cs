using System.Diagnostics;
using ReLICv2.Data;
using ReLICv2.Distributed;
using ReLICv2.Optim;

namespace ReLICv2.Training;

/// <summary>
/// The pre-training engine shared by every method (solo-learn's shape: the method is a loss, heads, a view set and a
/// target mode; the loop is one). Per step: make the views, forward views of equal size together through the online
/// network, forward the large views through the target (under no-grad for <see cref="TargetMode.Ema"/>; small views
/// never reach the target), evaluate the loss, stop on non-finite values, back-propagate, optionally clip, step the
/// optimiser with the warm-up + cosine learning rate, then update the EMA target.
/// Deterministic on the CPU for a seed: a resumed run reproduces the uninterrupted one step for step. With
/// <see cref="PretrainingOptions.Shards"/> &gt; 1 the forward, loss and gradient of each shard of the batch run on their own
/// worker thread and the gradients are summed in shard order (still deterministic).
/// Given a <see cref="ProcessGroup"/> of more than one rank the engine is data-parallel (docs/distributed.md): rank 0's
/// parameters and buffers are broadcast at the start, batch norms are synchronised, the loss scores local anchors against
/// candidates gathered from every rank, gradients are averaged over ranks in buckets while backward runs, the loss values,
/// finiteness and cancellation are agreed by all ranks, a parameter checksum is compared every
/// <see cref="DataParallelOptions.ChecksumEvery"/> steps, and rank 0 alone writes metrics and checkpoints.
/// </summary>
public sealed class Pretrainer : IDisposable
{
    /// <summary>Name of the online network in checkpoints.</summary>
    public const string OnlineName = "online";

    private readonly Generator[] lossGenerators;
    private readonly ShardWorkers? workers;
    private readonly GradientReducer? reducer;
    private MetricsRecord? lastFinite;

    /// <summary>Builds the engine; with a group of more than one rank this is collective (every rank must construct it).</summary>
    /// <param name="online">The online network (encoder, projector, optional predictor).</param>
    /// <param name="targetMode">How the target branch is computed.</param>
    /// <param name="optimizer">The optimiser over the online parameters.</param>
    /// <param name="schedule">Warm-up + cosine learning-rate multiplier.</param>
    /// <param name="makeViews">Makes a step's views from its batch.</param>
    /// <param name="loss">The objective.</param>
    /// <param name="options">Epochs, seed, clipping, checkpoints, shards.</param>
    /// <param name="emaSchedule">The EMA γ schedule (required for <see cref="TargetMode.Ema"/>).</param>
    /// <param name="group">The ranks of a data-parallel job, or null (or a group of one rank) for a single process.</param>
    /// <param name="dataParallel">Data-parallel settings; the defaults when null.</param>
    public Pretrainer(SiameseNetwork online, TargetMode targetMode, Optimizer optimizer, WarmupCosineSchedule schedule, ViewMaker makeViews,
        PretrainingLoss loss, PretrainingOptions options, EmaSchedule? emaSchedule = null, ProcessGroup? group = null,
        DataParallelOptions? dataParallel = null)
    {
        Online = online ?? throw new ArgumentNullException(nameof(online));
        Optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
        Schedule = schedule ?? throw new ArgumentNullException(nameof(schedule));
        MakeViews = makeViews ?? throw new ArgumentNullException(nameof(makeViews));
        Loss = loss ?? throw new ArgumentNullException(nameof(loss));
        Options = options ?? throw new ArgumentNullException(nameof(options));
        TargetMode = targetMode;
        Group = group is { WorldSize: > 1 } ? group : null;
        DataParallel = dataParallel ?? new DataParallelOptions();
        if (Group is not null)
        {
            if (options.Shards > 1)
                throw new ArgumentException($"Pretrainer: shards ({options.Shards}) and data-parallel ranks ({Group.WorldSize}) cannot be combined; use shards = 1 with several ranks", nameof(options));
            BroadcastFromRankZero(online);
        }
        if (targetMode == TargetMode.Ema)
            Ema = new EmaTarget(online, emaSchedule ?? throw new ArgumentNullException(nameof(emaSchedule), "Pretrainer: TargetMode.Ema needs an EMA schedule"));
        else if (emaSchedule is not null)
            throw new ArgumentException($"Pretrainer: an EMA schedule was given but the target mode is {targetMode}", nameof(emaSchedule));
        // One negative-sampling generator per shard; shard 0's is the single-thread run's (seeded with options.Seed).
        lossGenerators = [.. Enumerable.Range(0, options.Shards).Select(w => new Generator(unchecked(options.Seed + (ulong)w * 0x9E3779B97F4A7C15UL)))];
        workers = options.Shards > 1 ? new ShardWorkers(options.Shards) : null;
        if (Group is not null)
        {
            if (DataParallel.SynchronizeBatchNorm)
            {
                var bn = Group.Split("batchnorm");
                Nn.BatchNorm.Synchronize(online, bn);
                if (Ema is not null) Nn.BatchNorm.Synchronize(Ema.Target, bn);
            }
            reducer = new GradientReducer(Group, [.. optimizer.Parameters], DataParallel.FirstBucketBytes, DataParallel.BucketBytes);
        }
        Online.Train();
    }

    /// <summary>The ranks of the data-parallel job, or null in a single process.</summary>
    public ProcessGroup? Group { get; }

    public DataParallelOptions DataParallel { get; }

    /// <summary>Whether this process writes metrics and checkpoints: true in a single process and on rank 0.</summary>
    public bool IsMaster => Group is null || Group.Rank == 0;

    /// <summary>What the last step's gradient all-reduce cost (default in a single process).</summary>
    public GradientReduction LastReduction { get; private set; }

    private void BroadcastBuffers(Nn.Module module)
    {
        using var noGrad = Torch.NoGrad();
        Group!.Broadcast([.. module.NamedBuffers().Select(p => p.Tensor)], root: 0);
    }

    private void BroadcastFromRankZero(Nn.Module module)
    {
        using var noGrad = Torch.NoGrad();
        var tensors = module.NamedParameters().Concat(module.NamedBuffers()).Select(p => p.Tensor).ToList();
        Group!.Broadcast(tensors, root: 0);
    }

    public SiameseNetwork Online { get; }

    public TargetMode TargetMode { get; }

    /// <summary>The EMA target (for <see cref="TargetMode.Ema"/>), else null.</summary>
    public EmaTarget? Ema { get; }

    public Optimizer Optimizer { get; }

    /// <summary>The learning-rate multiplier per step; <see cref="Replan"/> gives it another length.</summary>
    public WarmupCosineSchedule Schedule { get; private set; }

    /// <summary>
    /// The step count the run is planned for, when <see cref="Replan"/> has changed it (else null: the options' epochs and
    /// <see cref="PretrainingOptions.MaxSteps"/> decide).
    /// </summary>
    public long? PlannedSteps { get; private set; }

    /// <summary>
    /// Gives the run a new length of <paramref name="totalSteps"/> steps, with <paramref name="warmupSteps"/> of warm-up, while
    /// it runs — a time-budgeted run re-planning from its own pace: the learning-rate schedule becomes the warm-up + cosine of
    /// that length, a cosine EMA schedule ends its ramp there, and <see cref="Run"/> stops there. Called between steps (e.g.
    /// from <see cref="Run"/>'s step callback). Only within the warm-up (of the old and the new schedule): there the
    /// multiplier is still the ramp, whose slope alone changes, whereas re-planning the cosine would make it jump.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A length not above <see cref="StepsDone"/>, a warm-up outside
    /// [0, <paramref name="totalSteps"/>], or a re-plan once either warm-up has ended.</exception>
    public void Replan(long totalSteps, long warmupSteps)
    {
        if (totalSteps <= StepsDone)
            throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, $"Pretrainer.Replan: the new length must exceed the {StepsDone} steps done");
        if (warmupSteps < 0 || warmupSteps > totalSteps)
            throw new ArgumentOutOfRangeException(nameof(warmupSteps), warmupSteps, $"Pretrainer.Replan: the warm-up must be in [0, {totalSteps}] steps");
        if (StepsDone > Math.Min(Schedule.WarmupSteps, warmupSteps))
            throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps,
                $"Pretrainer.Replan: {StepsDone} steps are done, past the warm-up ({Schedule.WarmupSteps} steps planned, {warmupSteps} asked); re-planning now would make the learning rate jump");
        Schedule = new WarmupCosineSchedule(totalSteps, warmupSteps, Schedule.FinalFraction, Schedule.BatchSize, Schedule.ReferenceBatchSize);
        if (Ema is { Schedule: CosineEmaSchedule cosine }) Ema.Schedule = new CosineEmaSchedule(cosine.BaseGamma, totalSteps);
        PlannedSteps = totalSteps;
    }

    /// <summary>
    /// Gives the run a new length of <paramref name="totalSteps"/> steps past its warm-up without a jump in the learning rate
    /// or the EMA coefficient: both schedules are bent at the current step (<see cref="WarmupCosineSchedule.Bend"/>,
    /// <see cref="CosineEmaSchedule.Bend"/>), so the values already used stay as they were and the rest of each cosine is
    /// stretched or squeezed to end at the new length; <see cref="Run"/> stops there. This is how a time-budgeted run
    /// corrects its length once its pace is known without the warm-up's start-up costs.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A length not above <see cref="StepsDone"/>, or a call inside the
    /// warm-up (use <see cref="Replan"/> there) or once the plan has ended.</exception>
    public void Stretch(long totalSteps)
    {
        if (totalSteps <= StepsDone)
            throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, $"Pretrainer.Stretch: the new length must exceed the {StepsDone} steps done");
        if (StepsDone < Schedule.WarmupSteps || StepsDone >= Schedule.TotalSteps)
            throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps,
                $"Pretrainer.Stretch: {StepsDone} steps are done, outside the decay [{Schedule.WarmupSteps}, {Schedule.TotalSteps - 1}] (Replan re-plans inside the warm-up)");
        var schedule = Schedule.Bend(StepsDone, totalSteps);
        // A ramp already at its end (γ = 1) stays there.
        if (Ema is { Schedule: CosineEmaSchedule cosine } && Ema.Updates < cosine.TotalUpdates) Ema.Schedule = cosine.Bend(Ema.Updates, totalSteps);
        Schedule = schedule;
        PlannedSteps = totalSteps;
    }

    public ViewMaker MakeViews { get; }

    public PretrainingLoss Loss { get; }

    public PretrainingOptions Options { get; }

    /// <summary>Completed optimiser steps.</summary>
    public long StepsDone { get; private set; }

    /// <summary>Runs one optimiser step on <paramref name="batch"/> and returns its metrics.</summary>
    /// <exception cref="NonFiniteLossException">When the loss, a term or the gradients are not finite; nothing is updated: no
    /// parameter, and no buffer (the batch-norm running statistics the forward passes moved are put back).</exception>
    public MetricsRecord Step(Batch batch, int epoch = 0, double elapsedSeconds = 0)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var clock = Stopwatch.StartNew();
        PretrainingViews views;
        using (Profiler.Range("relic::views"))
            views = MakeViews(batch, StepsDone);
        using (views)
            return Step(views, batch.Count, epoch, elapsedSeconds, clock);
    }

    /// <summary>
    /// Runs one optimiser step on views already made for this step (<c>MakeViews(batch, StepsDone)</c>, e.g. ahead of
    /// time on the loader's prefetch thread, as <see cref="Run"/> does) of <paramref name="sourceCount"/> source images.
    /// The views stay the caller's.
    /// </summary>
    public MetricsRecord Step(PretrainingViews views, int sourceCount, int epoch = 0, double elapsedSeconds = 0) =>
        Step(views ?? throw new ArgumentNullException(nameof(views)), sourceCount, epoch, elapsedSeconds, Stopwatch.StartNew());

    private MetricsRecord Step(PretrainingViews views, int sourceCount, int epoch, double elapsedSeconds, Stopwatch clock)
    {
        using var scope = Torch.NewScope();
        var step = StepsDone;
        Optimizer.LearningRateMultiplier = Schedule.Multiplier(step);
        double total;
        Dictionary<string, double> terms;
        double norm;
        // The forward passes update batch-norm running statistics (and their counters) in place, in the online network
        // and in the EMA target, before the loss is known; a refused step puts them back, so that it changes nothing.
        using (var buffers = new BufferSnapshot(Online, Ema?.Target))
        {
            try
            {
                (total, terms) = Gradients(views, step);
                norm = GradientNorm();
                if (!double.IsFinite(norm))
                {
                    Optimizer.ZeroGrad();
                    throw new NonFiniteLossException(step, $"the loss {total:G6} is finite but the gradient norm is {norm}", lastFinite);
                }
            }
            catch
            {
                buffers.Restore();
                throw;
            }
        }
        if (Options.GradientClipNorm is { } max && norm > max)
        {
            using var noGrad = Torch.NoGrad();
            foreach (var p in Optimizer.Parameters)
                using (var g = p.Grad)
                    g?.Mul_(max / (norm + 1e-6));
        }
        using (Profiler.Range("relic::optimizer"))
            Optimizer.Step();
        var gamma = Ema?.NextGamma;
        using (Profiler.Range("relic::ema"))
            Ema?.Update(Online);
        StepsDone++;

        if (Group is not null && !DataParallel.SynchronizeBatchNorm)
        {
            // Per-rank batch statistics leave per-rank running statistics: rank 0's are kept, as DDP's broadcast_buffers does.
            BroadcastBuffers(Online);
            if (Ema is not null) BroadcastBuffers(Ema.Target);
        }
        if (Group is not null && StepsDone % DataParallel.ChecksumEvery == 0) CompareChecksums();

        var seconds = clock.Elapsed.TotalSeconds;
        var images = sourceCount * (Group?.WorldSize ?? 1);
        var record = new MetricsRecord(StepsDone, epoch, total, terms, Optimizer.LearningRate(0), gamma, images / Math.Max(seconds, 1e-9),
            elapsedSeconds + seconds);
        lastFinite = record;
        return record;
    }

    /// <summary>
    /// Forward, loss, finiteness check and backward of one step on the path this engine runs (data-parallel, single
    /// process or sharded); leaves the gradients of the step in the parameters and returns the loss and its terms.
    /// </summary>
    private (double Total, Dictionary<string, double> Terms) Gradients(PretrainingViews views, long step)
    {
        double total;
        Dictionary<string, double> terms;
        if (Group is not null)
        {
            var (online, targets) = Embed(views);
            var global = new GatheredBatch(Group);
            var value = Loss(online, targets, lossGenerators[0], global);
            // Every rank agrees on the values, so all refuse a non-finite step together, before any backward.
            (total, terms) = AgreedValues(value);
            ThrowIfNotFinite(step, total, terms);
            Optimizer.ZeroGrad();
            reducer!.Prepare();
            value.Total.Backward();
            LastReduction = reducer.Finish();
        }
        else if (workers is null)
        {
            // Named ranges mark the phases for libtorch's profiler (relic bench step --profile); free when it is off.
            IReadOnlyList<Tensor> online, targets;
            using (Profiler.Range("relic::forward"))
                (online, targets) = Embed(views);
            LossValue value;
            using (Profiler.Range("relic::loss"))
            {
                value = Loss(online, targets, lossGenerators[0], null);
                (total, terms) = Values(value);
            }
            ThrowIfNotFinite(step, total, terms);
            Optimizer.ZeroGrad();
            using (Profiler.Range("relic::backward"))
                value.Total.Backward();
        }
        else
            (total, terms) = ShardedGradients(views, workers, step);
        return (total, terms);
    }

    /// <summary>The loss and its terms averaged over ranks: every rank sees the same values (and so agrees on finiteness).</summary>
    private (double Total, Dictionary<string, double> Terms) AgreedValues(LossValue value)
    {
        using var scope = Torch.NewScope();
        var names = value.Terms.Keys.ToList();
        var packed = Torch.Stack([value.Total.Detach().To(DType.Float64), .. names.Select(n => value.Terms[n].Detach().To(DType.Float64))]);
        Group!.AllReduce(packed);
        var mean = packed.ToArray<double>().Select(v => v / Group.WorldSize).ToArray();
        return (mean[0], names.Select((n, i) => (n, mean[i + 1])).ToDictionary(x => x.n, x => x.Item2));
    }

    /// <summary>Compares Σp and Σ|p| over every online parameter and buffer (float64) with rank 0's; stops the run on a difference.</summary>
    public void CompareChecksums()
    {
        if (Group is null) return;
        using var scope = Torch.NewScope();
        using var noGrad = Torch.NoGrad();
        var tensors = Online.NamedParameters().Concat(Online.NamedBuffers()).Select(p => p.Tensor.To(DType.Float64)).ToList();
        var mine = Torch.Stack([Torch.Stack([.. tensors.Select(t => t.Sum())]).Sum(), Torch.Stack([.. tensors.Select(t => t.Abs().Sum())]).Sum()]);
        var all = Group.AllGather(mine.Unsqueeze(0)).ToArray<double>();
        var diverged = Enumerable.Range(1, Group.WorldSize - 1).Where(r => all[2 * r] != all[0] || all[2 * r + 1] != all[1]).ToList();
        if (diverged.Count == 0) return;
        var detail = string.Join("; ", diverged.Select(r => $"rank {r}: Σp = {all[2 * r]:R}, Σ|p| = {all[2 * r + 1]:R}"));
        throw new RankDivergedException(StepsDone, diverged,
            $"Pretrainer: after step {StepsDone} the parameters of rank(s) {string.Join(", ", diverged)} differ from rank 0's (rank 0: Σp = {all[0]:R}, Σ|p| = {all[1]:R}; {detail}). " +
            "Every rank must run the same code, data order and settings; the run is stopped rather than trained on diverged copies.");
    }

    private static (double Total, Dictionary<string, double> Terms) Values(LossValue value) =>
        (value.Total.Item(), value.Terms.ToDictionary(kv => kv.Key, kv => kv.Value.Item()));

    private static bool AllFinite(double total, IReadOnlyDictionary<string, double> terms) => double.IsFinite(total) && terms.Values.All(double.IsFinite);

    private void ThrowIfNotFinite(long step, double total, IReadOnlyDictionary<string, double> terms)
    {
        if (AllFinite(total, terms)) return;
        var bad = terms.Where(kv => !double.IsFinite(kv.Value)).Select(kv => $"{kv.Key} = {kv.Value}").ToList();
        throw new NonFiniteLossException(step, $"the loss is {total}" + (bad.Count > 0 ? $" (non-finite terms: {string.Join(", ", bad)})" : ""), lastFinite);
    }

    /// <summary>
    /// Forward, loss and gradients of each shard on its worker (<see cref="PretrainingOptions.Shards"/>); the loss and its
    /// terms are the shards' values weighted by shard size, and so is the gradient, summed here in shard order and set as
    /// the parameters' gradients. Nothing is set when any shard's loss is not finite.
    /// </summary>
    private (double Total, Dictionary<string, double> Terms) ShardedGradients(PretrainingViews views, ShardWorkers shards, long step)
    {
        var n = views.Large[0].Size(0);
        if (n < 2L * shards.Count)
            throw new ArgumentException($"Pretrainer: a batch of {n} images cannot be split into {shards.Count} shards of at least 2 (batch norm needs 2 per shard)", nameof(views));
        var parameters = Optimizer.Parameters.ToList();
        var results = shards.Run(w =>
        {
            long begin = n * w / shards.Count, length = n * (w + 1) / shards.Count - begin;
            using var scope = Torch.NewScope();
            using var frozen = w == 0 ? null : Nn.BatchNorm.FreezeRunningStatistics();
            var shard = new PretrainingViews([.. views.Large.Select(v => v.Narrow(0, begin, length))], [.. views.Small.Select(v => v.Narrow(0, begin, length))]);
            var (online, targets) = Embed(shard);
            var value = Loss(online, targets, lossGenerators[w], null);
            var weight = (double)length / n;
            var (total, terms) = Values(value);
            if (!AllFinite(total, terms)) return new ShardResult(weight, total, terms, null);
            var grads = Torch.Grad([value.Total.Mul(weight)], parameters);
            foreach (var g in grads) g?.DetachFromScope();
            return new ShardResult(weight, total, terms, grads);
        });
        try
        {
            var total = results.Sum(r => r.Weight * r.Total);
            var terms = results[0].Terms.Keys.ToDictionary(k => k, k => results.Sum(r => r.Weight * r.Terms[k]));
            ThrowIfNotFinite(step, total, terms);
            Optimizer.ZeroGrad();
            using var noGrad = Torch.NoGrad();
            for (var i = 0; i < parameters.Count; i++)
            {
                Tensor? sum = null;
                foreach (var r in results)
                    if (r.Gradients![i] is { } g)
                        sum = sum is null ? g.Alias() : sum.Add(g);
                if (sum is not null) parameters[i].Grad = sum;
            }
            return (total, terms);
        }
        finally
        {
            foreach (var r in results)
                foreach (var g in r.Gradients ?? [])
                    g?.Dispose();
        }
    }

    private sealed record ShardResult(double Weight, double Total, Dictionary<string, double> Terms, Tensor?[]? Gradients);

    private (IReadOnlyList<Tensor> Online, IReadOnlyList<Tensor> Targets) Embed(PretrainingViews views)
    {
        var nLarge = views.Large.Count;
        var large = views.Large.Count == 1 ? views.Large[0].Alias() : Torch.Cat(views.Large);
        var small = views.Small.Count switch { 0 => null, 1 => views.Small[0].Alias(), _ => Torch.Cat(views.Small) };
        Tensor[] onlineLarge, onlineSmall, targets;
        if (TargetMode == TargetMode.Ema)
        {
            onlineLarge = Online.Forward(large).Chunk(nLarge);
            onlineSmall = small is null ? [] : Online.Forward(small).Chunk(views.Small.Count);
            using var noGrad = Torch.NoGrad();
            targets = ((SiameseNetwork)Ema!.Target).Project(large).Chunk(nLarge);
        }
        else
        {
            // One pass of encoder + projector serves both branches; the predictor (if any) is online-only.
            var z = Online.Project(large);
            onlineLarge = (Online.Predictor?.Forward(z) ?? z).Chunk(nLarge);
            targets = (TargetMode == TargetMode.SharedStopGradient ? z.Detach() : z).Chunk(nLarge);
            onlineSmall = small is null ? [] : (Online.Predictor is { } q ? q.Forward(Online.Project(small)) : Online.Project(small)).Chunk(views.Small.Count);
        }
        return ([.. onlineLarge, .. onlineSmall], targets);
    }

    private double GradientNorm()
    {
        using var scope = Torch.NewScope();
        using var noGrad = Torch.NoGrad();
        var squares = Optimizer.Parameters.Select(p => p.Grad).OfType<Tensor>().Select(g => g.Pow(2).Sum().To(DType.Float64)).ToList();
        return squares.Count == 0 ? 0 : Math.Sqrt(Torch.Stack(squares).Sum().Item());
    }

    /// <summary>
    /// Trains for <see cref="PretrainingOptions.Epochs"/> epochs of <paramref name="loader"/> from <see cref="StepsDone"/> on
    /// (non-zero after <see cref="Resume(string)"/>), appending metrics to the run directory's metrics.jsonl and writing checkpoints
    /// every <see cref="PretrainingOptions.CheckpointEvery"/> steps, at the end, and when <paramref name="cancellation"/> fires
    /// (the run then returns early). <paramref name="onStep"/> sees every step's metrics (progress display).
    /// </summary>
    public PretrainingResult Run(DataLoader loader, Action<MetricsRecord>? onStep = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(loader);
        var perEpoch = loader.BatchesPerEpoch;
        if (perEpoch == 0) throw new ArgumentException($"Pretrainer.Run: the loader yields no batch (dataset of {loader.Dataset.Count} images, batch {loader.BatchSize}, drop-last {loader.DropLast})", nameof(loader));
        long TotalSteps() => PlannedSteps ?? Options.TotalSteps(perEpoch);
        if (Group is not null && loader.WorldSize != Group.WorldSize)
            throw new ArgumentException($"Pretrainer.Run: the loader is sharded over {loader.WorldSize} rank(s) but the process group has {Group.WorldSize}; build it with rank: {Group.Rank}, worldSize: {Group.WorldSize}", nameof(loader));
        // Steps after StepsDone that a stopped run had logged are about to be taken again: their records go first.
        if (IsMaster && Options.RunDirectory is { } logDir) MetricsLog.DropAfter(Path.Combine(logDir, "metrics.jsonl"), StepsDone);
        using var log = IsMaster && Options.RunDirectory is { } dir ? new MetricsLog(Path.Combine(dir, "metrics.jsonl")) : null;
        var clock = Stopwatch.StartNew();
        var cancelled = false;
        string? checkpoint = null;
        while (StepsDone < TotalSteps() && !cancelled)
        {
            var epoch = (int)(StepsDone / perEpoch);
            var skip = (int)(StepsDone % perEpoch);
            // Views are made on the loader's prefetch thread, overlapping the previous steps' compute; each knows the step it
            // was drawn for (batches of the epoch before a resume point are skipped without making views).
            var next = (long)epoch * perEpoch;
            var first = StepsDone;
            var prepared = loader.Epoch(epoch, batch =>
            {
                var step = next++;
                return step < first ? null : new PreparedViews(step, batch.Count, MakeViews(batch, step));
            });
            // Cancellation is checked between steps (so that it always ends with a checkpoint), not inside the loader's wait.
            foreach (var item in prepared.Skip(skip))
            {
                using (item)
                {
                    if (item is null || item.Step != StepsDone)
                        throw new InvalidOperationException($"Pretrainer.Run: views for step {item?.Step} arrived at step {StepsDone}");
                    var record = Step(item.Views, item.SourceCount, epoch, clock.Elapsed.TotalSeconds);
                    log?.Append(record);
                    onStep?.Invoke(record);
                }
                if (StepsDone % Options.CheckpointEvery == 0) checkpoint = SaveCheckpoint();
                if (StepsDone >= TotalSteps()) break;
                if (AnyRankCancelled(cancellation.IsCancellationRequested))
                {
                    cancelled = true;
                    break;
                }
            }
        }
        if (StepsDone % Options.CheckpointEvery != 0 || checkpoint is null) checkpoint = SaveCheckpoint();
        Group?.Barrier();
        return new PretrainingResult(StepsDone, TotalSteps(), cancelled, lastFinite, checkpoint, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Whether this rank or any other asked to stop (Ctrl-C reaches the ranks at different steps; all stop at the same one).</summary>
    private bool AnyRankCancelled(bool here)
    {
        if (Group is null) return here;
        using var flag = Torch.Full([1], here ? 1 : 0, DType.Float32);
        Group.AllReduce(flag, ReduceOp.Max);
        return flag.Item() > 0;
    }

    /// <summary>The checkpoint path of this run (without extension), or null without a run directory.</summary>
    public string? CheckpointPath => Options.RunDirectory is { } dir ? Path.Combine(dir, "checkpoints", "last") : null;

    /// <summary>Writes the run's state atomically (weights, optimiser, EMA, loss generator, step); returns its path or null without a run directory.</summary>
    public string? SaveCheckpoint()
    {
        if (CheckpointPath is not { } path) return null;
        if (!IsMaster) return path;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var checkpoint = Checkpoint.Capture(StepsDone, new Dictionary<string, Nn.Module> { [OnlineName] = Online }, Optimizer, Ema,
            LossGeneratorsByName());
        checkpoint.Save(path);
        return path;
    }

    /// <summary>Restores a checkpoint written by <see cref="SaveCheckpoint"/> into this engine (built the same way).</summary>
    public void Resume(string path)
    {
        using var checkpoint = Checkpoint.Load(path);
        Resume(checkpoint);
    }

    /// <summary>Restores a loaded checkpoint into this engine (built the same way); all or nothing (<see cref="Checkpoint.Restore"/>).</summary>
    public void Resume(Checkpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        checkpoint.Restore(new Dictionary<string, Nn.Module> { [OnlineName] = Online }, Optimizer, Ema, LossGeneratorsByName());
        StepsDone = checkpoint.Step;
        if (Group is not null) CompareChecksums();
    }

    /// <summary>"loss" (shard 0, the only one without sharding), then "loss.1", "loss.2", … for further shards.</summary>
    private Dictionary<string, Generator> LossGeneratorsByName() =>
        lossGenerators.Select((g, w) => (Name: w == 0 ? "loss" : $"loss.{w}", g)).ToDictionary(x => x.Name, x => x.g);

    private sealed record PreparedViews(long Step, int SourceCount, PretrainingViews Views) : IDisposable
    {
        public void Dispose() => Views.Dispose();
    }

    public void Dispose()
    {
        reducer?.Dispose();
        workers?.Dispose();
        Ema?.Dispose();
        foreach (var g in lossGenerators) g.Dispose();
    }
}
