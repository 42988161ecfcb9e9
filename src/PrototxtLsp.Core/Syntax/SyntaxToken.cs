using System.Text;
using PrototxtLsp.Core.Text;

namespace PrototxtLsp.Core.Syntax;

/// <summary>
/// A token with its leading and trailing trivia. A missing token (inserted by the parser where one was expected)
/// has empty text and <see cref="IsMissing"/> set.
/// </summary>
public sealed class SyntaxToken : SyntaxElement
{
    private static readonly SyntaxTrivia[] NoTrivia = [];

    public SyntaxToken(SyntaxKind kind, int start, string text, SyntaxTrivia[]? leading, SyntaxTrivia[]? trailing, bool isMissing = false)
    {
        Kind = kind;
        Start = start;
        Text = text;
        LeadingTrivia = leading ?? NoTrivia;
        TrailingTrivia = trailing ?? NoTrivia;
        IsMissing = isMissing;
    }

    public static SyntaxToken Missing(SyntaxKind kind, int position) => new(kind, position, "", null, null, isMissing: true);

    public override SyntaxKind Kind { get; }

    /// <summary>Offset of the token's own text.</summary>
    public int Start { get; }

    public string Text { get; }

    public bool IsMissing { get; }

    public IReadOnlyList<SyntaxTrivia> LeadingTrivia { get; }

    public IReadOnlyList<SyntaxTrivia> TrailingTrivia { get; }

    public override TextSpan Span => new(Start, Text.Length);

    public override TextSpan FullSpan
    {
        get
        {
            var start = LeadingTrivia.Count > 0 ? LeadingTrivia[0].Start : Start;
            var end = TrailingTrivia.Count > 0 ? TrailingTrivia[^1].Span.End : Start + Text.Length;
            return TextSpan.FromBounds(start, end);
        }
    }

    public override void WriteTo(StringBuilder builder)
    {
        foreach (var t in LeadingTrivia) builder.Append(t.Text);
        builder.Append(Text);
        foreach (var t in TrailingTrivia) builder.Append(t.Text);
    }

    /// <summary>How a diagnostic names this token: its text in quotes, or "end of file".</summary>
    public string Describe() => Kind == SyntaxKind.EndOfFile ? "end of file" : IsMissing ? "nothing" : $"'{(Text.Length > 40 ? Text[..40] + "…" : Text)}'";

    public override string ToString() => Text;
}
