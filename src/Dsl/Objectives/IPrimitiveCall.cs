namespace ReLICv2.Objectives;

/// <summary>The kind-independent view of an application of a user-defined <see cref="Primitive"/> (used by the compiler and JSON).</summary>
internal interface IPrimitiveCall
{
    Primitive Primitive { get; }

    IReadOnlyList<ExprNode> Inputs { get; }

    IReadOnlyList<double> Parameters { get; }
}
