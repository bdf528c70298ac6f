using Xunit;

namespace ReLICv2.Tests;

/// <summary>
/// Compares autograd gradients with central finite differences in float64. A non-scalar output y is reduced to
/// Σ y·w with fixed pseudo-random weights w, so every output element contributes.
/// </summary>
internal static class GradCheck
{
    public static void Check(Func<IReadOnlyList<Tensor>, Tensor> f, IReadOnlyList<Tensor> inputs, double eps = 1e-6, double tolerance = 1e-6,
        IReadOnlyList<int>? only = null)
    {
        using var scope = Torch.NewScope();
        using var gen = new Generator(1234);
        var leaves = inputs.Select(x => x.Detach().Clone().RequireGrad()).ToArray();
        var first = f(leaves);
        var weights = Torch.Randn(first.Shape, gen, DType.Float64);

        Tensor Objective(IReadOnlyList<Tensor> xs) => (f(xs) * weights).Sum();

        var analytic = Torch.Grad([Objective(leaves)], leaves);
        var which = only ?? Enumerable.Range(0, inputs.Count).ToArray();
        foreach (var k in which)
        {
            Assert.True(analytic[k] is not null, $"input {k} received no gradient");
            var grad = analytic[k]!.ToArray<double>();
            var baseValues = leaves[k].Detach().ToArray<double>();
            for (var i = 0; i < baseValues.Length; i++)
            {
                double Probe(double delta)
                {
                    using var inner = Torch.NewScope();
                    using var noGrad = Torch.NoGrad();
                    var moved = (double[])baseValues.Clone();
                    moved[i] += delta;
                    var xs = leaves.ToArray();
                    xs[k] = Torch.FromArray(moved, leaves[k].Shape);
                    return Objective(xs).Item();
                }
                var numeric = (Probe(eps) - Probe(-eps)) / (2 * eps);
                var allowed = tolerance * (1 + Math.Abs(numeric));
                Assert.True(Math.Abs(numeric - grad[i]) <= allowed,
                    $"input {k}, element {i}: autograd {grad[i]:R}, finite difference {numeric:R} (|diff| {Math.Abs(numeric - grad[i]):E2} > {allowed:E2})");
            }
        }
    }
}
