using System.CommandLine;
using System.Globalization;
using ReLICv2.Distributed;
using ReLICv2.Experiments.Cli;
using ReLICv2.Experiments.Reports;
using ReLICv2.Training;
using Spectre.Console;

namespace ReLICv2.Experiments;

/// <summary>
/// <c>relic pretrain</c>: runs an experiment end to end — pre-training with a live progress display (plain lines when
/// the output is not a terminal), Ctrl-C writing a checkpoint before exiting, <c>--resume</c> continuing exactly — then
/// the linear probe, k-NN and both baselines, the accuracy table and the HTML report. Started by <c>relic launch</c>, torchrun-style
/// scripts or srun (MASTER_ADDR, MASTER_PORT, WORLD_SIZE, RANK, LOCAL_RANK, LOCAL_WORLD_SIZE, or SLURM's variables), each
/// process is one rank of a data-parallel run (docs/distributed.md): rank 0 shows progress, writes the run directory and
/// evaluates; the other ranks log to &lt;run&gt;/logs/rank-K.log.
/// </summary>
public static class PretrainCommand
{
    public static Command Build()
    {
        var options = new ExperimentOptions();
        var runDir = new Option<DirectoryInfo?>("--run-dir") { Description = "Where the run's files go (default runs/<experiment name>)." };
        var resume = new Option<bool>("--resume") { Description = "Continue the run in --run-dir from its last checkpoint." };
        var plain = new Option<bool>("--plain") { Description = "Plain progress lines even on a terminal." };
        var command = new Command("pretrain", "Pre-train an experiment (a preset or --config), then evaluate it and write its report.") { runDir, resume, plain };
        options.AddTo(command);
        command.SetAction(parse =>
        {
            Experiment experiment;
            try
            {
                experiment = options.Resolve(parse);
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"relic pretrain: {Experiment.OneLine(e)}");
                return 2;
            }
            var dir = parse.GetValue(runDir)?.FullName ?? Path.Combine("runs", experiment.Name);
            return Execute(experiment, dir, parse.GetValue(resume), parse.GetValue(plain) || Console.IsOutputRedirected);
        });
        return command;
    }

    /// <summary>Runs <paramref name="experiment"/> into <paramref name="dir"/> with progress on the console; returns the exit code.</summary>
    public static int Execute(Experiment experiment, string dir, bool resume, bool plain)
    {
        DistributedEnvironment? environment;
        ProcessGroupOptions groupOptions;
        try
        {
            environment = DistributedEnvironment.FromEnvironment();
            groupOptions = ProcessGroupOptions.FromEnvironment();
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"relic pretrain: {Experiment.OneLine(e)}");
            return 2;
        }
        if (environment is not { WorldSize: > 1 }) return Execute(experiment, dir, resume, plain, null);
        if (System.Environment.GetEnvironmentVariable("OMP_NUM_THREADS") is null or "")
            Torch.NumThreads = Math.Max(1, System.Environment.ProcessorCount / environment.LocalWorldSize);
        ProcessGroup group;
        try
        {
            group = ProcessGroup.Create(environment, groupOptions);
        }
        catch (TorchException e)
        {
            Console.Error.WriteLine($"relic pretrain: {e.Message}");
            return 1;
        }
        using (group)
            return Execute(experiment, dir, resume, plain || !environment.IsMaster, group);
    }

    /// <summary>Runs <paramref name="experiment"/> as one rank of <paramref name="group"/> (or alone when null); returns the exit code.</summary>
    public static int Execute(Experiment experiment, string dir, bool resume, bool plain, ProcessGroup? group)
    {
        var master = group is null || group.Rank == 0;
        using var rankLog = master ? null : OpenRankLog(dir, group!.Rank);
        var output = rankLog ?? Console.Out;
        using var cts = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            if (cts.IsCancellationRequested) return; // a second Ctrl-C ends the process at once
            e.Cancel = true;
            cts.Cancel();
            Console.Error.WriteLine("\nrelic: stopping after this step and writing a checkpoint (Ctrl-C again to abort)…");
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            var header = $"ReLICv2.NET {Torch.FrameworkVersion} · libtorch {Torch.Version} · {Torch.NumThreads} threads" +
                (group is null ? "" : $" · rank {group.Rank} of {group.WorldSize} ({group.Options.Backend}, master {group.Environment.MasterAddress}:{group.Environment.MasterPort}" +
                 (group.Options.NetworkInterface is { } nic ? $", interface {nic}" : group.Options.Hostname is { } host ? $", local address {host}" : "") + ")");
            output.WriteLine(header);
            if (!master) Console.WriteLine($"{header}; progress in {Path.Combine(dir, "logs", $"rank-{group!.Rank}.log")}");
            output.WriteLine(experiment);
            ExperimentResult result;
            if (plain)
            {
                result = ExperimentRunner.Run(experiment, dir, resume, new PlainProgress(output).Callbacks, cts.Token, group);
            }
            else
            {
                var live = new LiveProgress(experiment.Name);
                ExperimentResult? inner = null;
                AnsiConsole.Live(live.Render()).AutoClear(false).Start(ctx =>
                {
                    live.Context = ctx;
                    inner = ExperimentRunner.Run(experiment, dir, resume, live.Callbacks, cts.Token, group);
                    live.Refresh(force: true);
                });
                result = inner!;
            }
            if (result.Pretraining.Cancelled)
            {
                Console.WriteLine($"stopped at step {result.Pretraining.StepsDone} of {result.Pretraining.TotalSteps}; checkpoint {result.Pretraining.CheckpointPath}");
                Console.WriteLine($"continue with: relic pretrain --run-dir {result.Run.Root} --resume (and the same --preset/--config/--set)");
                return 130;
            }
            if (!master)
            {
                var done = $"rank {group!.Rank}: pre-training done ({result.Pretraining.StepsDone} steps); rank 0 evaluates";
                output.WriteLine(done);
                Console.WriteLine(done);
                return 0;
            }
            PrintTable(result.Accuracies, plain);
            // The peak resident memory of the whole job (VmHWM): pre-training, evaluation, the runtime; docs/benchmarks.md §9.
            var peak = ProcessMemory.PeakResidentBytes is { } bytes ? $"; peak resident memory {bytes / 1048576.0:F0} MiB" : "";
            Console.WriteLine($"pre-training: {result.Pretraining.StepsDone} steps in {result.Pretraining.Seconds:F0} s{peak}; checkpoint {result.Pretraining.CheckpointPath}");
            Console.WriteLine($"report: {HtmlReport.Write(result.Run)}");
            return 0;
        }
        catch (NonFiniteLossException e)
        {
            Console.Error.WriteLine($"relic pretrain: training stopped, {e.Message}. The last good checkpoint is kept in {Path.Combine(dir, "checkpoints")}.");
            return 3;
        }
        catch (RankDivergedException e)
        {
            Console.Error.WriteLine($"relic pretrain: {e.Message}");
            return 4;
        }
        catch (TorchException e)
        {
            // With a group, a collective failed (another rank died or timed out; the message names this rank and the
            // collective); alone, libtorch refused an operation of the step. Either way the last checkpoint stands.
            Console.Error.WriteLine($"relic pretrain: {(group is null ? "libtorch failed: " : "")}{Experiment.OneLine(e)}. The last checkpoint is kept in {Path.Combine(dir, "checkpoints")}.");
            return 1;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or InvalidOperationException or ArgumentException or InvalidDataException)
        {
            Console.Error.WriteLine($"relic pretrain: {Experiment.OneLine(e)}");
            return 1;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static StreamWriter OpenRankLog(string dir, int rank)
    {
        var logs = Path.Combine(dir, "logs");
        Directory.CreateDirectory(logs);
        return new StreamWriter(Path.Combine(logs, $"rank-{rank}.log"), append: true) { AutoFlush = true };
    }

    internal static void PrintTable(IReadOnlyList<AccuracyResult> rows, bool plain)
    {
        string Pct(double? v) => v is { } x ? (x * 100).ToString("F2", CultureInfo.InvariantCulture) + " %" : "–";
        if (plain)
        {
            Console.WriteLine($"{"encoder",-26} {"protocol",-20} {"top-1",9} {"top-5",9}");
            foreach (var r in rows) Console.WriteLine($"{r.Encoder,-26} {r.Protocol,-20} {Pct(r.Top1),9} {Pct(r.Top5),9}");
            return;
        }
        var table = new Table().AddColumns("encoder", "protocol", "top-1", "top-5").Title("Accuracy on the test set");
        foreach (var r in rows) table.AddRow(Markup.Escape(r.Encoder), Markup.Escape(r.Protocol), Pct(r.Top1), Pct(r.Top5));
        AnsiConsole.Write(table);
    }

    private static string Describe(MetricsRecord r, long total)
    {
        var eta = r.Step > 0 ? TimeSpan.FromSeconds(r.ElapsedSeconds / r.Step * (total - r.Step)) : TimeSpan.Zero;
        var terms = string.Join(" ", r.Terms.Select(kv => $"{kv.Key} {kv.Value:F4}"));
        return $"step {r.Step}/{total} epoch {r.Epoch} loss {r.Loss:F4}{(terms.Length == 0 ? "" : $" ({terms})")} lr {r.LearningRate:G3}" +
               (r.EmaDecay is { } g ? $" γ {g:F4}" : "") + $" {r.ImagesPerSecond:F0} img/s ETA {eta:hh\\:mm\\:ss}";
    }

    /// <summary>Plain lines for logs and CI: phases, messages, the first, last and every tenth-second step.</summary>
    private sealed class PlainProgress(TextWriter output)
    {
        private DateTime lastLine = DateTime.MinValue;

        public ExperimentCallbacks Callbacks => new(p => output.WriteLine($"== {p}"), Step, m => output.WriteLine($"   {m}"));

        private void Step(MetricsRecord r, long total)
        {
            if (r.Step != total && r.Step != 1 && DateTime.UtcNow - lastLine <= TimeSpan.FromSeconds(10)) return;
            output.WriteLine(Describe(r, total));
            lastLine = DateTime.UtcNow;
        }
    }

    /// <summary>A Spectre.Console live panel: phase, progress bar, loss terms, learning rate, EMA γ, images/s, ETA and recent messages.</summary>
    private sealed class LiveProgress(string name)
    {
        private readonly List<string> log = [];
        private string phase = "starting";
        private MetricsRecord? last;
        private long total;
        private DateTime lastRefresh = DateTime.MinValue;

        public LiveDisplayContext? Context { get; set; }

        public ExperimentCallbacks Callbacks => new(
            p => { phase = p; log.Add($"== {p}"); Refresh(force: true); },
            (r, t) => { last = r; total = t; Refresh(force: r.Step == t); },
            m => { log.Add(m); Refresh(force: true); });

        public void Refresh(bool force)
        {
            if (Context is null || (!force && DateTime.UtcNow - lastRefresh < TimeSpan.FromMilliseconds(250))) return;
            Context.UpdateTarget(Render());
            Context.Refresh();
            lastRefresh = DateTime.UtcNow;
        }

        public Panel Render()
        {
            var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
            grid.AddRow(new Markup("[bold]phase[/]"), new Text(phase));
            if (last is { } r)
            {
                var done = total == 0 ? 1.0 : (double)r.Step / total;
                const int width = 30;
                var filled = (int)Math.Round(done * width);
                var eta = r.Step > 0 ? TimeSpan.FromSeconds(r.ElapsedSeconds / r.Step * (total - r.Step)) : TimeSpan.Zero;
                grid.AddRow(new Markup("[bold]step[/]"), new Markup($"[green]{new string('█', filled)}[/][grey]{new string('░', width - filled)}[/] {r.Step}/{total} ({done:P0}), epoch {r.Epoch}"));
                grid.AddRow(new Markup("[bold]loss[/]"), new Text($"{r.Loss:F4}   " + string.Join("   ", r.Terms.Select(kv => $"{kv.Key} {kv.Value:F4}"))));
                grid.AddRow(new Markup("[bold]schedule[/]"), new Text($"lr {r.LearningRate:G4}" + (r.EmaDecay is { } g ? $"   EMA γ {g:F5}" : "")));
                grid.AddRow(new Markup("[bold]speed[/]"), new Text($"{r.ImagesPerSecond:F0} images/s   elapsed {TimeSpan.FromSeconds(r.ElapsedSeconds):hh\\:mm\\:ss}   ETA {eta:hh\\:mm\\:ss}"));
            }
            foreach (var m in log.TakeLast(6)) grid.AddRow(new Text(""), new Text(m));
            return new Panel(grid).Header(Markup.Escape($" ReLICv2.NET · {name} ")).Expand();
        }
    }
}
