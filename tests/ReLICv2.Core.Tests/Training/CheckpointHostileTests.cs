using System.Text;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using ReLICv2.Nn;
using ReLICv2.Optim;
using ReLICv2.Training;
using Xunit;

namespace ReLICv2.Tests;

/// <summary>
/// Damaged and lying checkpoints: truncated or bit-flipped weights and sidecars, sidecar fields of the wrong type or range,
/// files from different saves. Each is refused with an <see cref="InvalidDataException"/> naming the file (and the field),
/// leaves no tensor allocated, and a save or restore that fails leaves what was there before.
/// </summary>
[Collection(nameof(LiveCountCollection))]
public sealed class CheckpointHostileTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("relic-ckpt-hostile-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    /// <summary>A tiny network with an EMA target, SGD with momentum and a data generator, after <paramref name="steps"/> steps.</summary>
    private sealed class Run : IDisposable
    {
        public Run(ulong seed, int steps)
        {
            using var g = new Generator(seed);
            Online = new Sequential(new Linear(6, 8, g), new BatchNorm1d(8), new ReLU(), new Linear(8, 4, g));
            Ema = new EmaTarget(Online, EmaSchedule.Cosine(0.9, 10));
            Optimizer = new Sgd(Online.Parameters(), new SgdOptions(0.05, momentum: 0.9));
            Data = new Generator(seed + 100);
            for (var i = 0; i < steps; i++)
            {
                using var scope = Torch.NewScope();
                var loss = Online.Forward(Torch.Randn(Data, 8, 6)).Pow(2).Mean();
                Optimizer.ZeroGrad();
                loss.Backward();
                Optimizer.Step();
                Ema.Update(Online);
            }
        }

        public Sequential Online { get; }
        public EmaTarget Ema { get; }
        public Sgd Optimizer { get; }
        public Generator Data { get; }
        public Dictionary<string, Module> Modules => new() { ["online"] = Online };
        public Dictionary<string, Generator> Generators => new() { ["data"] = Data };

        public void Save(string path, long step, IReadOnlyDictionary<string, string>? metadata = null)
        {
            using var checkpoint = Checkpoint.Capture(step, Modules, Optimizer, Ema, Generators, metadata);
            checkpoint.Save(path);
        }

        public void Dispose()
        {
            Optimizer.Dispose();
            Ema.Dispose();
            Online.Dispose();
            Data.Dispose();
        }
    }

    private string SaveOne(string name, long step = 3)
    {
        var path = Path.Combine(dir, name, "last");
        using var run = new Run(5, 2);
        run.Save(path, step, new Dictionary<string, string> { ["note"] = "hostile" });
        return path;
    }

    private static void SettleFinalizers()
    {
        for (var i = 0; i < 2; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
    }

    /// <summary>Loads <paramref name="path"/>: null when refused naming <paramref name="damaged"/>; otherwise what a save of what was loaded writes.</summary>
    private (byte[] Weights, byte[] Sidecar)? LoadAndSaveAgain(string path, string damaged)
    {
        try
        {
            using var loaded = Checkpoint.Load(path);
            var again = Path.Combine(dir, "again", Guid.NewGuid().ToString("N"), Path.GetFileName(path));
            loaded.Save(again);
            return (File.ReadAllBytes(Checkpoint.WeightsPath(again)), File.ReadAllBytes(Checkpoint.SidecarPath(again)));
        }
        catch (InvalidDataException e) when (e.Message.Contains(damaged, StringComparison.Ordinal))
        {
            return null;
        }
    }

    [Fact]
    public void A_checkpoint_with_either_file_cut_anywhere_is_refused_naming_that_file()
    {
        var path = SaveOne("cut");
        var files = new[] { Checkpoint.WeightsPath(path), Checkpoint.SidecarPath(path) };
        var originals = files.Select(File.ReadAllBytes).ToArray();
        SettleFinalizers();
        var before = Torch.LiveTensorCount;
        Prop.ForAll(Gen.Choose(0, 1).ToArbitrary(), Gen.Choose(0, 1_000_000).ToArbitrary(), (which, at) =>
        {
            var cut = at % originals[which].Length;
            File.WriteAllBytes(files[which], originals[which][..cut]);
            try
            {
                return LoadAndSaveAgain(path, files[which]) is null;
            }
            finally
            {
                File.WriteAllBytes(files[which], originals[which]);
            }
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(120).WithQuietOnSuccess(true));
        Assert.Equal(before, Torch.LiveTensorCount);
    }

    [Fact]
    public void A_checkpoint_with_a_bit_flipped_in_either_file_is_refused_naming_that_file_or_loads_unchanged()
    {
        var path = SaveOne("flip");
        var files = new[] { Checkpoint.WeightsPath(path), Checkpoint.SidecarPath(path) };
        var originals = files.Select(File.ReadAllBytes).ToArray();
        SettleFinalizers();
        var before = Torch.LiveTensorCount;
        Prop.ForAll(Gen.Choose(0, 1).ToArbitrary(), Gen.Choose(0, 1_000_000).ToArbitrary(), Gen.Choose(0, 7).ToArbitrary(), (which, at, bit) =>
        {
            var flipped = (byte[])originals[which].Clone();
            flipped[at % flipped.Length] ^= (byte)(1 << bit);
            File.WriteAllBytes(files[which], flipped);
            try
            {
                // Loading may only succeed when the flip changed nothing that is kept (a save of what loaded is the original).
                return LoadAndSaveAgain(path, files[which]) is not { } saved
                    || (saved.Weights.AsSpan().SequenceEqual(originals[0]) && saved.Sidecar.AsSpan().SequenceEqual(originals[1]));
            }
            finally
            {
                File.WriteAllBytes(files[which], originals[which]);
            }
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(300).WithQuietOnSuccess(true));
        Assert.Equal(before, Torch.LiveTensorCount);
    }

    /// <summary>The sidecar of <paramref name="path"/> as a version-1 document (no checksum), edited by <paramref name="edit"/>.</summary>
    private static void WriteVersion1(string path, Action<JsonObject> edit)
    {
        var sidecar = Checkpoint.SidecarPath(path);
        var node = JsonNode.Parse(File.ReadAllBytes(sidecar))!.AsObject();
        node.Remove(Checkpoint.SidecarChecksumField);
        node["version"] = 1;
        edit(node);
        File.WriteAllText(sidecar, node.ToJsonString());
    }

    [Fact]
    public void A_version_1_sidecar_without_checksum_still_loads()
    {
        var path = SaveOne("v1");
        WriteVersion1(path, _ => { });
        using var loaded = Checkpoint.Load(path);
        Assert.Equal(3, loaded.Step);
        Assert.Equal("hostile", loaded.Metadata["note"]);
    }

    public static TheoryData<string, string> SidecarLies => new()
    {
        { "format=\"other\"", "field 'format' is 'other'" },
        { "version=7", "field 'version' is 7, not a whole number in [1, 2]" },
        { "step=\"3\"", "field 'step' is \"3\" (String), not a number" },
        { "step=-1", "field 'step' is -1, not a whole number in [0," },
        { "step=1e300", "field 'step' is 1e300, not a whole number" },
        { "step=4", "are of step 3 (metadata 'relicv2.step'), the sidecar" },
        { "weights=[]", "field 'weights' is [] (Array), not an object" },
        { "weights.file=\"../escape.safetensors\"", "field 'weights.file' is '../escape.safetensors'" },
        { "weights.file=\"/etc/hostname\"", "field 'weights.file' is '/etc/hostname'" },
        { "weights.bytes=-5", "field 'weights.bytes' is -5" },
        { "weights.sha256=\"xyz\"", "field 'weights.sha256' is 'xyz'" },
        { "modules=[\"online\",\"online\"]", "field 'modules[1]' is 'online'" },
        { "modules=[\"on.line\"]", "field 'modules[0]' is 'on.line'" },
        { "modules=[7]", "field 'modules[0]' is Number, not a string" },
        { "modules=[]", "hold tensor 'online.0.weight', which belongs to no module listed" },
        { "optimizer.kind=null", "field 'optimizer.kind' is null (Null), not a string" },
        { "optimizer.step_count=\"x\"", "field 'optimizer.step_count' is \"x\" (String)" },
        { "optimizer.lr_multiplier=\"x\"", "field 'optimizer.lr_multiplier' is \"x\" (String)" },
        { "optimizer.parameter_steps=[1,-1]", "field 'optimizer.parameter_steps[1]' is -1" },
        { "ema.updates=\"x\"", "field 'ema.updates' is \"x\" (String)" },
        { "ema=5", "field 'ema' is 5 (Number), not an object" },
        { "rng.data=\"!!not base64!!\"", "field 'rng.data' is \"!!not base64!!\", not a base64 generator state" },
        { "rng=null", "field 'rng' is null (Null), not an object" },
        { "metadata.note=5", "field 'metadata.note' is Number, not a string" },
    };

    [Theory]
    [MemberData(nameof(SidecarLies))]
    public void A_sidecar_field_that_lies_is_refused_naming_the_file_and_the_field_and_nothing_stays_allocated(string assignment, string why)
    {
        var path = SaveOne("lie-" + Guid.NewGuid().ToString("N"));
        var eq = assignment.IndexOf('=', StringComparison.Ordinal);
        var parts = assignment[..eq].Split('.');
        var value = JsonNode.Parse(assignment[(eq + 1)..]);
        WriteVersion1(path, root =>
        {
            JsonObject target = root;
            foreach (var p in parts[..^1]) target = target[p]!.AsObject();
            target[parts[^1]] = value;
        });
        SettleFinalizers();
        var before = Torch.LiveTensorCount;
        var e = Record.Exception(() => Checkpoint.Load(path).Dispose());
        Assert.True(e is InvalidDataException, $"{assignment}: {e?.GetType().Name ?? "no exception"}: {e?.Message}");
        Assert.Contains(Checkpoint.SidecarPath(path), e!.Message);
        Assert.Contains(why, e.Message);
        Assert.Equal(before, Torch.LiveTensorCount);
    }

    public static TheoryData<string, byte[], string> UnparsableSidecars => new()
    {
        { "not UTF-8", [.. "{\"format\":\"relicv2-checkpoint\",\"x\":\""u8, 0xC3, 0x28, .. "\"}"u8], "not valid UTF-8" },
        { "not JSON", "{\"format\":"u8.ToArray(), "not valid JSON" },
        { "an array", "[1,2,3]"u8.ToArray(), "the document is Array, not an object" },
        { "a repeated field", "{\"format\":\"relicv2-checkpoint\",\"format\":\"relicv2-checkpoint\"}"u8.ToArray(), "field 'format' appears twice" },
        { "a repeated nested field", "{\"weights\":{\"file\":\"a\",\"file\":\"b\"}}"u8.ToArray(), "field 'weights.file' appears twice" },
        { "empty", [], "not valid JSON" },
    };

    [Theory]
    [MemberData(nameof(UnparsableSidecars))]
    public void A_sidecar_that_is_not_a_json_object_of_distinct_fields_is_refused_naming_it(string what, byte[] content, string why)
    {
        var path = SaveOne("bad-" + Guid.NewGuid().ToString("N"));
        File.WriteAllBytes(Checkpoint.SidecarPath(path), content);
        var e = Record.Exception(() => Checkpoint.Load(path).Dispose());
        Assert.True(e is InvalidDataException, $"{what}: {e?.GetType().Name ?? "no exception"}: {e?.Message}");
        Assert.Contains(Checkpoint.SidecarPath(path), e!.Message);
        Assert.Contains(why, e.Message);
    }

    [Fact]
    public void An_edited_version_2_sidecar_fails_its_checksum_naming_the_field()
    {
        var path = SaveOne("edited");
        var sidecar = Checkpoint.SidecarPath(path);
        File.WriteAllText(sidecar, File.ReadAllText(sidecar).Replace("\"step\": 3", "\"step\": 9", StringComparison.Ordinal));
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path));
        Assert.Contains(sidecar, e.Message);
        Assert.Contains($"field '{Checkpoint.SidecarChecksumField}' does not match", e.Message);
    }

    [Fact]
    public void Weights_named_elsewhere_are_not_read_even_when_their_fingerprint_matches()
    {
        var path = SaveOne("elsewhere");
        var other = Path.Combine(dir, "elsewhere-copy");
        Directory.CreateDirectory(other);
        File.Copy(Checkpoint.WeightsPath(path), Path.Combine(other, "copy.safetensors"));
        WriteVersion1(path, root => root["weights"]!["file"] = "../../elsewhere-copy/copy.safetensors");
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path));
        Assert.Contains("field 'weights.file'", e.Message);
    }

    [Fact]
    public void A_save_that_fails_replaces_neither_file_of_the_previous_checkpoint()
    {
        var path = SaveOne("failed-save", step: 3);
        var (weights, sidecar) = (Checkpoint.WeightsPath(path), Checkpoint.SidecarPath(path));
        var before = (File.ReadAllBytes(weights), File.ReadAllBytes(sidecar));
        // The sidecar cannot be written (a directory is in its place); the weights must not be replaced either.
        File.Move(sidecar, sidecar + ".aside");
        Directory.CreateDirectory(sidecar);
        using (var run = new Run(9, 4))
            Assert.IsType<IOException>(Record.Exception(() => run.Save(path, 7)));
        Directory.Delete(sidecar);
        File.Move(sidecar + ".aside", sidecar);
        Assert.Equal(before.Item1, File.ReadAllBytes(weights));
        Assert.Equal(before.Item2, File.ReadAllBytes(sidecar));
        using (var loaded = Checkpoint.Load(path)) Assert.Equal(3, loaded.Step);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void A_restore_that_does_not_fit_changes_nothing()
    {
        var path = SaveOne("restore");
        using var scope = Torch.NewScope();
        using var run = new Run(11, 1);
        var weights = run.Online.StateDict().Select(kv => (kv.Key, Values: kv.Value.To(DType.Float64).ToArray<double>())).ToList();
        var target = run.Ema.Target.StateDict().Select(kv => kv.Value.To(DType.Float64).ToArray<double>()).ToList();
        var updates = run.Ema.Updates;
        var state = run.Data.GetState();
        using var loaded = Checkpoint.Load(path);
        using var g = new Generator(1);
        using var other = new Sequential(new Linear(6, 8, g), new BatchNorm1d(8), new ReLU(), new Linear(8, 4, g));
        using var adamW = new AdamW(other.Parameters(), new AdamWOptions(0.01));
        // The modules and the EMA target fit; the optimiser (AdamW, the checkpoint holds SGD) does not.
        Assert.Throws<ArgumentException>(() => loaded.Restore(new Dictionary<string, Module> { ["online"] = run.Online }, adamW, run.Ema, run.Generators));
        Assert.All(weights, w => Assert.Equal(w.Values, run.Online.StateDict()[w.Key].To(DType.Float64).ToArray<double>()));
        Assert.Equal(target, run.Ema.Target.StateDict().Select(kv => kv.Value.To(DType.Float64).ToArray<double>()).ToList());
        Assert.Equal(updates, run.Ema.Updates);
        Assert.Equal(state, run.Data.GetState());
    }
}
