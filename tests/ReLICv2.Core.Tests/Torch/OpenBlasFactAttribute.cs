using Xunit;

namespace ReLICv2.Tests;

/// <summary>A fact about OpenBLAS' pool: skipped, with the reason, when libtorch's BLAS is another or OPENBLAS_NUM_THREADS fixes the pool.</summary>
public sealed class OpenBlasFactAttribute : FactAttribute
{
    public OpenBlasFactAttribute()
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OPENBLAS_NUM_THREADS")))
            Skip = "OPENBLAS_NUM_THREADS is set: it fixes OpenBLAS' pool";
        else if (Torch.BlasThreads == -1)
            Skip = "the BLAS libtorch uses here is not OpenBLAS";
    }
}
