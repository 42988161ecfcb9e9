using PrototxtLsp.Core.Diagnostics;
using PrototxtLsp.Core.Text;

namespace PrototxtLsp.Core.Syntax;

/// <summary>A parsed document: the full-fidelity tree and the lexical and syntax diagnostics.</summary>
public sealed class SyntaxTree
{
    private SyntaxTree(SourceText text, DocumentSyntax root, IReadOnlyList<Diagnostic> diagnostics)
    {
        Text = text;
        Root = root;
        Diagnostics = diagnostics;
    }

    public SourceText Text { get; }

    public DocumentSyntax Root { get; }

    public IReadOnlyList<Diagnostic> Diagnostics { get; }

    public static SyntaxTree Parse(string text) => Parse(new SourceText(text));

    public static SyntaxTree Parse(SourceText text)
    {
        var diagnostics = new List<Diagnostic>();
        var root = Parser.Parse(text, diagnostics);
        diagnostics.Sort((a, b) => a.Span.Start.CompareTo(b.Span.Start));
        return new SyntaxTree(text, root, diagnostics);
    }

    public string ToFullString() => Root.ToFullString();
}
