namespace ReLICv2.Experiments;

/// <summary>
/// The per-category breakdown of profiled training steps (<c>relic bench step --profile</c>, docs/benchmarks.md §2.2):
/// every recorded range's self time (its duration less its direct children's) goes to one category — the phase's when
/// it runs inside the views, loss, optimiser or EMA range of the engine, otherwise the operator's kind (convolution,
/// batch norm, matrix products, copies, element-wise); the self time of the forward and backward ranges is the managed
/// code and dispatch between operators, and the wall time outside every range is the step's remaining bookkeeping.
/// The categories add up to the wall time.
/// </summary>
internal static class StepProfile
{
    internal const string Augmentation = "augmentation (views)", Convolution = "convolution", BatchNorm = "batch norm",
        MatrixProducts = "matrix products (linear)", ElementWise = "element-wise and other operators", Copies = "copies and memory",
        Loss = "loss (forward)", Optimiser = "optimiser (LARS)", Ema = "EMA update", AutogradEngine = "autograd engine",
        Managed = "managed code and dispatch", Outside = "outside the phases";

    /// <summary>Every category, in the order the table prints them.</summary>
    internal static IReadOnlyList<string> Categories { get; } =
        [Augmentation, Convolution, BatchNorm, MatrixProducts, ElementWise, Copies, Loss, Optimiser, Ema, AutogradEngine, Managed, Outside];

    private static readonly HashSet<string> Matrix = ["addmm", "mm", "bmm", "baddbmm", "matmul", "linear", "addmv", "mv", "dot"];

    private static readonly HashSet<string> Memory =
    [
        "copy_", "to", "_to_copy", "contiguous", "clone", "cat", "stack", "empty", "empty_like", "empty_strided", "zeros", "zeros_like",
        "ones", "ones_like", "full", "fill_", "zero_", "resize_", "detach", "detach_", "view", "reshape", "_reshape_alias", "narrow", "slice",
        "select", "as_strided", "expand", "t", "transpose", "permute", "unsqueeze", "squeeze", "flatten", "split", "chunk", "unbind",
        "index_select", "alias", "lift_fresh", "_unsafe_view",
    ];

    /// <summary>The category of a range's self time outside the views, loss, optimiser and EMA phases, by its name.</summary>
    internal static string Category(string name)
    {
        if (name.StartsWith("relic::", StringComparison.Ordinal)) return Managed;
        if (name.StartsWith("autograd::engine::", StringComparison.Ordinal)) return AutogradEngine;
        var lower = name.ToLowerInvariant();
        var op = lower.Contains("::", StringComparison.Ordinal) ? lower[(lower.LastIndexOf("::", StringComparison.Ordinal) + 2)..] : lower;
        if (op.Contains("conv", StringComparison.Ordinal)) return Convolution;
        if (op.Contains("batch_norm", StringComparison.Ordinal) || op.Contains("batchnorm", StringComparison.Ordinal)) return BatchNorm;
        var node = op.EndsWith("backward0", StringComparison.Ordinal) ? op[..^"backward0".Length] : op;
        if (Matrix.Contains(op) || Matrix.Contains(node)) return MatrixProducts;
        if (Memory.Contains(op) || Memory.Contains(node)) return Copies;
        return ElementWise;
    }

    /// <summary>The category a phase range (and everything inside it) counts towards, or null for forward and backward.</summary>
    internal static string? PhaseCategory(string name) => name switch
    {
        "relic::views" => Augmentation,
        "relic::loss" => Loss,
        "relic::optimizer" => Optimiser,
        "relic::ema" => Ema,
        _ => null,
    };

    /// <summary>
    /// Microseconds per category (every category present, zeros included) and per operator name (self time) of
    /// <paramref name="ranges"/>, recorded over <paramref name="wallMicroseconds"/> of wall time.
    /// </summary>
    internal static (Dictionary<string, double> Categories, Dictionary<string, double> Operators) Aggregate(IReadOnlyList<ProfiledRange> ranges,
        double wallMicroseconds)
    {
        var categories = Categories.ToDictionary(c => c, _ => 0.0);
        var operators = new Dictionary<string, double>();
        double topLevel = 0;
        foreach (var thread in ranges.GroupBy(r => r.Thread))
        {
            var stack = new List<Open>();
            void Close(Open o)
            {
                var self = o.Range.DurationMicroseconds - o.Children;
                categories[o.Phase ?? Category(o.Range.Name)] += self;
                if (!o.Range.Name.StartsWith("relic::", StringComparison.Ordinal))
                    operators[o.Range.Name] = operators.GetValueOrDefault(o.Range.Name) + self;
            }
            foreach (var r in thread.OrderBy(r => r.StartMicroseconds).ThenByDescending(r => r.EndMicroseconds))
            {
                while (stack.Count > 0 && stack[^1].Range.EndMicroseconds <= r.StartMicroseconds)
                {
                    Close(stack[^1]);
                    stack.RemoveAt(stack.Count - 1);
                }
                var parent = stack.Count > 0 ? stack[^1] : null;
                if (parent is null) topLevel += r.DurationMicroseconds;
                else parent.Children += r.DurationMicroseconds;
                stack.Add(new Open(r, PhaseCategory(r.Name) ?? parent?.Phase));
            }
            for (var i = stack.Count - 1; i >= 0; i--) Close(stack[i]);
        }
        categories[Outside] += Math.Max(0, wallMicroseconds - topLevel);
        return (categories, operators);
    }

    private sealed class Open(ProfiledRange range, string? phase)
    {
        public ProfiledRange Range { get; } = range;
        public string? Phase { get; } = phase;
        public double Children { get; set; }
    }
}
