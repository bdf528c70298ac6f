using ReLICv2.Losses;
using Xunit;

namespace ReLICv2.Tests;

public class CandidateSamplerTests
{
    [Fact]
    public void Candidate_sets_start_with_the_anchor_and_hold_k_distinct_negatives_never_the_anchor()
    {
        using var scope = Torch.NewScope();
        var g = new Generator(5);
        foreach (var (n, k) in new[] { (2L, 1L), (5L, 2L), (7L, 6L), (9L, 4L) })
        {
            var idx = CandidateSampler.Sample(n, k, g).ToArray<long>();
            Assert.Equal(n * (k + 1), idx.Length);
            for (var i = 0; i < n; i++)
            {
                var row = idx.Skip((int)(i * (k + 1))).Take((int)(k + 1)).ToArray();
                Assert.Equal(i, row[0]);
                Assert.DoesNotContain(i, row.Skip(1));
                Assert.Equal(k, row.Skip(1).Distinct().Count());
                Assert.All(row, j => Assert.InRange(j, 0, n - 1));
            }
        }
    }

    [Fact]
    public void Negatives_are_uniform_over_the_other_batch_elements()
    {
        using var scope = Torch.NewScope();
        const int n = 6, k = 2, draws = 3000;
        var g = new Generator(9);
        var counts = new int[n];
        for (var d = 0; d < draws; d++)
        {
            using var idx = CandidateSampler.Sample(n, k, g);
            foreach (var j in idx.Select(0, 0).Narrow(0, 1, k).ToArray<long>()) counts[j]++;
        }
        Assert.Equal(0, counts[0]);
        var expected = draws * k / (double)(n - 1);   // 1200 per other index
        var chi2 = counts.Skip(1).Sum(c => (c - expected) * (c - expected) / expected);
        Assert.True(chi2 < 18.5, $"χ² = {chi2} over 4 degrees of freedom (p < 0.001 bound 18.47); counts {string.Join(",", counts)}");
    }

    [Fact]
    public void The_same_seed_gives_the_same_candidates()
    {
        using var scope = Torch.NewScope();
        Assert.True(CandidateSampler.Sample(8, 3, new Generator(4)).Equal(CandidateSampler.Sample(8, 3, new Generator(4))));
    }

    [Fact]
    public void Invalid_counts_are_rejected_with_the_allowed_range()
    {
        var g = new Generator(1);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => CandidateSampler.Sample(4, 4, g));
        Assert.Contains("1..3", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => CandidateSampler.Sample(1, 1, g));
        Assert.Throws<ArgumentOutOfRangeException>(() => Negatives.Sample(0));
    }
}
