namespace ReLICv2.Objectives;

/// <summary>What the two kinds of primitive application share: hashing and gradient flow.</summary>
internal static class PrimitiveCalls
{
    public static int Hash(IPrimitiveCall call) =>
        call.Parameters.Aggregate(call.Inputs.Aggregate(call.Primitive.GetHashCode(), HashCode.Combine), (h, p) => HashCode.Combine(h, p));

    /// <summary>The union of the flows of the inputs the primitive does not stop.</summary>
    public static GradientFlow Flow(IPrimitiveCall call) =>
        call.Inputs.Where((_, i) => !call.Primitive.StopsGradient(i)).Aggregate(GradientFlow.None, (flow, input) => flow | input.Flow);
}
