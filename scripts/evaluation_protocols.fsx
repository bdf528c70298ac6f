// The evaluation protocols beyond the probe from F# (docs/evaluation.md): pre-train on Fashion-MNIST, fine-tune the
// encoder on 1 % of the labels beside the same from a random initialisation, then probe it on another dataset (transfer;
// the procedural shapes here, CIFAR-10 when given --transfer-to cifar10).   dotnet fsi scripts/evaluation_protocols.fsx [--quick]
#load "prelude.fsx"
open Prelude
open ReLICv2.Experiments
open ReLICv2.Training

let experiment =
    preset "fashion-mnist"
    |> set "timeBudgetMinutes" 5
    |> set "evaluation.supervisedBaseline" false
    |> fun e -> if isQuick then quick 512 e else e

let result = run experiment
let dir = result.Run.Root
printfn "%s" (table result)

// 1 % of a 512-image quick split is 5 images; the quick run fine-tunes 10 % for two epochs instead.
let fineTuned =
    if isQuick then dir |> fineTuneWith (FineTuningOptions(2, 16, 0.2, 0.02, 1e-4)) 0.1
    else dir |> fineTune 0.01
printfn "%s" (rows fineTuned)

let target =
    match optionValue "--transfer-to" with
    | Some "cifar10" -> DatasetSpec(DatasetKind.Cifar10)
    | Some other -> failwithf "--transfer-to %s: only cifar10 is wired here" other
    | None -> DatasetSpec(DatasetKind.Synthetic, trainLimit = (if isQuick then 256 else 2048), testLimit = (if isQuick then 128 else 512))
let transferred = dir |> transfer target
printfn "%s" (rows transferred)
printfn "run directory: %s" dir
if fineTuned.Count <> 2 || transferred.Count = 0 then failwith "the protocols did not produce their rows"
