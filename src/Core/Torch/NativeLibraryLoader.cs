using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace ReLICv2;

/// <summary>
/// Finds <c>librelic_torch.so</c> for the P/Invoke layer, also from F# Interactive where there is no <c>Main</c>:
/// <c>RELIC_NATIVE_DIR</c>, then the folder of ReLICv2.Core.dll, then <c>runtimes/&lt;rid&gt;/native</c> below it (an
/// application's output), then <c>runtimes/&lt;rid&gt;/native</c> of the NuGet package the assembly was loaded from
/// (<c>lib/net10.0/../../</c>, what <c>#r "nuget: …"</c> loads), then the host's native search directories.
/// When the shim is found but libtorch is not, the error is a <see cref="LibtorchNotFoundException"/> saying what to
/// install; when no place holds the shim, the error lists each path tried with the loader's own message
/// (docs/architecture.md §3.1, §8).
/// </summary>
internal static partial class NativeLibraryLoader
{
    internal const string FileName = "librelic_torch.so";

#pragma warning disable CA2255 // a module initializer is the one hook that also runs under dotnet fsi
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() => NativeLibrary.SetDllImportResolver(typeof(NativeLibraryLoader).Assembly, Resolve);

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != Native.Lib) return IntPtr.Zero;
        // libgomp reads its wait policy when it is loaded, which loading the shim does.
        ThreadingEnvironment.Apply();
        return Load(Candidates(Path.GetDirectoryName(assembly.Location)), File.Exists, NativeLibrary.Load);
    }

    /// <summary>
    /// Loads the shim from the first of <paramref name="directories"/> that holds it and loads, through
    /// <paramref name="load"/> (<see cref="NativeLibrary.Load(string)"/>; the tests pass a simulated loader).
    /// </summary>
    /// <exception cref="LibtorchNotFoundException">A shim was found, but the system loader did not find its libtorch.</exception>
    /// <exception cref="DllNotFoundException">No directory holds a shim that loads.</exception>
    internal static IntPtr Load(IEnumerable<string> directories, Func<string, bool> exists, Func<string, IntPtr> load)
    {
        var tried = new List<string>();
        (string Path, string Library, DllNotFoundException Error)? libtorchMissing = null;
        string? otherMissing = null;
        foreach (var dir in directories.Where(d => !string.IsNullOrEmpty(d)).Distinct(StringComparer.Ordinal))
        {
            var path = Path.Combine(dir, FileName);
            if (!exists(path))
            {
                tried.Add($"{path}: not found");
                continue;
            }
            try
            {
                return load(path);
            }
            catch (DllNotFoundException e)
            {
                tried.Add($"{path}: {OneLine(e.Message)}");
                var missing = MissingDependency(e.Message);
                if (missing is not null && LibtorchNotFoundException.IsLibtorch(missing)) libtorchMissing ??= (path, missing, e);
                else if (missing is not null) otherMissing ??= missing;
            }
        }
        if (libtorchMissing is { } m) throw new LibtorchNotFoundException(m.Path, m.Library, tried, m.Error);
        var needs = otherMissing is null ? ""
            : $" The shim was found but needs {otherMissing}, which the system loader did not find; install the package providing it.";
        throw new DllNotFoundException(
            $"Could not load {FileName}, the libtorch shim of ReLICv2.Core.{needs} From the ReLICv2.NET sources, build it with " +
            "`dotnet build` (scripts/bootstrap.sh installs libtorch-dev and cmake first); from the ReLICv2.Core package, it is in " +
            "runtimes/linux-x64/native (Linux x64 only); or set RELIC_NATIVE_DIR to the folder holding it. Tried:\n  " +
            string.Join("\n  ", tried));
    }

    /// <summary>The library the system loader could not find, from its message (<c>libc10.so.1.13: cannot open shared object file</c>).</summary>
    internal static string? MissingDependency(string loaderMessage)
    {
        var m = CannotOpen().Match(loaderMessage);
        return m.Success ? m.Groups["library"].Value : null;
    }

    [GeneratedRegex(@"(?<library>[^\s:/'""]+\.so(?:\.[\w.]+)?): cannot open shared object file")]
    private static partial Regex CannotOpen();

    private static string OneLine(string message) =>
        string.Join(" ", message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>The folders searched, in order, for a ReLICv2.Core.dll in <paramref name="assemblyDirectory"/>.</summary>
    internal static IEnumerable<string> Candidates(string? assemblyDirectory)
    {
        var env = Environment.GetEnvironmentVariable("RELIC_NATIVE_DIR");
        if (!string.IsNullOrEmpty(env)) yield return env;
        var dir = string.IsNullOrEmpty(assemblyDirectory) ? AppContext.BaseDirectory : assemblyDirectory;
        string[] rids = [RuntimeInformation.RuntimeIdentifier, "linux-x64"];
        yield return dir;
        foreach (var rid in rids) yield return Path.Combine(dir, "runtimes", rid, "native");
        // Inside a NuGet package (the global packages folder, what dotnet fsi's #r "nuget: …" loads from): lib/net10.0/.
        var packageRoot = Path.GetFullPath(Path.Combine(dir, "..", ".."));
        foreach (var rid in rids) yield return Path.Combine(packageRoot, "runtimes", rid, "native");
        // The host's probing directories of an application's deps.json.
        if (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") is string searched)
            foreach (var d in searched.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)) yield return d;
    }
}
