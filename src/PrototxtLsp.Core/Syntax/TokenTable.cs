using PrototxtLsp.Core.Text;

namespace PrototxtLsp.Core.Syntax;

/// <summary>
/// A document's tokens as flat arrays instead of an object per token: a 12-byte record per token (position, text and
/// trivia by number) and a byte for its kind (the parser reads mostly kinds, 64 to a cache line). The lexer fills it,
/// nodes keep token numbers, and a <see cref="SyntaxToken"/> object exists only while a feature holds one. A 1.9 MB
/// net has 320,000 tokens: 4.9 MB here (room for 380,000), against 18 MB as objects and a list, and nothing in the
/// table for the collector to trace. Tokens the parser inserts (missing ones) follow the lexed
/// tokens, so the first <see cref="LexedCount"/> entries are the text's tokens in order, end of file last.
/// </summary>
public sealed class TokenTable
{
    private Entry[] _entries;
    private byte[] _kinds; // the kind, with MissingBit for a token the parser inserted
    private int _count;

    private const byte MissingBit = 0x80;

    // Texts and trivia pairs by number; number 0 is the empty text and "no trivia".
    private readonly List<string> _texts;
    private readonly List<TokenTrivia?> _trivia;

    internal TokenTable(int capacity, List<string> texts, List<TokenTrivia?> trivia)
    {
        _entries = new Entry[Math.Max(capacity, 4)];
        _kinds = new byte[_entries.Length];
        _texts = texts;
        _trivia = trivia;
    }

    /// <summary>How many tokens a table for a text of <paramref name="textLength"/> characters has room for at first.</summary>
    internal static int CapacityFor(int textLength) => textLength / 5 + 16;

    /// <summary>The bytes of the records array of a table for a text of that length, the largest array of an analysis.</summary>
    internal static long BytesFor(int textLength) => (long)CapacityFor(textLength) * System.Runtime.CompilerServices.Unsafe.SizeOf<Entry>();

    private struct Entry
    {
        public int Start;
        public int Text;
        public int Trivia;
    }

    /// <summary>Every token: the lexed ones, then the missing ones the parser inserted.</summary>
    public int Count => _count;

    /// <summary>How many tokens the lexer produced (end of file included): they come first, in text order.</summary>
    public int LexedCount { get; internal set; }

    public SyntaxKind Kind(int index) => (SyntaxKind)(_kinds[index] & ~MissingBit);

    public int Start(int index) => _entries[index].Start;

    public bool IsMissing(int index) => (_kinds[index] & MissingBit) != 0;

    // Punctuation has one spelling per kind: texts 1..n of every document are those spellings (0 is the empty text,
    // a missing token's), so a token's text is always one array read and the lexer never looks punctuation up.
    private static readonly (SyntaxKind Kind, string Text)[] Punctuation =
        Enum.GetValues<SyntaxKind>().Select(k => (k, SyntaxFacts.GetText(k))).Where(p => p.Item2.Length > 0).ToArray();

    private static readonly int[] SpellingIds = MakeSpellingIds();

    private static int[] MakeSpellingIds()
    {
        var ids = new int[256];
        for (var i = 0; i < Punctuation.Length; i++) ids[(int)Punctuation[i].Kind] = i + 1;
        return ids;
    }

    /// <summary>The text number of a punctuation kind's spelling, 0 for kinds with no fixed spelling.</summary>
    internal static int SpellingId(SyntaxKind kind) => SpellingIds[(int)kind];

    /// <summary>A new document's text list: the empty text, then the punctuation spellings.</summary>
    internal static List<string> NewTexts(int capacity)
    {
        var texts = new List<string>(capacity + Punctuation.Length + 1) { "" };
        foreach (var (_, text) in Punctuation) texts.Add(text);
        return texts;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public string Text(int index) => _texts[_entries[index].Text];

    /// <summary>The number of the token's text.</summary>
    internal int TextId(int index) => _entries[index].Text;

    // Decoded string values by value number, made on first request: a value is numbered as its double-quoted spelling
    // (Lexer.ValueId), so the value is that text without its quotes.
    private string?[]? _values;

    /// <summary>A string value by its number (<see cref="StringValueSyntax.ValueId"/>), decoded once and kept.</summary>
    internal string ValueById(int id)
    {
        var values = _values;
        if (values is null || id >= values.Length)
        {
            var grown = new string?[_texts.Count];
            if (values is not null) Array.Copy(values, grown, values.Length);
            _values = values = grown;
        }

        return values[id] ??= _texts[id][1..^1];
    }

    public int Length(int index) => Text(index).Length;

    public TextSpan Span(int index) => new(_entries[index].Start, Length(index));

    public int End(int index) => _entries[index].Start + Length(index);

    internal TokenTrivia? Trivia(int index) => _trivia[_entries[index].Trivia];

    public TextSpan FullSpan(int index)
    {
        var start = _entries[index].Start;
        var end = start + Length(index);
        if (Trivia(index) is not { } trivia) return TextSpan.FromBounds(start, end);
        return TextSpan.FromBounds(start - trivia.LeadingLength, end + trivia.TrailingLength);
    }

    public int FullStart(int index) => _entries[index].Start - (Trivia(index)?.LeadingLength ?? 0);

    public int FullEnd(int index) => End(index) + (Trivia(index)?.TrailingLength ?? 0);

    /// <summary>The trivia before a token, with positions (a new array on each call).</summary>
    public IReadOnlyList<SyntaxTrivia> LeadingTrivia(int index) =>
        Trivia(index)?.Leading is { } leading ? leading.At(_entries[index].Start - leading.Length) : [];

    /// <summary>The token as an object, with the node that holds it (callers outside the tree ask the tree or a node).</summary>
    internal SyntaxToken Token(int index, SyntaxNode? parent) => new(this, index, parent);

    internal int Add(SyntaxKind kind, int start, int text, int trivia, bool missing)
    {
        if (_count == _entries.Length)
        {
            Array.Resize(ref _entries, _count * 2);
            Array.Resize(ref _kinds, _count * 2);
        }

        ref var e = ref _entries[_count];
        e.Start = start;
        e.Text = text;
        e.Trivia = trivia;
        _kinds[_count] = (byte)((byte)kind | (missing ? MissingBit : 0));
        return _count++;
    }

    /// <summary>Adds a zero-width token the parser inserts where one was required.</summary>
    internal int AddMissing(SyntaxKind kind, int position) => Add(kind, position, 0, 0, missing: true);

    /// <summary>The index of the last lexed token (end of file excluded) that starts before the offset, or -1.</summary>
    public int LastStartingBefore(int offset)
    {
        int lo = 0, hi = LexedCount - 2; // the last lexed token is the end of file
        var found = -1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_entries[mid].Start < offset)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found;
    }
}
