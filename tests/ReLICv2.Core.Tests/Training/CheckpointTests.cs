using ReLICv2.Nn;
using ReLICv2.Optim;
using ReLICv2.Training;
using Xunit;

namespace ReLICv2.Tests;

public sealed class CheckpointTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("relic-ckpt-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    /// <summary>A tiny BYOL-style run: online = encoder + projector, predictor, EMA target, SGD, data from a generator.</summary>
    private sealed class Run : IDisposable
    {
        public Run(ulong seed)
        {
            using var g = new Generator(seed);
            Online = new Sequential(new Linear(6, 8, g), new BatchNorm1d(8), new ReLU(), new Linear(8, 4, g));
            Predictor = new MlpHead(4, 8, 4, g);
            Ema = new EmaTarget(Online, EmaSchedule.Cosine(0.9, 10));
            Optimizer = new Sgd(Online.Parameters().Concat(Predictor.Parameters()).ToList(), new SgdOptions(0.05, momentum: 0.9, weightDecay: 1e-4));
            Data = new Generator(seed + 100);
        }

        public Sequential Online { get; }
        public MlpHead Predictor { get; }
        public EmaTarget Ema { get; }
        public Sgd Optimizer { get; }
        public Generator Data { get; }
        public WarmupCosineSchedule Schedule { get; } = new(totalSteps: 10, warmupSteps: 2);
        public long Step { get; set; }

        public Dictionary<string, Module> Modules => new() { ["online"] = Online, ["predictor"] = Predictor };

        public Dictionary<string, Generator> Generators => new() { ["data"] = Data };

        /// <summary>One training step; returns the loss.</summary>
        public float TrainStep()
        {
            using var scope = Torch.NewScope();
            var x = Torch.Randn(Data, 16, 6);
            var noise = Torch.Randn(Data, 16, 6).Mul(0.1);
            Optimizer.LearningRateMultiplier = Schedule.Multiplier(Step);
            Tensor target;
            using (Torch.NoGrad()) target = Torch.Normalize(Ema.Target.Forward(x.Add(noise)));
            var prediction = Torch.Normalize(Predictor.Forward(Online.Forward(x)));
            var loss = prediction.Mul(target).Sum(1L).Mean().Mul(-2).Add(2);
            Optimizer.ZeroGrad();
            loss.Backward();
            Optimizer.Step();
            Ema.Update(Online);
            Step++;
            return loss.Detach().ToArray<float>()[0];
        }

        public void Dispose()
        {
            Optimizer.Dispose();
            Ema.Dispose();
            Online.Dispose();
            Predictor.Dispose();
            Data.Dispose();
        }
    }

    [Fact]
    public void Resuming_from_a_checkpoint_reproduces_the_next_losses_bit_for_bit()
    {
        var path = Path.Combine(dir, "step-3");
        float[] expected;
        using (var original = new Run(1))
        {
            for (var i = 0; i < 3; i++) original.TrainStep();
            using (var ckpt = Checkpoint.Capture(original.Step, original.Modules, original.Optimizer, original.Ema, original.Generators,
                       new Dictionary<string, string> { ["note"] = "resume test" }))
                ckpt.Save(path);
            expected = [original.TrainStep(), original.TrainStep()];
        }
        using var resumed = new Run(2);
        using (var ckpt = Checkpoint.Load(path))
        {
            Assert.Equal(3, ckpt.Step);
            Assert.Equal("resume test", ckpt.Metadata["note"]);
            Assert.Equal(3, ckpt.EmaUpdates);
            ckpt.Restore(resumed.Modules, resumed.Optimizer, resumed.Ema, resumed.Generators);
            resumed.Step = ckpt.Step;
        }
        float[] actual = [resumed.TrainStep(), resumed.TrainStep()];
        Assert.Equal(BitConverter.SingleToInt32Bits(expected[0]), BitConverter.SingleToInt32Bits(actual[0]));
        Assert.Equal(BitConverter.SingleToInt32Bits(expected[1]), BitConverter.SingleToInt32Bits(actual[1]));
    }

    [Fact]
    public void Weights_file_is_a_torchvision_style_safetensors_file_and_no_temporary_files_remain()
    {
        using var run = new Run(3);
        run.TrainStep();
        var path = Path.Combine(dir, "ckpt.safetensors");
        using (var ckpt = Checkpoint.Capture(run.Step, run.Modules, run.Optimizer, run.Ema, run.Generators)) ckpt.Save(path);
        using (var again = Checkpoint.Capture(run.Step, run.Modules, run.Optimizer, run.Ema, run.Generators)) again.Save(path); // overwrite
        using var weights = SafeTensors.Read(Checkpoint.WeightsPath(path), out var meta);
        Assert.Equal("pt", meta["format"]);
        Assert.Contains("online.0.weight", weights.Keys);
        Assert.Contains("online.1.running_var", weights.Keys);
        Assert.Contains("ema_target.3.bias", weights.Keys);
        Assert.Contains("__optimizer__.0.momentum_buffer", weights.Keys);
        Assert.True(weights["online.0.weight"].Equal(run.Online.StateDict()["0.weight"]));
        Assert.Equal(["ckpt.json", "ckpt.safetensors"], Directory.GetFiles(dir).Select(f => Path.GetFileName(f)!).Order().ToArray());
    }

    private string SaveSmall(string name)
    {
        using var run = new Run(4);
        run.TrainStep();
        var path = Path.Combine(dir, name);
        using var ckpt = Checkpoint.Capture(run.Step, run.Modules, run.Optimizer, run.Ema, run.Generators);
        ckpt.Save(path);
        return path;
    }

    [Fact]
    public void A_truncated_weights_file_is_refused_naming_the_file()
    {
        var path = SaveSmall("t");
        var weights = Checkpoint.WeightsPath(path);
        var bytes = File.ReadAllBytes(weights);
        File.WriteAllBytes(weights, bytes[..(bytes.Length / 2)]);
        var ex = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path));
        Assert.Contains(weights, ex.Message);
        Assert.Contains("truncated", ex.Message);
    }

    [Fact]
    public void A_corrupted_weights_file_of_the_right_length_is_refused()
    {
        var path = SaveSmall("c");
        var weights = Checkpoint.WeightsPath(path);
        var bytes = File.ReadAllBytes(weights);
        bytes[^3] ^= 0x40;
        File.WriteAllBytes(weights, bytes);
        var ex = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path));
        Assert.Contains("SHA-256", ex.Message);
        Assert.Contains(weights, ex.Message);
    }

    [Fact]
    public void A_missing_or_garbled_sidecar_is_refused()
    {
        var path = SaveSmall("s");
        var sidecar = Checkpoint.SidecarPath(path);
        File.WriteAllText(sidecar, File.ReadAllText(sidecar)[..40]);
        var ex = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path));
        Assert.Contains(sidecar, ex.Message);
        File.Delete(sidecar);
        Assert.Contains("does not exist", Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path)).Message);
    }

    [Fact]
    public void Restoring_into_a_different_network_names_the_mismatch()
    {
        var path = SaveSmall("m");
        using var ckpt = Checkpoint.Load(path);
        using var g = new Generator(1);
        using var wrong = new Sequential(new Linear(6, 9, g));
        var ex = Assert.Throws<ArgumentException>(() => ckpt.Restore(new Dictionary<string, Module> { ["online"] = wrong }));
        Assert.Contains("size mismatch for 0.weight", ex.Message);
        Assert.Contains("no module 'head'", Assert.Throws<ArgumentException>(() => ckpt.Restore(new Dictionary<string, Module> { ["head"] = wrong })).Message);
    }
}
