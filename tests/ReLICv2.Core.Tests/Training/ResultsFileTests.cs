using ReLICv2.Training;
using Xunit;

namespace ReLICv2.Tests;

public sealed class ResultsFileTests : IDisposable
{
    private readonly RunDirectory run = new(Path.Combine(Path.GetTempPath(), "relic-results-" + Guid.NewGuid().ToString("N")));

    public void Dispose()
    {
        if (Directory.Exists(run.Root)) Directory.Delete(run.Root, recursive: true);
    }

    [Fact]
    public void A_table_written_before_the_supervised_recipe_still_reads()
    {
        Directory.CreateDirectory(run.Root);
        File.WriteAllText(run.Results, """
            [
              { "encoder": "ReLICv2 pre-trained", "protocol": "linear probe", "top1": 0.85, "top5": 0.99, "note": "30 epochs" },
              { "encoder": "supervised", "protocol": "trained with labels", "top1": 0.8082, "top5": 0.99, "note": "398 steps, first large view's augmentation" }
            ]
            """);
        var rows = ResultsFile.Read(run);
        Assert.Equal([("ReLICv2 pre-trained", "linear probe"), ("supervised", "trained with labels")], rows.Select(r => (r.Encoder, r.Protocol)));
        Assert.Equal(0.8082, rows[1].Top1);
    }

    [Fact]
    public void Put_replaces_the_row_of_the_same_encoder_and_protocol_and_appends_a_new_one()
    {
        ResultsFile.Write(run, [new("a", "probe", 0.5), new("b", "probe", 0.6)]);
        ResultsFile.Put(run, new("a", "probe", 0.7, Note: "again"));
        ResultsFile.Put(run, new("a", "fine-tuned, 1 % labels", 0.4));
        Assert.Equal([new("a", "probe", 0.7, Note: "again"), new("b", "probe", 0.6), new AccuracyResult("a", "fine-tuned, 1 % labels", 0.4)], ResultsFile.Read(run));
    }
}
