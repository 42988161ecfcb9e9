using PrototxtLsp.Core.Syntax;

namespace PrototxtLsp.Core.Features;

/// <summary>What is at a cursor offset: the token there and its enclosing nodes. Shared by every feature.</summary>
public static class SyntaxQuery
{
    /// <summary>
    /// The token whose text contains the offset; at a boundary between two tokens, the one that starts there,
    /// else the one that ends there (so a cursor just after a word still finds the word).
    /// </summary>
    public static SyntaxToken? TokenAt(DocumentSyntax root, int offset)
    {
        SyntaxToken? before = null;
        SyntaxNode node = root;
        while (true)
        {
            SyntaxElement? next = null;
            foreach (var child in node.Children())
            {
                var full = child.FullSpan;
                if (full.End < offset) continue;
                if (full.Start > offset) break;
                if (child is SyntaxToken t)
                {
                    if (t.IsMissing) continue;
                    if (t.Span.Contains(offset)) return t;
                    if (t.Span.End == offset) before = t;
                    if (t.Span.Start > offset) break;
                    continue;
                }

                if (full.Contains(offset) || full.End == offset)
                {
                    next = child;
                    if (full.Contains(offset)) break;
                }
            }

            if (next is SyntaxNode n && n != node)
            {
                node = n;
                continue;
            }

            return before;
        }
    }

    /// <summary>The innermost field whose syntax contains the token.</summary>
    public static FieldSyntax? EnclosingField(SyntaxElement element) =>
        element as FieldSyntax ?? element.Ancestors().OfType<FieldSyntax>().FirstOrDefault();
}
