using FsCheck;

namespace ReLICv2.Testing;

/// <summary>Laws of readers of JSON documents, checked on hostile variants from <see cref="JsonArbitraries"/>.</summary>
public static class JsonLaws
{
    /// <summary>
    /// Every variant is either read, or refused with an exception <paramref name="isCleanRefusal"/> accepts (e.g. a
    /// JsonException whose message names the field) — never another exception.
    /// </summary>
    /// <param name="documents">The hostile documents, e.g. <see cref="JsonArbitraries.FieldMutations"/> of a valid one.</param>
    /// <param name="read">The reader under test, e.g. <c>Experiment.FromJson</c>.</param>
    /// <param name="isCleanRefusal">True for the exceptions the reader is documented to throw on bad input.</param>
    /// <param name="config">Number of cases, sizes, seed.</param>
    public static void ReadsOrRefusesCleanly(Arbitrary<JsonMutation> documents, Func<string, object?> read, Func<Exception, bool> isCleanRefusal, LawConfig? config = null)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(isCleanRefusal);
        Law.Check($"{nameof(JsonLaws)}.{nameof(ReadsOrRefusesCleanly)}", documents, m =>
        {
            try
            {
                read(m.Text);
                return null;
            }
            catch (Exception e) when (!isCleanRefusal(e))
            {
                return $"{e.GetType().Name}: {e.Message} on {m.Text}";
            }
            catch (Exception)
            {
                return null;
            }
        }, config);
    }
}
