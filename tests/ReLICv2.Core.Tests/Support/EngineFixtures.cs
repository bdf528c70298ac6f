using System.Text.Json;

namespace ReLICv2.Tests;

/// <summary>Expected outputs from tests/fixtures-src/engine/make_engine_fixtures.py (PyTorch 1.13), by case name.</summary>
internal static class EngineFixtures
{
    private static readonly Lazy<Dictionary<string, (long[] Shape, double[] Values)>> Cases = new(Load);

    public static (long[] Shape, double[] Values) Get(string name) =>
        Cases.Value.TryGetValue(name, out var c) ? c : throw new KeyNotFoundException($"fixture case '{name}' is not in Fixtures/engine/ops.json");

    private static Dictionary<string, (long[] Shape, double[] Values)> Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "engine", "ops.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var result = new Dictionary<string, (long[], double[])>();
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            var shape = c.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            var values = c.GetProperty("values").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            result[c.GetProperty("name").GetString()!] = (shape, values);
        }
        return result;
    }
}
