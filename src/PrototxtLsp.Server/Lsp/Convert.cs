using PrototxtLsp.Core.Diagnostics;
using PrototxtLsp.Core.Features;
using PrototxtLsp.Core.Text;
using PrototxtLsp.Server.Protocol;
using Range = PrototxtLsp.Server.Protocol.Range;

namespace PrototxtLsp.Server.Lsp;

/// <summary>Core ⇄ LSP conversions; the only place that knows both.</summary>
public static class Convert
{
    /// <summary>The README shipped beside the server; each code has an anchor there (README.md#ptx2001).</summary>
    public static readonly string DocsBase = new Uri(Path.Combine(AppContext.BaseDirectory, "README.md")).AbsoluteUri + "#";

    public static Position ToLsp(LinePosition p) => new() { Line = p.Line, Character = p.Character };

    public static LinePosition FromLsp(Position p) => new(p.Line, p.Character);

    public static Range ToLsp(LineMap lines, TextSpan span)
    {
        var r = lines.GetRange(span);
        return new Range { Start = ToLsp(r.Start), End = ToLsp(r.End) };
    }

    public static LineRange FromLsp(Range r) => new(FromLsp(r.Start), FromLsp(r.End));

    public static LspDiagnostic ToLsp(string uri, LineMap lines, Diagnostic d) => new()
    {
        Range = ToLsp(lines, d.Span),
        Severity = (int)d.Severity,
        Code = d.Code,
        CodeDescription = new CodeDescription { Href = DocsBase + d.Descriptor.DocsAnchor },
        Message = d.Message,
        RelatedInformation = d.Related?.Select(r => new DiagnosticRelatedInformation
        {
            Location = new Location { Uri = uri, Range = ToLsp(lines, r.Span) },
            Message = r.Message,
        }).ToList(),
    };

    public static DocumentSymbol ToLsp(LineMap lines, DocumentSymbolInfo s) => new()
    {
        Name = s.Name,
        Detail = s.Detail,
        // LSP SymbolKind: 5 Class, 19 Object, 8 Field, 13 Variable.
        Kind = s.Kind switch { SymbolKindInfo.Layer => 5, SymbolKindInfo.Block => 19, SymbolKindInfo.Input => 13, _ => 8 },
        Range = ToLsp(lines, s.Span),
        SelectionRange = ToLsp(lines, s.SelectionSpan),
        Children = s.Children.Count == 0 ? null : s.Children.Select(c => ToLsp(lines, c)).ToList(),
    };

    public static TextEdit ToLsp(LineMap lines, TextReplacement e) => new() { Range = ToLsp(lines, e.Span), NewText = e.NewText };

    /// <summary>The legend's order is <see cref="SemanticTokenKind"/>'s and <see cref="SemanticTokenModifiers"/>' bit order.</summary>
    public static readonly SemanticTokensLegend SemanticTokensLegend = new()
    {
        TokenTypes = ["property", "enumMember", "keyword", "function", "variable", "type", "number", "string", "comment"],
        TokenModifiers = ["declaration", "deprecated"],
    };

    /// <summary>LSP's relative encoding: five integers per token, each token on one line (split where text has a line break).</summary>
    public static List<int> EncodeSemanticTokens(LineMap lines, IReadOnlyList<SemanticToken> tokens)
    {
        var data = new List<int>(tokens.Count * 5);
        int prevLine = 0, prevChar = 0;
        foreach (var t in tokens)
        {
            var range = lines.GetRange(t.Span);
            for (var line = range.Start.Line; line <= range.End.Line; line++)
            {
                var startChar = line == range.Start.Line ? range.Start.Character : 0;
                var endChar = line == range.End.Line ? range.End.Character : lines.GetLineContentEnd(line) - lines.GetLineStart(line);
                if (endChar <= startChar) continue;
                data.Add(line - prevLine);
                data.Add(line == prevLine ? startChar - prevChar : startChar);
                data.Add(endChar - startChar);
                data.Add((int)t.Kind);
                data.Add((int)t.Modifiers);
                prevLine = line;
                prevChar = startChar;
            }
        }

        return data;
    }
}
