using System.Buffers.Binary;
using System.IO.Compression;
using ReLICv2.Data;
using Xunit;

namespace ReLICv2.Tests;

public class IdxFileTests
{
    internal static byte[] Idx(int[] dims, byte[] data)
    {
        var header = new byte[4 + 4 * dims.Length];
        header[2] = 0x08;
        header[3] = (byte)dims.Length;
        for (var i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 + 4 * i), dims[i]);
        return [.. header, .. data];
    }

    internal static void WriteGz(string path, byte[] content)
    {
        using var file = File.Create(path);
        using var gz = new GZipStream(file, CompressionLevel.Fastest);
        gz.Write(content);
    }

    [Fact]
    public void Gzipped_and_plain_idx_files_read_dimensions_and_row_major_data()
    {
        using var dir = new TempDirectory();
        var data = Enumerable.Range(0, 2 * 3 * 4).Select(i => (byte)(i * 7)).ToArray();
        WriteGz(dir.File("a.gz"), Idx([2, 3, 4], data));
        File.WriteAllBytes(dir.File("a"), Idx([2, 3, 4], data));
        foreach (var name in new[] { "a.gz", "a" })
        {
            var idx = IdxFile.Read(dir.File(name));
            Assert.Equal(new[] { 2, 3, 4 }, idx.Dimensions);
            Assert.Equal(data, idx.Data);
        }
    }

    [Fact]
    public void Truncated_or_foreign_idx_files_are_rejected_with_the_file_name()
    {
        using var dir = new TempDirectory();
        WriteGz(dir.File("short.gz"), Idx([10, 5], new byte[20]));
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.Read(dir.File("short.gz")));
        Assert.Contains("short.gz", e.Message);
        Assert.Contains("truncated", e.Message);
        File.WriteAllBytes(dir.File("float"), [0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0]);
        var f = Assert.Throws<InvalidDataException>(() => IdxFile.Read(dir.File("float")));
        Assert.Contains("0x0D", f.Message);
    }
}
