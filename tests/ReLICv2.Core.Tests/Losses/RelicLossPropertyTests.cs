using FsCheck;
using FsCheck.Fluent;
using ReLICv2.Losses;
using Xunit;
using ReLICv2.Tests.References;

namespace ReLICv2.Tests;

/// <summary>The invariants of docs/method.md §9.1 for the ReLIC pair loss, as FsCheck properties on generated float64 embeddings.</summary>
public class RelicLossPropertyTests
{
    private const double Tolerance = 1e-9;

    private static bool Close(double a, double b, double tolerance = Tolerance) => Math.Abs(a - b) <= tolerance * Math.Max(1, Math.Abs(a));

    private static RelicLossTerms Loss(RelicCase c, Tensor o, Tensor t, Tensor? candidates, KlHandling? kl = null, double? alpha = null) =>
        RelicLoss.Compute(o, t, c.Beta, alpha ?? c.Alpha, c.Temperature, kl ?? c.Kl, candidates);

    private static void Check(Func<RelicCase, bool> law) =>
        Prop.ForAll(RelicCase.Arbitrary, c => Torch.ScopedValue(() => law(c))).Check(RelicCase.Config);

    [Fact]
    public void Joint_permutation_of_the_batch_leaves_the_loss_unchanged() => Check(c =>
    {
        var (o, t, cand) = (c.Online(), c.Target(), c.Candidates());
        var perm = Torch.RandPerm(c.N, new Generator((ulong)c.Seed + 3));
        var inverse = perm.Sort(0).Indices;
        // row r of the permuted batch is old row perm[r]; its candidates are the old candidates of perm[r], renumbered
        var permutedCandidates = cand is null ? null : inverse.Index(cand.IndexSelect(0, perm));
        var before = Loss(c, o, t, cand);
        var after = Loss(c, o.IndexSelect(0, perm), t.IndexSelect(0, perm), permutedCandidates);
        return Close(before.Total.Item(), after.Total.Item()) && Close(before.Invariance.Item(), after.Invariance.Item());
    });

    [Fact]
    public void Rescaling_rows_by_positive_factors_leaves_the_loss_unchanged() => Check(c =>
    {
        var (o, t, cand) = (c.Online(), c.Target(), c.Candidates());
        var g = new Generator((ulong)c.Seed + 4);
        var so = Torch.Rand([c.N, 1], g, DType.Float64) * 10 + 0.01;
        var st = Torch.Rand([c.N, 1], g, DType.Float64) * 10 + 0.01;
        return Close(Loss(c, o, t, cand).Total.Item(), Loss(c, o * so, t * st, cand).Total.Item());
    });

    [Fact]
    public void Adding_a_constant_to_all_logits_leaves_CE_and_KL_unchanged() => Check(c =>
    {
        var g = new Generator((ulong)c.Seed);
        var lat = Torch.Randn([c.N, c.N], g, DType.Float64) / c.Temperature;
        var lta = Torch.Randn([c.N, c.N], g, DType.Float64) / c.Temperature;
        var shift = (c.Seed % 200) - 100.5;
        var a = RelicLoss.FromLogits(lat, lta, c.Beta, c.Alpha, c.Kl);
        var b = RelicLoss.FromLogits(lat + shift, lta + shift, c.Beta, c.Alpha, c.Kl);
        return Close(a.Contrastive.Item(), b.Contrastive.Item()) && Close(a.Invariance.Item(), b.Invariance.Item());
    });

    [Fact]
    public void Kl_is_non_negative() => Check(c => Loss(c, c.Online(), c.Target(), c.Candidates()).Invariance.Item() >= -1e-12);

    [Fact]
    public void Kl_is_zero_for_identical_branches() => Check(c =>
    {
        var o = c.Online();
        return Math.Abs(Loss(c, o, o.Clone(), c.Candidates()).Invariance.Item()) <= 1e-12;
    });

    [Fact]
    public void Symmetric_kl_is_invariant_to_swapping_the_branches() => Check(c =>
    {
        var (o, t, cand) = (c.Online(), c.Target(), c.Candidates());
        return Close(Loss(c, o, t, cand, KlHandling.Symmetric).Invariance.Item(), Loss(c, t, o, cand, KlHandling.Symmetric).Invariance.Item());
    });

    [Fact]
    public void Forward_kl_with_swapped_branches_equals_reverse_kl() => Check(c =>
    {
        var (o, t, cand) = (c.Online(), c.Target(), c.Candidates());
        return Close(Loss(c, t, o, cand, KlHandling.Forward).Invariance.Item(), Loss(c, o, t, cand, KlHandling.Reverse).Invariance.Item())
            && Close(Loss(c, t, o, cand, KlHandling.NoStopGradient).Invariance.Item(), Loss(c, o, t, cand, KlHandling.ReverseNoStopGradient).Invariance.Item());
    });

    [Fact]
    public void Loss_is_linear_in_alpha_with_slope_kl() => Check(c =>
    {
        var (o, t, cand) = (c.Online(), c.Target(), c.Candidates());
        var withAlpha = Loss(c, o, t, cand);
        var withoutAlpha = Loss(c, o, t, cand, alpha: 0);
        return Close(withAlpha.Total.Item() - withoutAlpha.Total.Item(), c.Alpha * withAlpha.Invariance.Item());
    });

    [Fact]
    public void Collapsed_embeddings_give_log_of_the_candidate_count_and_zero_kl() => Check(c =>
    {
        var row = Torch.Randn([1, c.D], new Generator((ulong)c.Seed), DType.Float64);
        var collapsed = row.Expand(c.N, c.D).Contiguous();
        var terms = Loss(c, collapsed, collapsed * 3.0, c.Candidates());
        return Close(terms.Contrastive.Item(), Math.Log(c.CandidateCount)) && Math.Abs(terms.Invariance.Item()) <= 1e-12;
    });

    [Fact]
    public void NtXent_of_a_collapsed_batch_is_log_of_2N_minus_1() => Check(c =>
    {
        var row = Torch.Randn([1, c.D], new Generator((ulong)c.Seed), DType.Float64);
        var collapsed = row.Expand(c.N, c.D).Contiguous();
        return Close(NtXentLoss.Compute(collapsed, collapsed * 2.0, c.Temperature).Item(), Math.Log(2 * c.N - 1));
    });

    [Fact]
    public void Sampling_all_n_minus_1_negatives_equals_the_full_batch_loss() => Check(c =>
    {
        var (o, t) = (c.Online(), c.Target());
        var all = CandidateSampler.Sample(c.N, c.N - 1, new Generator((ulong)c.Seed));
        return Close(Loss(c, o, t, null).Total.Item(), Loss(c, o, t, all).Total.Item());
    });
}
