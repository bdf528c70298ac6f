using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ReLICv2;

/// <summary>
/// Finds <c>librelic_torch.so</c> for the P/Invoke layer, also from F# Interactive where there is no <c>Main</c>:
/// <c>RELIC_NATIVE_DIR</c>, then the folder of ReLICv2.Core.dll, then <c>runtimes/&lt;rid&gt;/native</c> below it.
/// When every place fails, the error lists each path tried with the loader's own message.
/// </summary>
internal static class NativeLibraryLoader
{
    private const string FileName = "librelic_torch.so";

#pragma warning disable CA2255 // a module initializer is the one hook that also runs under dotnet fsi
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() => NativeLibrary.SetDllImportResolver(typeof(NativeLibraryLoader).Assembly, Resolve);

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != Native.Lib) return IntPtr.Zero;
        var tried = new List<string>();
        foreach (var dir in Candidates(assembly))
        {
            var path = Path.Combine(dir, FileName);
            if (!File.Exists(path))
            {
                tried.Add($"{path}: not found");
                continue;
            }
            try
            {
                return NativeLibrary.Load(path);
            }
            catch (DllNotFoundException e)
            {
                tried.Add($"{path}: {e.Message}");
            }
        }
        throw new DllNotFoundException(
            $"Could not load {FileName}, the libtorch shim of ReLICv2.Core. Build it with `dotnet build` " +
            "(scripts/bootstrap.sh installs libtorch-dev and cmake first) or set RELIC_NATIVE_DIR to the folder holding it. Tried:\n  " +
            string.Join("\n  ", tried));
    }

    private static IEnumerable<string> Candidates(Assembly assembly)
    {
        var env = Environment.GetEnvironmentVariable("RELIC_NATIVE_DIR");
        if (!string.IsNullOrEmpty(env)) yield return env;
        var dir = Path.GetDirectoryName(assembly.Location);
        if (string.IsNullOrEmpty(dir)) dir = AppContext.BaseDirectory;
        yield return dir;
        yield return Path.Combine(dir, "runtimes", RuntimeInformation.RuntimeIdentifier, "native");
        yield return Path.Combine(dir, "runtimes", "linux-x64", "native");
    }
}
