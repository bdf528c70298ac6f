using System.Globalization;

namespace ReLICv2.Testing;

/// <summary>
/// A law did not hold (docs/testing.md §4). The message names the law, says what was wrong with the smallest counterexample shrinking found,
/// prints that counterexample, and gives the two <see cref="LawConfig"/> values that reproduce the failure: the failing
/// case alone (<see cref="ReplayCase"/>) and the whole run (<see cref="ReplayRun"/>).
/// </summary>
public sealed class LawFailedException : Exception
{
    internal LawFailedException(string law, string reason, string counterexample, int tests, int shrinks, ulong caseSeed, ulong caseGamma, int caseSize,
        ulong runSeed, ulong runGamma, Exception? cause)
        : base(Describe(law, reason, counterexample, tests, shrinks, caseSeed, caseGamma, caseSize, runSeed, runGamma), cause)
    {
        Law = law;
        Reason = reason;
        Counterexample = counterexample;
        Tests = tests;
        Shrinks = shrinks;
        ReplayCase = LawConfig.Default.WithReplay(caseSeed, caseGamma, caseSize);
        ReplayRun = LawConfig.Default.WithSeed(runSeed, runGamma);
    }

    /// <summary>The law's name, e.g. <c>AugmentationLaws.PreservesShapeAndRange</c>.</summary>
    public string Law { get; }

    /// <summary>What was wrong with the shrunk counterexample.</summary>
    public string Reason { get; }

    /// <summary>The shrunk counterexample as printed.</summary>
    public string Counterexample { get; }

    /// <summary>The number of cases checked up to and including the first failing one.</summary>
    public int Tests { get; }

    /// <summary>The number of successful shrinks from the first failing case to <see cref="Counterexample"/>.</summary>
    public int Shrinks { get; }

    /// <summary>A configuration that checks only the failing case (before shrinking).</summary>
    public LawConfig ReplayCase { get; }

    /// <summary>A configuration that repeats the whole run.</summary>
    public LawConfig ReplayRun { get; }

    private static string Describe(string law, string reason, string counterexample, int tests, int shrinks, ulong caseSeed, ulong caseGamma, int caseSize,
        ulong runSeed, ulong runGamma)
    {
        static string U(ulong v) => v.ToString(CultureInfo.InvariantCulture) + "UL";
        return $"{law} failed after {tests} case{(tests == 1 ? "" : "s")} and {shrinks} shrink{(shrinks == 1 ? "" : "s")}: {reason}" + Environment.NewLine +
            $"  counterexample (shrunk): {counterexample.ReplaceLineEndings(Environment.NewLine + "    ")}" + Environment.NewLine +
            $"  replay the failing case: LawConfig.Default.WithReplay({U(caseSeed)}, {U(caseGamma)}, {caseSize})" + Environment.NewLine +
            $"  replay the whole run:    LawConfig.Default.WithSeed({U(runSeed)}, {U(runGamma)})";
    }
}
