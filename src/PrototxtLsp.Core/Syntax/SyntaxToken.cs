using System.Text;
using PrototxtLsp.Core.Text;

namespace PrototxtLsp.Core.Syntax;

/// <summary>
/// A token with its leading and trailing trivia. A missing token (inserted by the parser where one was expected)
/// has empty text and <see cref="IsMissing"/> set.
/// </summary>
public sealed class SyntaxToken : SyntaxElement
{
    // 48 bytes a token (was 64): the kind is a byte and the two trivia runs are one shared pair.
    private readonly TokenTrivia? _trivia;
    private readonly SyntaxKind _kind;

    internal SyntaxToken(SyntaxKind kind, int start, string text, TokenTrivia? trivia, bool isMissing = false)
    {
        _kind = kind;
        Start = start;
        Text = text;
        _trivia = trivia;
        IsMissing = isMissing;
    }

    public static SyntaxToken Missing(SyntaxKind kind, int position) => new(kind, position, "", null, isMissing: true);

    public override SyntaxKind Kind => _kind;

    /// <summary>Offset of the token's own text.</summary>
    public int Start { get; }

    public string Text { get; }

    public bool IsMissing { get; }

    /// <summary>The trivia before the token, with positions (a new array on each call: read it once).</summary>
    public IReadOnlyList<SyntaxTrivia> LeadingTrivia => _trivia?.Leading is { } leading ? leading.At(Start - leading.Length) : [];

    /// <summary>The trivia after the token up to and including its line break (a new array on each call).</summary>
    public IReadOnlyList<SyntaxTrivia> TrailingTrivia => _trivia?.Trailing is { } trailing ? trailing.At(Start + Text.Length) : [];

    /// <summary>True when a comment is among the leading or trailing trivia (checked without building the trivia lists).</summary>
    public bool HasComments => _trivia?.HasComment == true;

    public override TextSpan Span => new(Start, Text.Length);

    public override TextSpan FullSpan => _trivia is null ? new TextSpan(Start, Text.Length) : TextSpan.FromBounds(Start - _trivia.LeadingLength, Start + Text.Length + _trivia.TrailingLength);

    public override void WriteTo(StringBuilder builder)
    {
        if (_trivia?.Leading is { } leading)
            foreach (var t in leading.Texts) builder.Append(t);
        builder.Append(Text);
        if (_trivia?.Trailing is { } trailing)
            foreach (var t in trailing.Texts) builder.Append(t);
    }

    /// <summary>How a diagnostic names this token: its text in quotes, or "end of file".</summary>
    public string Describe() => Kind == SyntaxKind.EndOfFile ? "end of file" : IsMissing ? "nothing" : $"'{(Text.Length > 40 ? Text[..40] + "…" : Text)}'";

    public override string ToString() => Text;
}
