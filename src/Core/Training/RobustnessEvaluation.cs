using ReLICv2.Data;
using ReLICv2.Nn;
using ReLICv2.Vision;

namespace ReLICv2.Training;

/// <summary>
/// The robustness protocol (docs/method.md §7.1; ReLICv2 appendix B.4 at small scale): a linear probe trained on clean
/// features is scored, without retraining, on corrupted copies of the test split made on the fly — every
/// <see cref="Corruption"/> asked for at severities 1–5 (<see cref="Corruptions"/>) — beside the clean test split. One pass
/// over the test set: each batch is decoded once and corrupted 5·K times, the frozen encoder (evaluation mode, no
/// gradient) and the probe score every copy, and only hit counts are kept. The mean corruption accuracy is the mean
/// top-1 over the image corruptions and severities; the background shift, a shift of context rather than of the
/// pixels, is reported beside it and left out of the mean.
/// </summary>
public static class RobustnessEvaluation
{
    /// <summary>The protocol name of the rows (<see cref="AccuracyResult.Protocol"/>).</summary>
    public const string Protocol = "robustness";

    /// <summary>The <see cref="AccuracyResult.Corruption"/> of the uncorrupted test split's row.</summary>
    public const string Clean = "clean";

    /// <summary>The <see cref="AccuracyResult.Corruption"/> of the mean corruption accuracy's row.</summary>
    public const string Mean = "mean";

    /// <summary>
    /// Scores <paramref name="probe"/> on features of <paramref name="encoder"/> for the clean and corrupted copies of
    /// <paramref name="test"/>, returning the rows of <paramref name="encoderName"/>: clean (severity 0), each corruption ×
    /// severity 1–5, then the mean corruption accuracy (when an image corruption was evaluated).
    /// </summary>
    /// <param name="encoder">The frozen encoder (its device is used; corruptions are computed on the CPU).</param>
    /// <param name="probe">A linear probe trained on the encoder's clean training features.</param>
    /// <param name="test">The test split.</param>
    /// <param name="encoderName">The <see cref="AccuracyResult.Encoder"/> of the rows.</param>
    /// <param name="corruptions">The corruptions to evaluate; default every one (the background shift needs <paramref name="masks"/>).</param>
    /// <param name="masks">Foreground masks [N, 1, H, W] of a test batch, for the background shift.</param>
    /// <param name="seed">Seed of the random parts of the corruptions (noise, rotation signs, textures), mixed with the batch index.</param>
    /// <param name="batchSize">Test images per batch, at least 1.</param>
    /// <param name="progress">Receives (images done, images in the test split).</param>
    /// <param name="cancellation">Stops between batches.</param>
    /// <exception cref="ArgumentException">The background shift is asked for without masks, or the list is empty or repeats a corruption.</exception>
    public static IReadOnlyList<AccuracyResult> Evaluate(Module encoder, LinearProbe probe, IImageDataset test, string encoderName,
        IReadOnlyList<Corruption>? corruptions = null, Func<Batch, Tensor>? masks = null, ulong seed = 0, int batchSize = 256,
        Action<int, int>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentException.ThrowIfNullOrWhiteSpace(encoderName);
        corruptions ??= Corruptions.All;
        if (corruptions.Count == 0) throw new ArgumentException("RobustnessEvaluation: corruptions must not be empty", nameof(corruptions));
        if (corruptions.Distinct().Count() != corruptions.Count)
            throw new ArgumentException($"RobustnessEvaluation: corruptions lists one twice ({string.Join(", ", corruptions.Select(Corruptions.Name))})", nameof(corruptions));
        if (corruptions.Contains(Corruption.BackgroundShift) && masks is null)
            throw new ArgumentException("RobustnessEvaluation: the background shift needs foreground masks; pass masks (a mask source) or leave background-shift out", nameof(masks));
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "RobustnessEvaluation: batchSize must be >= 1");

        var settings = new List<(Corruption? Corruption, int Severity)> { (null, 0) };
        foreach (var c in corruptions)
            for (var s = 1; s <= Corruptions.MaxSeverity; s++) settings.Add((c, s));
        var top1 = new double[settings.Count];
        var top5 = new double[settings.Count];
        long count = 0;

        var wasTraining = encoder.IsTraining;
        encoder.Eval();
        var device = encoder.Parameters().FirstOrDefault()?.Device ?? Device.Cpu;
        try
        {
            var loader = new DataLoader(test, batchSize, shuffle: false);
            var index = 0;
            using var noGrad = Torch.NoGrad();
            foreach (var batch in loader.Epoch(0, cancellation))
            {
                using (batch)
                using (var scope = Torch.NewScope())
                {
                    var clean = batch.Images.To(DType.Float32) / 255.0;
                    var batchMasks = corruptions.Contains(Corruption.BackgroundShift) ? masks!(batch) : null;
                    for (var k = 0; k < settings.Count; k++)
                    {
                        using var inner = Torch.NewScope();
                        var (c, s) = settings[k];
                        var x = c is { } corruption ? Corruptions.Apply(clean, corruption, s, BatchSeed(seed, index, corruption), batchMasks) : clean;
                        var features = encoder.Forward(device == Device.Cpu ? x : x.To(device)).To(Device.Cpu);
                        using var logits = probe.Logits(features);
                        var score = ClassificationScore.Of(logits, batch.Labels);
                        top1[k] += score.Top1 * score.Count;
                        top5[k] += score.Top5 * score.Count;
                    }
                }
                count += batch.Count;
                index++;
                progress?.Invoke((int)count, test.Count);
            }
        }
        finally
        {
            encoder.Train(wasTraining);
        }
        if (count == 0) throw new InvalidOperationException("RobustnessEvaluation: the test split yielded no images");

        var rows = new List<AccuracyResult>();
        for (var k = 0; k < settings.Count; k++)
        {
            var (c, s) = settings[k];
            var note = c is { } corruption ? $"{Corruptions.Name(corruption)} severity {s}: {Corruptions.Describe(corruption, s)}" : "uncorrupted test split";
            rows.Add(new AccuracyResult(encoderName, Protocol, Fraction(top1[k], count), Fraction(top5[k], count), note,
                c is { } named ? Corruptions.Name(named) : Clean, s));
        }
        var imageCorruptions = rows.Where(r => r.Corruption is not (Clean or null) && r.Corruption != Corruptions.Name(Corruption.BackgroundShift)).ToList();
        if (imageCorruptions.Count > 0)
        {
            var kinds = imageCorruptions.Select(r => r.Corruption).Distinct().Count();
            rows.Add(new AccuracyResult(encoderName, Protocol, imageCorruptions.Average(r => r.Top1), imageCorruptions.Average(r => r.Top5 ?? 0),
                $"over {kinds} corruption(s) × {Corruptions.MaxSeverity} severities", Mean));
        }
        return rows;
    }

    /// <summary>The seed of one batch under one corruption (SplitMix64 of the three), so that batches and corruptions draw independently.</summary>
    private static ulong BatchSeed(ulong seed, int batch, Corruption corruption)
    {
        var z = seed + 0x9E3779B97F4A7C15UL * (ulong)(batch + 1) + 0xBF58476D1CE4E5B9UL * (ulong)((int)corruption + 1);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static double Fraction(double hits, long count) => Math.Clamp(hits / count, 0, 1);
}
