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
        // LSP SymbolKind: 5 Class, 19 Object, 8 Field.
        Kind = s.Kind switch { SymbolKindInfo.Layer => 5, SymbolKindInfo.Block => 19, _ => 8 },
        Range = ToLsp(lines, s.Span),
        SelectionRange = ToLsp(lines, s.SelectionSpan),
        Children = s.Children.Count == 0 ? null : s.Children.Select(c => ToLsp(lines, c)).ToList(),
    };
}
