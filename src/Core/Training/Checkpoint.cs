using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using ReLICv2.Nn;
using ReLICv2.Optim;

namespace ReLICv2.Training;

/// <summary>
/// A snapshot of a training run from which it resumes exactly: the state dicts of named modules (online network, heads,
/// the EMA target), the optimiser state, the EMA schedule position, random-generator states, the step and free-form metadata.
/// Saved as two files: <c>&lt;path&gt;.safetensors</c> with every tensor (module tensors named <c>&lt;module&gt;.&lt;key&gt;</c>, so
/// <c>online.layer1.0.conv1.weight</c>; optimiser buffers <c>__optimizer__.&lt;index&gt;.&lt;buffer&gt;</c>) and the JSON sidecar
/// <c>&lt;path&gt;.json</c> with the rest and the weights file's length and SHA-256. Both are written atomically, the sidecar last,
/// so a checkpoint whose weights are missing, truncated or from another save is refused on load with an error naming the file.
/// </summary>
public sealed class Checkpoint : IDisposable
{
    /// <summary>The sidecar's <c>format</c> field.</summary>
    public const string FormatName = "relicv2-checkpoint";

    /// <summary>The sidecar's <c>version</c> field written by this code.</summary>
    public const int FormatVersion = 1;

    /// <summary>The module name under which <see cref="Capture"/> stores the EMA target network.</summary>
    public const string EmaTargetName = "ema_target";

    private const string OptimizerPrefix = "__optimizer__";

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
    /// imports its state, the EMA target gets its weights and schedule position, each generator its state.
    /// </summary>
    /// <exception cref="ArgumentException">When something asked for is not in the checkpoint, or does not fit.</exception>
    public void Restore(IReadOnlyDictionary<string, Module> modules, Optimizer? optimizer = null, EmaTarget? ema = null,
        IReadOnlyDictionary<string, Generator>? generators = null)
    {
        ArgumentNullException.ThrowIfNull(modules);
        StateDict Saved(string name) => this.modules.TryGetValue(name, out var sd) ? sd
            : throw new ArgumentException($"Checkpoint.Restore: the checkpoint has no module '{name}' (it has: {string.Join(", ", this.modules.Keys)})", nameof(modules));
        foreach (var (name, module) in modules) module.LoadStateDict(Saved(name));
        if (optimizer is not null)
        {
            if (Optimizer is null) throw new ArgumentException("Checkpoint.Restore: the checkpoint has no optimiser state", nameof(optimizer));
            optimizer.ImportState(Optimizer);
        }
        if (ema is not null)
        {
            if (EmaUpdates is not { } updates) throw new ArgumentException("Checkpoint.Restore: the checkpoint has no EMA target", nameof(ema));
            ema.Target.LoadStateDict(Saved(EmaTargetName));
            ema.Restore(updates);
        }
        foreach (var (name, g) in generators ?? new Dictionary<string, Generator>())
        {
            if (!GeneratorStates.TryGetValue(name, out var state))
                throw new ArgumentException($"Checkpoint.Restore: the checkpoint has no generator '{name}' (it has: {string.Join(", ", GeneratorStates.Keys)})", nameof(generators));
            g.SetState(state);
        }
    }

    /// <summary>Writes <c>&lt;path&gt;.safetensors</c> and then <c>&lt;path&gt;.json</c>, each atomically.</summary>
    public void Save(string path)
    {
        var weightsPath = WeightsPath(path);
        var tensors = modules.SelectMany(m => m.Value.Select(kv => new NamedTensor($"{m.Key}.{kv.Key}", kv.Value))).ToList();
        if (Optimizer is not null) tensors.AddRange(Optimizer.Tensors.Select(kv => new NamedTensor($"{OptimizerPrefix}.{kv.Key}", kv.Value)));
        SafeTensors.Write(weightsPath, tensors, new Dictionary<string, string>
        {
            ["format"] = "pt",
            ["relicv2.step"] = Step.ToString(CultureInfo.InvariantCulture),
        });
        var (length, sha) = Fingerprint(weightsPath);

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("format", FormatName);
            json.WriteNumber("version", FormatVersion);
            json.WriteNumber("step", Step);
            json.WriteStartObject("weights");
            json.WriteString("file", Path.GetFileName(weightsPath));
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
            json.WriteEndObject();
        }
        AtomicFile.WriteAllBytes(SidecarPath(path), buffer.ToArray());
    }

    /// <summary>Reads and verifies a checkpoint written by <see cref="Save"/>.</summary>
    /// <exception cref="InvalidDataException">When either file is missing, truncated, corrupt or does not match the other; the message names the file.</exception>
    public static Checkpoint Load(string path)
    {
        var sidecar = SidecarPath(path);
        if (!File.Exists(sidecar)) throw new InvalidDataException($"checkpoint sidecar '{sidecar}' does not exist (an incomplete or missing checkpoint)");
        InvalidDataException Bad(string why) => new($"checkpoint sidecar '{sidecar}' is corrupt: {why}");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(File.ReadAllBytes(sidecar));
        }
        catch (JsonException ex)
        {
            throw Bad($"not valid JSON ({ex.Message})");
        }
        using (doc)
        {
            try
            {
                var root = doc.RootElement;
                if (root.GetProperty("format").GetString() != FormatName) throw Bad($"format is not '{FormatName}'");
                var version = root.GetProperty("version").GetInt32();
                if (version != FormatVersion) throw Bad($"version {version} is not supported (this code reads version {FormatVersion})");
                var weights = root.GetProperty("weights");
                var weightsPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(sidecar)) ?? ".", weights.GetProperty("file").GetString()!);
                if (!File.Exists(weightsPath)) throw new InvalidDataException($"checkpoint weights '{weightsPath}' named by '{sidecar}' do not exist");
                var (length, sha) = Fingerprint(weightsPath);
                var wantLength = weights.GetProperty("bytes").GetInt64();
                if (length != wantLength)
                    throw new InvalidDataException($"checkpoint weights '{weightsPath}' have {length} bytes, the sidecar '{sidecar}' records {wantLength}: truncated or from another save");
                if (sha != weights.GetProperty("sha256").GetString())
                    throw new InvalidDataException($"checkpoint weights '{weightsPath}' do not match the SHA-256 recorded in '{sidecar}': corrupt or from another save");

                var moduleNames = root.GetProperty("modules").EnumerateArray().Select(e => e.GetString()!).ToList();
                using var all = SafeTensors.Read(weightsPath);
                var grouped = moduleNames.ToDictionary(n => n, _ => new List<NamedTensor>(), StringComparer.Ordinal);
                var optimizerTensors = new List<NamedTensor>();
                var owned = new List<Tensor>();
                foreach (var (key, t) in all)
                {
                    var dot = key.IndexOf('.', StringComparison.Ordinal);
                    var prefix = dot > 0 ? key[..dot] : "";
                    if (prefix == OptimizerPrefix) optimizerTensors.Add(new NamedTensor(key[(dot + 1)..], t));
                    else if (grouped.TryGetValue(prefix, out var list)) list.Add(new NamedTensor(key[(dot + 1)..], t));
                    else throw new InvalidDataException($"checkpoint weights '{weightsPath}' hold tensor '{key}', which belongs to no module listed in '{sidecar}'");
                }
                // Ownership moves from the file's state dict to the checkpoint: take new handles, the file's are freed on return.
                Tensor Keep(Tensor t) => t.Alias().DetachFromScope();
                var moduleDicts = grouped.ToDictionary(g => g.Key, g => new StateDict(g.Value.Select(e => new NamedTensor(e.Name, Keep(e.Tensor))), ownsTensors: true),
                    StringComparer.Ordinal);

                OptimizerState? optimizer = null;
                if (root.TryGetProperty("optimizer", out var o))
                {
                    optimizer = new OptimizerState(o.GetProperty("kind").GetString()!, o.GetProperty("step_count").GetInt64(),
                        o.GetProperty("lr_multiplier").GetDouble(), o.GetProperty("parameter_steps").EnumerateArray().Select(e => e.GetInt64()).ToList(),
                        new StateDict(optimizerTensors.Select(e => new NamedTensor(e.Name, Keep(e.Tensor))), ownsTensors: true));
                }
                long? emaUpdates = root.TryGetProperty("ema", out var ema) ? ema.GetProperty("updates").GetInt64() : null;
                var rng = root.GetProperty("rng").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetBytesFromBase64(), StringComparer.Ordinal);
                var metadata = root.GetProperty("metadata").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
                return new Checkpoint(root.GetProperty("step").GetInt64(), moduleDicts, optimizer, emaUpdates, rng, metadata);
            }
            catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw Bad($"a field is missing or has the wrong type ({ex.Message})");
            }
        }
    }

    private static (long Length, string Sha256) Fingerprint(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var hash = SHA256.HashData(stream);
        return (stream.Length, Convert.ToHexStringLower(hash));
    }

    /// <summary>Frees the copied tensors.</summary>
    public void Dispose()
    {
        foreach (var sd in modules.Values) sd.Dispose();
        Optimizer?.Dispose();
    }
}
