using System.Runtime.CompilerServices;
using System.Text;
using PrototxtLsp.Core.Text;

namespace PrototxtLsp.Core.Syntax;

/// <summary>
/// A token with its leading and trailing trivia: a view of one entry of its document's <see cref="TokenTable"/>,
/// made when a feature asks for it. Two views of the same entry are equal. A missing token (inserted by the parser
/// where one was expected) has empty text and <see cref="IsMissing"/> set.
/// </summary>
public sealed class SyntaxToken : SyntaxElement
{
    private readonly TokenTable _table;
    private readonly int _index;

    internal SyntaxToken(TokenTable table, int index, SyntaxNode? parent)
    {
        _table = table;
        _index = index;
        Parent = parent;
    }

    /// <summary>The document's token table and this token's number in it.</summary>
    public TokenTable Table => _table;

    public int Index => _index;

    public override SyntaxKind Kind => _table.Kind(_index);

    /// <summary>Offset of the token's own text.</summary>
    public int Start => _table.Start(_index);

    public string Text => _table.Text(_index);

    public bool IsMissing => _table.IsMissing(_index);

    /// <summary>The trivia before the token, with positions (a new array on each call: read it once).</summary>
    public IReadOnlyList<SyntaxTrivia> LeadingTrivia => _table.LeadingTrivia(_index);

    /// <summary>The trivia after the token up to and including its line break (a new array on each call).</summary>
    public IReadOnlyList<SyntaxTrivia> TrailingTrivia => _table.Trivia(_index)?.Trailing is { } trailing ? trailing.At(_table.End(_index)) : [];

    /// <summary>True when a comment is among the leading or trailing trivia (checked without building the trivia lists).</summary>
    public bool HasComments => _table.Trivia(_index)?.HasComment == true;

    public override TextSpan Span => _table.Span(_index);

    public override TextSpan FullSpan => _table.FullSpan(_index);

    public override void WriteTo(StringBuilder builder)
    {
        var trivia = _table.Trivia(_index);
        if (trivia?.Leading is { } leading)
            foreach (var t in leading.Texts) builder.Append(t);
        builder.Append(Text);
        if (trivia?.Trailing is { } trailing)
            foreach (var t in trailing.Texts) builder.Append(t);
    }

    /// <summary>How a diagnostic names this token: its text in quotes, or "end of file".</summary>
    public string Describe() => Describe(_table, _index);

    internal static string Describe(TokenTable table, int index)
    {
        if (table.Kind(index) == SyntaxKind.EndOfFile) return "end of file";
        if (table.IsMissing(index)) return "nothing";
        var text = table.Text(index);
        return $"'{(text.Length > 40 ? text[..40] + "…" : text)}'";
    }

    public override bool Equals(object? obj) => obj is SyntaxToken other && ReferenceEquals(other._table, _table) && other._index == _index;

    public override int GetHashCode() => HashCode.Combine(RuntimeHelpers.GetHashCode(_table), _index);

    public static bool operator ==(SyntaxToken? left, SyntaxToken? right) => left is null ? right is null : left.Equals(right);

    public static bool operator !=(SyntaxToken? left, SyntaxToken? right) => !(left == right);

    public override string ToString() => Text;
}
