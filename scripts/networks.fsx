// Networks, optimiser, EMA target and checkpoints from F#: builds a ReLICv2/BYOL-style online network (ResNet-18 with the
// small-image stem + MLP projector and predictor), its EMA target, a LARS optimiser with biases and BatchNorm parameters
// excluded, runs optimiser steps on random images, saves a checkpoint, loads it into fresh networks and checks that the
// next step's loss is identical. Usage: dotnet fsi scripts/networks.fsx [--quick]
#r "../src/Core/bin/Release/net10.0/ReLICv2.Core.dll"

open System
open System.IO
open ReLICv2
open ReLICv2.Nn
open ReLICv2.Optim
open ReLICv2.Training

let quick = fsi.CommandLineArgs |> Array.contains "--quick"
let imageSize, batch, steps = if quick then 16L, 4L, 1 else 32L, 16L, 3

/// Everything one run owns: online encoder + projector, predictor, EMA target, optimiser, data generator.
type Run(seed: uint64) =
    let g = new Generator(seed)
    let encoder = ResNet.ResNet18(g, smallImageStem = true)
    let online = new Sequential(encoder, new MlpHead(encoder.OutputDim, 512L, 128L, g))
    let predictor = new MlpHead(128L, 512L, 128L, g)
    let ema = new EmaTarget(online, EmaSchedule.Cosine(0.99, 100L))
    let named = Seq.append (online.NamedParameters()) (predictor.NamedParameters()) |> Seq.toList
    let adapted = named |> List.filter (fun p -> p.Tensor.Rank >= 2) |> List.length
    let optimizer = new Lars(Lars.ExcludingBiasAndNorm(named, LarsOptions(0.2, weightDecay = 1.5e-6)))
    let schedule = WarmupCosineSchedule(100L, warmupSteps = (if quick then 0L else 2L), batchSize = batch)
    let data = new Generator(seed + 1000UL)
    let mutable step = 0L

    member _.AdaptedCount = adapted
    member _.ParameterTensorCount = named.Length
    member _.Online = online
    member _.Predictor = predictor
    member _.Ema = ema
    member _.Optimizer = optimizer
    member _.Data = data
    member _.Step with get () = step and set v = step <- v
    member _.Modules = readOnlyDict [ ("online", online :> Module); ("predictor", predictor :> Module) ]
    member _.Generators = readOnlyDict [ ("data", data) ]

    /// One BYOL-style step (normalised-MSE between online prediction and target projection of two noisy views).
    member _.TrainStep() =
        let scope = Torch.NewScope()
        let x = Torch.Rand([| batch; 3L; imageSize; imageSize |], data)
        let view () = x.Add(Torch.Randn([| batch; 3L; imageSize; imageSize |], data).Mul(0.1))
        let v1, v2 = view (), view ()
        optimizer.LearningRateMultiplier <- schedule.Multiplier step
        let target =
            use noGrad = Torch.NoGrad()
            Torch.Normalize(ema.Target.Forward v2)
        let prediction = Torch.Normalize(predictor.Forward(online.Forward v1))
        let loss = prediction.Mul(target).Sum(1L).Mean().Mul(-2.0).Add(2.0)
        optimizer.ZeroGrad()
        loss.Backward()
        optimizer.Step()
        ema.Update online
        step <- step + 1L
        let value = loss.Item()
        scope.Dispose()
        value

    interface IDisposable with
        member _.Dispose() =
            optimizer.Dispose(); ema.Dispose(); online.Dispose(); predictor.Dispose(); g.Dispose(); data.Dispose()

let sw = Diagnostics.Stopwatch.StartNew()
let run = new Run(1UL)
printfn "online network: ResNet-18 (small stem, %d-d representation) + projector; %s parameters (encoder %s)"
    (run.Online.[0] :?> ResNet).OutputDim (run.Online.ParameterCount.ToString("N0")) ((run.Online.[0]).ParameterCount.ToString("N0"))
printfn "predictor: %O" run.Predictor
printfn "LARS: %d weight tensors with trust ratio and weight decay, %d biases/BN tensors without (%d groups)"
    run.AdaptedCount (run.ParameterTensorCount - run.AdaptedCount) run.Optimizer.GroupCount
for i in 1 .. steps do
    let loss = run.TrainStep()
    printfn "step %d: loss %.6f  lr %.4g  next EMA gamma %.5f" i loss (run.Optimizer.LearningRate 0) run.Ema.NextGamma

let dir = Path.Combine(Path.GetTempPath(), sprintf "relic-networks-%d" (Diagnostics.Process.GetCurrentProcess().Id))
let path = Path.Combine(dir, sprintf "step-%04d" run.Step)
do
    use ckpt = Checkpoint.Capture(run.Step, run.Modules, run.Optimizer, run.Ema, run.Generators)
    ckpt.Save path
printfn "saved %s (%s bytes) and %s" (Checkpoint.WeightsPath path) ((FileInfo(Checkpoint.WeightsPath path).Length).ToString("N0")) (Checkpoint.SidecarPath path)

let expected = run.TrainStep()
let resumed = new Run(2UL)
do
    use ckpt = Checkpoint.Load path
    ckpt.Restore(resumed.Modules, resumed.Optimizer, resumed.Ema, resumed.Generators)
    resumed.Step <- ckpt.Step
let actual = resumed.TrainStep()
printfn "next step after the checkpoint: original %.9f, resumed %.9f -> %s" expected actual (if expected = actual then "identical" else "DIFFERENT")
(run :> IDisposable).Dispose()
(resumed :> IDisposable).Dispose()
Directory.Delete(dir, true)
printfn "done in %.1f s" sw.Elapsed.TotalSeconds
if expected <> actual then exit 1
