using System.Text;
using PrototxtLsp.Core.Semantics;
using PrototxtLsp.Core.Text;
using PrototxtLsp.Tests.Infrastructure;

namespace PrototxtLsp.Tests;

/// <summary>
/// Data-driven diagnostics: each Baselines/Diagnostics/NAME.prototxt has NAME.diagnostics.txt beside it with the
/// expected root message and diagnostics (1-based line:column ranges). Run with UPDATE_BASELINES=1 to rewrite the
/// expected files, then review the diff.
/// </summary>
public class BaselineTests
{
    public static IEnumerable<object[]> Cases() =>
        Directory.EnumerateFiles(TestPaths.BaselineDir("Diagnostics"), "*.prototxt")
            .Order(StringComparer.Ordinal)
            .Select(f => new object[] { Path.GetFileName(f) });

    [Theory]
    [MemberData(nameof(Cases))]
    public void Diagnostics_match_baseline(string file)
    {
        var path = Path.Combine(TestPaths.BaselineDir("Diagnostics"), file);
        var text = SourceText.FromBytes(File.ReadAllBytes(path));
        var analysis = DocumentAnalysis.Analyze(text, path, workspace: WorkspaceContext.FileSystem);
        TreeInvariants.Check(text.Text, analysis);

        var actual = Render(analysis);
        var expectedPath = Path.ChangeExtension(path, ".diagnostics.txt");
        if (TestPaths.UpdateBaselines)
        {
            File.WriteAllText(expectedPath, actual);
            return;
        }

        Assert.True(File.Exists(expectedPath), $"{expectedPath} is missing; run the tests with UPDATE_BASELINES=1 to create it.");
        Assert.Equal(File.ReadAllText(expectedPath).ReplaceLineEndings("\n"), actual);
    }

    public static string Render(DocumentAnalysis analysis)
    {
        var sb = new StringBuilder();
        sb.Append("message: ").Append(analysis.RootMessage.FullName).Append('\n');
        var lines = analysis.Text.Lines;
        foreach (var d in analysis.Diagnostics)
        {
            var r = lines.GetRange(d.Span);
            sb.Append($"{r.Start.Line + 1}:{r.Start.Character + 1}-{r.End.Line + 1}:{r.End.Character + 1} {d.Code} {d.Severity.ToString().ToLowerInvariant()}: {d.Message}\n");
            foreach (var rel in d.Related ?? [])
            {
                var rr = lines.GetRange(rel.Span);
                sb.Append($"    related {rr.Start.Line + 1}:{rr.Start.Character + 1}-{rr.End.Line + 1}:{rr.End.Character + 1}: {rel.Message}\n");
            }
        }

        if (analysis.Diagnostics.Count == 0) sb.Append("(no diagnostics)\n");
        return sb.ToString();
    }
}
