using System.Text;
using PrototxtLsp.Core.Text;

namespace PrototxtLsp.Core.Syntax;

/// <summary>A node or a token of the syntax tree.</summary>
public abstract class SyntaxElement
{
    public SyntaxNode? Parent { get; internal set; }

    public abstract SyntaxKind Kind { get; }

    /// <summary>The span without leading and trailing trivia.</summary>
    public abstract TextSpan Span { get; }

    /// <summary>The span including trivia.</summary>
    public abstract TextSpan FullSpan { get; }

    public abstract void WriteTo(StringBuilder builder);

    public string ToFullString()
    {
        var builder = new StringBuilder(FullSpan.Length);
        WriteTo(builder);
        return builder.ToString();
    }

    public IEnumerable<SyntaxNode> Ancestors()
    {
        for (var node = Parent; node is not null; node = node.Parent) yield return node;
    }
}
