using System.CommandLine;
using System.CommandLine.Invocation;

namespace ReLICv2.Experiments;

/// <summary>The <c>relic</c> command line.</summary>
public static class Program
{
    public static int Main(string[] args) => BuildRoot().Parse(args).Invoke();

    /// <summary>The command tree (exposed for tests).</summary>
    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("ReLICv2.NET: self-supervised visual representation learning (ReLICv2 and its relatives) on libtorch.");
        foreach (var option in root.Options)
            if (option is VersionOption version) version.Action = new PrintVersion();
        root.Add(EngineCommand.Build());
        root.Add(ReportCommand.Build());
        root.Add(PretrainCommand.Build());
        root.Add(CompareCommand.Build());
        root.Add(PresetsCommand.Build());
        root.Add(ViewsCommand.Build());
        root.Add(EvalCommand.Build());
        root.Add(EvalCommand.BuildSupervised());
        root.Add(LaunchCommand.Build());
        root.Add(new Command("bench", "Benchmarks of docs/benchmarks.md, one JSON object per workload.") { BenchStepCommand.Build(), BenchAugmentCommand.Build(), BenchDdpCommand.Build(), BenchSoakCommand.Build() });
        return root;
    }

    /// <summary>The framework version, the libtorch version, whether CUDA is available, the threads and the shim's instruction set.</summary>
    public static string VersionText() =>
        $"ReLICv2.NET {Torch.FrameworkVersion}\nlibtorch {Torch.Version}\nCUDA available: {(Torch.CudaIsAvailable ? "yes" : "no")}" +
        $"\noneDNN available: {(Torch.MkldnnIsAvailable ? "yes" : "no")}\nthreads: {Torch.NumThreads} (OpenBLAS: {Torch.BlasThreads}; OpenMP wait: {Torch.OpenMpWait})" +
        $"\nshim instruction set: {Torch.BuildArchitecture} (augmentation kernels: {Torch.KernelInstructionSet})";

    private sealed class PrintVersion : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.WriteLine(VersionText());
            return 0;
        }
    }
}
