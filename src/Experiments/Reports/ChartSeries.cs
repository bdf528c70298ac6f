namespace ReLICv2.Experiments.Reports;

/// <summary>A named series of (x, y) points for <see cref="SvgLineChart"/>.</summary>
public sealed record ChartSeries(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y)
{
    public IReadOnlyList<double> Y { get; } = Y.Count == X.Count ? Y
        : throw new ArgumentException($"ChartSeries '{Name}': {X.Count} x values but {Y.Count} y values", nameof(Y));
}
