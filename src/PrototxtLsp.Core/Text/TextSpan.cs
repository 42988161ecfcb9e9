namespace PrototxtLsp.Core.Text;

/// <summary>A half-open range [Start, End) of UTF-16 code units in a document.</summary>
public readonly record struct TextSpan(int Start, int Length)
{
    public int End => Start + Length;

    public bool IsEmpty => Length == 0;

    public static TextSpan FromBounds(int start, int end) => new(start, end - start);

    public bool Contains(int offset) => offset >= Start && offset < End;

    /// <summary>True when <paramref name="offset"/> lies inside the span or touches its end.</summary>
    public bool ContainsOrTouches(int offset) => offset >= Start && offset <= End;

    public bool Contains(TextSpan other) => other.Start >= Start && other.End <= End;

    public override string ToString() => $"[{Start}..{End})";
}

/// <summary>A zero-based line and UTF-16 column, as the Language Server Protocol counts them.</summary>
public readonly record struct LinePosition(int Line, int Character) : IComparable<LinePosition>
{
    public int CompareTo(LinePosition other) =>
        Line != other.Line ? Line.CompareTo(other.Line) : Character.CompareTo(other.Character);

    public override string ToString() => $"{Line + 1}:{Character + 1}";
}

public readonly record struct LineRange(LinePosition Start, LinePosition End);
