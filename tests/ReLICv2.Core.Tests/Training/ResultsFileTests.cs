using ReLICv2.Training;
using Xunit;

namespace ReLICv2.Tests;

/// <summary>results.json: one reader and writer for the runner and the report.</summary>
public sealed class ResultsFileTests : IDisposable
{
    private readonly RunDirectory run = new(Path.Combine(Path.GetTempPath(), "relic-results-" + Guid.NewGuid().ToString("N")));

    public void Dispose()
    {
        if (Directory.Exists(run.Root)) Directory.Delete(run.Root, recursive: true);
    }

    [Fact]
    public void A_table_round_trips_with_snake_case_names_and_a_missing_file_reads_as_empty()
    {
        Assert.Empty(ResultsFile.Read(run));
        AccuracyResult[] rows = [new("ReLICv2 pre-trained", "linear probe", 0.85, 0.99, "30 epochs"), new("random init", "k-NN", 0.79, null)];
        ResultsFile.Write(run, rows);
        Assert.Equal(rows, ResultsFile.Read(run));
        var text = File.ReadAllText(run.Results);
        Assert.Contains("\"top1\"", text);
        Assert.Contains("\"encoder\": \"random init\"", text);
    }

    [Fact]
    public void A_corrupt_table_is_refused_naming_the_file()
    {
        ResultsFile.Write(run, [new("a", "k-NN", 0.5, null)]);
        File.WriteAllText(run.Results, "{ not a table");
        var e = Assert.Throws<InvalidDataException>(() => ResultsFile.Read(run));
        Assert.Contains(run.Results, e.Message);
    }
}
