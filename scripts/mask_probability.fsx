// Saliency-masking probability sweep (docs/method.md §1.4: p 0 → 76.8, 0.1 → 77.1 on ImageNet) at small scale on the
// synthetic shapes, whose ground-truth masks drive the masking.   dotnet fsi scripts/mask_probability.fsx [--quick]
#load "prelude.fsx"
open Prelude
open ReLICv2.Experiments
open ReLICv2.Views

let probabilities = if isQuick then [ 0.0; 0.5 ] else [ 0.0; 0.1; 0.3; 0.5 ]
let baseExperiment =
    preset "cifar10"
    |> fun e -> e.With(dataset = DatasetSpec(DatasetKind.Synthetic, null, (if isQuick then 256 else 4096), (if isQuick then 128 else 1024), 32))
    |> fun e -> if isQuick then quick 256 e else e.With(epochs = 5)

let rows =
    [ for p in probabilities ->
        let views = ViewSet.ReLICv2(largeCount = 2, smallCount = 2, largeSize = 32, smallSize = 16, maskProbability = p)
        let result = baseExperiment.With(name = sprintf "mask-%.2f" p, views = views) |> run
        (p, probeTop1 result) ]

printfn "\nmask p   linear probe top-1"
for (p, top1) in rows do printfn "%.2f     %6.2f %%" p (100.0 * top1)
