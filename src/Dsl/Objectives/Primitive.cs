using System.Globalization;
using System.Text.RegularExpressions;

namespace ReLICv2.Objectives;

/// <summary>
/// A primitive of the objective language defined by the user rather than by this library: its name, the kinds of its
/// inputs and of its value, named real parameters, its forward computation on tensors, which inputs it stops the
/// gradient of, what it reads of the batch (<see cref="PrimitiveLocality"/>) and how it prints. Applications
/// (<see cref="Apply(IReadOnlyList{ExprNode}, IReadOnlyList{double})"/>, <see cref="Apply{T}"/>) compose with the
/// built-in nodes of <see cref="Expr"/> and the <see cref="Objective"/> operators; the formula printer, the gradient
/// flow, <see cref="CompiledObjective"/> (shared sub-expressions, one-pass terms, data-parallel refusal) and, once
/// registered in <see cref="PrimitiveRegistry"/>, <see cref="ObjectiveJson"/> all handle them. Example — the uniformity
/// loss of Wang &amp; Isola (2020), log mean_{i≠j} exp(−t‖zᵢ − zⱼ‖²):
/// <code>
///   static Tensor Uniformity(Tensor z, double t)
///   {
///       var n = z.Size(0);
///       var squared = (z.Unsqueeze(1) - z.Unsqueeze(0)).Square().Sum(-1);                  // ‖zᵢ − zⱼ‖², [N, N]
///       var pairs = squared.MaskedSelect(Torch.Eye(n, dtype: DType.Bool, device: z.Device).LogicalNot());
///       return (pairs * -t).LogSumExp(0) - Math.Log(n * (n - 1.0));
///   }
///   var uniformity = PrimitiveRegistry.Register(new Primitive("uniformity", typeof(Scalar), [typeof(Embeddings)],
///       (x, p) => Uniformity(x[0], p[0]), parameters: ["t"], locality: PrimitiveLocality.WholeBatch));
///   Objective loss = Presets.Relic() + 0.1 * uniformity.Apply([Expr.Normalize(Expr.Online)], [2.0]);
/// </code>
/// Inputs of kind <see cref="Distribution"/> reach <see cref="Forward"/> as row log-probabilities, as the compiler
/// carries them. Primitives are deterministic (they draw no random numbers) and equal only to themselves.
/// </summary>
public sealed partial class Primitive
{
    private static readonly Type[] InputKindsAllowed = [typeof(Embeddings), typeof(Logits), typeof(Distribution), typeof(Correlation), typeof(Scalar)];
    private static readonly Type[] ResultKindsAllowed = [typeof(Embeddings), typeof(Correlation), typeof(Scalar)];

    private readonly Func<IReadOnlyList<Tensor>, IReadOnlyList<double>, Tensor> forward;
    private readonly Func<IReadOnlyList<string>, IReadOnlyList<double>, string>? format;

    /// <summary>Defines a primitive (register it with <see cref="PrimitiveRegistry.Register"/> to read it back from JSON).</summary>
    /// <param name="name">The name used in formulas and JSON: a letter, then letters, digits, '_', '-' or '.'.</param>
    /// <param name="result">The kind of its value: <see cref="Scalar"/> (a loss term, applied with <see cref="Apply(IReadOnlyList{ExprNode}, IReadOnlyList{double})"/>), <see cref="Embeddings"/> or <see cref="Correlation"/>.</param>
    /// <param name="inputs">The kinds of its inputs, in order (<see cref="Embeddings"/>, <see cref="Logits"/>, <see cref="Distribution"/>, <see cref="Correlation"/> or <see cref="Scalar"/>).</param>
    /// <param name="forward">Its value from its evaluated input tensors (in order, the stop-gradient ones detached) and its parameters.</param>
    /// <param name="parameters">The names of its real parameters, in order (none by default).</param>
    /// <param name="stopGradient">Indices of the inputs that receive no gradient through it (evaluated detached, like sg[·]).</param>
    /// <param name="locality">What it reads of the batch; <see cref="PrimitiveLocality.Unknown"/> (the default) refuses data parallelism.</param>
    /// <param name="format">Its formula from its inputs' formulas and its parameters; by default <c>name(x, y; p=v)</c>.</param>
    /// <exception cref="ArgumentException">An invalid name, kind or stop-gradient index; the message names the field, the value and what is allowed.</exception>
    public Primitive(string name, Type result, IReadOnlyList<Type> inputs, Func<IReadOnlyList<Tensor>, IReadOnlyList<double>, Tensor> forward,
        IReadOnlyList<string>? parameters = null, IReadOnlyList<int>? stopGradient = null, PrimitiveLocality locality = PrimitiveLocality.Unknown,
        Func<IReadOnlyList<string>, IReadOnlyList<double>, string>? format = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(inputs);
        if (!NamePattern().IsMatch(name))
            throw new ArgumentException($"Primitive: name '{name}' is not allowed; use a letter followed by letters, digits, '_', '-' or '.'.", nameof(name));
        if (!ResultKindsAllowed.Contains(result))
            throw new ArgumentException($"Primitive '{name}': result kind {result.Name} is not allowed; allowed: {KindList(ResultKindsAllowed)}.", nameof(result));
        for (var i = 0; i < inputs.Count; i++)
        {
            if (!InputKindsAllowed.Contains(inputs[i]))
                throw new ArgumentException($"Primitive '{name}': input {i} has kind {inputs[i]?.Name ?? "null"}, which is not allowed; allowed: {KindList(InputKindsAllowed)}.", nameof(inputs));
        }
        var parameterNames = parameters?.ToArray() ?? [];
        if (parameterNames.Any(p => string.IsNullOrWhiteSpace(p)))
            throw new ArgumentException($"Primitive '{name}': parameter names must be non-empty; got [{string.Join(", ", parameterNames)}].", nameof(parameters));
        var stopped = stopGradient?.Distinct().Order().ToArray() ?? [];
        var outOfRange = stopped.Where(i => i < 0 || i >= inputs.Count).ToArray();
        if (outOfRange.Length > 0)
            throw new ArgumentException($"Primitive '{name}': stop-gradient input index {outOfRange[0]} is out of range; allowed: 0 … {inputs.Count - 1}.", nameof(stopGradient));
        if (!Enum.IsDefined(locality))
            throw new ArgumentOutOfRangeException(nameof(locality), locality, $"Primitive '{name}': locality must be one of {string.Join(", ", Enum.GetNames<PrimitiveLocality>())}.");
        Name = name;
        Result = result;
        Inputs = [.. inputs];
        Parameters = parameterNames;
        StopGradientInputs = stopped;
        Locality = locality;
        this.forward = forward ?? throw new ArgumentNullException(nameof(forward));
        this.format = format;
    }

    /// <summary>The name used in formulas and JSON.</summary>
    public string Name { get; }

    /// <summary>The kind of its value.</summary>
    public Type Result { get; }

    /// <summary>The kinds of its inputs, in order.</summary>
    public IReadOnlyList<Type> Inputs { get; }

    /// <summary>The names of its real parameters, in order.</summary>
    public IReadOnlyList<string> Parameters { get; }

    /// <summary>Indices of the inputs that receive no gradient through it, ascending.</summary>
    public IReadOnlyList<int> StopGradientInputs { get; }

    /// <summary>What it reads of the batch (decides data-parallel safety).</summary>
    public PrimitiveLocality Locality { get; }

    /// <summary>True when input <paramref name="index"/> receives no gradient through this primitive.</summary>
    public bool StopsGradient(int index) => StopGradientInputs.Contains(index);

    /// <summary>The loss term obtained by applying this scalar primitive to <paramref name="inputs"/> with <paramref name="parameters"/>.</summary>
    /// <exception cref="ArgumentException">The primitive is not scalar-valued, or the inputs or parameters do not match its declaration.</exception>
    public Objective Apply(IReadOnlyList<ExprNode> inputs, IReadOnlyList<double>? parameters = null)
    {
        if (Result != typeof(Scalar))
            throw new ArgumentException($"Primitive '{Name}': its value has kind {Result.Name}, not Scalar; use Apply<{Result.Name}>.", nameof(inputs));
        return new PrimitiveObjective(this, inputs, parameters ?? []);
    }

    /// <summary>The expression obtained by applying this primitive, whose value has kind <typeparamref name="T"/>, to <paramref name="inputs"/>.</summary>
    /// <exception cref="ArgumentException"><typeparamref name="T"/> is not the declared result kind, or the inputs or parameters do not match the declaration.</exception>
    public Expr<T> Apply<T>(IReadOnlyList<ExprNode> inputs, IReadOnlyList<double>? parameters = null)
    {
        if (typeof(T) == typeof(Scalar)) return (Expr<T>)(object)Apply(inputs, parameters);
        if (Result != typeof(T))
            throw new ArgumentException($"Primitive '{Name}': its value has kind {Result.Name}, not {typeof(T).Name}.", nameof(inputs));
        return new PrimitiveExpression<T>(this, inputs, parameters ?? []);
    }

    /// <summary>"name(x, y; p=v)" or the declared format.</summary>
    internal string Print(IReadOnlyList<ExprNode> inputs, IReadOnlyList<double> parameters)
    {
        var formulas = inputs.Select(i => i.ToString()).ToArray();
        if (format is not null) return format(formulas, parameters);
        var values = parameters.Select((v, i) => $"{Parameters[i]}={v.ToString("R", CultureInfo.InvariantCulture)}");
        return $"{Name}({string.Join(", ", formulas)}{(parameters.Count > 0 ? "; " + string.Join(", ", values) : "")})";
    }

    /// <summary>Checks an application's inputs and parameters against the declaration.</summary>
    internal void Check(IReadOnlyList<ExprNode> inputs, IReadOnlyList<double> parameters)
    {
        if (inputs.Count != Inputs.Count)
            throw new ArgumentException($"Primitive '{Name}': takes {Inputs.Count} input(s) ({KindList(Inputs)}); got {inputs.Count}.", nameof(inputs));
        for (var i = 0; i < inputs.Count; i++)
        {
            if (inputs[i] is null || !typeof(Expr<>).MakeGenericType(Inputs[i]).IsInstanceOfType(inputs[i]))
                throw new ArgumentException($"Primitive '{Name}': input {i} must be an Expr<{Inputs[i].Name}>; got {inputs[i]?.GetType().Name ?? "null"} {inputs[i]}.", nameof(inputs));
        }
        if (parameters.Count != Parameters.Count)
            throw new ArgumentException($"Primitive '{Name}': takes {Parameters.Count} parameter(s) ({string.Join(", ", Parameters)}); got {parameters.Count}.", nameof(parameters));
        for (var i = 0; i < parameters.Count; i++)
        {
            if (!double.IsFinite(parameters[i]))
                throw new ArgumentOutOfRangeException(nameof(parameters), parameters[i], $"Primitive '{Name}': parameter {Parameters[i]} must be finite.");
        }
    }

    /// <summary>Runs <see cref="Forward"/> and checks the rank of its value (0 for a scalar, 2 otherwise).</summary>
    internal Tensor Evaluate(IReadOnlyList<Tensor> inputs, IReadOnlyList<double> parameters)
    {
        var value = Forward(inputs, parameters)
            ?? throw new InvalidOperationException($"Primitive '{Name}': its forward computation returned null.");
        var rank = Result == typeof(Scalar) ? 0 : 2;
        if (value.Rank != rank)
            throw new InvalidOperationException($"Primitive '{Name}': its forward computation must return a tensor of rank {rank} ({Result.Name}); got shape [{string.Join(", ", value.Shape)}].");
        return value;
    }

    /// <summary>The forward computation: the value from the evaluated inputs (stop-gradient ones detached) and the parameters.</summary>
    public Tensor Forward(IReadOnlyList<Tensor> inputs, IReadOnlyList<double> parameters) => forward(inputs, parameters);

    /// <summary>"primitive name: kinds → kind".</summary>
    public override string ToString() => $"primitive {Name}: ({KindList(Inputs)}) → {Result.Name}";

    private static string KindList(IEnumerable<Type> kinds) => string.Join(", ", kinds.Select(k => k.Name));

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9_.\-]*$")]
    private static partial Regex NamePattern();
}
