// ReLICv2 on Fashion-MNIST from F#: pre-train a small ResNet-18 with [4, 2] views, then the linear probe beside the
// random-init and supervised baselines; --method byol (or any of Prelude's `methods`) runs that method's preset instead.
//   dotnet fsi scripts/quickstart.fsx [--quick] [--method NAME]
#load "prelude.fsx"
open Prelude
open ReLICv2.Experiments

let chosen =
    match optionValue "--method" with
    | Some method -> fashionMnist method
    | None -> preset "fashion-mnist"

let experiment =
    chosen
    |> budget 5.0
    |> fun e -> if isQuick then quick 512 e else e

printfn "%O" experiment
let result = run experiment
printfn "%s" (table result)
printfn "run directory: %s" result.Run.Root
if isQuick && not (probeTop1 result > 0.1) then failwith "the quick run's probe is not above chance"
