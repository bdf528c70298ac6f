using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using ReLICv2.Nn;
using ReLICv2.Training;
using Xunit;

namespace ReLICv2.Tests;

/// <summary>
/// Safetensors files that are damaged or whose header lies: every one is refused with an <see cref="InvalidDataException"/>
/// naming the file (and the entry and field at fault), never another exception, and a file that does read holds exactly what
/// its bytes say.
/// </summary>
public sealed class SafeTensorsHostileTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("relic-st-hostile-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private string NewPath() => Path.Combine(dir, $"f{Guid.NewGuid():N}.safetensors");

    private static readonly Dictionary<string, string> Meta = new() { ["format"] = "pt", ["note"] = "hostile" };

    /// <summary>A small valid file of several dtypes with metadata.</summary>
    private byte[] ValidFile()
    {
        var path = NewPath();
        using (Torch.NewScope())
        {
            using var g = new Generator(7);
            SafeTensors.Write(path,
            [
                new NamedTensor("w", Torch.Randn(g, 2, 3)),
                new NamedTensor("n", Torch.RandInt(-50, 50, [3], g)),
                new NamedTensor("u", Torch.RandInt(0, 256, [5], g, DType.UInt8)),
                new NamedTensor("h", Torch.Randn(g, 2).To(DType.Float16)),
            ], Meta);
        }
        var bytes = File.ReadAllBytes(path);
        File.Delete(path);
        return bytes;
    }

    /// <summary>
    /// Reads <paramref name="bytes"/> as a file: null when refused with an InvalidDataException naming the file, otherwise the
    /// file written back from what was read (tensors in data order, metadata), which must be the same bytes.
    /// </summary>
    private byte[]? ReadBack(byte[] bytes)
    {
        var path = NewPath();
        File.WriteAllBytes(path, bytes);
        try
        {
            using var read = SafeTensors.Read(path, out var metadata);
            var again = NewPath();
            SafeTensors.Write(again, read.Entries, metadata);
            var result = File.ReadAllBytes(again);
            File.Delete(again);
            return result;
        }
        catch (InvalidDataException e) when (e.Message.Contains(path, StringComparison.Ordinal))
        {
            return null;
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_file_cut_anywhere_is_refused_naming_it()
    {
        var file = ValidFile();
        Prop.ForAll(Gen.Choose(0, file.Length - 1).ToArbitrary(), cut => ReadBack(file[..cut]) is null)
            .Check(Config.QuickThrowOnFailure.WithMaxTest(150).WithQuietOnSuccess(true));
    }

    [Fact]
    public void A_flipped_bit_anywhere_is_refused_naming_the_file_or_reads_exactly_what_the_bytes_say()
    {
        var file = ValidFile();
        var headerEnd = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        Prop.ForAll(Gen.Choose(0, file.Length - 1).ToArbitrary(), Gen.Choose(0, 7).ToArbitrary(), (at, bit) =>
        {
            var flipped = (byte[])file.Clone();
            flipped[at] ^= (byte)(1 << bit);
            var back = ReadBack(flipped);
            // A flip in the data is invisible to the format (the checkpoint's SHA-256 catches it); one in the header either
            // breaks it or renames a tensor or metadata entry consistently. Whatever reads, reads as written.
            if (at >= headerEnd) return back is not null && back.AsSpan().SequenceEqual(flipped);
            return back is null || SameFile(back, flipped);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(400).WithQuietOnSuccess(true));
    }

    /// <summary>Equal data sections and headers that are the same JSON (a renamed entry may be written back escaped).</summary>
    private static bool SameFile(byte[] a, byte[] b)
    {
        static (JsonNode? Header, byte[] Data) Split(byte[] f)
        {
            var n = (int)BinaryPrimitives.ReadUInt64LittleEndian(f);
            return (JsonNode.Parse(f.AsSpan(8, n).TrimEnd((byte)' ')), f[(8 + n)..]);
        }
        var (x, y) = (Split(a), Split(b));
        return JsonNode.DeepEquals(x.Header, y.Header) && x.Data.AsSpan().SequenceEqual(y.Data);
    }

    /// <summary>A file with the given header text (padded to 8 bytes) and data bytes.</summary>
    private static byte[] Raw(string header, int dataBytes) => Raw(Encoding.UTF8.GetBytes(header), dataBytes);

    private static byte[] Raw(byte[] header, int dataBytes)
    {
        var padded = header.Concat(Enumerable.Repeat((byte)' ', (8 - header.Length % 8) % 8)).ToArray();
        var file = new byte[8 + padded.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)padded.Length);
        padded.CopyTo(file, 8);
        for (var i = 0; i < dataBytes; i++) file[8 + padded.Length + i] = (byte)(i * 37);
        return file;
    }

    private static string Entry(string name, string dtype, string shape, long begin, long end) =>
        $"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":{shape},\"data_offsets\":[{begin},{end}]}}";

    public static TheoryData<string, byte[], string> Lies => new()
    {
        { "offsets beyond the file", Raw("{" + Entry("a", "F32", "[4]", 0, 16) + "}", 8), "the tensors cover 16 data bytes but the file holds 8" },
        { "overlapping offsets", Raw("{" + Entry("a", "F32", "[2]", 0, 8) + "," + Entry("b", "F32", "[2]", 4, 12) + "}", 12), "tensor 'b' starts at data offset 4, expected 8" },
        { "end before begin", Raw("{" + Entry("a", "U8", "[0]", 8, 0) + "}", 8), "entry 'a' field 'data_offsets' is [8,0], not whole numbers 0 <= begin <= end" },
        { "negative offset", Raw("{" + Entry("a", "U8", "[4]", -4, 0) + "}", 4), "entry 'a' field 'data_offsets' is [-4,0]" },
        { "three offsets", Raw("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1,2]}}", 1), "entry 'a' field 'data_offsets' has 3 values, not [begin, end]" },
        { "shape product overflows", Raw("{" + Entry("a", "F32", "[4294967296,4294967296]", 0, 0) + "}", 0), "entry 'a' field 'shape' [4294967296, 4294967296] has more elements than a long counts" },
        { "bytes of the product overflow", Raw("{" + Entry("a", "F64", "[2305843009213693952]", 0, 0) + "}", 0), "entry 'a' field 'shape' [2305843009213693952] has more elements than a long counts" },
        { "a zero dimension beside huge ones", Raw("{" + Entry("a", "F32", "[0,4611686018427387904,4]", 0, 0) + "}", 0), "entry 'a' field 'shape' [0, 4611686018427387904, 4] has more elements than a long counts" },
        { "negative dimension", Raw("{" + Entry("a", "F32", "[-1]", 0, 0) + "}", 0), "entry 'a' field 'shape' has -1 at dimension 0" },
        { "fractional dimension", Raw("{" + Entry("a", "F32", "[1.5]", 0, 4) + "}", 4), "entry 'a' field 'shape' has 1.5 at dimension 0" },
        { "unknown dtype", Raw("{" + Entry("a", "Q4", "[1]", 0, 1) + "}", 1), "entry 'a' has unsupported dtype 'Q4'" },
        { "duplicate names", Raw("{" + Entry("a", "U8", "[2]", 0, 2) + "," + Entry("a", "U8", "[2]", 2, 4) + "}", 4), "names 'a' twice" },
        { "duplicate metadata", Raw("{\"__metadata__\":{\"x\":\"1\"},\"__metadata__\":{\"x\":\"2\"}}", 0), "names '__metadata__' twice" },
        { "metadata value not a string", Raw("{\"__metadata__\":{\"x\":1}}", 0), "__metadata__ value 'x' is not a string" },
        { "entry not an object", Raw("{\"a\":5}", 0), "entry 'a' is Number, not an object" },
        { "missing dtype", Raw("{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "entry 'a' has no field 'dtype'" },
        { "shape not an array", Raw("{\"a\":{\"dtype\":\"F32\",\"shape\":1,\"data_offsets\":[0,4]}}", 4), "entry 'a' field 'shape' is Number, not Array" },
        { "data length not shape times dtype", Raw("{" + Entry("a", "F32", "[3]", 0, 16) + "}", 16), "has 16 bytes but shape [3] of F32 needs 12" },
        { "invalid JSON", Raw("{\"a\":", 0), "the header is not valid JSON" },
        { "header not an object", Raw("[1,2]", 0), "the header is not a JSON object" },
        { "non-UTF-8 name", Raw([.. "{\""u8, 0xFF, 0xFE, .. "\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}"u8], 1), "the header is not valid UTF-8" },
        { "header length past the end", HeaderLength(Raw("{}", 0), 4096), "the header length 4096 runs past the end" },
        { "header length beyond any file", HeaderLength(Raw("{}", 0), ulong.MaxValue), $"the header length {ulong.MaxValue} exceeds" },
        { "header length of zero", HeaderLength(Raw("{}", 8), 0), "not valid JSON" },
    };

    private static byte[] HeaderLength(byte[] file, ulong length)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(file, length);
        return file;
    }

    [Theory]
    [MemberData(nameof(Lies))]
    public void A_header_that_lies_is_refused_naming_the_file_and_what_is_wrong(string lie, byte[] file, string why)
    {
        var path = NewPath();
        File.WriteAllBytes(path, file);
        var e = Record.Exception(() => SafeTensors.Read(path).Dispose());
        Assert.True(e is InvalidDataException, $"{lie}: {e?.GetType().Name ?? "no exception"}: {e?.Message}");
        Assert.Contains(path, e!.Message);
        Assert.Contains(why, e.Message);
        Assert.Contains(why, Assert.Throws<InvalidDataException>(() => SafeTensors.ReadMetadata(path)).Message);
    }

    [Fact]
    public void Tensors_listed_out_of_data_order_read_in_data_order()
    {
        var path = NewPath();
        File.WriteAllBytes(path, Raw("{" + Entry("b", "U8", "[2]", 3, 5) + "," + Entry("a", "U8", "[3]", 0, 3) + "}", 5));
        using var read = SafeTensors.Read(path);
        Assert.Equal(["a", "b"], read.Keys);
        Assert.Equal(new byte[] { 0, 37, 74 }, read["a"].ToArray<byte>());
        Assert.Equal(new byte[] { 111, 148 }, read["b"].ToArray<byte>());
    }
}
