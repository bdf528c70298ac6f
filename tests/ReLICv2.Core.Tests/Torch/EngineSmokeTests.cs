using Xunit;

namespace ReLICv2.Tests;

public class EngineSmokeTests
{
    [Fact]
    public void Matmul_of_known_matrices_matches_hand_computed_product()
    {
        using var scope = Torch.NewScope();
        var a = Torch.FromArray(new double[,] { { 1, 2 }, { 3, 4 } });
        var b = Torch.FromArray(new double[,] { { 5, 6 }, { 7, 8 } });
        Assert.Equal(new double[] { 19, 22, 43, 50 }, a.Matmul(b).ToArray<double>());
    }
}
