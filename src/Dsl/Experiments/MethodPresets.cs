using ReLICv2.Losses;
using ReLICv2.Objectives;
using ReLICv2.Training;
using ReLICv2.Views;

namespace ReLICv2.Experiments;

/// <summary>
/// Every method of the framework as a complete experiment — heads, target mode, view set, pairing, objective and
/// optimiser — for Fashion-MNIST (28 px, grey) and CIFAR-10 (32 px), composed from the same primitives
/// (docs/method.md §5). Defaults follow each method's paper or official code, scaled to these datasets as solo-learn's
/// CIFAR recipes scale them; the two-view methods share one two-view augmentation per dataset (the Fashion-MNIST
/// preset's large view; the [4, 2] set's 32-px large view on CIFAR) so that a comparison at equal budget isolates the
/// objective, while ReLICv2 keeps its [4, 2] multi-crop, part of the method. Encoder, batch, evaluation and time budget
/// are the Fashion-MNIST ReLICv2 preset's. Each experiment names its method (<see cref="Experiment.Method"/>), so that
/// results and reports say "BYOL pre-trained" and, for the methods with an EMA target (ReLIC, ReLICv2, BYOL, ReSSL),
/// "BYOL EMA target".
/// </summary>
public static class MethodPresets
{
    /// <summary>The methods, by preset prefix: relic, relicv2, simclr, byol, barlow-twins, vicreg, ressl, twist.</summary>
    public static IReadOnlyList<string> Methods { get; } = ["relic", "relicv2", "simclr", "byol", "barlow-twins", "vicreg", "ressl", "twist"];

    /// <summary>The method's name as results and reports show it.</summary>
    public static string DisplayName(string method) => method switch
    {
        "relic" => "ReLIC",
        "relicv2" => "ReLICv2",
        "simclr" => "SimCLR",
        "byol" => "BYOL",
        "barlow-twins" => "Barlow Twins",
        "vicreg" => "VICReg",
        "ressl" => "ReSSL",
        "twist" => "TWIST",
        _ => throw Unknown(method),
    };

    /// <summary><paramref name="method"/> on Fashion-MNIST with a pre-training budget of <paramref name="minutes"/>.</summary>
    /// <exception cref="ArgumentException">An unknown method (the message lists the known ones).</exception>
    public static Experiment FashionMnist(string method, double minutes = 10) =>
        Build(method, Experiment.FashionMnistReLICv2(minutes), ViewSet.ReLICv2FashionMnist(largeCount: 2, smallCount: 0), "fashion-mnist");

    /// <summary><paramref name="method"/> on CIFAR-10 (files under <paramref name="root"/>, or the default location).</summary>
    /// <exception cref="ArgumentException">An unknown method (the message lists the known ones).</exception>
    public static Experiment Cifar10(string method, string? root = null, int epochs = 100) =>
        Build(method, Experiment.Cifar10ReLICv2(root, epochs), ViewSet.ReLICv2(largeCount: 2, smallCount: 0, largeSize: 32, smallSize: 16), "cifar10");

    private static Experiment Build(string method, Experiment relicv2, ViewSet twoViews, string dataset)
    {
        ArgumentNullException.ThrowIfNull(method);
        var name = $"{method}-{dataset}";
        var epochs = relicv2.Epochs;
        var two = PairingPolicy.TwoViewSymmetric;
        Experiment With(ViewSet views, PairedObjective objective, HeadsSpec heads, TargetMode target, EmaSpec? ema, OptimizerSpec optimizer) =>
            relicv2.With(name: name, views: views, objective: objective, heads: heads, optimizer: optimizer, method: method)
                .With("evaluation.evaluateTarget", target == TargetMode.Ema ? "true" : "false")
                .WithTarget(target, ema);
        return method switch
        {
            // ReLICv2 itself: the dataset's preset, renamed.
            "relicv2" => relicv2.With(name: name, method: method),
            // ReLIC (Mitrovic et al. 2021): the same objective over two views, each view the anchor of the other.
            "relic" => With(twoViews, new PairedObjective(Presets.Relic(temperature: 0.2), two), relicv2.Heads, TargetMode.Ema, relicv2.Ema, relicv2.Optimizer),
            // SimCLR (Chen et al. 2020): one shared network, NT-Xent τ 0.2 (solo-learn CIFAR), projector 2048 → 128, LARS 0.4 per 256.
            "simclr" => With(twoViews, new PairedObjective(Presets.SimClr(temperature: 0.2), two), new HeadsSpec(2048, 128, 0), TargetMode.Shared, null,
                new OptimizerSpec(OptimizerKind.Lars, learningRate: 0.4, weightDecay: 1e-5, warmupEpochs: 0.1 * epochs)),
            // BYOL (Grill et al. 2020): EMA target from 0.99 (CIFAR), predictor, symmetrised regression, LARS 1.0 per 256.
            "byol" => With(twoViews, new PairedObjective(Presets.Byol(), two), new HeadsSpec(4096, 256, 4096), TargetMode.Ema, new EmaSpec(0.99),
                new OptimizerSpec(OptimizerKind.Lars, learningRate: 1.0, weightDecay: 1e-5, warmupEpochs: 0.1 * epochs)),
            // Barlow Twins (Zbontar et al. 2021): shared network, λ 5.1e-3 with solo-learn's 0.1 scale, projector 2048 → 2048, LARS 0.3.
            "barlow-twins" => With(twoViews, new PairedObjective(Presets.BarlowTwins(lambda: 5.1e-3, scale: 0.1, eps: 1e-5), PairingPolicy.ReLICv2(includeSameView: false)),
                new HeadsSpec(2048, 2048, 0), TargetMode.Shared, null,
                new OptimizerSpec(OptimizerKind.Lars, learningRate: 0.3, weightDecay: 1e-4, warmupEpochs: 0.1 * epochs)),
            // VICReg (Bardes et al. 2022): shared network, 25/25/1, projector 2048 → 2048, LARS 0.3.
            "vicreg" => With(twoViews, new PairedObjective(Presets.VicReg(), PairingPolicy.ReLICv2(includeSameView: false)), new HeadsSpec(2048, 2048, 0),
                TargetMode.Shared, null, new OptimizerSpec(OptimizerKind.Lars, learningRate: 0.3, weightDecay: 1e-4, warmupEpochs: 0.1 * epochs)),
            // ReSSL (Zheng et al. 2021): EMA target from 0.99, τ_t 0.04, τ_s 0.1, batch relations, projector 4096 → 256, LARS 1.0.
            "ressl" => With(twoViews, new PairedObjective(Presets.Ressl(), two), new HeadsSpec(4096, 256, 0), TargetMode.Ema, new EmaSpec(0.99),
                new OptimizerSpec(OptimizerKind.Lars, learningRate: 1.0, weightDecay: 1e-5, warmupEpochs: 0.1 * epochs)),
            // TWIST (Wang et al. 2021): shared network, a classifier head of K = 512 classes read as logits (τ 1), LARS 0.5.
            "twist" => With(twoViews, new PairedObjective(Presets.Twist(), PairingPolicy.ReLICv2(includeSameView: false)), new HeadsSpec(2048, 512, 0),
                TargetMode.Shared, null, new OptimizerSpec(OptimizerKind.Lars, learningRate: 0.5, weightDecay: 1e-5, warmupEpochs: 0.1 * epochs)),
            _ => throw Unknown(method),
        };
    }

    private static ArgumentException Unknown(string method) =>
        new($"'{method}' is not a method; allowed: {string.Join(", ", Methods)}", nameof(method));
}
