/// The F# front door of ReLICv2.NET: curried helpers over the experiment values of ReLICv2.Dsl.
///   from the packages:  #r "nuget: ReLICv2.FSharp"   then   open Prelude
///   in the checkout:    #load "scripts/prelude.fsx"   then   open Prelude   (it loads this file from source)
module Prelude

open System
open ReLICv2
open ReLICv2.Experiments
open ReLICv2.Objectives
open ReLICv2.Training

/// The command line of the script (dotnet fsi script.fsx ARGS) or program, with the host's own arguments before it.
let private commandLine = Environment.GetCommandLineArgs()

/// True when the script or program was started with --quick (CI runs every script that way).
let isQuick = commandLine |> Array.contains "--quick"

/// The value after an option on the command line: optionValue "--minutes" is Some "5" for "--minutes 5".
let optionValue (name: string) =
    match Array.tryFindIndex ((=) name) commandLine with
    | Some i when i + 1 < commandLine.Length -> Some commandLine.[i + 1]
    | Some _ -> failwithf "%s needs a value" name
    | None -> None

/// A preset experiment by name (fashion-mnist, cifar10, imagefolder, and METHOD-fashion-mnist, METHOD-cifar10 for every method).
let preset (name: string) =
    match Experiment.Named.TryGetValue name with
    | true, make -> make.Invoke()
    | _ -> invalidArg (nameof name) (sprintf "no preset '%s' (allowed: %s)" name (String.Join(", ", Experiment.Named.Keys)))

/// The methods of MethodPresets by their preset prefix: relic, relicv2, simclr, byol, barlow-twins, vicreg, ressl, twist.
let methods = List.ofSeq MethodPresets.Methods

/// A method's Fashion-MNIST experiment (10 minutes of pre-training): fashionMnist "byol"
let fashionMnist (method: string) = MethodPresets.FashionMnist method

/// A method's CIFAR-10 experiment: cifar10 "simclr"
let cifar10 (method: string) = MethodPresets.Cifar10 method

/// Sets the pre-training time budget in minutes: experiment |> budget 2.0
let budget (minutes: float) (experiment: Experiment) = experiment.WithTimeBudget(Nullable minutes)

/// Sets a field by its JSON path: experiment |> set "optimizer.learningRate" 0.5
let set (path: string) (value: obj | null) (experiment: Experiment) =
    let text =
        match value with
        | null -> "null"
        | :? string as s -> s
        | :? bool as b -> if b then "true" else "false"
        | :? IFormattable as f -> f.ToString(null, Globalization.CultureInfo.InvariantCulture)
        | v -> string v
    experiment.With(path, text)

/// Prints phases, every 10th step and messages of a running experiment.
let printing =
    ExperimentCallbacks(
        Action<string>(fun phase -> printfn "== %s" phase),
        Action<MetricsRecord, int64>(fun r total ->
            if r.Step = 1L || r.Step % 10L = 0L || r.Step = total then
                printfn "step %d/%d loss %.4f lr %.3g %.0f img/s" r.Step total r.Loss r.LearningRate r.ImagesPerSecond),
        Action<string>(fun m -> printfn "   %s" m))

/// Runs an experiment into the given run directory with printed progress.
let runIn (dir: string) (experiment: Experiment) = experiment.Run(dir, false, printing)

let private freshDir (experiment: Experiment) =
    IO.Path.Combine(IO.Path.GetTempPath(), "relic-" + experiment.Name + "-" + Guid.NewGuid().ToString("N").Substring(0, 8))

/// Runs an experiment into the given run directory unless it already finished there (then it is kept), resuming it from its
/// checkpoint when it was stopped: what a comparison of several methods does on a restart. Returns the state it found.
let runOrKeep (dir: string) (experiment: Experiment) = MethodComparison.RunOrKeep(experiment, dir, printing)

/// Runs an experiment into a fresh temporary run directory with printed progress.
let run (experiment: Experiment) = runIn (freshDir experiment) experiment

/// Runs an experiment on train and test splits built in F# (any IImageDataset pair, e.g. an InMemoryImageDataset) into
/// a fresh temporary run directory with printed progress; the experiment's dataset field is not loaded.
let runOn (train: ReLICv2.Data.IImageDataset) (test: ReLICv2.Data.IImageDataset) (experiment: Experiment) =
    experiment.Run(train, test, freshDir experiment, false, printing)

/// The robustness protocol (docs/method.md §7.1) on a finished run: the corruption × severity rows, clean and mean
/// corruption accuracy included, also written to the run's results.json.
let robustness (result: ExperimentResult) =
    ExperimentRunner.EvaluateRobustness(result.Run.Root, null, printing)

/// The robustness protocol on a run made by runOn, with the same train and test splits.
let robustnessOn (train: ReLICv2.Data.IImageDataset) (test: ReLICv2.Data.IImageDataset) (result: ExperimentResult) =
    ExperimentRunner.EvaluateRobustness(result.Run.Root, null, printing, Nullable(), train, test)

/// The mean corruption accuracy among robustness rows (nan when absent).
let meanCorruptionAccuracy (rows: seq<AccuracyResult>) =
    rows |> Seq.tryFind (fun r -> r.Corruption = RobustnessEvaluation.Mean) |> Option.map (fun r -> r.Top1) |> Option.defaultValue nan

/// The accuracy table of a result as text.
let table (result: ExperimentResult) =
    result.Accuracies
    |> Seq.map (fun a -> sprintf "%-26s %-20s %7.2f %%" a.Encoder a.Protocol (100.0 * a.Top1))
    |> String.concat "\n"

let private top1 (row: AccuracyResult | null) =
    match row with
    | null -> nan
    | a -> a.Top1

/// The accuracy rows of an evaluation as text.
let rows (results: AccuracyResult seq) =
    results
    |> Seq.map (fun a -> sprintf "%-22s %-36s %7.2f %%" a.Encoder a.Protocol (100.0 * a.Top1))
    |> String.concat "\n"

/// Semi-supervised fine-tuning of a run's encoder on a fraction of the training labels (0.01 for 1 %), beside the same
/// protocol from a random initialisation (docs/evaluation.md §1); the rows also go to the run's results.json.
let fineTune (fraction: float) (runDir: string) =
    RunEvaluation.FineTune(runDir, fraction, callbacks = printing)

/// Fine-tuning with settings of one's own: fineTuneWith (FineTuningOptions(30, 64, 0.5, 0.02, 0.0)) 0.01 dir.
let fineTuneWith (options: FineTuningOptions) (fraction: float) (runDir: string) =
    RunEvaluation.FineTune(runDir, fraction, options, callbacks = printing)

/// Linear probe and k-NN of a run's encoder on another dataset, its images brought to the encoder's channels and size
/// (transfer, docs/evaluation.md §3): runDir |> transfer (DatasetSpec(DatasetKind.Cifar10)).
let transfer (dataset: DatasetSpec) (runDir: string) =
    ExperimentRunner.EvaluateRun(runDir, true, true, printing, dataset)

/// Top-1 of the method's pre-trained (online) encoder under the linear probe (nan when it was not run).
let probeTop1 (result: ExperimentResult) = top1 (result.FindPretrained ExperimentRunner.Probe)

/// Top-1 of the method's pre-trained (online) encoder under k-NN (nan when it was not run).
let knnTop1 (result: ExperimentResult) = top1 (result.FindPretrained ExperimentRunner.Knn)

/// Top-1 of the method's EMA target encoder under the linear probe (nan for a method without one, or when it was not run).
let targetProbeTop1 (result: ExperimentResult) = top1 (result.FindTarget ExperimentRunner.Probe)

/// Top-1 of the method's EMA target encoder under k-NN (nan for a method without one, or when it was not run).
let targetKnnTop1 (result: ExperimentResult) = top1 (result.FindTarget ExperimentRunner.Knn)

/// Makes a small, fast variant of an experiment for --quick runs and smoke tests.
let quick (trainImages: int) (experiment: Experiment) =
    experiment.With(
        dataset = DatasetSpec(experiment.Dataset.Kind, experiment.Dataset.Root, Nullable trainImages, Nullable (max 256 (trainImages / 4)), experiment.Dataset.ImageSize,
                              experiment.Dataset.Masks, experiment.Dataset.MaxUnreadableFraction),
        encoder = EncoderSpec(18, 4L, 1, true),
        heads = HeadsSpec(64L, 32L, 64L),
        epochs = 1,
        batchSize = 64,
        evaluation = EvaluationSpec(2, 0.5, 10, 0.07, true, false, Nullable(), 1, 0.5))
    |> fun e -> e.WithTimeBudget(Nullable())

/// The kind of embeddings expressions [N, D] (o, t, normalize o, …), for declaring a primitive's inputs.
let embeddings = typeof<Embeddings>

/// The kind of logit matrices, for declaring a primitive's inputs.
let logits = typeof<Logits>

/// The kind of row distributions (given to a primitive's forward computation as log-probabilities).
let distribution = typeof<Distribution>

/// The kind of cross-correlation matrices, for declaring a primitive's inputs.
let correlation = typeof<Correlation>

/// Defines a user loss-term primitive and registers it by name (so that objective and experiment JSON read it back):
///   let uniformity = primitive "uniformity" [ embeddings ] [ "t" ] (fun [ z ] [ t ] -> …)
/// The forward computation gets the evaluated input tensors and the parameter values as F# lists and returns a scalar
/// tensor. Every input receives gradients and the locality is not declared (data parallelism is refused); to declare
/// stop-gradient inputs, a locality, another value kind or a format, construct ReLICv2.Objectives.Primitive with named
/// arguments and pass it to PrimitiveRegistry.Register. Running the definition again (an F# Interactive cell) redefines the name.
let primitive (name: string) (inputs: Type list) (parameters: string list) (forward: Tensor list -> double list -> Tensor) =
    let run = Func<Collections.Generic.IReadOnlyList<Tensor>, Collections.Generic.IReadOnlyList<double>, Tensor>(fun x p -> forward (List.ofSeq x) (List.ofSeq p))
    PrimitiveRegistry.Register(Primitive(name, typeof<Scalar>, Array.ofList inputs, run, Array.ofList parameters), replace = true)

/// The loss term of a scalar primitive applied to input expressions and parameter values: apply uniformity [ Expr.Normalize Expr.Online ] [ 2.0 ].
let apply (primitive: Primitive) (inputs: ExprNode list) (parameters: double list) : Objective =
    primitive.Apply(Array.ofList inputs, Array.ofList parameters)
