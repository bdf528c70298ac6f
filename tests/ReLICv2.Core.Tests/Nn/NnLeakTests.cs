using ReLICv2.Nn;
using ReLICv2.Optim;
using ReLICv2.Training;
using Xunit;

namespace ReLICv2.Tests;

/// <summary>Runs alone (no other test creates tensors meanwhile), so the process-wide live-handle count is meaningful.</summary>
[CollectionDefinition(nameof(NnLeakTests), DisableParallelization = true)]
public sealed class NnLeakCollection;

[Collection(nameof(NnLeakTests))]
public class NnLeakTests
{
    [Fact]
    public void Training_steps_ema_updates_and_checkpoints_free_every_native_tensor()
    {
        var dir = Directory.CreateTempSubdirectory("relic-leak-").FullName;
        var before = Torch.LiveTensorCount;
        using (var g = new Generator(1))
        {
            using var online = new Sequential(new Conv2d(3, 4, 3, g, padding: 1), new BatchNorm2d(4), new ReLU(), new AdaptiveAvgPool2d(), new Flatten(),
                new MlpHead(4, 8, 2, g));
            using var ema = new EmaTarget(online, EmaSchedule.Cosine(0.9, 4));
            using var opt = new Lars(Lars.ExcludingBiasAndNorm(online.NamedParameters(), new LarsOptions(0.1, weightDecay: 1e-4)));
            for (var step = 0; step < 3; step++)
            {
                using var scope = Torch.NewScope();
                var x = Torch.Randn(g, 4, 3, 6, 6);
                Tensor target;
                using (Torch.NoGrad()) target = ema.Target.Forward(x);
                var loss = online.Forward(x).Sub(target).Square().Mean();
                opt.ZeroGrad();
                loss.Backward();
                opt.Step();
                ema.Update(online);
            }
            var path = Path.Combine(dir, "c");
            using (var ckpt = Checkpoint.Capture(3, new Dictionary<string, Module> { ["online"] = online }, opt, ema)) ckpt.Save(path);
            using (var loaded = Checkpoint.Load(path)) loaded.Restore(new Dictionary<string, Module> { ["online"] = online }, opt, ema);
            using var copy = online.DeepCopy();
            online.ZeroGrad();
        }
        Directory.Delete(dir, recursive: true);
        Assert.Equal(before, Torch.LiveTensorCount);
    }
}
