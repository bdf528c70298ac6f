namespace ReLICv2.Objectives;

/// <summary>What the two kinds of primitive application share: hashing and gradient flow.</summary>
internal static class PrimitiveCalls
{
    /// <summary>
    /// Checks a call of <paramref name="primitive"/> of value kind <paramref name="kind"/> (<paramref name="who"/> names the
    /// caller in the message) and returns copies of its inputs and parameters.
    /// </summary>
    public static (ExprNode[] Inputs, double[] Parameters) Checked(string who, Type kind, Primitive primitive, IReadOnlyList<ExprNode> inputs, IReadOnlyList<double> parameters)
    {
        ArgumentNullException.ThrowIfNull(primitive);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(parameters);
        if (primitive.Result != kind)
            throw new ArgumentException($"{who}: primitive '{primitive.Name}' has value kind {primitive.Result.Name}, not {kind.Name}.", nameof(primitive));
        primitive.Check(inputs, parameters);
        return ([.. inputs], [.. parameters]);
    }

    public static int Hash(IPrimitiveCall call) =>
        call.Parameters.Aggregate(call.Inputs.Aggregate(call.Primitive.GetHashCode(), HashCode.Combine), (h, p) => HashCode.Combine(h, p));

    /// <summary>The union of the flows of the inputs the primitive does not stop.</summary>
    public static GradientFlow Flow(IPrimitiveCall call) =>
        call.Inputs.Where((_, i) => !call.Primitive.StopsGradient(i)).Aggregate(GradientFlow.None, (flow, input) => flow | input.Flow);
}
