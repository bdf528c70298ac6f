using FsCheck;
using FsCheck.Fluent;
using ReLICv2.Vision;
using Xunit;

namespace ReLICv2.Tests;

/// <summary>The robustness protocol's corruptions (docs/method.md §7.1): identity at 0, strictly stronger with severity, seeded.</summary>
public class CorruptionsTests
{
    private static readonly Config Quick = Config.QuickThrowOnFailure.WithMaxTest(12).WithQuietOnSuccess(true);

    /// <summary>
    /// A random natural-looking test batch [n, c, 28, 28] in [0, 1]: structure at three scales (3×3 and 7×7 noise
    /// upsampled, plus pixel noise), so that every scale of blur, pixelation and compression removes something.
    /// </summary>
    private static Tensor Images(int seed, int n, int c, int side = 28)
    {
        using var scope = Torch.NewScope();
        using var g = new Generator((ulong)seed);
        var coarse = Torch.Interpolate(Torch.Rand([n, c, 3, 3], g), side, side, InterpolationMode.Bilinear, alignCorners: true);
        var middle = Torch.Interpolate(Torch.Rand([n, c, 7, 7], g), side, side, InterpolationMode.Bilinear, alignCorners: true);
        var fine = Torch.Rand([n, c, side, side], g);
        var x = coarse * 0.5 + middle * 0.3 + fine * 0.2;
        return scope.MoveOut(x);
    }

    /// <summary>Random soft-edged foreground masks [n, 1, side, side]: a centred disc of random radius.</summary>
    private static Tensor Masks(int seed, int n, int side = 28)
    {
        using var scope = Torch.NewScope();
        using var g = new Generator((ulong)seed + 77);
        var radius = Torch.Rand([n, 1, 1, 1], g) * (side * 0.25) + side * 0.15;
        var ys = Torch.Arange(0, side, 1, DType.Float32).Reshape(1, 1, side, 1) - (side - 1) / 2.0;
        var xs = Torch.Arange(0, side, 1, DType.Float32).Reshape(1, 1, 1, side) - (side - 1) / 2.0;
        var distance = (ys.Square() + xs.Square()).Sqrt();
        return scope.MoveOut((radius - distance + 0.5).Clamp(0, 1));
    }

    /// <summary>PSNR in dB of <paramref name="y"/> against <paramref name="x"/> over the whole batch (peak 1).</summary>
    private static double Psnr(Tensor x, Tensor y)
    {
        using var scope = Torch.NewScope();
        var mse = (x - y).Square().Mean().Item();
        return mse == 0 ? double.PositiveInfinity : 10 * Math.Log10(1 / mse);
    }

    [Fact]
    public void Severity_zero_is_the_identity_for_every_corruption()
    {
        Prop.ForAll(Gen.Choose(0, 10_000).ToArbitrary(), Gen.Elements(1, 3).ToArbitrary(), (seed, channels) =>
        {
            using var scope = Torch.NewScope();
            var x = Images(seed, 2, channels);
            var bytes = (x * 255.0).Round().To(DType.UInt8);
            var masks = Masks(seed, 2);
            foreach (var c in Corruptions.All)
            {
                Assert.True(Corruptions.Apply(x, c, 0, (ulong)seed, masks).Equal(x), $"{c} at severity 0 changed a float batch");
                Assert.True(Corruptions.Apply(bytes, c, 0, (ulong)seed, masks).Equal(bytes.To(DType.Float32) / 255.0), $"{c} at severity 0 changed a byte batch");
            }
        }).Check(Quick);
    }

    [Fact]
    public void Psnr_against_the_clean_image_falls_strictly_with_severity()
    {
        Prop.ForAll(Gen.Choose(0, 10_000).ToArbitrary(), Gen.Elements(1, 3).ToArbitrary(), (seed, channels) =>
        {
            using var scope = Torch.NewScope();
            var x = Images(seed, 3, channels);
            var masks = Masks(seed, 3);
            foreach (var c in Corruptions.All)
            {
                var psnr = Enumerable.Range(0, Corruptions.MaxSeverity + 1).Select(s => Psnr(x, Corruptions.Apply(x, c, s, (ulong)seed, masks))).ToArray();
                Assert.Equal(double.PositiveInfinity, psnr[0]);
                for (var s = 1; s <= Corruptions.MaxSeverity; s++)
                    Assert.True(psnr[s] < psnr[s - 1], $"{c}, seed {seed}, {channels} channel(s): PSNR {string.Join(" > ", psnr.Select(p => p.ToString("F2")))} does not fall strictly at severity {s}");
            }
        }).Check(Quick);
    }

    [Fact]
    public void Corruptions_are_deterministic_for_a_seed_and_the_random_ones_vary_with_it()
    {
        using var scope = Torch.NewScope();
        var x = Images(5, 4, 3);
        var masks = Masks(5, 4);
        foreach (var c in Corruptions.All)
        {
            var a = Corruptions.Apply(x, c, 3, 42, masks);
            Assert.True(a.Equal(Corruptions.Apply(x, c, 3, 42, masks)), $"{c} differs between two calls with one seed");
            Assert.Equal([4, 3, 28, 28], a.Shape);
            Assert.Equal(DType.Float32, a.DType);
            Assert.InRange(a.Min().Item(), 0, 1);
            Assert.InRange(a.Max().Item(), 0, 1);
            var random = c is Corruption.GaussianNoise or Corruption.Rotation or Corruption.BackgroundShift;
            Assert.Equal(!random, a.Equal(Corruptions.Apply(x, c, 3, 43, masks)));
        }
    }

    [Fact]
    public void The_background_shift_keeps_masked_foreground_pixels_and_changes_the_background()
    {
        Prop.ForAll(Gen.Choose(0, 10_000).ToArbitrary(), Gen.Choose(1, 5).ToArbitrary(), (seed, severity) =>
        {
            using var scope = Torch.NewScope();
            var x = Images(seed, 3, 3);
            var masks = Masks(seed, 3).Ge(0.5).To(DType.Float32);
            var shifted = Corruptions.Apply(x, Corruption.BackgroundShift, severity, (ulong)seed, masks);
            var foreground = masks.Expand(3, 3, 28, 28).Gt(0.5);
            Assert.True(shifted.MaskedSelect(foreground).Equal(x.MaskedSelect(foreground)), "a foreground pixel changed");
            var moved = (shifted - x).Abs().MaskedSelect(foreground.LogicalNot());
            Assert.True(moved.Gt(1e-6).To(DType.Float32).Mean().Item() > 0.9, "the background is mostly unchanged");
        }).Check(Quick);
    }

    [Fact]
    public void Corruptions_reject_missing_masks_bad_shapes_and_severities_naming_the_value()
    {
        using var scope = Torch.NewScope();
        var x = Images(1, 2, 1);
        Assert.Contains("masks", Assert.Throws<ArgumentException>(() => Corruptions.Apply(x, Corruption.BackgroundShift, 2, 0)).Message);
        Assert.Contains("[2, 1, 28, 28]", Assert.Throws<ArgumentException>(() => Corruptions.Apply(x, Corruption.BackgroundShift, 2, 0, Masks(1, 3))).Message);
        var severity = Assert.Throws<ArgumentOutOfRangeException>(() => Corruptions.Apply(x, Corruption.Contrast, 6, 0));
        Assert.Contains("[0, 5]", severity.Message);
        Assert.Equal(6, severity.ActualValue);
        Assert.Contains("C = 1 or 3", Assert.Throws<ArgumentException>(() => Corruptions.Apply(Torch.Rand([1, 2, 8, 8], new Generator(1)), Corruption.Contrast, 1, 0)).Message);
    }

    [Fact]
    public void Names_parse_back_and_an_unknown_name_lists_the_allowed_ones()
    {
        foreach (var c in Corruptions.All)
        {
            Assert.Equal(c, Corruptions.Parse(Corruptions.Name(c)));
            Assert.Equal(c, Corruptions.Parse(c.ToString().ToUpperInvariant()));
        }
        var e = Assert.Throws<ArgumentException>(() => Corruptions.Parse("fog"));
        Assert.Contains("'fog'", e.Message);
        Assert.Contains("gaussian-noise", e.Message);
        Assert.Contains("background-shift", e.Message);
        Assert.Equal(0.12, Corruptions.Parameter(Corruption.GaussianNoise, 3));
        Assert.Equal("quality 20", Corruptions.Describe(Corruption.Jpeg, 3));
    }

    [Fact]
    public void Contrast_and_brightness_follow_their_formulas()
    {
        using var scope = Torch.NewScope();
        var x = Torch.FromArray(new float[] { 0.1f, 0.3f, 0.5f, 0.7f }, 1, 1, 2, 2);
        // mean 0.4, factor 0.3: 0.4 + 0.3·(x − 0.4)
        Assert.True(Corruptions.Apply(x, Corruption.Contrast, 3, 0).AllClose(Torch.FromArray(new float[] { 0.31f, 0.37f, 0.43f, 0.49f }, 1, 1, 2, 2), 1e-6, 1e-6));
        Assert.True(Corruptions.Apply(x, Corruption.Brightness, 4, 0).AllClose(Torch.FromArray(new float[] { 0.5f, 0.7f, 0.9f, 1f }, 1, 1, 2, 2), 1e-6, 1e-6));
    }
}
