namespace ReLICv2.Nn;

/// <summary>Batch normalisation of [N, C] or [N, C, L] inputs (see <see cref="BatchNorm"/>), as torch.nn.BatchNorm1d.</summary>
public sealed class BatchNorm1d(long numFeatures, double eps = 1e-5, double? momentum = 0.1, bool affine = true, DType dtype = DType.Float32)
    : BatchNorm(numFeatures, eps, momentum, affine, dtype)
{
    protected override bool AcceptsRank(int rank) => rank is 2 or 3;

    protected override string ExpectedLayout => "[N, C] or [N, C, L]";
}
