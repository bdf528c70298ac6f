using ReLICv2.Objectives;

namespace ReLICv2.Tests;

/// <summary>
/// User-defined primitives of the objective language as a test author (not the library) defines them, registered once
/// per process: the uniformity loss of Wang &amp; Isola (2020), a row-wise squashing of embeddings, and a two-input
/// squared distance in every stop-gradient variant (and once more, counting its calls).
/// </summary>
public static class TestPrimitives
{
    private static int countedCalls;

    /// <summary>log mean_{i≠j} exp(−t‖zᵢ − zⱼ‖²): needs the whole batch.</summary>
    public static Primitive Uniformity { get; } = PrimitiveRegistry.Register(new Primitive("test.uniformity", typeof(Scalar), [typeof(Embeddings)],
        (x, p) => UniformityOf(x[0], p[0]), parameters: ["t"], locality: PrimitiveLocality.WholeBatch));

    /// <summary>tanh(a·x) per element: row-wise, safe under data parallelism; printed <c>tanh(a·x)</c>.</summary>
    public static Primitive Squash { get; } = PrimitiveRegistry.Register(new Primitive("test.squash", typeof(Embeddings), [typeof(Embeddings)],
        (x, p) => (x[0] * p[0]).Tanh(), parameters: ["a"], locality: PrimitiveLocality.RowWise,
        format: (x, p) => $"tanh({p[0].ToString(System.Globalization.CultureInfo.InvariantCulture)}·{x[0]})"));

    /// <summary>
    /// mean_i ‖aᵢ − bᵢ‖² with the stopped inputs detached, for every subset of {0, 1}; row-wise by nature but
    /// declared <see cref="PrimitiveLocality.Unknown"/>. Index = bit mask of the stopped inputs.
    /// </summary>
    public static IReadOnlyList<Primitive> Distance { get; } =
    [
        .. Enumerable.Range(0, 4).Select(mask => PrimitiveRegistry.Register(new Primitive($"test.distance{mask}", typeof(Scalar), [typeof(Embeddings), typeof(Embeddings)],
            (x, _) => (x[0] - x[1]).Square().Sum(1).Mean(),
            stopGradient: [.. new[] { 0, 1 }.Where(i => (mask & (1 << i)) != 0)]))),
    ];

    /// <summary>mean_i ‖aᵢ − bᵢ‖² that counts its forward computations (<see cref="CountedCalls"/>); used by one test only.</summary>
    public static Primitive Counted { get; } = PrimitiveRegistry.Register(new Primitive("test.counted", typeof(Scalar), [typeof(Embeddings), typeof(Embeddings)],
        (x, _) =>
        {
            Interlocked.Increment(ref countedCalls);
            return (x[0] - x[1]).Square().Sum(1).Mean();
        }));

    /// <summary>How many times the <see cref="Counted"/> forward computation has run in this process.</summary>
    public static int CountedCalls => Volatile.Read(ref countedCalls);

    private static Tensor UniformityOf(Tensor z, double t)
    {
        var n = z.Size(0);
        var squared = (z.Unsqueeze(1) - z.Unsqueeze(0)).Square().Sum(-1);
        var pairs = squared.MaskedSelect(Torch.Eye(n, null, DType.Bool, z.Device).LogicalNot());
        return (pairs * -t).LogSumExp(0) - Math.Log(n * (n - 1.0));
    }
}
