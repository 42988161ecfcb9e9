using System.Text;
using PrototxtLsp.Core.Features;
using PrototxtLsp.Core.Semantics;
using PrototxtLsp.Core.Syntax;
using PrototxtLsp.Core.Text;
using PrototxtLsp.Tests.Infrastructure;
using Xunit.Abstractions;

namespace PrototxtLsp.Tests;

/// <summary>
/// Formatting: Baselines/Formatting/NAME.prototxt has NAME.formatted.txt beside it (UPDATE_BASELINES=1 rewrites them).
/// Every case, every diagnostics baseline and every corpus file must also format idempotently and to text that binds
/// to the same values with the same diagnostics.
/// </summary>
public class FormatterTests(ITestOutputHelper output)
{
    public static IEnumerable<object[]> Cases() =>
        Directory.EnumerateFiles(TestPaths.BaselineDir("Formatting"), "*.prototxt")
            .Order(StringComparer.Ordinal)
            .Select(f => new object[] { Path.GetFileName(f) });

    public static IEnumerable<object[]> DiagnosticCases() =>
        Directory.EnumerateFiles(TestPaths.BaselineDir("Diagnostics"), "*.prototxt")
            .Order(StringComparer.Ordinal)
            .Select(f => new object[] { Path.GetFileName(f) });

    [Theory]
    [MemberData(nameof(Cases))]
    public void Formatting_matches_baseline(string file)
    {
        var path = Path.Combine(TestPaths.BaselineDir("Formatting"), file);
        var text = SourceText.FromBytes(File.ReadAllBytes(path)).Text;
        var formatted = Formatter.FormatText(SyntaxTree.Parse(text));
        var expectedPath = Path.ChangeExtension(path, ".formatted.txt");
        if (TestPaths.UpdateBaselines)
        {
            File.WriteAllText(expectedPath, formatted);
        }
        else
        {
            Assert.True(File.Exists(expectedPath), $"{expectedPath} is missing; run the tests with UPDATE_BASELINES=1 to create it.");
            Assert.Equal(File.ReadAllText(expectedPath), formatted);
        }

        CheckInvariants(text, path);
    }

    [Theory]
    [MemberData(nameof(DiagnosticCases))]
    public void Diagnostics_baselines_format_safely(string file)
    {
        var path = Path.Combine(TestPaths.BaselineDir("Diagnostics"), file);
        CheckInvariants(SourceText.FromBytes(File.ReadAllBytes(path)).Text, path);
    }

    [SkippableFact]
    public void Every_corpus_file_formats_idempotently_and_keeps_its_meaning()
    {
        var shared = TestPaths.RequireShared();
        int files = 0, changed = 0, edits = 0;
        foreach (var path in TestPaths.CorpusFiles(shared))
        {
            var text = SourceText.FromBytes(File.ReadAllBytes(path)).Text;
            var result = CheckInvariants(text, path);
            files++;
            if (result != text) changed++;
            edits += Formatter.Format(SyntaxTree.Parse(text)).Count;
        }

        output.WriteLine($"{files} corpus files formatted: {changed} changed, {edits} edits in all");
        Assert.True(files >= 150);
    }

    [Fact]
    public void Canonical_text_gets_no_edits()
    {
        var path = Path.Combine(TestPaths.BaselineDir("Formatting"), "already_formatted.prototxt");
        Assert.Empty(Formatter.Format(SyntaxTree.Parse(File.ReadAllText(path))));
    }

    [Fact]
    public void Range_formatting_touches_only_the_range()
    {
        const string text = "layer {\n      name: \"a\"\n}\nlayer {\n      name: \"b\"\n}\n";
        var tree = SyntaxTree.Parse(text);
        var second = text.IndexOf("name: \"b\"", StringComparison.Ordinal);
        var edits = Formatter.FormatRange(tree, new TextSpan(second, 4));
        var result = Formatter.Apply(text, edits);
        Assert.Equal("layer {\n      name: \"a\"\n}\nlayer {\n  name: \"b\"\n}\n", result);
        Assert.Equal(2, Formatter.Format(tree).Count);
    }

    [Fact]
    public void Edits_are_minimal_and_ordered()
    {
        const string text = "layer {\n  name: 'a'\n   type: \"ReLU\"\n}\n";
        var edits = Formatter.Format(SyntaxTree.Parse(text));
        Assert.Equal(2, edits.Count);
        Assert.Equal("\"a\"", edits[0].NewText);
        Assert.Equal("\n  ", edits[1].NewText);
        Assert.True(edits[0].Span.End <= edits[1].Span.Start);
    }

    /// <summary>Formats, checks idempotence and meaning, returns the formatted text.</summary>
    private static string CheckInvariants(string text, string path)
    {
        var tree = SyntaxTree.Parse(text);
        var edits = Formatter.Format(tree);
        for (var i = 1; i < edits.Count; i++) Assert.True(edits[i - 1].Span.End <= edits[i].Span.Start, $"{path}: overlapping edits");
        var formatted = Formatter.Apply(text, edits);
        var again = Formatter.FormatText(SyntaxTree.Parse(formatted));
        Assert.True(again == formatted, $"{path}: formatting is not idempotent:\n--- once\n{formatted}\n--- twice\n{again}");
        Assert.Equal(Meaning(SyntaxTree.Parse(text)), Meaning(SyntaxTree.Parse(formatted)));
        var before = DocumentAnalysis.Analyze(text, path).Diagnostics.Select(d => d.Code).Order();
        var after = DocumentAnalysis.Analyze(formatted, path).Diagnostics.Select(d => d.Code).Order();
        Assert.Equal(before, after);
        return formatted;
    }

    /// <summary>What the text says, independent of layout: every field's path and decoded value, in order.</summary>
    public static string Meaning(SyntaxTree tree)
    {
        var sb = new StringBuilder();
        foreach (var m in tree.Root.Members) Member(m, "", sb);
        return sb.ToString();

        static void Member(MemberSyntax member, string path, StringBuilder sb)
        {
            if (member is SkippedTokensSyntax skipped)
            {
                sb.Append(path).Append(" skipped ").AppendJoin(" ", skipped.Tokens.Select(t => t.Text)).Append('\n');
                return;
            }

            var field = (FieldSyntax)member;
            var p = path + "/" + field.NameText;
            if (field.Value is MessageValueSyntax block)
            {
                sb.Append(p).Append(" {\n");
                foreach (var m in block.Members) Member(m, p, sb);
                sb.Append(p).Append(" }\n");
            }
            else
            {
                sb.Append(p).Append(" = ").Append(Value(field.Value)).Append('\n');
            }
        }

        static string Value(ValueSyntax value) => value switch
        {
            ScalarValueSyntax s => s.Text,
            StringValueSyntax s => "\"" + s.Value + "\"",
            ListValueSyntax l => "[" + string.Join(", ", l.Elements.Select(Value)) + "]",
            MissingValueSyntax => "(missing)",
            _ => value.ToFullString(),
        };
    }
}
