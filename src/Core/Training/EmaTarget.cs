using ReLICv2.Nn;

namespace ReLICv2.Training;

/// <summary>
/// The target network of ReLICv2/BYOL (docs/method.md §6.2): a copy of the online network whose weights follow an exponential moving
/// average, θ_t ← γ_k·θ_t + (1 − γ_k)·θ_o after every optimiser step k, computed in place under no-grad
/// (<c>θ_t.lerp_(θ_o, 1 − γ_k)</c>). The target's parameters never require gradients, so nothing back-propagates into it.
/// </summary>
public sealed class EmaTarget : IDisposable
{
    /// <summary>Builds the target as a deep copy of <paramref name="online"/> (same values and mode), frozen.</summary>
    /// <param name="online">The online network (encoder + projector) whose weights the target follows.</param>
    /// <param name="schedule">γ per update.</param>
    /// <param name="buffers">What updates do with BatchNorm running statistics (default: average them).</param>
    public EmaTarget(Module online, EmaSchedule schedule, EmaBuffers buffers = EmaBuffers.Average)
    {
        ArgumentNullException.ThrowIfNull(online);
        ArgumentNullException.ThrowIfNull(schedule);
        if (!Enum.IsDefined(buffers)) throw new ArgumentOutOfRangeException(nameof(buffers), buffers, "EmaTarget: buffers must be Average, Copy or Keep");
        Schedule = schedule;
        Buffers = buffers;
        Target = online.DeepCopy().SetRequiresGrad(false);
    }

    /// <summary>The target network (frozen: its parameters do not require gradients).</summary>
    public Module Target { get; }

    /// <summary>γ per update; <see cref="Pretrainer.Replan"/> replaces it when a time-budgeted run re-plans its length.</summary>
    public EmaSchedule Schedule { get; internal set; }

    public EmaBuffers Buffers { get; }

    /// <summary>Number of updates applied so far (k): the schedule's position, saved in checkpoints.</summary>
    public long Updates { get; private set; }

    /// <summary>γ the next update will use.</summary>
    public double NextGamma => Schedule.Gamma(Updates);

    /// <summary>Moves the target towards <paramref name="online"/> with γ = <see cref="NextGamma"/> and advances the schedule.</summary>
    /// <exception cref="ArgumentException">When the online network's parameter or buffer names or shapes differ from the target's.</exception>
    public void Update(Module online)
    {
        ArgumentNullException.ThrowIfNull(online);
        var gamma = NextGamma;
        var onlineParams = online.NamedParameters();
        var targetParams = Target.NamedParameters();
        CheckSameLayout(onlineParams, targetParams, "parameters");
        var onlineBuffers = online.NamedBuffers();
        var targetBuffers = Target.NamedBuffers();
        if (Buffers != EmaBuffers.Keep) CheckSameLayout(onlineBuffers, targetBuffers, "buffers");
        using (Torch.NoGrad())
        {
            for (var i = 0; i < targetParams.Count; i++) targetParams[i].Tensor.Lerp_(onlineParams[i].Tensor, 1 - gamma);
            if (Buffers != EmaBuffers.Keep)
            {
                for (var i = 0; i < targetBuffers.Count; i++)
                {
                    var t = targetBuffers[i].Tensor;
                    if (Buffers == EmaBuffers.Average && t.DType.IsFloatingPoint()) t.Lerp_(onlineBuffers[i].Tensor, 1 - gamma);
                    else t.Copy_(onlineBuffers[i].Tensor);
                }
            }
        }
        Updates++;
    }

    /// <summary>Sets the schedule position (when resuming from a checkpoint; the target's weights come from its state dict).</summary>
    public void Restore(long updates)
    {
        if (updates < 0) throw new ArgumentOutOfRangeException(nameof(updates), updates, "EmaTarget.Restore: updates must be >= 0");
        Updates = updates;
    }

    public void Dispose() => Target.Dispose();

    private static void CheckSameLayout(IReadOnlyList<NamedTensor> online, IReadOnlyList<NamedTensor> target, string what)
    {
        if (online.Count != target.Count)
            throw new ArgumentException($"EmaTarget.Update: the online network has {online.Count} {what}, the target {target.Count}", nameof(online));
        for (var i = 0; i < online.Count; i++)
        {
            if (online[i].Name != target[i].Name)
                throw new ArgumentException($"EmaTarget.Update: {what} {i} is '{online[i].Name}' online but '{target[i].Name}' in the target", nameof(online));
            if (!online[i].Tensor.Shape.SequenceEqual(target[i].Tensor.Shape))
                throw new ArgumentException($"EmaTarget.Update: '{online[i].Name}' has shape [{string.Join(", ", online[i].Tensor.Shape)}] online but [{string.Join(", ", target[i].Tensor.Shape)}] in the target", nameof(online));
        }
    }
}
