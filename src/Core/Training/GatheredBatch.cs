using ReLICv2.Distributed;

namespace ReLICv2.Training;

/// <summary>
/// The <see cref="GlobalBatch"/> of one data-parallel step: <see cref="Gather"/> all-gathers an embedding tensor of the
/// step over the process group without autograd; each call is one collective and returns a new tensor owned by the
/// caller (or the enclosing <see cref="TensorScope"/>).
/// </summary>
internal sealed class GatheredBatch(ProcessGroup group) : GlobalBatch(group.Rank, group.WorldSize)
{
    public override Tensor Gather(Tensor local)
    {
        ArgumentNullException.ThrowIfNull(local);
        using var detached = local.Detach();
        return group.AllGather(detached);
    }
}
