using PrototxtLsp.Core.Diagnostics;
using PrototxtLsp.Core.Text;

namespace PrototxtLsp.Core.Syntax;

/// <summary>A parsed document: the full-fidelity tree and the lexical and syntax diagnostics.</summary>
public sealed class SyntaxTree
{
    private SyntaxTree(SourceText text, DocumentSyntax root, IReadOnlyList<Diagnostic> diagnostics, IReadOnlyList<FieldSyntax> fields, IReadOnlyList<MessageValueSyntax> blocks, TokenTable tokens)
    {
        Tokens = tokens;
        Text = text;
        Root = root;
        Diagnostics = diagnostics;
        Fields = fields;
        Blocks = blocks;
    }

    /// <summary>Every field in parse order (nested fields after their parent's name); <c>Fields[f.Ordinal] == f</c>.</summary>
    public IReadOnlyList<FieldSyntax> Fields { get; }

    /// <summary>Every message block in parse order; <c>Blocks[b.Ordinal] == b</c>.</summary>
    public IReadOnlyList<MessageValueSyntax> Blocks { get; }

    /// <summary>
    /// The document's tokens: the first <see cref="TokenTable.LexedCount"/> are the lexed ones in text order, end of
    /// file last; missing tokens (inserted by the parser) follow them.
    /// </summary>
    public TokenTable Tokens { get; }

    /// <summary>The index among the lexed tokens of the last one (end of file excluded) that starts before the offset, or -1.</summary>
    public int LastTokenStartingBefore(int offset) => Tokens.LastStartingBefore(offset);

    /// <summary>The lexed token of that index as an object, with the node that holds it as its parent.</summary>
    public SyntaxToken TokenAt(int index) => Root.TokenByIndex(index) ?? Tokens.Token(index, null);

    /// <summary>True when the field is a node of this tree.</summary>
    public bool Contains(FieldSyntax field) => field.Ordinal >= 0 && field.Ordinal < Fields.Count && ReferenceEquals(Fields[field.Ordinal], field);

    public bool Contains(MessageValueSyntax block) => block.Ordinal >= 0 && block.Ordinal < Blocks.Count && ReferenceEquals(Blocks[block.Ordinal], block);

    public SourceText Text { get; }

    public DocumentSyntax Root { get; }

    public IReadOnlyList<Diagnostic> Diagnostics { get; }

    public static SyntaxTree Parse(string text) => Parse(new SourceText(text));

    public static SyntaxTree Parse(SourceText text)
    {
        var diagnostics = new List<Diagnostic>();
        var root = Parser.Parse(text, diagnostics, out var fields, out var blocks, out var tokens);
        diagnostics.Sort((a, b) => a.Span.Start.CompareTo(b.Span.Start));
        return new SyntaxTree(text, root, diagnostics, fields, blocks, tokens);
    }

    public string ToFullString() => Root.ToFullString();
}
