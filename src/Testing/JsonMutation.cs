namespace ReLICv2.Testing;

/// <summary>
/// A JSON document with one hostile change, from <see cref="JsonArbitraries"/>: a field or array item replaced by a
/// hostile value or removed, or the text cut short or one of its bits flipped.
/// </summary>
/// <param name="Description">What was changed, e.g. <c>$.views.largeViews[0] := "NaN"</c> or <c>cut to 120 bytes</c>.</param>
/// <param name="Text">The changed document.</param>
/// <param name="Position">The place changed: an index into the document's fields and items, or a byte offset.</param>
/// <param name="Variant">The change at that place: a hostile value's index (−1 removes), or a bit (−1 cuts).</param>
public sealed record JsonMutation(string Description, string Text, int Position, int Variant)
{
    /// <summary>The description (the text can be long; it is in the record).</summary>
    public override string ToString() => Description;
}
