using System.Text;
using ReLICv2.Nn;
using ReLICv2.Vision;

namespace ReLICv2.Tests;

/// <summary>
/// A seeded random driver of the managed engine API: thousands of calls of Tensor methods, Torch factories and
/// functional operations, nn modules and the fused vision kernels, with arguments drawn to be wrong as often as right —
/// odd shapes and dimensions, every dtype (and codes outside the enum), CUDA devices on a CPU build, disposed tensors,
/// generators and modules, undefined enum values. A call may succeed or fail, but a failure must be one of the managed
/// exceptions the API documents; anything else is recorded in <see cref="Unexpected"/> with the call that raised it.
/// A call whose arguments are invalid by construction (an undefined enum value) must fail.
/// </summary>
/// <remarks>
/// Sizes are small or absurd, never in between: a kept tensor has at most <see cref="MaxKeptElements"/> elements, and an
/// absurd size (2^50, long.MaxValue) fails at once instead of committing gigabytes of memory.
/// </remarks>
internal sealed class EngineFuzzer : IDisposable
{
    public const long MaxKeptElements = 1024;
    private const int MaxPool = 48;

    private static readonly long[] Sizes = [0, 1, 1, 2, 2, 3, 3, 4, 5];
    private static readonly long[] AbsurdSizes = [-1, -5, 1L << 50, long.MaxValue, long.MinValue];
    private static readonly long[] Dims = [-3, -2, -1, -1, 0, 0, 1, 1, 2, 3, 4, 7];
    private static readonly long[] AbsurdDims = [long.MaxValue, long.MinValue, 1L << 40, int.MaxValue + 1L];
    private static readonly double[] Doubles = [0, -0.0, 1, -1, 2, 2.5, 3, 0.5, 1e30, -1e30, double.NaN, double.PositiveInfinity, double.NegativeInfinity];
    private static readonly long[] Longs = [0, 1, -1, 2, 3, 7, -8, long.MaxValue, long.MinValue];
    private static readonly DType[] DTypes = Enum.GetValues<DType>();
    private static readonly DType[] BadDTypes = [(DType)8, (DType)9, (DType)12, (DType)15, (DType)99, (DType)(-1)];

    private readonly Random random;
    private readonly List<Tensor> pool = [];
    private readonly List<Tensor> dead = [];
    private readonly List<Generator> generators = [];
    private readonly Generator deadGenerator;
    private readonly List<Module> modules = [];
    private readonly List<Module> deadModules = [];
    private readonly List<(string Name, Func<object?> Call)> ops;
    private readonly StringBuilder args = new();
    private bool mustFail;

    public EngineFuzzer(int seed)
    {
        random = new Random(seed);
        for (var i = 0; i < 3; i++) generators.Add(new Generator((ulong)(seed + i)));
        deadGenerator = new Generator(7);
        deadGenerator.Dispose();
        var g = generators[0];
        modules.Add(new Nn.Linear(3, 4, g));
        modules.Add(new Nn.Linear(4, 2, g, bias: false, dtype: DType.Float64));
        modules.Add(new Nn.Conv2d(3, 2, 3, g, padding: 1));
        modules.Add(new Nn.Conv2d(2, 4, 1, g, stride: 2));
        modules.Add(new BatchNorm2d(3));
        modules.Add(new BatchNorm1d(4));
        modules.Add(new Nn.MaxPool2d(2));
        modules.Add(new AdaptiveAvgPool2d(1, 1));
        modules.Add(new Sequential(new Nn.Conv2d(3, 4, 3, g), new BatchNorm2d(4), new ReLU(), new AdaptiveAvgPool2d(), new Flatten(), new Nn.Linear(4, 2, g)));
        var gone = new Nn.Linear(3, 3, g);
        gone.Dispose();
        deadModules.Add(gone);
        Seed();
        ops = Operations();
    }

    /// <summary>Calls made, by outcome.</summary>
    public int Succeeded { get; private set; }

    public int Failed { get; private set; }

    /// <summary>Failures by exception type (the managed exceptions seen).</summary>
    public Dictionary<string, int> FailuresByType { get; } = [];

    /// <summary>When set, sees every call's name and each argument as it is drawn (to find the call that ended a process).</summary>
    public Action<string>? Trace { get; set; }

    /// <summary>Time spent per kind of call (for keeping the run short).</summary>
    public Dictionary<string, TimeSpan> TimeByCall { get; } = [];

    /// <summary>Calls that failed with an exception the API does not document, or succeeded with invalid arguments.</summary>
    public List<string> Unexpected { get; } = [];

    /// <summary>Runs <paramref name="calls"/> random calls (fewer when <paramref name="budget"/> runs out first); returns how many ran.</summary>
    public int Run(int calls, TimeSpan budget)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var done = 0;
        for (; done < calls && clock.Elapsed < budget; done++)
        {
            var (name, call) = ops[random.Next(ops.Count)];
            var started = clock.Elapsed;
            args.Clear();
            mustFail = false;
            Trace?.Invoke($"#{done} {name}");
            using var scope = Torch.NewScope();
            try
            {
                var result = call();
                Keep(result);
                Succeeded++;
                if (mustFail) Unexpected.Add($"{name}({args}) succeeded with an undefined enum value");
            }
            catch (Exception e) when (e is TorchException or ArgumentException or ObjectDisposedException or InvalidOperationException)
            {
                Failed++;
                var type = e.GetType().Name;
                FailuresByType[type] = FailuresByType.GetValueOrDefault(type) + 1;
            }
            catch (Exception e)
            {
                Failed++;
                Unexpected.Add($"{name}({args}): {e.GetType().Name}: {e.Message}");
            }
            Churn();
            TimeByCall[name] = TimeByCall.GetValueOrDefault(name) + (clock.Elapsed - started);
        }
        return done;
    }

    public void Dispose()
    {
        foreach (var t in pool.Concat(dead)) t.Dispose();
        pool.Clear();
        dead.Clear();
        foreach (var m in modules) m.Dispose();
        foreach (var g in generators) g.Dispose();
    }

    // ---- the pool ------------------------------------------------------------------------------------

    private void Seed()
    {
        var g = generators[0];
        Add(Torch.Randn([2, 3], g));
        Add(Torch.Randn([4], g, DType.Float64));
        Add(Torch.FromArray(new long[] { 0, 2, 1 }));
        Add(Torch.FromArray(new long[] { 3, -1, 0, 1 }, 2, 2));
        Add(Torch.FromArray(new byte[] { 0, 255, 7, 1 }, 2, 2));
        Add(Torch.FromArray(new[] { true, false, true }));
        Add(Torch.Ones([2, 2], DType.Float16));
        Add(Torch.Scalar(5, DType.Int32));
        Add(Torch.Zeros([0, 3]));
        Add(Torch.Rand([1, 3, 4, 4], g));
        Add(Torch.Rand([2, 3, 5, 5], g));
        Add(Torch.Rand([2, 3, 4, 4], g).Contiguous(MemoryFormat.ChannelsLast));
        Add(Torch.Randn([3, 4], g).T());
        Add(Torch.Ones([1]).Expand(3, 3));
        Add(Torch.Randn([3], g, requiresGrad: true));
        Add(Torch.Randn([2, 4], g, requiresGrad: true));
        Add(Torch.Full([2, 2], -3, DType.Int8));
        Add(Torch.Full([3], 2, DType.Int16));
        Add(Torch.Rand([4, 4], g));
        Add(Torch.Rand([2, 4], g));
        Add(Torch.FromArray(new long[] { 0, 1, 2, 3, 0, 1, 2, 3 }, 2, 4));
        var corpse = Torch.Ones(2);
        corpse.Dispose();
        dead.Add(corpse);
    }

    private void Add(Tensor t) => pool.Add(t.DetachFromScope());

    private void Keep(object? result)
    {
        switch (result)
        {
            case Tensor t:
                KeepOne(t);
                break;
            case IEnumerable<Tensor?> many:
                foreach (var t in many)
                    if (t is not null)
                        KeepOne(t);
                break;
            case ValuesIndices vi:
                KeepOne(vi.Values);
                KeepOne(vi.Indices);
                break;
            case ComplexTensor z:
                KeepOne(z.Real);
                KeepOne(z.Imag);
                break;
        }
    }

    private void KeepOne(Tensor t)
    {
        if (t.IsDisposed || pool.Any(p => ReferenceEquals(p, t))) return;
        // An empty tensor may have an absurd dimension ([3, 2^50, 4, 0]); libtorch 1.13's multi-threaded kernels (sort,
        // cumsum, max along a dim, …) then run one empty task per index of the other dimensions, 2^52 of them: a hang,
        // which PyTorch shares, not a crash. Such tensors are not kept for later calls.
        if (t.Shape.Any(d => d > 4096)) return;
        if (pool.Count < MaxPool && random.Next(3) == 0 && t.NumEl <= MaxKeptElements) Add(t);
    }

    /// <summary>Now and then a pooled tensor dies (later calls still pass it) and the pool is topped up.</summary>
    private void Churn()
    {
        if (pool.Count > 8 && random.Next(25) == 0)
        {
            var i = random.Next(pool.Count);
            pool[i].Dispose();
            dead.Add(pool[i]);
            pool.RemoveAt(i);
        }
        if (dead.Count > 16) dead.RemoveAt(0);
        if (pool.Count < 12) Seed();
    }

    // ---- argument draws (each writes what it drew into args) ------------------------------------------

    private T Note<T>(T value, string? text = null)
    {
        if (args.Length > 0) args.Append(", ");
        args.Append(text ?? value?.ToString());
        Trace?.Invoke("  " + (text ?? value?.ToString()));
        return value;
    }

    private Tensor T()
    {
        var r = random.Next(100);
        var t = r < 8 && dead.Count > 0 ? dead[random.Next(dead.Count)] : pool[random.Next(pool.Count)];
        return Note(t, t.IsDisposed ? "disposed" : $"[{string.Join("x", t.Shape)}] {t.DType}{(t.RequiresGrad ? " grad" : "")}");
    }

    private Tensor? OptionalT() => random.Next(3) == 0 ? Note<Tensor?>(null, "null") : T();

    private long Size() => Note(random.Next(40) == 0 ? AbsurdSizes[random.Next(AbsurdSizes.Length)] : Sizes[random.Next(Sizes.Length)]);

    private long Dim() => Note(random.Next(40) == 0 ? AbsurdDims[random.Next(AbsurdDims.Length)] : Dims[random.Next(Dims.Length)]);

    private long[] Shape(int maxRank = 4)
    {
        var rank = random.Next(maxRank + 1);
        var s = new long[rank];
        for (var i = 0; i < rank; i++) s[i] = random.Next(40) == 0 ? AbsurdSizes[random.Next(AbsurdSizes.Length)] : Sizes[random.Next(Sizes.Length)];
        return Note(s, $"[{string.Join(", ", s)}]");
    }

    private long[] DimList()
    {
        var n = random.Next(4);
        var d = new long[n];
        for (var i = 0; i < n; i++) d[i] = Dims[random.Next(Dims.Length)];
        return Note(d, $"dims [{string.Join(", ", d)}]");
    }

    private long[] Pair() => Note<long[]>(random.Next(10) switch
    {
        0 => [],
        1 => [Sizes[random.Next(Sizes.Length)]],
        2 => [1, 1, 1],
        3 => [-1, 2],
        _ => [Sizes[random.Next(Sizes.Length)], Sizes[random.Next(Sizes.Length)]],
    }, "pair");

    private double D() => Note(Doubles[random.Next(Doubles.Length)]);

    private long L() => Note(Longs[random.Next(Longs.Length)]);

    private bool B() => Note(random.Next(2) == 0);

    private DType DT()
    {
        if (random.Next(15) != 0) return Note(DTypes[random.Next(DTypes.Length)]);
        mustFail = true;
        return Note(BadDTypes[random.Next(BadDTypes.Length)]);
    }

    private Device? Dev() => Note(random.Next(8) switch { 0 => Device.Cuda(0), 1 => Device.Cuda(3), 2 => (Device?)null, _ => Device.Cpu }, "device");

    private Generator Gen() => Note(random.Next(15) == 0 ? deadGenerator : generators[random.Next(generators.Count)], "generator");

    /// <summary>A value of enum <typeparamref name="TEnum"/>; now and then an undefined one, after which the call must fail.</summary>
    private TEnum E<TEnum>() where TEnum : struct, Enum
    {
        var values = Enum.GetValues<TEnum>();
        if (random.Next(12) != 0) return Note(values[random.Next(values.Length)]);
        mustFail = true;
        return Note((TEnum)(object)(random.Next(2) == 0 ? 17 : -1));
    }

    private Module M() => Note(random.Next(15) == 0 ? deadModules[0] : modules[random.Next(modules.Count)], "module");

    private Tensor[] Several()
    {
        var n = random.Next(4);
        var ts = new Tensor[n];
        for (var i = 0; i < n; i++) ts[i] = T();
        return ts;
    }

    // ---- the calls -----------------------------------------------------------------------------------

    private List<(string, Func<object?>)> Operations() =>
    [
        // arithmetic and comparisons
        ("Add", () => T().Add(T(), D())), ("AddScalar", () => T().Add(D())), ("AddLong", () => T() + L()),
        ("Sub", () => T().Sub(T())), ("SubLong", () => T() - L()), ("Mul", () => T().Mul(T())), ("MulScalar", () => T().Mul(D())),
        ("MulLong", () => T() * L()), ("Div", () => T().Div(T())), ("DivScalar", () => T().Div(D())), ("DivLong", () => T() / L()),
        ("Pow", () => T().Pow(D())), ("PowTensor", () => T().Pow(T())),
        ("Remainder", () => T().Remainder(D())), ("RemainderTensor", () => T().Remainder(T())),
        ("RSub", () => D() - T()), ("RSubLong", () => (int)L() - T()), ("RDiv", () => D() / T()), ("RDivLong", () => (long)L() / T()),
        ("Neg", () => -T()), ("Matmul", () => T().Matmul(T())), ("Mm", () => T().Mm(T())), ("Bmm", () => T().Bmm(T())),
        ("Maximum", () => T().Maximum(T())), ("Minimum", () => T().Minimum(T())), ("Atan2", () => T().Atan2(T())), ("Lerp", () => T().Lerp(T(), D())),
        ("Eq", () => T().Eq(T())), ("Lt", () => T().Lt(D())), ("Ge", () => T().Ge(D())), ("Ne", () => T().Ne(T())),
        ("LogicalAnd", () => T().LogicalAnd(T())), ("LogicalNot", () => T().LogicalNot()), ("IsFinite", () => T().IsFinite()),
        ("AllClose", () => T().AllClose(T())), ("Equal", () => T().Equal(T())),
        // elementwise
        ("Exp", () => T().Exp()), ("Log", () => T().Log()), ("Sqrt", () => T().Sqrt()), ("Rsqrt", () => T().Rsqrt()), ("Abs", () => T().Abs()),
        ("Sign", () => T().Sign()), ("Sigmoid", () => T().Sigmoid()), ("Relu", () => T().Relu()), ("Tanh", () => T().Tanh()),
        ("Floor", () => T().Floor()), ("Round", () => T().Round()), ("Reciprocal", () => T().Reciprocal()), ("Square", () => T().Square()),
        ("Clamp", () => T().Clamp(random.Next(2) == 0 ? D() : null, random.Next(2) == 0 ? D() : null)),
        ("Softmax", () => T().Softmax(Dim())), ("LogSoftmax", () => T().LogSoftmax(Dim())),
        // reductions
        ("Sum", () => T().Sum()), ("SumDims", () => T().Sum(DimList(), B())), ("Mean", () => T().Mean()), ("MeanDims", () => T().Mean(DimList())),
        ("Prod", () => T().Prod(Dim())), ("Var", () => T().Var(DimList(), B())), ("Std", () => T().Std(Dim())), ("MaxAll", () => T().Max()),
        ("MaxDim", () => T().Max(Dim(), B())), ("MinDim", () => T().Min(Dim())), ("Argmax", () => T().Argmax(Dim())), ("Argmin", () => T().Argmin(Dim())),
        ("LogSumExp", () => T().LogSumExp(DimList())), ("Norm", () => T().Norm(D(), random.Next(2) == 0 ? null : DimList())),
        ("TopK", () => T().TopK(Size(), Dim())), ("Sort", () => T().Sort(Dim(), B())), ("CumSum", () => T().CumSum(Dim())),
        ("All", () => T().All()), ("Any", () => T().Any()),
        // in place
        ("Add_", () => { T().Add_(T(), D()); return null; }), ("Add_Scalar", () => { T().Add_(D()); return null; }),
        ("Sub_", () => { T().Sub_(T()); return null; }),
        ("Mul_", () => { T().Mul_(T()); return null; }), ("Mul_Scalar", () => { T().Mul_(D()); return null; }),
        ("Div_", () => { T().Div_(D()); return null; }),
        ("AddCMul_", () => { T().AddCMul_(T(), T(), D()); return null; }), ("AddCDiv_", () => { T().AddCDiv_(T(), T()); return null; }),
        ("Lerp_", () => { T().Lerp_(T(), D()); return null; }), ("Copy_", () => { T().Copy_(T()); return null; }),
        ("Zero_", () => { T().Zero_(); return null; }), ("Fill_", () => { T().Fill_(D()); return null; }),
        ("Fill_Long", () => { var t = T(); t.Copy_(t * 0 + L()); return null; }),
        ("Sqrt_", () => { T().Sqrt_(); return null; }), ("Clamp_", () => { T().Clamp_(D(), D()); return null; }),
        ("Uniform_", () => { T().Uniform_(D(), D(), Gen()); return null; }), ("Normal_", () => { T().Normal_(D(), D(), Gen()); return null; }),
        // shapes and indexing
        ("Reshape", () => T().Reshape(Shape())), ("View", () => T().View(Shape())), ("Permute", () => T().Permute(DimList())),
        ("Transpose", () => T().Transpose(Dim(), Dim())), ("T", () => T().T()), ("Narrow", () => T().Narrow(Dim(), Dim(), Size())),
        ("Slice", () => T().Slice(Dim(), Dim(), Dim(), Dim())), ("Select", () => T().Select(Dim(), Dim())),
        ("IndexSelect", () => T().IndexSelect(Dim(), T())), ("Index", () => T().Index(T())), ("MaskedSelect", () => T().MaskedSelect(T())),
        ("MaskedFill", () => T().MaskedFill(T(), D())), ("Gather", () => T().Gather(Dim(), T())), ("Scatter", () => T().Scatter(Dim(), T(), T())),
        ("ScatterAdd", () => T().ScatterAdd(Dim(), T(), T())), ("Expand", () => T().Expand(Shape())), ("ExpandAs", () => T().ExpandAs(T())),
        ("Repeat", () => T().Repeat(Shape())), ("Flip", () => T().Flip(DimList())), ("Roll", () => T().Roll(DimList(), DimList())),
        ("Squeeze", () => T().Squeeze(random.Next(2) == 0 ? null : Dim())), ("Unsqueeze", () => T().Unsqueeze(Dim())),
        ("Flatten", () => T().Flatten(Dim(), Dim())), ("Tril", () => T().Tril(Dim())), ("Triu", () => T().Triu(Dim())),
        ("Diagonal", () => T().Diagonal(Dim(), Dim(), Dim())), ("DiagEmbed", () => T().DiagEmbed()),
        ("Split", () => T().Split(Size(), Dim())), ("Chunk", () => T().Chunk(Size(), Dim())), ("Size", () => T().Size((int)Dim())),
        // values, conversion, display
        ("Item", () => T().Item()), ("ItemLong", () => T().ItemLong()), ("ToArrayFloat", () => T().ToArray<float>()),
        ("ToArrayLong", () => T().ToArray<long>()), ("ToArrayBool", () => T().ToArray<bool>()),
        ("CopyTo", () => { T().CopyTo<float>(new float[random.Next(5)]); return null; }),
        ("ToDType", () => T().To(DT())), ("ToDevice", () => T().To(Dev() ?? Device.Cpu)), ("Clone", () => T().Clone()), ("Alias", () => T().Alias()),
        ("Contiguous", () => T().Contiguous()), ("ContiguousIn", () => T().Contiguous(E<MemoryFormat>())),
        ("IsContiguousIn", () => T().IsContiguousIn(E<MemoryFormat>())), ("ToString", () => T().ToString()),
        ("Shape", () => T().Shape), ("Device", () => T().Device), ("NumEl", () => T().NumEl),
        // autograd
        ("RequiresGrad", () => { T().RequiresGrad = B(); return null; }), ("Backward", () => { T().Backward(OptionalT(), B()); return null; }),
        ("SumBackward", () => { T().Sum().Backward(); return null; }), ("GetGrad", () => T().Grad), ("SetGrad", () => { T().Grad = OptionalT(); return null; }),
        ("Detach", () => T().Detach()), ("IsLeaf", () => T().IsLeaf),
        ("Grad", () => Torch.Grad(Several(), Several(), random.Next(2) == 0 ? null : Several(), B(), B())),
        ("NoGradAdd", () => { using (Torch.NoGrad()) return T() + T(); }),
        // factories
        ("Zeros", () => Torch.Zeros(Shape(), DT(), Dev(), B())), ("Ones", () => Torch.Ones(Shape(), DT(), Dev())),
        ("Full", () => Torch.Full(Shape(), D(), DT(), Dev(), B())), ("Empty", () => Torch.Empty(Shape(), DT(), Dev())),
        ("Scalar", () => Torch.Scalar(D(), DT(), Dev())),
        ("Arange", () => Torch.Arange(Note(random.Next(3) - 1.0), Note(new[] { 0, 2.5, 5, double.NaN, double.PositiveInfinity }[random.Next(5)]),
            Note(new[] { 1, -1, 0.5, 0, 2, 1e-20 }[random.Next(6)]), DT(), Dev())),
        ("Linspace", () => Torch.Linspace(D(), D(), Size(), DT(), Dev())), ("Eye", () => Torch.Eye(Size(), random.Next(2) == 0 ? null : Size(), DT(), Dev())),
        ("FromSpan", () => Torch.FromSpan<float>(new float[random.Next(7)], Shape(), Dev(), B())),
        ("FromArrayLong", () => Torch.FromArray(new long[random.Next(5)], Shape())),
        ("Rand", () => Torch.Rand(Shape(), Gen(), DT(), Dev(), B())), ("Randn", () => Torch.Randn(Shape(), Gen(), DT(), Dev())),
        ("RandInt", () => Torch.RandInt(L(), L(), Shape(), Gen(), DT(), Dev())), ("RandPerm", () => Torch.RandPerm(Size(), Gen(), Dev())),
        ("Bernoulli", () => Torch.Bernoulli(T(), Gen())), ("Multinomial", () => Torch.Multinomial(T(), Size(), B(), Gen())),
        ("Cat", () => Torch.Cat(Several(), Dim())), ("Stack", () => Torch.Stack(Several(), Dim())), ("Where", () => Torch.Where(T(), T(), T())),
        // functional
        ("Linear", () => Torch.Linear(T(), T(), OptionalT())),
        ("Conv2d", () => Torch.Conv2d(T(), T(), OptionalT(), Pair(), Pair(), Pair(), Size())),
        ("Conv2dSquare", () => Torch.Conv2d(T(), T(), null, Size(), Size(), Size(), Size())),
        ("BatchNorm", () => Torch.BatchNorm(T(), OptionalT(), OptionalT(), OptionalT(), OptionalT(), B(), D(), D())),
        ("MaxPool2d", () => Torch.MaxPool2d(T(), Size(), random.Next(2) == 0 ? null : Size(), Size(), B())),
        ("AvgPool2d", () => Torch.AvgPool2d(T(), Size(), random.Next(2) == 0 ? null : Size(), Size(), B(), B())),
        ("AdaptiveAvgPool2d", () => Torch.AdaptiveAvgPool2d(T(), Size(), Size())),
        ("Interpolate", () => Torch.Interpolate(T(), Size(), Size(), E<InterpolationMode>(), B(), B())),
        ("AffineGrid", () => Torch.AffineGrid(T(), Shape(), B())),
        ("GridSample", () => Torch.GridSample(T(), T(), E<GridSampleMode>(), E<GridPadding>(), B())),
        ("Pad", () => Torch.Pad(T(), Shape(), E<PadMode>(), D())),
        ("CrossEntropy", () => Torch.CrossEntropy(T(), T(), OptionalT(), E<Reduction>(), L(), D())),
        ("NllLoss", () => Torch.NllLoss(T(), T(), OptionalT(), E<Reduction>())), ("KlDiv", () => Torch.KlDiv(T(), T(), E<Reduction>(), B())),
        ("MseLoss", () => Torch.MseLoss(T(), T(), E<Reduction>())), ("Normalize", () => Torch.Normalize(T(), D(), Dim())),
        ("Dropout", () => Torch.Dropout(T(), D(), B(), Gen())), ("OneHot", () => Torch.OneHot(T(), Note(new long[] { 0, 1, 3, 5 }[random.Next(4)]))),
        ("Fft2", () => Fourier.Fft2(T())), ("Ifft2", () => Fourier.Ifft2(new ComplexTensor(T().Alias(), T().Alias()))),
        // modules
        ("Forward", () => M().Forward(T())), ("TrainEval", () => M().Train(B())),
        ("NewLinear", () => { using var m = new Nn.Linear(Size(), Size(), Gen(), B(), DT()); return m.Forward(T()); }),
        ("NewConv2d", () => { using var m = new Nn.Conv2d(Size(), Size(), Size(), Gen(), Size(), Size()); return m.Forward(T()); }),
        ("NewBatchNorm2d", () => { using var m = new BatchNorm2d(Size(), D(), random.Next(2) == 0 ? null : D()); return m.Forward(T()); }),
        ("StateDict", () => { using var state = M().StateDict(); return null; }),
        ("LoadStateDict", () =>
        {
            var m = M();
            var names = m.NamedParameters().Concat(m.NamedBuffers()).Select(p => p.Name).ToList();
            return m.LoadStateDict(names.ToDictionary(n => n, _ => T()), B());
        }),
        ("ToMemoryFormat", () => M().To(E<MemoryFormat>())),
        ("GeneratorState", () => { Gen().SetState(Note(new byte[random.Next(2) == 0 ? 5056 : random.Next(64)], "state bytes")); return null; }),
        ("GeneratorRoundTrip", () => { var g = Gen(); g.SetState(g.GetState()); return null; }),
        ("DeepCopy", () => { using var copy = M().DeepCopy(); return copy.Forward(T()); }),
        // fused vision kernels (managed checks first) and the shim's own checks behind them
        ("ColorJitter", () => ColorJitterKernel.Apply(T(), T(), T(), OptionalT(), OptionalT(), OptionalT(), OptionalT(), B())),
        ("ColorJitter_", () => { ColorJitterKernel.Apply_(T(), T(), T(), OptionalT(), OptionalT(), OptionalT(), OptionalT()); return null; }),
        ("Hue", () => ColorJitterKernel.Hue(T(), T(), B())),
        ("GaussianBlur", () => GaussianBlurKernel.Apply(T(), (int)Size(), T(), OptionalT(), B())),
        ("GaussianBlur_", () => { GaussianBlurKernel.Apply_(T(), (int)Size(), T(), OptionalT()); return null; }),
        ("Grayscale", () => GrayscaleKernel.Apply(T(), T(), B())), ("Solarize_", () => { SolarizeKernel.Apply_(T(), D(), T()); return null; }),
        ("HorizontalFlip", () => HorizontalFlipKernel.Apply(T(), T())),
        ("ResizedCrop", () => ResizedCropKernel.Apply(T(), T(), Size(), Size(), E<InterpolationMode>(), OptionalT(), B())),
        ("NativeColorJitter", () => NativeResult(Native.rs_vision_color_jitter(T().H, T().H, T().H, T().H, L(), random.Next(2), out var r), r)),
        ("NativeResizedCrop", () => NativeResult(Native.rs_vision_resized_crop(T().H, T().H, Size(), Size(), L(), OptionalT()?.H ?? TensorHandle.Null, out var r), r)),
        ("NativeBlur", () => NativeResult(Native.rs_vision_gaussian_blur(T().H, T().H, T().H, random.Next(2), out var r), r)),
        ("NativeSolarize", () => NativeResult(Native.rs_vision_solarize(T().H, D(), T().H, random.Next(2), out var r), r)),
        ("NativeGrayscale", () => NativeResult(Native.rs_vision_grayscale(T().H, T().H, random.Next(2), out var r), r)),
        ("NativeHue", () => NativeResult(Native.rs_vision_adjust_hue(T().H, T().H, out var r), r)),
    ];

    private static Tensor NativeResult(int status, TensorHandle result) => Tensor.Wrap(status, result);
}
