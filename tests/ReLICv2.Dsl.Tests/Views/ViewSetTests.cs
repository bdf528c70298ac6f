using ReLICv2.Augmentation;
using ReLICv2.Views;
using Xunit;

namespace ReLICv2.Tests;

public class ViewSetTests
{
    private static Tensor Sources(int n, int c, int size, ulong seed = 3)
    {
        using var g = new Generator(seed);
        using var f = Torch.Rand([n, c, size, size], g);
        return (f * 255.0).Floor().To(DType.UInt8);
    }

    private static (double Blur, double Solarize) Column(AugmentationChain chain) =>
        (chain.Steps.OfType<GaussianBlur>().Single().P, chain.Steps.OfType<Solarize>().Single().P);

    [Fact]
    public void ReLICv2_preset_follows_table_16_with_alternating_columns()
    {
        var set = ViewSet.ReLICv2();
        Assert.Equal((4, 2, 224, (int?)96), (set.LargeCount, set.SmallCount, set.LargeSize, set.SmallSize));
        Assert.Equal((0.1, 0.2), Column(set.LargeViews[0]));
        Assert.Equal((1.0, 0.0), Column(set.LargeViews[1]));
        Assert.Equal((0.1, 0.2), Column(set.LargeViews[2]));
        Assert.Equal((1.0, 0.0), Column(set.LargeViews[3]));
        Assert.Equal((0.1, 0.2), Column(set.SmallViews[0]));
        Assert.Equal((1.0, 0.0), Column(set.SmallViews[1]));
        var largeCrop = set.LargeViews[0].Steps.OfType<ResizedCrop>().Single();
        var smallCrop = set.SmallViews[0].Steps.OfType<ResizedCrop>().Single();
        Assert.Equal((0.14, 1.0), (largeCrop.MinArea, largeCrop.MaxArea));
        Assert.Equal((0.05, 0.14), (smallCrop.MinArea, smallCrop.MaxArea));
        Assert.Equal(new ColorJitter(0.4, 0.4, 0.2, 0.1, 0.8), set.LargeViews[1].Steps.OfType<ColorJitter>().Single());
        Assert.Equal(23, set.LargeViews[0].Steps.OfType<GaussianBlur>().Single().KernelSizeFor(224));
        Assert.Contains("ReLICv2 [4x224, 2x96]: L = 4 x 224px, S = 2 x 96px", set.ToString());
    }

    [Fact]
    public void Two_view_presets_have_two_large_views_and_no_small_ones()
    {
        Assert.Equal((2, 0, 224), (ViewSet.Byol().LargeCount, ViewSet.Byol().SmallCount, ViewSet.Byol().LargeSize));
        Assert.Equal(new ColorJitter(0.8, 0.8, 0.8, 0.2, 0.8), ViewSet.SimClr(32).LargeViews[0].Steps.OfType<ColorJitter>().Single());
        Assert.NotEqual(ViewSet.Byol().LargeViews[0], ViewSet.Byol().LargeViews[1]);
    }

    [Fact]
    public void Invalid_view_sets_are_rejected_naming_the_field()
    {
        var large = AugmentationChain.Table16(32, 0.14, 1, true);
        var other = AugmentationChain.Table16(24, 0.14, 1, true);
        Assert.Equal("largeViews", Assert.Throws<ArgumentOutOfRangeException>(() => new ViewSet([], [])).ParamName);
        Assert.Contains("same size", Assert.Throws<ArgumentException>(() => new ViewSet([large, other], [])).Message);
        var maskedSmall = AugmentationChain.Table16(16, 0.05, 0.14, true, maskProbability: 0.1);
        Assert.Contains("large views only", Assert.Throws<ArgumentException>(() => new ViewSet([large], [maskedSmall])).Message);
        var bigBlur = AugmentationChain.Of(new ResizedCrop(8), new GaussianBlur(kernelSize: 17));
        Assert.Contains("kernel 17", Assert.Throws<ArgumentException>(() => new ViewSet([bigBlur], [])).Message);
        Assert.Contains("no ResizedCrop", Assert.Throws<ArgumentException>(() => new ViewSet([AugmentationChain.Of(new Grayscale())], [])).Message);
    }

    [Fact]
    public void Cifar_sized_views_have_the_declared_shapes_and_range()
    {
        using var scope = Torch.NewScope();
        var set = ViewSet.ReLICv2Cifar();
        using var views = set.Run(Sources(5, 3, 40), 17);
        Assert.Equal(4, views.Large.Count);
        Assert.Equal(2, views.Small.Count);
        Assert.All(views.Large, v => Assert.Equal([5L, 3, 32, 32], v.Shape));
        Assert.All(views.Small, v => Assert.Equal([5L, 3, 16, 16], v.Shape));
        Assert.Equal([20L, 3, 32, 32], views.LargeStacked().Shape);
        Assert.Equal([10L, 3, 16, 16], views.SmallStacked().Shape);
        foreach (var v in views.All)
        {
            Assert.True(v.IsFinite().All().Item() != 0);
            Assert.InRange(v.Min().Item(), 0.0, 1.0);
            Assert.InRange(v.Max().Item(), 0.0, 1.0);
        }
    }

    [Fact]
    public void Fashion_mnist_views_work_on_one_channel_images()
    {
        using var scope = Torch.NewScope();
        using var views = ViewSet.ReLICv2FashionMnist().Run(Sources(4, 1, 28), 2);
        Assert.All(views.Large, v => Assert.Equal([4L, 1, 28, 28], v.Shape));
        Assert.All(views.Small, v => Assert.Equal([4L, 1, 12, 12], v.Shape));
    }

    [Fact]
    public void Fashion_mnist_view_sets_have_the_asked_counts_and_mild_large_views()
    {
        using var scope = Torch.NewScope();
        using var views = ViewSet.ReLICv2FashionMnist(largeCount: 2, smallCount: 0).Run(Sources(3, 1, 28), 4);
        Assert.Equal(2, views.Large.Count);
        Assert.Empty(views.Small);
        var set = ViewSet.ReLICv2FashionMnist();
        Assert.Equal((4, 2), (set.LargeViews.Count, set.SmallViews.Count));
        Assert.All(set.LargeViews, v => Assert.DoesNotContain(v.Steps, s => s is GaussianBlur or Solarize));
        Assert.All(set.LargeViews, v => Assert.Equal(0.3, Assert.IsType<ResizedCrop>(v.Steps[0]).MinArea));
        Assert.All(set.SmallViews, v => Assert.Contains(v.Steps, s => s is GaussianBlur));
        Assert.All(set.SmallViews, v => Assert.Equal((0.14, 0.5), (Assert.IsType<ResizedCrop>(v.Steps[0]).MinArea, ((ResizedCrop)v.Steps[0]).MaxArea)));
        var table16 = ViewSet.ReLICv2FashionMnist(smallMinArea: 0.05, smallMaxArea: 0.14);
        Assert.All(table16.SmallViews, v => Assert.Equal((0.05, 0.14), (((ResizedCrop)v.Steps[0]).MinArea, ((ResizedCrop)v.Steps[0]).MaxArea)));
        var unordered = Assert.Throws<ArgumentOutOfRangeException>(() => ViewSet.ReLICv2FashionMnist(smallMinArea: 0.6, smallMaxArea: 0.5));
        Assert.Contains("smallMinArea (0.6) must be <= smallMaxArea (0.5)", unordered.Message);
        Assert.Contains("smallMinArea must be in (0, 1], got 0", Assert.Throws<ArgumentOutOfRangeException>(() => ViewSet.ReLICv2FashionMnist(smallMinArea: 0)).Message);
        Assert.Contains("largeCount", Assert.Throws<ArgumentOutOfRangeException>(() => ViewSet.ReLICv2FashionMnist(largeCount: 0)).Message);
        Assert.Contains("smallCount", Assert.Throws<ArgumentOutOfRangeException>(() => ViewSet.ReLICv2FashionMnist(smallCount: -1)).Message);
        Assert.True(ViewSet.ReLICv2FashionMnist(maskProbability: 0.5).NeedsMasks);
    }

    [Fact]
    public void Same_seed_gives_the_same_views_and_different_views_differ()
    {
        using var scope = Torch.NewScope();
        var set = ViewSet.ReLICv2Cifar();
        var x = Sources(3, 3, 36);
        using var a = set.Run(x, 5);
        using var b = set.Run(x, 5);
        for (var i = 0; i < 6; i++) Assert.True(a.All[i].Equal(b.All[i]));
        Assert.False(a.Large[0].Equal(a.Large[1]));
        Assert.Equal(set.Sample(3, 36, 36, 5), set.Sample(3, 36, 36, 5));
    }

    [Fact]
    public void Saliency_masking_is_drawn_independently_per_large_view()
    {
        var set = ViewSet.ReLICv2Cifar(maskProbability: 0.5);
        Assert.True(set.NeedsMasks);
        var p = set.Sample(24, 40, 40, 8);
        var flags = p.Large.Select(c => string.Join("", c.Steps.OfType<SaliencyMaskParams>().Single().Applied.Select(f => f ? '1' : '0'))).ToArray();
        Assert.Equal(4, flags.Distinct().Count());
        Assert.All(p.Small, c => Assert.Empty(c.Steps.OfType<SaliencyMaskParams>()));
        using var scope = Torch.NewScope();
        Assert.Equal("masks", Assert.Throws<ArgumentException>(() => set.Apply(Sources(24, 3, 40), p)).ParamName);
        using var views = set.Apply(Sources(24, 3, 40), p, Torch.Ones(24, 1, 40, 40));
        Assert.Equal(4, views.Large.Count);
    }

    [Fact]
    public void View_sets_and_their_parameters_round_trip_through_json()
    {
        var set = ViewSet.ReLICv2(largeCount: 2, smallCount: 1, largeSize: 32, smallSize: 16, maskProbability: 0.1);
        Assert.Equal(set, ViewSet.FromJson(set.ToJson()));
        var p = set.Sample(2, 40, 40, 1);
        Assert.Equal(p, ViewSetParams.FromJson(p.ToJson()));
        Assert.DoesNotContain("largeCount", set.ToJson());
    }

    [Fact]
    public void Building_views_leaves_no_intermediate_tensor_alive()
    {
        using var scope = Torch.NewScope();
        var set = ViewSet.ReLICv2Cifar(maskProbability: 0.5);
        var sources = Sources(6, 3, 36);
        var masks = Torch.Ones(6, 1, 36, 36);
        var before = scope.Count;
        var views = set.Run(sources, 21, masks);
        Assert.Equal(before + 6, scope.Count);
        views.Dispose();
        Assert.Equal(before, scope.Count);
    }
}
