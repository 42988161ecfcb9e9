using PrototxtLsp.Core.Semantics;
using PrototxtLsp.Core.Syntax;
using PrototxtLsp.Core.Text;

namespace PrototxtLsp.Core.Features;

/// <summary>Expand-selection steps at an offset: the token, then each enclosing value, field and block, innermost first.</summary>
public static class SelectionRanges
{
    public static IReadOnlyList<TextSpan> At(DocumentAnalysis analysis, int offset)
    {
        var token = SyntaxQuery.TokenAt(analysis.Tree.Root, offset);
        var spans = new List<TextSpan>();
        if (token is not null)
        {
            spans.Add(token.Span);
            foreach (var node in token.Ancestors())
            {
                var span = node is DocumentSyntax ? new TextSpan(0, analysis.Text.Length) : node.Span;
                if (span.Length > 0 && span != spans[^1] && span.Contains(spans[^1])) spans.Add(span);
            }
        }

        var whole = new TextSpan(0, analysis.Text.Length);
        if (spans.Count == 0 || spans[^1] != whole) spans.Add(whole);
        return spans;
    }
}
