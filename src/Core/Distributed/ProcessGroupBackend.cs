namespace ReLICv2.Distributed;

/// <summary>The c10d backend of a process group: Gloo (CPU tensors, any machine) or NCCL (CUDA tensors, a CUDA libtorch).</summary>
public enum ProcessGroupBackend
{
    Gloo = 0,
    Nccl = 1,
}
