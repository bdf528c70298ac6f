namespace ReLICv2.Nn;

/// <summary>Batch normalisation of [N, C, H, W] inputs (see <see cref="BatchNorm"/>), as torch.nn.BatchNorm2d.</summary>
public sealed class BatchNorm2d(long numFeatures, double eps = 1e-5, double? momentum = 0.1, bool affine = true, DType dtype = DType.Float32)
    : BatchNorm(numFeatures, eps, momentum, affine, dtype)
{
    protected override bool AcceptsRank(int rank) => rank == 4;

    protected override string ExpectedLayout => "[N, C, H, W]";
}
