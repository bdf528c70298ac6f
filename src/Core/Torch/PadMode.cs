namespace ReLICv2;

/// <summary>Padding of <see cref="Torch.Pad"/>: a constant, the mirrored interior, or the replicated edge.</summary>
public enum PadMode
{
    Constant = 0,
    Reflect = 1,
    Replicate = 2,
}
