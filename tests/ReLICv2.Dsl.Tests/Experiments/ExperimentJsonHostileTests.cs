using System.Text.Json;
using System.Text.Json.Nodes;
using ReLICv2.Experiments;
using ReLICv2.Objectives;
using ReLICv2.Testing;
using ReLICv2.Training;
using ReLICv2.Views;
using Xunit;

namespace ReLICv2.Tests;

/// <summary>
/// Garbage experiment JSON: <see cref="Experiment.FromJson"/> refuses it with a <see cref="JsonException"/> that names the
/// field, never another exception; <see cref="Experiment.Load"/> adds the file.
/// </summary>
public sealed class ExperimentJsonHostileTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("relic-experiment-hostile-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    internal static Experiment Tiny(int epochs = 1) => new(
        "tiny",
        new DatasetSpec(DatasetKind.Synthetic, trainLimit: 64, testLimit: 32, imageSize: 16),
        new EncoderSpec(18, baseWidth: 4, smallImageStem: true),
        new HeadsSpec(16, 8, 16),
        ViewSet.ReLICv2(largeCount: 2, smallCount: 1, largeSize: 16, smallSize: 8),
        Presets.ReLICv2(temperature: 0.2, negatives: Losses.Negatives.Sample(4)),
        TargetMode.Ema, new EmaSpec(0.9),
        new OptimizerSpec(OptimizerKind.Lars, learningRate: 0.5, warmupEpochs: 0),
        epochs, batchSize: 16, seed: 3,
        new EvaluationSpec(probeEpochs: 2, knnK: 5));

    /// <summary>The refusal <see cref="Experiment.FromJson"/> documents: a JsonException from the experiment reader.</summary>
    private static bool IsCleanRefusal(Exception e) => e is JsonException && e.Message.StartsWith("experiment JSON", StringComparison.Ordinal);

    [Fact]
    public void A_field_replaced_by_any_json_value_or_removed_reads_or_is_refused_cleanly() =>
        JsonLaws.ReadsOrRefusesCleanly(JsonArbitraries.FieldMutations(Tiny().ToJson()), Experiment.FromJson, IsCleanRefusal, LawConfig.Default.WithMaxTest(400));

    [Fact]
    public void Text_cut_or_bit_flipped_anywhere_reads_or_is_refused_cleanly() =>
        JsonLaws.ReadsOrRefusesCleanly(JsonArbitraries.ByteMutations(Tiny().ToJson()), Experiment.FromJson, IsCleanRefusal, LawConfig.Default.WithMaxTest(400));

    public static TheoryData<string, string, string> FieldLies => new()
    {
        { "epochs", "\"x\"", "experiment JSON field 'epochs':" },
        { "epochs", "0", "experiment JSON field 'epochs': Experiment.Epochs must be >= 1 (got 0)" },
        { "epochs", "1e300", "experiment JSON field 'epochs':" },
        { "seed", "-1", "experiment JSON field 'seed':" },
        { "name", "5", "experiment JSON field 'name':" },
        { "name", "\"\"", "experiment JSON field 'name': Experiment.Name must not be empty" },
        { "target", "\"7\"", "experiment JSON field 'target': target '7' is not one of Ema, Shared, SharedStopGradient" },
        { "dataset", "[]", "experiment JSON field 'dataset':" },
        { "dataset.kind", "7", "experiment JSON field 'dataset': DatasetSpec.Kind must be one of FashionMnist" },
        { "dataset.kind", "\"Imagenet\"", "experiment JSON field 'dataset':" },
        { "optimizer.kind", "9", "experiment JSON field 'optimizer': OptimizerSpec.Kind must be one of Lars, Sgd, AdamW" },
        { "encoder.depth", "19", "experiment JSON field 'encoder': EncoderSpec.Depth" },
        { "views.largeViews.0.steps.0", "{\"size\":16}", "experiment JSON field 'views':" },
        { "views.largeViews.0.steps.0.kind", "\"mixup\"", "experiment JSON field 'views':" },
        { "views.largeViews", "null", "experiment JSON field 'views':" },
        { "objective.pair", "{\"op\":\"nope\"}", "experiment JSON field 'objective':" },
        { "objective.pair.terms.0.term", "null", "experiment JSON field 'objective':" },
        { "objective.pairing.kind", "42", "experiment JSON field 'objective':" },
        { "shards", "\"two\"", "experiment JSON field 'shards':" },
        { "shards", "9", "experiment JSON field 'shards': Experiment.Shards: a batch of 16 cannot be split into 9 shards" },
        { "ema", "null", "" },
        { "device", "\"tpu\"", "experiment JSON field 'device': Experiment.Device 'tpu' is not a device" },
    };

    [Theory]
    [MemberData(nameof(FieldLies))]
    public void A_field_with_a_wrong_value_is_refused_naming_the_field(string path, string value, string why)
    {
        var root = JsonNode.Parse(Tiny().ToJson())!;
        var parts = path.Split('.');
        var parent = parts[..^1].Aggregate(root, (n, p) => int.TryParse(p, out var i) ? n[i]! : n[p]!);
        if (int.TryParse(parts[^1], out var index)) parent[index] = JsonNode.Parse(value);
        else parent[parts[^1]] = JsonNode.Parse(value);
        if (why.Length == 0)
        {
            // An absent or null EMA with an EMA target is the default EMA.
            Assert.Equal(Tiny().Ema is null ? null : new EmaSpec(), Experiment.FromJson(root.ToJsonString()).Ema);
            return;
        }
        var e = Record.Exception(() => Experiment.FromJson(root.ToJsonString()));
        Assert.True(e is JsonException, $"{path}={value}: {e?.GetType().Name ?? "no exception"}: {e?.Message}");
        Assert.Contains(why, e!.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    public static TheoryData<string, string> DocumentLies => new()
    {
        { "{\"name\":\"a\",\"name\":\"b\"}", "experiment JSON: field 'name' appears twice" },
        { "{\"dataset\":{\"kind\":\"Synthetic\",\"kind\":\"Cifar10\"}}", "experiment JSON: field 'dataset.kind' appears twice" },
        { "[1,2]", "experiment JSON: the document is not an object" },
        { "{\"name\":", "experiment JSON: not valid JSON" },
        { "", "experiment JSON: not valid JSON" },
        { "{\"name\":\"x\"}", "experiment JSON: missing field(s) dataset, encoder" },
    };

    [Theory]
    [MemberData(nameof(DocumentLies))]
    public void A_document_that_is_not_an_object_of_distinct_fields_is_refused_saying_so(string json, string why)
    {
        var e = Record.Exception(() => Experiment.FromJson(json));
        Assert.True(e is JsonException, $"{json}: {e?.GetType().Name ?? "no exception"}: {e?.Message}");
        Assert.Contains(why, e!.Message);
    }

    [Fact]
    public void Load_names_the_file_and_the_field()
    {
        var path = Path.Combine(dir, "experiment.json");
        File.WriteAllText(path, Tiny().ToJson().Replace("\"epochs\": 1", "\"epochs\": -3", StringComparison.Ordinal));
        var e = Assert.Throws<InvalidDataException>(() => Experiment.Load(path));
        Assert.Contains($"experiment file '{path}'", e.Message);
        Assert.Contains("field 'epochs'", e.Message);
        File.WriteAllBytes(path, [.. "{\"name\":\""u8, 0xC3, 0x28, .. "\"}"u8]);
        Assert.Contains("is not valid UTF-8", Assert.Throws<InvalidDataException>(() => Experiment.Load(path)).Message);
        File.WriteAllText(path, Tiny().ToJson());
        Assert.Equal(Tiny(), Experiment.Load(path));
        Assert.Throws<FileNotFoundException>(() => Experiment.Load(Path.Combine(dir, "none.json")));
    }
}
