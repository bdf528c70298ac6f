// The [L, S] view ablation of the paper (docs/method.md §1.4: [2,0] 74.8 · [2,2] 76.2 · [4,0] 75.5 · [4,2] 76.8 on ImageNet)
// at small scale on Fashion-MNIST: every view set gets the same pre-training time budget (the preset's, or
// --minutes N), so that the table compares what each set learns per unit of compute, not per epoch.
//   dotnet fsi scripts/ablation_views.fsx [--quick] [--minutes N] [--grid 2x0,4x0,4x2]
// Runs are kept under runs/ablation-<time>/<L>x<S> (report.html in each).
#load "prelude.fsx"
open Prelude
open System
open ReLICv2.Experiments
open ReLICv2.Views

let parseGrid (text: string) =
    [ for cell in text.Split(',', System.StringSplitOptions.RemoveEmptyEntries) ->
        match cell.Trim().Split('x') with
        | [| l; s |] -> int l, int s
        | _ -> failwithf "--grid: '%s' is not of the form LxS (e.g. 4x2)" cell ]

let grid =
    match optionValue "--grid" with
    | Some g -> parseGrid g
    | None -> if isQuick then [ 2, 0; 2, 1 ] else [ 2, 0; 4, 0; 4, 2 ]

let baseExperiment =
    let e =
        preset "fashion-mnist"
        |> set "evaluation.randomInitBaseline" false
        |> set "evaluation.supervisedBaseline" false
    let e =
        match optionValue "--minutes" with
        | Some m -> e |> set "timeBudgetMinutes" (float m)
        | None -> e
    if isQuick then quick 256 e else e

let root =
    IO.Path.Combine((if isQuick then IO.Path.GetTempPath() else "runs"), "ablation-" + DateTime.Now.ToString("yyyyMMdd-HHmmss"))

let rows =
    [ for (l, s) in grid ->
        let views = ViewSet.ReLICv2FashionMnist(largeCount = l, smallCount = s)
        let experiment = baseExperiment.With(name = sprintf "ablation-%dx%d" l s, views = views)
        let result = experiment |> runIn (IO.Path.Combine(root, sprintf "%dx%d" l s))
        (l, s, result.Pretraining.StepsDone, probeTop1 result, knnTop1 result) ]

printfn "\n[L, S]   steps   linear probe top-1   k-NN top-1"
for (l, s, steps, probe, knn) in rows do
    printfn "[%d, %d]   %5d   %17.2f %%   %8.2f %%" l s steps (100.0 * probe) (100.0 * knn)
printfn "runs: %s" (IO.Path.GetFullPath root)
if rows |> List.exists (fun (_, _, _, p, _) -> Double.IsNaN p) then failwith "an ablation run produced no probe result"
