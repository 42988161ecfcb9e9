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

    private readonly List<SyntaxToken> _tokens;
    private readonly List<Diagnostic> _diagnostics;
    private readonly SourceText _text;
    private int _index;
    private readonly List<FieldSyntax> _fields;
    private readonly List<MessageValueSyntax> _blocks;

    /// <summary>Every field of the document in parse order (index = <see cref="FieldSyntax.Ordinal"/>).</summary>
    internal IReadOnlyList<FieldSyntax> AllFields => _fields;

    /// <summary>Every message block in parse order (index = <see cref="MessageValueSyntax.Ordinal"/>).</summary>
    internal IReadOnlyList<MessageValueSyntax> AllBlocks => _blocks;

    private Parser(SourceText text, List<SyntaxToken> tokens, List<Diagnostic> diagnostics)
    {
        _text = text;
        _tokens = tokens;
        _diagnostics = diagnostics;
        _fields = new List<FieldSyntax>(tokens.Count / 3 + 1); // a field is a name, a ':' and a value, or a name and a block
        _blocks = new List<MessageValueSyntax>(tokens.Count / 16 + 1);
    }

    private readonly List<MemberSyntax> _memberStack = new();

    // Shares its strings with string values: "conv1" as a top, a bottom and a layer name is one string.
    private Lexer? _lexer;

    public static DocumentSyntax Parse(SourceText text, List<Diagnostic> diagnostics) => Parse(text, diagnostics, out _, out _, out _);

    internal static DocumentSyntax Parse(SourceText text, List<Diagnostic> diagnostics, out IReadOnlyList<FieldSyntax> fields, out IReadOnlyList<MessageValueSyntax> blocks, out IReadOnlyList<SyntaxToken> allTokens)
    {
        var tokens = Lexer.Tokenize(text.Text, diagnostics, out var lexer);
        allTokens = tokens;
        var parser = new Parser(text, tokens, diagnostics) { _lexer = lexer };
        var root = parser.ParseDocument();
        fields = parser.AllFields;
        blocks = parser.AllBlocks;
        return root;
    }

    private SyntaxToken Current => _tokens[_index];

    private SyntaxToken PeekToken(int n) => _tokens[Math.Min(_index + n, _tokens.Count - 1)];

    /// <summary>Where a missing token goes: right after everything consumed so far, so spans stay nested.</summary>
    private int MissingPosition => _index > 0 ? _tokens[_index - 1].FullSpan.End : 0;

    private SyntaxToken Eat()
    {
        var t = _tokens[_index];
        if (t.Kind != SyntaxKind.EndOfFile) _index++;
        return t;
    }

    private DocumentSyntax ParseDocument()
    {
        var members = ParseMembers(depth: 0, closer: null);
        return new DocumentSyntax(members, Current);
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
            var t = Current;
            switch (t.Kind)
            {
                case SyntaxKind.EndOfFile:
                    return PopMembers(mark, allFields);
                case SyntaxKind.CloseBrace or SyntaxKind.GreaterThan:
                    if (closer is not null) return PopMembers(mark, allFields);
                    _diagnostics.Add(DiagnosticCatalog.StrayClose(t.Span, t.Text));
                    _memberStack.Add(new SkippedTokensSyntax([Eat()]));
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
        MemberSyntax[] members = allFields ? new FieldSyntax[count] : new MemberSyntax[count];
        _memberStack.CopyTo(mark, members, 0, count);
        _memberStack.RemoveRange(mark, count);
        return members;
    }

    /// <summary>Skips tokens that cannot start a field, reporting once (bad characters were reported by the lexer).</summary>
    private SkippedTokensSyntax SkipToFieldStart()
    {
        var skipped = new List<SyntaxToken>();
        while (Current.Kind is not (SyntaxKind.EndOfFile or SyntaxKind.Identifier or SyntaxKind.OpenBracket
               or SyntaxKind.CloseBrace or SyntaxKind.GreaterThan))
        {
            skipped.Add(Eat());
        }

        var first = skipped.FirstOrDefault(s => s.Kind != SyntaxKind.BadToken);
        if (first is not null) _diagnostics.Add(DiagnosticCatalog.FieldNameExpected(first.Span, first.Describe()));

        return new SkippedTokensSyntax(skipped);
    }

    private FieldSyntax ParseField(int depth)
    {
        var name = ParseFieldName();
        SyntaxToken? colon = Current.Kind == SyntaxKind.Colon ? Eat() : null;
        ValueSyntax value;
        switch (Current.Kind)
        {
            case SyntaxKind.OpenBrace or SyntaxKind.LessThan:
                value = ParseMessage(depth, name);
                break;
            case SyntaxKind.OpenBracket:
                value = ParseList(depth, name);
                break;
            case var k when StartsScalar(k) && !(k == SyntaxKind.Identifier && StartsField(0)):
                if (colon is null)
                {
                    // protobuf requires ':' before every scalar value.
                    colon = SyntaxToken.Missing(SyntaxKind.Colon, MissingPosition);
                    _diagnostics.Add(DiagnosticCatalog.ColonExpected(new TextSpan(name.Span.End, 0), name.Name));
                }

                value = ParseScalar();
                break;
            default:
            {
                var at = colon?.Span.End ?? name.Span.End;
                _diagnostics.Add(DiagnosticCatalog.ValueExpected(new TextSpan(at, 0), name.Name, colon is not null));
                value = new MissingValueSyntax(SyntaxToken.Missing(SyntaxKind.Identifier, MissingPosition));
                break;
            }
        }

        SyntaxToken? separator = Current.Kind is SyntaxKind.Comma or SyntaxKind.Semicolon ? Eat() : null;
        var field = new FieldSyntax(name, colon, value, separator) { Ordinal = _fields.Count };
        _fields.Add(field);
        return field;
    }

    /// <summary>True when the token n ahead is followed by what makes it a field name: ':' or a block.</summary>
    private bool StartsField(int n) => PeekToken(n + 1).Kind is SyntaxKind.Colon or SyntaxKind.OpenBrace or SyntaxKind.LessThan;

    private bool StartsListElement() =>
        Current.Kind is SyntaxKind.OpenBrace or SyntaxKind.LessThan
        || (StartsScalar(Current.Kind) && !(Current.Kind == SyntaxKind.Identifier && StartsField(0)));

    private static bool StartsScalar(SyntaxKind k) =>
        k is SyntaxKind.Identifier or SyntaxKind.IntegerLiteral or SyntaxKind.FloatLiteral or SyntaxKind.StringLiteral or SyntaxKind.Minus;

    private FieldNameSyntax ParseFieldName()
    {
        if (Current.Kind == SyntaxKind.Identifier) return new IdentifierNameSyntax(Eat());

        // [ext.name] or [type.googleapis.com/pkg.Type]
        var open = Eat();
        var parts = new List<SyntaxToken>();
        var expectIdentifier = true;
        while (true)
        {
            var k = Current.Kind;
            if (expectIdentifier && k == SyntaxKind.Identifier)
            {
                parts.Add(Eat());
                expectIdentifier = false;
            }
            else if (!expectIdentifier && k is SyntaxKind.Dot or SyntaxKind.Slash)
            {
                parts.Add(Eat());
                expectIdentifier = true;
            }
            else
            {
                break;
            }
        }

        SyntaxToken close;
        if (Current.Kind == SyntaxKind.CloseBracket && !expectIdentifier)
        {
            close = Eat();
        }
        else
        {
            var at = parts.Count > 0 ? parts[^1].Span.End : open.Span.End;
            _diagnostics.Add(DiagnosticCatalog.BadExtensionName(new TextSpan(at, 0), expectIdentifier
                ? $"Expected a name inside '[…]', found {Current.Describe()}; write '[package.extension_name]'."
                : $"Expected ']' to end the extension name, found {Current.Describe()}."));
            close = Current.Kind == SyntaxKind.CloseBracket ? Eat() : SyntaxToken.Missing(SyntaxKind.CloseBracket, MissingPosition);
        }

        return new ExtensionNameSyntax(open, parts, close);
    }

    private ValueSyntax ParseScalar()
    {
        if (Current.Kind == SyntaxKind.StringLiteral)
        {
            var first = Eat();
            if (Current.Kind != SyntaxKind.StringLiteral)
                return new StringValueSyntax(first, _lexer is not null && StringLiteral.TryPlain(first.Text, out var plain) ? _lexer.Intern(plain) : null);
            var parts = new List<SyntaxToken> { first };
            while (Current.Kind == SyntaxKind.StringLiteral) parts.Add(Eat());
            return new StringValueSyntax(parts);
        }

        SyntaxToken? minus = Current.Kind == SyntaxKind.Minus ? Eat() : null;
        if (Current.Kind is SyntaxKind.Identifier or SyntaxKind.IntegerLiteral or SyntaxKind.FloatLiteral
            && !(minus is not null && Current.Kind == SyntaxKind.Identifier && StartsField(0)))
        {
            return new ScalarValueSyntax(minus, Eat());
        }

        var at = minus!.Span.End;
        _diagnostics.Add(DiagnosticCatalog.NumberExpectedAfterMinus(new TextSpan(at, 0)));
        return new ScalarValueSyntax(minus, SyntaxToken.Missing(SyntaxKind.IntegerLiteral, MissingPosition));
    }

    private MessageValueSyntax ParseMessage(int depth, FieldNameSyntax? name)
    {
        var open = Eat();
        var expected = open.Kind == SyntaxKind.OpenBrace ? SyntaxKind.CloseBrace : SyntaxKind.GreaterThan;
        IReadOnlyList<MemberSyntax> members;
        if (depth + 1 > MaxDepth)
        {
            _diagnostics.Add(DiagnosticCatalog.TooDeep(open.Span, MaxDepth));
            members = new MemberSyntax[] { SkipBalanced() };
        }
        else
        {
            members = ParseMembers(depth + 1, expected);
        }

        SyntaxToken close;
        if (Current.Kind == expected)
        {
            close = Eat();
        }
        else if (Current.Kind is SyntaxKind.CloseBrace or SyntaxKind.GreaterThan)
        {
            _diagnostics.Add(DiagnosticCatalog.CloseMismatch(Current.Span, SyntaxFacts.GetText(expected), Current.Text, open.Span));
            close = Eat();
        }
        else
        {
            var line = _text.Lines.GetPosition(open.Span.Start).Line;
            _diagnostics.Add(DiagnosticCatalog.BlockNotClosed(open.Span, open.Text, SyntaxFacts.GetText(expected), name?.Name, line));
            close = SyntaxToken.Missing(expected, MissingPosition);
        }

        var block = new MessageValueSyntax(open, members, close) { Ordinal = _blocks.Count };
        _blocks.Add(block);
        return block;
    }

    /// <summary>Past the depth limit: skip up to the closer of the current block without recursing.</summary>
    private SkippedTokensSyntax SkipBalanced()
    {
        var skipped = new List<SyntaxToken>();
        var depth = 0;
        while (Current.Kind != SyntaxKind.EndOfFile)
        {
            var k = Current.Kind;
            if (k is SyntaxKind.OpenBrace or SyntaxKind.LessThan) depth++;
            else if (k is SyntaxKind.CloseBrace or SyntaxKind.GreaterThan)
            {
                if (depth == 0) break;
                depth--;
            }

            skipped.Add(Eat());
        }

        return new SkippedTokensSyntax(skipped);
    }

    private ListValueSyntax ParseList(int depth, FieldNameSyntax name)
    {
        var open = Eat();
        var items = new List<SyntaxElement>();
        var reported = false;
        if (Current.Kind != SyntaxKind.CloseBracket)
        {
            while (true)
            {
                var k = Current.Kind;
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
                    var at = items.Count > 0 ? items[^1].Span.End : open.Span.End;
                    _diagnostics.Add(DiagnosticCatalog.ListElementExpected(k == SyntaxKind.CloseBracket ? new TextSpan(at, 0) : Current.Span, Current.Describe()));
                    reported = true;
                    break;
                }

                if (Current.Kind == SyntaxKind.Comma)
                {
                    items.Add(Eat());
                    continue;
                }

                if (Current.Kind == SyntaxKind.CloseBracket) break;
                _diagnostics.Add(DiagnosticCatalog.ListSeparatorExpected(Current.Span, Current.Describe()));
                reported = true;
                // "[1 2]": a forgotten comma; keep reading the list rather than cascading.
                if (StartsListElement()) continue;
                break;
            }
        }

        SyntaxToken close;
        if (Current.Kind == SyntaxKind.CloseBracket)
        {
            close = Eat();
        }
        else
        {
            close = SyntaxToken.Missing(SyntaxKind.CloseBracket, MissingPosition);
            if (!reported)
                _diagnostics.Add(DiagnosticCatalog.ListNotClosed(open.Span, _text.Lines.GetPosition(open.Span.Start).Line));
        }

        return new ListValueSyntax(open, items, close);
    }
}
