namespace ReLICv2;

// Operators with broadcasting. Primitive overloads on both sides for double, float, int and long, because F# applies
// no implicit conversion when it resolves an operator (so `2.0 * x` and `x / 2` work in scripts). As in Python, a
// double or float operand is a floating scalar and an int or long one an integral scalar (see Tensor.Math.cs): with an
// Int64 tensor, `x * 2` and `x + 1` stay Int64 and `x * 2.0` is Float32; `x / 2` is true division (Float32).
public sealed partial class Tensor
{
    public static Tensor operator -(Tensor a) => a.Neg();
    public static Tensor operator +(Tensor a, Tensor b) => a.Add(b);
    public static Tensor operator +(Tensor a, double b) => a.Add(b);
    public static Tensor operator +(double a, Tensor b) => b.Add(a);
    public static Tensor operator +(Tensor a, float b) => a.Add((double)b);
    public static Tensor operator +(float a, Tensor b) => b.Add((double)a);
    public static Tensor operator +(Tensor a, int b) => AddInt(a, b);
    public static Tensor operator +(int a, Tensor b) => AddInt(b, a);
    public static Tensor operator +(Tensor a, long b) => AddInt(a, b);
    public static Tensor operator +(long a, Tensor b) => AddInt(b, a);
    public static Tensor operator -(Tensor a, Tensor b) => a.Sub(b);
    public static Tensor operator -(Tensor a, double b) => a.Sub(b);
    public static Tensor operator -(double a, Tensor b) => Wrap(Native.rs_rsub_scalar(b.H, a, out var r), r);
    public static Tensor operator -(Tensor a, float b) => a.Sub((double)b);
    public static Tensor operator -(float a, Tensor b) => Wrap(Native.rs_rsub_scalar(b.H, a, out var r), r);
    public static Tensor operator -(Tensor a, int b) => SubInt(a, b);
    public static Tensor operator -(int a, Tensor b) => Wrap(Native.rs_rsub_scalar_int(b.H, a, out var r), r);
    public static Tensor operator -(Tensor a, long b) => SubInt(a, b);
    public static Tensor operator -(long a, Tensor b) => Wrap(Native.rs_rsub_scalar_int(b.H, a, out var r), r);
    public static Tensor operator *(Tensor a, Tensor b) => a.Mul(b);
    public static Tensor operator *(Tensor a, double b) => a.Mul(b);
    public static Tensor operator *(double a, Tensor b) => b.Mul(a);
    public static Tensor operator *(Tensor a, float b) => a.Mul((double)b);
    public static Tensor operator *(float a, Tensor b) => b.Mul((double)a);
    public static Tensor operator *(Tensor a, int b) => MulInt(a, b);
    public static Tensor operator *(int a, Tensor b) => MulInt(b, a);
    public static Tensor operator *(Tensor a, long b) => MulInt(a, b);
    public static Tensor operator *(long a, Tensor b) => MulInt(b, a);
    public static Tensor operator /(Tensor a, Tensor b) => a.Div(b);
    public static Tensor operator /(Tensor a, double b) => a.Div(b);
    public static Tensor operator /(double a, Tensor b) => Wrap(Native.rs_rdiv_scalar(b.H, a, out var r), r);
    public static Tensor operator /(Tensor a, float b) => a.Div((double)b);
    public static Tensor operator /(float a, Tensor b) => Wrap(Native.rs_rdiv_scalar(b.H, a, out var r), r);
    public static Tensor operator /(Tensor a, int b) => DivInt(a, b);
    public static Tensor operator /(int a, Tensor b) => Wrap(Native.rs_rdiv_scalar_int(b.H, a, out var r), r);
    public static Tensor operator /(Tensor a, long b) => DivInt(a, b);
    public static Tensor operator /(long a, Tensor b) => Wrap(Native.rs_rdiv_scalar_int(b.H, a, out var r), r);

    private static Tensor AddInt(Tensor a, long b) => Wrap(Native.rs_add_scalar_int(a.H, b, out var r), r);
    private static Tensor SubInt(Tensor a, long b) => Wrap(Native.rs_sub_scalar_int(a.H, b, out var r), r);
    private static Tensor MulInt(Tensor a, long b) => Wrap(Native.rs_mul_scalar_int(a.H, b, out var r), r);
    private static Tensor DivInt(Tensor a, long b) => Wrap(Native.rs_div_scalar_int(a.H, b, out var r), r);
}
