namespace ReLICv2.Objectives;

/// <summary>
/// Which inputs of a view pair receive gradients from an expression: the online embeddings o and/or the target
/// embeddings t. Decided from the expression's structure (a <see cref="StopGradient{T}"/> or a constant cuts the flow);
/// agrees with what autograd reports for the compiled expression.
/// </summary>
/// <param name="Online">True when the online embeddings receive a gradient.</param>
/// <param name="Target">True when the target embeddings receive a gradient.</param>
public sealed record GradientFlow(bool Online, bool Target)
{
    /// <summary>No input receives a gradient.</summary>
    public static GradientFlow None { get; } = new(false, false);

    /// <summary>The union of two flows.</summary>
    public static GradientFlow operator |(GradientFlow a, GradientFlow b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return new(a.Online || b.Online, a.Target || b.Target);
    }

    /// <summary>The union of two flows (for languages without operator overloading).</summary>
    public GradientFlow Union(GradientFlow other) => this | other;

    /// <summary>"online", "target", "online, target" or "none".</summary>
    public override string ToString() => (Online, Target) switch
    {
        (true, true) => "online, target",
        (true, false) => "online",
        (false, true) => "target",
        _ => "none",
    };
}
