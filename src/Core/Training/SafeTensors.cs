using System.Buffers.Binary;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using ReLICv2.Nn;

namespace ReLICv2.Training;

/// <summary>
/// Reads and writes the Hugging Face safetensors format, readable by Python's <c>safetensors</c> and <c>torch</c> loaders:
/// an 8-byte little-endian header length N, N bytes of UTF-8 JSON (padded with spaces to a multiple of 8) mapping each
/// tensor name to <c>{"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}</c> (plus an optional
/// <c>"__metadata__"</c> string map), then the raw little-endian row-major data, offsets relative to its start.
/// </summary>
/// <remarks>
/// Reading validates as the reference implementation does: the header is UTF-8 JSON of at most 100 MB naming each tensor once,
/// every dtype is known, every shape's element count fits a long,
/// each tensor's byte size equals its element count times the dtype size, the tensors cover the data section contiguously
/// (no gaps, no overlaps, starting at 0) and the file ends exactly where the data ends. A file that fails any check is
/// refused with an <see cref="InvalidDataException"/> naming it. Writes go to a temporary file that is flushed to disk and
/// then renamed over the destination, so a crash never leaves a half-written file under the final name.
/// </remarks>
public static class SafeTensors
{
    /// <summary>The largest header the reader accepts (as the reference implementation: 100 MB).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private const string MetadataKey = "__metadata__";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The safetensors dtype code of <paramref name="dtype"/> (F32, F64, F16, I64, I32, I16, I8, U8, BOOL).</summary>
    public static string DTypeCode(DType dtype) => dtype switch
    {
        DType.Float32 => "F32",
        DType.Float64 => "F64",
        DType.Float16 => "F16",
        DType.Int64 => "I64",
        DType.Int32 => "I32",
        DType.Int16 => "I16",
        DType.Int8 => "I8",
        DType.UInt8 => "U8",
        DType.Bool => "BOOL",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "SafeTensors: no safetensors code for this dtype"),
    };

    private static DType? ParseDType(string code) => code switch
    {
        "F32" => DType.Float32,
        "F64" => DType.Float64,
        "F16" => DType.Float16,
        "I64" => DType.Int64,
        "I32" => DType.Int32,
        "I16" => DType.Int16,
        "I8" => DType.Int8,
        "U8" => DType.UInt8,
        "BOOL" => DType.Bool,
        _ => null,
    };

    /// <summary>
    /// Writes <paramref name="tensors"/> (in the given order, copied to the CPU) and optional string
    /// <paramref name="metadata"/> to <paramref name="path"/> atomically (temporary file, flush to disk, rename).
    /// </summary>
    public static void Write(string path, IEnumerable<NamedTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var write = Writer(tensors, metadata);
        AtomicFile.Write(path, write);
    }

    /// <summary>
    /// Validates <paramref name="tensors"/> and lays out the header now, and returns the action that writes the whole file to a
    /// stream: for writing a safetensors file together with other files (<see cref="AtomicFile.WriteTogether"/>).
    /// </summary>
    public static Action<Stream> Writer(IEnumerable<NamedTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("SafeTensors: writing needs a little-endian machine");
        var list = tensors.ToList();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, _) in list)
        {
            if (string.IsNullOrEmpty(name) || name == MetadataKey) throw new ArgumentException($"SafeTensors.Write: invalid tensor name '{name}'", nameof(tensors));
            if (!names.Add(name)) throw new ArgumentException($"SafeTensors.Write: duplicate tensor name '{name}'", nameof(tensors));
        }

        var header = new MemoryStream();
        var sizes = new long[list.Count];
        // Names are written as the reference writer (serde_json) writes them: only quotes, backslashes and control characters
        // escaped, so that a file reads back and writes again byte for byte.
        using (var json = new Utf8JsonWriter(header, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(MetadataKey);
                foreach (var (k, v) in metadata) json.WriteString(k, v);
                json.WriteEndObject();
            }
            long offset = 0;
            for (var i = 0; i < list.Count; i++)
            {
                var (name, t) = list[i];
                sizes[i] = t.NumEl * t.DType.ElementSize();
                json.WriteStartObject(name);
                json.WriteString("dtype", DTypeCode(t.DType));
                json.WriteStartArray("shape");
                foreach (var s in t.Shape) json.WriteNumberValue(s);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + sizes[i]);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += sizes[i];
            }
            json.WriteEndObject();
        }
        while (header.Length % 8 != 0) header.WriteByte((byte)' ');

        return stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
            stream.Write(length);
            header.Position = 0;
            header.CopyTo(stream);
            for (var i = 0; i < list.Count; i++) WriteData(stream, list[i].Tensor, sizes[i]);
        };
    }

    private static unsafe void WriteData(Stream stream, Tensor tensor, long bytes)
    {
        if (bytes == 0) return;
        using var scope = Torch.NewScope();
        var host = tensor.Detach().To(Device.Cpu).Contiguous();
        var buffer = new byte[checked((int)bytes)];
        fixed (byte* p = buffer) TorchException.Check(Native.rs_copy_to_host(host.H, p, bytes));
        stream.Write(buffer);
    }

    /// <summary>
    /// Reads every tensor of <paramref name="path"/> (CPU tensors outside any scope, in data order) into a state dict that owns
    /// them; dispose it when done.
    /// </summary>
    /// <exception cref="InvalidDataException">When the file is truncated, corrupt or not safetensors; the message names the file.</exception>
    public static StateDict Read(string path) => Read(path, out _);

    /// <summary>The <c>__metadata__</c> string map of <paramref name="path"/> (empty when absent), validating the whole header.</summary>
    public static IReadOnlyDictionary<string, string> ReadMetadata(string path)
    {
        using var stream = OpenForRead(path);
        return ReadHeader(path, stream).Metadata;
    }

    /// <summary>Reads the tensors and the metadata of <paramref name="path"/>.</summary>
    public static StateDict Read(string path, out IReadOnlyDictionary<string, string> metadata)
    {
        using var stream = OpenForRead(path);
        var header = ReadHeader(path, stream);
        metadata = header.Metadata;
        var result = new List<NamedTensor>();
        try
        {
            foreach (var e in header.Entries)
            {
                if (e.End - e.Begin > Array.MaxLength)
                    throw new InvalidDataException($"safetensors file '{path}': tensor '{e.Name}' has {e.End - e.Begin} bytes, more than this reader holds in one array ({Array.MaxLength})");
                var buffer = new byte[e.End - e.Begin];
                stream.ReadExactly(buffer);
                Tensor tensor;
                try
                {
                    tensor = FromBytes(buffer, e.Shape, e.DType);
                }
                catch (TorchException ex)
                {
                    throw new InvalidDataException($"safetensors file '{path}': tensor '{e.Name}' of shape [{string.Join(", ", e.Shape)}] cannot be made ({ex.Message})", ex);
                }
                result.Add(new NamedTensor(e.Name, tensor.DetachFromScope()));
            }
        }
        catch
        {
            foreach (var t in result) t.Tensor.Dispose();
            throw;
        }
        return new StateDict(result, ownsTensors: true);
    }

    private static unsafe Tensor FromBytes(byte[] data, long[] shape, DType dtype)
    {
        fixed (byte* p = data)
        fixed (long* s = shape)
            return Tensor.Wrap(Native.rs_from_data(p, data.LongLength, s, shape.Length, (int)dtype, out var r), r);
    }

    private static FileStream OpenForRead(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"safetensors file '{path}' does not exist", path);
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
    }

    private sealed record Entry(string Name, DType DType, long[] Shape, long Begin, long End);

    private sealed record Header(IReadOnlyList<Entry> Entries, IReadOnlyDictionary<string, string> Metadata);

    private static Header ReadHeader(string path, FileStream stream)
    {
        InvalidDataException Bad(string why) => new($"safetensors file '{path}' is truncated or corrupt: {why}");
        var fileLength = stream.Length;
        if (fileLength < 8) throw Bad($"it has {fileLength} bytes, fewer than the 8-byte header length");
        Span<byte> lengthBytes = stackalloc byte[8];
        stream.ReadExactly(lengthBytes);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > MaxHeaderBytes) throw Bad($"the header length {headerLength} exceeds {MaxHeaderBytes} bytes");
        if (8 + (long)headerLength > fileLength) throw Bad($"the header length {headerLength} runs past the end of the {fileLength}-byte file");
        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        try
        {
            // JsonDocument reads invalid UTF-8 inside strings and fails only when a name is asked for, with an
            // InvalidOperationException; checking the whole header first keeps every refusal an InvalidDataException.
            StrictUtf8.GetCharCount(headerBytes);
        }
        catch (DecoderFallbackException ex)
        {
            throw Bad($"the header is not valid UTF-8 (byte {ex.Index} of the header)");
        }
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(headerBytes);
        }
        catch (JsonException ex)
        {
            throw Bad($"the header is not valid JSON ({ex.Message})");
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw Bad("the header is not a JSON object");
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var entries = new List<Entry>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                // JSON readers disagree on repeated keys (first wins, last wins, error); a file that repeats one is refused.
                if (!names.Add(prop.Name)) throw Bad($"the header names '{prop.Name}' twice");
                if (prop.Name == MetadataKey)
                {
                    if (prop.Value.ValueKind != JsonValueKind.Object) throw Bad("__metadata__ is not an object");
                    foreach (var m in prop.Value.EnumerateObject())
                        metadata[m.Name] = m.Value.ValueKind == JsonValueKind.String ? m.Value.GetString()! : throw Bad($"__metadata__ value '{m.Name}' is not a string");
                    continue;
                }
                entries.Add(ParseEntry(prop, Bad));
            }
            entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
            long expected = 0;
            foreach (var e in entries)
            {
                if (e.Begin != expected) throw Bad($"tensor '{e.Name}' starts at data offset {e.Begin}, expected {expected} (tensors must be contiguous)");
                expected = e.End;
            }
            var dataLength = fileLength - 8 - (long)headerLength;
            if (expected != dataLength) throw Bad($"the tensors cover {expected} data bytes but the file holds {dataLength}");
            return new Header(entries, metadata);
        }
    }

    private static Entry ParseEntry(JsonProperty prop, Func<string, InvalidDataException> bad)
    {
        var name = prop.Name;
        var v = prop.Value;
        if (v.ValueKind != JsonValueKind.Object) throw bad($"entry '{name}' is {v.ValueKind}, not an object with dtype, shape and data_offsets");
        JsonElement Field(string field, JsonValueKind kind) =>
            !v.TryGetProperty(field, out var value) ? throw bad($"entry '{name}' has no field '{field}'")
            : value.ValueKind != kind ? throw bad($"entry '{name}' field '{field}' is {value.ValueKind}, not {kind}")
            : value;
        var dtypeJson = Field("dtype", JsonValueKind.String);
        var shapeJson = Field("shape", JsonValueKind.Array);
        var offsetsJson = Field("data_offsets", JsonValueKind.Array);
        var dtype = ParseDType(dtypeJson.GetString()!) ?? throw bad($"entry '{name}' has unsupported dtype '{dtypeJson.GetString()}' (allowed: F32, F64, F16, I64, I32, I16, I8, U8, BOOL)");
        var shape = new long[shapeJson.GetArrayLength()];
        var i = 0;
        foreach (var s in shapeJson.EnumerateArray())
        {
            if (s.ValueKind != JsonValueKind.Number || !s.TryGetInt64(out var d) || d < 0)
                throw bad($"entry '{name}' field 'shape' has {s.GetRawText()} at dimension {i}, not a whole number in [0, {long.MaxValue}]");
            shape[i++] = d;
        }
        if (offsetsJson.GetArrayLength() != 2) throw bad($"entry '{name}' field 'data_offsets' has {offsetsJson.GetArrayLength()} values, not [begin, end]");
        var offsets = offsetsJson.EnumerateArray().Select(o => o.ValueKind == JsonValueKind.Number && o.TryGetInt64(out var x) && x >= 0 ? x : -1).ToArray();
        if (offsets[0] < 0 || offsets[1] < offsets[0])
            throw bad($"entry '{name}' field 'data_offsets' is {offsetsJson.GetRawText()}, not whole numbers 0 <= begin <= end");
        long numel = 1, nonZero = 1;
        try
        {
            foreach (var d in shape)
            {
                numel = checked(numel * d);
                // A zero dimension makes the product 0 whatever the others are, but libtorch computes strides from the
                // others and overflows on them: the non-zero dimensions must multiply within a long as well.
                if (d != 0) nonZero = checked(nonZero * d);
            }
            _ = checked(nonZero * dtype.ElementSize());
            if (checked(numel * dtype.ElementSize()) != offsets[1] - offsets[0])
                throw bad($"entry '{name}' has {offsets[1] - offsets[0]} bytes but shape [{string.Join(", ", shape)}] of {DTypeCode(dtype)} needs {numel * dtype.ElementSize()}");
        }
        catch (OverflowException)
        {
            throw bad($"entry '{name}' field 'shape' [{string.Join(", ", shape)}] has more elements than a long counts");
        }
        return new Entry(name, dtype, shape, offsets[0], offsets[1]);
    }
}
