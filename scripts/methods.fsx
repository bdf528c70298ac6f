// Every method of MethodPresets on Fashion-MNIST at the same wall-clock pre-training budget, scored by the same probe
// (linear probe and k-NN of the online encoder, and of the EMA target's encoder for the methods that have one): one table
// (comparison.md and comparison.json) and one page (comparison.html: accuracies, overlaid loss curves, time per step).
// The F# twin of `relic compare`; run it again after a stop: finished methods are kept, a stopped one resumes.
//   dotnet fsi scripts/methods.fsx [--quick] [--minutes N] [--methods relicv2,byol,simclr] [--out DIR]
#load "prelude.fsx"
#r "../src/Experiments/bin/Release/net10.0/relic.dll"
open Prelude
open System
open System.IO
open ReLICv2.Experiments
open ReLICv2.Experiments.Reports
open ReLICv2.Training

let minutes =
    match optionValue "--minutes" with
    | Some m -> float m
    | None when isQuick -> MethodComparison.QuickMinutes
    | None -> MethodComparison.DefaultMinutes

let chosen =
    match optionValue "--methods" with
    | Some m -> m.Split(',', StringSplitOptions.RemoveEmptyEntries ||| StringSplitOptions.TrimEntries) |> List.ofArray
    | None -> methods

let out =
    match optionValue "--out" with
    | Some dir -> Path.GetFullPath dir
    | None when isQuick -> Path.Combine(Path.GetTempPath(), "methods-" + DateTime.Now.ToString("yyyyMMdd-HHmmss"))
    | None -> Path.GetFullPath(Path.Combine("runs", "methods"))

/// The method's Fashion-MNIST preset at the budget, without baselines; a seconds-long variant under --quick.
let experimentOf (method: string) =
    let e = MethodComparison.FashionMnist(method, minutes)
    if isQuick then MethodComparison.Quick e else e

let runs =
    [ for i, method in List.indexed chosen ->
        let experiment = experimentOf method
        let dir = Path.Combine(out, method)
        printfn "== [%d/%d] %s (%A target) in %s" (i + 1) chosen.Length experiment.MethodName experiment.Target dir
        match runOrKeep dir experiment with
        | ComparisonRunState.Finished -> printfn "   finished earlier, kept"
        | _ -> ()
        dir ]

let rows = MethodComparison.Write(runs, out)
let page = ComparisonReport.Write([ for dir in runs -> RunDirectory dir ], Path.Combine(out, MethodComparison.PageFile))
printfn "\n%s" (MethodComparison.Markdown rows)
printfn "table: %s" (Path.Combine(out, MethodComparison.MarkdownFile))
printfn "page: %s" page
if rows |> Seq.exists (fun r -> not r.ProbeTop1.HasValue || not r.KnnTop1.HasValue) then
    failwith "a method produced no probe or k-NN result"
