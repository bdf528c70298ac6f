using ReLICv2.Nn;

namespace ReLICv2.Optim;

/// <summary>
/// A first-order optimiser over parameter groups, as torch.optim.Optimizer. <see cref="Step"/> updates every parameter that has
/// a gradient (parameters without one are skipped, as in PyTorch) under no-grad, with the learning rate
/// η = η₀(group) · <see cref="LearningRateMultiplier"/>; a schedule sets the multiplier before each step. Per-parameter state
/// (momentum buffers, moments) lives outside tensor scopes and is freed by <see cref="Dispose"/>; <see cref="ExportState"/> and
/// <see cref="ImportState"/> carry it through checkpoints.
/// </summary>
public abstract class Optimizer : IDisposable
{
    private readonly List<(Tensor Parameter, int Group)> slots = [];
    private readonly List<ParameterSlot> state = [];

    /// <summary>Registers the parameters of every group (each parameter at most once).</summary>
    protected Optimizer(IReadOnlyList<IReadOnlyList<Tensor>> groupParameters)
    {
        ArgumentNullException.ThrowIfNull(groupParameters);
        if (groupParameters.Count == 0) throw new ArgumentException($"{GetType().Name}: needs at least one parameter group", nameof(groupParameters));
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        for (var g = 0; g < groupParameters.Count; g++)
        {
            foreach (var p in groupParameters[g])
            {
                ArgumentNullException.ThrowIfNull(p);
                if (!seen.Add(p)) throw new ArgumentException($"{GetType().Name}: a parameter appears twice (group {g}); each parameter may be in one group only", nameof(groupParameters));
                if (!p.DType.IsFloatingPoint()) throw new ArgumentException($"{GetType().Name}: parameters must be floating point, got {p.DType} in group {g}", nameof(groupParameters));
                slots.Add((p, g));
                state.Add(new ParameterSlot());
            }
        }
    }

    /// <summary>Short name stored in checkpoints ("SGD", "AdamW", "LARS").</summary>
    public abstract string Kind { get; }

    /// <summary>Number of parameter groups.</summary>
    public abstract int GroupCount { get; }

    /// <summary>Base learning rate η₀ of group <paramref name="group"/>.</summary>
    public abstract double BaseLearningRate(int group);

    /// <summary>Multiplier applied to every group's base learning rate (set it from a schedule before <see cref="Step"/>); default 1.</summary>
    public double LearningRateMultiplier
    {
        get;
        set => field = value >= 0 && double.IsFinite(value) ? value
            : throw new ArgumentOutOfRangeException(nameof(LearningRateMultiplier), value, "LearningRateMultiplier must be finite and >= 0");
    } = 1.0;

    /// <summary>The learning rate group <paramref name="group"/> uses at the next step.</summary>
    public double LearningRate(int group) => BaseLearningRate(group) * LearningRateMultiplier;

    /// <summary>Number of <see cref="Step"/> calls so far.</summary>
    public long StepCount { get; private set; }

    /// <summary>Every optimised parameter, in group order.</summary>
    public IReadOnlyList<Tensor> Parameters => slots.Select(s => s.Parameter).ToList();

    /// <summary>Updates every parameter that has a gradient, under no-grad.</summary>
    public void Step()
    {
        using var noGrad = Torch.NoGrad();
        for (var i = 0; i < slots.Count; i++)
        {
            using var scope = Torch.NewScope();
            var (p, g) = slots[i];
            var grad = p.Grad;
            if (grad is null) continue;
            state[i].Steps++;
            Update(p, grad, state[i], g, LearningRate(g));
        }
        StepCount++;
    }

    /// <summary>Clears the gradient of every optimised parameter (set to none).</summary>
    public void ZeroGrad()
    {
        foreach (var (p, _) in slots) p.Grad = null;
    }

    /// <summary>
    /// Applies one update to <paramref name="parameter"/> in place. Runs inside a tensor scope and under no-grad; new state
    /// tensors must be stored with <see cref="ParameterSlot.Set"/>, which takes them out of the scope.
    /// </summary>
    protected abstract void Update(Tensor parameter, Tensor grad, ParameterSlot slot, int group, double learningRate);

    /// <summary>Copies the state (buffers, step counts, multiplier) for a checkpoint.</summary>
    public OptimizerState ExportState()
    {
        var tensors = new List<NamedTensor>();
        using (Torch.NoGrad())
        {
            for (var i = 0; i < state.Count; i++)
                foreach (var (name, t) in state[i].Buffers)
                    tensors.Add(new NamedTensor($"{i}.{name}", Torch.Scoped(() => t.Clone()).DetachFromScope()));
        }
        return new OptimizerState(Kind, StepCount, LearningRateMultiplier, state.Select(s => s.Steps).ToList(), new StateDict(tensors, ownsTensors: true));
    }

    /// <summary>Restores state exported by an optimiser of the same kind over parameters of the same shapes (values are copied).</summary>
    /// <exception cref="ArgumentException">When the kind, parameter count, buffer names or shapes differ.</exception>
    public void ImportState(OptimizerState saved)
    {
        ArgumentNullException.ThrowIfNull(saved);
        if (saved.Kind != Kind) throw new ArgumentException($"ImportState: the state is from a {saved.Kind} optimiser, this is {Kind}", nameof(saved));
        if (saved.ParameterSteps.Count != slots.Count)
            throw new ArgumentException($"ImportState: the state covers {saved.ParameterSteps.Count} parameters, this {Kind} optimiser has {slots.Count}", nameof(saved));
        var parsed = new List<(int Index, string Name, Tensor Value)>();
        foreach (var (key, t) in saved.Tensors)
        {
            var dot = key.IndexOf('.', StringComparison.Ordinal);
            if (dot <= 0 || !int.TryParse(key.AsSpan(0, dot), out var index) || index < 0 || index >= slots.Count)
                throw new ArgumentException($"ImportState: state tensor '{key}' is not named '<parameter index 0..{slots.Count - 1}>.<buffer>'", nameof(saved));
            var shape = slots[index].Parameter.Shape;
            if (!t.Shape.SequenceEqual(shape))
                throw new ArgumentException($"ImportState: state tensor '{key}' has shape [{string.Join(", ", t.Shape)}], parameter {index} has [{string.Join(", ", shape)}]", nameof(saved));
            parsed.Add((index, key[(dot + 1)..], t));
        }
        foreach (var s in state) s.Clear();
        using (Torch.NoGrad())
        {
            foreach (var (index, name, value) in parsed)
            {
                var p = slots[index].Parameter;
                state[index].Set(name, Torch.Scoped(() => value.To(p.DType).To(p.Device).Clone()));
            }
        }
        for (var i = 0; i < state.Count; i++) state[i].Steps = saved.ParameterSteps[i];
        StepCount = saved.StepCount;
        LearningRateMultiplier = saved.LearningRateMultiplier;
    }

    /// <summary>Frees the optimiser state (not the parameters). Idempotent.</summary>
    public void Dispose()
    {
        foreach (var s in state) s.Clear();
        GC.SuppressFinalize(this);
    }

    /// <summary>Validates that every group's options are consistent.</summary>
    protected static IReadOnlyList<IReadOnlyList<Tensor>> Check<TOptions>(IReadOnlyList<ParameterGroup<TOptions>> groups) where TOptions : OptimizerOptions
    {
        ArgumentNullException.ThrowIfNull(groups);
        foreach (var g in groups)
        {
            ArgumentNullException.ThrowIfNull(g);
            g.Options.Validate();
        }
        return groups.Select(g => g.Parameters).ToList();
    }
}
