using System.Text.RegularExpressions;
using Xunit;

namespace ReLICv2.Tests;

/// <summary>
/// The documentation belongs to the repository: sources, tests, scripts, the benchmark reference and the README cite
/// <c>docs/&lt;file&gt;.md §N</c>, never design notes kept outside the repository or a tracker a user cannot see, and every
/// section they cite exists as a heading of that file (<c>## 2. …</c>, <c>### 9.1 …</c>).
/// </summary>
public sealed partial class DocumentationReferenceTests
{
    private static readonly string Root = FindRoot();

    private static readonly string[] ScannedFolders = ["src", "tests", "scripts", "bench"];

    private static readonly HashSet<string> TextExtensions =
        [".cs", ".fs", ".fsx", ".py", ".sh", ".cpp", ".h", ".txt", ".cmake", ".md", ".csproj", ".props", ".json"];

    private static readonly HashSet<string> BuildFolders = ["bin", "obj", "build", "TestResults"];

    /// <summary>What a file must not refer to, and how a failure describes it.</summary>
    private static readonly (Regex Pattern, string What)[] Outside =
    [
        (SharedFolder(), "the reference folder beside the repository"),
        (UpperCaseDocument(), "an upper-case design document outside docs/"),
        (TrackerEntry(), "a tracker entry"),
        (NotesElsewhere(), "notes kept outside docs/"),
    ];

    /// <summary>The folder of reference material that sits beside the repository and that users do not have.</summary>
    [GeneratedRegex(@"\.\.[/\\]shared\b")]
    private static partial Regex SharedFolder();

    /// <summary>A document named in capitals (other than the README) with <c>.md</c> or a § after it: the docs are <c>docs/*.md</c>.</summary>
    [GeneratedRegex(@"\b(?!README\b)[A-Z]{4,}(?:\.md\b|[ \t]+§)")]
    private static partial Regex UpperCaseDocument();

    [GeneratedRegex(@"\b[Ii]ssue[ \t]*#\d+|\b[Ii]ssue tracker")]
    private static partial Regex TrackerEntry();

    [GeneratedRegex(@"\b[Rr]esearch notes\b|(?<![A-Za-z])research/[\w-]+\.md\b")]
    private static partial Regex NotesElsewhere();

    /// <summary><c>docs/method.md §2</c>, <c>docs/method.md §1, §4</c>, <c>`docs/results.md` §3</c>, <c>docs/distributed.md</c>.</summary>
    [GeneratedRegex(@"docs/(?<file>[A-Za-z0-9_-]+)\.md`?(?<sections>(?:,?[ \t]*§[ \t]*\d+(?:\.\d+)*)*)")]
    private static partial Regex Citation();

    [GeneratedRegex(@"§[ \t]*(?<number>\d+(?:\.\d+)*)")]
    private static partial Regex SectionNumber();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ReLICv2.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no ReLICv2.sln in {AppContext.BaseDirectory} or any folder above it");
    }

    private static IEnumerable<string> ScannedFiles() =>
        ScannedFolders.Select(f => Path.Combine(Root, f)).Where(Directory.Exists)
            .SelectMany(f => Directory.EnumerateFiles(f, "*", SearchOption.AllDirectories))
            .Where(f => TextExtensions.Contains(Path.GetExtension(f))
                        && !Path.GetRelativePath(Root, f).Split(Path.DirectorySeparatorChar).Any(BuildFolders.Contains)
                        && !f.EndsWith("packages.lock.json", StringComparison.Ordinal))
            .Append(Path.Combine(Root, "README.md"))
            .Order(StringComparer.Ordinal);

    private static IEnumerable<(string File, int Line, string Text)> Lines() =>
        ScannedFiles().SelectMany(f => File.ReadLines(f).Select((text, i) => (Path.GetRelativePath(Root, f), i + 1, text)));

    private static string Describe((string File, int Line, string Text) at) => $"{at.File}:{at.Line}: {at.Text.Trim()}";

    [Fact]
    public void No_file_refers_to_documents_outside_the_repository_or_to_a_tracker()
    {
        var found = Lines()
            .SelectMany(at => Outside.Where(o => o.Pattern.IsMatch(at.Text)).Select(o => $"{Describe(at)}  ← {o.What}; cite docs/ instead"))
            .ToList();
        Assert.True(found.Count == 0, $"{found.Count} reference(s) to material a user does not have:\n" + string.Join("\n", found));
    }

    [Fact]
    public void Every_cited_section_exists_as_a_heading_of_its_document()
    {
        var headings = new Dictionary<string, string[]?>();
        string[]? Headings(string file)
        {
            if (!headings.TryGetValue(file, out var lines))
            {
                var path = Path.Combine(Root, "docs", file + ".md");
                headings[file] = lines = File.Exists(path) ? File.ReadAllLines(path).Where(l => l.StartsWith('#')).ToArray() : null;
            }
            return lines;
        }

        var citations = 0;
        var missing = new List<string>();
        foreach (var at in Lines())
            foreach (Match citation in Citation().Matches(at.Text))
            {
                var file = citation.Groups["file"].Value;
                foreach (Match section in SectionNumber().Matches(citation.Groups["sections"].Value))
                {
                    citations++;
                    var number = section.Groups["number"].Value;
                    var heading = new Regex(@"^#{1,6}[ \t]+" + Regex.Escape(number) + @"\.?[ \t]");
                    var titles = Headings(file);
                    if (titles is null) missing.Add($"{Describe(at)}  ← docs/{file}.md does not exist");
                    else if (!titles.Any(heading.IsMatch)) missing.Add($"{Describe(at)}  ← docs/{file}.md has no heading numbered {number}");
                }
            }
        Assert.True(citations > 0, $"no section citations found below {Root}: the scan itself is broken");
        Assert.True(missing.Count == 0, $"{missing.Count} citation(s) of sections that do not exist:\n" + string.Join("\n", missing));
    }

    [Fact]
    public void Every_document_in_docs_is_listed_in_its_index()
    {
        var index = File.ReadAllText(Path.Combine(Root, "docs", "README.md"));
        var unlisted = Directory.EnumerateFiles(Path.Combine(Root, "docs"), "*.md")
            .Select(f => Path.GetFileName(f))
            .Where(name => name != "README.md" && !index.Contains($"]({name})", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.True(unlisted.Count == 0, "docs/README.md does not list: " + string.Join(", ", unlisted));
    }
}
