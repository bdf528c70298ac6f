// The paper's ablations at small scale, with error bars (docs/ablations.md): views (same wall-clock and same epochs),
// saliency masking (clean and under the background shift), the invariance weight α, negatives, KL handling and the EMA
// target's γ — every configuration of ReLICv2's Fashion-MNIST preset run with several seeds, scored by the online
// encoder's linear probe and k-NN. The views at the same wall-clock run under --minutes each and first (they need an
// otherwise idle machine); every other configuration runs one epoch, whose result a busy machine delays but does not
// change. Configurations equal to the preset share its runs.
// Writes ablations.md (tables: mean ± standard deviation over the seeds, steps, the verdict on each of the paper's claims)
// and ablations.html (a chart per question) in the output folder, and docs/ablations.md unless --quick.
// Resumable: run it again after a stop; finished runs are kept (each is a run directory KEY/seed-N), a stopped one resumes.
// --report runs nothing: it writes the report of the runs finished so far (marked interim while any is missing).
//   dotnet fsi scripts/paper_ablations.fsx [--quick] [--report] [--minutes 2.5] [--seeds 1,2,3] [--questions views,masking,...] [--out DIR]
// Questions: views, views-epochs, masking, alpha, negatives, kl, ema. Only the views question's runs need an idle machine.
#load "prelude.fsx"
#r "../src/Experiments/bin/Release/net10.0/relic.dll"
open Prelude
open System
open System.Globalization
open System.IO
open ReLICv2.Experiments
open ReLICv2.Experiments.Reports
open ReLICv2.Training
open ReLICv2.Vision

let listOption name = optionValue name |> Option.map (fun (s: string) -> s.Split(',', StringSplitOptions.RemoveEmptyEntries ||| StringSplitOptions.TrimEntries) |> List.ofArray)

let minutes =
    match optionValue "--minutes" with
    | Some m ->
        match Double.TryParse(m, NumberStyles.Float, CultureInfo.InvariantCulture) with
        | true, v when v > 0.0 && v < 10000.0 -> v
        | _ -> failwithf "--minutes: '%s' is not a budget in minutes in (0, 10000)" m
    | None when isQuick -> 0.02
    | None -> 2.5

let seeds =
    match listOption "--seeds" with
    | Some s ->
        s |> List.map (fun t -> match UInt64.TryParse t with
                                | true, v -> v
                                | _ -> failwithf "--seeds: '%s' is not a seed (a whole number ≥ 0)" t)
    | None when isQuick -> [ 1UL; 2UL ]
    | None -> [ 1UL; 2UL; 3UL ]
if List.length (List.distinct seeds) < 2 then printfn "note: with one seed there is no standard deviation; every verdict is 'within noise' or decided by the means alone"

let questions =
    (match listOption "--questions" with
     | Some ids -> PaperAblations.Select ids
     | None when isQuick -> PaperAblations.Select [ "views-epochs"; "masking" ]
     | None -> PaperAblations.Questions)
    |> List.ofSeq

let out =
    match optionValue "--out" with
    | Some dir -> Path.GetFullPath dir
    | None when isQuick -> Path.Combine(Path.GetTempPath(), "paper-ablations-" + DateTime.Now.ToString("yyyyMMdd-HHmmss"))
    | None -> Path.GetFullPath(Path.Combine("runs", "paper-ablations"))

let baseline = PaperAblations.Baseline minutes

/// A configuration's experiment for a seed; under --quick a seconds-long variant (which keeps the mask source the background shift needs).
let experimentOf (config: AblationConfig) (seed: uint64) =
    let e = PaperAblations.ExperimentOf(baseline, config, seed)
    if isQuick then MethodComparison.Quick e else e

// Each run key once, in the order the questions name them; a key shared by several questions must mean one experiment.
let configsByKey =
    questions
    |> List.collect (fun q -> [ for c in q.Configs -> c.Key, (q, c) ])
    |> List.groupBy fst
    |> List.map (fun (key, uses) ->
        let experiments = uses |> List.map (fun (_, (_, c)) -> experimentOf c 1UL) |> List.distinct
        if experiments.Length > 1 then failwithf "run key '%s' names different experiments in %A" key (uses |> List.map (fun (_, (q, _)) -> q.Id))
        key, snd (snd uses.Head), uses |> List.exists (fun (_, (q, _)) -> q.Robustness))

let runDir key (seed: uint64) = Path.Combine(out, key, sprintf "seed-%d" seed)

let hasShift dir = PaperAblations.BackgroundShiftRows(dir).Count > 0

let reportOnly = Environment.GetCommandLineArgs() |> Array.contains "--report"

/// Whether a run has every result its row needs (the probe's, and the background shift's where the question asks for it).
let finished dir robustness =
    File.Exists(RunDirectory(dir).Results) && MethodComparison.Row(dir).ProbeTop1.HasValue && (not robustness || hasShift dir)

// The wall-clock runs first, every seed, while the machine is known to be idle; then the fixed-budget ones, seed by seed.
let wallClock (config: AblationConfig) = (experimentOf config 1UL).TimeBudgetMinutes.HasValue
let order =
    [ for seed in seeds do for key, config, robustness in configsByKey do if wallClock config then yield seed, key, config, robustness
      for seed in seeds do for key, config, robustness in configsByKey do if not (wallClock config) then yield seed, key, config, robustness ]
let total = order.Length
let timed = order |> List.filter (fun (_, _, c, _) -> wallClock c) |> List.length
printfn "%d run(s): %d configuration(s) × %d seed(s) into %s; the first %d under %g minutes each (keep the machine idle for them), the rest one epoch each"
    total configsByKey.Length seeds.Length out timed minutes
let mutable index = 0
for seed, key, config, robustness in (if reportOnly then [] else order) do
        index <- index + 1
        let dir = runDir key seed
        printfn "== [%d/%d] %s, seed %d in %s" index total key seed dir
        match runOrKeep dir (experimentOf config seed) with
        | ReLICv2.Experiments.ComparisonRunState.Finished -> printfn "   finished earlier, kept"
        | _ -> ()
        if robustness && not (hasShift dir) then
            ExperimentRunner.EvaluateRobustness(dir, [| Corruption.BackgroundShift |], printing) |> ignore

// Every run, or under --report those finished so far; a question with a configuration that has none yet is left out.
let seedsDone (c: AblationConfig) robustness = [| for s in seeds do if not reportOnly || finished (runDir c.Key s) robustness then yield struct (s, runDir c.Key s) |]
let missing = order |> List.filter (fun (s, key, _, robustness) -> not (finished (runDir key s) robustness)) |> List.length
let sections =
    [ for q in questions do
        if q.Configs |> Seq.forall (fun c -> (seedsDone c q.Robustness).Length > 0) then
            let rows = [| for c in q.Configs -> PaperAblations.Row(q, c, seedsDone c q.Robustness, q.Robustness) |]
            yield q, (rows :> Collections.Generic.IReadOnlyList<AblationRow>) ]

let command =
    let args =
        match Environment.GetCommandLineArgs() |> Array.tryFindIndex (fun a -> a.EndsWith "paper_ablations.fsx") with
        | Some i -> Environment.GetCommandLineArgs() |> Array.skip (i + 1)
        | None -> [||]
    "dotnet fsi scripts/paper_ablations.fsx" + (if args.Length = 0 then "" else " " + String.Join(" ", args))
// The run directories as the page names them: relative to where the script ran when they lie below it (no machine's path in the docs).
let shownOut =
    let relative = Path.GetRelativePath(Environment.CurrentDirectory, out)
    if relative.StartsWith ".." || Path.IsPathRooted relative then out else relative
let markdown =
    let sb = Text.StringBuilder()
    sb.Append("# The paper's ablations at small scale\n\n") |> ignore
    sb.AppendFormat(CultureInfo.InvariantCulture,
                    "Made by `{0}` on {1:yyyy-MM-dd} ({2} cores): ReLICv2's Fashion-MNIST preset (`fashion-mnist`, docs/architecture.md §5.4), seeds {4}. The views at the same wall-clock get {3} minutes of pre-training each; every other configuration gets one epoch (234 steps of 256 images, the warm-up a tenth of it) and differs from the preset in what its question names only. The online encoder is scored by the preset's linear probe (30 epochs) and k-NN (k = 20) on the 10 000 test images. Values are mean ± sample standard deviation over the seeds. A claim holds when the difference of the means exceeds {5} standard errors of the difference, is reversed when it falls short by as much, and is within noise otherwise. Run directories: `{6}`.\n\n",
                    command, DateTime.Now, Environment.ProcessorCount, minutes, String.Join(", ", seeds), PaperAblations.NoiseStandardErrors, shownOut) |> ignore
    sb.Append("The runs themselves: `dotnet fsi scripts/paper_ablations.fsx` (resumable: finished runs are kept, a stopped one continues from its checkpoint); `--report` rewrites this page from the finished runs. Charts, one per question: [ablations.html](ablations.html).\n\n") |> ignore
    if isQuick then sb.Append("**--quick**: a seconds-long smoke run (128 images, a tiny encoder, 1–12 steps); its figures mean nothing.\n\n") |> ignore
    if missing > 0 then
        sb.AppendFormat(CultureInfo.InvariantCulture,
                        "**Interim**: {0} of the {1} runs are finished; each row averages the seeds it lists, and a question with a configuration not yet run is left out. The full run replaces this page.\n\n",
                        total - missing, total) |> ignore
    sb.Append("## Summary\n\nEach claim's verdict, the difference of the means in points ± the noise margin:\n\n")
      .Append(PaperAblations.Summary([ for q, rows in sections -> struct (q, rows) ] |> ResizeArray)).Append("\n## The questions\n\n") |> ignore
    for q, rows in sections do
        sb.Append(PaperAblations.Markdown(q, rows)).Append('\n') |> ignore
    sb.ToString()

Directory.CreateDirectory out |> ignore
let table = Path.Combine(out, "ablations.md")
File.WriteAllText(table, markdown)
let page = AblationReport.Write([| for q, rows in sections -> struct (q, rows) |], "The paper's ablations at small scale", Path.Combine(out, "ablations.html"))
if not isQuick then
    let docs = Path.Combine(__SOURCE_DIRECTORY__, "..", "docs", "ablations.md")
    File.WriteAllText(docs, markdown)
    File.Copy(page, Path.Combine(Path.GetDirectoryName docs, "ablations.html"), true)
    printfn "docs: %s and ablations.html beside it" (Path.GetFullPath docs)
printfn "\n%s" markdown
printfn "table: %s" table
printfn "page: %s" page
