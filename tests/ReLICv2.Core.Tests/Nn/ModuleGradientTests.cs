using ReLICv2.Nn;
using Xunit;

namespace ReLICv2.Tests;

/// <summary>
/// Back-propagation through composed modules (convolution, training-mode BatchNorm, a residual block, pooling and an MLP head)
/// agrees with central finite differences in float64.
/// </summary>
public class ModuleGradientTests
{
    private const double Eps = 1e-6;

    private static Sequential Net(Generator g) => new(
        new Conv2d(2, 3, 3, g, padding: 1, dtype: DType.Float64),
        new BatchNorm2d(3, dtype: DType.Float64),
        new ReLU(),
        new BasicBlock(3, 4, 2, g, DType.Float64),
        new AdaptiveAvgPool2d(),
        new Flatten(),
        new MlpHead(4, 6, 2, g, dtype: DType.Float64));

    private static double Loss(Module net, Tensor x, Tensor weights)
    {
        using var scope = Torch.NewScope();
        using var noGrad = Torch.NoGrad();
        return net.Forward(x).Mul(weights).Sum().Item();
    }

    private static Tensor OneHot(long[] shape, int index, double value)
    {
        var data = new double[shape.Aggregate(1L, (a, b) => a * b)];
        data[index] = value;
        return Torch.FromArray(data, shape);
    }

    [Fact]
    public void Input_and_weight_gradients_match_central_differences()
    {
        var g = new Generator(3);
        using var net = Net(g);
        using var scope = Torch.NewScope();
        var x = Torch.Randn([4, 2, 6, 6], g, DType.Float64, requiresGrad: true);
        var weights = Torch.Randn([4, 2], g, DType.Float64);
        net.Forward(x).Mul(weights).Sum().Backward();
        var gradX = x.Grad!.ToArray<double>();

        var probe = new Random(5);
        for (var n = 0; n < 8; n++)
        {
            var i = probe.Next(gradX.Length);
            var plus = Loss(net, x.Detach().Add(OneHot(x.Shape, i, Eps)), weights);
            var minus = Loss(net, x.Detach().Add(OneHot(x.Shape, i, -Eps)), weights);
            Assert.Equal((plus - minus) / (2 * Eps), gradX[i], 6);
        }

        foreach (var (name, p) in net.NamedParameters().Where(p => p.Name is "0.weight" or "1.weight" or "3.conv2.weight" or "3.downsample.1.bias" or "6.3.weight"))
        {
            var grad = p.Grad!.ToArray<double>();
            for (var n = 0; n < 4; n++)
            {
                var i = probe.Next(grad.Length);
                using (Torch.NoGrad()) p.Add_(OneHot(p.Shape, i, Eps));
                var plus = Loss(net, x.Detach(), weights);
                using (Torch.NoGrad()) p.Add_(OneHot(p.Shape, i, -2 * Eps));
                var minus = Loss(net, x.Detach(), weights);
                using (Torch.NoGrad()) p.Add_(OneHot(p.Shape, i, Eps));
                Assert.True(Math.Abs((plus - minus) / (2 * Eps) - grad[i]) < 1e-6, $"{name}[{i}]: finite difference {(plus - minus) / (2 * Eps)}, autograd {grad[i]}");
            }
        }
    }
}
