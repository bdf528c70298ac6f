namespace ReLICv2;

/// <summary>
/// The libtorch shim (<c>librelic_torch.so</c>) was found, but the libtorch it was built against was not: the message
/// names the missing library and what to install — Debian's <c>libtorch-dev</c>, or the <c>lib</c> folder of an
/// unpacked libtorch (<c>LIBTORCH</c>) on <c>LD_LIBRARY_PATH</c>. A <see cref="DllNotFoundException"/>, so code that
/// catches that keeps working.
/// </summary>
public sealed class LibtorchNotFoundException : DllNotFoundException
{
    public LibtorchNotFoundException(string shimPath, string missingLibrary, IReadOnlyList<string> tried, Exception? inner = null)
        : base(Describe(shimPath, missingLibrary, tried), inner)
    {
        ShimPath = shimPath;
        MissingLibrary = missingLibrary;
    }

    /// <summary>The shim that was found and failed to load.</summary>
    public string ShimPath { get; }

    /// <summary>The library the system loader could not find, e.g. <c>libc10.so.1.13</c>.</summary>
    public string MissingLibrary { get; }

    /// <summary>Whether a library the loader could not find belongs to libtorch (<c>libtorch*.so</c>, <c>libc10*.so</c>).</summary>
    internal static bool IsLibtorch(string library) =>
        library.StartsWith("libtorch", StringComparison.Ordinal) || library.StartsWith("libc10", StringComparison.Ordinal);

    internal static string Describe(string shimPath, string missingLibrary, IReadOnlyList<string> tried)
    {
        // libc10.so.1.13 → 1.13: the libtorch version the shim was linked against, when the soname carries it.
        var marker = missingLibrary.IndexOf(".so.", StringComparison.Ordinal);
        var version = marker >= 0 ? missingLibrary[(marker + 4)..] : null;
        var which = version is null ? "libtorch" : $"libtorch {version}";
        return
            $"ReLICv2.Core needs libtorch, and it is not installed: the shim {shimPath} was found, but the system loader " +
            $"could not find {missingLibrary}, part of {which}, which the shim was built against.\n" +
            $"Install it: on Debian or Ubuntu `sudo apt-get install libtorch-dev` (Debian 12 ships libtorch 1.13); or, with a " +
            $"{which} unpacked elsewhere (the LIBTORCH folder the shim was built against), add its lib folder to LD_LIBRARY_PATH " +
            "(export LD_LIBRARY_PATH=$LIBTORCH/lib). A shim for another libtorch is built from the ReLICv2.NET sources " +
            "(LIBTORCH=/path/to/libtorch dotnet build, then RELIC_NATIVE_DIR=src/Core/Native/build).\nTried:\n  " +
            string.Join("\n  ", tried);
    }
}
