namespace PrototxtLsp.Core.Text;

/// <summary>
/// Converts between absolute offsets and (line, UTF-16 column) positions. A line ends at "\n", "\r\n" or a lone
/// "\r"; the terminator belongs to the line it ends.
/// </summary>
public sealed class LineMap
{
    private readonly int[] _lineStarts;
    private readonly int[] _contentEnds;
    private readonly int _length;

    public LineMap(string text)
    {
        var starts = new List<int>(text.Length / 24 + 1) { 0 };
        var ends = new List<int>(text.Length / 24 + 1);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c != '\r' && c != '\n') continue;
            ends.Add(i);
            if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n') i++;
            starts.Add(i + 1);
        }

        ends.Add(text.Length);
        _lineStarts = starts.ToArray();
        _contentEnds = ends.ToArray();
        _length = text.Length;
    }

    public int LineCount => _lineStarts.Length;

    public int TextLength => _length;

    public int GetLineStart(int line) => _lineStarts[Math.Clamp(line, 0, _lineStarts.Length - 1)];

    /// <summary>The offset where the line's content ends, before its terminator.</summary>
    public int GetLineContentEnd(int line) => _contentEnds[Math.Clamp(line, 0, _contentEnds.Length - 1)];

    public LinePosition GetPosition(int offset)
    {
        offset = Math.Clamp(offset, 0, _length);
        var index = Array.BinarySearch(_lineStarts, offset);
        var line = index >= 0 ? index : ~index - 1;
        return new LinePosition(line, offset - _lineStarts[line]);
    }

    public LineRange GetRange(TextSpan span) => new(GetPosition(span.Start), GetPosition(span.End));

    /// <summary>
    /// The offset of a position. A line past the end maps to the end of the text; a character past the end of its
    /// line maps to the end of the line's content (LSP asks servers to clamp like this).
    /// </summary>
    public int GetOffset(LinePosition position) => GetOffset(position.Line, position.Character);

    public int GetOffset(int line, int character)
    {
        if (line < 0) return 0;
        if (line >= _lineStarts.Length) return _length;
        var start = _lineStarts[line];
        return start + Math.Clamp(character, 0, _contentEnds[line] - start);
    }
}
