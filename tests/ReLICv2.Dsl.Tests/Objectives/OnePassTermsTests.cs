using ReLICv2.Experiments;
using ReLICv2.Losses;
using ReLICv2.Objectives;
using Xunit;

namespace ReLICv2.Tests;

/// <summary>
/// The engine's loss evaluates an objective's terms in one pass per view pair: candidates are drawn once per pair and
/// shared by every term, the total is the whole objective's value, and the generator moves on from step to step.
/// </summary>
public class OnePassTermsTests
{
    // ReLIC with sampled negatives plus a Barlow-style redundancy term that samples nothing (the composed objective of the scripts).
    private static PairedObjective Composed() => new(
        Presets.Relic(temperature: 0.2, negatives: Negatives.Sample(3))
        + 0.005 * Expr.OffDiagonalPenalty(Expr.CrossCorrelation(Expr.Standardise(Expr.Online), Expr.StopGradient(Expr.Standardise(Expr.Target)))),
        PairingPolicy.ReLICv2(includeSameView: false));

    private static (Tensor[] Online, Tensor[] Targets) Embeddings()
    {
        using var g = new Generator(17);
        Tensor[] online = [.. Enumerable.Range(0, 3).Select(_ => Torch.Randn([8, 6], g, DType.Float64))];
        Tensor[] targets = [.. Enumerable.Range(0, 2).Select(_ => Torch.Randn([8, 6], g, DType.Float64))];
        return (online, targets);
    }

    [Fact]
    public void Candidates_differ_between_steps_when_the_last_term_samples_nothing()
    {
        using var scope = Torch.NewScope();
        var (online, targets) = Embeddings();
        var loss = PretrainingAdapters.Loss(Composed());
        using var g = new Generator(5);
        var start = g.GetState();
        var first = loss(online, targets, g, null).Total.Item();
        Assert.NotEqual(start, g.GetState());
        var second = loss(online, targets, g, null).Total.Item();
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void The_total_and_the_generator_advance_equal_one_evaluation_of_the_whole_objective()
    {
        using var scope = Torch.NewScope();
        var (online, targets) = Embeddings();
        var objective = Composed();
        using var g = new Generator(9);
        using var h = new Generator(9);
        var value = PretrainingAdapters.Loss(objective)(online, targets, g, null);
        var whole = objective.Pair.Compile().EvaluateViews(online, targets, objective.Pairing, h);
        Assert.Equal(whole.Item(), value.Total.Item(), 1e-12);
        Assert.Equal(h.GetState(), g.GetState());
        // The terms are reported unweighted and add up, with their weights, to the total.
        Assert.Equal(value.Total.Item(), value.Terms["contrastive"].Item() + value.Terms["invariance"].Item() + 0.005 * value.Terms["offdiagonalpenalty"].Item(), 1e-12);
    }
}
