using ReLICv2.Training;
using Xunit;

namespace ReLICv2.Tests;

/// <summary>Atomic writes: a write that fails leaves every destination as it was and no temporary file.</summary>
public sealed class AtomicFileTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("relic-atomic-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void A_write_that_throws_half_way_leaves_the_old_content()
    {
        var path = Path.Combine(dir, "a.bin");
        File.WriteAllBytes(path, [1, 2, 3]);
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s =>
        {
            s.Write(new byte[1000]);
            throw new InvalidOperationException("disk full");
        }));
        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(path));
        Assert.Equal(["a.bin"], Directory.GetFiles(dir).Select(Path.GetFileName));
    }

    [Fact]
    public void Files_written_together_are_all_replaced_or_none_is()
    {
        var (a, b) = (Path.Combine(dir, "a.bin"), Path.Combine(dir, "b.bin"));
        File.WriteAllBytes(a, [1]);
        File.WriteAllBytes(b, [2]);
        Assert.Throws<InvalidOperationException>(() => AtomicFile.WriteTogether(
        [
            (a, s => s.Write([10, 11])),
            (b, _ => throw new InvalidOperationException("the second file fails")),
        ]));
        Assert.Equal(new byte[] { 1 }, File.ReadAllBytes(a));
        Assert.Equal(new byte[] { 2 }, File.ReadAllBytes(b));
        Assert.Equal(["a.bin", "b.bin"], Directory.GetFiles(dir).Select(Path.GetFileName).Order());

        var length = 0L;
        AtomicFile.WriteTogether(
        [
            (a, s => { s.Write([10, 11]); length = s.Length; }),
            (b, s => s.WriteByte((byte)(40 + length))),
        ]);
        Assert.Equal(new byte[] { 10, 11 }, File.ReadAllBytes(a));
        Assert.Equal(new byte[] { 42 }, File.ReadAllBytes(b));
    }
}
