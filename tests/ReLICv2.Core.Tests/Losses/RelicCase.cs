using FsCheck;
using FsCheck.Fluent;
using ReLICv2.Losses;

namespace ReLICv2.Tests;

/// <summary>A generated ReLIC loss case: batch N, dimension D, temperature, α, β, KL handling, negatives k (null = all), tensor seed.</summary>
public sealed record RelicCase(int N, int D, double Temperature, double Alpha, double Beta, KlHandling Kl, int? K, int Seed)
{
    public static Arbitrary<RelicCase> Arbitrary { get; } =
        (from n in Gen.Choose(2, 7)
         from d in Gen.Choose(2, 5)
         from tau in Gen.Elements(0.05, 0.1, 0.2, 0.5, 1.0)
         from alpha in Gen.Elements(0.0, 0.3, 1.0, 2.5)
         from beta in Gen.Elements(0.5, 1.0, 1.7)
         from kl in Gen.Elements(Enum.GetValues<KlHandling>())
         from k in Gen.Choose(0, n - 1)
         from seed in Gen.Choose(0, 1_000_000)
         select new RelicCase(n, d, tau, alpha, beta, kl, k == 0 ? null : k, seed)).ToArbitrary();

    public Tensor Online() => Torch.Randn([N, D], new Generator((ulong)Seed), DType.Float64);

    public Tensor Target() => Torch.Randn([N, D], new Generator((ulong)Seed + 1), DType.Float64);

    public Tensor? Candidates() => K is { } k ? CandidateSampler.Sample(N, k, new Generator((ulong)Seed + 2)) : null;

    public long CandidateCount => K is { } k ? k + 1 : N;

    public static Config Config => Config.QuickThrowOnFailure.WithMaxTest(100).WithQuietOnSuccess(true);
}
