using System.Globalization;

namespace ReLICv2.Augmentation;

/// <summary>Construction-time validation with messages that name the step, the field, the value and the allowed range.</summary>
internal static class Check
{
    public static double Probability(double value, string step, string field) => InRange(value, 0, 1, step, field);

    public static double InRange(double value, double low, double high, string step, string field)
    {
        if (!(value >= low && value <= high))
            throw new ArgumentOutOfRangeException(field, value, $"{step}: {field} must be in [{F(low)}, {F(high)}], got {F(value)}");
        return value;
    }

    public static double Positive(double value, double high, string step, string field)
    {
        if (!(value > 0 && value <= high))
            throw new ArgumentOutOfRangeException(field, value, $"{step}: {field} must be in (0, {F(high)}], got {F(value)}");
        return value;
    }

    public static int InRange(int value, int low, int high, string step, string field)
    {
        if (value < low || value > high)
            throw new ArgumentOutOfRangeException(field, value, $"{step}: {field} must be in [{low}, {high}], got {value}");
        return value;
    }

    public static void Ordered(double low, double high, string step, string lowField, string highField)
    {
        if (low > high)
            throw new ArgumentOutOfRangeException(lowField, low, $"{step}: {lowField} ({F(low)}) must be <= {highField} ({F(high)})");
    }

    public static string F(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
}
