using System.Text;
using PrototxtLsp.Core.Text;

namespace PrototxtLsp.Core.Syntax;

/// <summary>
/// A token with its leading and trailing trivia. A missing token (inserted by the parser where one was expected)
/// has empty text and <see cref="IsMissing"/> set.
/// </summary>
public sealed class SyntaxToken : SyntaxElement
{
    private readonly TriviaPattern? _leading;
    private readonly TriviaPattern? _trailing;

    internal SyntaxToken(SyntaxKind kind, int start, string text, TriviaPattern? leading, TriviaPattern? trailing, bool isMissing = false)
    {
        Kind = kind;
        Start = start;
        Text = text;
        _leading = leading;
        _trailing = trailing;
        IsMissing = isMissing;
    }

    public static SyntaxToken Missing(SyntaxKind kind, int position) => new(kind, position, "", null, null, isMissing: true);

    public override SyntaxKind Kind { get; }

    /// <summary>Offset of the token's own text.</summary>
    public int Start { get; }

    public string Text { get; }

    public bool IsMissing { get; }

    /// <summary>The trivia before the token, with positions (a new array on each call: read it once).</summary>
    public IReadOnlyList<SyntaxTrivia> LeadingTrivia => _leading is null ? [] : _leading.At(Start - _leading.Length);

    /// <summary>The trivia after the token up to and including its line break (a new array on each call).</summary>
    public IReadOnlyList<SyntaxTrivia> TrailingTrivia => _trailing is null ? [] : _trailing.At(Start + Text.Length);

    /// <summary>True when a comment is among the leading or trailing trivia (checked without building the trivia lists).</summary>
    public bool HasComments => _leading?.HasComment == true || _trailing?.HasComment == true;

    public override TextSpan Span => new(Start, Text.Length);

    public override TextSpan FullSpan => TextSpan.FromBounds(Start - (_leading?.Length ?? 0), Start + Text.Length + (_trailing?.Length ?? 0));

    public override void WriteTo(StringBuilder builder)
    {
        if (_leading is not null)
            foreach (var t in _leading.Texts) builder.Append(t);
        builder.Append(Text);
        if (_trailing is not null)
            foreach (var t in _trailing.Texts) builder.Append(t);
    }

    /// <summary>How a diagnostic names this token: its text in quotes, or "end of file".</summary>
    public string Describe() => Kind == SyntaxKind.EndOfFile ? "end of file" : IsMissing ? "nothing" : $"'{(Text.Length > 40 ? Text[..40] + "…" : Text)}'";

    public override string ToString() => Text;
}
