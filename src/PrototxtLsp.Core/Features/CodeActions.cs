using PrototxtLsp.Core.Diagnostics;
using PrototxtLsp.Core.Semantics;
using PrototxtLsp.Core.Syntax;
using PrototxtLsp.Core.Text;

namespace PrototxtLsp.Core.Features;

public enum CodeActionKind
{
    QuickFix,
}

/// <summary>A fix the editor offers: a title, the diagnostics it fixes and the edits.</summary>
public sealed record CodeActionInfo(string Title, CodeActionKind Kind, IReadOnlyList<Diagnostic> Diagnostics, IReadOnlyList<TextReplacement> Edits, bool IsPreferred);

/// <summary>
/// Quick fixes for the diagnostics in a range: did-you-mean replacements (PTX2001, PTX2003, PTX3001, PTX3003),
/// removal of a duplicated field (PTX2004), and the upgrade of a legacy file (PTX3011).
/// </summary>
public static class CodeActions
{
    /// <param name="upgrade">Rewrites a legacy file in the current format (null when no upgrade is available).</param>
    public static IReadOnlyList<CodeActionInfo> For(DocumentAnalysis analysis, TextSpan range, Func<DocumentAnalysis, string?>? upgrade = null)
    {
        var result = new List<CodeActionInfo>();
        var upgradeOffered = false;
        foreach (var d in analysis.Diagnostics)
        {
            if (d.Span.End < range.Start || d.Span.Start > range.End) continue;
            foreach (var fix in d.Fixes ?? [])
                result.Add(new CodeActionInfo(fix.Title, CodeActionKind.QuickFix, [d], [new TextReplacement(fix.Span, fix.NewText)], IsPreferred: d.Fixes!.Count == 1));

            if (d.Descriptor == DiagnosticCatalog.DuplicateField && RemoveField(analysis, d.Span) is { } removal)
                result.Add(new CodeActionInfo($"Remove this duplicated '{analysis.Text.Text.Substring(d.Span.Start, d.Span.Length)}'", CodeActionKind.QuickFix, [d], [removal], IsPreferred: false));

            if (d.Descriptor == DiagnosticCatalog.LegacyFormat && !upgradeOffered && upgrade?.Invoke(analysis) is { } upgraded)
            {
                upgradeOffered = true;
                var legacy = analysis.Diagnostics.Where(x => x.Descriptor == DiagnosticCatalog.LegacyFormat).ToList();
                result.Add(new CodeActionInfo("Upgrade to the current format", CodeActionKind.QuickFix, legacy,
                    [new TextReplacement(new TextSpan(0, analysis.Text.Length), upgraded)], IsPreferred: true));
            }
        }

        return result;
    }

    /// <summary>Deletes the field whose name is at <paramref name="nameSpan"/>, with its line when it has one to itself.</summary>
    private static TextReplacement? RemoveField(DocumentAnalysis analysis, TextSpan nameSpan)
    {
        var field = analysis.Tree.Root.DescendantNodes().OfType<FieldSyntax>().FirstOrDefault(f => f.NameSpan == nameSpan);
        if (field is null) return null;
        var text = analysis.Text.Text;
        var start = field.Span.Start;
        var end = field.Span.End;
        var lineStart = start;
        while (lineStart > 0 && text[lineStart - 1] is ' ' or '\t') lineStart--;
        var lineEnd = end;
        while (lineEnd < text.Length && text[lineEnd] is ' ' or '\t') lineEnd++;
        var atLineStart = lineStart == 0 || text[lineStart - 1] is '\n' or '\r';
        var atLineEnd = lineEnd == text.Length || text[lineEnd] is '\n' or '\r';
        if (atLineStart && atLineEnd)
        {
            if (lineEnd < text.Length && text[lineEnd] == '\r') lineEnd++;
            if (lineEnd < text.Length && text[lineEnd] == '\n') lineEnd++;
            return new TextReplacement(TextSpan.FromBounds(lineStart, lineEnd), "");
        }

        // Shares its line with other fields: remove it and the spaces after it.
        return new TextReplacement(TextSpan.FromBounds(start, lineEnd), "");
    }
}
