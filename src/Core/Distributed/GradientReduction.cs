namespace ReLICv2.Distributed;

/// <summary>
/// What one <see cref="GradientReducer.Finish"/> cost: seconds spent waiting after backward (communication that backward
/// did not hide), bytes all-reduced, and how many of the buckets backward's hooks launched before it ended.
/// </summary>
public readonly record struct GradientReduction(double WaitSeconds, long Bytes, int BucketsLaunchedInBackward, int Buckets);
