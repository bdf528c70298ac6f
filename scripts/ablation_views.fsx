// The [L, S] view ablation of the paper (METHOD.md §3: [2,0] 74.8 · [2,2] 76.2 · [4,0] 75.5 · [4,2] 76.8 on ImageNet)
// at small scale on Fashion-MNIST, printed as a table.   dotnet fsi scripts/ablation_views.fsx [--quick]
#load "prelude.fsx"
open Prelude
open ReLICv2.Views

let grid = if isQuick then [ 2, 0; 2, 1 ] else [ 2, 0; 2, 2; 4, 0; 4, 2 ]
let baseExperiment =
    preset "fashion-mnist"
    |> set "timeBudgetMinutes" 4
    |> fun e -> if isQuick then quick 256 e else e

let rows =
    [ for (l, s) in grid ->
        let views = ViewSet.Relicv2(largeCount = l, smallCount = s, largeSize = 28, smallSize = 12)
        let result = baseExperiment.With(name = sprintf "ablation-%d-%d" l s, views = views) |> run
        (l, s, probeTop1 result) ]

printfn "\n[L, S]   linear probe top-1"
for (l, s, top1) in rows do printfn "[%d, %d]   %6.2f %%" l s (100.0 * top1)
if rows |> List.exists (fun (_, _, t) -> System.Double.IsNaN t) then failwith "an ablation run produced no probe result"
