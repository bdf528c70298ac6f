using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;

namespace ReLICv2.Testing;

/// <summary>
/// Checks a law — a statement about every value an <see cref="Arbitrary{T}"/> generates — with FsCheck, from any test
/// framework: it returns when the law held for every case and throws <see cref="LawFailedException"/> otherwise, after
/// shrinking the failing case. The laws of <see cref="AugmentationLaws"/>, <see cref="ViewSetLaws"/> and
/// <see cref="ObjectiveLaws"/> are built on it; user code can state its own the same way.
/// </summary>
public static class Law
{
    /// <summary>
    /// Checks that <paramref name="violation"/> returns null for every case of <paramref name="cases"/>; a non-null
    /// return is the reason the case breaks the law (an exception thrown by it counts as a violation too).
    /// </summary>
    /// <param name="name">The law's name, printed first in a failure.</param>
    /// <param name="cases">The generator (with its shrinker) of cases.</param>
    /// <param name="violation">Null when the case satisfies the law, else what is wrong with it.</param>
    /// <param name="config">Number of cases, sizes, seed; <see cref="LawConfig.Default"/> when null.</param>
    /// <exception cref="LawFailedException">A case broke the law.</exception>
    public static void Check<T>(string name, Arbitrary<T> cases, Func<T, string?> violation, LawConfig? config = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(cases);
        ArgumentNullException.ThrowIfNull(violation);
        var runner = new CapturingRunner();
        var property = Prop.ForAll(cases, (T value) =>
        {
            if (violation(value) is { } reason) throw new LawViolation(reason);
        });
        property.Check((config ?? LawConfig.Default).ToFsCheck(runner));
        switch (runner.Result)
        {
            case TestResult.Failed failed:
                var cause = Unwrap(failed.Item4 is Outcome.Failed f ? f.Item : null);
                var reason = cause switch
                {
                    LawViolation v => v.Message,
                    null => "the property was falsified",
                    _ => $"{cause.GetType().Name}: {cause.Message}",
                };
                var shrunk = string.Join(", ", failed.Item3.Select(a => a?.ToString() ?? "null"));
                throw new LawFailedException(name, reason, shrunk, failed.Item1.NumberOfTests, failed.Item1.NumberOfShrinks,
                    failed.Item6.Seed, failed.Item6.Gamma, failed.Item7, failed.Item5.Seed, failed.Item5.Gamma, cause is LawViolation ? null : cause);
            case TestResult.Exhausted exhausted:
                throw new InvalidOperationException($"{name}: gave up after {exhausted.Item.NumberOfTests} cases: the generator rejected too many values");
            case null:
                throw new InvalidOperationException($"{name}: FsCheck reported no result");
        }
    }

    private static Exception? Unwrap(Exception? e)
    {
        while (e is System.Reflection.TargetInvocationException or AggregateException && e.InnerException is not null) e = e.InnerException;
        return e;
    }

    /// <summary>Thrown inside the property when a case violates the law; carries the reason.</summary>
    private sealed class LawViolation(string reason) : Exception(reason);

    /// <summary>A silent FsCheck runner that keeps the result.</summary>
    private sealed class CapturingRunner : IRunner
    {
        public TestResult? Result { get; private set; }

        public void OnStartFixture(Type t)
        {
        }

        public void OnArguments(int ntest, FSharpList<object> args, FSharpFunc<int, FSharpFunc<FSharpList<object>, string>> every)
        {
        }

        public void OnShrink(FSharpList<object> args, FSharpFunc<FSharpList<object>, string> everyShrink)
        {
        }

        public void OnFinished(string name, TestResult testResult) => Result = testResult;
    }
}
