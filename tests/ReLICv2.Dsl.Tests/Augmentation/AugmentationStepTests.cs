using ReLICv2.Augmentation;
using ReLICv2.Vision;
using Xunit;

namespace ReLICv2.Tests;

public class AugmentationStepTests
{
    public static TheoryData<Func<object>, string, string> InvalidSteps => new()
    {
        { () => new ResizedCrop(0), "size", "0" },
        { () => new ResizedCrop(32, minArea: 0), "minArea", "0" },
        { () => new ResizedCrop(32, maxArea: 1.5), "maxArea", "1.5" },
        { () => new ResizedCrop(32, minArea: 0.9, maxArea: 0.5), "minArea", "0.9" },
        { () => new ResizedCrop(32, minAspectRatio: 2, maxAspectRatio: 1), "minAspectRatio", "2" },
        { () => new ResizedCrop(32, interpolation: InterpolationMode.Nearest), "interpolation", "Nearest" },
        { () => new HorizontalFlip(-0.1), "p", "-0.1" },
        { () => new ColorJitter(brightness: 1.2), "brightness", "1.2" },
        { () => new ColorJitter(hue: 0.6), "hue", "0.6" },
        { () => new ColorJitter(p: double.NaN), "p", "NaN" },
        { () => new Grayscale(2), "p", "2" },
        { () => new GaussianBlur(minSigma: 0), "minSigma", "0" },
        { () => new GaussianBlur(minSigma: 3, maxSigma: 2), "minSigma", "3" },
        { () => new GaussianBlur(kernelSize: 4), "kernelSize", "4" },
        { () => new Solarize(threshold: 1.5), "threshold", "1.5" },
        { () => new SaliencyMask(minGrey: 0.8, maxGrey: 0.2), "minGrey", "0.8" },
        { () => new SaliencyMask(minForegroundFraction: -1), "minForegroundFraction", "-1" },
    };

    [Theory]
    [MemberData(nameof(InvalidSteps))]
    public void Invalid_fields_are_rejected_with_field_value_and_range(Func<object> make, string field, string value)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(make);
        Assert.Equal(field, ex.ParamName);
        Assert.Contains(field, ex.Message);
        Assert.Contains(value, ex.Message);
        Assert.Matches(@"must be|must have", ex.Message);
    }

    [Fact]
    public void Steps_have_value_equality()
    {
        Assert.Equal(new ColorJitter(0.4, 0.4, 0.2, 0.1, 0.8), new ColorJitter());
        Assert.NotEqual(new ColorJitter(), new ColorJitter(p: 0.7));
        Assert.Equal(new ResizedCrop(96, 0.05, 0.14), new ResizedCrop(96, 0.05, 0.14));
        Assert.NotEqual<AugmentationStep>(new Grayscale(0.2), new HorizontalFlip(0.2));
        Assert.Equal(AugmentationChain.Table16(224, 0.14, 1, true), AugmentationChain.Table16(224, 0.14, 1, true));
        Assert.NotEqual(AugmentationChain.Table16(224, 0.14, 1, true), AugmentationChain.Table16(224, 0.14, 1, false));
        Assert.Equal(AugmentationChain.Table16(224, 0.14, 1, true).GetHashCode(), AugmentationChain.Table16(224, 0.14, 1, true).GetHashCode());
    }

    [Fact]
    public void Steps_and_chains_print_readably()
    {
        Assert.Equal("HorizontalFlip(p=0.5)", new HorizontalFlip().ToString());
        Assert.Equal("ResizedCrop(96px, area [0.05, 0.14], ratio [0.75, 1.33333], Bicubic)", new ResizedCrop(96, 0.05, 0.14).ToString());
        Assert.Equal("Grayscale(p=0.2) → Solarize(threshold=0.5, p=0.2)", AugmentationChain.Of(new Grayscale(), new Solarize()).ToString());
    }

    [Fact]
    public void Chain_json_round_trips_with_a_kind_discriminator()
    {
        var chain = AugmentationChain.Table16(32, 0.14, 1, true, maskProbability: 0.1).Then(new GaussianBlur(kernelSize: 5));
        var json = chain.ToJson();
        Assert.Contains("\"kind\": \"resizedCrop\"", json);
        Assert.Contains("\"interpolation\": \"Bicubic\"", json);
        Assert.DoesNotContain("isGeometric", json);
        Assert.Equal(chain, AugmentationChain.FromJson(json));
    }

    [Fact]
    public void Antialias_of_a_resized_crop_round_trips_through_json_and_defaults_to_false()
    {
        var chain = AugmentationChain.Of(new ResizedCrop(24, 0.2, 1, antialias: true), new HorizontalFlip(0.5));
        var json = chain.ToJson();
        Assert.Contains("\"antialias\": true", json);
        var back = AugmentationChain.FromJson(json);
        Assert.Equal(chain, back);
        Assert.True(((ResizedCrop)back.Steps[0]).Antialias);
        Assert.Equal("ResizedCrop(24px, area [0.2, 1], ratio [0.75, 1.33333], Bicubic, antialias)", back.Steps[0].ToString());
        Assert.NotEqual(chain, AugmentationChain.Of(new ResizedCrop(24, 0.2, 1), new HorizontalFlip(0.5)));
        // JSON written before the option existed reads as point sampling
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!;
        Assert.True(node["steps"]![0]!.AsObject().Remove("antialias"));
        var old = AugmentationChain.FromJson(node.ToJsonString());
        Assert.False(((ResizedCrop)old.Steps[0]).Antialias);
        Assert.Equal(AugmentationChain.Of(new ResizedCrop(24, 0.2, 1), new HorizontalFlip(0.5)), old);
    }

    [Fact]
    public void An_antialiased_crop_and_flip_apply_the_antialiased_kernel_then_the_flip()
    {
        using var scope = Torch.NewScope();
        var chain = AugmentationChain.Of(new ResizedCrop(6, 0.3, 1, interpolation: InterpolationMode.Bilinear, antialias: true), new HorizontalFlip(0.5));
        var x = Torch.Rand([5, 3, 20, 24], new Generator(3));
        var p = chain.Sample(5, 20, 24, 11);
        var boxes = ((ResizedCropParams)p.Steps[0]).Boxes;
        var cropped = ResizedCropKernel.Apply(x, Torch.FromArray(boxes.SelectMany(b => new float[] { b.Top, b.Left, b.Height, b.Width }).ToArray(), 5, 4), 6, 6, antialias: true);
        var expected = HorizontalFlipKernel.Apply(cropped, Torch.FromArray(((FlagParams)p.Steps[1]).Applied.ToArray()));
        using var diff = (chain.Apply(x, p) - expected).Abs().Max();
        Assert.True(diff.Item() <= 1e-6, $"max |difference| {diff.Item()}");
        using var pointSampled = (AugmentationChain.Of(new ResizedCrop(6, 0.3, 1, interpolation: InterpolationMode.Bilinear), new HorizontalFlip(0.5)).Apply(x, p) - expected).Abs().Max();
        Assert.True(pointSampled.Item() > 1e-3);
    }

    [Fact]
    public void Json_with_an_invalid_value_is_rejected_by_the_step_validation()
    {
        var json = AugmentationChain.Of(new Grayscale(0.3)).ToJson().Replace("0.3", "3");
        var ex = Assert.ThrowsAny<ArgumentException>(() => AugmentationChain.FromJson(json));
        Assert.Contains("Grayscale: p must be in [0, 1], got 3", ex.ToString());
    }
}
