using System.CommandLine;
using ReLICv2.Experiments.Cli;
using ReLICv2.Views;

namespace ReLICv2.Experiments;

/// <summary>
/// <c>relic views</c>: writes a PNG grid of N source images of the experiment's dataset × every view of its view set
/// (source, large views, small views enlarged; saliency-masked views framed in red), so a user sees what a configuration does.
/// </summary>
public static class ViewsCommand
{
    public static Command Build()
    {
        var options = new ExperimentOptions();
        var count = new Option<int>("--count") { Description = "Source images (rows), 1-64.", DefaultValueFactory = _ => 8 };
        var output = new Option<FileInfo>("--out") { Description = "The PNG to write.", DefaultValueFactory = _ => new FileInfo("views.png") };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the sampled augmentations." };
        var mask = new Option<double?>("--mask-probability") { Description = "Set every large view's saliency-masking probability (0-1)." };
        var command = new Command("views", "Write a PNG grid: source images × every view of the experiment's view set.") { count, output, seed, mask };
        options.AddTo(command);
        command.SetAction(parse =>
        {
            try
            {
                var experiment = options.Resolve(parse);
                var n = parse.GetValue(count);
                if (n is < 1 or > 64) throw new ArgumentException($"--count must be in [1, 64], got {n}");
                var views = experiment.Views;
                if (parse.GetValue(mask) is { } p)
                {
                    if (p is < 0 or > 1) throw new ArgumentException($"--mask-probability must be in [0, 1], got {p}");
                    views = ViewSet.ReLICv2(views.LargeCount, views.SmallCount, views.LargeSize, views.SmallSize ?? views.LargeSize / 2, p);
                }
                var (train, _) = experiment.Dataset.Load();
                var path = parse.GetValue(output)!.FullName;
                ViewGrid.Write(path, views, train, n, parse.GetValue(seed));
                Console.WriteLine($"{views}\n{n} images × {1 + views.LargeCount + views.SmallCount} columns (source, {views.LargeCount} large, {views.SmallCount} small): {path}");
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or FileNotFoundException or DirectoryNotFoundException or InvalidDataException)
            {
                Console.Error.WriteLine($"relic views: {Experiment.OneLine(e)}");
                return 2;
            }
        });
        return command;
    }
}
