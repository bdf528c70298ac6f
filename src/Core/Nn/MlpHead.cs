namespace ReLICv2.Nn;

/// <summary>
/// The projector g and predictor q of ReLICv2/BYOL (docs/method.md §6.1): Linear(in → hidden) – BatchNorm1d(hidden) – ReLU –
/// Linear(hidden → out). The paper uses hidden 4096 and out 256 for both. Layers are named 0–3 as the PyTorch
/// <c>nn.Sequential</c> heads of solo-learn, so their state-dict keys match (<c>0.weight</c>, <c>1.running_mean</c>, <c>3.weight</c>).
/// </summary>
public sealed class MlpHead : Sequential
{
    /// <summary>Builds the head; the initial weights are drawn from <paramref name="generator"/>.</summary>
    /// <param name="inputDim">Input size (the encoder's or projector's output).</param>
    /// <param name="hiddenDim">Hidden size (paper: 4096).</param>
    /// <param name="outputDim">Output size (paper: 256).</param>
    /// <param name="generator">Source of the initial weights.</param>
    /// <param name="outputBias">Whether the last linear layer has a bias (BYOL's haiku heads have none; PyTorch ports keep it).</param>
    /// <param name="dtype">Floating-point type of the weights.</param>
    public MlpHead(long inputDim, long hiddenDim, long outputDim, Generator generator, bool outputBias = true, DType dtype = DType.Float32)
    {
        if (inputDim < 1) throw new ArgumentOutOfRangeException(nameof(inputDim), inputDim, "MlpHead: inputDim must be >= 1");
        if (hiddenDim < 1) throw new ArgumentOutOfRangeException(nameof(hiddenDim), hiddenDim, "MlpHead: hiddenDim must be >= 1");
        if (outputDim < 1) throw new ArgumentOutOfRangeException(nameof(outputDim), outputDim, "MlpHead: outputDim must be >= 1");
        ArgumentNullException.ThrowIfNull(generator);
        InputDim = inputDim;
        HiddenDim = hiddenDim;
        OutputDim = outputDim;
        Append(new Linear(inputDim, hiddenDim, generator, dtype: dtype));
        Append(new BatchNorm1d(hiddenDim, dtype: dtype));
        Append(new ReLU());
        Append(new Linear(hiddenDim, outputDim, generator, bias: outputBias, dtype: dtype));
    }

    public long InputDim { get; }

    public long HiddenDim { get; }

    public long OutputDim { get; }

    protected override string Describe() => $"{InputDim} → {HiddenDim} → {OutputDim}";
}
