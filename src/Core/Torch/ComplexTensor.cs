namespace ReLICv2;

/// <summary>
/// A complex-valued tensor carried as its real and imaginary parts (two real tensors of equal shape), the form in
/// which <see cref="Fourier"/> returns transforms. Owns both parts.
/// </summary>
public sealed record ComplexTensor(Tensor Real, Tensor Imag) : IDisposable
{
    /// <summary>|z| = √(re² + im²).</summary>
    public Tensor Abs() => (Real.Square() + Imag.Square()).Sqrt();

    /// <summary>|z|² = re² + im².</summary>
    public Tensor AbsSquare() => Real.Square() + Imag.Square();

    /// <summary>arg z = atan2(im, re), in (−π, π].</summary>
    public Tensor Angle() => Imag.Atan2(Real);

    /// <summary>z = r·e^{iφ} from a modulus and an angle.</summary>
    public static ComplexTensor FromPolar(Tensor modulus, Tensor angle) => new(modulus * angle.Cos(), modulus * angle.Sin());

    public void Dispose()
    {
        Real.Dispose();
        Imag.Dispose();
    }
}
