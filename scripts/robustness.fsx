// The robustness protocol from F# (docs/method.md §7.1): pre-train on a dataset built in F# (the synthetic shapes with
// their ground-truth masks, as plain arrays in an InMemoryImageDataset), then score the linear probe, trained on clean
// features, on corrupted copies of the test split at five severities and under the masks' background shift.
//   dotnet fsi scripts/robustness.fsx [--quick]
#load "prelude.fsx"
open Prelude
open ReLICv2.Data
open ReLICv2.Experiments

/// The shapes as a user's own arrays: pixels, labels and masks copied out, wrapped again in memory.
let ownDataset (count: int) (seed: int) =
    let shapes = SyntheticDataset(count, 32, 3, seed)
    let pixels = Array.concat [ for i in 0 .. count - 1 -> shapes.Pixels i ]
    let masks = Array.concat [ for i in 0 .. count - 1 -> shapes.Mask i |> nonNull ]
    InMemoryImageDataset(pixels, [| for i in 0 .. count - 1 -> shapes.Label i |], 3, 32, 32, shapes.ClassNames, masks)

let trainImages, testImages = if isQuick then 128, 64 else 4096, 1024
let train, test = ownDataset trainImages 1, ownDataset testImages 2
let experiment =
    preset "cifar10"
    |> fun e -> e.With(name = "robustness-shapes", dataset = DatasetSpec(DatasetKind.Synthetic, masks = MaskSourceSpec.Dataset))
    |> fun e -> if isQuick then quick trainImages e else e.With(epochs = 5)

let result = runOn train test experiment
printfn "%s" (table result)
let rows = robustnessOn train test result
for r in rows do printfn "%-18s %s  top-1 %6.2f %%" r.Corruption (match Option.ofNullable r.Severity with Some s -> string s | None -> "-") (100.0 * r.Top1)
let mca = meanCorruptionAccuracy rows
printfn "mean corruption accuracy %.2f %%; run directory %s" (100.0 * mca) result.Run.Root
if rows.Count <> 1 + 8 * 5 + 1 || System.Double.IsNaN mca then failwith "the robustness rows are incomplete"
