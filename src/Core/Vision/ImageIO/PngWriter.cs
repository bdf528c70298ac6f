using System.Buffers.Binary;
using System.IO.Compression;

namespace ReLICv2.Vision;

/// <summary>
/// A small managed PNG encoder for visualisation (views, saliency masks, grids): 8-bit grey, RGB or RGBA,
/// non-interlaced, filter type 0 on every row, one zlib IDAT stream, CRC-32 per chunk (PNG specification, ISO/IEC 15948).
/// Writes PNGs that libspng (and any other decoder) reads back bit-exactly.
/// </summary>
public static class PngWriter
{
    private static readonly uint[] CrcTable = BuildCrcTable();

    /// <summary>Encodes interleaved HWC pixels (1, 3 or 4 channels) as PNG bytes.</summary>
    public static byte[] Encode(DecodedImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var colorType = image.Channels switch { 1 => (byte)0, 3 => (byte)2, _ => (byte)6 };
        using var file = new MemoryStream();
        file.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);

        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(0), (uint)image.Width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), (uint)image.Height);
        ihdr[8] = 8;          // bit depth
        ihdr[9] = colorType;  // 0 grey, 2 RGB, 6 RGBA
        WriteChunk(file, "IHDR", ihdr);

        var stride = image.Width * image.Channels;
        using (var compressed = new MemoryStream())
        {
            using (var z = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            {
                for (var y = 0; y < image.Height; y++)
                {
                    z.WriteByte(0); // filter type None
                    z.Write(image.Pixels, y * stride, stride);
                }
            }
            WriteChunk(file, "IDAT", compressed.ToArray());
        }
        WriteChunk(file, "IEND", []);
        return file.ToArray();
    }

    /// <summary>Writes interleaved HWC pixels to <paramref name="path"/> as a PNG (folders are created).</summary>
    public static void Write(string path, DecodedImage image)
    {
        ArgumentNullException.ThrowIfNull(path);
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        File.WriteAllBytes(path, Encode(image));
    }

    /// <summary>
    /// Writes a float tensor with values in [0,1] (clamped, rounded to 8 bits) as a PNG: [C,H,W] or [H,W] as one image,
    /// [N,C,H,W] as a grid of <paramref name="columns"/> tiles per row (default: ⌈√N⌉) separated by
    /// <paramref name="padding"/> pixels of <paramref name="background"/> grey. C must be 1, 3 or 4.
    /// Integer tensors are taken as 0..255 values.
    /// </summary>
    public static void WriteTensor(string path, Tensor image, int? columns = null, int padding = 2, double background = 1.0)
    {
        ArgumentNullException.ThrowIfNull(image);
        Write(path, ToImage(image, columns, padding, background));
    }

    /// <summary>The image that <see cref="WriteTensor"/> writes, as interleaved bytes.</summary>
    public static DecodedImage ToImage(Tensor image, int? columns = null, int padding = 2, double background = 1.0)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (padding < 0) throw new ArgumentOutOfRangeException(nameof(padding), padding, "WriteTensor: padding must be >= 0");
        if (background is < 0 or > 1 || double.IsNaN(background))
            throw new ArgumentOutOfRangeException(nameof(background), background, "WriteTensor: background must be in [0, 1]");
        using var scope = Torch.NewScope();
        using var noGrad = Torch.NoGrad();
        var t = image.Detach().To(Device.Cpu);
        t = t.Rank switch
        {
            2 => t.Unsqueeze(0).Unsqueeze(0),
            3 => t.Unsqueeze(0),
            4 => t,
            _ => throw new ArgumentException($"WriteTensor: expected [H,W], [C,H,W] or [N,C,H,W], got {Tensor.FormatShape(image.Shape)}", nameof(image)),
        };
        var (n, c, h, w) = (t.Size(0), t.Size(1), t.Size(2), t.Size(3));
        if (c is not (1 or 3 or 4))
            throw new ArgumentException($"WriteTensor: the channel dimension must be 1, 3 or 4, got {c} in {Tensor.FormatShape(image.Shape)}", nameof(image));
        if (n == 0 || h == 0 || w == 0) throw new ArgumentException($"WriteTensor: empty tensor {Tensor.FormatShape(image.Shape)}", nameof(image));
        if (columns is { } col && col <= 0) throw new ArgumentOutOfRangeException(nameof(columns), columns, "WriteTensor: columns must be > 0");
        var bytes = t.DType.IsFloatingPoint()
            ? (t.To(DType.Float32).Clamp(0, 1) * 255.0).Round().To(DType.UInt8)
            : t.Clamp(0, 255).To(DType.UInt8);
        var cols = columns ?? (int)Math.Ceiling(Math.Sqrt(n));
        cols = (int)Math.Min(cols, n);
        var rows = (n + cols - 1) / cols;
        var fill = (int)Math.Round(background * 255);
        // Pad each tile on its right and bottom, lay tiles out as [rows, cols], then crop the trailing padding.
        var padded = Torch.Pad(bytes.To(DType.Float32), [0, padding, 0, padding], PadMode.Constant, fill);
        var missing = rows * cols - n;
        if (missing > 0)
            padded = Torch.Cat([padded, Torch.Full([missing, c, h + padding, w + padding], fill)], 0);
        var grid = padded.Reshape(rows, cols, c, h + padding, w + padding)
            .Permute(0, 3, 1, 4, 2)                      // rows, tileH, cols, tileW, C
            .Reshape(rows * (h + padding), cols * (w + padding), c)
            .Narrow(0, 0, rows * (h + padding) - padding)
            .Narrow(1, 0, cols * (w + padding) - padding)
            .To(DType.UInt8).Contiguous();
        var shape = grid.Shape;
        return new DecodedImage((int)shape[1], (int)shape[0], (int)c, grid.ToArray<byte>());
    }

    private static void WriteChunk(Stream file, string type, byte[] data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(word, (uint)data.Length);
        file.Write(word);
        var header = new byte[4];
        for (var i = 0; i < 4; i++) header[i] = (byte)type[i];
        file.Write(header);
        file.Write(data);
        var crc = Crc32(0xFFFFFFFFu, header);
        crc = Crc32(crc, data) ^ 0xFFFFFFFFu;
        BinaryPrimitives.WriteUInt32BigEndian(word, crc);
        file.Write(word);
    }

    private static uint Crc32(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (var b in data) crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc;
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }
}
