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
