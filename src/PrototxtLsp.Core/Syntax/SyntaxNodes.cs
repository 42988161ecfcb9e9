using System.Collections.Immutable;
using System.Runtime.InteropServices;
using System.Text;
using PrototxtLsp.Core.Text;

namespace PrototxtLsp.Core.Syntax;

/// <summary>
/// An interior node. Accessors for optional parts return null when the part is absent. A node keeps its tokens as
/// numbers in the document's <see cref="TokenTable"/>; a token accessor makes the <see cref="SyntaxToken"/> view, so
/// read a token once and keep it rather than calling the accessor in a loop.
/// </summary>
public abstract class SyntaxNode : SyntaxElement
{
    private protected SyntaxNode(TokenTable table)
    {
        Table = table;
    }

    /// <summary>The token table of the node's document.</summary>
    public TokenTable Table { get; }

    /// <summary>Nodes are equal only to themselves. The hash is the runtime's identity hash, kept in the object header
    /// rather than in a field of every node: per-field and per-block tables are arrays indexed by ordinal, so nodes
    /// rarely key a dictionary.</summary>
    public sealed override bool Equals(object? obj) => ReferenceEquals(this, obj);

    public sealed override int GetHashCode() => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(this);

    /// <summary>The node's children in source order, tokens and nodes alike.</summary>
    public abstract IEnumerable<SyntaxElement> Children();

    // Spans are not stored: each node type finds its edge tokens from its own structure (first and last parts),
    // which takes a few steps (more only along a chain of missing tokens), so nodes stay small.
    public override TextSpan FullSpan
    {
        get
        {
            int start = -1, end = -1;
            foreach (var child in Children())
            {
                var span = child.FullSpan;
                if (start < 0) start = span.Start;
                end = span.End;
            }

            return start < 0 ? default : TextSpan.FromBounds(start, end);
        }
    }

    public override TextSpan Span
    {
        get
        {
            var first = FirstIndex();
            var last = LastIndex();
            if (first < 0 || last < 0) return new TextSpan(FullSpan.Start, 0);
            var start = Table.Start(first);
            return TextSpan.FromBounds(start, Math.Max(start, Table.End(last)));
        }
    }

    /// <summary>The number of the first token with text (not missing), or -1.</summary>
    internal abstract int FirstIndex();

    /// <summary>The number of the last token with text (not missing), or -1.</summary>
    internal abstract int LastIndex();

    /// <summary>
    /// Visits the numbers of the node's tokens in text order (missing ones included) with the node that holds each,
    /// without making token objects; stops and returns true as soon as the visitor does.
    /// </summary>
    internal abstract bool AnyToken(Func<int, SyntaxNode, bool> visit);

    private protected bool AnyInRun(int first, int count, Func<int, SyntaxNode, bool> visit)
    {
        for (var i = first; i < first + count; i++)
            if (visit(i, this)) return true;
        return false;
    }

    private protected bool AnyIn<T>(IReadOnlyList<T> elements, Func<int, SyntaxNode, bool> visit) where T : SyntaxElement
    {
        for (var i = 0; i < elements.Count; i++)
        {
            if (elements[i] is SyntaxToken t ? visit(t.Index, this) : ((SyntaxNode)(object)elements[i]).AnyToken(visit)) return true;
        }

        return false;
    }

    /// <summary>The first token with text (not missing), or null.</summary>
    public SyntaxToken? FirstToken() => TokenByIndex(FirstIndex());

    /// <summary>The last token with text (not missing), or null.</summary>
    public SyntaxToken? LastToken() => TokenByIndex(LastIndex());

    /// <summary>The token of that number among the node's descendants, with the node that holds it as parent; null if none.</summary>
    internal SyntaxToken? TokenByIndex(int index)
    {
        if (index < 0) return null;
        var node = this;
        while (true)
        {
            SyntaxNode? next = null;
            foreach (var child in node.Children())
            {
                if (child is SyntaxToken t)
                {
                    if (t.Index == index) return t;
                }
                else if (child is SyntaxNode n && n.FirstIndex() is >= 0 and var first && first <= index && index <= n.LastIndex())
                {
                    next = n;
                    break;
                }
            }

            if (next is null) return null;
            node = next;
        }
    }

    /// <summary>Views of a run of tokens (first..first+count) whose parent is this node, in a new array.</summary>
    private protected SyntaxToken[] Run(int first, int count)
    {
        var tokens = new SyntaxToken[count];
        for (var i = 0; i < tokens.Length; i++) tokens[i] = Table.Token(first + i, this);
        return tokens;
    }

    /// <summary>The token as a view whose parent is this node; null for -1.</summary>
    private protected SyntaxToken? TokenOrNull(int index) => index < 0 ? null : Table.Token(index, this);

    /// <summary>The index when it names a token with text, else -1.</summary>
    private protected int Present(int index) => index >= 0 && !Table.IsMissing(index) ? index : -1;

    private protected static int Either(int first, int second) => first >= 0 ? first : second;

    /// <summary>The first (or last) token with text of an element, or -1.</summary>
    private static int EdgeOf(SyntaxElement element, bool last) => element switch
    {
        SyntaxToken t => t.IsMissing ? -1 : t.Index,
        SyntaxNode n => last ? n.LastIndex() : n.FirstIndex(),
        _ => -1,
    };

    /// <summary>The last token with text among elements, searched from the end.</summary>
    private protected static int LastIndexOf<T>(IReadOnlyList<T> elements) where T : SyntaxElement
    {
        for (var i = elements.Count - 1; i >= 0; i--)
            if (EdgeOf(elements[i], last: true) is var index and >= 0) return index;
        return -1;
    }

    /// <summary>The first token with text among elements.</summary>
    private protected static int FirstIndexOf<T>(IReadOnlyList<T> elements) where T : SyntaxElement
    {
        for (var i = 0; i < elements.Count; i++)
            if (EdgeOf(elements[i], last: false) is var index and >= 0) return index;
        return -1;
    }

    // A run (extension name parts, string parts, skipped tokens) is lexed tokens only, none missing: its edges are its ends.
    private protected static int FirstInRun(int first, int count) => count > 0 ? first : -1;

    private protected static int LastInRun(int first, int count) => count > 0 ? first + count - 1 : -1;

    public override void WriteTo(StringBuilder builder)
    {
        foreach (var child in Children()) child.WriteTo(builder);
    }

    public IEnumerable<SyntaxToken> DescendantTokens()
    {
        var stack = new Stack<IEnumerator<SyntaxElement>>();
        stack.Push(Children().GetEnumerator());
        while (stack.Count > 0)
        {
            var e = stack.Peek();
            if (!e.MoveNext())
            {
                stack.Pop();
                continue;
            }

            if (e.Current is SyntaxToken token) yield return token;
            else if (e.Current is SyntaxNode node) stack.Push(node.Children().GetEnumerator());
        }
    }

    public IEnumerable<SyntaxNode> DescendantNodes()
    {
        var stack = new Stack<IEnumerator<SyntaxElement>>();
        stack.Push(Children().GetEnumerator());
        while (stack.Count > 0)
        {
            var e = stack.Peek();
            if (!e.MoveNext())
            {
                stack.Pop();
                continue;
            }

            if (e.Current is SyntaxNode node)
            {
                yield return node;
                stack.Push(node.Children().GetEnumerator());
            }
        }
    }

    internal static ImmutableArray<FieldSyntax> FieldsOf(IReadOnlyList<MemberSyntax> members)
    {
        // The parser hands over a FieldSyntax[] when every member is a field: the same array is both lists.
        if (members is FieldSyntax[] allFields) return ImmutableCollectionsMarshal.AsImmutableArray(allFields);
        var count = 0;
        for (var i = 0; i < members.Count; i++)
            if (members[i] is FieldSyntax) count++;
        if (count == 0) return [];
        var fields = new FieldSyntax[count];
        count = 0;
        for (var i = 0; i < members.Count; i++)
            if (members[i] is FieldSyntax f) fields[count++] = f;
        return ImmutableCollectionsMarshal.AsImmutableArray(fields);
    }

    protected void Adopt(SyntaxElement? child)
    {
        if (child is not null) child.Parent = this;
    }

    protected void Adopt<T>(IReadOnlyList<T> children) where T : SyntaxElement
    {
        for (var i = 0; i < children.Count; i++) children[i].Parent = this;
    }
}

/// <summary>A field or a run of skipped tokens: what a document or a message block contains.</summary>
public abstract class MemberSyntax(TokenTable table) : SyntaxNode(table);

public sealed class DocumentSyntax : SyntaxNode
{
    private readonly int _endOfFile;

    internal DocumentSyntax(TokenTable table, IReadOnlyList<MemberSyntax> members, int endOfFile) : base(table)
    {
        Members = members;
        _endOfFile = endOfFile;
        Adopt(members);
    }

    public override SyntaxKind Kind => SyntaxKind.Document;

    public IReadOnlyList<MemberSyntax> Members { get; }

    public SyntaxToken EndOfFile => Table.Token(_endOfFile, this);

    /// <summary>Offset of the end of the text (where the end-of-file token sits).</summary>
    public int EndOfFileStart => Table.Start(_endOfFile);

    /// <summary>The members that are fields (skipped tokens left out), in order.</summary>
    public ImmutableArray<FieldSyntax> Fields
    {
        get
        {
            if (_fields.IsDefault) _fields = FieldsOf(Members);
            return _fields;
        }
    }

    private ImmutableArray<FieldSyntax> _fields;

    public override IEnumerable<SyntaxElement> Children()
    {
        foreach (var m in Members) yield return m;
        yield return EndOfFile;
    }

    public override TextSpan FullSpan => TextSpan.FromBounds(Members.Count > 0 ? Members[0].FullSpan.Start : Table.FullStart(_endOfFile), Table.FullEnd(_endOfFile));

    internal override int FirstIndex() => Either(FirstIndexOf(Members), Present(_endOfFile));

    internal override int LastIndex() => Either(Present(_endOfFile), LastIndexOf(Members));

    internal override bool AnyToken(Func<int, SyntaxNode, bool> visit) => AnyIn(Members, visit) || visit(_endOfFile, this);
}

/// <summary><c>name: value</c>, <c>name { … }</c>, <c>name: [a, b]</c>, with an optional trailing ',' or ';'.</summary>
public sealed class FieldSyntax : MemberSyntax
{
    // A plain name is a token number; its IdentifierNameSyntax node is made when a feature asks for Name (the
    // analysis reads NameText and NameSpan), which saves a node per field. An extension name is a node from the start.
    private FieldNameSyntax? _name;
    private readonly int _nameToken;

    // Likewise a one-literal value right after a written ':' ("name: value", nearly every scalar field): the field
    // keeps its token (the one after the colon) and, for a string, its value number; the value node is made when a
    // feature asks for Value. The analysis reads such values through the field (ValueKind, StringValueId, TryGetScalar).
    // The ':' and the separator of such a field are the tokens around its value (a separator always follows the
    // value when there is one), so two numbers serve both shapes: the colon and separator of a field whose value is a
    // node, or the kept value (and InlineMark) of one whose value is not.
    private ValueSyntax? _value;
    private readonly int _a;
    private readonly int _b;

    private const int InlineMark = int.MinValue;

    private bool IsInline => _b == InlineMark;

    /// <summary>Of a field keeping its value: the string's value number, or -1 for a number or word.</summary>
    private int KeptValue => _a;

    private int ColonIndex => IsInline ? _nameToken + 1 : _a;

    private int ValueToken => _nameToken + 2; // of a field keeping its value

    private int SeparatorIndex => IsInline ? (Table.Kind(_nameToken + 3) is SyntaxKind.Comma or SyntaxKind.Semicolon ? _nameToken + 3 : -1) : _b;

    /// <summary>Position among all fields of its tree in parse order (the key of per-field tables); -1 outside a tree.</summary>
    public int Ordinal { get; internal set; } = -1;

    internal FieldSyntax(TokenTable table, int nameToken, ExtensionNameSyntax? extensionName, int colon, ValueSyntax value, int separator) : base(table)
    {
        _nameToken = extensionName is null ? nameToken : -1;
        _name = extensionName;
        _a = colon;
        _value = value;
        _b = separator;
        Adopt(extensionName);
        Adopt(value);
    }

    /// <summary>
    /// A field with a plain name, a written ':' right after it and a one-token value after that (then perhaps a
    /// separator): the value as -1 for a number or word, else the string's value number.
    /// </summary>
    internal FieldSyntax(TokenTable table, int nameToken, int inline) : base(table)
    {
        _nameToken = nameToken;
        _a = inline;
        _b = InlineMark;
    }

    public override SyntaxKind Kind => SyntaxKind.Field;

    public FieldNameSyntax Name
    {
        get
        {
            if (_name is { } name) return name;
            var made = new IdentifierNameSyntax(Table, _nameToken) { Parent = this };
            return Interlocked.CompareExchange(ref _name, made, null) ?? made;
        }
    }

    /// <summary>The field's name as the schema looks it up (<c>NameText</c> without making the name node).</summary>
    public string NameText => _nameToken >= 0 ? Table.Text(_nameToken) : _name!.Name;

    /// <summary>The span of the field's name (<c>Name.Span</c> without making the name node).</summary>
    public TextSpan NameSpan => _nameToken >= 0 ? Table.Span(_nameToken) : _name!.Span;

    /// <summary>True for a plain name (<c>kernel_size</c>), false for an extension name in brackets.</summary>
    public bool HasIdentifierName => _nameToken >= 0;

    /// <summary>The ':' if written (or a missing token where one was required), null where it was left out.</summary>
    public SyntaxToken? Colon => TokenOrNull(ColonIndex);

    /// <summary>True when the field has a ':' written or inserted as missing (<see cref="Colon"/> is not null).</summary>
    public bool HasColon => ColonIndex >= 0;

    /// <summary>True when the parser inserted a ':' the text lacks.</summary>
    public bool ColonIsMissing => ColonIndex >= 0 && Table.IsMissing(ColonIndex);

    public ValueSyntax Value
    {
        get
        {
            if (_value is { } value) return value;
            ValueSyntax made = KeptValue >= 0 ? new StringValueSyntax(Table, ValueToken, 1, KeptValue) : new ScalarValueSyntax(Table, -1, ValueToken);
            made.Parent = this;
            return Interlocked.CompareExchange(ref _value, made, null) ?? made;
        }
    }

    /// <summary>The kind of <see cref="Value"/>, without making the value node.</summary>
    public SyntaxKind ValueKind => !IsInline ? _value!.Kind : KeptValue >= 0 ? SyntaxKind.StringValue : SyntaxKind.ScalarValue;

    /// <summary>The value when it is a block (<c>name { … }</c>), else null.</summary>
    public MessageValueSyntax? Block => IsInline ? null : _value as MessageValueSyntax;

    /// <summary>The value number of a string value (<see cref="StringValueSyntax.ValueId"/>), -1 when the value is not a string.</summary>
    public int StringValueId => IsInline ? Math.Max(KeptValue, -1) : _value is StringValueSyntax s ? s.ValueId : -1;

    /// <summary>The decoded string value (<see cref="StringValueSyntax.Value"/>), null when the value is not a string.</summary>
    public string? StringValue => StringValueId is var id and >= 0 ? Table.ValueById(id) : null;

    /// <summary>
    /// When the value is a scalar (a number or a word, perhaps after '-'), its token and sign, without making the
    /// value node; false for any other value (and for a '-' with nothing after it).
    /// </summary>
    public bool TryGetScalar(out int token, out bool negative)
    {
        if (IsInline && KeptValue == -1)
        {
            token = ValueToken;
            negative = false;
            return true;
        }

        if (!IsInline && _value is ScalarValueSyntax { IsMissing: false } s)
        {
            token = s.TokenIndex;
            negative = s.IsNegative;
            return true;
        }

        token = -1;
        negative = false;
        return false;
    }

    /// <summary>True when the value is kept in the field until asked for (one token after a written ':').</summary>
    internal bool HasInlineValue => IsInline;

    public SyntaxToken? Separator => TokenOrNull(SeparatorIndex);

    public override IEnumerable<SyntaxElement> Children()
    {
        yield return Name;
        if (ColonIndex >= 0) yield return Colon!;
        yield return Value;
        if (SeparatorIndex >= 0) yield return Separator!;
    }

    private int ValueFullEnd => IsInline ? Table.FullEnd(ValueToken) : _value!.FullSpan.End;

    public override TextSpan FullSpan => TextSpan.FromBounds(_nameToken >= 0 ? Table.FullStart(_nameToken) : _name!.FullSpan.Start, SeparatorIndex >= 0 ? Table.FullEnd(SeparatorIndex) : ValueFullEnd);

    internal override int FirstIndex() => _nameToken >= 0 ? Present(_nameToken) : _name!.FirstIndex();

    internal override int LastIndex() => Either(Present(SeparatorIndex), Either(IsInline ? ValueToken : _value!.LastIndex(), Either(Present(ColonIndex), _nameToken >= 0 ? Present(_nameToken) : _name!.LastIndex())));

    internal override bool AnyToken(Func<int, SyntaxNode, bool> visit) =>
        Name.AnyToken(visit) || (ColonIndex >= 0 && visit(ColonIndex, this)) || Value.AnyToken(visit) || (SeparatorIndex >= 0 && visit(SeparatorIndex, this));
}

public abstract class FieldNameSyntax(TokenTable table) : SyntaxNode(table)
{
    /// <summary>The name as the schema looks it up: "kernel_size", or for extensions the text inside the brackets.</summary>
    public abstract string Name { get; }
}

public sealed class IdentifierNameSyntax : FieldNameSyntax
{
    private readonly int _identifier;

    internal IdentifierNameSyntax(TokenTable table, int identifier) : base(table)
    {
        _identifier = identifier;
    }

    public override SyntaxKind Kind => SyntaxKind.IdentifierName;

    public SyntaxToken Identifier => Table.Token(_identifier, this);

    public override string Name => Table.Text(_identifier);

    public override IEnumerable<SyntaxElement> Children()
    {
        yield return Identifier;
    }

    public override TextSpan FullSpan => Table.FullSpan(_identifier);

    internal override int FirstIndex() => Present(_identifier);

    internal override int LastIndex() => Present(_identifier);

    internal override bool AnyToken(Func<int, SyntaxNode, bool> visit) => visit(_identifier, this);
}

/// <summary><c>[pkg.ext_name]</c> or <c>[type.googleapis.com/pkg.Type]</c>.</summary>
public sealed class ExtensionNameSyntax : FieldNameSyntax
{
    private readonly int _open;
    private readonly int _firstPart;
    private readonly int _partCount;
    private readonly int _close;

    internal ExtensionNameSyntax(TokenTable table, int open, int firstPart, int partCount, int close) : base(table)
    {
        _open = open;
        _firstPart = firstPart;
        _partCount = partCount;
        _close = close;
    }

    public override SyntaxKind Kind => SyntaxKind.ExtensionName;

    public SyntaxToken Open => Table.Token(_open, this);

    public IReadOnlyList<SyntaxToken> Parts => Run(_firstPart, _partCount);

    public int PartCount => _partCount;

    public SyntaxToken Close => Table.Token(_close, this);

    public bool CloseIsMissing => Table.IsMissing(_close);

    public override string Name
    {
        get
        {
            if (field is not null) return field;
            var builder = new StringBuilder();
            for (var i = 0; i < _partCount; i++) builder.Append(Table.Text(_firstPart + i));
            return field = builder.ToString();
        }
    }

    public override IEnumerable<SyntaxElement> Children()
    {
        yield return Open;
        for (var i = 0; i < _partCount; i++) yield return Table.Token(_firstPart + i, this);
        yield return Close;
    }

    public override TextSpan FullSpan => TextSpan.FromBounds(Table.FullStart(_open), Table.FullEnd(_close));

    internal override int FirstIndex() => Either(Present(_open), Either(FirstInRun(_firstPart, _partCount), Present(_close)));

    internal override int LastIndex() => Either(Present(_close), Either(LastInRun(_firstPart, _partCount), Present(_open)));

    internal override bool AnyToken(Func<int, SyntaxNode, bool> visit) => visit(_open, this) || AnyInRun(_firstPart, _partCount, visit) || visit(_close, this);
}

public abstract class ValueSyntax(TokenTable table) : SyntaxNode(table);

/// <summary>A number, an identifier (enum value, bool, inf, nan), optionally preceded by '-'.</summary>
public sealed class ScalarValueSyntax : ValueSyntax
{
    private readonly int _minus;
    private readonly int _token;

    internal ScalarValueSyntax(TokenTable table, int minus, int token) : base(table)
    {
        _minus = minus;
        _token = token;
    }

    public override SyntaxKind Kind => SyntaxKind.ScalarValue;

    public SyntaxToken? Minus => TokenOrNull(_minus);

    public SyntaxToken Token => Table.Token(_token, this);

    /// <summary>The kind of the value's token (<see cref="Token"/> without making the token).</summary>
    public SyntaxKind TokenKind => Table.Kind(_token);

    /// <summary>The number of the value's token in the document's token table.</summary>
    internal int TokenIndex => _token;

    /// <summary>The text of the value's token, without the sign.</summary>
    public string TokenText => Table.Text(_token);

    /// <summary>The span of the value's token, without the sign.</summary>
    public TextSpan TokenSpan => Table.Span(_token);

    /// <summary>True when the value's token is missing ('-' with no number after it).</summary>
    public bool IsMissing => Table.IsMissing(_token);

    public bool IsNegative => _minus >= 0;

    /// <summary>The value's text as written, with the sign but without the space between '-' and the number.</summary>
    public string Text => _minus < 0 ? Table.Text(_token) : "-" + Table.Text(_token);

    public override IEnumerable<SyntaxElement> Children()
    {
        if (_minus >= 0) yield return Minus!;
        yield return Token;
    }

    public override TextSpan FullSpan => TextSpan.FromBounds(Table.FullStart(_minus >= 0 ? _minus : _token), Table.FullEnd(_token));

    internal override int FirstIndex() => Either(Present(_minus), Present(_token));

    internal override int LastIndex() => Either(Present(_token), Present(_minus));

    internal override bool AnyToken(Func<int, SyntaxNode, bool> visit) => (_minus >= 0 && visit(_minus, this)) || visit(_token, this);
}

/// <summary>One or more adjacent string literals, joined into one value.</summary>
public sealed class StringValueSyntax : ValueSyntax
{
    private readonly int _first;
    private readonly int _count;
    private readonly int _valueId;

    internal StringValueSyntax(TokenTable table, int first, int count, int valueId) : base(table)
    {
        _first = first;
        _count = count;
        _valueId = valueId;
    }

    public override SyntaxKind Kind => SyntaxKind.StringValue;

    /// <summary>The adjacent literals, in order (one in nearly every file; a new list on each call).</summary>
    public IReadOnlyList<SyntaxToken> Parts => Run(_first, _count);

    /// <summary>How many adjacent literals make the value.</summary>
    public int PartCount => _count;

    /// <summary>The decoded value (escapes resolved, parts joined). Bytes that are not valid UTF-8 become U+FFFD.</summary>
    public string Value => Table.ValueById(_valueId);

    /// <summary>
    /// The value's number among the document's texts: two string values of one document are equal exactly when their
    /// numbers are, so names can index arrays instead of being hashed (<see cref="Semantics.NameTable{T}"/>).
    /// </summary>
    public int ValueId => _valueId;

    public override IEnumerable<SyntaxElement> Children() => Parts;

    public override TextSpan FullSpan => _count == 0 ? default : TextSpan.FromBounds(Table.FullStart(_first), Table.FullEnd(_first + _count - 1));

    internal override int FirstIndex() => FirstInRun(_first, _count);

    internal override int LastIndex() => LastInRun(_first, _count);

    internal override bool AnyToken(Func<int, SyntaxNode, bool> visit) => AnyInRun(_first, _count, visit);
}

/// <summary><c>{ fields }</c> or <c>&lt; fields &gt;</c>.</summary>
public sealed class MessageValueSyntax : ValueSyntax
{
    private readonly int _open;
    private readonly int _close;

    /// <summary>Position among all blocks of its tree in parse order (the key of per-block tables); -1 outside a tree.</summary>
    public int Ordinal { get; internal set; } = -1;

    internal MessageValueSyntax(TokenTable table, int open, IReadOnlyList<MemberSyntax> members, int close) : base(table)
    {
        _open = open;
        Members = members;
        _close = close;
        Adopt(members);
    }

    public override SyntaxKind Kind => SyntaxKind.MessageValue;

    public SyntaxToken Open => Table.Token(_open, this);

    /// <summary>The span of the opening '{' or '&lt;'.</summary>
    public TextSpan OpenSpan => Table.Span(_open);

    public IReadOnlyList<MemberSyntax> Members { get; }

    public SyntaxToken Close => Table.Token(_close, this);

    /// <summary>
    /// The members that are fields (skipped tokens left out), in order. When every member is a field (all but blocks
    /// with errors) this is the members' own array; otherwise a new array on each call, so read it once.
    /// </summary>
    public ImmutableArray<FieldSyntax> Fields => FieldsOf(Members);

    /// <summary>The last field of that name, or null (a repeated scalar's last value wins, as in protobuf).</summary>
    public FieldSyntax? LastField(string name)
    {
        var fields = Fields;
        for (var i = fields.Length - 1; i >= 0; i--)
            if (fields[i].NameText == name) return fields[i];
        return null;
    }

    public override IEnumerable<SyntaxElement> Children()
    {
        yield return Open;
        foreach (var m in Members) yield return m;
        yield return Close;
    }

    public override TextSpan FullSpan => TextSpan.FromBounds(Table.FullStart(_open), Table.FullEnd(_close));

    internal override int FirstIndex() => Either(Present(_open), Either(FirstIndexOf(Members), Present(_close)));

    internal override int LastIndex() => Either(Present(_close), Either(LastIndexOf(Members), Present(_open)));

    internal override bool AnyToken(Func<int, SyntaxNode, bool> visit) => visit(_open, this) || AnyIn(Members, visit) || visit(_close, this);
}

/// <summary><c>[a, b, c]</c>: elements are values; commas and skipped tokens sit between them.</summary>
public sealed class ListValueSyntax : ValueSyntax
{
    private readonly int _open;
    private readonly int _close;

    internal ListValueSyntax(TokenTable table, int open, IReadOnlyList<SyntaxElement> elementsAndSeparators, int close) : base(table)
    {
        _open = open;
        ElementsAndSeparators = elementsAndSeparators;
        _close = close;
        Adopt(elementsAndSeparators);
    }

    public override SyntaxKind Kind => SyntaxKind.ListValue;

    public SyntaxToken Open => Table.Token(_open, this);

    public IReadOnlyList<SyntaxElement> ElementsAndSeparators { get; }

    public IEnumerable<ValueSyntax> Elements => ElementsAndSeparators.OfType<ValueSyntax>();

    public SyntaxToken Close => Table.Token(_close, this);

    public override IEnumerable<SyntaxElement> Children()
    {
        yield return Open;
        foreach (var e in ElementsAndSeparators) yield return e;
        yield return Close;
    }

    public override TextSpan FullSpan => TextSpan.FromBounds(Table.FullStart(_open), Table.FullEnd(_close));

    internal override int FirstIndex() => Either(Present(_open), Either(FirstIndexOf(ElementsAndSeparators), Present(_close)));

    internal override int LastIndex() => Either(Present(_close), Either(LastIndexOf(ElementsAndSeparators), Present(_open)));

    internal override bool AnyToken(Func<int, SyntaxNode, bool> visit) => visit(_open, this) || AnyIn(ElementsAndSeparators, visit) || visit(_close, this);
}

/// <summary>Where a value was expected and none was written: holds one zero-width missing token.</summary>
public sealed class MissingValueSyntax : ValueSyntax
{
    private readonly int _token;

    internal MissingValueSyntax(TokenTable table, int missing) : base(table)
    {
        _token = missing;
    }

    public override SyntaxKind Kind => SyntaxKind.MissingValue;

    public SyntaxToken Token => Table.Token(_token, this);

    public override IEnumerable<SyntaxElement> Children()
    {
        yield return Token;
    }

    public override TextSpan FullSpan => Table.FullSpan(_token);

    internal override int FirstIndex() => Present(_token);

    internal override int LastIndex() => Present(_token);

    internal override bool AnyToken(Func<int, SyntaxNode, bool> visit) => visit(_token, this);
}

/// <summary>Tokens the parser could not use, kept so the tree still reprints the text exactly.</summary>
public sealed class SkippedTokensSyntax : MemberSyntax
{
    private readonly int _first;
    private readonly int _count;

    internal SkippedTokensSyntax(TokenTable table, int first, int count) : base(table)
    {
        _first = first;
        _count = count;
    }

    public override SyntaxKind Kind => SyntaxKind.SkippedTokens;

    /// <summary>The skipped tokens in order (a new list on each call).</summary>
    public IReadOnlyList<SyntaxToken> Tokens => Run(_first, _count);

    public override IEnumerable<SyntaxElement> Children() => Tokens;

    public override TextSpan FullSpan => _count == 0 ? base.FullSpan : TextSpan.FromBounds(Table.FullStart(_first), Table.FullEnd(_first + _count - 1));

    internal override int FirstIndex() => FirstInRun(_first, _count);

    internal override int LastIndex() => LastInRun(_first, _count);

    internal override bool AnyToken(Func<int, SyntaxNode, bool> visit) => AnyInRun(_first, _count, visit);
}
