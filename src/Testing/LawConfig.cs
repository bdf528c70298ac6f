using System.Globalization;
using FsCheck;
using Microsoft.FSharp.Core;

namespace ReLICv2.Testing;

/// <summary>
/// How a law is checked: the number of generated cases, the FsCheck size range the generators grow through, and an
/// optional seed — of a whole run (<see cref="WithSeed"/>) or of the single failing case a
/// <see cref="LawFailedException"/> reports (<see cref="WithReplay"/>). Immutable; change it with the <c>With…</c>
/// methods, e.g. <c>LawConfig.Default.WithMaxTest(200)</c>.
/// </summary>
public sealed record LawConfig
{
    private LawConfig(int maxTest, int startSize, int endSize, ulong? seed, ulong gamma, int? replaySize)
    {
        if (maxTest < 1) throw new ArgumentOutOfRangeException(nameof(maxTest), maxTest, $"LawConfig: maxTest must be >= 1, got {maxTest}");
        if (startSize < 0) throw new ArgumentOutOfRangeException(nameof(startSize), startSize, $"LawConfig: startSize must be >= 0, got {startSize}");
        if (endSize < startSize)
            throw new ArgumentOutOfRangeException(nameof(endSize), endSize, $"LawConfig: endSize must be >= startSize ({startSize}), got {endSize}");
        if (gamma % 2 == 0) throw new ArgumentOutOfRangeException(nameof(gamma), gamma, $"LawConfig: gamma must be odd (FsCheck's splittable generator), got {gamma}");
        if (replaySize is < 0) throw new ArgumentOutOfRangeException(nameof(replaySize), replaySize, $"LawConfig: the replay size must be >= 0, got {replaySize}");
        MaxTest = maxTest;
        StartSize = startSize;
        EndSize = endSize;
        Seed = seed;
        Gamma = gamma;
        ReplaySize = replaySize;
    }

    /// <summary>50 cases, sizes 0 to 10, a fresh random seed on every run.</summary>
    public static LawConfig Default { get; } = new(50, 0, 10, null, 1, null);

    /// <summary>The number of generated cases a passing law has checked.</summary>
    public int MaxTest { get; }

    /// <summary>The FsCheck size of the first case (generators scale chain length, batch and image size with it).</summary>
    public int StartSize { get; }

    /// <summary>The FsCheck size of the last case.</summary>
    public int EndSize { get; }

    /// <summary>The seed of the random stream, or null for a fresh one on every run.</summary>
    public ulong? Seed { get; }

    /// <summary>The gamma (odd) that goes with <see cref="Seed"/>.</summary>
    public ulong Gamma { get; }

    /// <summary>With a seed: the size of the one case to replay, or null to replay the whole run.</summary>
    public int? ReplaySize { get; }

    /// <summary>This configuration checking <paramref name="maxTest"/> cases.</summary>
    public LawConfig WithMaxTest(int maxTest) => new(maxTest, StartSize, EndSize, Seed, Gamma, ReplaySize);

    /// <summary>This configuration growing sizes from <paramref name="startSize"/> to <paramref name="endSize"/>.</summary>
    public LawConfig WithSizes(int startSize, int endSize) => new(MaxTest, startSize, endSize, Seed, Gamma, ReplaySize);

    /// <summary>This configuration running from a fixed seed, so that every run checks the same cases.</summary>
    public LawConfig WithSeed(ulong seed, ulong gamma = 1) => new(MaxTest, StartSize, EndSize, seed, gamma, null);

    /// <summary>This configuration checking only the case a failure reported (its seed, gamma and size).</summary>
    public LawConfig WithReplay(ulong seed, ulong gamma, int size) => new(MaxTest, StartSize, EndSize, seed, gamma, size);

    /// <summary>The configuration as FsCheck's <see cref="Config"/> (quiet, with the given runner).</summary>
    internal Config ToFsCheck(IRunner runner)
    {
        var config = Config.Quick.WithMaxTest(MaxTest).WithStartSize(StartSize).WithEndSize(EndSize).WithQuietOnSuccess(true).WithRunner(runner);
        if (Seed is not { } seed) return config;
        var size = ReplaySize is { } s ? FSharpOption<int>.Some(s) : FSharpOption<int>.None;
        return config.WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(seed, Gamma), size)));
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"LawConfig({MaxTest} cases, sizes {StartSize}–{EndSize}" +
        (Seed is { } seed ? $", seed ({seed.ToString(CultureInfo.InvariantCulture)}, {Gamma.ToString(CultureInfo.InvariantCulture)}){(ReplaySize is { } s ? $" at size {s}" : "")}" : "") + ")";
}
