using System.CommandLine;
using System.Diagnostics;

namespace ReLICv2.Experiments;

/// <summary>
/// <c>relic engine</c>: proves the tensor engine end to end (forward, backward, an optimiser loop) on a small
/// synthetic problem and prints the build facts of the installed libtorch.
/// </summary>
public static class EngineCommand
{
    public static Command Build()
    {
        var steps = new Option<int>("--steps") { Description = "Optimisation steps of the check (1-100000).", DefaultValueFactory = _ => 300 };
        var config = new Option<bool>("--config") { Description = "Also print libtorch's build configuration." };
        var command = new Command("engine", "Check the libtorch engine end to end: fit a small MLP to a synthetic problem.") { steps, config };
        command.SetAction(parse =>
        {
            var n = parse.GetValue(steps);
            if (n is < 1 or > 100_000)
            {
                Console.Error.WriteLine($"relic engine: --steps must be in [1, 100000], got {n}");
                return 2;
            }
            Console.WriteLine(Program.VersionText());
            if (parse.GetValue(config)) Console.WriteLine(Torch.BuildConfig);
            var (first, last, accuracy, seconds) = FitSpirals(n);
            Console.WriteLine($"two-spirals MLP: loss {first:F4} -> {last:F4} in {n} steps, train accuracy {accuracy:P1}, {seconds:F1} s");
            if (!(last < first)) {
                Console.Error.WriteLine("relic engine: the loss did not decrease");
                return 1;
            }
            return 0;
        });
        return command;
    }

    /// <summary>Fits a 2-64-64-2 MLP to two interleaved spirals with plain gradient descent and momentum.</summary>
    public static (double First, double Last, double Accuracy, double Seconds) FitSpirals(int steps)
    {
        var clock = Stopwatch.StartNew();
        using var gen = new Generator(1);
        using var scope = Torch.NewScope();
        const int perClass = 200;
        using var t = Torch.Linspace(0.25, 3 * Math.PI, perClass, DType.Float32);
        using var r = t.Div(3 * Math.PI);
        var xs = new List<Tensor>();
        foreach (var sign in new[] { 1.0, -1.0 })
        {
            using var cx = t.Cos() * r * sign;
            using var cy = t.Sin() * r * sign;
            xs.Add(Torch.Stack([cx, cy], 1));
        }
        var x = Torch.Cat(xs);
        var y = Torch.Cat([Torch.Zeros([perClass], DType.Int64), Torch.Ones([perClass], DType.Int64)]);

        Tensor Param(params long[] shape) => (Torch.Randn(shape, gen) * (1.0 / Math.Sqrt(shape[^1]))).DetachFromScope().RequireGrad();
        Tensor[] parameters = [Param(64, 2), Param(64), Param(64, 64), Param(64), Param(2, 64), Param(2)];
        var velocity = parameters.Select(p => Torch.Zeros(p.Shape).DetachFromScope()).ToArray();
        double first = 0, last = 0;
        for (var step = 0; step < steps; step++)
        {
            using var stepScope = Torch.NewScope();
            var h1 = Torch.Linear(x, parameters[0], parameters[1]).Relu();
            var h2 = Torch.Linear(h1, parameters[2], parameters[3]).Relu();
            var loss = Torch.CrossEntropy(Torch.Linear(h2, parameters[4], parameters[5]), y);
            loss.Backward();
            last = loss.Item();
            if (step == 0) first = last;
            using var _ = Torch.NoGrad();
            for (var i = 0; i < parameters.Length; i++)
            {
                var g = parameters[i].Grad!;
                velocity[i].Mul_(0.9);
                velocity[i].Add_(g);
                parameters[i].Add_(velocity[i], -0.05);
                parameters[i].Grad = null;
            }
        }
        double accuracy;
        using (Torch.NoGrad())
        {
            var h1 = Torch.Linear(x, parameters[0], parameters[1]).Relu();
            var h2 = Torch.Linear(h1, parameters[2], parameters[3]).Relu();
            accuracy = Torch.Linear(h2, parameters[4], parameters[5]).Argmax(1).Eq(y).To(DType.Float32).Mean().Item();
        }
        foreach (var p in parameters.Concat(velocity)) p.Dispose();
        return (first, last, accuracy, clock.Elapsed.TotalSeconds);
    }
}
