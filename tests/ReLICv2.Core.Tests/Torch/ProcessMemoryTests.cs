using Xunit;

namespace ReLICv2.Tests;

/// <summary>Resident memory and the machine's memory, read from /proc (docs/benchmarks.md §9).</summary>
public class ProcessMemoryTests
{
    private const string Status = "Name:\tdotnet\nVmPeak:\t 5000 kB\nVmHWM:\t  123456 kB\nVmRSS:\t   1000 kB\nThreads:\t12\nVmHWMx:\t 9 kB\n";

    [Theory]
    [InlineData("VmHWM", 123456L * 1024)]
    [InlineData("VmRSS", 1000L * 1024)]
    [InlineData("VmPeak", 5000L * 1024)]
    [InlineData("Threads", null)]       // not a count of kB
    [InlineData("VmSwap", null)]        // absent
    [InlineData("VmHW", null)]          // a prefix of a key is not the key
    public void A_status_field_is_its_kB_count_in_bytes_or_null(string key, long? expected) =>
        Assert.Equal(expected, ProcessMemory.StatusField(Status, key));

    [Fact]
    public void No_text_no_value() => Assert.Null(ProcessMemory.StatusField(null, "VmHWM"));

    [Fact]
    public void The_peak_is_at_least_the_resident_memory_after_touching_64_MiB()
    {
        using (var t = Torch.Ones([16L << 20]))   // 64 MiB of float32, written
        using (var sum = t.Sum())
            Assert.Equal(16L << 20, (long)sum.Item());
        // One reading of the status file: other tests allocate concurrently, so two reads may see the resident memory grow
        // between them.
        var status = File.ReadAllText("/proc/self/status");
        var peak = ProcessMemory.StatusField(status, "VmHWM");
        var now = ProcessMemory.StatusField(status, "VmRSS");
        Assert.NotNull(peak);
        Assert.NotNull(now);
        Assert.True(peak >= now, $"VmHWM {peak} < VmRSS {now}");
        Assert.True(peak >= 64L << 20, $"VmHWM {peak} bytes after holding 64 MiB");
        Assert.True(ProcessMemory.PeakResidentBytes >= peak, "the peak never falls");
    }
}
