using PrototxtLsp.Core.Diagnostics;
using PrototxtLsp.Core.Text;

namespace PrototxtLsp.Core.Syntax;

/// <summary>
/// Splits text into tokens with trivia, following the rules of protobuf's text-format tokenizer (the one Caffe
/// uses). Never throws; every character ends up in a token or in trivia. Problems become diagnostics.
/// Trailing trivia of a token is the rest of its line up to and including the line break; all other trivia leads.
/// </summary>
public sealed class Lexer
{
    private readonly string _text;
    private readonly List<Diagnostic> _diagnostics;
    private int _pos;
    private readonly List<(SyntaxKind Kind, int Start, int Length)> _trivia = new();

    // Trivia runs by their text, one dictionary for leading and one for trailing runs (the text decides the kinds).
    private readonly Dictionary<string, TriviaPattern> _leadingPatterns = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TriviaPattern> _trailingPatterns = new(StringComparer.Ordinal);
    private readonly TriviaPattern?[] _indents = new TriviaPattern?[33];
    private TriviaPattern? _newLine;
    private TriviaPattern? _space;

    // Stands for "no leading trivia" when pairing a trailing run alone (its own kinds and texts are never read).
    private readonly TriviaPattern _noLeading = new([], []);

    // One string per distinct token or trivia text in a document: "name", "  ", "\n", "conv1" are allocated once, not
    // once per occurrence (a ResNet-152 file has 20,000 tokens but a few hundred distinct texts). Token texts are
    // numbered for the token table; number 0 is the empty text, then come the punctuation spellings.
    private readonly Dictionary<string, int> _ids;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly List<string> _texts;
    private readonly List<TokenTrivia?> _pairs = [null];
    private readonly TokenTable _table;

    private Lexer(string text, List<Diagnostic> diagnostics)
    {
        _text = text;
        _diagnostics = diagnostics;
        // Nets have a distinct text every 55–105 characters (layer and blob names, each also as a quoted literal):
        // sized for one every 64, the table rarely grows, and growing would leave its old arrays as garbage.
        var distinct = text.Length / 64 + 16;
        _ids = new Dictionary<string, int>(distinct, StringComparer.Ordinal);
        _texts = TokenTable.NewTexts(distinct);
        _lookup = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
        // Prototxt averages 5.5–6.5 characters per token (corpus, ResNet-152, the generated nets); a denser file grows
        // the table once. Some room is left for the missing tokens the parser may add.
        _table = new TokenTable(TokenTable.CapacityFor(text.Length), _texts, _pairs);
    }

    /// <summary>
    /// Empties the dictionary of texts once the parser has numbered the last string value. A large document's
    /// dictionary is a large object, collected only with the oldest generation; until then its references would keep
    /// every text of the dead document alive through young collections (QuietGc).
    /// </summary>
    internal void Done() => _ids.Clear();

    /// <summary>The text of [start, start+length) as a shared string.</summary>
    private string Slice(int start, int length) => _texts[InternId(_text.AsSpan(start, length))];

    /// <summary>
    /// The number of a string value (decoded, parts joined), the same for every literal with that value however it is
    /// spelled or long: layer and blob names are told apart by these numbers (see <see cref="StringValueSyntax.ValueId"/>).
    /// A value is numbered as its plain double-quoted spelling (<c>"conv1"</c>), which is the text the lexer has already
    /// numbered for nearly every literal (<see cref="LiteralValueId"/>); other spellings look that text up here.
    /// </summary>
    internal int ValueId(ReadOnlySpan<char> value)
    {
        var length = value.Length + 2;
        char[]? rented = null;
        var key = length <= 256 ? stackalloc char[length] : (rented = System.Buffers.ArrayPool<char>.Shared.Rent(length)).AsSpan(0, length);
        key[0] = '"';
        value.CopyTo(key[1..]);
        key[^1] = '"';
        var id = PooledId(key);
        if (rented is not null) System.Buffers.ArrayPool<char>.Shared.Return(rented);
        return id;
    }

    /// <summary>
    /// The value number of a one-literal string value: the token's own text number when it is already the value's
    /// plain double-quoted spelling and pooled (64 characters or fewer), so the common case costs no lookup at all.
    /// </summary>
    internal int LiteralValueId(int token)
    {
        var text = _table.Text(token);
        if (text.Length is >= 2 and <= 64 && text[0] == '"' && text[^1] == '"' && StringLiteral.TryPlain(text, out _)) return _table.TextId(token);
        return StringLiteral.TryPlain(text, out var plain) ? ValueId(plain) : ValueId(StringLiteral.Decode(text));
    }

    /// <summary>The number of a text in the dictionary of the document's texts, added if new.</summary>
    private int PooledId(ReadOnlySpan<char> text)
    {
        if (_lookup.TryGetValue(text, out var id)) return id;
        var s = text.ToString();
        id = _texts.Count;
        _texts.Add(s);
        _ids.Add(s, id);
        return id;
    }

    /// <summary>The number of a text among the document's strings (added if new; texts over 64 characters are not pooled).</summary>
    private int InternId(ReadOnlySpan<char> text)
    {
        if (text.Length == 0) return 0;
        if (text.Length > 64)
        {
            _texts.Add(text.ToString());
            return _texts.Count - 1;
        }

        // A direct-mapped cache of recent texts in front of the dictionary, slotted by length and three characters:
        // a field name or a blob name usually comes back soon, and a hit costs one comparison instead of hashing the
        // whole text.
        var slot = (text.Length * 31 + text[0] * 7 + text[^1] * 131 + text[text.Length >> 1]) & (RecentSlots - 1);
        ref var recent = ref _recent[slot];
        if (recent.Text is { } known && text.SequenceEqual(known)) return recent.Id;
        var id = PooledId(text);
        recent = new Recent(_texts[id], id);
        return id;
    }

    private const int RecentSlots = 512;

    private readonly Recent[] _recent = new Recent[RecentSlots];

    private readonly record struct Recent(string? Text, int Id);

    /// <summary>The tokens of a text as objects (for tests and tools; the parser reads the <see cref="TokenTable"/>).</summary>
    public static List<SyntaxToken> Tokenize(string text, List<Diagnostic> diagnostics)
    {
        var table = Lex(text, diagnostics, out _);
        var tokens = new List<SyntaxToken>(table.LexedCount);
        for (var i = 0; i < table.LexedCount; i++) tokens.Add(table.Token(i, null));
        return tokens;
    }

    /// <summary>The tokens of a text in a flat table, end of file last.</summary>
    public static TokenTable Lex(string text, List<Diagnostic> diagnostics) => Lex(text, diagnostics, out _);

    internal static TokenTable Lex(string text, List<Diagnostic> diagnostics, out Lexer lexer)
    {
        lexer = new Lexer(text, diagnostics);
        var table = lexer._table;
        while (lexer.Next() != SyntaxKind.EndOfFile)
        {
        }

        table.LexedCount = table.Count;
        return table;
    }

    private char Cur => _pos < _text.Length ? _text[_pos] : '\0';

    private char Peek(int n) => _pos + n < _text.Length ? _text[_pos + n] : '\0';

    private bool AtEnd => _pos >= _text.Length;

    private SyntaxKind Next()
    {
        var leading = ScanTrivia(leading: true);
        var start = _pos;
        var kind = ScanToken();
        // Punctuation has one spelling, a fixed text number (see TokenTable.SpellingId): no lookup among the strings.
        var text = TokenTable.SpellingId(kind) is var spelled and > 0 ? spelled : InternId(_text.AsSpan(start, _pos - start));
        var trailing = kind == SyntaxKind.EndOfFile ? null : ScanTrivia(leading: false);
        var trivia = leading is not null ? leading.PairWith(trailing) : trailing is not null ? _noLeading.PairWith(trailing) : null;
        var triviaId = 0;
        if (trivia is not null)
        {
            if (trivia.Id == 0)
            {
                trivia.Id = _pairs.Count;
                _pairs.Add(trivia);
            }

            triviaId = trivia.Id;
        }

        _table.Add(kind, start, text, triviaId, missing: false);
        return kind;
    }

    /// <summary>True for a character that starts trivia (the byte-order mark aside, which only the general path reads).</summary>
    private static bool StartsTrivia(char c) => c is ' ' or '\t' or '\v' or '\f' or '\r' or '\n' or '#';

    private TriviaPattern? ScanTrivia(bool leading)
    {
        var text = _text;
        var runStart = _pos;
        // The commonest runs first, without collecting pieces: indentation of spaces before a token (or nothing), and
        // after a token a bare "\n", a single space, or nothing.
        if (leading)
        {
            var p = runStart;
            while (p < text.Length && text[p] == ' ') p++;
            var n = p - runStart;
            if (p == text.Length || (!StartsTrivia(text[p]) && text[p] != '\uFEFF'))
            {
                if (n == 0) return null;
                if (n < _indents.Length)
                {
                    _pos = p;
                    return _indents[n] ??= new TriviaPattern([SyntaxKind.Whitespace], [new string(' ', n)]);
                }
            }
        }
        else if (runStart < text.Length)
        {
            var c = text[runStart];
            if (c == '\n')
            {
                _pos++;
                return _newLine ??= new TriviaPattern([SyntaxKind.EndOfLine], ["\n"]);
            }

            if (c == ' ' && (runStart + 1 == text.Length || !StartsTrivia(text[runStart + 1])))
            {
                _pos++;
                return _space ??= new TriviaPattern([SyntaxKind.Whitespace], [" "]);
            }

            if (!StartsTrivia(c)) return null;
        }

        _trivia.Clear();
        while (_pos < text.Length)
        {
            var start = _pos;
            var c = text[_pos];
            if (c is ' ' or '\t' or '\v' or '\f')
            {
                do _pos++;
                while (_pos < text.Length && text[_pos] is ' ' or '\t' or '\v' or '\f');
                _trivia.Add((SyntaxKind.Whitespace, start, _pos - start));
            }
            else if (c is '\r' or '\n')
            {
                _pos += c == '\r' && _pos + 1 < text.Length && text[_pos + 1] == '\n' ? 2 : 1;
                _trivia.Add((SyntaxKind.EndOfLine, start, _pos - start));
                if (!leading) break;
            }
            else if (c == '#')
            {
                var end = text.AsSpan(_pos).IndexOfAny('\r', '\n');
                _pos = end < 0 ? text.Length : _pos + end;
                _trivia.Add((SyntaxKind.Comment, start, _pos - start));
            }
            else if (c == '\uFEFF' && _pos == 0)
            {
                _pos++;
                _trivia.Add((SyntaxKind.ByteOrderMark, start, 1));
                _diagnostics.Add(DiagnosticCatalog.BomNotAllowed(new TextSpan(start, 1)));
            }
            else
            {
                break;
            }
        }

        var count = _trivia.Count;
        if (count == 0) return null;
        var runLength = _pos - runStart;
        var patterns = leading ? _leadingPatterns : _trailingPatterns;
        var lookup = patterns.GetAlternateLookup<ReadOnlySpan<char>>();
        var shareable = runLength <= 128;
        if (shareable && lookup.TryGetValue(text.AsSpan(runStart, runLength), out var known)) return known;
        var kinds = new SyntaxKind[count];
        var texts = new string[count];
        for (var i = 0; i < count; i++)
        {
            kinds[i] = _trivia[i].Kind;
            texts[i] = Slice(_trivia[i].Start, _trivia[i].Length);
        }

        var pattern = new TriviaPattern(kinds, texts);
        if (shareable) patterns[text.Substring(runStart, runLength)] = pattern;
        return pattern;
    }

    private SyntaxKind ScanToken()
    {
        if (AtEnd) return SyntaxKind.EndOfFile;
        var c = Cur;
        switch (c)
        {
            case ':': _pos++; return SyntaxKind.Colon;
            case ';': _pos++; return SyntaxKind.Semicolon;
            case ',': _pos++; return SyntaxKind.Comma;
            case '{': _pos++; return SyntaxKind.OpenBrace;
            case '}': _pos++; return SyntaxKind.CloseBrace;
            case '<': _pos++; return SyntaxKind.LessThan;
            case '>': _pos++; return SyntaxKind.GreaterThan;
            case '[': _pos++; return SyntaxKind.OpenBracket;
            case ']': _pos++; return SyntaxKind.CloseBracket;
            case '-': _pos++; return SyntaxKind.Minus;
            case '/': _pos++; return SyntaxKind.Slash;
            case '"' or '\'': return ScanString(c);
            case '.':
                if (IsDigit(Peek(1))) return ScanNumber();
                _pos++;
                return SyntaxKind.Dot;
        }

        if (IsLetter(c) || (c >= 0x80 && char.IsLetter(c)))
        {
            // The usual word is ASCII: a tight scan, and the general loop only when a non-ASCII character follows. A
            // word with non-ASCII letters ("nämé") stays one identifier with one diagnostic, not a cascade.
            var wordStart = _pos;
            var text = _text;
            var p = _pos + 1;
            while (p < text.Length && text[p] < 0x80 && IsWordChar[text[p]]) p++;
            _pos = p;
            var nonAscii = c >= 0x80;
            if (!nonAscii && (p == text.Length || text[p] < 0x80)) return SyntaxKind.Identifier;
            while (IsLetter(Cur) || IsDigit(Cur) || (Cur >= 0x80 && char.IsLetterOrDigit(Cur)))
            {
                nonAscii |= Cur >= 0x80;
                _pos++;
            }

            if (nonAscii)
                _diagnostics.Add(DiagnosticCatalog.NonAsciiWord(TextSpan.FromBounds(wordStart, _pos), _text.Substring(wordStart, _pos - wordStart)));
            return SyntaxKind.Identifier;
        }

        if (IsDigit(c)) return ScanNumber();

        // Anything else starts no token: control characters, non-ASCII, and ASCII symbols like '=' or '@'.
        var start = _pos;
        if (c < ' ' || c == '\0')
        {
            while (!AtEnd && Cur < ' ' && Cur is not '\t' and not '\n' and not '\r' and not '\v' and not '\f') _pos++;
            _diagnostics.Add(DiagnosticCatalog.ControlCharacter(new TextSpan(start, _pos - start), c));
            return SyntaxKind.BadToken;
        }

        _pos++;
        if (c >= 0x80)
        {
            while (!AtEnd && Cur >= 0x80 && Cur != '\uFEFF') _pos++;
        }

        _diagnostics.Add(DiagnosticCatalog.UnexpectedCharacters(new TextSpan(start, _pos - start), _text.Substring(start, _pos - start)));
        return SyntaxKind.BadToken;
    }

    private SyntaxKind ScanString(char quote)
    {
        var start = _pos;
        _pos++;
        // The usual string ends on its line with no escapes: a tight scan to the first character that needs thought.
        var text = _text;
        var p = _pos;
        while (p < text.Length && text[p] is var ch && ch != quote && ch != '\\' && ch != '\n' && ch != '\r' && ch != '\0') p++;
        _pos = p;
        if (p < text.Length && text[p] == quote)
        {
            _pos++;
            return SyntaxKind.StringLiteral;
        }

        while (true)
        {
            if (AtEnd)
            {
                _diagnostics.Add(DiagnosticCatalog.StringNotClosedAtEnd(TextSpan.FromBounds(start, _pos), quote));
                return SyntaxKind.StringLiteral;
            }

            var c = Cur;
            if (c == '\n' || (c == '\r' && Peek(1) == '\n'))
            {
                _diagnostics.Add(DiagnosticCatalog.StringNotClosedAtLineEnd(TextSpan.FromBounds(start, _pos), quote));
                return SyntaxKind.StringLiteral;
            }

            if (c == quote)
            {
                _pos++;
                return SyntaxKind.StringLiteral;
            }

            if (c == '\0')
            {
                _diagnostics.Add(DiagnosticCatalog.ControlCharacter(new TextSpan(_pos, 1), c));
                _pos++;
                continue;
            }

            if (c != '\\')
            {
                _pos++;
                continue;
            }

            var escapeStart = _pos;
            _pos++;
            var e = Cur;
            if (AtEnd || e == '\n' || e == '\r')
            {
                continue; // the unterminated string is reported next; one error for one mistake
            }

            if (e is 'a' or 'b' or 'f' or 'n' or 'r' or 't' or 'v' or '\\' or '?' or '\'' or '"')
            {
                _pos++;
            }
            else if (e is >= '0' and <= '7')
            {
                for (var n = 0; n < 3 && Cur is >= '0' and <= '7'; n++) _pos++;
            }
            else if (e is 'x' or 'X')
            {
                _pos++;
                if (!StringLiteral.IsHex(Cur))
                    _diagnostics.Add(DiagnosticCatalog.BadEscape(TextSpan.FromBounds(escapeStart, _pos), $"'\\{e}' must be followed by one or two hex digits."));
                for (var n = 0; n < 2 && StringLiteral.IsHex(Cur); n++) _pos++;
            }
            else if (e == 'u')
            {
                _pos++;
                var n = 0;
                while (n < 4 && StringLiteral.IsHex(Cur)) { _pos++; n++; }
                if (n < 4)
                    _diagnostics.Add(DiagnosticCatalog.BadEscape(TextSpan.FromBounds(escapeStart, _pos), "'\\u' must be followed by exactly four hex digits, e.g. \\u00e9."));
            }
            else if (e == 'U')
            {
                _pos++;
                var n = 0;
                var value = 0L;
                while (n < 8 && StringLiteral.IsHex(Cur)) { value = value * 16 + StringLiteral.HexValue(Cur); _pos++; n++; }
                if (n < 8 || value > 0x10FFFF)
                    _diagnostics.Add(DiagnosticCatalog.BadEscape(TextSpan.FromBounds(escapeStart, _pos), "'\\U' must be followed by eight hex digits no greater than 0010FFFF, e.g. \\U0001F600."));
            }
            else
            {
                _pos++;
                if (char.IsHighSurrogate(e) && char.IsLowSurrogate(Cur)) _pos++;
                _diagnostics.Add(DiagnosticCatalog.BadEscape(TextSpan.FromBounds(escapeStart, _pos), $"'\\{_text.Substring(escapeStart + 1, _pos - escapeStart - 1)}' is not a valid escape sequence. Valid: \\n \\t \\r \\\\ \\' \\\" \\ooo \\xhh \\uhhhh; write \\\\ for a backslash."));
            }
        }
    }

    private SyntaxKind ScanNumber()
    {
        var start = _pos;
        string? error = null;
        var isFloat = false;
        var c = Cur;
        if (c == '0' && Peek(1) is 'x' or 'X')
        {
            _pos += 2;
            if (!StringLiteral.IsHex(Cur)) error = "'0x' must be followed by hex digits.";
            while (StringLiteral.IsHex(Cur)) _pos++;
        }
        else if (c == '0' && IsDigit(Peek(1)))
        {
            _pos++;
            var sawNonOctal = false;
            while (IsDigit(Cur))
            {
                if (Cur is '8' or '9') sawNonOctal = true;
                _pos++;
            }

            if (sawNonOctal) error = "a number with a leading zero is octal and may use only the digits 0-7; remove the leading zero.";
        }
        else
        {
            if (c == '.')
            {
                isFloat = true;
                _pos++;
                while (IsDigit(Cur)) _pos++;
            }
            else
            {
                while (IsDigit(Cur)) _pos++;
                if (Cur == '.')
                {
                    isFloat = true;
                    _pos++;
                    while (IsDigit(Cur)) _pos++;
                }
            }

            if (Cur is 'e' or 'E')
            {
                isFloat = true;
                _pos++;
                if (Cur is '+' or '-') _pos++;
                if (!IsDigit(Cur)) error = "'e' must be followed by an exponent, e.g. 1e-5.";
                while (IsDigit(Cur)) _pos++;
            }

            if (Cur is 'f' or 'F')
            {
                isFloat = true;
                _pos++;
            }
        }

        if (error is null && (IsLetter(Cur) || Cur == '.'))
        {
            error = Cur == '.'
                ? isFloat ? "it has a second decimal point or exponent." : "hex and octal numbers must be integers."
                : "a number must be followed by a space or punctuation, not a letter.";
        }

        if (error is not null)
        {
            // Take the rest of the malformed word so one typo yields one error.
            while (IsLetter(Cur) || IsDigit(Cur) || Cur == '.') _pos++;
            _diagnostics.Add(DiagnosticCatalog.BadNumber(TextSpan.FromBounds(start, _pos), _text.Substring(start, _pos - start), error));
        }

        return isFloat ? SyntaxKind.FloatLiteral : SyntaxKind.IntegerLiteral;
    }

    private static bool IsDigit(char c) => c is >= '0' and <= '9';

    private static readonly bool[] IsWordChar = MakeWordChars();

    private static bool[] MakeWordChars()
    {
        var table = new bool[128];
        for (var c = 0; c < 128; c++) table[c] = IsLetter((char)c) || IsDigit((char)c);
        return table;
    }

    private static bool IsLetter(char c) => c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or '_';
}
