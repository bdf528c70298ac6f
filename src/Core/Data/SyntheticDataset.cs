namespace ReLICv2.Data;

/// <summary>
/// Procedural test images with ground-truth foreground masks: one shape per image (class 0 disc, 1 square,
/// 2 triangle, 3 cross, …, up to <see cref="ShapeNames"/>) in a random colour, size and position, on a background
/// that is a linear gradient between two random colours plus pixel noise; the foreground colour is kept at least
/// 120 (sum of channel differences) away from both gradient ends. Deterministic for a seed. Small enough for tests:
/// saliency masking, saliency estimators and linear probes can be checked against the known masks and labels.
/// </summary>
public sealed class SyntheticDataset : InMemoryImageDataset
{
    /// <summary>The shapes, indexed by label.</summary>
    public static IReadOnlyList<string> ShapeNames { get; } = ["disc", "square", "triangle", "cross"];

    /// <param name="count">Number of images (&gt; 0).</param>
    /// <param name="size">Side of the square images, in [8, 512].</param>
    /// <param name="channels">1 or 3.</param>
    /// <param name="seed">Seed of the generator; equal seeds give equal datasets.</param>
    /// <param name="classes">Number of shape classes, in [1, 4].</param>
    /// <param name="noise">Amplitude of the uniform pixel noise in grey levels, in [0, 64].</param>
    public SyntheticDataset(int count, int size = 32, int channels = 3, int seed = 0, int classes = 4, int noise = 12)
        : this(Generate(count, size, channels, seed, classes, noise), size, channels, classes)
    {
        Seed = seed;
        Noise = noise;
    }

    private SyntheticDataset((byte[] Pixels, int[] Labels, float[] Masks) data, int size, int channels, int classes)
        : base(data.Pixels, data.Labels, channels, size, size, ShapeNames.Take(classes).ToArray(), data.Masks)
    {
    }

    /// <summary>The generator seed.</summary>
    public int Seed { get; }

    /// <summary>The pixel noise amplitude.</summary>
    public int Noise { get; }

    private static (byte[], int[], float[]) Generate(int count, int size, int channels, int seed, int classes, int noise)
    {
        if (count <= 0) throw new ArgumentOutOfRangeException(nameof(count), count, "count must be > 0");
        if (size is < 8 or > 512) throw new ArgumentOutOfRangeException(nameof(size), size, "size must be in [8, 512]");
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "channels must be 1 or 3");
        if (classes < 1 || classes > ShapeNames.Count)
            throw new ArgumentOutOfRangeException(nameof(classes), classes, $"classes must be in [1, {ShapeNames.Count}]");
        if (noise is < 0 or > 64) throw new ArgumentOutOfRangeException(nameof(noise), noise, "noise must be in [0, 64]");
        var rng = new Random(seed);
        var plane = size * size;
        var pixels = new byte[(long)count * channels * plane];
        var masks = new float[(long)count * plane];
        var labels = new int[count];
        for (var n = 0; n < count; n++)
        {
            var label = rng.Next(classes);
            labels[n] = label;
            var bgA = RandomColor(rng, channels);
            var bgB = RandomColor(rng, channels);
            int[] fg;
            do fg = RandomColor(rng, channels);
            while (Distance(fg, bgA) < 120 || Distance(fg, bgB) < 120);
            var radius = size * (0.2 + 0.15 * rng.NextDouble());
            var cx = radius + rng.NextDouble() * (size - 2 * radius);
            var cy = radius + rng.NextDouble() * (size - 2 * radius);
            var angle = rng.NextDouble() * 2 * Math.PI;
            var (gx, gy) = (Math.Cos(angle), Math.Sin(angle));
            var mask = masks.AsSpan(n * plane, plane);
            var img = pixels.AsSpan(n * channels * plane, channels * plane);
            for (var y = 0; y < size; y++)
            {
                for (var x = 0; x < size; x++)
                {
                    var inside = Inside(label, (x + 0.5 - cx) / radius, (y + 0.5 - cy) / radius);
                    mask[y * size + x] = inside ? 1f : 0f;
                    var t = 0.5 + 0.5 * (((x + 0.5) / size - 0.5) * gx + ((y + 0.5) / size - 0.5) * gy) * 1.41421356;
                    for (var c = 0; c < channels; c++)
                    {
                        var baseValue = inside ? fg[c] : bgA[c] + (bgB[c] - bgA[c]) * t;
                        var v = baseValue + (noise == 0 ? 0 : rng.Next(-noise, noise + 1));
                        img[c * plane + y * size + x] = (byte)Math.Clamp((int)Math.Round(v), 0, 255);
                    }
                }
            }
        }
        return (pixels, labels, masks);
    }

    /// <summary>Whether the point (u, v), in units of the shape radius around its centre, lies in shape <paramref name="label"/>.</summary>
    private static bool Inside(int label, double u, double v) => label switch
    {
        0 => u * u + v * v <= 1,
        1 => Math.Abs(u) <= 0.8 && Math.Abs(v) <= 0.8,
        2 => v <= 0.8 && v >= -1 + 2 * Math.Abs(u) * 0.9,
        _ => (Math.Abs(u) <= 0.3 && Math.Abs(v) <= 1) || (Math.Abs(v) <= 0.3 && Math.Abs(u) <= 1),
    };

    private static int[] RandomColor(Random rng, int channels)
    {
        var c = new int[channels];
        for (var i = 0; i < channels; i++) c[i] = rng.Next(256);
        return c;
    }

    private static int Distance(int[] a, int[] b)
    {
        var d = 0;
        for (var i = 0; i < a.Length; i++) d += Math.Abs(a[i] - b[i]);
        return d * 3 / a.Length;
    }
}
