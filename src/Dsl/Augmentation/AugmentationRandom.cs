namespace ReLICv2.Augmentation;

/// <summary>
/// The seeded generator behind every augmentation sampler: xoshiro256** seeded through SplitMix64, a managed PRNG
/// chosen so that a seed gives the same views on every machine, runtime and libtorch build (the parameters are drawn
/// on the host, per image, before any kernel runs; <see cref="System.Random"/>'s algorithm is not a documented
/// contract). Not thread-safe: one instance per sampling call.
/// </summary>
public sealed class AugmentationRandom
{
    private ulong s0, s1, s2, s3;

    /// <summary>A generator whose whole stream is determined by <paramref name="seed"/>.</summary>
    public AugmentationRandom(ulong seed)
    {
        Seed = seed;
        var x = seed;
        s0 = SplitMix(ref x);
        s1 = SplitMix(ref x);
        s2 = SplitMix(ref x);
        s3 = SplitMix(ref x);
    }

    /// <summary>The seed this generator started from.</summary>
    public ulong Seed { get; }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextBits()
    {
        var result = RotateLeft(s1 * 5, 7) * 9;
        var t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = RotateLeft(s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextBits() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [<paramref name="low"/>, <paramref name="high"/>) (exactly <paramref name="low"/> when the two are equal).</summary>
    public double Uniform(double low, double high) => low + (high - low) * NextDouble();

    /// <summary>Uniform integer in [<paramref name="low"/>, <paramref name="highExclusive"/>), without modulo bias.</summary>
    public int NextInt(int low, int highExclusive)
    {
        if (highExclusive <= low) throw new ArgumentOutOfRangeException(nameof(highExclusive), highExclusive, $"NextInt: highExclusive must be > low = {low}");
        var range = (ulong)((long)highExclusive - low);
        var limit = ulong.MaxValue - ulong.MaxValue % range;
        ulong r;
        do r = NextBits(); while (r >= limit);
        return (int)(low + (long)(r % range));
    }

    /// <summary>True with probability <paramref name="p"/> (never draws for p = 0 or 1, so such steps do not shift the stream).</summary>
    public bool Bernoulli(double p) => p >= 1 || (p > 0 && NextDouble() < p);

    /// <summary>A uniformly random permutation of 0 … n − 1 (Fisher–Yates).</summary>
    public int[] Permutation(int n)
    {
        var a = Enumerable.Range(0, n).ToArray();
        for (var i = n - 1; i > 0; i--)
        {
            var j = NextInt(0, i + 1);
            (a[i], a[j]) = (a[j], a[i]);
        }
        return a;
    }

    /// <inheritdoc />
    public override string ToString() => $"AugmentationRandom(seed={Seed})";

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));

    private static ulong SplitMix(ref ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        var z = x;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
