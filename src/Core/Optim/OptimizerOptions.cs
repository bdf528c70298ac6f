namespace ReLICv2.Optim;

/// <summary>Options shared by every optimiser's parameter groups: the base learning rate (before the schedule's multiplier).</summary>
public abstract record OptimizerOptions
{
    /// <summary>Base learning rate η₀ ≥ 0; the rate used at a step is η₀ · <see cref="Optimizer.LearningRateMultiplier"/>.</summary>
    public double LearningRate
    {
        get;
        init => field = value is >= 0 and <= float.MaxValue ? value
            : throw new ArgumentOutOfRangeException(nameof(LearningRate), value, $"{GetType().Name}: LearningRate must be in [0, {float.MaxValue}] (a float32 number: the parameters are float32)");
    }

    /// <summary>Checks constraints between options (called by the optimiser); throws <see cref="ArgumentException"/> naming them.</summary>
    public virtual void Validate()
    {
    }

    /// <summary>Returns <paramref name="value"/> if it lies in [<paramref name="min"/>, <paramref name="max"/>] (or [min, max) when <paramref name="maxExclusive"/>), else throws.</summary>
    protected double InRange(double value, double min, double max, string name, bool maxExclusive = false)
    {
        var ok = value >= min && (maxExclusive ? value < max : value <= max) && !double.IsNaN(value);
        return ok ? value : throw new ArgumentOutOfRangeException(name, value,
            $"{GetType().Name}: {name} must be in [{min}, {max}{(maxExclusive ? ")" : "]")}");
    }
}
