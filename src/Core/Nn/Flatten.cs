namespace ReLICv2.Nn;

/// <summary>Flattens dimensions startDim … endDim into one, as torch.nn.Flatten (default: all but the batch dimension).</summary>
public sealed class Flatten(long startDim = 1, long endDim = -1) : Module
{
    public long StartDim { get; } = startDim;

    public long EndDim { get; } = endDim;

    public override Tensor Forward(Tensor input) => input.Flatten(StartDim, EndDim);

    protected override string Describe() => $"startDim={StartDim}, endDim={EndDim}";
}
