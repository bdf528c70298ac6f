// A tour of ReLICv2.Core's data side from F#: a dataset with foreground masks, the prefetching loader with a
// per-batch transform, two unsupervised saliency estimators scored against the true masks, and a PNG grid of it all.
//   dotnet fsi scripts/data_tour.fsx [--quick] [--out DIR]
// Without --quick it also streams one epoch of Debian's Fashion-MNIST (when installed) and reports images/s.
#r "../src/Core/bin/Release/net10.0/ReLICv2.Core.dll"

open System
open System.IO
open ReLICv2
open ReLICv2.Data
open ReLICv2.Vision

let args = fsi.CommandLineArgs |> Array.toList
let quick = List.contains "--quick" args
let outDir =
    match List.tryFindIndex ((=) "--out") args with
    | Some i when i + 1 < args.Length -> args[i + 1]
    | _ -> Path.Combine(Path.GetTempPath(), "relic-data-tour")

let scope = Torch.NewScope()

// 1. Synthetic shapes with ground-truth masks; batches through the prefetch thread, converted to float on it.
let data = SyntheticDataset((if quick then 64 else 512), size = 32, seed = 1)
let loader = DataLoader(data, 16, seed = 7UL, prefetchDepth = 2)
let toFloat (b: Batch) =
    use s = Torch.NewScope()
    let images = s.MoveOut((b.Images.To(DType.Float32) / 255.0))
    images, b.Labels.Alias(), b.Masks.Alias()
let mutable seen = 0
for (images, labels, masks) in loader.Epoch(0, Func<Batch, _>(toFloat)) do
    seen <- seen + int (images.Size(0))
    images.Dispose(); labels.Dispose(); masks.Dispose()
printfn "epoch 0: %d synthetic images in %d batches" seen loader.BatchesPerEpoch

// 2. Saliency estimators against the true foreground.
let batch = data.GetBatch([| 0 .. 15 |])
let iou (m: Tensor) =
    let t = batch.Masks
    ((m * t).Flatten(1L).Sum(1L) / (m + t - m * t).Flatten(1L).Sum(1L).ClampMin(1.0)).Mean().Item()
let boundary = BoundaryContrastSaliencyEstimator().Masks(batch)
let spectral = SpectralResidualSaliencyEstimator(thresholdFactor = 1.0).Masks(batch)
printfn "mean IoU with the true masks: boundary contrast %.3f, spectral residual %.3f" (iou boundary) (iou spectral)

// 3. A grid: images, true masks, boundary-contrast masks, spectral-residual masks.
let rgb (m: Tensor) = m.Expand(16L, 3L, 32L, 32L)
let grid = Torch.Cat([| batch.Images.To(DType.Float32) / 255.0; rgb batch.Masks; rgb boundary; rgb spectral |], 0L)
let path = Path.Combine(outDir, "saliency_grid.png")
PngWriter.WriteTensor(path, grid, columns = 16)
let back = ImageDecoder.Decode(path)
printfn "wrote %s (%dx%d, decoded back through libspng)" path back.Width back.Height

// 4. Fashion-MNIST throughput, when the Debian package is installed.
if not quick && File.Exists(Path.Combine(FashionMnist.DefaultRoot, "train-images-idx3-ubyte.gz")) then
    let fm = FashionMnist.Load(DatasetSplit.Train)
    let sw = Diagnostics.Stopwatch.StartNew()
    let mutable n = 0
    for b in DataLoader(fm, 256, seed = 1UL).Epoch(0) do
        n <- n + b.Count
        b.Dispose()
    printfn "Fashion-MNIST: %d images in %.2f s (%.0f images/s through the loader)" n sw.Elapsed.TotalSeconds (float n / sw.Elapsed.TotalSeconds)

batch.Dispose()
scope.Dispose()
