// Proves the tensor engine end to end from F#: load ReLICv2.Core, run a small network forward and backward,
// and check the gradient against central finite differences. CI runs it: `dotnet fsi scripts/engine_check.fsx`.
#r "../src/Core/bin/Release/net10.0/ReLICv2.Core.dll"

open ReLICv2

printfn "ReLICv2.NET %s on libtorch %s (CUDA available: %b)" Torch.FrameworkVersion Torch.Version Torch.CudaIsAvailable

let gen = new Generator(7UL)
let scope = Torch.NewScope()

// A two-layer network on a batch of 8 inputs, in float64 so that finite differences are exact to ~1e-8.
let x = Torch.Randn([| 8L; 5L |], gen, DType.Float64)
let w1 = Torch.Randn([| 16L; 5L |], gen, DType.Float64, requiresGrad = true)
let w2 = Torch.Randn([| 3L; 16L |], gen, DType.Float64, requiresGrad = true)
let labels = Torch.FromArray([| 0L; 1L; 2L; 0L; 1L; 2L; 0L; 1L |])

let loss (w1: Tensor) =
    let hidden = Torch.Linear(x, w1).Relu()
    Torch.CrossEntropy(Torch.Linear(hidden, w2), labels)

let l = loss w1
l.Backward()
let grad = w1.Grad.ToArray<float>()
printfn "loss = %.6f, |grad| = %.6f" (l.Item()) (w1.Grad.Norm().Item())

// Central finite difference on a few coordinates of w1.
let h = 1e-6
let worst =
    [ 0; 7; 23; 41; 79 ]
    |> List.map (fun i ->
        use _ = Torch.NoGrad()
        let flat = w1.Detach().Reshape(-1L)
        let probe (delta: float) =
            let w = flat.Clone()
            use one = Torch.Zeros([| flat.NumEl |], DType.Float64)
            one.Narrow(0L, int64 i, 1L).Fill_(delta)
            loss((w + one).Reshape(16L, 5L)).Item()
        let numeric = (probe h - probe -h) / (2.0 * h)
        abs (numeric - grad[i]))
    |> List.max
printfn "largest |autograd - finite difference| = %.3e" worst
if worst > 1e-6 then failwithf "gradient check failed: %g" worst

// Scalars follow PyTorch's type promotion: an int operand of an operator is Python's int, a float (and every scalar
// method argument) Python's float — Int64 * 2 stays Int64, Int64 * 2.0 and Int64.Mul 2 are Float32.
let ints = Torch.FromArray([| 1L; 2L |])
let promoted = [ (ints * 2).DType; (ints + 1L).DType; (ints * 2.0).DType; ints.Mul(2).DType; (ints / 2).DType ]
if promoted <> [ DType.Int64; DType.Int64; DType.Float32; DType.Float32; DType.Float32 ] then failwithf "scalar promotion: %A" promoted
printfn "engine check passed"
