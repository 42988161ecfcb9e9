using System.Runtime.CompilerServices;
using PrototxtLsp.Core.Diagnostics;
using PrototxtLsp.Core.Schema;
using PrototxtLsp.Core.Syntax;
using PrototxtLsp.Core.Text;

namespace PrototxtLsp.Core.Semantics;

/// <summary>
/// Binds a syntax tree to a schema: every field name to its <see cref="FieldInfo"/>, every block to its
/// <see cref="MessageInfo"/>, and checks each value against its field the way protobuf's text parser does —
/// but reports every problem instead of stopping at the first.
/// </summary>
public sealed class SchemaBinder
{
    private readonly List<Diagnostic> _diagnostics = new();
    // What each field and block means, indexed by their ordinals in the tree (no hashing, 8 bytes per node).
    private readonly FieldInfo?[] _fields;
    private readonly MessageInfo?[] _blocks;

    private const int RecentSlots = 256;
    private readonly RecentField[] _recent = new RecentField[RecentSlots];

    private readonly record struct RecentField(MessageInfo? Message, string? Name, FieldInfo? Info);

    private SchemaBinder(SyntaxTree tree)
    {
        _fields = new FieldInfo?[tree.Fields.Count];
        _blocks = new MessageInfo?[tree.Blocks.Count];
    }

    public static SemanticModel Bind(SyntaxTree tree, ProtoSchema schema, MessageInfo root)
    {
        var binder = new SchemaBinder(tree);
        binder.BindMembers(tree.Root.Members, root, ownerSpan: FirstTokenSpan(tree));
        return new SemanticModel(tree, schema, root, binder._fields, binder._blocks, binder._diagnostics);
    }

    /// <summary>What the full check of <see cref="BindValue"/> reports for one field's value (for the tests of <see cref="InlineValueIsValid"/>).</summary>
    internal static IReadOnlyList<Diagnostic> FullValueCheck(SyntaxTree tree, FieldSyntax field, FieldInfo info)
    {
        var binder = new SchemaBinder(tree);
        binder.BindValue(field, info, field.Value);
        return binder._diagnostics;
    }

    private static TextSpan FirstTokenSpan(SyntaxTree tree) =>
        tree.Root.FirstIndex() is >= 0 and var first ? tree.Tokens.Span(first) : new TextSpan(tree.Root.EndOfFileStart, 0);

    private void BindMembers(IReadOnlyList<MemberSyntax> members, MessageInfo message, TextSpan ownerSpan)
    {
        // Non-repeated fields seen so far in this block, for duplicates and required fields. Blocks are small, so a
        // linear scan of a list reused per nesting depth beats a dictionary per block; big blocks get an index too.
        var seen = RentSeen();
        Dictionary<FieldInfo, FieldSyntax>? seenIndex = null;
        Dictionary<string, (FieldInfo Info, FieldSyntax Field)>? oneofs = null;
        var ahead = members.Count >= Prefetch.LongBlock;
        for (var m = 0; m < members.Count; m++)
        {
            if (ahead && m + Prefetch.Distance < members.Count) Prefetch.Before(members[m + Prefetch.Distance], Prefetch.LayerSyntaxLines);
            if (members[m] is not FieldSyntax field) continue;
            var info = ResolveField(field, message);
            if (info is null) continue;
            _fields[field.Ordinal] = info;
            if (info.Oneof is { } oneof)
            {
                oneofs ??= new Dictionary<string, (FieldInfo, FieldSyntax)>(StringComparer.Ordinal);
                if (oneofs.TryGetValue(oneof, out var other) && other.Info != info)
                    _diagnostics.Add(DiagnosticCatalog.OneofConflict(field.NameSpan, info.Name, other.Info.Name, oneof, other.Field.NameSpan));
                else
                    oneofs.TryAdd(oneof, (info, field));
            }

            if (!info.IsRepeated)
            {
                var first = Find(seen, seenIndex, info);
                if (first is not null)
                {
                    _diagnostics.Add(DiagnosticCatalog.Duplicate(field.NameSpan, info.Name, first.NameSpan));
                }
                else
                {
                    seen.Add((info, field));
                    if (seenIndex is not null) seenIndex[info] = field;
                    else if (seen.Count > 16) seenIndex = seen.ToDictionary(x => x.Info, x => x.Field);
                }
            }

            // A value kept in its field (one literal after ':') is checked there; only one with something to report
            // is made into a node and checked below, where the messages are.
            if (field.HasInlineValue && InlineValueIsValid(field, info)) continue;
            BindValue(field, info, field.Value);
        }

        if (message.RequiredFields.Count > 0) CheckRequired(message, ownerSpan, seen, seenIndex);
        ReturnSeen(seen);
    }

    // Apart from BindMembers so that its locals are not captured by a closure allocated on every block.
    private void CheckRequired(MessageInfo message, TextSpan ownerSpan, List<(FieldInfo Info, FieldSyntax Field)> seen, Dictionary<FieldInfo, FieldSyntax>? seenIndex)
    {
        var missing = new List<string>();
        foreach (var f in message.RequiredFields)
            if (Find(seen, seenIndex, f) is null) missing.Add(f.Name);
        if (missing.Count > 0) _diagnostics.Add(DiagnosticCatalog.RequiredMissing(ownerSpan, message.FullName, missing));
    }

    private static FieldSyntax? Find(List<(FieldInfo Info, FieldSyntax Field)> seen, Dictionary<FieldInfo, FieldSyntax>? index, FieldInfo info)
    {
        if (index is not null) return index.GetValueOrDefault(info);
        foreach (var (i, f) in seen)
            if (ReferenceEquals(i, info)) return f;
        return null;
    }

    private readonly Stack<List<(FieldInfo Info, FieldSyntax Field)>> _seenPool = new();

    private List<(FieldInfo Info, FieldSyntax Field)> RentSeen() => _seenPool.TryPop(out var list) ? list : new();

    private void ReturnSeen(List<(FieldInfo Info, FieldSyntax Field)> list)
    {
        list.Clear();
        _seenPool.Push(list);
    }

    private FieldInfo? ResolveField(FieldSyntax field, MessageInfo message)
    {
        if (field.HasIdentifierName)
        {
            // The parser makes a plain name only from an identifier it read, so it is never missing.
            var name = field.NameText;
            // Names are one shared string per distinct text in a document, so a cache by reference answers the
            // repeats ("name", "bottom", "num_output" in every layer) without hashing the text.
            var slot = (RuntimeHelpers.GetHashCode(name) * 31 + RuntimeHelpers.GetHashCode(message)) & (RecentSlots - 1);
            ref var recent = ref _recent[slot];
            if (ReferenceEquals(recent.Name, name) && ReferenceEquals(recent.Message, message)) return recent.Info;
            if (IsNonAscii(name)) return null;
            var info = message.FindField(name);
            if (info is null) ReportUnknownField(name, field.NameSpan, message);
            else recent = new RecentField(message, name, info);
            return info;
        }

        if (field.Name is ExtensionNameSyntax { PartCount: > 0, CloseIsMissing: false } ext)
        {
            if (message.FindExtension(ext.Name) is { } extension) return extension;
            _diagnostics.Add(DiagnosticCatalog.UnknownExtension(ext.Span, message.FullName, ext.Name));
        }

        return null;
    }

    private void ReportUnknownField(string name, TextSpan span, MessageInfo message)
    {
        var suggestion = Suggestions.Best(name, message.Fields.Select(f => f.Name));
        // "kernel_size" written directly in a layer: name the blocks that do have it.
        var belongsIn = suggestion is null
            ? message.Fields.Where(f => f.IsMessage && f.MessageType?.FindField(name) is not null).Select(f => f.Name).ToList()
            : [];
        _diagnostics.Add(DiagnosticCatalog.UnknownFieldIn(span, message.FullName, name, suggestion, belongsIn));
    }

    /// <summary>
    /// True when a one-literal value kept in its field (<see cref="FieldSyntax.HasInlineValue"/>) is one
    /// <see cref="CheckScalar"/> accepts without a word; false sends it through <see cref="BindValue"/>, which reports.
    /// Only the common accepted cases answer true here; anything unusual takes the full path.
    /// </summary>
    internal static bool InlineValueIsValid(FieldSyntax field, FieldInfo info)
    {
        if (info.IsMessage) return false;
        if (field.StringValueId >= 0) return info.Type is FieldType.String or FieldType.Bytes;
        if (!field.TryGetScalar(out var token, out var negative) || negative) return false;
        var table = field.Table;
        var kind = table.Kind(token);
        var text = table.Text(token);
        switch (info.Type)
        {
            case FieldType.String or FieldType.Bytes:
                return false;
            case FieldType.Bool:
                return kind == SyntaxKind.Identifier
                    ? text is "true" or "True" or "t" or "false" or "False" or "f"
                    : kind == SyntaxKind.IntegerLiteral && NumberLiteral.TryParseUnsigned(text, out var b) == NumberLiteral.IntegerParse.Ok && b <= 1;
            case FieldType.Enum:
                return kind == SyntaxKind.Identifier && info.EnumType?.FindValue(text) is not null;
            case FieldType.Float or FieldType.Double:
                return kind == SyntaxKind.FloatLiteral || (kind == SyntaxKind.IntegerLiteral && NumberLiteral.IsDecimal(text));
            default:
                return kind == SyntaxKind.IntegerLiteral && NumberLiteral.TryParseUnsigned(text, out var magnitude) == NumberLiteral.IntegerParse.Ok
                    && magnitude <= MaxMagnitude(info.Type, negative: false);
        }
    }

    private void BindValue(FieldSyntax field, FieldInfo info, ValueSyntax value)
    {
        switch (value)
        {
            case MissingValueSyntax:
                return;
            case ListValueSyntax list:
                if (!info.IsRepeated)
                {
                    _diagnostics.Add(DiagnosticCatalog.WrongKind(list.Open.Span,
                        $"'{info.Name}' is not repeated, so it takes one value, not a list '[…]'; write '{info.Name}: value'."));
                    return;
                }

                if (!field.HasColon && !info.IsMessage)
                {
                    _diagnostics.Add(DiagnosticCatalog.ColonExpected(new TextSpan(field.NameSpan.End, 0), info.Name));
                }

                foreach (var element in list.Elements) BindElement(field, info, element);
                return;
            default:
                BindElement(field, info, value);
                return;
        }
    }

    private void BindElement(FieldSyntax field, FieldInfo info, ValueSyntax value)
    {
        if (value is MessageValueSyntax block)
        {
            if (info.IsMessage && info.MessageType is not null)
            {
                _blocks[block.Ordinal] = info.MessageType;
                BindMembers(block.Members, info.MessageType, field.NameSpan);
            }
            else
            {
                _diagnostics.Add(DiagnosticCatalog.WrongKind(block.OpenSpan,
                    $"'{info.Name}' is a {info.TypeDisplay} field, not a message: write '{info.Name}: {Example(info)}' instead of a block."));
            }

            return;
        }

        if (info.IsMessage)
        {
            // A scalar without ':' was already reported as a missing colon; one error per typo.
            if (field.ColonIsMissing) return;
            _diagnostics.Add(DiagnosticCatalog.WrongKind(value.Span,
                $"'{info.Name}' is a message ({info.TypeName}), so it takes a block: write '{info.Name} {{ … }}'."));
            return;
        }

        CheckScalar(info, value);
    }

    private void CheckScalar(FieldInfo info, ValueSyntax value)
    {
        if (value is ScalarValueSyntax { TokenKind: SyntaxKind.Identifier } word && IsNonAscii(word.TokenText)) return; // reported by the lexer
        if (info.Type is FieldType.String or FieldType.Bytes)
        {
            if (value is not StringValueSyntax)
                Wrong(value, info, $"'{info.Name}' takes a string in quotes, e.g. {info.Name}: \"{(value is ScalarValueSyntax s ? s.Text : "…")}\"; found {Describe(value)}.");
            return;
        }

        if (value is StringValueSyntax)
        {
            Wrong(value, info, $"'{info.Name}' takes {KindPhrase(info)}, not a quoted string; write {info.Name}: {Example(info)}.");
            return;
        }

        if (value is not ScalarValueSyntax scalar || scalar.IsMissing) return;
        switch (info.Type)
        {
            case FieldType.Bool:
                if (scalar.IsNegative || scalar.TokenKind == SyntaxKind.FloatLiteral)
                {
                    Wrong(value, info, $"'{info.Name}' is a bool: write true or false; found {scalar.Text}.");
                }
                else if (scalar.TokenKind == SyntaxKind.Identifier)
                {
                    if (scalar.TokenText is not ("true" or "True" or "t" or "false" or "False" or "f"))
                        Wrong(value, info, $"'{scalar.TokenText}' is not a bool value; write true or false (protobuf also reads True, False, t, f, 1 and 0).");
                }
                else if (NumberLiteral.TryParseUnsigned(scalar.TokenText, out var b) != NumberLiteral.IntegerParse.Malformed && b > 1)
                {
                    Wrong(value, info, $"'{info.Name}' is a bool: write true or false (or 1 or 0); found {scalar.TokenText}.");
                }

                return;

            case FieldType.Enum:
                CheckEnum(info, scalar);
                return;

            case FieldType.Float or FieldType.Double:
                if (scalar.TokenKind == SyntaxKind.Identifier && !NumberLiteral.IsFloatKeyword(scalar.TokenText))
                    Wrong(value, info, $"'{info.Name}' takes a number; found '{scalar.TokenText}'{(info.ContainingType.FindField(scalar.TokenText) is not null ? " (is a ':' or value missing?)" : "")}.");
                else if (scalar.TokenKind == SyntaxKind.IntegerLiteral && !NumberLiteral.IsDecimal(scalar.TokenText)
                         && NumberLiteral.TryParseUnsigned(scalar.TokenText, out _) != NumberLiteral.IntegerParse.Malformed)
                    Wrong(value, info, $"'{info.Name}' is a {info.TypeDisplay}: write it in decimal; '{scalar.TokenText}' is read as hex or octal, which float fields do not accept.");
                return;

            default:
                CheckInteger(info, scalar);
                return;
        }
    }

    private void CheckInteger(FieldInfo info, ScalarValueSyntax scalar)
    {
        if (scalar.TokenKind != SyntaxKind.IntegerLiteral)
        {
            Wrong(scalar, info, scalar.TokenKind == SyntaxKind.FloatLiteral
                ? $"'{info.Name}' is an integer ({info.TypeDisplay}); found {scalar.Text}. Write a whole number without '.', exponent or 'f'."
                : $"'{info.Name}' is an integer ({info.TypeDisplay}); found '{scalar.TokenText}'.");
            return;
        }

        var parse = NumberLiteral.TryParseUnsigned(scalar.TokenText, out var magnitude);
        if (parse == NumberLiteral.IntegerParse.Malformed) return; // reported by the lexer
        var (signed, bits) = IntegerKind(info.Type);
        var range = signed
            ? bits == 32 ? "-2147483648 to 2147483647" : "-9223372036854775808 to 9223372036854775807"
            : bits == 32 ? "0 to 4294967295" : "0 to 18446744073709551615";
        // Only for a report: the type's name was once made for every integer value (a boxed enum and two strings each).
        string TypeName() => info.Type.ToString().ToLowerInvariant();
        if (!signed && scalar.IsNegative)
        {
            _diagnostics.Add(DiagnosticCatalog.OutOfRange(scalar.Span, info.Name, TypeName(), scalar.Text, range + "; it cannot be negative"));
            return;
        }

        if (parse == NumberLiteral.IntegerParse.Overflow || magnitude > MaxMagnitude(info.Type, scalar.IsNegative))
            _diagnostics.Add(DiagnosticCatalog.OutOfRange(scalar.Span, info.Name, TypeName(), scalar.Text, range));
    }

    private static (bool Signed, int Bits) IntegerKind(FieldType type) => type switch
    {
        FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => (true, 32),
        FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => (true, 64),
        FieldType.UInt32 or FieldType.Fixed32 => (false, 32),
        _ => (false, 64),
    };

    /// <summary>The largest magnitude an integer field of the type takes with that sign (a negative unsigned value is reported before).</summary>
    private static ulong MaxMagnitude(FieldType type, bool negative) => IntegerKind(type) switch
    {
        (true, 32) => (ulong)int.MaxValue + (negative ? 1UL : 0UL),
        (true, _) => (ulong)long.MaxValue + (negative ? 1UL : 0UL),
        (false, 32) => uint.MaxValue,
        _ => ulong.MaxValue,
    };

    private void CheckEnum(FieldInfo info, ScalarValueSyntax scalar)
    {
        var enumType = info.EnumType;
        if (enumType is null) return;
        if (scalar.TokenKind == SyntaxKind.Identifier && IsNonAscii(scalar.TokenText)) return; // reported by the lexer
        var names = enumType.Values.Select(v => v.Name);
        if (scalar.TokenKind == SyntaxKind.Identifier && !scalar.IsNegative)
        {
            if (enumType.FindValue(scalar.TokenText) is null)
                _diagnostics.Add(DiagnosticCatalog.UnknownEnum(scalar.Span, info.Name, enumType.FullName, scalar.TokenText, names, Suggestions.Best(scalar.TokenText, names)));
            return;
        }

        if (scalar.TokenKind != SyntaxKind.IntegerLiteral)
        {
            Wrong(scalar, info, $"'{info.Name}' takes a {enumType.FullName} value: one of {string.Join(", ", names)}; found {scalar.Text}.");
            return;
        }

        var parse = NumberLiteral.TryParseUnsigned(scalar.TokenText, out var magnitude);
        if (parse == NumberLiteral.IntegerParse.Malformed) return;
        var known = parse == NumberLiteral.IntegerParse.Ok && magnitude <= int.MaxValue + 1UL
            && enumType.FindValue(scalar.IsNegative ? -(long)magnitude : (long)magnitude) is not null;
        if (!known)
            _diagnostics.Add(DiagnosticCatalog.UnknownEnum(scalar.Span, info.Name, enumType.FullName, scalar.Text,
                enumType.Values.Select(v => $"{v.Name} ({v.Number})"), null));
    }

    private static bool IsNonAscii(string text) => !System.Text.Ascii.IsValid(text);

    private void Wrong(ValueSyntax value, FieldInfo info, string message) =>
        _diagnostics.Add(DiagnosticCatalog.WrongKind(value.Span, message));

    private static string Describe(ValueSyntax value) => value switch
    {
        ScalarValueSyntax s when s.TokenKind == SyntaxKind.Identifier => $"the bare word '{s.Text}'",
        ScalarValueSyntax s => $"the number {s.Text}",
        _ => "a value",
    };

    private static string KindPhrase(FieldInfo info) => info.Type switch
    {
        FieldType.Bool => "a bool (true or false)",
        FieldType.Enum => $"an enum value ({info.TypeName})",
        FieldType.Float or FieldType.Double => "a number",
        _ => $"an integer ({info.TypeDisplay})",
    };

    private static string Example(FieldInfo info) => info.Type switch
    {
        FieldType.Bool => "true",
        FieldType.Enum => info.EnumType?.Values.FirstOrDefault()?.Name ?? "VALUE",
        FieldType.Float or FieldType.Double => "0.5",
        FieldType.String or FieldType.Bytes => "\"…\"",
        _ => "1",
    };
}
