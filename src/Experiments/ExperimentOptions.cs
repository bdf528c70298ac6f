using System.CommandLine;
using ReLICv2.Experiments;

namespace ReLICv2.Experiments.Cli;

/// <summary>
/// The options every experiment command shares: where the experiment comes from (<c>--preset NAME</c> or
/// <c>--config FILE</c>, written from DSL values) and <c>--set path=value</c> overrides of any field, by its JSON path.
/// </summary>
internal sealed class ExperimentOptions
{
    public Option<string?> Preset { get; } = new("--preset")
    {
        Description = $"A preset experiment: {string.Join(", ", Experiment.Named.Keys)} (default fashion-mnist).",
    };

    public Option<FileInfo?> Config { get; } = new("--config") { Description = "An experiment JSON file (relic presets show NAME writes one)." };

    public Option<string[]> Set { get; } = new("--set")
    {
        Description = "Override a field by its JSON path, e.g. --set epochs=5 --set optimizer.learningRate=0.5 --set dataset.trainLimit=10000.",
        AllowMultipleArgumentsPerToken = false,
    };

    public void AddTo(Command command)
    {
        command.Add(Preset);
        command.Add(Config);
        command.Add(Set);
    }

    /// <summary>The experiment the options describe; throws <see cref="ArgumentException"/> with a one-line reason.</summary>
    public Experiment Resolve(ParseResult parse)
    {
        var preset = parse.GetValue(Preset);
        var config = parse.GetValue(Config);
        if (preset is not null && config is not null) throw new ArgumentException("give either --preset or --config, not both");
        Experiment experiment;
        if (config is not null)
        {
            if (!config.Exists) throw new ArgumentException($"--config: file '{config.FullName}' does not exist");
            try
            {
                experiment = Experiment.Load(config.FullName);
            }
            catch (InvalidDataException e)
            {
                throw new ArgumentException($"--config: {Experiment.OneLine(e)}");
            }
        }
        else
        {
            var name = preset ?? "fashion-mnist";
            experiment = Experiment.Named.TryGetValue(name, out var make) ? make()
                : throw new ArgumentException($"--preset: '{name}' is not one of {string.Join(", ", Experiment.Named.Keys)}");
        }
        return ApplySets(experiment, parse);
    }

    /// <summary>Applies every <c>--set path=value</c> of the command line to <paramref name="experiment"/>, in order.</summary>
    public Experiment ApplySets(Experiment experiment, ParseResult parse)
    {
        foreach (var assignment in parse.GetValue(Set) ?? []) experiment = experiment.WithAssignment(assignment);
        return experiment;
    }
}
