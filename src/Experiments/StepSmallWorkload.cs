using ReLICv2.Distributed;
using ReLICv2.Nn;
using ReLICv2.Objectives;
using ReLICv2.Optim;
using ReLICv2.Training;
using ReLICv2.Views;

namespace ReLICv2.Experiments;

/// <summary>
/// The networks, optimiser and objective of the <c>relicv2-step-small</c> workload (docs/benchmarks.md §2), shared by
/// <c>relic bench step</c> and <c>relic bench ddp</c>: 32 sources of 40 × 40, [4 × 32, 2 × 16] views, ResNet-18 with the
/// small stem at base width 32, 256 → 1024 → 128 projector and predictor, EMA target (γ 0.99), ReLIC (τ 0.2, all
/// negatives) over every (online i, target j ≠ i) pair, LARS with weight decay 1e-6. The encoder is channels-last, as
/// every preset's (<c>EncoderSpec.ChannelsLast</c>), and the PyTorch reference runs channels-last too. Every weight is
/// drawn from the generator given, so two workloads made from equal generators are equal.
/// </summary>
internal sealed class StepSmallWorkload : IDisposable
{
    public const int Batch = 32, Source = 40;

    public StepSmallWorkload(Generator generator)
    {
        Encoder = new ResNet(18, generator, smallImageStem: true, baseWidth: 32);
        Encoder.To(MemoryFormat.ChannelsLast);
        Online = new SiameseNetwork(Encoder, new MlpHead(256, 1024, 128, generator), new MlpHead(128, 1024, 128, generator));
        Optimizer = new Lars(Lars.ExcludingBiasAndNorm(Online.NamedParameters(), new LarsOptions(0.1, 0.9, 1e-6)));
    }

    public static ViewSet Views { get; } = ViewSet.ReLICv2(largeCount: 4, smallCount: 2, largeSize: 32, smallSize: 16);

    public static PairedObjective Objective { get; } =
        new(Presets.Relic(temperature: 0.2, negatives: Losses.Negatives.All), PairingPolicy.ReLICv2(includeSameView: false));

    public ResNet Encoder { get; }

    public SiameseNetwork Online { get; }

    public Optimizer Optimizer { get; }

    /// <summary>A pre-training engine over this workload's networks with <paramref name="makeViews"/>.</summary>
    public Pretrainer Engine(ViewMaker makeViews, int shards = 1, ProcessGroup? group = null, DataParallelOptions? dataParallel = null) =>
        new(Online, TargetMode.Ema, Optimizer, new WarmupCosineSchedule(1_000_000), makeViews, PretrainingAdapters.Loss(Objective),
            new PretrainingOptions(1, shards: shards), EmaSchedule.Constant(0.99), group, dataParallel);

    public void Dispose()
    {
        Online.Dispose();
        Optimizer.Dispose();
    }
}
