namespace ReLICv2;

/// <summary>
/// Discrete Fourier transforms (libtorch's <c>torch.fft</c>) over the last two dimensions, with complex values as
/// <see cref="ComplexTensor"/> pairs. Differentiable.
/// </summary>
public static class Fourier
{
    /// <summary>The 2-D DFT of a real tensor […, H, W] (torch.fft.fft2, no normalisation).</summary>
    public static ComplexTensor Fft2(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var status = Native.rs_fft_fft2(x.H, out var re, out var im);
        if (status != 0)
        {
            re.Dispose();
            im.Dispose();
            throw TorchException.FromNative();
        }
        return new ComplexTensor(new Tensor(re), new Tensor(im));
    }

    /// <summary>The 2-D inverse DFT (torch.fft.ifft2, normalised by 1/(H·W)).</summary>
    public static ComplexTensor Ifft2(ComplexTensor z)
    {
        ArgumentNullException.ThrowIfNull(z);
        var status = Native.rs_fft_ifft2(z.Real.H, z.Imag.H, out var re, out var im);
        if (status != 0)
        {
            re.Dispose();
            im.Dispose();
            throw TorchException.FromNative();
        }
        return new ComplexTensor(new Tensor(re), new Tensor(im));
    }
}
