using System.CommandLine;
using ReLICv2.Experiments.Cli;

namespace ReLICv2.Experiments;

/// <summary><c>relic presets</c>: lists the preset experiments; <c>relic presets show NAME [--set …]</c> prints one as JSON.</summary>
public static class PresetsCommand
{
    public static Command Build()
    {
        var list = new Command("list", "List the preset experiments.");
        list.SetAction(_ => List());
        var options = new ExperimentOptions();
        var show = new Command("show", "Print an experiment (a preset or --config, after --set overrides) as JSON.");
        var name = new Argument<string?>("name") { Description = "The preset's name.", Arity = ArgumentArity.ZeroOrOne };
        show.Add(name);
        options.AddTo(show);
        show.SetAction(parse =>
        {
            try
            {
                var preset = parse.GetValue(name);
                var experiment = preset is null ? options.Resolve(parse)
                    : Experiment.Named.TryGetValue(preset, out var make) ? options.ApplySets(make(), parse)
                    : throw new ArgumentException($"'{preset}' is not one of {string.Join(", ", Experiment.Named.Keys)}");
                Console.WriteLine(experiment.ToJson());
                return 0;
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"relic presets show: {Experiment.OneLine(e)}");
                return 2;
            }
        });
        var command = new Command("presets", "List preset experiments or print one as JSON.") { list, show };
        command.SetAction(_ => List());
        return command;
    }

    private static int List()
    {
        foreach (var (name, make) in Experiment.Named) Console.WriteLine($"{name,-27} {make()}");
        return 0;
    }
}
