using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ReLICv2.Training;

/// <summary>
/// The fields of a checkpoint's JSON sidecar (docs/architecture.md §6.2), read and validated before any tensor is touched:
/// a sidecar that is not UTF-8 JSON, repeats a field, fails its own SHA-256 (version 2), or has a field missing, of the wrong
/// type or out of range is refused with an <see cref="InvalidDataException"/> naming the file, the field and the value.
/// </summary>
internal sealed record CheckpointSidecar(long Step, string WeightsFile, long WeightsBytes, string WeightsSha256, IReadOnlyList<string> Modules,
    CheckpointSidecar.OptimizerFields? Optimizer, long? EmaUpdates, IReadOnlyDictionary<string, byte[]> Rng, IReadOnlyDictionary<string, string> Metadata)
{
    /// <summary>The optimiser's scalar state (its tensors are in the weights file).</summary>
    internal sealed record OptimizerFields(string Kind, long StepCount, double LearningRateMultiplier, IReadOnlyList<long> ParameterSteps);

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads and validates the sidecar at <paramref name="path"/>.</summary>
    public static CheckpointSidecar Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        InvalidDataException Bad(string why) => new($"checkpoint sidecar '{path}' is corrupt: {why}");
        try
        {
            StrictUtf8.GetCharCount(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw Bad($"not valid UTF-8 (byte {e.Index})");
        }
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(bytes);
        }
        catch (JsonException e)
        {
            throw Bad($"not valid JSON ({e.Message})");
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw Bad($"the document is {root.ValueKind}, not an object");
            CheckUnique(root, "", Bad);
            var reader = new Fields(Bad);
            var format = reader.Text(root, "", "format");
            if (format != Checkpoint.FormatName) throw Bad($"field 'format' is '{format}', not '{Checkpoint.FormatName}'");
            var version = reader.Whole(root, "", "version", 1, Checkpoint.FormatVersion);
            if (version >= 2)
            {
                var recorded = reader.Text(root, "", Checkpoint.SidecarChecksumField);
                if (!IsSha256(recorded) || !Checkpoint.SidecarChecksumHolds(bytes, recorded))
                    throw Bad($"field '{Checkpoint.SidecarChecksumField}' does not match the sidecar's content (changed after it was written)");
            }

            var step = reader.Whole(root, "", "step", 0, long.MaxValue);
            var weights = reader.Field(root, "", "weights", JsonValueKind.Object);
            var file = reader.Text(weights, "weights", "file");
            if (file.Length == 0 || file is "." or ".." || file.IndexOfAny(['/', '\\', '\0']) >= 0)
                throw Bad($"field 'weights.file' is '{file}', not the name of a file beside the sidecar");
            var length = reader.Whole(weights, "weights", "bytes", 0, long.MaxValue);
            var sha = reader.Text(weights, "weights", "sha256");
            if (!IsSha256(sha)) throw Bad($"field 'weights.sha256' is '{sha}', not 64 lower-case hexadecimal digits");

            var modules = new List<string>();
            foreach (var (m, i) in reader.Field(root, "", "modules", JsonValueKind.Array).EnumerateArray().Select((m, i) => (m, i)))
            {
                var name = m.ValueKind == JsonValueKind.String ? m.GetString()! : throw Bad($"field 'modules[{i}]' is {m.ValueKind}, not a string");
                if (name.Length == 0 || name.Contains('.') || name == Checkpoint.OptimizerPrefix || modules.Contains(name))
                    throw Bad($"field 'modules[{i}]' is '{name}', not a distinct non-empty module name without '.' (nor '{Checkpoint.OptimizerPrefix}')");
                modules.Add(name);
            }

            OptimizerFields? optimizer = null;
            if (root.TryGetProperty("optimizer", out _))
            {
                var o = reader.Field(root, "", "optimizer", JsonValueKind.Object);
                var kind = reader.Text(o, "optimizer", "kind");
                if (kind.Length == 0) throw Bad("field 'optimizer.kind' is empty");
                var lr = reader.Field(o, "optimizer", "lr_multiplier", JsonValueKind.Number);
                if (!lr.TryGetDouble(out var multiplier) || !double.IsFinite(multiplier))
                    throw Bad($"field 'optimizer.lr_multiplier' is {lr.GetRawText()}, not a finite number");
                var steps = reader.Field(o, "optimizer", "parameter_steps", JsonValueKind.Array).EnumerateArray()
                    .Select((e, i) => reader.Whole(e, $"optimizer.parameter_steps[{i}]", 0, long.MaxValue)).ToList();
                optimizer = new OptimizerFields(kind, reader.Whole(o, "optimizer", "step_count", 0, long.MaxValue), multiplier, steps);
            }
            long? ema = root.TryGetProperty("ema", out _)
                ? reader.Whole(reader.Field(root, "", "ema", JsonValueKind.Object), "ema", "updates", 0, long.MaxValue)
                : null;

            var rng = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            foreach (var p in reader.Field(root, "", "rng", JsonValueKind.Object).EnumerateObject())
            {
                if (p.Value.ValueKind != JsonValueKind.String || !p.Value.TryGetBytesFromBase64(out var state) || state.Length == 0)
                    throw Bad($"field 'rng.{p.Name}' is {Short(p.Value)}, not a base64 generator state");
                rng[p.Name] = state;
            }
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var p in reader.Field(root, "", "metadata", JsonValueKind.Object).EnumerateObject())
                metadata[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : throw Bad($"field 'metadata.{p.Name}' is {p.Value.ValueKind}, not a string");
            return new CheckpointSidecar(step, file, length, sha, modules, optimizer, ema, rng, metadata);
        }
    }

    private static bool IsSha256(string s) => s.Length == 64 && s.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');

    /// <summary>A JSON value for an error message, cut to 40 characters.</summary>
    private static string Short(JsonElement e)
    {
        var raw = e.GetRawText();
        return raw.Length <= 40 ? raw : raw[..40] + "…";
    }

    /// <summary>JSON readers disagree on a repeated name (first wins, last wins, error): a sidecar that repeats one is refused.</summary>
    private static void CheckUnique(JsonElement element, string where, Func<string, InvalidDataException> bad)
    {
        if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray()) CheckUnique(item, where, bad);
            return;
        }
        if (element.ValueKind != JsonValueKind.Object) return;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in element.EnumerateObject())
        {
            var name = where.Length == 0 ? p.Name : $"{where}.{p.Name}";
            if (!seen.Add(p.Name)) throw bad($"field '{name}' appears twice");
            CheckUnique(p.Value, name, bad);
        }
    }

    /// <summary>Typed field access whose errors name the field (dotted, from the root) and the value found.</summary>
    private sealed class Fields(Func<string, InvalidDataException> bad)
    {
        private static string Name(string parent, string field) => parent.Length == 0 ? field : $"{parent}.{field}";

        public JsonElement Field(JsonElement obj, string parent, string field, JsonValueKind kind)
        {
            if (!obj.TryGetProperty(field, out var value)) throw bad($"field '{Name(parent, field)}' is missing");
            if (value.ValueKind != kind) throw bad($"field '{Name(parent, field)}' is {Short(value)} ({value.ValueKind}), not {(kind is JsonValueKind.Array or JsonValueKind.Object ? "an" : "a")} {kind.ToString().ToLowerInvariant()}");
            return value;
        }

        public string Text(JsonElement obj, string parent, string field) => Field(obj, parent, field, JsonValueKind.String).GetString()!;

        public long Whole(JsonElement obj, string parent, string field, long min, long max) =>
            Whole(Field(obj, parent, field, JsonValueKind.Number), Name(parent, field), min, max);

        public long Whole(JsonElement value, string name, long min, long max) =>
            value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var x) && x >= min && x <= max ? x
                : throw bad($"field '{name}' is {Short(value)}, not a whole number in [{min.ToString(CultureInfo.InvariantCulture)}, {max.ToString(CultureInfo.InvariantCulture)}]");
    }
}
