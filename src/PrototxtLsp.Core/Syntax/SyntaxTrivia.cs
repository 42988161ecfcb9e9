using PrototxtLsp.Core.Text;

namespace PrototxtLsp.Core.Syntax;

/// <summary>Whitespace, a line break or a comment, attached to the token before or after it.</summary>
public readonly record struct SyntaxTrivia(SyntaxKind Kind, int Start, string Text)
{
    public TextSpan Span => new(Start, Text.Length);

    public override string ToString() => Text;
}

/// <summary>
/// The trivia run before or after a token without its position: kinds and texts only. Identical runs ("  " before a
/// field, "\n" after it) are one shared object per document, so a token costs no trivia allocation of its own; the
/// token turns a pattern into positioned <see cref="SyntaxTrivia"/> when asked.
/// </summary>
internal sealed class TriviaPattern
{
    public TriviaPattern(SyntaxKind[] kinds, string[] texts)
    {
        Kinds = kinds;
        Texts = texts;
        foreach (var t in texts) Length += t.Length;
        HasComment = Array.IndexOf(kinds, SyntaxKind.Comment) >= 0;
    }

    public bool HasComment { get; }

    public SyntaxKind[] Kinds { get; }

    public string[] Texts { get; }

    /// <summary>Total length of the run.</summary>
    public int Length { get; }

    // The pairs this run leads, with the trailing run of each (a run is followed by one or two kinds of trailing run,
    // so a short list searched in order is enough).
    private TokenTrivia[]? _pairs;
    private int _pairCount;

    /// <summary>The shared (this, trailing) pair a token points to.</summary>
    internal TokenTrivia PairWith(TriviaPattern? trailing)
    {
        for (var i = 0; i < _pairCount; i++)
            if (ReferenceEquals(_pairs![i].Trailing, trailing)) return _pairs[i];
        var pair = new TokenTrivia(this, trailing);
        if (_pairs is null) _pairs = new TokenTrivia[2];
        else if (_pairCount == _pairs.Length) Array.Resize(ref _pairs, _pairCount * 2);
        _pairs[_pairCount++] = pair;
        return pair;
    }

    public SyntaxTrivia[] At(int start)
    {
        var result = new SyntaxTrivia[Kinds.Length];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = new SyntaxTrivia(Kinds[i], start, Texts[i]);
            start += Texts[i].Length;
        }

        return result;
    }
}

/// <summary>
/// A token's leading and trailing trivia runs as one shared object: a document has few distinct pairs (indentation
/// before, a line break after), so a token keeps one reference to its pair instead of two to its runs.
/// </summary>
internal sealed class TokenTrivia(TriviaPattern? leading, TriviaPattern? trailing)
{
    public TriviaPattern? Leading { get; } = leading;

    public TriviaPattern? Trailing { get; } = trailing;

    public int LeadingLength => Leading?.Length ?? 0;

    public int TrailingLength => Trailing?.Length ?? 0;

    public bool HasComment => Leading?.HasComment == true || Trailing?.HasComment == true;

    /// <summary>The pair's number in its document's <see cref="TokenTable"/> (0 until the lexer first uses it).</summary>
    internal int Id { get; set; }
}
