// The time-to-accuracy curve of docs/benchmarks.md §4: the README's main job (ReLICv2, preset fashion-mnist) pre-trained
// at several wall-clock budgets, each scored by the preset's linear probe and k-NN (online encoder and EMA target's
// encoder; no random-init or supervised baselines, which do not depend on the budget). Writes time-to-accuracy.md and
// time-to-accuracy.json (minutes, steps, seconds, top-1s) and comparison.html (the runs side by side) in the output folder.
// Run it again after a stop: finished budgets are kept, a stopped one resumes from its checkpoint. --views LxS replaces
// the preset's [4, 2] views by L large and S small ones (ViewSet.ReLICv2FashionMnist; e.g. 2x0), in its own folder.
// --set PATH=VALUE (repeatable, as relic pretrain's) changes any other field, e.g. --set encoder.stemMaxPool=false; the
// curve then needs its own --out folder. --preset NAME starts from another ReLICv2 Fashion-MNIST preset of relic
// pretrain (e.g. fashion-mnist-fast, the time-to-accuracy recipe), in a folder of its own (runs/time-to-accuracy-NAME).
//   dotnet fsi scripts/time_to_accuracy.fsx [--quick] [--preset NAME] [--minutes 2.5,5,7.5,10,15] [--views 4x2] [--set PATH=VALUE]... [--out DIR]
// The machine should be otherwise idle: each point is a wall-clock budget, so anything else running costs it steps.
#load "prelude.fsx"
#r "../src/Experiments/bin/Release/net10.0/relic.dll"
open Prelude
open System
open System.Globalization
open System.IO
open System.Text
open ReLICv2.Experiments
open ReLICv2.Experiments.Reports
open ReLICv2.Training
open ReLICv2.Views

let budgets =
    let parse (text: string) =
        match Double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture) with
        | true, m when m > 0.0 && m < 10000.0 -> m
        | _ -> failwithf "--minutes: '%s' is not a budget in minutes in (0, 10000)" text
    match optionValue "--minutes" with
    | Some list -> list.Split(',', StringSplitOptions.RemoveEmptyEntries ||| StringSplitOptions.TrimEntries) |> Array.map parse |> List.ofArray
    | None when isQuick -> [ 0.01; 0.02 ]
    | None -> [ 2.5; 5.0; 7.5; 10.0; 15.0 ]

/// The view counts of --views (None: the preset's [4, 2]).
let views =
    match optionValue "--views" with
    | None -> None
    | Some text ->
        match text.Split('x') with
        | [| l; s |] ->
            match Int32.TryParse l, Int32.TryParse s with
            | (true, large), (true, small) when large >= 1 && large <= 64 && small >= 0 && small <= 64 -> Some(large, small)
            | _ -> failwithf "--views: '%s' is not LxS with L in [1, 64] large and S in [0, 64] small views" text
        | _ -> failwithf "--views: '%s' is not LxS with L in [1, 64] large and S in [0, 64] small views (e.g. 2x0)" text

/// The --set PATH=VALUE assignments, in order (applied as relic pretrain's --set, Experiment.WithAssignment).
let overrides =
    let args = Environment.GetCommandLineArgs()
    [ for i in 0 .. args.Length - 1 do
        if args.[i] = "--set" then
            if i + 1 >= args.Length then failwith "--set needs PATH=VALUE, e.g. --set encoder.stemMaxPool=false"
            yield args.[i + 1] ]

if not overrides.IsEmpty && not isQuick && (optionValue "--out").IsNone then
    failwith "--set changes the recipe: give the curve its own folder with --out DIR, so that it is not mixed with the preset's"

/// The preset of --preset (None: the main job's, fashion-mnist); a ReLICv2 Fashion-MNIST preset, which the curve is about.
let preset =
    match optionValue "--preset" with
    | None | Some "fashion-mnist" -> None
    | Some name ->
        match Experiment.Named.TryGetValue name with
        | true, make when (let e = make.Invoke() in e.Method = "relicv2" && e.Dataset.Kind = ReLICv2.Experiments.DatasetKind.FashionMnist) -> Some(name, make)
        | _ ->
            let names = Experiment.Named |> Seq.filter (fun kv -> let e = kv.Value.Invoke() in e.Method = "relicv2" && e.Dataset.Kind = ReLICv2.Experiments.DatasetKind.FashionMnist) |> Seq.map (fun kv -> kv.Key)
            failwithf "--preset: '%s' is not a ReLICv2 Fashion-MNIST preset; one of %s" name (String.Join(", ", names))

let out =
    let suffix =
        (match preset with Some(name, _) -> "-" + name.Replace("fashion-mnist-", "") | None -> "")
        + (match views with Some(l, s) when (l, s) <> (4, 2) -> sprintf "-%dx%d" l s | _ -> "")
    match optionValue "--out" with
    | Some dir -> Path.GetFullPath dir
    | None when isQuick -> Path.Combine(Path.GetTempPath(), "time-to-accuracy-" + DateTime.Now.ToString("yyyyMMdd-HHmmss") + suffix)
    | None -> Path.GetFullPath(Path.Combine("runs", "time-to-accuracy" + suffix))

/// ReLICv2's Fashion-MNIST preset at the budget without baselines (the preset `fashion-mnist` of the main job, which
/// MethodPresets names relicv2); a seconds-long variant under --quick.
let experimentOf (minutes: float) =
    let preset =
        match preset with
        | None -> MethodComparison.FashionMnist("relicv2", minutes)
        | Some(_, make) ->
            make.Invoke().WithTimeBudget(Nullable minutes).With("evaluation.randomInitBaseline", "false").With("evaluation.supervisedBaseline", "false")
    let e =
        match views with
        | Some(l, s) when (l, s) <> (4, 2) ->
            preset.With(name = sprintf "%s-%dx%d" preset.Name l s, views = ViewSet.ReLICv2FashionMnist(largeCount = l, smallCount = s))
        | _ -> preset
    let e = overrides |> List.fold (fun (e: Experiment) assignment -> e.WithAssignment assignment) e
    if isQuick then MethodComparison.Quick e else e

let runs =
    [ for i, minutes in List.indexed budgets ->
        let dir = Path.Combine(out, minutes.ToString("0.###", CultureInfo.InvariantCulture) + "min")
        printfn "== [%d/%d] %g minutes in %s" (i + 1) budgets.Length minutes dir
        match runOrKeep dir (experimentOf minutes) with
        | ComparisonRunState.Finished -> printfn "   finished earlier, kept"
        | _ -> ()
        dir ]

let rows = runs |> List.map MethodComparison.Row
let pct (v: Nullable<float>) = if v.HasValue then (100.0 * v.Value).ToString("F2", CultureInfo.InvariantCulture) + " %" else "–"
let table =
    let sb = StringBuilder()
    sb.Append("| budget (min) | steps | pre-training (s) | probe top-1 online / target | k-NN top-1 online / target |\n") |> ignore
    sb.Append("|---:|---:|---:|---:|---:|\n") |> ignore
    for r in rows do
        sb.Append(String.Format(CultureInfo.InvariantCulture, "| {0:0.###} | {1} | {2:F0} | {3} / {4} | {5} / {6} |\n",
                                r.BudgetMinutes.GetValueOrDefault(), r.Steps, r.Seconds, pct r.ProbeTop1, pct r.TargetProbeTop1, pct r.KnnTop1, pct r.TargetKnnTop1)) |> ignore
    sb.ToString()
Directory.CreateDirectory out |> ignore
let recipe =
    let name = match preset with Some(name, _) -> name | None -> "fashion-mnist"
    let views = match views with Some(l, s) -> sprintf ", [%d, %d] views" l s | None -> ""
    if overrides.IsEmpty && preset.IsNone && views = "" then ""
    else sprintf "Recipe: the preset `%s`%s" name views
         + (if overrides.IsEmpty then "" else " with " + String.Join(", ", overrides |> List.map (sprintf "`--set %s`")))
         + ".\n\n"
File.WriteAllText(Path.Combine(out, "time-to-accuracy.md"), recipe + table)
File.WriteAllText(Path.Combine(out, "time-to-accuracy.json"),
                  Text.Json.JsonSerializer.Serialize(rows, Text.Json.JsonSerializerOptions(PropertyNamingPolicy = Text.Json.JsonNamingPolicy.CamelCase, WriteIndented = true)))
let page = ComparisonReport.Write([ for dir in runs -> RunDirectory dir ], Path.Combine(out, MethodComparison.PageFile))
printfn "\n%s%s" recipe table
printfn "table: %s" (Path.Combine(out, "time-to-accuracy.md"))
printfn "page: %s" page
if rows |> List.exists (fun r -> not r.ProbeTop1.HasValue || not r.TargetProbeTop1.HasValue) then
    failwith "a budget produced no probe result"
