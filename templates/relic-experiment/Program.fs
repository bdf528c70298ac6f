// RelicExperiment: ReLICv2 pre-training of a ResNet-18, then a linear probe and k-NN on its frozen features, beside the
// same probe on a random encoder. README.md says which three lines to change for your own data.
//   dotnet run                 the experiment as written: synthetic shapes, 2 minutes of pre-training, then evaluation
//   dotnet run -- --quick      a few steps of a much smaller run, to check that everything is in place
open System
open Prelude
open ReLICv2.Experiments
open ReLICv2.Objectives
open ReLICv2.Training
open ReLICv2.Views

// ---- The three lines to change for your own data (README.md) ------------------------------------------------------
let dataset = DatasetSpec(DatasetKind.Synthetic, imageSize = 32) // 1. the images, e.g. DatasetSpec(DatasetKind.ImageFolder, "/data/my-images", imageSize = 64)
let viewSize = 32                                                // 2. side of the large views in pixels (small views: half); at most the image size
let minutes = 2.0                                                // 3. pre-training time budget in minutes: the run plans as many steps as fit
// ---------------------------------------------------------------------------------------------------------------------

let experiment =
    Experiment(
        "RelicExperiment",
        dataset,
        EncoderSpec(18, baseWidth = 16L, smallImageStem = (viewSize <= 64)),
        HeadsSpec(256L, 64L, 256L),
        ViewSet.ReLICv2(largeCount = 2, smallCount = 2, largeSize = viewSize, smallSize = viewSize / 2),
        Presets.ReLICv2(temperature = 0.2),
        TargetMode.Ema,
        EmaSpec(0.99),
        OptimizerSpec(OptimizerKind.Lars, learningRate = 1.0, weightDecay = 1e-5, warmupEpochs = 1.0),
        epochs = 50,
        batchSize = 128,
        seed = 1UL,
        evaluation = EvaluationSpec(probeEpochs = 20, probeAugmentedCopies = 1, supervisedBaseline = false),
        timeBudgetMinutes = Nullable minutes)
    |> fun e -> if isQuick then quick 256 e else e

printfn "%O\n" experiment
let runDirectory = IO.Path.Combine("runs", DateTime.Now.ToString("yyyyMMdd-HHmmss"))
let result = runIn runDirectory experiment
printfn "\n%s\n\nrun directory: %s (report.html, results.json, metrics.jsonl, checkpoints/)" (table result) result.Run.Root
let probe = probeTop1 result
if Double.IsNaN probe then failwith "the linear probe did not run"
