// A method designer's session: compose a NEW objective from the public primitives — ReLIC plus a Barlow-style
// redundancy-reduction term on the standardised embeddings — print it as a formula, check which branch receives
// gradients (statically and through autograd), save and reload it as JSON, and evaluate it on random embeddings,
// alone and over a ReLICv2 [L, S] view set. Then define a NEW primitive in this script — the uniformity loss of
// Wang & Isola (2020) — print it, query its gradient flow, round-trip it through JSON and train a small encoder with
// ReLIC + uniformity for a few steps. CI runs it: `dotnet fsi scripts/compose_objective.fsx --quick`.
#load "prelude.fsx"

open System
open ReLICv2
open ReLICv2.Losses
open ReLICv2.Nn
open ReLICv2.Objectives
open ReLICv2.Optim
open Prelude

let quick = isQuick
let batch, dim, steps = if quick then 16L, 8L, 3 else 64L, 32L, 20

// ---- the new objective, from primitives -------------------------------------------------------------------------
let tau = 0.2
let o = Expr.Normalize(Expr.Online)
let t = Expr.StopGradient(Expr.Normalize(Expr.Target))
let negatives = Negatives.Sample(4L)
let logits = Expr.Candidates(Expr.Similarity(o, t, tau), negatives)            // P^{a→t} candidates
let logitsTa = Expr.Candidates(Expr.Similarity(t, o, tau), negatives)          // P^{t→a}, same index sets
let relic = Expr.DiagonalCrossEntropy(logits) + 1.0 * Expr.Kl(Expr.Softmax(logits), Expr.StopGradient(Expr.Softmax(logitsTa)))
// Barlow-style redundancy reduction between the online view and the (detached) target view
let c = Expr.CrossCorrelation(Expr.Standardise(Expr.Online), Expr.StopGradient(Expr.Standardise(Expr.Target)))
let objective = relic + 0.005 * Expr.OffDiagonalPenalty(c)
// (Expr.Kl(logits, logitsTa) would not compile: KL takes two Expr<Distribution>.)

printfn "composed objective:\n  %O" objective
printfn "ReLICv2 preset:\n  %O" (Presets.ReLICv2())
printfn "gradient flow (static): %O" objective.Flow
if objective.Flow <> GradientFlow(true, false) then failwith "the composed objective must train the online branch only"

// ---- JSON round trip ----------------------------------------------------------------------------------------------
let json = ObjectiveJson.Serialize(objective)
let back = ObjectiveJson.Deserialize(json)
printfn "JSON: %d characters, round trip equal: %b" json.Length (back = objective)
if back <> objective then failwith "JSON round trip changed the objective"

// ---- evaluation and gradient flow through autograd ----------------------------------------------------------------
let gen = new Generator(2026UL)
let scope = Torch.NewScope()
let compiled = objective.Compile()
let online = Torch.Randn([| batch; dim |], gen, DType.Float64, requiresGrad = true)
let target = (online.Detach() + 0.3 * Torch.Randn([| batch; dim |], gen, DType.Float64)).RequireGrad()
let value = compiled.Evaluate(online, target, gen)
let grads = Torch.Grad([| value |], [| online; target |])
let onlineGrad = grads[0].Norm().Item()
let targetGets = not (isNull grads[1]) && grads[1].Abs().Max().Item() > 0.0
printfn "loss on random embeddings (N=%d, D=%d) = %.6f; |∂/∂online| = %.3e; target receives a gradient: %b" batch dim (value.Item()) onlineGrad targetGets
if not (System.Double.IsFinite(value.Item())) || onlineGrad = 0.0 || targetGets then failwith "unexpected value or gradient flow"

// ---- the same pair objective over a ReLICv2 view set: L = 2 large, S = 2 small, same-view pairs included -----------
let views = [| for _ in 1 .. 4 -> Torch.Randn([| batch; dim |], gen, DType.Float64) |]
let targets = views[0..1] |> Array.map (fun v -> v + 0.1 * Torch.Randn([| batch; dim |], gen, DType.Float64))
let pairing = PairingPolicy.ReLICv2(includeSameView = true)
printfn "[2, 2] view set: %d pairs, loss = %.6f" (pairing.Pairs(2, 2).Count) (compiled.EvaluateViews(views, targets, pairing, gen).Item())

// ---- a few plain gradient steps on the online embeddings lower the loss -------------------------------------------
let x = online.Detach().Clone().RequireGrad()
let fixedTarget = target.Detach()
let lossAt (e: Tensor) = compiled.Evaluate(e, fixedTarget, new Generator(1UL))
let first = lossAt(x).Item()
for _ in 1 .. steps do
    let l = lossAt x
    let g = Torch.Grad([| l |], [| x |])[0]
    use _ = Torch.NoGrad()
    x.Sub_(g, 0.5)
let last = lossAt(x).Item()
printfn "gradient descent on o (%d steps, fixed negatives draw): %.6f -> %.6f" steps first last
if not (last < first) then failwith "the loss did not decrease"

// ---- a primitive of our own: uniformity, log mean_{i≠j} exp(−t‖zᵢ − zⱼ‖²) ----------------------------------------
let uniformityOf (z: Tensor) (t: double) =
    let n = z.Size(0)
    let squared = (z.Unsqueeze(1L) - z.Unsqueeze(0L)).Square().Sum(-1L)                       // ‖zᵢ − zⱼ‖², [N, N]
    let pairs = squared.MaskedSelect(Torch.Eye(n, Nullable(), DType.Bool, z.Device).LogicalNot()) // i ≠ j
    (pairs * -t).LogSumExp(0L) - log (float n * float (n - 1L))

let uniformity = primitive "uniformity" [ embeddings ] [ "t" ] (fun zs ts -> uniformityOf (List.exactlyOne zs) (List.exactlyOne ts))
let withUniformity = relic + 0.1 * apply uniformity [ o ] [ 2.0 ]
printfn "\nuser primitive: %O\nReLIC + uniformity:\n  %O" uniformity withUniformity
printfn "gradient flow: uniformity(ô) → %O, uniformity(sg[t̂]) → %O, ReLIC + uniformity → %O"
    (apply uniformity [ o ] [ 2.0 ]).Flow (apply uniformity [ t ] [ 2.0 ]).Flow withUniformity.Flow
if (apply uniformity [ t ] [ 2.0 ]).Flow <> GradientFlow.None || withUniformity.Flow <> GradientFlow(true, false) then failwith "unexpected gradient flow"
let primitiveJson = ObjectiveJson.Serialize(withUniformity)
if ObjectiveJson.Deserialize(primitiveJson) <> withUniformity then failwith "JSON round trip changed the objective with a primitive"
printfn "JSON round trip with the primitive (registered as \"uniformity\"): equal"
let unknown = primitiveJson.Replace("\"uniformity\"", "\"uniformity2\"")
try
    ObjectiveJson.Deserialize(unknown) |> ignore
    failwith "an unknown primitive name was read"
with :? Text.Json.JsonException as e -> printfn "an unknown name is refused: %s" e.Message
let compiledU = withUniformity.Compile()
printfn "data parallel: %s" (if compiledU.IsDataParallelSafe then "safe" else "refused — " + compiledU.DataParallelProblems[0])

// the value of the primitive term, against a plain loop over the pairs
let zs = Torch.Normalize(online.Detach()).ToArray<float>() |> Array.chunkBySize (int dim)
let reference =
    [ for i in 0 .. zs.Length - 1 do
        for j in 0 .. zs.Length - 1 do
            if i <> j then exp (-2.0 * Array.fold2 (fun acc a b -> acc + (a - b) * (a - b)) 0.0 zs[i] zs[j]) ]
    |> List.average |> log
let termValue = (apply uniformity [ o ] [ 2.0 ]).Compile().Evaluate(online.Detach(), target.Detach()).Item()
printfn "uniformity(ô; t=2) = %.6f (plain loop: %.6f)" termValue reference
if abs (termValue - reference) > 1e-9 then failwith "the primitive's value differs from the plain loop"

// ---- train a small encoder with ReLIC + uniformity: two noisy views of the same points ----------------------------
let trainGen = new Generator(7UL)
let encoder = new Linear(dim, dim, trainGen, dtype = DType.Float64)
let optimizer = new AdamW(encoder.Parameters(), AdamWOptions(learningRate = 0.05))
let points = Torch.Randn([| batch; dim |], trainGen, DType.Float64)
let viewOf () = points + 0.05 * Torch.Randn([| batch; dim |], trainGen, DType.Float64)
let trainSteps = if quick then 5 else 30
let losses =
    [ for step in 1 .. trainSteps do
        use stepScope = Torch.NewScope()
        let online, target = encoder.Forward(viewOf ()), encoder.Forward(viewOf ())
        let loss = compiledU.Evaluate(online, target, trainGen)
        optimizer.ZeroGrad()
        loss.Backward()
        optimizer.Step()
        yield loss.Item() ]
printfn "training a linear encoder with ReLIC + 0.1·uniformity, %d AdamW steps: loss %.4f -> %.4f" trainSteps losses.Head (List.last losses)
if not (List.forall Double.IsFinite losses) || not (List.last losses < losses.Head) then failwith "training with the primitive did not lower the loss"
scope.Dispose()
printfn "compose_objective: ok"
