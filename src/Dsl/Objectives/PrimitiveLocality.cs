namespace ReLICv2.Objectives;

/// <summary>
/// What a user-defined <see cref="Primitive"/> reads of the batch, which decides whether an objective using it can be
/// trained data-parallel (docs/distributed.md): each rank holds only its own rows, candidates are gathered without
/// autograd, and batch statistics are not all-reduced.
/// </summary>
public enum PrimitiveLocality
{
    /// <summary>Not declared: the compiler assumes the primitive may need the whole batch and refuses data parallelism.</summary>
    Unknown,

    /// <summary>
    /// Row-local: row i of the value depends on row i of the inputs only (for a scalar, the value is a mean over rows of
    /// per-row terms). Safe under data parallelism, and an embeddings-valued primitive may then be evaluated on the
    /// gathered candidates of a similarity.
    /// </summary>
    RowWise,

    /// <summary>Needs the whole batch (pairwise terms, batch statistics): refused under data parallelism, like centre or corr.</summary>
    WholeBatch,
}
