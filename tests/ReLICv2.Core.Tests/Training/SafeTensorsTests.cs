using System.Buffers.Binary;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using ReLICv2.Nn;
using ReLICv2.Training;
using Xunit;

namespace ReLICv2.Tests;

public sealed class SafeTensorsTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("relic-st-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private string PathOf(string name) => Path.Combine(dir, name);

    [Fact]
    public void Bytes_follow_the_format_exactly()
    {
        var path = PathOf("a.safetensors");
        using (Torch.NewScope())
            SafeTensors.Write(path, [new NamedTensor("a", Torch.FromArray(new float[] { 1, -2 }))]);
        var json = """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""";
        var header = Encoding.UTF8.GetBytes(json.PadRight((json.Length + 7) / 8 * 8));
        var expected = new byte[8 + header.Length + 8];
        BinaryPrimitives.WriteUInt64LittleEndian(expected, (ulong)header.Length);
        header.CopyTo(expected, 8);
        BinaryPrimitives.WriteSingleLittleEndian(expected.AsSpan(8 + header.Length), 1f);
        BinaryPrimitives.WriteSingleLittleEndian(expected.AsSpan(12 + header.Length), -2f);
        Assert.Equal(expected, File.ReadAllBytes(path));
        Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
    }

    [Fact]
    public void Every_dtype_and_shape_round_trips_with_metadata()
    {
        var path = PathOf("all.safetensors");
        using var scope = Torch.NewScope();
        var g = new Generator(1);
        var tensors = new[]
        {
            new NamedTensor("f32", Torch.Randn(g, 3, 4)),
            new NamedTensor("f64", Torch.Randn([5], g, DType.Float64)),
            new NamedTensor("f16", Torch.Randn(g, 2, 2).To(DType.Float16)),
            new NamedTensor("i64", Torch.RandInt(-1_000_000_000_000, 1_000_000_000_000, [3], g)),
            new NamedTensor("i32", Torch.RandInt(-1000, 1000, [2, 3], g, DType.Int32)),
            new NamedTensor("i16", Torch.RandInt(-1000, 1000, [2], g, DType.Int16)),
            new NamedTensor("i8", Torch.RandInt(-100, 100, [4], g, DType.Int8)),
            new NamedTensor("u8", Torch.RandInt(0, 256, [7], g, DType.UInt8)),
            new NamedTensor("bool", Torch.Rand(g, 5).Gt(0.5)),
            new NamedTensor("scalar", Torch.Scalar(2.5)),
            new NamedTensor("empty", Torch.Zeros(0, 3)),
            new NamedTensor("strided", Torch.Randn(g, 4, 3).T()),
        };
        SafeTensors.Write(path, tensors, new Dictionary<string, string> { ["who"] = "test" });
        using var back = SafeTensors.Read(path, out var metadata);
        Assert.Equal("test", metadata["who"]);
        Assert.Equal(tensors.Select(t => t.Name), back.Keys);
        foreach (var (name, t) in tensors)
        {
            Assert.Equal(t.DType, back[name].DType);
            Assert.True(back[name].Equal(t), name);
        }
    }

    [Fact]
    public void Any_set_of_tensors_round_trips_exactly()
    {
        var dtypes = new[] { DType.Float32, DType.Float64, DType.Int64, DType.Int32, DType.UInt8, DType.Bool, DType.Float16 };
        var shape = Gen.ListOf(Gen.Choose(0, 4)).Where(l => l.Count <= 3).Select(l => l.Select(d => (long)d).ToArray());
        var spec = Gen.ListOf(Gen.Zip(shape, Gen.Elements(dtypes))).Where(l => l.Count <= 5);
        Prop.ForAll(spec.ToArbitrary(), Gen.Choose(1, 1_000_000).ToArbitrary(), (tensors, seed) =>
        {
            var path = PathOf($"p{Guid.NewGuid():N}.safetensors");
            using var scope = Torch.NewScope();
            var g = new Generator((ulong)seed);
            var named = tensors.Select((t, i) =>
            {
                var values = Torch.Randn(t.Item1, g, DType.Float64).Mul(100);
                return new NamedTensor($"t{i}", t.Item2 == DType.Bool ? values.Gt(0) : values.To(t.Item2));
            }).ToList();
            SafeTensors.Write(path, named);
            using var back = SafeTensors.Read(path);
            File.Delete(path);
            return back.Keys.SequenceEqual(named.Select(n => n.Name))
                && named.All(n => back[n.Name].DType == n.Tensor.DType && back[n.Name].Equal(n.Tensor));
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(50).WithQuietOnSuccess(true));
    }

    [Fact]
    public void A_file_written_by_python_reads_with_exact_values()
    {
        using var sd = SafeTensors.Read(Path.Combine(AppContext.BaseDirectory, "Fixtures", "nn", "python_written.safetensors"), out var meta);
        Assert.Equal("python", meta["writer"]);
        using var scope = Torch.NewScope();
        Assert.True(sd["weights.f32"].Equal(NnFixtures.Wave(12, 1.0).Reshape(3, 4).To(DType.Float32)));
        Assert.True(sd["weights.f64"].Equal(NnFixtures.Wave(5, 2.0)));
        Assert.Equal([-7L, 999996, 2000005, 3000002], sd["counts.i64"].ToArray<long>());
        Assert.Equal([2L, 2], sd["counts.i64"].Shape);
        Assert.Equal(new byte[] { 0, 37, 74, 111, 148, 185 }, sd["bytes.u8"].ToArray<byte>());
        Assert.Equal([true, false, false, true], sd["flags.bool"].ToArray<bool>());
        Assert.Equal([0.5, -1.25, 3.0], sd["half.f16"].To(DType.Float64).ToArray<double>());
        Assert.Equal(3.5, sd["scalar.f32"].Item());
        Assert.Empty(sd["scalar.f32"].Shape);
        Assert.Equal([0L, 2], sd["empty.f32"].Shape);
        Assert.Equal([-1, 0, int.MaxValue], sd["ints.i32"].ToArray<int>());
    }

    private string Corrupt(Func<byte[], byte[]> change)
    {
        var path = PathOf($"c{Guid.NewGuid():N}.safetensors");
        using (Torch.NewScope())
            SafeTensors.Write(path, [new NamedTensor("a", Torch.Ones(4)), new NamedTensor("b", Torch.Zeros(2))]);
        File.WriteAllBytes(path, change(File.ReadAllBytes(path)));
        return path;
    }

    private static byte[] ReplaceHeader(byte[] file, Func<string, string> edit)
    {
        var n = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        var header = Encoding.UTF8.GetBytes(edit(Encoding.UTF8.GetString(file, 8, n)).PadRight(n));
        Assert.Equal(n, header.Length);
        return [.. file[..8], .. header, .. file[(8 + n)..]];
    }

    [Theory]
    [InlineData("truncated", "the tensors cover 24 data bytes but the file holds 20")]
    [InlineData("trailing", "the tensors cover 24 data bytes but the file holds 25")]
    [InlineData("tiny", "fewer than the 8-byte header length")]
    [InlineData("huge-header", "runs past the end")]
    [InlineData("gap", "starts at data offset 20, expected 16 (tensors must be contiguous)")]
    [InlineData("size", "has 16 bytes but shape [3] of F32 needs 12")]
    [InlineData("dtype", "unsupported dtype 'X9'")]
    [InlineData("json", "not valid JSON")]
    public void Corrupt_files_are_refused_with_an_error_naming_the_file(string kind, string why)
    {
        var path = kind switch
        {
            "truncated" => Corrupt(f => f[..^4]),
            "trailing" => Corrupt(f => [.. f, 0]),
            "tiny" => Corrupt(f => f[..5]),
            "huge-header" => Corrupt(f => { BinaryPrimitives.WriteUInt64LittleEndian(f, 1000); return f; }),
            "gap" => Corrupt(f => ReplaceHeader(f, h => h.Replace("[16,24]", "[20,28]"))),
            "size" => Corrupt(f => ReplaceHeader(f, h => h.Replace("\"shape\":[4]", "\"shape\":[3]"))),
            "dtype" => Corrupt(f => ReplaceHeader(f, h => h.Replace("\"F32\"", "\"X9\""))),
            _ => Corrupt(f => ReplaceHeader(f, h => h.Replace("{\"a\"", "[\"a\""))),
        };
        var ex = Assert.Throws<InvalidDataException>(() => SafeTensors.Read(path).Dispose());
        Assert.Contains(path, ex.Message);
        Assert.Contains(why, ex.Message);
    }
}
