namespace ReLICv2.Training;

/// <summary>
/// How the pre-training engine runs: epochs, the loss generator's seed, gradient clipping, checkpoint cadence and the
/// run directory (metrics.jsonl and checkpoints/ are written there). Validated at construction.
/// </summary>
public sealed record PretrainingOptions
{
    public PretrainingOptions(int epochs, ulong seed = 0, double? gradientClipNorm = null, int checkpointEvery = 500, string? runDirectory = null,
        long? maxSteps = null, int shards = 1)
    {
        Shards = shards is >= 1 and <= 64 ? shards
            : throw new ArgumentOutOfRangeException(nameof(shards), shards, "PretrainingOptions.Shards must be in [1, 64] (1: the whole batch on the calling thread)");
        MaxSteps = maxSteps is null or >= 1 ? maxSteps
            : throw new ArgumentOutOfRangeException(nameof(maxSteps), maxSteps, "PretrainingOptions.MaxSteps must be >= 1 (or null: every step of every epoch)");
        Epochs = epochs >= 1 ? epochs : throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "PretrainingOptions.Epochs must be >= 1");
        Seed = seed;
        GradientClipNorm = gradientClipNorm is null or (> 0 and < double.PositiveInfinity) ? gradientClipNorm
            : throw new ArgumentOutOfRangeException(nameof(gradientClipNorm), gradientClipNorm, "PretrainingOptions.GradientClipNorm must be finite and > 0 (or null for no clipping)");
        CheckpointEvery = checkpointEvery >= 1 ? checkpointEvery
            : throw new ArgumentOutOfRangeException(nameof(checkpointEvery), checkpointEvery, "PretrainingOptions.CheckpointEvery must be >= 1 step");
        RunDirectory = runDirectory;
    }

    public int Epochs { get; }

    /// <summary>Caps the run at this many optimiser steps (a time budget turned into steps); null runs every epoch in full.</summary>
    public long? MaxSteps { get; }

    /// <summary>The steps a run of <see cref="Epochs"/> epochs of <paramref name="batchesPerEpoch"/> batches takes, after <see cref="MaxSteps"/>.</summary>
    public long TotalSteps(int batchesPerEpoch) => Math.Min((long)batchesPerEpoch * Epochs, MaxSteps ?? long.MaxValue);

    /// <summary>Seed of the generator handed to the loss (negative sub-sampling); saved and restored with checkpoints.</summary>
    public ulong Seed { get; }

    /// <summary>Rescales the gradients when their global L2 norm exceeds this value; null for no clipping.</summary>
    public double? GradientClipNorm { get; }

    /// <summary>Steps between checkpoints (one is also written at the end and when the run is cancelled).</summary>
    public int CheckpointEvery { get; }

    /// <summary>
    /// Data-parallel shards per batch: each shard (a contiguous slice of every view) is forwarded, scored and
    /// differentiated on its own worker thread with one intra-op thread, and the shards' gradients are summed in shard
    /// order, weighted by shard size (deterministic). Batch statistics (batch norm, the negatives a loss samples) are then
    /// per shard, as per device in the paper's multi-device training; running statistics follow shard 0. 1 (the default)
    /// runs the whole batch on the calling thread with its intra-op threads.
    /// </summary>
    public int Shards { get; }

    /// <summary>Where metrics.jsonl and checkpoints/ go; null keeps nothing on disk.</summary>
    public string? RunDirectory { get; }
}
