using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ReLICv2.Nn;
using ReLICv2.Optim;

namespace ReLICv2.Training;

/// <summary>
/// A snapshot of a training run from which it resumes exactly: the state dicts of named modules (online network, heads,
/// the EMA target), the optimiser state, the EMA schedule position, random-generator states, the step and free-form metadata.
/// Saved as two files: <c>&lt;path&gt;.safetensors</c> with every tensor (module tensors named <c>&lt;module&gt;.&lt;key&gt;</c>, so
/// <c>online.layer1.0.conv1.weight</c>; optimiser buffers <c>__optimizer__.&lt;index&gt;.&lt;buffer&gt;</c>) and the JSON sidecar
/// <c>&lt;path&gt;.json</c> with the rest, the weights file's length and SHA-256, and its own SHA-256. Both are written before
/// either replaces the previous checkpoint (docs/architecture.md §6.2), and a checkpoint whose files are missing, truncated,
/// corrupt or from different saves is refused on load with an error naming the file and the field.
/// </summary>
public sealed class Checkpoint : IDisposable
{
    /// <summary>The sidecar's <c>format</c> field.</summary>
    public const string FormatName = "relicv2-checkpoint";

    /// <summary>
    /// The sidecar's <c>version</c> field written by this code: 2 adds <see cref="SidecarChecksumField"/>. Version 1 sidecars
    /// (without it) are still read.
    /// </summary>
    public const int FormatVersion = 2;

    /// <summary>The module name under which <see cref="Capture"/> stores the EMA target network.</summary>
    public const string EmaTargetName = "ema_target";

    internal const string OptimizerPrefix = "__optimizer__";

    /// <summary>The weights file's metadata key holding the step, checked against the sidecar's.</summary>
    private const string StepMetadataKey = "relicv2.step";

    /// <summary>The sidecar's last field: the SHA-256 of the sidecar with this field's value written as 64 zeros (version 2 on).</summary>
    public const string SidecarChecksumField = "sidecar_sha256";

    private static readonly string ChecksumPlaceholder = new('0', 64);

    private readonly Dictionary<string, StateDict> modules;

    private Checkpoint(long step, Dictionary<string, StateDict> modules, OptimizerState? optimizer, long? emaUpdates,
        IReadOnlyDictionary<string, byte[]> generatorStates, IReadOnlyDictionary<string, string> metadata)
    {
        Step = step;
        this.modules = modules;
        Optimizer = optimizer;
        EmaUpdates = emaUpdates;
        GeneratorStates = generatorStates;
        Metadata = metadata;
    }

    /// <summary>The training step the snapshot was taken after (the number of completed optimiser steps).</summary>
    public long Step { get; }

    /// <summary>State dicts (CPU copies) by module name.</summary>
    public IReadOnlyDictionary<string, StateDict> Modules => modules;

    /// <summary>The optimiser state, or null.</summary>
    public OptimizerState? Optimizer { get; }

    /// <summary>The EMA target's update count (the γ schedule position), or null without an EMA target.</summary>
    public long? EmaUpdates { get; }

    /// <summary>Random-generator states by name (<see cref="Generator.GetState"/>).</summary>
    public IReadOnlyDictionary<string, byte[]> GeneratorStates { get; }

    /// <summary>Free-form string metadata (experiment name, schedule description, …).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The weights file of the checkpoint at <paramref name="path"/> (<c>.safetensors</c> or <c>.json</c> suffixes are accepted).</summary>
    public static string WeightsPath(string path) => BasePath(path) + ".safetensors";

    /// <summary>The JSON sidecar of the checkpoint at <paramref name="path"/>.</summary>
    public static string SidecarPath(string path) => BasePath(path) + ".json";

    private static string BasePath(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        foreach (var ext in new[] { ".safetensors", ".json" })
            if (path.EndsWith(ext, StringComparison.OrdinalIgnoreCase)) return path[..^ext.Length];
        return path;
    }

    /// <summary>
    /// Copies the current state of a run (tensors are copied to the CPU, so training may continue while this is saved).
    /// </summary>
    /// <param name="step">Completed optimiser steps.</param>
    /// <param name="modules">Modules by name (names without '.'; <see cref="EmaTargetName"/> is reserved).</param>
    /// <param name="optimizer">The optimiser, if any.</param>
    /// <param name="ema">The EMA target, if any (its network is stored as <see cref="EmaTargetName"/>).</param>
    /// <param name="generators">Random generators by name.</param>
    /// <param name="metadata">Free-form strings.</param>
    public static Checkpoint Capture(long step, IReadOnlyDictionary<string, Module> modules, Optimizer? optimizer = null, EmaTarget? ema = null,
        IReadOnlyDictionary<string, Generator>? generators = null, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(modules);
        if (step < 0) throw new ArgumentOutOfRangeException(nameof(step), step, "Checkpoint.Capture: step must be >= 0");
        var all = modules.ToList();
        foreach (var (name, _) in all)
        {
            if (string.IsNullOrEmpty(name) || name.Contains('.') || name == EmaTargetName || name == OptimizerPrefix)
                throw new ArgumentException($"Checkpoint.Capture: module name '{name}' must be non-empty, without '.', and not '{EmaTargetName}' or '{OptimizerPrefix}'", nameof(modules));
        }
        if (ema is not null) all.Add(new KeyValuePair<string, Module>(EmaTargetName, ema.Target));
        var copies = new Dictionary<string, StateDict>(StringComparer.Ordinal);
        try
        {
            using (Torch.NoGrad())
            {
                foreach (var (name, module) in all)
                    copies[name] = new StateDict(module.StateDict().Select(kv =>
                        new NamedTensor(kv.Key, Torch.Scoped(() => kv.Value.Detach().To(Device.Cpu).Clone()).DetachFromScope())), ownsTensors: true);
            }
            return new Checkpoint(step, copies, optimizer?.ExportState(), ema?.Updates,
                (generators ?? new Dictionary<string, Generator>()).ToDictionary(kv => kv.Key, kv => kv.Value.GetState(), StringComparer.Ordinal),
                new Dictionary<string, string>(metadata ?? new Dictionary<string, string>(), StringComparer.Ordinal));
        }
        catch
        {
            foreach (var c in copies.Values) c.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Puts the saved state back into a run built the same way: each given module loads its state dict strictly, the optimiser
    /// imports its state, the EMA target gets its weights and schedule position, each generator its state. All or nothing:
    /// when any part does not fit, everything restored so far is put back as it was before the call.
    /// </summary>
    /// <exception cref="ArgumentException">When something asked for is not in the checkpoint, or does not fit.</exception>
    public void Restore(IReadOnlyDictionary<string, Module> modules, Optimizer? optimizer = null, EmaTarget? ema = null,
        IReadOnlyDictionary<string, Generator>? generators = null)
    {
        ArgumentNullException.ThrowIfNull(modules);
        generators ??= new Dictionary<string, Generator>();
        StateDict Saved(string name) => this.modules.TryGetValue(name, out var sd) ? sd
            : throw new ArgumentException($"Checkpoint.Restore: the checkpoint has no module '{name}' (it has: {string.Join(", ", this.modules.Keys)})", nameof(modules));
        // What can be checked without changing anything is checked first.
        foreach (var name in modules.Keys) Saved(name);
        if (optimizer is not null && Optimizer is null) throw new ArgumentException("Checkpoint.Restore: the checkpoint has no optimiser state", nameof(optimizer));
        if (ema is not null && (EmaUpdates is null || !this.modules.ContainsKey(EmaTargetName)))
            throw new ArgumentException("Checkpoint.Restore: the checkpoint has no EMA target", nameof(ema));
        foreach (var (name, g) in generators)
        {
            if (!GeneratorStates.TryGetValue(name, out var state))
                throw new ArgumentException($"Checkpoint.Restore: the checkpoint has no generator '{name}' (it has: {string.Join(", ", GeneratorStates.Keys)})", nameof(generators));
            var expected = g.GetState().Length;
            if (state.Length != expected)
                throw new ArgumentException($"Checkpoint.Restore: generator '{name}' has a saved state of {state.Length} bytes, this generator's state has {expected}", nameof(generators));
        }

        using var before = Snapshot.Take(modules, optimizer, ema, generators);
        try
        {
            foreach (var (name, module) in modules) module.LoadStateDict(Saved(name));
            optimizer?.ImportState(Optimizer!);
            if (ema is not null)
            {
                ema.Target.LoadStateDict(Saved(EmaTargetName));
                ema.Restore(EmaUpdates!.Value);
            }
            foreach (var (name, g) in generators) g.SetState(GeneratorStates[name]);
        }
        catch
        {
            before.PutBack(modules, optimizer, ema, generators);
            throw;
        }
    }

    /// <summary>The state a <see cref="Restore"/> replaces, to put back when it fails half-way.</summary>
    private sealed class Snapshot : IDisposable
    {
        private readonly Dictionary<string, StateDict> modules = new(StringComparer.Ordinal);
        private StateDict? emaTarget;
        private long emaUpdates;
        private OptimizerState? optimizer;
        private readonly Dictionary<string, byte[]> generators = new(StringComparer.Ordinal);

        public static Snapshot Take(IReadOnlyDictionary<string, Module> modules, Optimizer? optimizer, EmaTarget? ema, IReadOnlyDictionary<string, Generator> generators)
        {
            var s = new Snapshot();
            try
            {
                foreach (var (name, m) in modules) s.modules[name] = Copy(m);
                if (ema is not null)
                {
                    s.emaTarget = Copy(ema.Target);
                    s.emaUpdates = ema.Updates;
                }
                s.optimizer = optimizer?.ExportState();
                foreach (var (name, g) in generators) s.generators[name] = g.GetState();
                return s;
            }
            catch
            {
                s.Dispose();
                throw;
            }
        }

        private static StateDict Copy(Module m)
        {
            using (Torch.NoGrad())
                return new StateDict(m.StateDict().Select(kv => new NamedTensor(kv.Key, Torch.Scoped(() => kv.Value.Detach().Clone()).DetachFromScope())), ownsTensors: true);
        }

        public void PutBack(IReadOnlyDictionary<string, Module> modules, Optimizer? optimizer, EmaTarget? ema, IReadOnlyDictionary<string, Generator> generators)
        {
            foreach (var (name, m) in modules) m.LoadStateDict(this.modules[name]);
            if (ema is not null)
            {
                ema.Target.LoadStateDict(emaTarget!);
                ema.Restore(emaUpdates);
            }
            if (optimizer is not null) optimizer.ImportState(this.optimizer!);
            foreach (var (name, g) in generators) g.SetState(this.generators[name]);
        }

        public void Dispose()
        {
            foreach (var sd in modules.Values) sd.Dispose();
            emaTarget?.Dispose();
            optimizer?.Dispose();
        }
    }

    /// <summary>
    /// Writes <c>&lt;path&gt;.safetensors</c> and <c>&lt;path&gt;.json</c> together (<see cref="AtomicFile.WriteTogether"/>): both are
    /// written to temporary files before either replaces the previous checkpoint, so a save that fails leaves the previous
    /// checkpoint whole; the sidecar, which records the weights' length and SHA-256, is renamed last.
    /// </summary>
    public void Save(string path)
    {
        var weightsPath = WeightsPath(path);
        var tensors = modules.SelectMany(m => m.Value.Select(kv => new NamedTensor($"{m.Key}.{kv.Key}", kv.Value))).ToList();
        if (Optimizer is not null) tensors.AddRange(Optimizer.Tensors.Select(kv => new NamedTensor($"{OptimizerPrefix}.{kv.Key}", kv.Value)));
        var writeWeights = SafeTensors.Writer(tensors, new Dictionary<string, string>
        {
            ["format"] = "pt",
            [StepMetadataKey] = Step.ToString(CultureInfo.InvariantCulture),
        });
        long length = 0;
        var sha = "";
        AtomicFile.WriteTogether(
        [
            (weightsPath, stream =>
            {
                using var hashing = new HashingStream(stream);
                writeWeights(hashing);
                (length, sha) = (hashing.Length, hashing.Sha256());
            }),
            (SidecarPath(path), stream => stream.Write(SidecarBytes(Path.GetFileName(weightsPath), length, sha))),
        ]);
    }

    /// <summary>The sidecar's content, its own SHA-256 (<see cref="SidecarChecksumField"/>) last.</summary>
    private byte[] SidecarBytes(string weightsFile, long length, string sha)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("format", FormatName);
            json.WriteNumber("version", FormatVersion);
            json.WriteNumber("step", Step);
            json.WriteStartObject("weights");
            json.WriteString("file", weightsFile);
            json.WriteNumber("bytes", length);
            json.WriteString("sha256", sha);
            json.WriteEndObject();
            json.WriteStartArray("modules");
            foreach (var name in modules.Keys) json.WriteStringValue(name);
            json.WriteEndArray();
            if (Optimizer is { } o)
            {
                json.WriteStartObject("optimizer");
                json.WriteString("kind", o.Kind);
                json.WriteNumber("step_count", o.StepCount);
                json.WriteNumber("lr_multiplier", o.LearningRateMultiplier);
                json.WriteStartArray("parameter_steps");
                foreach (var s in o.ParameterSteps) json.WriteNumberValue(s);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            if (EmaUpdates is { } updates)
            {
                json.WriteStartObject("ema");
                json.WriteNumber("updates", updates);
                json.WriteEndObject();
            }
            json.WriteStartObject("rng");
            foreach (var (name, state) in GeneratorStates) json.WriteBase64String(name, state);
            json.WriteEndObject();
            json.WriteStartObject("metadata");
            foreach (var (k, v) in Metadata) json.WriteString(k, v);
            json.WriteEndObject();
            json.WriteString(SidecarChecksumField, ChecksumPlaceholder);
            json.WriteEndObject();
        }
        var bytes = buffer.ToArray();
        var at = ChecksumPosition(bytes, ChecksumPlaceholder);
        Encoding.ASCII.GetBytes(Convert.ToHexStringLower(SHA256.HashData(bytes))).CopyTo(bytes, at);
        return bytes;
    }

    /// <summary>
    /// Where the value of the sidecar's checksum field starts in <paramref name="bytes"/>, or -1 when the field does not appear
    /// exactly once with that value, as written by <see cref="SidecarBytes"/>.
    /// </summary>
    private static int ChecksumPosition(byte[] bytes, string value)
    {
        var pattern = Encoding.ASCII.GetBytes($"\"{SidecarChecksumField}\": \"{value}\"");
        var at = bytes.AsSpan().IndexOf(pattern);
        if (at < 0 || bytes.AsSpan(at + 1).IndexOf(pattern) >= 0) return -1;
        return at + pattern.Length - value.Length - 1;
    }

    /// <summary>Reads and verifies a checkpoint written by <see cref="Save"/>.</summary>
    /// <exception cref="InvalidDataException">
    /// When either file is missing, truncated, corrupt or does not match the other: the message names the file and, for the
    /// sidecar, the field. Nothing is left allocated.
    /// </exception>
    public static Checkpoint Load(string path)
    {
        var sidecarPath = SidecarPath(path);
        if (!File.Exists(sidecarPath)) throw new InvalidDataException($"checkpoint sidecar '{sidecarPath}' does not exist (an incomplete or missing checkpoint)");
        var sidecar = CheckpointSidecar.Read(sidecarPath);
        var weightsPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(sidecarPath)) ?? ".", sidecar.WeightsFile);
        if (!File.Exists(weightsPath)) throw new InvalidDataException($"checkpoint weights '{weightsPath}' named by '{sidecarPath}' do not exist");
        var (length, sha) = Fingerprint(weightsPath);
        if (length != sidecar.WeightsBytes)
            throw new InvalidDataException($"checkpoint weights '{weightsPath}' have {length} bytes, the sidecar '{sidecarPath}' records {sidecar.WeightsBytes}: truncated or from another save");
        if (sha != sidecar.WeightsSha256)
            throw new InvalidDataException($"checkpoint weights '{weightsPath}' do not match the SHA-256 recorded in '{sidecarPath}': corrupt or from another save");

        using var all = SafeTensors.Read(weightsPath, out var weightsMetadata);
        if (weightsMetadata.TryGetValue(StepMetadataKey, out var weightsStep) && weightsStep != sidecar.Step.ToString(CultureInfo.InvariantCulture))
            throw new InvalidDataException($"checkpoint weights '{weightsPath}' are of step {weightsStep} (metadata '{StepMetadataKey}'), the sidecar '{sidecarPath}' records step {sidecar.Step}: from another save");
        var grouped = sidecar.Modules.ToDictionary(n => n, _ => new List<NamedTensor>(), StringComparer.Ordinal);
        var optimizerTensors = new List<NamedTensor>();
        foreach (var (key, t) in all)
        {
            var dot = key.IndexOf('.', StringComparison.Ordinal);
            var prefix = dot > 0 ? key[..dot] : "";
            if (prefix == OptimizerPrefix && sidecar.Optimizer is not null) optimizerTensors.Add(new NamedTensor(key[(dot + 1)..], t));
            else if (grouped.TryGetValue(prefix, out var list)) list.Add(new NamedTensor(key[(dot + 1)..], t));
            else throw new InvalidDataException($"checkpoint weights '{weightsPath}' hold tensor '{key}', which belongs to no module listed in '{sidecarPath}' (field 'modules')");
        }

        // Ownership moves from the file's state dict to the checkpoint: take new handles (the file's are freed on return), and
        // free every one taken so far when something fails.
        var moduleDicts = new Dictionary<string, StateDict>(StringComparer.Ordinal);
        OptimizerState? optimizer = null;
        try
        {
            foreach (var (name, entries) in grouped)
                moduleDicts[name] = new StateDict(entries.Select(e => new NamedTensor(e.Name, Keep(e.Tensor))), ownsTensors: true);
            if (sidecar.Optimizer is { } o)
                optimizer = new OptimizerState(o.Kind, o.StepCount, o.LearningRateMultiplier, o.ParameterSteps,
                    new StateDict(optimizerTensors.Select(e => new NamedTensor(e.Name, Keep(e.Tensor))), ownsTensors: true));
            return new Checkpoint(sidecar.Step, moduleDicts, optimizer, sidecar.EmaUpdates, sidecar.Rng, sidecar.Metadata);
        }
        catch
        {
            foreach (var sd in moduleDicts.Values) sd.Dispose();
            optimizer?.Dispose();
            throw;
        }
    }

    private static Tensor Keep(Tensor t) => t.Alias().DetachFromScope();

    private static (long Length, string Sha256) Fingerprint(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var hash = SHA256.HashData(stream);
        return (stream.Length, Convert.ToHexStringLower(hash));
    }

    /// <summary>Whether <paramref name="bytes"/> carry the checksum <see cref="SidecarBytes"/> wrote: their SHA-256 with <paramref name="recorded"/> zeroed.</summary>
    internal static bool SidecarChecksumHolds(byte[] bytes, string recorded)
    {
        var at = ChecksumPosition(bytes, recorded);
        if (at < 0) return false;
        var copy = (byte[])bytes.Clone();
        Encoding.ASCII.GetBytes(ChecksumPlaceholder).CopyTo(copy, at);
        return Convert.ToHexStringLower(SHA256.HashData(copy)) == recorded;
    }

    /// <summary>Frees the copied tensors.</summary>
    public void Dispose()
    {
        foreach (var sd in modules.Values) sd.Dispose();
        Optimizer?.Dispose();
    }
}
