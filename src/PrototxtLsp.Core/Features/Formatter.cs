using System.Text;
using PrototxtLsp.Core.Syntax;
using PrototxtLsp.Core.Text;

namespace PrototxtLsp.Core.Features;

/// <summary>One replacement in the original text.</summary>
public readonly record struct TextReplacement(TextSpan Span, string NewText);

/// <summary>
/// The canonical layout: two-space indent, <c>name: value</c>, <c>name {</c> … <c>}</c>, one field per line, comments
/// kept where they are (a comment at the end of a line stays there, one space after the code), runs of blank lines
/// collapsed to one, <c>name: {</c> and <c>name &lt;…&gt;</c> written <c>name {…}</c>, field separators dropped,
/// single-quoted strings written with double quotes, <c>- 1</c> written <c>-1</c>.
/// </summary>
/// <remarks>
/// The formatter works token by token: it decides the text between each pair of consecutive tokens it keeps (and the
/// few token texts it rewrites) and reports only what differs from the original, so edits are minimal and local and a
/// range format is the subset of edits that touch the range. A block that contains a syntax error (skipped or missing
/// tokens, a malformed literal) is left exactly as written, and so is a field whose comments sit where the canonical
/// layout has no line break. The result binds to the same values as the input; tests check both that and idempotence.
/// </remarks>
public static class Formatter
{
    public const int IndentSize = 2;

    /// <summary>The edits that format the whole document, in document order, none overlapping.</summary>
    public static IReadOnlyList<TextReplacement> Format(SyntaxTree tree)
    {
        var writer = new Writer(tree);
        writer.FormatDocument();
        return writer.Edits;
    }

    /// <summary>The edits that touch <paramref name="range"/> (a selection): whole-document edits filtered to it.</summary>
    public static IReadOnlyList<TextReplacement> FormatRange(SyntaxTree tree, TextSpan range) =>
        Format(tree).Where(e => e.Span.Start <= range.End && e.Span.End >= range.Start).ToList();

    /// <summary>The formatted text of the whole document.</summary>
    public static string FormatText(SyntaxTree tree) => Apply(tree.Text.Text, Format(tree));

    public static string Apply(string text, IReadOnlyList<TextReplacement> edits)
    {
        var sb = new StringBuilder(text.Length + 64);
        var pos = 0;
        foreach (var e in edits.OrderBy(e => e.Span.Start))
        {
            sb.Append(text, pos, e.Span.Start - pos);
            sb.Append(e.NewText);
            pos = e.Span.End;
        }

        sb.Append(text, pos, text.Length - pos);
        return sb.ToString();
    }

    /// <summary>Where the next kept token goes relative to the previous one.</summary>
    private readonly record struct Placement(bool NewLine, string Space, int Indent, int CommentIndent, bool BlankAllowed)
    {
        public static Placement Same(string space) => new(false, space, 0, 0, false);

        public static Placement Line(int indent, bool blankAllowed = true) => new(true, "", indent, indent, blankAllowed);
    }

    private sealed class Writer
    {
        private readonly SyntaxTree _tree;
        private readonly string _text;
        private readonly string _newline;
        private readonly bool[] _bad; // by token number
        private readonly List<SyntaxToken> _dropped = [];
        private SyntaxToken? _previous;
        private int _previousEnd;
        private bool _previousOpensBlock;

        /// <summary>
        /// The line break most of the text uses ("\n" on a tie). Taking the majority, not the first break, keeps a
        /// second formatting pass from switching style when the first break was a blank line that went away.
        /// </summary>
        private static string PrevailingNewline(string text)
        {
            int crlf = 0, lf = 0;
            for (var i = text.IndexOf('\n'); i >= 0; i = text.IndexOf('\n', i + 1))
            {
                if (i > 0 && text[i - 1] == '\r') crlf++;
                else lf++;
            }

            return crlf > lf ? "\r\n" : "\n";
        }

        /// <summary>
        /// A line break; after a lone '\r' (the end of an unterminated string, which runs to the end of its line and
        /// can keep one) a "\n" would join it into "\r\n" and shorten the string, so "\r\n" is written instead.
        /// </summary>
        private void AppendNewline(StringBuilder sb)
        {
            // What precedes the break: the gap written so far, else the end of the token before the gap.
            var before = sb.Length > 0 ? sb[^1] : _gapStart > 0 ? _text[_gapStart - 1] : '\0';
            if (_newline == "\n" && before == '\r') sb.Append("\r\n");
            else sb.Append(_newline);
        }

        /// <summary>Where the gap being rewritten starts in the text.</summary>
        private int _gapStart;

        public Writer(SyntaxTree tree)
        {
            _tree = tree;
            _text = tree.Text.Text;
            _newline = PrevailingNewline(_text);
            _previousEnd = _text.Length > 0 && _text[0] == '\uFEFF' ? 1 : 0;
            _bad = new bool[tree.Tokens.Count];
            MarkBadTokens();
        }

        public List<TextReplacement> Edits { get; } = [];

        private void MarkBadTokens()
        {
            // A token is bad when a syntax diagnostic overlaps it: some span starts before the token ends and ends
            // after it starts. Tokens come in order, so one sweep over the spans by start, keeping the furthest end
            // seen, answers that in linear time (a file with 200,000 errors used to take minutes here).
            var spans = _tree.Diagnostics.Select(d => d.Span).OrderBy(s => s.Start).ToList();
            var next = 0;
            var furthestEnd = int.MinValue;
            var table = _tree.Tokens;
            _tree.Root.AnyToken((token, parent) =>
            {
                var start = table.Start(token);
                while (next < spans.Count && spans[next].Start < table.End(token)) furthestEnd = Math.Max(furthestEnd, spans[next++].End);
                if (table.IsMissing(token) || table.Kind(token) == SyntaxKind.BadToken || parent is SkippedTokensSyntax) _bad[token] = true;
                else if (furthestEnd > start) _bad[token] = true;
                return false;
            });
        }

        public void FormatDocument()
        {
            var root = _tree.Root;
            if (root.Members.Any(m => m is SkippedTokensSyntax)) return; // the top-level block has an error: leave it all.
            var first = true;
            foreach (var member in root.Members)
            {
                FormatField((FieldSyntax)member, 0, first);
                first = false;
            }

            Gap(root.EndOfFile, Placement.Line(0, blankAllowed: false), endOfFile: true);
        }

        private bool HasBad(SyntaxNode node) => node.AnyToken((token, _) => _bad[token]);

        private bool IsBad(SyntaxToken token) => _bad[token.Index];

        private void FormatField(FieldSyntax field, int indent, bool firstInBlock)
        {
            var head = Placement.Line(indent);
            if (field.Value is MessageValueSyntax block)
            {
                var headerBad = HasBad(field.Name) || (field.Colon is { } c && IsBad(c)) || IsBad(block.Open) ||
                                IsBad(block.Close) || (field.Separator is { } s && IsBad(s)) ||
                                block.Members.Any(m => m is SkippedTokensSyntax);
                if (headerBad)
                {
                    Verbatim(field, head);
                    return;
                }

                FormatName(field.Name, head);
                if (field.Colon is not null) _dropped.Add(field.Colon);
                Emit(block.Open, Placement.Same(" "), "{");
                _previousOpensBlock = true;
                var first = true;
                foreach (var member in block.Members)
                {
                    FormatField((FieldSyntax)member, indent + 1, first);
                    first = false;
                }

                Emit(block.Close, new Placement(true, "", indent, indent + 1, false), "}");
            }
            else
            {
                // Lists of messages (`shape: [{…}, {…}]`) have no one-line canonical form here: kept as written.
                if (HasBad(field) || (field.Value is ListValueSyntax l && l.Elements.Any(e => e is not (ScalarValueSyntax or StringValueSyntax))))
                {
                    Verbatim(field, head);
                    return;
                }

                FormatName(field.Name, head);
                if (field.Colon is not null) Emit(field.Colon, Placement.Same(""));
                FormatValue(field.Value, Placement.Same(" "));
            }

            if (field.Separator is not null) _dropped.Add(field.Separator);
        }

        private void FormatName(FieldNameSyntax name, Placement placement)
        {
            if (name is IdentifierNameSyntax id)
            {
                Emit(id.Identifier, placement);
                return;
            }

            var ext = (ExtensionNameSyntax)name;
            Emit(ext.Open, placement);
            foreach (var part in ext.Parts) Emit(part, Placement.Same(""));
            Emit(ext.Close, Placement.Same(""));
        }

        private void FormatValue(ValueSyntax value, Placement placement)
        {
            switch (value)
            {
                case ScalarValueSyntax scalar:
                    if (scalar.Minus is not null)
                    {
                        Emit(scalar.Minus, placement);
                        Emit(scalar.Token, Placement.Same(""));
                    }
                    else
                    {
                        Emit(scalar.Token, placement);
                    }

                    break;
                case StringValueSyntax str:
                    for (var i = 0; i < str.Parts.Count; i++)
                    {
                        var part = str.Parts[i];
                        Emit(part, i == 0 ? placement : Placement.Same(" "), DoubleQuoted(part.Text));
                    }

                    break;
                case ListValueSyntax list:
                    Emit(list.Open, placement);
                    var afterComma = false;
                    foreach (var element in list.ElementsAndSeparators)
                    {
                        if (element is SyntaxToken comma)
                        {
                            Emit(comma, Placement.Same(""));
                            afterComma = true;
                        }
                        else
                        {
                            FormatValue((ValueSyntax)element, Placement.Same(afterComma ? " " : ""));
                        }
                    }

                    Emit(list.Close, Placement.Same(""));
                    break;
                default:
                    throw new InvalidOperationException($"unexpected value {value.Kind} in a field without errors");
            }
        }

        /// <summary>Keeps a field exactly as written (its first line is re-indented; its trailing comment is spaced).</summary>
        private void Verbatim(FieldSyntax field, Placement placement)
        {
            var first = field.FirstToken();
            var last = field.LastToken();
            if (first is null || last is null) return; // all tokens missing: nothing written, nothing to place.
            Gap(first, placement, endOfFile: false);
            _previous = last;
            _previousEnd = last.Span.End;
            _previousOpensBlock = false;
        }

        private void Emit(SyntaxToken token, Placement placement, string? newText = null)
        {
            Gap(token, placement, endOfFile: false);
            if (newText is not null && newText != token.Text) Edits.Add(new TextReplacement(token.Span, newText));
            _previous = token;
            _previousEnd = token.Span.End;
            _previousOpensBlock = false;
        }

        /// <summary>Rewrites the text between the previous kept token and <paramref name="next"/>.</summary>
        private void Gap(SyntaxToken next, Placement placement, bool endOfFile)
        {
            var start = _previousEnd;
            var end = next.Span.Start;
            var atStart = _previous is null;
            _gapStart = start;

            // The trivia between the two tokens, with any dropped tokens (separators, a ':' before '{').
            var trivia = new List<SyntaxTrivia>();
            var droppedOk = true;
            if (_previous is not null) trivia.AddRange(_previous.TrailingTrivia);
            foreach (var d in _dropped)
            {
                if (d.Span.Start < start || d.Span.End > end) droppedOk = false;
                trivia.AddRange(d.LeadingTrivia);
                trivia.Add(new SyntaxTrivia(SyntaxKind.Whitespace, d.Start, "")); // the dropped token itself
                trivia.AddRange(d.TrailingTrivia);
            }

            _dropped.Clear();
            trivia.AddRange(next.LeadingTrivia);
            if (!droppedOk || trivia.Any(t => t.Kind == SyntaxKind.ByteOrderMark)) return;

            var sb = new StringBuilder();
            if (!placement.NewLine)
            {
                // A comment here would have to move: keep this gap as written.
                if (trivia.Any(t => t.Kind == SyntaxKind.Comment)) return;
                sb.Append(placement.Space);
            }
            else
            {
                // Walk the trivia line by line: a comment after code on the same line stays there; comments on their
                // own lines keep their lines; blank lines collapse to one and vanish after '{', before '}', at the
                // start and at the end of the file.
                var ownLine = atStart;
                var newlines = 0;
                var wrote = false;
                foreach (var t in trivia)
                {
                    if (t.Kind == SyntaxKind.EndOfLine)
                    {
                        newlines++;
                        ownLine = true;
                    }
                    else if (t.Kind == SyntaxKind.Comment)
                    {
                        var comment = t.Text.TrimEnd();
                        if (!ownLine)
                        {
                            sb.Append(' ').Append(comment);
                        }
                        else
                        {
                            LineBreak(sb, newlines >= 2 && !SuppressBlank(wrote, atStart), atStart, wrote);
                            sb.Append(' ', placement.CommentIndent * IndentSize).Append(comment);
                        }

                        wrote = true;
                        newlines = 0;
                    }
                }

                if (endOfFile)
                {
                    if (wrote || !atStart) AppendNewline(sb);
                }
                else
                {
                    LineBreak(sb, placement.BlankAllowed && newlines >= 2 && !SuppressBlank(wrote, atStart), atStart, wrote);
                    sb.Append(' ', placement.Indent * IndentSize);
                }
            }

            var replacement = sb.ToString();
            if (!_text.AsSpan(start, end - start).SequenceEqual(replacement))
            {
                Edits.Add(new TextReplacement(TextSpan.FromBounds(start, end), replacement));
            }
        }

        private bool SuppressBlank(bool wrote, bool atStart) => !wrote && (atStart || _previousOpensBlock);

        private void LineBreak(StringBuilder sb, bool blank, bool atStart, bool wrote)
        {
            if (atStart && !wrote) return; // the first line of the file
            if (blank) AppendNewline(sb);
            AppendNewline(sb);
        }

        /// <summary>A single-quoted literal rewritten with double quotes; anything else unchanged.</summary>
        private static string DoubleQuoted(string literal)
        {
            if (literal.Length < 2 || literal[0] != '\'') return literal;
            var sb = new StringBuilder(literal.Length + 2).Append('"');
            for (var i = 1; i < literal.Length - 1; i++)
            {
                var c = literal[i];
                if (c == '\\' && i + 1 < literal.Length - 1)
                {
                    var n = literal[i + 1];
                    if (n == '\'') sb.Append('\'');
                    else sb.Append(c).Append(n);
                    i++;
                }
                else if (c == '"')
                {
                    sb.Append("\\\"");
                }
                else
                {
                    sb.Append(c);
                }
            }

            return sb.Append('"').ToString();
        }
    }
}
