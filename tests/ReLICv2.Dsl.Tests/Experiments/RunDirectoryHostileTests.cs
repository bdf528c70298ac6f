using ReLICv2.Experiments;
using ReLICv2.Training;
using Xunit;

namespace ReLICv2.Tests;

/// <summary>
/// A finished run directory whose files were damaged: resuming or evaluating it is refused with an error naming the damaged
/// file (and the field), and the refusal rewrites nothing in the directory.
/// </summary>
public sealed class RunDirectoryHostileTests : IClassFixture<RunDirectoryHostileTests.FinishedRun>, IDisposable
{
    /// <summary>The tiny experiment without baselines, run once for the whole class.</summary>
    public sealed class FinishedRun : IDisposable
    {
        public FinishedRun()
        {
            Root = Directory.CreateTempSubdirectory("relic-finished-run-").FullName;
            Experiment.Run(Root);
        }

        public Experiment Experiment { get; } = ExperimentJsonHostileTests.Tiny()
            .With("evaluation.randomInitBaseline", "false").With("evaluation.supervisedBaseline", "false").With("evaluation.probeEpochs", "1");

        public string Root { get; }

        public void Dispose() => Directory.Delete(Root, recursive: true);
    }

    private readonly FinishedRun finished;
    private readonly string dir;
    private readonly RunDirectory run;

    public RunDirectoryHostileTests(FinishedRun finished)
    {
        this.finished = finished;
        dir = Path.Combine(Path.GetTempPath(), "relic-hostile-run-" + Guid.NewGuid().ToString("N"));
        foreach (var file in Directory.EnumerateFiles(finished.Root, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(dir, Path.GetRelativePath(finished.Root, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }
        run = new RunDirectory(dir);
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);

    /// <summary>Every file of the run with its bytes, after setting its modification time to a fixed past one.</summary>
    private Dictionary<string, (byte[] Bytes, DateTime Written)> Snapshot()
    {
        var old = new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc);
        var files = new Dictionary<string, (byte[], DateTime)>();
        foreach (var file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
        {
            File.SetLastWriteTimeUtc(file, old);
            files[file] = (File.ReadAllBytes(file), old);
        }
        return files;
    }

    private void AssertUnchanged(Dictionary<string, (byte[] Bytes, DateTime Written)> before)
    {
        Assert.Equal(before.Keys.Order(), Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Order());
        foreach (var (file, (bytes, written)) in before)
        {
            Assert.True(written == File.GetLastWriteTimeUtc(file), $"{file} was rewritten");
            Assert.Equal(bytes, File.ReadAllBytes(file));
        }
    }

    [Fact]
    public void A_garbage_experiment_json_is_named_by_resume_and_eval_and_left_as_it_was()
    {
        File.WriteAllText(run.Experiment, finished.Experiment.ToJson().Replace("\"batchSize\": 16", "\"batchSize\": \"sixteen\"", StringComparison.Ordinal));
        var before = Snapshot();
        var resume = Assert.Throws<InvalidDataException>(() => finished.Experiment.Run(dir, resume: true));
        Assert.Contains($"experiment file '{run.Experiment}'", resume.Message);
        Assert.Contains("field 'batchSize'", resume.Message);
        var eval = Assert.Throws<InvalidDataException>(() => ExperimentRunner.EvaluateRun(dir));
        Assert.Contains($"experiment file '{run.Experiment}'", eval.Message);
        AssertUnchanged(before);
    }

    [Fact]
    public void A_damaged_checkpoint_is_named_and_a_refused_resume_rewrites_nothing()
    {
        var weights = Path.Combine(run.Checkpoints, "last.safetensors");
        var bytes = File.ReadAllBytes(weights);
        bytes[bytes.Length / 2] ^= 0x10;
        File.WriteAllBytes(weights, bytes);
        var before = Snapshot();
        var resume = Assert.Throws<InvalidDataException>(() => finished.Experiment.Run(dir, resume: true));
        Assert.Contains(weights, resume.Message);
        Assert.Contains("SHA-256", resume.Message);
        Assert.Contains(weights, Assert.Throws<InvalidDataException>(() => ExperimentRunner.EvaluateRun(dir)).Message);
        AssertUnchanged(before);
    }

    [Fact]
    public void A_garbage_plan_is_named_and_a_refused_resume_rewrites_nothing()
    {
        File.WriteAllText(run.Plan, "4O");
        var before = Snapshot();
        var e = Assert.Throws<InvalidDataException>(() => finished.Experiment.Run(dir, resume: true));
        Assert.Contains($"plan file '{run.Plan}' holds '4O', not a number of steps in [1,", e.Message);
        AssertUnchanged(before);
    }

    [Fact]
    public void A_run_killed_after_its_checkpoint_resumes_logging_every_step_once_and_rewriting_nothing_it_keeps()
    {
        var experiment = ExperimentJsonHostileTests.Tiny(epochs: 2)
            .With("evaluation.randomInitBaseline", "false").With("evaluation.supervisedBaseline", "false").With("evaluation.probeEpochs", "1");
        var own = new RunDirectory(Path.Combine(dir, "killed"));
        using var stop = new CancellationTokenSource();
        var stopped = experiment.Run(own.Root, callbacks: new ExperimentCallbacks(OnStep: (r, _) => { if (r.Step == 3) stop.Cancel(); }), cancellation: stop.Token);
        Assert.True(stopped.Pretraining.Cancelled);
        Assert.Equal(3, stopped.Pretraining.StepsDone);
        // The process went on to log step 4 and died writing step 5, before its next checkpoint.
        var step3 = File.ReadAllLines(own.Metrics)[^1];
        File.AppendAllText(own.Metrics, step3.Replace("\"step\":3,", "\"step\":4,", StringComparison.Ordinal) + "\n" + "{\"step\":5,\"epo");
        var old = new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc);
        foreach (var file in new[] { own.Experiment, own.Plan, own.Views }) File.SetLastWriteTimeUtc(file, old);
        // Stopped again before the end, so that no evaluation runs: the log is what matters here.
        using var again = new CancellationTokenSource();
        var resumed = experiment.Run(own.Root, resume: true, new ExperimentCallbacks(OnStep: (r, _) => { if (r.Step == 6) again.Cancel(); }), again.Token);
        Assert.Equal(6, resumed.Pretraining.StepsDone);
        Assert.Equal(Enumerable.Range(1, 6).Select(i => (long)i), MetricsLog.Read(own.Metrics).Select(r => r.Step));
        foreach (var file in new[] { own.Experiment, own.Plan, own.Views })
            Assert.True(File.GetLastWriteTimeUtc(file) == old, $"{file} was rewritten by the resume");
    }
}
