using System.Buffers.Binary;
using System.IO.Compression;

namespace ReLICv2.Data;

/// <summary>
/// An unsigned-byte array in the IDX format of MNIST and Fashion-MNIST (LeCun et al.): magic 0x00 0x00 0x08 n
/// (type 0x08 = uint8, n dimensions), n big-endian int32 sizes, then the row-major bytes and nothing after them. Gzip-compressed
/// files (recognised by their 1F 8B signature) are decompressed on the fly. A file that is not that is refused with an
/// <see cref="InvalidDataException"/> naming it and the part at fault.
/// </summary>
/// <param name="Dimensions">The sizes, outermost first.</param>
/// <param name="Data">The values, row-major.</param>
public sealed record IdxFile(IReadOnlyList<int> Dimensions, byte[] Data)
{
    /// <summary>Reads an IDX (optionally gzip-compressed) file of unsigned bytes.</summary>
    public static IdxFile Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"IDX file '{path}' not found", path);
        using var file = File.OpenRead(path);
        var head = new byte[2];
        var gz = file.Read(head, 0, 2) == 2 && head[0] == 0x1F && head[1] == 0x8B;
        file.Position = 0;
        using Stream stream = gz ? new GZipStream(file, CompressionMode.Decompress) : file;
        return Read(stream, path);
    }

    /// <summary>Reads an uncompressed IDX stream; <paramref name="name"/> identifies it in error messages.</summary>
    public static IdxFile Read(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var magic = new byte[4];
        ReadExactly(stream, magic, name, "the 4-byte magic number");
        if (magic[0] != 0 || magic[1] != 0)
            throw new InvalidDataException($"'{name}' is not an IDX file: magic {Convert.ToHexString(magic)} does not start with 0000");
        if (magic[2] != 0x08)
            throw new InvalidDataException($"'{name}': IDX element type 0x{magic[2]:X2} is not supported (only 0x08, unsigned byte)");
        var rank = magic[3];
        if (rank is 0 or > 8) throw new InvalidDataException($"'{name}': IDX rank {rank} is outside [1, 8]");
        var dimBytes = new byte[4 * rank];
        ReadExactly(stream, dimBytes, name, "the dimension sizes");
        var dims = new int[rank];
        long total = 1;
        for (var i = 0; i < rank; i++)
        {
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(dimBytes.AsSpan(4 * i));
            if (dims[i] < 0) throw new InvalidDataException($"'{name}': IDX dimension {i} has negative size {dims[i]}");
            // Checked at every dimension: the product of eight int sizes overflows a long (and may wrap to a small number).
            total *= dims[i];
            if (total > Array.MaxLength)
                throw new InvalidDataException($"'{name}': IDX dimension sizes [{string.Join("x", dims[..(i + 1)])}…] hold more than {Array.MaxLength} bytes");
        }
        var data = new byte[total];
        ReadExactly(stream, data, name, $"{total} data bytes");
        if (Read(stream, new byte[1], 0, 1, name, "the end of the file") != 0)
            throw new InvalidDataException($"'{name}': data continue after the {total} bytes that the IDX dimension sizes [{string.Join("x", dims)}] declare");
        return new IdxFile(dims, data);
    }

    private static void ReadExactly(Stream stream, byte[] buffer, string name, string what)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = Read(stream, buffer, read, buffer.Length - read, name, what);
            if (n == 0) throw new InvalidDataException($"'{name}' is truncated: expected {what}, got {read} of {buffer.Length} bytes");
            read += n;
        }
    }

    /// <summary>One read; a decompressor's complaint about the stream (gzip garbage, a bad checksum) gets the file's name.</summary>
    private static int Read(Stream stream, byte[] buffer, int offset, int count, string name, string what)
    {
        try
        {
            return stream.Read(buffer, offset, count);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"'{name}' is corrupt: the gzip stream fails while reading {what} ({e.Message})", e);
        }
    }

    public bool Equals(IdxFile? other) =>
        other is not null && Dimensions.SequenceEqual(other.Dimensions) && Data.AsSpan().SequenceEqual(other.Data);

    public override int GetHashCode() => HashCode.Combine(Dimensions.Count, Data.Length);

    public override string ToString() => $"IdxFile [{string.Join("x", Dimensions)}]";
}
