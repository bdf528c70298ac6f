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
    public void Rows_of_the_global_draw_are_the_k_largest_keys_of_those_rows_and_stack_over_ranks_into_the_single_draw()
    {
        using var scope = Torch.NewScope();
        foreach (var (n, k, ranks) in new[] { (1L, 1L, 2), (2L, 1L, 2), (3L, 4L, 2), (4L, 11L, 3), (5L, 3L, 3) })
        {
            var batch = n * ranks;
            // independent reference: the uniform keys of the whole batch, then per row the indices of the k largest, skipping the anchor
            var keys = Torch.Rand([batch, batch - 1], new Generator(21), DType.Float64).ToArray<double>();
            var single = new Generator(21);
            var whole = CandidateSampler.Sample(batch, k, single);
            var after = single.GetState();
            var parts = new List<Tensor>();
            for (var rank = 0; rank < ranks; rank++)
            {
                var g = new Generator(21);
                var rows = CandidateSampler.SampleRows(batch, k, rank * n, n, g);
                Assert.Equal(after, g.GetState());
                Assert.Equal([n, k + 1], rows.Shape);
                var got = rows.ToArray<long>();
                for (var r = 0; r < n; r++)
                {
                    var i = rank * n + r;
                    var expected = Enumerable.Range(0, (int)batch - 1)
                        .OrderByDescending(j => keys[i * (batch - 1) + j])
                        .Take((int)k)
                        .Select(j => j >= i ? j + 1L : j)
                        .Prepend(i);
                    Assert.Equal(expected, got.Skip((int)(r * (k + 1))).Take((int)(k + 1)));
                }
                parts.Add(rows);
            }
            Assert.True(Torch.Cat(parts, 0).Equal(whole), $"n = {n}, k = {k}, R = {ranks}: the ranks' rows stacked differ from the single draw");
        }
    }

    [Fact]
    public void Rows_outside_the_batch_are_rejected_with_the_allowed_range()
    {
        var g = new Generator(1);
        var rows = Assert.Throws<ArgumentOutOfRangeException>(() => CandidateSampler.SampleRows(6, 2, 0, 7, g));
        Assert.Equal("rows", rows.ParamName);
        Assert.Contains("1..6", rows.Message);
        var first = Assert.Throws<ArgumentOutOfRangeException>(() => CandidateSampler.SampleRows(6, 2, 5, 2, g));
        Assert.Equal("firstRow", first.ParamName);
        Assert.Contains("0..4", first.Message);
        Assert.Contains("1..5", Assert.Throws<ArgumentOutOfRangeException>(() => CandidateSampler.SampleRows(6, 6, 0, 3, g)).Message);
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
