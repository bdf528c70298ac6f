// A method designer's session: compose a NEW objective from the public primitives — ReLIC plus a Barlow-style
// redundancy-reduction term on the standardised embeddings — print it as a formula, check which branch receives
// gradients (statically and through autograd), save and reload it as JSON, and evaluate it on random embeddings,
// alone and over a ReLICv2 [L, S] view set. CI runs it: `dotnet fsi scripts/compose_objective.fsx --quick`.
#r "../src/Dsl/bin/Release/net10.0/ReLICv2.Core.dll"
#r "../src/Dsl/bin/Release/net10.0/ReLICv2.Dsl.dll"

open ReLICv2
open ReLICv2.Losses
open ReLICv2.Objectives

let quick = fsi.CommandLineArgs |> Array.contains "--quick"
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
scope.Dispose()
printfn "compose_objective: ok"
