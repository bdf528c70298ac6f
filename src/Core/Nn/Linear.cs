namespace ReLICv2.Nn;

/// <summary>
/// Affine map y = x·Wᵀ + b with W of shape [out, in], as torch.nn.Linear. Initialised as PyTorch does: W and b drawn from
/// U(−1/√in, 1/√in) (Kaiming-uniform with a = √5), from the given generator.
/// </summary>
public sealed class Linear : Module
{
    /// <summary>Creates the layer; <paramref name="generator"/> draws the initial weights (of <paramref name="dtype"/>).</summary>
    public Linear(long inFeatures, long outFeatures, Generator generator, bool bias = true, DType dtype = DType.Float32)
    {
        ArgumentNullException.ThrowIfNull(generator);
        Init.CheckFloating(dtype, nameof(Linear));
        if (inFeatures < 1) throw new ArgumentOutOfRangeException(nameof(inFeatures), inFeatures, "Linear: inFeatures must be >= 1");
        if (outFeatures < 1) throw new ArgumentOutOfRangeException(nameof(outFeatures), outFeatures, "Linear: outFeatures must be >= 1");
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        var bound = 1 / Math.Sqrt(inFeatures);
        Weight = RegisterParameter("weight", Init.Uniform([outFeatures, inFeatures], bound, generator, dtype));
        Bias = bias ? RegisterParameter("bias", Init.Uniform([outFeatures], bound, generator, dtype)) : null;
    }

    public long InFeatures { get; }

    public long OutFeatures { get; }

    /// <summary>The weight W, shape [out, in].</summary>
    public Tensor Weight { get; }

    /// <summary>The bias b, shape [out], or null.</summary>
    public Tensor? Bias { get; }

    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank < 1 || input.Size(-1) != InFeatures)
            throw new ArgumentException($"Linear({InFeatures} → {OutFeatures}): the input's last dimension must be {InFeatures}, got shape [{string.Join(", ", input.Shape)}]", nameof(input));
        return Torch.Linear(input, Weight, Bias);
    }

    protected override string Describe() => $"in={InFeatures}, out={OutFeatures}, bias={Bias is not null}";
}
