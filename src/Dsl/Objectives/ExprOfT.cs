namespace ReLICv2.Objectives;

/// <summary>
/// A typed objective expression over one view pair (online embeddings o, target embeddings t) whose value has kind
/// <typeparamref name="T"/>: <see cref="Embeddings"/>, <see cref="Logits"/>, <see cref="Distribution"/>,
/// <see cref="Correlation"/> or <see cref="Scalar"/> (scalar expressions are <see cref="Objective"/>s).
/// The phantom type makes ill-typed compositions fail to compile, e.g.
/// <code>
///   var logits = Expr.Similarity(Expr.Normalize(Expr.Online), Expr.Normalize(Expr.Target), 0.1);
///   Expr.Kl(Expr.Softmax(logits), Expr.Softmax(Expr.Transpose(logits)));   // fine: KL of two Expr&lt;Distribution&gt;
///   Expr.Kl(logits, Expr.Transpose(logits));                                // CS1503: Expr&lt;Logits&gt; is not Expr&lt;Distribution&gt;
/// </code>
/// The built-in nodes are defined by this library (the constructor is not accessible outside it); compose them through
/// <see cref="Expr"/>, and add new ones as user-defined <see cref="Primitive"/>s.
/// </summary>
/// <typeparam name="T">The phantom kind of the expression's value.</typeparam>
public abstract record Expr<T> : ExprNode
{
    private protected Expr()
    {
    }
}
