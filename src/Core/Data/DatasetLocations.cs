namespace ReLICv2.Data;

/// <summary>
/// Where datasets without a system package are looked for by default: <c>$RELIC_DATA_DIR</c> when set,
/// otherwise <c>~/datasets</c>.
/// </summary>
public static class DatasetLocations
{
    /// <summary>The root folder holding downloaded datasets.</summary>
    public static string Root =>
        Environment.GetEnvironmentVariable("RELIC_DATA_DIR") is { Length: > 0 } dir
            ? dir
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), "datasets");
}
