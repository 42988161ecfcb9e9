using PrototxtLsp.Core.Text;

namespace PrototxtLsp.Core.Syntax;

/// <summary>Whitespace, a line break or a comment, attached to the token before or after it.</summary>
public readonly record struct SyntaxTrivia(SyntaxKind Kind, int Start, string Text)
{
    public TextSpan Span => new(Start, Text.Length);

    public override string ToString() => Text;
}
