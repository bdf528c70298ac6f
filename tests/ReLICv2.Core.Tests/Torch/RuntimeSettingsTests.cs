using Xunit;

namespace ReLICv2.Tests;

/// <summary>
/// The run-time settings of docs/benchmarks.md §6, §8 and §9, read back from where they take effect: the instruction set
/// the shim was compiled for, the OpenMP spin count in the C library's environment, OpenBLAS' pool, and the CPU cache's
/// default capacity.
/// </summary>
public class RuntimeSettingsTests
{
    [PortableBuildFact]
    public void The_default_build_targets_a_portable_instruction_set_with_avx2_clones_not_the_build_machine()
    {
        Assert.Equal("x86-64-v2", Torch.BuildArchitecture);
        Assert.Contains(Torch.KernelInstructionSet, new[] { "avx2", "default" });
        // The flags CMake generated for the shim's sources, when this test runs from a checkout that built it.
        var flags = FindUp(Path.Combine("src", "Core", "Native", "build", "CMakeFiles", "relic_torch.dir", "flags.make"));
        if (flags is null) return;
        var text = File.ReadAllText(flags);
        Assert.DoesNotContain("-march=native", text);
        Assert.Contains("-march=x86-64-v2", text);
    }

    [Fact]
    public void Without_a_user_wait_policy_the_short_spin_count_is_in_the_environment_libgomp_read()
    {
        var user = !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("OMP_WAIT_POLICY")) ||
                   !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("GOMP_SPINCOUNT"));
        _ = Torch.NumThreads;   // the shim, and with it libgomp, is loaded
        if (user)
            Assert.EndsWith("(user)", Torch.OpenMpWait);
        else
        {
            Assert.Equal(ThreadingEnvironment.SpinCount, ThreadingEnvironment.NativeValue("GOMP_SPINCOUNT"));
            Assert.Equal($"GOMP_SPINCOUNT={ThreadingEnvironment.SpinCount} (relic default)", Torch.OpenMpWait);
        }
    }

    [Theory]
    [InlineData(null, null, "10000", "GOMP_SPINCOUNT=10000 (relic default)")]
    [InlineData("passive", null, null, "OMP_WAIT_POLICY=passive (user)")]
    [InlineData(null, "5", null, "GOMP_SPINCOUNT=5 (user)")]
    [InlineData("active", "7", null, "OMP_WAIT_POLICY=active GOMP_SPINCOUNT=7 (user)")]
    [InlineData(" ", "", "10000", "GOMP_SPINCOUNT=10000 (relic default)")]
    public void A_user_wait_policy_or_spin_count_is_left_alone_and_otherwise_the_short_spin_is_set(string? policy, string? spin, string? set, string description)
    {
        Assert.Equal(description, ThreadingEnvironment.Choose(policy, spin, out var chosen));
        Assert.Equal(set, chosen);
    }

    [OpenBlasFact]
    public void OpenBLAS_threads_follow_the_intra_op_threads_and_can_be_set_apart()
    {
        var blas = Torch.BlasThreads;
        var threads = Torch.NumThreads;
        try
        {
            Assert.True(Torch.SetBlasThreads(1));
            Assert.Equal(1, Torch.BlasThreads);
            Torch.SetNumThreads(threads);
            Assert.Equal(threads, Torch.BlasThreads);
        }
        finally
        {
            Torch.SetBlasThreads(blas);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => Torch.SetBlasThreads(0));
    }

    [Theory]
    [InlineData(null, 4096L << 20)]                          // unknown memory: the plain maximum
    [InlineData(0L, 4096L << 20)]
    [InlineData(64L << 30, 4096L << 20)]                     // 64 GiB: 25 % is 16 GiB, above the 4 GiB ceiling
    [InlineData(16L << 30, 4096L << 20)]                     // 16 GiB: 25 % is exactly the ceiling
    [InlineData(8L << 30, 2048L << 20)]                      // 8 GiB: a quarter
    [InlineData(1_000_000_000L, 250_000_000L)]
    public void The_default_cache_capacity_is_the_smaller_of_4_GiB_and_a_quarter_of_the_machine(long? total, long expected) =>
        Assert.Equal(expected, Torch.DefaultCpuCacheCapacity(total));

    [Fact]
    public void This_machines_default_cache_capacity_comes_from_its_MemTotal()
    {
        var total = ProcessMemory.TotalBytes;
        Assert.NotNull(total);
        Assert.Equal(Math.Min(4096L << 20, total.Value / 4), Torch.DefaultCpuCacheBytes);
    }

    private static string? FindUp(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, relative);
            if (File.Exists(path)) return path;
        }
        return null;
    }
}
