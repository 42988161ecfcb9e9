using System.Text;
using PrototxtLsp.Core.Diagnostics;
using PrototxtLsp.Core.Text;

namespace PrototxtLsp.Core.Syntax;

/// <summary>
/// Recursive-descent parser for the protobuf text format. It never throws and never stops early: where something
/// is missing it inserts a zero-width missing token, where something is unexpected it wraps the tokens in a
/// <see cref="SkippedTokensSyntax"/>. Recovery points are closing delimiters and the next field start.
/// </summary>
public sealed class Parser
{
    /// <summary>protobuf's default recursion limit for text format.</summary>
    public const int MaxDepth = 100;

    private readonly TokenTable _tokens;
    private readonly List<Diagnostic> _diagnostics;
    private readonly SourceText _text;
    private int _index;
    private readonly SegmentedList<FieldSyntax> _fields;
    private readonly SegmentedList<MessageValueSyntax> _blocks;

    /// <summary>Every field of the document in parse order (index = <see cref="FieldSyntax.Ordinal"/>).</summary>
    internal IReadOnlyList<FieldSyntax> AllFields => _fields;

    /// <summary>Every message block in parse order (index = <see cref="MessageValueSyntax.Ordinal"/>).</summary>
    internal IReadOnlyList<MessageValueSyntax> AllBlocks => _blocks;

    private Parser(SourceText text, TokenTable tokens, List<Diagnostic> diagnostics)
    {
        _text = text;
        _tokens = tokens;
        _diagnostics = diagnostics;
        _fields = new SegmentedList<FieldSyntax>(tokens.LexedCount / 3 + 1); // a field is a name, a ':' and a value, or a name and a block
        _blocks = new SegmentedList<MessageValueSyntax>(tokens.LexedCount / 12 + 1); // a chain net has one every 14 tokens
        // The stack holds every top-level member until the end (a 10,000-layer net: 10,000, one per 23 tokens); sized
        // up front, it does not leave a trail of half-size arrays behind as it grows.
        _memberStack = new List<MemberSyntax>(tokens.LexedCount / 16 + 16);
    }

    private readonly List<MemberSyntax> _memberStack;

    // Numbers string values among the document's texts: "conv1" as a top, a bottom and a layer name is one string, one number.
    private Lexer _lexer = null!;

    public static DocumentSyntax Parse(SourceText text, List<Diagnostic> diagnostics) => Parse(text, diagnostics, out _, out _, out _);

    internal static DocumentSyntax Parse(SourceText text, List<Diagnostic> diagnostics, out IReadOnlyList<FieldSyntax> fields, out IReadOnlyList<MessageValueSyntax> blocks, out TokenTable allTokens)
    {
        var tokens = Lexer.Lex(text.Text, diagnostics, out var lexer);
        allTokens = tokens;
        var parser = new Parser(text, tokens, diagnostics) { _lexer = lexer };
        var root = parser.ParseDocument();
        lexer.Done();
        fields = parser.AllFields;
        blocks = parser.AllBlocks;
        return root;
    }

    private SyntaxKind CurrentKind => _tokens.Kind(_index);

    private TextSpan CurrentSpan => _tokens.Span(_index);

    private string CurrentText => _tokens.Text(_index);

    private string DescribeCurrent() => SyntaxToken.Describe(_tokens, _index);

    private SyntaxKind PeekKind(int n) => _tokens.Kind(Math.Min(_index + n, _tokens.LexedCount - 1));

    /// <summary>Where a missing token goes: right after everything consumed so far, so spans stay nested.</summary>
    private int MissingPosition => _index > 0 ? _tokens.FullEnd(_index - 1) : 0;

    private int Missing(SyntaxKind kind) => _tokens.AddMissing(kind, MissingPosition);

    /// <summary>Consumes the current token (the end of file stays current) and returns its number.</summary>
    private int Eat()
    {
        var t = _index;
        if (_tokens.Kind(t) != SyntaxKind.EndOfFile) _index++;
        return t;
    }

    private DocumentSyntax ParseDocument()
    {
        var members = ParseMembers(depth: 0, closer: null);
        return new DocumentSyntax(_tokens, members, _index);
    }

    /// <summary>
    /// Fields up to the end of file or (inside a block) a closing delimiter. Members collect on one stack shared by
    /// all levels and leave it as an exactly sized array; when all are fields (the usual case) the array is a
    /// <see cref="FieldSyntax"/>[] that serves as both the node's members and its fields.
    /// </summary>
    private IReadOnlyList<MemberSyntax> ParseMembers(int depth, SyntaxKind? closer)
    {
        var mark = _memberStack.Count;
        var allFields = true;
        while (true)
        {
            switch (CurrentKind)
            {
                case SyntaxKind.EndOfFile:
                    return PopMembers(mark, allFields);
                case SyntaxKind.CloseBrace or SyntaxKind.GreaterThan:
                    if (closer is not null) return PopMembers(mark, allFields);
                    _diagnostics.Add(DiagnosticCatalog.StrayClose(CurrentSpan, CurrentText));
                    _memberStack.Add(new SkippedTokensSyntax(_tokens, Eat(), 1));
                    allFields = false;
                    continue;
                case SyntaxKind.Identifier or SyntaxKind.OpenBracket:
                    _memberStack.Add(ParseField(depth));
                    continue;
                default:
                    _memberStack.Add(SkipToFieldStart());
                    allFields = false;
                    continue;
            }
        }
    }

    private IReadOnlyList<MemberSyntax> PopMembers(int mark, bool allFields)
    {
        var count = _memberStack.Count - mark;
        if (count == 0) return Array.Empty<FieldSyntax>();
        var stack = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_memberStack).Slice(mark, count);
        MemberSyntax[] members;
        if (allFields)
        {
            // Copied one by one as fields: a FieldSyntax[] is sealed-typed, so no covariance check per element
            // (Array.Copy from the MemberSyntax list would check each one).
            var fields = new FieldSyntax[count];
            for (var i = 0; i < fields.Length; i++) fields[i] = System.Runtime.CompilerServices.Unsafe.As<FieldSyntax>(stack[i]);
            members = fields;
        }
        else
        {
            members = stack.ToArray();
        }

        _memberStack.RemoveRange(mark, count);
        return members;
    }

    /// <summary>Skips tokens that cannot start a field, reporting once (bad characters were reported by the lexer).</summary>
    private SkippedTokensSyntax SkipToFieldStart()
    {
        var start = _index;
        var first = -1;
        while (CurrentKind is not (SyntaxKind.EndOfFile or SyntaxKind.Identifier or SyntaxKind.OpenBracket
               or SyntaxKind.CloseBrace or SyntaxKind.GreaterThan))
        {
            var t = Eat();
            if (first < 0 && _tokens.Kind(t) != SyntaxKind.BadToken) first = t;
        }

        if (first >= 0) _diagnostics.Add(DiagnosticCatalog.FieldNameExpected(_tokens.Span(first), SyntaxToken.Describe(_tokens, first)));

        return new SkippedTokensSyntax(_tokens, start, _index - start);
    }

    private FieldSyntax ParseField(int depth)
    {
        var nameToken = _index;
        var extensionName = CurrentKind == SyntaxKind.Identifier ? null : ParseExtensionName();
        if (extensionName is null) Eat();
        var name = extensionName?.Name ?? _tokens.Text(nameToken);
        var nameEnd = extensionName?.Span.End ?? _tokens.End(nameToken);
        var colon = CurrentKind == SyntaxKind.Colon ? Eat() : -1;
        ValueSyntax value;
        switch (CurrentKind)
        {
            case SyntaxKind.OpenBrace or SyntaxKind.LessThan:
                value = ParseMessage(depth, name);
                break;
            case SyntaxKind.OpenBracket:
                value = ParseList(depth, name);
                break;
            case var k when StartsScalar(k) && !(k == SyntaxKind.Identifier && StartsField(0)):
                if (colon < 0)
                {
                    // protobuf requires ':' before every scalar value.
                    colon = Missing(SyntaxKind.Colon);
                    _diagnostics.Add(DiagnosticCatalog.ColonExpected(new TextSpan(nameEnd, 0), name));
                }

                // One literal right after a written ':' (nearly every scalar field) stays in the field: its value node
                // is made only when a feature asks for it (FieldSyntax.Value). A colon the parser inserted is numbered
                // after every lexed token, so it is never the name's next token.
                if (extensionName is null && colon == nameToken + 1 && InlineScalar() is var inline and not NoInline)
                {
                    if (CurrentKind is SyntaxKind.Comma or SyntaxKind.Semicolon) Eat(); // the field finds it again: the token after its value
                    var inlined = new FieldSyntax(_tokens, nameToken, inline) { Ordinal = _fields.Count };
                    _fields.Add(inlined);
                    return inlined;
                }

                value = ParseScalar();
                break;
            default:
            {
                var at = colon >= 0 ? _tokens.End(colon) : nameEnd;
                _diagnostics.Add(DiagnosticCatalog.ValueExpected(new TextSpan(at, 0), name, colon >= 0));
                value = new MissingValueSyntax(_tokens, Missing(SyntaxKind.Identifier));
                break;
            }
        }

        var separator = CurrentKind is SyntaxKind.Comma or SyntaxKind.Semicolon ? Eat() : -1;
        var field = new FieldSyntax(_tokens, nameToken, extensionName, colon, value, separator) { Ordinal = _fields.Count };
        _fields.Add(field);
        return field;
    }

    /// <summary>True when the token n ahead is followed by what makes it a field name: ':' or a block.</summary>
    private bool StartsField(int n) => PeekKind(n + 1) is SyntaxKind.Colon or SyntaxKind.OpenBrace or SyntaxKind.LessThan;

    private bool StartsListElement() =>
        CurrentKind is SyntaxKind.OpenBrace or SyntaxKind.LessThan
        || (StartsScalar(CurrentKind) && !(CurrentKind == SyntaxKind.Identifier && StartsField(0)));

    private static bool StartsScalar(SyntaxKind k) =>
        k is SyntaxKind.Identifier or SyntaxKind.IntegerLiteral or SyntaxKind.FloatLiteral or SyntaxKind.StringLiteral or SyntaxKind.Minus;

    private ExtensionNameSyntax ParseExtensionName()
    {
        // [ext.name] or [type.googleapis.com/pkg.Type]
        var open = Eat();
        var firstPart = _index;
        var expectIdentifier = true;
        while (true)
        {
            var k = CurrentKind;
            if (expectIdentifier && k == SyntaxKind.Identifier)
            {
                Eat();
                expectIdentifier = false;
            }
            else if (!expectIdentifier && k is SyntaxKind.Dot or SyntaxKind.Slash)
            {
                Eat();
                expectIdentifier = true;
            }
            else
            {
                break;
            }
        }

        var partCount = _index - firstPart;
        int close;
        if (CurrentKind == SyntaxKind.CloseBracket && !expectIdentifier)
        {
            close = Eat();
        }
        else
        {
            var at = partCount > 0 ? _tokens.End(_index - 1) : _tokens.End(open);
            _diagnostics.Add(DiagnosticCatalog.BadExtensionName(new TextSpan(at, 0), expectIdentifier
                ? $"Expected a name inside '[…]', found {DescribeCurrent()}; write '[package.extension_name]'."
                : $"Expected ']' to end the extension name, found {DescribeCurrent()}."));
            close = CurrentKind == SyntaxKind.CloseBracket ? Eat() : Missing(SyntaxKind.CloseBracket);
        }

        return new ExtensionNameSyntax(_tokens, open, firstPart, partCount, close);
    }

    /// <summary>
    /// Consumes a one-token scalar (a number or a word without '-', or a lone string literal) and returns what the field
    /// keeps of it: the string's value number, or -1 for a number or word; <see cref="NoInline"/> (and nothing
    /// consumed) for any other value.
    /// </summary>
    private const int NoInline = int.MinValue;

    private int InlineScalar()
    {
        switch (CurrentKind)
        {
            case SyntaxKind.StringLiteral when PeekKind(1) != SyntaxKind.StringLiteral:
                return _lexer.LiteralValueId(Eat());
            case SyntaxKind.IntegerLiteral or SyntaxKind.FloatLiteral or SyntaxKind.Identifier:
                Eat();
                return -1;
            default:
                return NoInline;
        }
    }

    private ValueSyntax ParseScalar()
    {
        if (CurrentKind == SyntaxKind.StringLiteral)
        {
            var first = Eat();
            if (CurrentKind != SyntaxKind.StringLiteral)
            {
                return new StringValueSyntax(_tokens, first, 1, _lexer.LiteralValueId(first));
            }

            while (CurrentKind == SyntaxKind.StringLiteral) Eat();
            var joined = new StringBuilder();
            for (var i = first; i < _index; i++) joined.Append(StringLiteral.Decode(_tokens.Text(i)));
            return new StringValueSyntax(_tokens, first, _index - first, _lexer.ValueId(joined.ToString()));
        }

        var minus = CurrentKind == SyntaxKind.Minus ? Eat() : -1;
        if (CurrentKind is SyntaxKind.Identifier or SyntaxKind.IntegerLiteral or SyntaxKind.FloatLiteral
            && !(minus >= 0 && CurrentKind == SyntaxKind.Identifier && StartsField(0)))
        {
            return new ScalarValueSyntax(_tokens, minus, Eat());
        }

        var at = _tokens.End(minus);
        _diagnostics.Add(DiagnosticCatalog.NumberExpectedAfterMinus(new TextSpan(at, 0)));
        return new ScalarValueSyntax(_tokens, minus, Missing(SyntaxKind.IntegerLiteral));
    }

    private MessageValueSyntax ParseMessage(int depth, string? name)
    {
        var open = Eat();
        var openSpan = _tokens.Span(open);
        var expected = _tokens.Kind(open) == SyntaxKind.OpenBrace ? SyntaxKind.CloseBrace : SyntaxKind.GreaterThan;
        IReadOnlyList<MemberSyntax> members;
        if (depth + 1 > MaxDepth)
        {
            _diagnostics.Add(DiagnosticCatalog.TooDeep(openSpan, MaxDepth));
            members = new MemberSyntax[] { SkipBalanced() };
        }
        else
        {
            members = ParseMembers(depth + 1, expected);
        }

        int close;
        if (CurrentKind == expected)
        {
            close = Eat();
        }
        else if (CurrentKind is SyntaxKind.CloseBrace or SyntaxKind.GreaterThan)
        {
            _diagnostics.Add(DiagnosticCatalog.CloseMismatch(CurrentSpan, SyntaxFacts.GetText(expected), CurrentText, openSpan));
            close = Eat();
        }
        else
        {
            var line = _text.Lines.GetPosition(openSpan.Start).Line;
            _diagnostics.Add(DiagnosticCatalog.BlockNotClosed(openSpan, _tokens.Text(open), SyntaxFacts.GetText(expected), name, line));
            close = Missing(expected);
        }

        var block = new MessageValueSyntax(_tokens, open, members, close) { Ordinal = _blocks.Count };
        _blocks.Add(block);
        return block;
    }

    /// <summary>Past the depth limit: skip up to the closer of the current block without recursing.</summary>
    private SkippedTokensSyntax SkipBalanced()
    {
        var start = _index;
        var depth = 0;
        while (CurrentKind != SyntaxKind.EndOfFile)
        {
            var k = CurrentKind;
            if (k is SyntaxKind.OpenBrace or SyntaxKind.LessThan) depth++;
            else if (k is SyntaxKind.CloseBrace or SyntaxKind.GreaterThan)
            {
                if (depth == 0) break;
                depth--;
            }

            Eat();
        }

        return new SkippedTokensSyntax(_tokens, start, _index - start);
    }

    private ListValueSyntax ParseList(int depth, string name)
    {
        var open = Eat();
        var items = new List<SyntaxElement>();
        var reported = false;
        if (CurrentKind != SyntaxKind.CloseBracket)
        {
            while (true)
            {
                var k = CurrentKind;
                if (k is SyntaxKind.OpenBrace or SyntaxKind.LessThan)
                {
                    items.Add(ParseMessage(depth, name));
                }
                else if (StartsListElement())
                {
                    items.Add(ParseScalar());
                }
                else
                {
                    var at = items.Count > 0 ? items[^1].Span.End : _tokens.End(open);
                    _diagnostics.Add(DiagnosticCatalog.ListElementExpected(k == SyntaxKind.CloseBracket ? new TextSpan(at, 0) : CurrentSpan, DescribeCurrent()));
                    reported = true;
                    break;
                }

                if (CurrentKind == SyntaxKind.Comma)
                {
                    // Commas of a list are token objects among the elements (lists are short and rare in Caffe nets).
                    items.Add(_tokens.Token(Eat(), null));
                    continue;
                }

                if (CurrentKind == SyntaxKind.CloseBracket) break;
                _diagnostics.Add(DiagnosticCatalog.ListSeparatorExpected(CurrentSpan, DescribeCurrent()));
                reported = true;
                // "[1 2]": a forgotten comma; keep reading the list rather than cascading.
                if (StartsListElement()) continue;
                break;
            }
        }

        int close;
        if (CurrentKind == SyntaxKind.CloseBracket)
        {
            close = Eat();
        }
        else
        {
            close = Missing(SyntaxKind.CloseBracket);
            if (!reported)
                _diagnostics.Add(DiagnosticCatalog.ListNotClosed(_tokens.Span(open), _text.Lines.GetPosition(_tokens.Start(open)).Line));
        }

        return new ListValueSyntax(_tokens, open, items, close);
    }
}
