using ReLICv2.Augmentation;
using ReLICv2.Data;
using ReLICv2.Experiments;
using ReLICv2.Objectives;
using ReLICv2.Training;
using ReLICv2.Views;
using ReLICv2.Vision;
using Xunit;

namespace ReLICv2.Tests;

/// <summary>
/// Data and masks in experiments: mask sources named in the experiment JSON, folder masks that follow their images
/// through crops and flips, STL-10 as a dataset kind, datasets built by the caller, unreadable files counted and refused.
/// </summary>
public sealed class DataAndMasksTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "relic-data-" + Guid.NewGuid().ToString("N"));

    public DataAndMasksTests() => Directory.CreateDirectory(dir);

    public void Dispose()
    {
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
    }

    /// <summary>A grey test image with structure at two scales, as interleaved bytes, from a seed.</summary>
    private static byte[] GreyImage(int seed, int side)
    {
        var rng = new Random(seed);
        var (fx, fy, phase) = (rng.NextDouble() * 0.5 + 0.2, rng.NextDouble() * 0.5 + 0.2, rng.NextDouble() * 6);
        var pixels = new byte[side * side];
        for (var y = 0; y < side; y++)
            for (var x = 0; x < side; x++)
                pixels[y * side + x] = (byte)Math.Clamp(128 + 90 * Math.Sin(fx * x + fy * y + phase) + rng.Next(-30, 30), 0, 255);
        return pixels;
    }

    /// <summary>An image folder root/split/class/k.png (grey, side px), with masks = image thresholded at 128 under maskRoot.</summary>
    private static void WriteFolder(string root, string? maskRoot, string split, int perClass, int side, int seed)
    {
        for (var c = 0; c < 2; c++)
            for (var k = 0; k < perClass; k++)
            {
                var pixels = GreyImage(seed + 100 * c + k, side);
                PngWriter.Write(Path.Combine(root, split, $"class{c}", $"{k:D3}.png"), new DecodedImage(side, side, 1, pixels));
                if (maskRoot is not null)
                    PngWriter.Write(Path.Combine(maskRoot, split, $"class{c}", $"{k:D3}.png"),
                        new DecodedImage(side, side, 1, pixels.Select(p => p >= 128 ? (byte)255 : (byte)0).ToArray()));
            }
    }

    [Fact]
    public void Folder_masks_follow_their_images_through_crops_and_flips()
    {
        var (images, masks) = (Path.Combine(dir, "images"), Path.Combine(dir, "masks"));
        WriteFolder(images, masks, "train", 6, 24, seed: 1);
        var data = new ImageFolderDataset(Path.Combine(images, "train"), color: ImageColorMode.Gray, maskRoot: Path.Combine(masks, "train"));
        Assert.True(data.HasMasks);
        using var scope = Torch.NewScope();
        using var batch = data.GetBatch(Enumerable.Range(0, data.Count).ToArray());
        var x = batch.Images.To(DType.Float32) / 255.0;
        var thresholded = x.Ge(128 / 255.0 - 1e-6).To(DType.Float32);
        Assert.True(batch.Masks!.Equal(thresholded), "the masks read from the folder are not the thresholded images");

        // One chain, one draw of parameters: the masked view is m_view ⊙ x_view (grey 0, always applied); the same draw on
        // the thresholded image, with full masks, gives the thresholded image's view.
        var chain = AugmentationChain.Of(new ResizedCrop(16, 0.2, 0.6, interpolation: InterpolationMode.Bilinear), new HorizontalFlip(0.5),
            new SaliencyMask(1.0, 0, 0, 0));
        var parameters = chain.Sample(data.Count, 24, 24, seed: 9);
        var flips = parameters.Steps.OfType<FlagParams>().Single().Applied;
        Assert.Contains(true, flips);
        Assert.Contains(false, flips);
        var ones = Torch.Ones([data.Count, 1, 24, 24]);
        var maskedView = chain.Apply(x, parameters, batch.Masks);
        var imageView = chain.Apply(x, parameters, ones);
        var thresholdView = chain.Apply(thresholded, parameters, ones);
        Assert.True(maskedView.AllClose(thresholdView * imageView, 1e-5, 1e-5), "the cropped and flipped mask is not the thresholded image's view");
    }

    [Fact]
    public void A_folder_mask_source_attaches_mirrored_masks_to_both_splits_and_a_missing_mask_names_both_files()
    {
        var (images, masks) = (Path.Combine(dir, "images"), Path.Combine(dir, "masks"));
        WriteFolder(images, masks, "train", 3, 16, seed: 2);
        WriteFolder(images, masks, "val", 2, 16, seed: 3);
        var spec = new DatasetSpec(DatasetKind.ImageFolder, images, imageSize: 16, masks: MaskSourceSpec.Folder(masks));
        var (train, test) = spec.Load();
        Assert.True(train.HasMasks && test.HasMasks);
        var expected = GreyImage(3 + 100 * 1 + 1, 16).Select(p => p >= 128 ? 1f : 0f).ToArray();
        Assert.Equal(expected, test.Mask(3));
        File.Delete(Path.Combine(masks, "val", "class0", "001.png"));
        var e = Assert.Throws<FileNotFoundException>(() => test.Mask(1));
        Assert.Contains(Path.Combine("val", "class0", "001.png"), e.Message);
        Assert.Contains("001.png", e.FileName);
        var wrongKind = Assert.Throws<ArgumentException>(() => new DatasetSpec(DatasetKind.Cifar10, masks: MaskSourceSpec.Folder(masks)));
        Assert.Contains("ImageFolder", wrongKind.Message);
    }

    [Theory]
    [InlineData("dataset")]
    [InlineData("boundary-contrast")]
    [InlineData("spectral-residual")]
    [InlineData("folder:/data/masks")]
    public void Mask_sources_round_trip_through_the_experiment_json(string source)
    {
        var kind = source.StartsWith("folder", StringComparison.Ordinal) ? DatasetKind.ImageFolder : DatasetKind.Synthetic;
        var e = Tiny().With(dataset: new DatasetSpec(kind, "/data/images", 64, 32, 16, MaskSourceSpec.Parse(source)));
        Assert.Contains($"\"masks\": \"{source}\"", e.ToJson());
        var back = Experiment.FromJson(e.ToJson());
        Assert.Equal(e, back);
        Assert.Equal(source, back.Dataset.Masks!.ToString());
        Assert.Equal(MaskSourceKind.SpectralResidual, e.With("dataset.masks", "spectral-residual").Dataset.Masks!.Kind);
    }

    [Fact]
    public void An_unknown_mask_source_is_an_error_listing_the_allowed_ones_and_absent_means_none()
    {
        var json = Tiny().ToJson().Replace("\"masks\": \"dataset\"", "\"masks\": \"fog\"", StringComparison.Ordinal);
        var e = Assert.Throws<System.Text.Json.JsonException>(() => Experiment.FromJson(json));
        Assert.Contains("dataset", e.Message);
        Assert.Contains("'fog'", e.Message);
        Assert.Contains("allowed: dataset, folder:PATH, boundary-contrast, spectral-residual", e.Message);
        var set = Assert.Throws<ArgumentException>(() => Tiny().With("dataset.masks", "saliency-net"));
        Assert.Contains("saliency-net", set.Message);
        var none = Experiment.FromJson(Tiny().ToJson().Replace("\"masks\": \"dataset\",", "", StringComparison.Ordinal));
        Assert.Null(none.Dataset.Masks);
        Assert.Equal(0.01, none.Dataset.MaxUnreadableFraction);
    }

    [Fact]
    public void Masked_views_without_a_mask_source_are_refused_where_the_experiment_is_built()
    {
        var masked = ViewSet.ReLICv2(largeCount: 2, smallCount: 1, largeSize: 16, smallSize: 8, maskProbability: 0.5);
        var e = Assert.Throws<ArgumentException>(() => Tiny().With(dataset: new DatasetSpec(DatasetKind.Synthetic, trainLimit: 64, testLimit: 32, imageSize: 16), views: masked));
        Assert.Contains("dataset.masks", e.Message);
        Assert.True(Tiny().With(views: masked).Views.NeedsMasks);
    }

    [Fact]
    public void Mask_probability_is_added_to_the_presets_own_chains()
    {
        Assert.Equal(ViewSet.ReLICv2FashionMnist(maskProbability: 0.3), ViewSet.ReLICv2FashionMnist().WithMaskProbability(0.3));
        Assert.Equal(ViewSet.ReLICv2Cifar(maskProbability: 0.2), ViewSet.ReLICv2Cifar().WithMaskProbability(0.2));
        Assert.Equal(ViewSet.ReLICv2Cifar(), ViewSet.ReLICv2Cifar(maskProbability: 0.2).WithMaskProbability(0));
        var custom = new ViewSet([AugmentationChain.Of(new ResizedCrop(16, 0.5, 1), new HorizontalFlip(0.5), new SaliencyMask(0.1, 0.2, 0.4, 0.3), new Grayscale(0.2))], []);
        var changed = custom.WithMaskProbability(0.7).LargeViews[0].Steps;
        Assert.Equal(new SaliencyMask(0.7, 0.2, 0.4, 0.3), changed[2]);
        Assert.Equal(4, changed.Count);
    }

    [Fact]
    public void Stl10_is_a_dataset_kind_read_from_its_binary_files()
    {
        const int side = 96, plane = side * side;
        var root = Path.Combine(dir, "stl10_binary");
        Directory.CreateDirectory(root);
        var missing = Assert.Throws<FileNotFoundException>(() => new DatasetSpec(DatasetKind.Stl10, root).Load());
        Assert.Contains("train_X.bin", missing.Message);
        Assert.Contains("test_y.bin", missing.Message);
        foreach (var (split, labels) in new[] { ("train", new byte[] { 3, 1, 10 }), ("test", new byte[] { 2, 2 }) })
        {
            var raw = new byte[labels.Length * 3 * plane];
            // byte (k, ch) at column-major position c·96 + r holds (k + ch + r + 2c) mod 256
            for (var k = 0; k < labels.Length; k++)
                for (var ch = 0; ch < 3; ch++)
                    for (var c = 0; c < side; c++)
                        for (var r = 0; r < side; r++)
                            raw[k * 3 * plane + ch * plane + c * side + r] = (byte)((k + ch + r + 2 * c) % 256);
            File.WriteAllBytes(Path.Combine(root, $"{split}_X.bin"), raw);
            File.WriteAllBytes(Path.Combine(root, $"{split}_y.bin"), labels);
        }
        var (train, test) = new DatasetSpec(DatasetKind.Stl10, root, testLimit: 1).Load();
        Assert.Equal((3, 1, 3, 96, 96, 10), (train.Count, test.Count, train.Channels, train.Height, train.Width, train.ClassCount));
        Assert.Equal(new[] { 2, 0, 9 }, Enumerable.Range(0, 3).Select(train.Label));
        var pixels = train.Pixels(2);
        Assert.Equal((byte)((2 + 1 + 5 + 2 * 7) % 256), pixels[1 * plane + 5 * side + 7]);
        Assert.Equal(1, test.Label(0));
    }

    /// <summary>An in-memory dataset as a user builds it: grey 16 px images whose class is the brighter half.</summary>
    private static InMemoryImageDataset InMemory(int count, int seed)
    {
        var rng = new Random(seed);
        var pixels = new byte[count * 16 * 16];
        var labels = new int[count];
        for (var i = 0; i < count; i++)
        {
            labels[i] = i % 2;
            for (var p = 0; p < 256; p++)
                pixels[i * 256 + p] = (byte)rng.Next(labels[i] == 0 ? 0 : 100, labels[i] == 0 ? 156 : 256);
        }
        return new InMemoryImageDataset(pixels, labels, 1, 16, 16, ["dark", "bright"]);
    }

    [Fact]
    public void A_dataset_built_in_memory_runs_through_experiment_run()
    {
        var e = Tiny().With(evaluation: new EvaluationSpec(probeEpochs: 1, knnK: 3, randomInitBaseline: false, supervisedBaseline: false, probeAugmentedCopies: 0));
        var run = Path.Combine(dir, "run");
        var result = e.Run(InMemory(32, 1), InMemory(8, 2), run);
        Assert.Equal(2, result.Pretraining.StepsDone);
        Assert.Equal([ExperimentRunner.Probe, ExperimentRunner.Knn], result.Accuracies.Select(a => a.Protocol));
        Assert.Equal(2, MetricsLog.Read(new RunDirectory(run).Metrics).Count);
        Assert.Empty(result.UnreadableFiles);
        var mismatch = Assert.Throws<ArgumentException>(() => e.Run(InMemory(32, 1), SyntheticTest(), Path.Combine(dir, "other")));
        Assert.Contains("1×16×16", mismatch.Message);
    }

    private static IImageDataset SyntheticTest() => new SyntheticDataset(8, 16, 3, seed: 4, classes: 2);

    [Fact]
    public void Unreadable_image_files_are_counted_reported_and_refused_above_the_set_fraction()
    {
        var images = Path.Combine(dir, "images");
        WriteFolder(images, null, "train", 16, 16, seed: 5);
        WriteFolder(images, null, "val", 4, 16, seed: 6);
        var broken = Path.Combine(images, "train", "class1", "004.png");
        File.WriteAllBytes(broken, [0x89, 0x50, 0x4E, 0x47, 1, 2, 3]);
        var e = Tiny().With(dataset: new DatasetSpec(DatasetKind.ImageFolder, images, imageSize: 16, masks: MaskSourceSpec.BoundaryContrast),
            evaluation: new EvaluationSpec(probeEpochs: 1, knnK: 3, randomInitBaseline: false, supervisedBaseline: false, probeAugmentedCopies: 0));
        // 1 of 32 training files (3.1 %) is more than the default 1 %.
        var refused = Assert.Throws<InvalidDataException>(() => e.Run(Path.Combine(dir, "strict")));
        Assert.Contains("1 of the 32 training images", refused.Message);
        Assert.Contains("maxUnreadableFraction", refused.Message);
        Assert.Contains("004.png", refused.Message);

        var tolerant = e.With("dataset.maxUnreadableFraction", "0.05");
        var result = tolerant.Run(Path.Combine(dir, "tolerant"));
        Assert.Equal([broken], result.UnreadableFiles);
        Assert.Equal([broken], File.ReadAllLines(Path.Combine(dir, "tolerant", ExperimentRunner.UnreadableFile)));
        Assert.Contains("maxUnreadableFraction", Assert.Throws<ArgumentException>(() => tolerant.With("dataset.maxUnreadableFraction", "2")).Message);
    }

    [Fact]
    public void Robustness_rows_of_a_run_cover_every_corruption_and_severity_beside_the_clean_probe()
    {
        var e = Tiny().With(evaluation: new EvaluationSpec(probeEpochs: 2, knnK: 3, randomInitBaseline: false, supervisedBaseline: false, probeAugmentedCopies: 0));
        var run = Path.Combine(dir, "run");
        var result = e.Run(run);
        var rows = ExperimentRunner.EvaluateRobustness(run);
        Assert.Equal(1 + Corruptions.All.Count * 5 + 1, rows.Count);
        Assert.All(rows, r => Assert.Equal(RobustnessEvaluation.Protocol, r.Protocol));
        var clean = rows[0];
        Assert.Equal((RobustnessEvaluation.Clean, 0), (clean.Corruption, clean.Severity));
        Assert.Equal(result.FindPretrained(ExperimentRunner.Probe)!.Top1, clean.Top1, 12);
        var imageRows = rows.Where(r => r.Severity is >= 1 && r.Corruption != "background-shift").ToList();
        Assert.Equal(35, imageRows.Count);
        Assert.Equal(imageRows.Average(r => r.Top1), rows[^1].Top1, 12);
        Assert.Equal(RobustnessEvaluation.Mean, rows[^1].Corruption);
        var saved = ResultsFile.Read(new RunDirectory(run));
        Assert.Equal(result.Accuracies.Count + rows.Count, saved.Count);
        Assert.Equal(rows, saved.Skip(result.Accuracies.Count));
        // The picture: 8 corruptions × 6 severities of 16 px tiles enlarged 4 times, 2 px apart.
        var grid = ImageDecoder.Decode(Path.Combine(run, ExperimentRunner.CorruptionsFile));
        Assert.Equal((6 * 66 - 2, 8 * 66 - 2), (grid.Width, grid.Height));
        // Evaluating again replaces the rows instead of adding more.
        ExperimentRunner.EvaluateRobustness(run, [Corruption.Contrast]);
        Assert.Equal(result.Accuracies.Count + 1 + 5 + 1, ResultsFile.Read(new RunDirectory(run)).Count);
    }

    [Fact]
    public void Robustness_scores_the_random_init_and_supervised_encoders_each_with_its_own_clean_probe()
    {
        var e = Tiny().With(evaluation: new EvaluationSpec(probeEpochs: 2, knnK: 3, randomInitBaseline: true, supervisedBaseline: false, probeAugmentedCopies: 0,
            supervisedEpochs: 1, supervisedSweepEpochs: 1));
        var run = Path.Combine(dir, "run");
        var result = e.Run(run);
        var missing = Assert.Throws<FileNotFoundException>(() => ExperimentRunner.EvaluateRobustness(run, [Corruption.Contrast], encoders: ["online", "supervised"]));
        Assert.Contains("relic supervised --run-dir", missing.Message);
        Assert.Contains("'bogus'", Assert.Throws<ArgumentException>(() => ExperimentRunner.EvaluateRobustness(run, [Corruption.Contrast], encoders: ["bogus"])).Message);

        ExperimentRunner.TrainSupervised(e, runDirectory: run);
        var saved = Path.Combine(run, ExperimentRunner.SupervisedEncoderFile);
        using (var g = new Generator(1))
        using (var fresh = e.Encoder.Build(1, g))
        using (var weights = SafeTensors.Read(saved))
            Assert.Equal(fresh.StateDict().Keys.OrderBy(k => k), weights.Keys.OrderBy(k => k));

        var rows = ExperimentRunner.EvaluateRobustness(run, [Corruption.Contrast], encoders: ["online", "random-init", "supervised"]);
        var names = new[] { ExperimentRunner.Pretrained(e), ExperimentRunner.RandomInit, ExperimentRunner.SupervisedReference };
        Assert.Equal(names, rows.Select(r => r.Encoder).Distinct());
        foreach (var name in names) Assert.Equal(1 + 5 + 1, rows.Count(r => r.Encoder == name));
        // Each encoder's clean row is its own probe on clean features: for the random init it equals the run's random-init probe row.
        double Clean(string name) => rows.Single(r => r.Encoder == name && r.Corruption == RobustnessEvaluation.Clean).Top1;
        Assert.Equal(result.Find(ExperimentRunner.RandomInit, ExperimentRunner.Probe)!.Top1, Clean(ExperimentRunner.RandomInit), 12);
        Assert.Equal(result.FindPretrained(ExperimentRunner.Probe)!.Top1, Clean(ExperimentRunner.Pretrained(e)), 12);
        // Scoring one encoder again replaces only its rows.
        ExperimentRunner.EvaluateRobustness(run, [Corruption.Contrast], encoders: ["random-init"]);
        var all = ResultsFile.Read(new RunDirectory(run)).Where(r => r.Protocol == RobustnessEvaluation.Protocol).ToList();
        Assert.Equal(3 * 7, all.Count);
    }

    private static Experiment Tiny() => new(
        "tiny",
        new DatasetSpec(DatasetKind.Synthetic, trainLimit: 64, testLimit: 32, imageSize: 16, masks: MaskSourceSpec.Dataset),
        new EncoderSpec(18, baseWidth: 4, smallImageStem: true),
        new HeadsSpec(16, 8, 16),
        ViewSet.ReLICv2(largeCount: 2, smallCount: 1, largeSize: 16, smallSize: 8),
        Presets.ReLICv2(temperature: 0.2, negatives: Losses.Negatives.Sample(4)),
        TargetMode.Ema, new EmaSpec(0.9),
        new OptimizerSpec(OptimizerKind.Lars, learningRate: 0.5, warmupEpochs: 0),
        1, batchSize: 16, seed: 3,
        new EvaluationSpec(probeEpochs: 2, knnK: 5));
}
