using FsCheck;
using FsCheck.Fluent;
using ReLICv2.Augmentation;
using ReLICv2.Views;
using Xunit;

namespace ReLICv2.Tests;

/// <summary>FsCheck properties over arbitrary valid (and invalid) augmentation chains and view sets.</summary>
public class AugmentationFuzzTests
{
    private static readonly Config Quick = Config.QuickThrowOnFailure.WithMaxTest(40).WithQuietOnSuccess(true);

    private static Gen<double> Between(double low, double high) => Gen.Choose(0, 1000).Select(i => low + (high - low) * i / 1000.0);

    private static Gen<ResizedCrop> Crop(Gen<int> size) =>
        from s in size
        from a in Between(0.05, 1)
        from b in Between(0.05, 1)
        from r1 in Between(0.5, 2)
        from r2 in Between(0.5, 2)
        from bicubic in Gen.Elements(true, false)
        from antialias in Gen.Elements(false, false, true)
        select new ResizedCrop(s, Math.Min(a, b), Math.Max(a, b), Math.Min(r1, r2), Math.Max(r1, r2),
            bicubic ? InterpolationMode.Bicubic : InterpolationMode.Bilinear, antialias);

    private static readonly Gen<AugmentationStep> Other = Gen.OneOf(
        Between(0, 1).Select(p => (AugmentationStep)new HorizontalFlip(p)),
        from b in Between(0, 1) from c in Between(0, 1) from s in Between(0, 1) from h in Between(0, 0.5) from p in Between(0, 1)
        select (AugmentationStep)new ColorJitter(b, c, s, h, p),
        Between(0, 1).Select(p => (AugmentationStep)new Grayscale(p)),
        from lo in Between(0.1, 1.5) from extra in Between(0, 1) from p in Between(0, 1) from k in Gen.Elements<int?>(null, 3)
        select (AugmentationStep)new GaussianBlur(lo, lo + extra, p, k),
        from t in Between(0, 1) from p in Between(0, 1) select (AugmentationStep)new Solarize(t, p));

    private static Gen<AugmentationChain> Chain(Gen<int> size) =>
        from crop in Crop(size)
        from k in Gen.Choose(0, 5)
        from rest in Other.ArrayOf(k)
        select new AugmentationChain([crop, .. rest]);

    /// <summary>A chain, a batch shape and a seed.</summary>
    public sealed record Case(AugmentationChain Chain, int N, int C, int H, int W, ulong Seed)
    {
        public Tensor Images()
        {
            using var g = new Generator(Seed);
            return Torch.Rand([N, C, H, W], g);
        }
    }

    private static readonly Gen<Case> Cases =
        from chain in Chain(Gen.Choose(4, 12))
        from n in Gen.Choose(1, 3)
        from c in Gen.Elements(1, 3)
        from h in Gen.Choose(6, 14)
        from w in Gen.Choose(6, 14)
        from seed in Gen.Choose(0, 100000)
        select new Case(chain, n, c, h, w, (ulong)seed);

    private static bool InUnitRangeAndFinite(Tensor t)
    {
        using var finite = t.IsFinite().All();
        using var min = t.Min();
        using var max = t.Max();
        return finite.Item() != 0 && min.Item() >= 0 && max.Item() <= 1;
    }

    [Fact]
    public void Output_has_the_declared_size_is_finite_in_unit_range_and_is_reproducible()
    {
        Prop.ForAll(Arb.From(Cases), c =>
        {
            using var scope = Torch.NewScope();
            var x = c.Images();
            var size = c.Chain.Steps.OfType<ResizedCrop>().Last().Size;
            var a = c.Chain.Run(x, c.Seed);
            var b = c.Chain.Run(x, c.Seed);
            return a.Shape.SequenceEqual(new long[] { c.N, c.C, size, size }) && InUnitRangeAndFinite(a) && a.Equal(b);
        }).Check(Quick);
    }

    [Fact]
    public void Probability_zero_everywhere_with_a_full_image_crop_is_the_identity()
    {
        var gen =
            from size in Gen.Choose(4, 12)
            from bicubic in Gen.Elements(true, false)
            from others in Other.ArrayOf(4)
            from seed in Gen.Choose(0, 1000)
            select (size, bicubic, others, seed);
        Prop.ForAll(Arb.From(gen), t =>
        {
            using var scope = Torch.NewScope();
            var steps = new List<AugmentationStep> { new ResizedCrop(t.size, 1, 1, 1, 1, t.bicubic ? InterpolationMode.Bicubic : InterpolationMode.Bilinear) };
            steps.AddRange(t.others.Select(s => s switch
            {
                HorizontalFlip => new HorizontalFlip(0),
                ColorJitter j => new ColorJitter(j.Brightness, j.Contrast, j.Saturation, j.Hue, 0),
                Grayscale => new Grayscale(0),
                GaussianBlur b => new GaussianBlur(b.MinSigma, b.MaxSigma, 0, b.KernelSize),
                Solarize s2 => new Solarize(s2.Threshold, 0),
                _ => s,
            }));
            var chain = new AugmentationChain(steps);
            using var g = new Generator((ulong)t.seed);
            var x = Torch.Rand([2, 3, t.size, t.size], g);
            using var diff = (chain.Run(x, (ulong)t.seed) - x).Abs().Max();
            return diff.Item() <= 1e-5;
        }).Check(Quick);
    }

    [Fact]
    public void Flipping_twice_with_the_same_parameters_is_the_identity()
    {
        Prop.ForAll(Arb.From(Cases), c =>
        {
            using var scope = Torch.NewScope();
            var x = c.Images();
            var flip = AugmentationChain.Of(new HorizontalFlip(0.5));
            var p = flip.Sample(c.N, c.H, c.W, c.Seed);
            return flip.Apply(flip.Apply(x, p), p).Equal(x);
        }).Check(Quick);
    }

    /// <summary>A constructor call with one field out of range, and the name of that field.</summary>
    public sealed record Invalid(string Field, Func<object> Make)
    {
        public override string ToString() => Field;
    }

    [Fact]
    public void A_generated_invalid_parameter_is_rejected_naming_its_field()
    {
        var outside = Gen.OneOf(Between(-5, -0.001), Between(1.001, 5), Gen.Elements(double.NaN, double.PositiveInfinity));
        var gen = Gen.OneOf(
            outside.Select(v => new Invalid("p", () => new HorizontalFlip(v))),
            outside.Select(v => new Invalid("p", () => new Grayscale(v))),
            outside.Select(v => new Invalid("threshold", () => new Solarize(v))),
            outside.Select(v => new Invalid("brightness", () => new ColorJitter(brightness: v))),
            outside.Select(v => new Invalid("contrast", () => new ColorJitter(contrast: v))),
            outside.Select(v => new Invalid("saturation", () => new ColorJitter(saturation: v))),
            Between(0.501, 3).Select(v => new Invalid("hue", () => new ColorJitter(hue: v))),
            outside.Select(v => new Invalid("p", () => new ColorJitter(p: v))),
            Between(-3, 0).Select(v => new Invalid("minSigma", () => new GaussianBlur(minSigma: v))),
            Gen.Choose(-4, 40).Where(k => k < 1 || k % 2 == 0).Select(k => new Invalid("kernelSize", () => new GaussianBlur(kernelSize: k))),
            Gen.Choose(-100, 0).Select(s => new Invalid("size", () => new ResizedCrop(s))),
            outside.Where(v => !(v > 0 && v <= 1)).Select(v => new Invalid("maxArea", () => new ResizedCrop(8, maxArea: v))),
            outside.Select(v => new Invalid("minGrey", () => new SaliencyMask(minGrey: v))),
            outside.Select(v => new Invalid("minForegroundFraction", () => new SaliencyMask(minForegroundFraction: v))));
        Prop.ForAll(Arb.From(gen), inv =>
        {
            try
            {
                inv.Make();
                return false;
            }
            catch (ArgumentException e)
            {
                return e.ParamName == inv.Field && e.Message.Contains(inv.Field + " must be");
            }
        }).Check(Quick);
    }

    [Fact]
    public void Saliency_masking_changes_only_background_pixels()
    {
        var gen =
            from c in Cases
            from grey in Between(0, 1)
            from top in Gen.Choose(0, 5)
            from left in Gen.Choose(0, 5)
            select (c, grey, top, left);
        Prop.ForAll(Arb.From(gen), t =>
        {
            using var scope = Torch.NewScope();
            var x = t.c.Images();
            var mask = Torch.Zeros(t.c.N, 1, t.c.H, t.c.W);
            mask.Narrow(2, t.top, t.c.H - t.top).Narrow(3, t.left, t.c.W - t.left).Fill_(1.0);
            var crop = t.c.Chain.Steps.OfType<ResizedCrop>().Last();
            var plain = AugmentationChain.Of(crop, new HorizontalFlip(0.5));
            var masked = plain.Then(new SaliencyMask(1.0, t.grey, t.grey, 0));
            var p = masked.Sample(t.c.N, t.c.H, t.c.W, t.c.Seed);
            var unmasked = plain.Apply(x, new ChainParams(t.c.H, t.c.W, [p.Steps[0], p.Steps[1]]));
            // Masks are always resampled bilinearly, whatever the image's interpolation, antialiased when the images are.
            var maskCrop = new ResizedCrop(crop.Size, crop.MinArea, crop.MaxArea, crop.MinAspectRatio, crop.MaxAspectRatio, InterpolationMode.Bilinear, crop.Antialias);
            var geometricMask = AugmentationChain.Of(maskCrop, new HorizontalFlip(0.5)).Apply(mask, new ChainParams(t.c.H, t.c.W, [p.Steps[0], p.Steps[1]]));
            var output = masked.Apply(x, p, mask);
            var foreground = geometricMask.Ge(1.0).ExpandAs(output);
            using var fgDiff = (output - unmasked).Abs().MaskedFill(foreground.LogicalNot(), 0).Max();
            var background = geometricMask.Le(0.0).ExpandAs(output);
            using var bgDiff = (output - t.grey).Abs().MaskedFill(background.LogicalNot(), 0).Max();
            return fgDiff.Item() == 0 && bgDiff.Item() <= 1e-6;
        }).Check(Quick);
    }

    private static readonly Gen<ViewSet> ViewSets =
        from large in Gen.Choose(6, 12)
        from small in Gen.Choose(3, 6)
        from l in Gen.Choose(1, 3)
        from s in Gen.Choose(0, 2)
        from lv in Chain(Gen.Constant(large)).ArrayOf(l)
        from sv in Chain(Gen.Constant(small)).ArrayOf(s)
        select new ViewSet(lv, sv, "fuzz");

    [Fact]
    public void Json_round_trip_preserves_equality_of_chains_view_sets_and_parameters()
    {
        Prop.ForAll(Arb.From(ViewSets), set =>
        {
            var p = set.Sample(2, 10, 10, 3);
            return ViewSet.FromJson(set.ToJson()).Equals(set)
                && set.LargeViews.All(c => AugmentationChain.FromJson(c.ToJson()).Equals(c))
                && ViewSetParams.FromJson(p.ToJson()).Equals(p);
        }).Check(Quick);
    }

    [Fact]
    public void View_sets_produce_views_of_their_declared_sizes()
    {
        Prop.ForAll(Arb.From(ViewSets), set =>
        {
            using var scope = Torch.NewScope();
            using var g = new Generator(1);
            var x = Torch.Rand([2, 3, 14, 14], g);
            using var views = set.Run(x, 9);
            return views.Large.Count == set.LargeCount && views.Small.Count == set.SmallCount
                && views.Large.All(v => v.Shape.SequenceEqual(new long[] { 2, 3, set.LargeSize, set.LargeSize }) && InUnitRangeAndFinite(v))
                && views.Small.All(v => v.Shape.SequenceEqual(new long[] { 2, 3, set.SmallSize!.Value, set.SmallSize.Value }) && InUnitRangeAndFinite(v));
        }).Check(Quick);
    }
}
