using System.Collections.Immutable;
using System.Runtime.InteropServices;
using System.Text;
using PrototxtLsp.Core.Text;

namespace PrototxtLsp.Core.Syntax;

/// <summary>An interior node. Accessors for optional parts return null when the part is absent.</summary>
public abstract class SyntaxNode : SyntaxElement
{
    /// <summary>Nodes are equal only to themselves. The hash is the runtime's identity hash, kept in the object header
    /// rather than in a field of every node: per-field and per-block tables are arrays indexed by ordinal, so nodes
    /// rarely key a dictionary, and four bytes less puts identifier, string and scalar nodes in a smaller size class.</summary>
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
            var first = FirstToken();
            var last = LastToken();
            if (first is null || last is null) return new TextSpan(FullSpan.Start, 0);
            return TextSpan.FromBounds(first.Start, Math.Max(first.Start, last.Start + last.Text.Length));
        }
    }

    /// <summary>The first token with text (not missing), or null.</summary>
    public virtual SyntaxToken? FirstToken()
    {
        foreach (var child in Children())
        {
            if (child is SyntaxToken token)
            {
                if (!token.IsMissing) return token;
            }
            else if (((SyntaxNode)child).FirstToken() is { } first)
            {
                return first;
            }
        }

        return null;
    }

    /// <summary>The last token with text (not missing), or null.</summary>
    public virtual SyntaxToken? LastToken()
    {
        SyntaxToken? last = null;
        foreach (var child in Children())
        {
            if (child is SyntaxToken token)
            {
                if (!token.IsMissing) last = token;
            }
            else if (((SyntaxNode)child).LastToken() is { } childLast)
            {
                last = childLast;
            }
        }

        return last;
    }

    /// <summary>The element's last token with text, for structural overrides.</summary>
    private protected static SyntaxToken? LastOf(SyntaxElement? element) => element switch
    {
        null => null,
        SyntaxToken t => t.IsMissing ? null : t,
        SyntaxNode n => n.LastToken(),
        _ => null,
    };

    /// <summary>The last token with text among elements, searched from the end.</summary>
    private protected static SyntaxToken? LastOf<T>(IReadOnlyList<T> elements) where T : SyntaxElement
    {
        for (var i = elements.Count - 1; i >= 0; i--)
            if (LastOf(elements[i]) is { } t) return t;
        return null;
    }

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
public abstract class MemberSyntax : SyntaxNode;

public sealed class DocumentSyntax : SyntaxNode
{
    public DocumentSyntax(IReadOnlyList<MemberSyntax> members, SyntaxToken endOfFile)
    {
        Members = members;
        EndOfFile = endOfFile;
        Adopt(members);
        Adopt(endOfFile);
    }

    public override SyntaxKind Kind => SyntaxKind.Document;

    public IReadOnlyList<MemberSyntax> Members { get; }

    public SyntaxToken EndOfFile { get; }

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

    public override TextSpan FullSpan => TextSpan.FromBounds(Members.Count > 0 ? Members[0].FullSpan.Start : EndOfFile.FullSpan.Start, EndOfFile.FullSpan.End);
}

/// <summary><c>name: value</c>, <c>name { … }</c>, <c>name: [a, b]</c>, with an optional trailing ',' or ';'.</summary>
public sealed class FieldSyntax : MemberSyntax
{
    /// <summary>Position among all fields of its tree in parse order (the key of per-field tables); -1 outside a tree.</summary>
    public int Ordinal { get; internal set; } = -1;

    public FieldSyntax(FieldNameSyntax name, SyntaxToken? colon, ValueSyntax value, SyntaxToken? separator)
    {
        Name = name;
        Colon = colon;
        Value = value;
        Separator = separator;
        Adopt(name);
        Adopt(colon);
        Adopt(value);
        Adopt(separator);
    }

    public override SyntaxKind Kind => SyntaxKind.Field;

    public FieldNameSyntax Name { get; }

    /// <summary>The ':' if written (or a missing token where one was required), null where it was left out.</summary>
    public SyntaxToken? Colon { get; }

    public ValueSyntax Value { get; }

    public SyntaxToken? Separator { get; }

    public override IEnumerable<SyntaxElement> Children()
    {
        yield return Name;
        if (Colon is not null) yield return Colon;
        yield return Value;
        if (Separator is not null) yield return Separator;
    }

    public override TextSpan FullSpan => TextSpan.FromBounds(Name.FullSpan.Start, Separator?.FullSpan.End ?? Value.FullSpan.End);

    public override SyntaxToken? FirstToken() => Name.FirstToken();

    public override SyntaxToken? LastToken() => LastOf(Separator) ?? Value.LastToken() ?? LastOf(Colon) ?? Name.LastToken();
}

public abstract class FieldNameSyntax : SyntaxNode
{
    /// <summary>The name as the schema looks it up: "kernel_size", or for extensions the text inside the brackets.</summary>
    public abstract string Name { get; }
}

public sealed class IdentifierNameSyntax : FieldNameSyntax
{
    public IdentifierNameSyntax(SyntaxToken identifier)
    {
        Identifier = identifier;
        Adopt(identifier);
    }

    public override SyntaxKind Kind => SyntaxKind.IdentifierName;

    public SyntaxToken Identifier { get; }

    public override string Name => Identifier.Text;

    public override IEnumerable<SyntaxElement> Children()
    {
        yield return Identifier;
    }

    public override TextSpan FullSpan => Identifier.FullSpan;

    public override SyntaxToken? FirstToken() => LastOf(Identifier);

    public override SyntaxToken? LastToken() => LastOf(Identifier);
}

/// <summary><c>[pkg.ext_name]</c> or <c>[type.googleapis.com/pkg.Type]</c>.</summary>
public sealed class ExtensionNameSyntax : FieldNameSyntax
{
    public ExtensionNameSyntax(SyntaxToken open, IReadOnlyList<SyntaxToken> parts, SyntaxToken close)
    {
        Open = open;
        Parts = parts;
        Close = close;
        Adopt(open);
        Adopt(parts);
        Adopt(close);
    }

    public override SyntaxKind Kind => SyntaxKind.ExtensionName;

    public SyntaxToken Open { get; }

    public IReadOnlyList<SyntaxToken> Parts { get; }

    public SyntaxToken Close { get; }

    public override string Name => field ??= string.Concat(Parts.Select(p => p.Text));

    public override IEnumerable<SyntaxElement> Children()
    {
        yield return Open;
        foreach (var p in Parts) yield return p;
        yield return Close;
    }

    public override TextSpan FullSpan => TextSpan.FromBounds(Open.FullSpan.Start, Close.FullSpan.End);

    public override SyntaxToken? FirstToken() => LastOf(Open) ?? base.FirstToken();

    public override SyntaxToken? LastToken() => LastOf(Close) ?? LastOf(Parts) ?? LastOf(Open);
}

public abstract class ValueSyntax : SyntaxNode;

/// <summary>A number, an identifier (enum value, bool, inf, nan), optionally preceded by '-'.</summary>
public sealed class ScalarValueSyntax : ValueSyntax
{
    public ScalarValueSyntax(SyntaxToken? minus, SyntaxToken token)
    {
        Minus = minus;
        Token = token;
        Adopt(minus);
        Adopt(token);
    }

    public override SyntaxKind Kind => SyntaxKind.ScalarValue;

    public SyntaxToken? Minus { get; }

    public SyntaxToken Token { get; }

    public bool IsNegative => Minus is not null;

    /// <summary>The value's text as written, with the sign but without the space between '-' and the number.</summary>
    public string Text => Minus is null ? Token.Text : "-" + Token.Text;

    public override IEnumerable<SyntaxElement> Children()
    {
        if (Minus is not null) yield return Minus;
        yield return Token;
    }

    public override TextSpan FullSpan => TextSpan.FromBounds((Minus ?? Token).FullSpan.Start, Token.FullSpan.End);

    public override SyntaxToken? FirstToken() => LastOf(Minus) ?? LastOf(Token);

    public override SyntaxToken? LastToken() => LastOf(Token) ?? LastOf(Minus);
}

/// <summary>One or more adjacent string literals, joined into one value.</summary>
public sealed class StringValueSyntax : ValueSyntax
{
    // The one literal itself (the usual case: no list object per value), or the list of parts.
    private object _parts;
    private string? _value;

    public StringValueSyntax(IReadOnlyList<SyntaxToken> parts)
    {
        _parts = parts.Count == 1 ? parts[0] : parts;
        Adopt(parts);
    }

    /// <summary>One literal whose value is already known (a plain literal, decoded by the parser into a shared string).</summary>
    internal StringValueSyntax(SyntaxToken literal, string? value)
    {
        _parts = literal;
        _value = value;
        Adopt(literal);
    }

    public override SyntaxKind Kind => SyntaxKind.StringValue;

    /// <summary>The adjacent literals, in order (one in nearly every file).</summary>
    public IReadOnlyList<SyntaxToken> Parts => _parts as IReadOnlyList<SyntaxToken> ?? (IReadOnlyList<SyntaxToken>)(_parts = new[] { (SyntaxToken)_parts });

    private SyntaxToken? Single => _parts as SyntaxToken ?? (_parts is SyntaxToken[] { Length: 1 } one ? one[0] : null);

    /// <summary>The decoded value (escapes resolved, parts joined). Bytes that are not valid UTF-8 become U+FFFD.</summary>
    public string Value => _value ??= Single is { } single ? StringLiteral.Decode(single.Text) : string.Concat(Parts.Select(p => StringLiteral.Decode(p.Text)));

    public override IEnumerable<SyntaxElement> Children() => Parts;

    public override TextSpan FullSpan => Single is { } single ? single.FullSpan : Parts.Count == 0 ? default : TextSpan.FromBounds(Parts[0].FullSpan.Start, Parts[^1].FullSpan.End);

    public override SyntaxToken? FirstToken()
    {
        if (Single is { } single) return single.IsMissing ? null : single;
        var parts = Parts;
        for (var i = 0; i < parts.Count; i++)
            if (!parts[i].IsMissing) return parts[i];
        return null;
    }

    public override SyntaxToken? LastToken() => Single is { } single ? LastOf(single) : LastOf(Parts);
}

/// <summary><c>{ fields }</c> or <c>&lt; fields &gt;</c>.</summary>
public sealed class MessageValueSyntax : ValueSyntax
{
    /// <summary>Position among all blocks of its tree in parse order (the key of per-block tables); -1 outside a tree.</summary>
    public int Ordinal { get; internal set; } = -1;

    public MessageValueSyntax(SyntaxToken open, IReadOnlyList<MemberSyntax> members, SyntaxToken close)
    {
        Open = open;
        Members = members;
        Close = close;
        Adopt(open);
        Adopt(members);
        Adopt(close);
    }

    public override SyntaxKind Kind => SyntaxKind.MessageValue;

    public SyntaxToken Open { get; }

    public IReadOnlyList<MemberSyntax> Members { get; }

    public SyntaxToken Close { get; }

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

    /// <summary>The last field of that name, or null (a repeated scalar's last value wins, as in protobuf).</summary>
    public FieldSyntax? LastField(string name)
    {
        var fields = Fields;
        for (var i = fields.Length - 1; i >= 0; i--)
            if (fields[i].Name.Name == name) return fields[i];
        return null;
    }

    public override IEnumerable<SyntaxElement> Children()
    {
        yield return Open;
        foreach (var m in Members) yield return m;
        yield return Close;
    }

    public override TextSpan FullSpan => TextSpan.FromBounds(Open.FullSpan.Start, Close.FullSpan.End);

    public override SyntaxToken? FirstToken() => LastOf(Open) ?? base.FirstToken();

    public override SyntaxToken? LastToken() => LastOf(Close) ?? LastOf(Members) ?? LastOf(Open);
}

/// <summary><c>[a, b, c]</c>: elements are values; commas and skipped tokens sit between them.</summary>
public sealed class ListValueSyntax : ValueSyntax
{
    public ListValueSyntax(SyntaxToken open, IReadOnlyList<SyntaxElement> elementsAndSeparators, SyntaxToken close)
    {
        Open = open;
        ElementsAndSeparators = elementsAndSeparators;
        Close = close;
        Adopt(open);
        Adopt(elementsAndSeparators);
        Adopt(close);
    }

    public override SyntaxKind Kind => SyntaxKind.ListValue;

    public SyntaxToken Open { get; }

    public IReadOnlyList<SyntaxElement> ElementsAndSeparators { get; }

    public IEnumerable<ValueSyntax> Elements => ElementsAndSeparators.OfType<ValueSyntax>();

    public SyntaxToken Close { get; }

    public override IEnumerable<SyntaxElement> Children()
    {
        yield return Open;
        foreach (var e in ElementsAndSeparators) yield return e;
        yield return Close;
    }

    public override TextSpan FullSpan => TextSpan.FromBounds(Open.FullSpan.Start, Close.FullSpan.End);

    public override SyntaxToken? FirstToken() => LastOf(Open) ?? base.FirstToken();

    public override SyntaxToken? LastToken() => LastOf(Close) ?? LastOf(ElementsAndSeparators) ?? LastOf(Open);
}

/// <summary>Where a value was expected and none was written: holds one zero-width missing token.</summary>
public sealed class MissingValueSyntax : ValueSyntax
{
    public MissingValueSyntax(SyntaxToken missing)
    {
        Token = missing;
        Adopt(missing);
    }

    public override SyntaxKind Kind => SyntaxKind.MissingValue;

    public SyntaxToken Token { get; }

    public override IEnumerable<SyntaxElement> Children()
    {
        yield return Token;
    }

    public override TextSpan FullSpan => Token.FullSpan;

    public override SyntaxToken? FirstToken() => LastOf(Token);

    public override SyntaxToken? LastToken() => LastOf(Token);
}

/// <summary>Tokens the parser could not use, kept so the tree still reprints the text exactly.</summary>
public sealed class SkippedTokensSyntax : MemberSyntax
{
    public SkippedTokensSyntax(IReadOnlyList<SyntaxToken> tokens)
    {
        Tokens = tokens;
        Adopt(tokens);
    }

    public override SyntaxKind Kind => SyntaxKind.SkippedTokens;

    public IReadOnlyList<SyntaxToken> Tokens { get; }

    public override IEnumerable<SyntaxElement> Children() => Tokens;

    public override TextSpan FullSpan => Tokens.Count == 0 ? base.FullSpan : TextSpan.FromBounds(Tokens[0].FullSpan.Start, Tokens[^1].FullSpan.End);

    public override SyntaxToken? FirstToken()
    {
        for (var i = 0; i < Tokens.Count; i++)
            if (!Tokens[i].IsMissing) return Tokens[i];
        return null;
    }

    public override SyntaxToken? LastToken() => LastOf(Tokens);
}
