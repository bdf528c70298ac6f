using System.Text.Json;
using ReLICv2.Optim;
using Xunit;

namespace ReLICv2.Tests;

/// <summary>SGD and AdamW against torch.optim (PyTorch 1.13) on closed-form parameters and gradients (optimizer_steps.json).</summary>
public class OptimizerReferenceTests
{
    private static readonly JsonElement Fixture = NnFixtures.Load("optimizer_steps.json");

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var c in Fixture.GetProperty("cases").EnumerateArray()) data.Add(c.GetProperty("name").GetString()!);
        return data;
    }

    private static long[][] Shapes => Fixture.GetProperty("shapes").EnumerateArray().Select(NnFixtures.Shape).ToArray();

    internal static Tensor InitialParameter(long[] shape, int k) =>
        Torch.Scoped(() => NnFixtures.Wave(shape.Aggregate(1L, (a, b) => a * b), k, 0.7).Reshape(shape).To(DType.Float32));

    internal static Tensor Gradient(long[] shape, int k, int step) =>
        Torch.Scoped(() => Torch.Arange(0, shape.Aggregate(1L, (a, b) => a * b), 1, DType.Float64).Mul(0.3).Add(step + 1.0 + 0.5 * k).Cos()
            .Reshape(shape).To(DType.Float32));

    private static double Get(JsonElement g, string name, double fallback) => g.TryGetProperty(name, out var v) ? v.GetDouble() : fallback;

    private static Optimizer Build(string kind, JsonElement[] groups, IReadOnlyList<Tensor> parameters)
    {
        IReadOnlyList<Tensor> Members(int i) => groups.Length == 1 ? parameters : [parameters[i]];
        if (kind == "sgd")
        {
            return new Sgd(groups.Select((g, i) => new ParameterGroup<SgdOptions>(Members(i), new SgdOptions(
                g.GetProperty("lr").GetDouble(), Get(g, "momentum", 0), Get(g, "dampening", 0), Get(g, "weight_decay", 0),
                g.TryGetProperty("nesterov", out var n) && n.GetBoolean()))).ToList());
        }
        return new AdamW(groups.Select((g, i) =>
        {
            var betas = g.TryGetProperty("betas", out var b) ? b.EnumerateArray().Select(x => x.GetDouble()).ToArray() : [0.9, 0.999];
            return new ParameterGroup<AdamWOptions>(Members(i), new AdamWOptions(g.GetProperty("lr").GetDouble(), betas[0], betas[1],
                Get(g, "eps", 1e-8), Get(g, "weight_decay", 1e-2)));
        }).ToList());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Three_steps_with_a_changing_learning_rate_match_torch_optim(string name)
    {
        var c = Fixture.GetProperty("cases").EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);
        var shapes = Shapes;
        var factors = Fixture.GetProperty("lr_factors").EnumerateArray().Select(f => f.GetDouble()).ToArray();
        var parameters = shapes.Select((s, k) => InitialParameter(s, k).DetachFromScope().RequireGrad()).ToList();
        try
        {
            using var opt = Build(c.GetProperty("kind").GetString()!, c.GetProperty("groups").EnumerateArray().ToArray(), parameters);
            var steps = c.GetProperty("steps").EnumerateArray().ToArray();
            for (var s = 0; s < factors.Length; s++)
            {
                using var scope = Torch.NewScope();
                opt.LearningRateMultiplier = factors[s];
                for (var k = 0; k < parameters.Count; k++) parameters[k].Grad = Gradient(shapes[k], k, s);
                opt.Step();
                var expected = steps[s].EnumerateArray().ToArray();
                for (var k = 0; k < parameters.Count; k++)
                {
                    var actual = parameters[k].Detach().ToArray<float>();
                    var want = NnFixtures.Floats(expected[k]);
                    for (var i = 0; i < want.Length; i++)
                        Assert.True(Math.Abs(actual[i] - want[i]) <= 2e-7 + 2e-6 * Math.Abs(want[i]),
                            $"{name}, step {s}, parameter {k}[{i}]: {actual[i]} vs torch {want[i]}");
                }
            }
            Assert.Equal(factors.Length, opt.StepCount);
        }
        finally
        {
            foreach (var p in parameters) p.Dispose();
        }
    }
}
