using PrototxtLsp.Core.Diagnostics;
using PrototxtLsp.Core.Text;

namespace PrototxtLsp.Core.Syntax;

/// <summary>A parsed document: the full-fidelity tree and the lexical and syntax diagnostics.</summary>
public sealed class SyntaxTree
{
    private SyntaxTree(SourceText text, DocumentSyntax root, IReadOnlyList<Diagnostic> diagnostics, IReadOnlyList<FieldSyntax> fields, IReadOnlyList<MessageValueSyntax> blocks, IReadOnlyList<SyntaxToken> tokens)
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

    /// <summary>The lexed tokens in text order, end of file last; missing tokens (inserted by the parser) are not among them.</summary>
    public IReadOnlyList<SyntaxToken> Tokens { get; }

    /// <summary>The index in <see cref="Tokens"/> of the last token (end of file excluded) that starts before the offset, or -1.</summary>
    public int LastTokenStartingBefore(int offset)
    {
        int lo = 0, hi = Tokens.Count - 2; // the last token is the end of file
        var found = -1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (Tokens[mid].Start < offset)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found;
    }

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
