using Xunit;

namespace ReLICv2.Tests;

/// <summary>
/// Finding the shim (docs/architecture.md §3.1, §8): from a package's runtimes folder, and, when libtorch is missing, an
/// error that says what to install instead of a bare DllNotFoundException. The loader is simulated: the messages are the
/// ones .NET gives for a failed dlopen.
/// </summary>
public class NativeLibraryLoaderTests
{
    private const string Shim = NativeLibraryLoader.FileName;

    /// <summary>What <c>NativeLibrary.Load</c> says on glibc when a dependency of the library is missing.</summary>
    private static DllNotFoundException DependencyMissing(string path, string library) =>
        new($"Unable to load shared library '{path}' or one of its dependencies. In order to help diagnose loading problems, " +
            "consider using a tool like strace. If you're using glibc, consider setting the LD_DEBUG environment variable: \n" +
            $"{library}: cannot open shared object file: No such file or directory");

    [Fact]
    public void A_missing_libtorch_names_what_to_install()
    {
        var e = Assert.Throws<LibtorchNotFoundException>(() => NativeLibraryLoader.Load(
            ["/a", "/pkg/runtimes/linux-x64/native"],
            path => path.StartsWith("/pkg/", StringComparison.Ordinal),
            path => throw DependencyMissing(path, "libc10.so.1.13")));

        Assert.IsAssignableFrom<DllNotFoundException>(e);
        Assert.Equal("libc10.so.1.13", e.MissingLibrary);
        Assert.Equal("/pkg/runtimes/linux-x64/native/" + Shim, e.ShimPath);
        Assert.Contains("needs libtorch, and it is not installed", e.Message);
        Assert.Contains("apt-get install libtorch-dev", e.Message);
        Assert.Contains("libtorch 1.13", e.Message);
        Assert.Contains("LD_LIBRARY_PATH", e.Message);
        Assert.Contains("LIBTORCH", e.Message);
        Assert.Contains("/a/" + Shim + ": not found", e.Message);
        Assert.Contains("libc10.so.1.13: cannot open shared object file", e.Message);
    }

    [Theory]
    [InlineData("libtorch_cpu.so.1.13", true)]
    [InlineData("libtorch.so", true)]
    [InlineData("libc10.so.2.1", true)]
    [InlineData("libgomp.so.1", false)]
    [InlineData("libstdc++.so.6", false)]
    public void Libtorch_libraries_are_told_from_other_dependencies(string library, bool isLibtorch) =>
        Assert.Equal(isLibtorch, LibtorchNotFoundException.IsLibtorch(library));

    [Fact]
    public void Another_missing_dependency_is_named_without_blaming_libtorch()
    {
        var e = Assert.Throws<DllNotFoundException>(() => NativeLibraryLoader.Load(
            ["/x"], _ => true, path => throw DependencyMissing(path, "libgomp.so.1")));
        Assert.IsNotType<LibtorchNotFoundException>(e);
        Assert.Contains("needs libgomp.so.1", e.Message);
    }

    [Fact]
    public void No_shim_anywhere_lists_every_place_tried()
    {
        var e = Assert.Throws<DllNotFoundException>(() => NativeLibraryLoader.Load(
            ["/one", "/two", "/one"], _ => false, _ => throw new InvalidOperationException("not called")));
        Assert.IsNotType<LibtorchNotFoundException>(e);
        Assert.Contains("/one/" + Shim + ": not found", e.Message);
        Assert.Contains("/two/" + Shim + ": not found", e.Message);
        Assert.Single(e.Message.Split('\n'), l => l.Contains("/one/", StringComparison.Ordinal));
        Assert.Contains("RELIC_NATIVE_DIR", e.Message);
    }

    [Fact]
    public void A_later_place_that_loads_wins_over_an_earlier_failure()
    {
        var handle = NativeLibraryLoader.Load(
            ["/broken", "/good"], _ => true,
            path => path.StartsWith("/good/", StringComparison.Ordinal) ? 42 : throw DependencyMissing(path, "libtorch_cpu.so.1.13"));
        Assert.Equal(42, handle);
    }

    [Fact]
    public void The_missing_library_is_read_from_the_loader_message()
    {
        Assert.Equal("libtorch_cpu.so.1.13", NativeLibraryLoader.MissingDependency(DependencyMissing("/p/" + Shim, "libtorch_cpu.so.1.13").Message));
        Assert.Equal("libc10.so", NativeLibraryLoader.MissingDependency("libc10.so: cannot open shared object file: No such file or directory"));
        Assert.Null(NativeLibraryLoader.MissingDependency("/p/librelic_torch.so: invalid ELF header"));
    }

    [Fact]
    public void A_package_s_runtimes_folder_is_searched_from_its_lib_folder()
    {
        var lib = Path.Combine(Path.GetTempPath(), "relicv2.core", "0.1.0", "lib", "net10.0");
        var places = NativeLibraryLoader.Candidates(lib).ToList();
        var packageNative = Path.Combine(Path.GetTempPath(), "relicv2.core", "0.1.0", "runtimes", "linux-x64", "native");
        Assert.Contains(packageNative, places);
        Assert.True(places.IndexOf(lib) < places.IndexOf(packageNative), "the assembly's own folder comes first");
        Assert.Contains(Path.Combine(lib, "runtimes", "linux-x64", "native"), places);
    }
}
