namespace ReLICv2.Testing;

/// <summary>
/// Shrinking helpers (docs/testing.md §3). Every candidate is strictly simpler than the value it comes from (closer to a target, or a
/// shorter list), so shrinking always ends; and candidates lie between a value and a target inside the generator's
/// range, so shrinking never leaves the domain the generator covers.
/// </summary>
internal static class Shrinks
{
    /// <summary>
    /// The target, the midpoint, steps of 0.1 and 0.01 towards the target and roundings to two and one decimals — each
    /// strictly closer to the target than x, none beyond it.
    /// </summary>
    public static IEnumerable<double> Toward(double x, double target)
    {
        if (x == target || !double.IsFinite(x)) yield break;
        var distance = Math.Abs(x - target);
        var sign = Math.Sign(x - target);
        double[] candidates =
        [
            target,
            distance > 0.001 ? target + (x - target) / 2 : target,
            distance > 0.1 ? x - 0.1 * sign : target,
            distance > 0.01 ? x - 0.01 * sign : target,
            Math.Round(x, 2),
            Math.Round(x, 1),
        ];
        var seen = new HashSet<double>();
        foreach (var c in candidates)
            if (Math.Abs(c - target) < distance && Math.Sign(c - target) != -sign && seen.Add(c))
                yield return c;
    }

    /// <summary>The target, the midpoint and the neighbour towards it.</summary>
    public static IEnumerable<int> Toward(int x, int target)
    {
        if (x == target) yield break;
        yield return target;
        var mid = target + (x - target) / 2;
        if (mid != target && mid != x) yield return mid;
        var next = x - Math.Sign(x - target);
        if (next != target && next != mid) yield return next;
    }

    /// <summary>The values the makers build; a maker rejected by validation (ArgumentException) is skipped.</summary>
    public static IEnumerable<T> Valid<T>(IEnumerable<Func<T>> makers)
    {
        foreach (var make in makers)
        {
            T value;
            try
            {
                value = make();
            }
            catch (ArgumentException)
            {
                continue;
            }
            yield return value;
        }
    }

    /// <summary>The list with one item removed (the first <paramref name="keep"/> items are kept), then with one item shrunk.</summary>
    public static IEnumerable<T[]> List<T>(IReadOnlyList<T> items, Func<T, IEnumerable<T>> shrinkItem, int keep = 0, int minCount = 0)
    {
        if (items.Count > minCount)
            for (var i = keep; i < items.Count; i++)
                yield return [.. items.Take(i), .. items.Skip(i + 1)];
        for (var i = 0; i < items.Count; i++)
            foreach (var smaller in shrinkItem(items[i]))
                yield return [.. items.Take(i), smaller, .. items.Skip(i + 1)];
    }
}
