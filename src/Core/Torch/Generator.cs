namespace ReLICv2;

/// <summary>
/// A seeded random-number generator (libtorch's CPU Philox/MT generator). Every random factory takes one explicitly,
/// so an experiment is reproducible from its seeds; random tensors for a CUDA device are drawn here and then moved.
/// </summary>
public sealed class Generator : IDisposable
{
    private readonly GeneratorHandle handle;

    public Generator(ulong seed)
    {
        TorchException.Check(Native.rs_generator_new(seed, out handle));
        Seed = seed;
    }

    /// <summary>The seed this generator was created with or last reseeded to.</summary>
    public ulong Seed { get; private set; }

    internal GeneratorHandle Handle => handle.IsClosed ? throw new ObjectDisposedException(nameof(Generator)) : handle;

    /// <summary>Restarts the stream from <paramref name="seed"/>.</summary>
    public void Reseed(ulong seed)
    {
        TorchException.Check(Native.rs_generator_seed(Handle, seed));
        Seed = seed;
    }

    /// <summary>The full generator state, for checkpoints; <see cref="SetState"/> restores it exactly.</summary>
    public byte[] GetState()
    {
        TorchException.Check(Native.rs_generator_get_state(Handle, out var h));
        using var t = new Tensor(h, register: false);
        return t.ToArray<byte>();
    }

    public void SetState(byte[] state)
    {
        ArgumentNullException.ThrowIfNull(state);
        using var t = Torch.FromArray(state, state.LongLength);
        t.DetachFromScope();
        TorchException.Check(Native.rs_generator_set_state(Handle, t.H));
    }

    public void Dispose() => handle.Dispose();

    public override string ToString() => $"Generator(seed={Seed})";
}
