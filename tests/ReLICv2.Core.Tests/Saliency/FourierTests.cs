using Xunit;

namespace ReLICv2.Tests;

public class FourierTests
{
    [Fact]
    public void Fft2_matches_the_DFT_definition_and_Ifft2_inverts_it()
    {
        const int h = 3, w = 4;
        var rng = new Random(9);
        var values = Enumerable.Range(0, 2 * h * w).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        using var scope = Torch.NewScope();
        var x = Torch.FromArray(values, 2, h, w);
        using var f = Fourier.Fft2(x);
        var re = f.Real.ToArray<double>();
        var im = f.Imag.ToArray<double>();
        for (var b = 0; b < 2; b++)
            for (var u = 0; u < h; u++)
                for (var v = 0; v < w; v++)
                {
                    // F(u,v) = Σ_y Σ_x f(y,x) e^{−2πi(uy/h + vx/w)}
                    double sr = 0, si = 0;
                    for (var y = 0; y < h; y++)
                        for (var xx = 0; xx < w; xx++)
                        {
                            var a = -2 * Math.PI * ((double)u * y / h + (double)v * xx / w);
                            var val = values[b * h * w + y * w + xx];
                            sr += val * Math.Cos(a);
                            si += val * Math.Sin(a);
                        }
                    var k = b * h * w + u * w + v;
                    Assert.Equal(sr, re[k], 10);
                    Assert.Equal(si, im[k], 10);
                }
        using var back = Fourier.Ifft2(f);
        Assert.True(back.Real.AllClose(x, 1e-12, 1e-12));
        Assert.True(back.Imag.Abs().Max().Item() < 1e-12);
    }

    [Fact]
    public void Polar_form_round_trips_modulus_and_angle()
    {
        using var scope = Torch.NewScope();
        var z = new ComplexTensor(Torch.FromArray(new double[] { 3, -1, 0 }, 3), Torch.FromArray(new double[] { 4, 0, -2 }, 3));
        Assert.Equal(new double[] { 5, 1, 2 }, z.Abs().ToArray<double>());
        var back = ComplexTensor.FromPolar(z.Abs(), z.Angle());
        Assert.True(back.Real.AllClose(z.Real, 1e-12, 1e-12) && back.Imag.AllClose(z.Imag, 1e-12, 1e-12));
    }
}
