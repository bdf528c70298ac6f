using System.Buffers.Binary;
using FsCheck;
using FsCheck.Fluent;
using ReLICv2.Data;
using Xunit;

namespace ReLICv2.Tests;

/// <summary>
/// Damaged IDX (Fashion-MNIST) and CIFAR files: every one is refused with an <see cref="InvalidDataException"/> naming the file
/// and what is wrong in it, never another exception, and a file that does read holds exactly what its bytes say.
/// </summary>
public sealed class DatasetFileHostileTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    private static readonly byte[] Pixels = Enumerable.Range(0, 3 * 4 * 5).Select(i => (byte)(i * 11)).ToArray();

    private static byte[] Gz(byte[] content)
    {
        using var memory = new MemoryStream();
        using (var gz = new System.IO.Compression.GZipStream(memory, System.IO.Compression.CompressionLevel.Fastest)) gz.Write(content);
        return memory.ToArray();
    }

    /// <summary>Reads <paramref name="bytes"/> as an IDX file: null when refused naming the file, otherwise what it holds.</summary>
    private IdxFile? TryRead(byte[] bytes)
    {
        var path = dir.File($"f{Guid.NewGuid():N}");
        File.WriteAllBytes(path, bytes);
        try
        {
            return IdxFile.Read(path);
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

    private static Config Quick(int tests) => Config.QuickThrowOnFailure.WithMaxTest(tests).WithQuietOnSuccess(true);

    [Fact]
    public void An_idx_file_cut_anywhere_is_refused_naming_it()
    {
        var plain = IdxFileTests.Idx([3, 4, 5], Pixels);
        var gz = Gz(plain);
        var original = new IdxFile([3, 4, 5], Pixels);
        Prop.ForAll(Gen.Choose(0, plain.Length - 1).ToArbitrary(), cut => TryRead(plain[..cut]) is null).Check(Quick(100));
        // A gzip stream cut after its last deflate block (in the 8-byte CRC-32 and length trailer, or in the final block's
        // end code) has decompressed every byte already: it may read, unchanged, and nothing else may.
        Prop.ForAll(Gen.Choose(0, gz.Length - 1).ToArbitrary(), cut => TryRead(gz[..cut]) is not { } read || (cut >= gz.Length - 10 && read.Equals(original)))
            .Check(Quick(100));
    }

    [Fact]
    public void An_idx_file_with_a_flipped_bit_is_refused_naming_it_or_reads_what_its_bytes_say()
    {
        var plain = IdxFileTests.Idx([3, 4, 5], Pixels);
        var gz = Gz(plain);
        var original = new IdxFile([3, 4, 5], Pixels);
        Prop.ForAll(Gen.Choose(0, plain.Length - 1).ToArbitrary(), Gen.Choose(0, 7).ToArbitrary(), (at, bit) =>
        {
            var flipped = (byte[])plain.Clone();
            flipped[at] ^= (byte)(1 << bit);
            var read = TryRead(flipped);
            // A flip in the header is always caught (the sizes no longer match the length); one in the data is just other data.
            return at < 16 ? read is null : read is not null && read.Equals(new IdxFile([3, 4, 5], flipped[16..]));
        }).Check(Quick(150));
        Prop.ForAll(Gen.Choose(0, gz.Length - 1).ToArbitrary(), Gen.Choose(0, 7).ToArbitrary(), (at, bit) =>
        {
            var flipped = (byte[])gz.Clone();
            flipped[at] ^= (byte)(1 << bit);
            // The CRC-32 covers the content; a flip in the gzip header's unchecked fields (time, flags, OS) changes nothing read.
            return TryRead(flipped) is not { } read || read.Equals(original);
        }).Check(Quick(150));
    }

    public static TheoryData<string, byte[], string> IdxLies => new()
    {
        { "bad magic", [0x01, 0x00, 0x08, 0x01, 0, 0, 0, 1, 7], "is not an IDX file: magic 01000801" },
        { "element type", [0x00, 0x00, 0x0D, 0x01, 0, 0, 0, 1, 0, 0, 0, 0], "IDX element type 0x0D is not supported" },
        { "no dimensions", [0x00, 0x00, 0x08, 0x00], "IDX rank 0 is outside [1, 8]" },
        { "nine dimensions", [0x00, 0x00, 0x08, 0x09], "IDX rank 9 is outside [1, 8]" },
        { "negative size", IdxFileTests.Idx([2, -3], []), "IDX dimension 1 has negative size -3" },
        { "sizes whose product wraps to zero", IdxFileTests.Idx([65536, 65536, 65536, 65536], []), "IDX dimension sizes [65536x65536…] hold more than" },
        { "sizes too large for one array", IdxFileTests.Idx([int.MaxValue, 2], []), $"IDX dimension sizes [{int.MaxValue}…] hold more than" },
        { "truncated sizes", [0x00, 0x00, 0x08, 0x03, 0, 0, 0, 1], "is truncated: expected the dimension sizes, got 4 of 12 bytes" },
        { "truncated data", IdxFileTests.Idx([10], [1, 2, 3]), "is truncated: expected 10 data bytes, got 3 of 10 bytes" },
        { "trailing data", IdxFileTests.Idx([2], [1, 2, 3]), "data continue after the 2 bytes that the IDX dimension sizes [2] declare" },
        { "gzip garbage", [0x1F, 0x8B, .. Enumerable.Range(0, 64).Select(i => (byte)(i * 97 + 13))], "is corrupt: the gzip stream fails while reading the 4-byte magic number" },
        { "gzip with a wrong CRC", WrongCrc(Gz(IdxFileTests.Idx([2], [1, 2]))), "is corrupt: the gzip stream fails while reading" },
    };

    private static byte[] WrongCrc(byte[] gz)
    {
        gz[^8] ^= 0x01;
        return gz;
    }

    [Theory]
    [MemberData(nameof(IdxLies))]
    public void A_corrupt_idx_file_is_refused_naming_it_and_the_part_at_fault(string what, byte[] bytes, string why)
    {
        var path = dir.File(what.Replace(' ', '-'));
        File.WriteAllBytes(path, bytes);
        var e = Record.Exception(() => IdxFile.Read(path));
        Assert.True(e is InvalidDataException, $"{what}: {e?.GetType().Name ?? "no exception"}: {e?.Message}");
        Assert.Contains(path, e!.Message);
        Assert.Contains(why, e.Message);
    }

    private void WriteFashion(byte[] images, byte[] labels)
    {
        File.WriteAllBytes(dir.File("t10k-images-idx3-ubyte"), images);
        File.WriteAllBytes(dir.File("t10k-labels-idx1-ubyte"), labels);
    }

    public static TheoryData<string, byte[], byte[], string, string> FashionLies => new()
    {
        { "images of two dimensions", IdxFileTests.Idx([3, 20], Pixels), IdxFileTests.Idx([3], [1, 2, 3]), "images", "expected a 3-dimensional IDX array [N,28,28], got [3x20]" },
        { "empty images", IdxFileTests.Idx([3, 0, 5], []), IdxFileTests.Idx([3], [1, 2, 3]), "images", "images of 0x5 pixels (IDX dimensions 1 and 2) are empty" },
        { "fewer labels than images", IdxFileTests.Idx([3, 4, 5], Pixels), IdxFileTests.Idx([2], [1, 2]), "labels", "expected 3 labels, got [2]" },
        { "labels of two dimensions", IdxFileTests.Idx([3, 4, 5], Pixels), IdxFileTests.Idx([3, 1], [1, 2, 3]), "labels", "expected 3 labels, got [3x1]" },
        { "a label past the classes", IdxFileTests.Idx([3, 4, 5], Pixels), IdxFileTests.Idx([3], [1, 10, 3]), "labels", "label 10 at position 1 is outside [0, 9]" },
    };

    [Theory]
    [MemberData(nameof(FashionLies))]
    public void Fashion_mnist_files_that_do_not_fit_together_are_refused_naming_the_file(string what, byte[] images, byte[] labels, string culprit, string why)
    {
        WriteFashion(images, labels);
        var e = Record.Exception(() => FashionMnist.Load(DatasetSplit.Test, dir.Path));
        Assert.True(e is InvalidDataException, $"{what}: {e?.GetType().Name ?? "no exception"}: {e?.Message}");
        Assert.Contains(dir.File($"t10k-{culprit}-idx"), e!.Message);
        Assert.Contains(why, e.Message);
    }

    /// <summary>CIFAR-10 records: label k mod 10, then 3072 planar bytes.</summary>
    private static byte[] CifarRecords(int count) =>
        [.. Enumerable.Range(0, count).SelectMany(k => new[] { (byte)(k % 10) }.Concat(Enumerable.Range(0, 3072).Select(j => (byte)(k * 7 + j))))];

    [Fact]
    public void A_cifar_file_cut_or_flipped_anywhere_is_refused_naming_it_or_reads_what_its_bytes_say()
    {
        var records = CifarRecords(3);
        var path = dir.File("test_batch.bin");
        // Half the positions are record starts (label bytes, record boundaries), which a uniform choice would rarely reach.
        var position = Gen.OneOf(Gen.Choose(0, 2).Select(k => k * 3073), Gen.Choose(0, records.Length - 1));
        Prop.ForAll(position.ToArbitrary(), Gen.Choose(-1, 7).ToArbitrary(), (at, bit) =>
        {
            // bit -1: cut the file at 'at'; otherwise flip that bit of byte 'at'.
            var bytes = bit < 0 ? records[..at] : (byte[])records.Clone();
            if (bit >= 0) bytes[at] ^= (byte)(1 << bit);
            File.WriteAllBytes(path, bytes);
            try
            {
                var read = Cifar.Load10(DatasetSplit.Test, dir.Path);
                // What reads: a cut on a record boundary (fewer whole records), or a flip in the pixels or to another valid label.
                return read.Count == bytes.Length / 3073 && Enumerable.Range(0, read.Count).All(k => read.Label(k) == bytes[k * 3073]
                    && read.Pixels(k).AsSpan().SequenceEqual(bytes.AsSpan(k * 3073 + 1, 3072)));
            }
            catch (InvalidDataException e) when (e.Message.Contains(path, StringComparison.Ordinal))
            {
                return bit < 0 ? at % 3073 != 0 || at == 0 : at % 3073 == 0 && (bytes[at] >= 10);
            }
        }).Check(Quick(150));
    }

    [Fact]
    public void A_cifar_label_outside_the_classes_is_refused_naming_the_file_and_the_record()
    {
        var records = CifarRecords(3);
        records[2 * 3073] = 10;
        File.WriteAllBytes(dir.File("test_batch.bin"), records);
        var e = Assert.Throws<InvalidDataException>(() => Cifar.Load10(DatasetSplit.Test, dir.Path));
        Assert.Contains(dir.File("test_batch.bin"), e.Message);
        Assert.Contains("label 10 of record 2 (byte 6146) is outside [0, 9]", e.Message);

        File.WriteAllBytes(dir.File("test.bin"), [.. Enumerable.Range(0, 2).SelectMany(k => new byte[] { 3, (byte)(k * 120) }.Concat(new byte[3072]))]);
        var fine = Assert.Throws<InvalidDataException>(() => Cifar.Load100(DatasetSplit.Test, dir.Path));
        Assert.Contains(dir.File("test.bin"), fine.Message);
        Assert.Contains("the fine label 120 of record 1 (byte 3075) is outside [0, 99]", fine.Message);
    }

    [Fact]
    public void A_class_names_file_with_another_number_of_classes_is_refused_naming_it()
    {
        File.WriteAllBytes(dir.File("test_batch.bin"), CifarRecords(2));
        File.WriteAllLines(dir.File("batches.meta.txt"), ["airplane", "automobile", "bird"]);
        var e = Assert.Throws<InvalidDataException>(() => Cifar.Load10(DatasetSplit.Test, dir.Path));
        Assert.Contains(dir.File("batches.meta.txt"), e.Message);
        Assert.Contains("3 class names, expected 10", e.Message);
    }
}
