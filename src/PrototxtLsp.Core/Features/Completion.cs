using PrototxtLsp.Core.Schema;
using PrototxtLsp.Core.Semantics;
using PrototxtLsp.Core.Syntax;
using PrototxtLsp.Core.Text;

namespace PrototxtLsp.Core.Features;

public enum CompletionKind
{
    Field,
    MessageField,
    EnumValue,
    Keyword,
    /// <summary>A layer type string after <c>type:</c>.</summary>
    LayerType,
    /// <summary>A blob name after <c>bottom:</c> or <c>top:</c>.</summary>
    Blob,
    /// <summary>A larger template, such as a whole new layer.</summary>
    Snippet,
}

/// <param name="InsertText">Text to insert; for message fields a snippet with $0 at the cursor place.</param>
public sealed record CompletionItemInfo(string Label, CompletionKind Kind, string? Detail, string? Documentation, string InsertText, bool IsSnippet)
{
    /// <summary>The text the client matches what was typed against, when it differs from the label (quoted strings).</summary>
    public string? FilterText { get; init; }

    /// <summary>Orders items when the label order is not the right one (nearest blob first).</summary>
    public string? SortText { get; init; }
}

public sealed record CompletionResult(TextSpan ReplaceSpan, IReadOnlyList<CompletionItemInfo> Items);

/// <summary>
/// Schema-aware completion: field names valid in the enclosing block (and a whole-layer snippet at the top of a net),
/// enum values and bools after ':', layer type strings after a layer's <c>type:</c>, blob names after
/// <c>bottom:</c> (tops of earlier layers and net inputs, nearest first) and <c>top:</c> (in-place or the layer's name).
/// </summary>
public static class Completion
{
    public static CompletionResult At(DocumentAnalysis analysis, int offset)
    {
        var tree = analysis.Tree;
        var tokens = tree.Tokens; // lexed tokens: none missing, end of file last (never indexed below)
        // The word being typed (an identifier that ends at or contains the cursor) is replaced by the item.
        var index = tree.LastTokenStartingBefore(offset);
        var replace = new TextSpan(offset, 0);
        if (index >= 0 && tokens.Kind(index) == SyntaxKind.Identifier && tokens.End(index) >= offset)
        {
            replace = TextSpan.FromBounds(tokens.Start(index), offset);
            index--;
        }

        // Inside a string being typed (`type: "Con|`): the whole literal is replaced.
        if (index >= 0 && tokens.Kind(index) == SyntaxKind.StringLiteral && replace.IsEmpty && tokens.End(index) >= offset && !IsClosedBefore(tokens.Text(index), tokens.End(index), offset))
        {
            var literal = tree.TokenAt(index);
            if (literal.Parent is StringValueSyntax { Parent: FieldSyntax stringField } value && value.PartCount == 1 && analysis.Model.GetField(stringField) is { } stringInfo)
                return new CompletionResult(literal.Span, StringValuesFor(analysis, stringField, stringInfo, literal.Span.Start));
            return new CompletionResult(replace, []);
        }

        var previous = index >= 0 ? tree.TokenAt(index) : null;
        if (previous is { Kind: SyntaxKind.Colon, Parent: FieldSyntax sField } && analysis.Model.GetField(sField) is { Type: FieldType.String } sInfo)
            return new CompletionResult(replace, StringValuesFor(analysis, sField, sInfo, offset).Select(i => i with { FilterText = null }).ToList());
        if (previous is { Kind: SyntaxKind.Colon, Parent: FieldSyntax field } && analysis.Model.GetField(field) is { } info && !info.IsMessage)
            return new CompletionResult(replace, ValuesFor(info));

        var message = EnclosingMessage(analysis, previous, offset) ?? analysis.RootMessage;
        return new CompletionResult(replace, FieldsFor(analysis, message, offset));
    }

    private static bool IsClosedBefore(string text, int end, int offset) =>
        offset >= end && text.Length >= 2 && text[^1] == text[0] && text[^2] != '\\';

    /// <summary>Layer types for a layer's <c>type</c>, blob names for <c>bottom</c> and <c>top</c>.</summary>
    private static List<CompletionItemInfo> StringValuesFor(DocumentAnalysis analysis, FieldSyntax field, FieldInfo info, int offset)
    {
        if (info.ContainingType.Name != "LayerParameter") return [];
        switch (info.Name)
        {
            case "type":
                return LayerCatalog.All.Where(t => t.IsRegistered).Select(t => new CompletionItemInfo(t.Name, CompletionKind.LayerType, t.Summary, t.Documentation, Quote(t.Name), false)
                {
                    FilterText = Quote(t.Name),
                }).ToList();
            case "bottom":
            {
                var items = new List<CompletionItemInfo>();
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var (blob, detail) in BlobsBefore(analysis, field.Span.Start))
                {
                    if (!seen.Add(blob)) continue;
                    items.Add(new CompletionItemInfo(blob, CompletionKind.Blob, detail, null, Quote(blob), false)
                    {
                        FilterText = Quote(blob),
                        SortText = items.Count.ToString("D5", System.Globalization.CultureInfo.InvariantCulture),
                    });
                }

                return items;
            }
            case "top":
            {
                var layer = field.Parent as MessageValueSyntax;
                var names = new List<(string Blob, string Detail)>();
                if (layer is not null)
                {
                    foreach (var b in layer.Fields.Where(f => f.NameText == "bottom" && f.Value is StringValueSyntax))
                        names.Add((((StringValueSyntax)b.Value).Value, "in place: the same blob as this layer's bottom"));
                    foreach (var n in layer.Fields.Where(f => f.NameText == "name" && f.Value is StringValueSyntax))
                        names.Add((((StringValueSyntax)n.Value).Value, "the layer's own name"));
                }

                return names.Where(n => n.Blob.Length > 0).DistinctBy(n => n.Blob).Select((n, i) => new CompletionItemInfo(n.Blob, CompletionKind.Blob, n.Detail, null, Quote(n.Blob), false)
                {
                    FilterText = Quote(n.Blob),
                    SortText = i.ToString("D5", System.Globalization.CultureInfo.InvariantCulture),
                }).ToList();
            }
            default:
                return [];
        }
    }

    /// <summary>Blobs available to a layer starting at <paramref name="position"/>: net inputs, then tops of earlier layers, nearest first.</summary>
    private static List<(string Blob, string Detail)> BlobsBefore(DocumentAnalysis analysis, int position)
    {
        var found = new List<(string, string)>();
        var root = analysis.Tree.Root;
        foreach (var f in root.Fields)
        {
            if (f.Span.Start >= position && !f.Span.Contains(position)) break;
            if (f.NameText == "input" && f.Value is StringValueSyntax input) found.Add((input.Value, "net input"));
            if (f.NameText is "layer" or "layers" && f.Value is MessageValueSyntax layer)
            {
                var inside = layer.Span.Contains(position);
                var name = layer.Fields.Where(x => x.NameText == "name").Select(x => (x.Value as StringValueSyntax)?.Value).FirstOrDefault() ?? "?";
                var type = layer.Fields.Where(x => x.NameText == "type").Select(x => x.Value is StringValueSyntax s ? s.Value : (x.Value as ScalarValueSyntax)?.Text).FirstOrDefault() ?? "?";
                if (!inside)
                {
                    foreach (var t in layer.Fields.Where(x => x.NameText == "top" && x.Value is StringValueSyntax))
                        found.Add((((StringValueSyntax)t.Value).Value, $"top of layer '{name}' ({type})"));
                }
            }
        }

        found.Reverse();
        return found.Where(b => b.Item1.Length > 0).ToList();
    }

    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    private static List<CompletionItemInfo> ValuesFor(FieldInfo field)
    {
        if (field.EnumType is { } e)
            return e.Values.Select(v => new CompletionItemInfo(v.Name, CompletionKind.EnumValue, $"{e.FullName} = {v.Number}", v.Doc, v.Name, false)).ToList();
        if (field.Type == FieldType.Bool)
            return [new("true", CompletionKind.Keyword, "bool", null, "true", false), new("false", CompletionKind.Keyword, "bool", null, "false", false)];
        return [];
    }

    private static MessageInfo? EnclosingMessage(DocumentAnalysis analysis, SyntaxToken? previous, int offset)
    {
        if (previous is null) return null;
        foreach (var node in previous.Ancestors().Prepend(previous.Parent!))
        {
            if (node is MessageValueSyntax block && offset > block.Open.Span.Start && (block.Close.IsMissing || offset <= block.Close.Span.Start))
                return analysis.Model.GetMessage(block);
        }

        return null;
    }

    private static List<CompletionItemInfo> FieldsFor(DocumentAnalysis analysis, MessageInfo message, int offset)
    {
        // Non-repeated fields already set in this block are not offered again.
        var set = SiblingFieldNames(analysis, message, offset);
        var items = message.Fields
            .Where(f => f.IsRepeated || !set.Contains(f.Name))
            .Select(f => f.IsMessage
                ? new CompletionItemInfo(f.Name, CompletionKind.MessageField, f.TypeName, f.Doc, f.Name + " {\n\t$0\n}", true)
                : new CompletionItemInfo(f.Name, CompletionKind.Field, $"{f.Label.ToString().ToLowerInvariant()} {f.TypeDisplay}", f.Doc, f.Name + ": ", false))
            .ToList();
        if (message.FullName == "caffe.NetParameter")
        {
            var previousTop = BlobsBefore(analysis, offset).Select(b => b.Blob).FirstOrDefault() ?? "data";
            items.Add(new CompletionItemInfo("layer", CompletionKind.Snippet, "new layer: name, type, bottom, top",
                "A complete `layer` block. Tab moves through the name, the type, the bottom (the latest top so far) and the top.",
                "layer {\n\tname: \"${1:name}\"\n\ttype: \"${2:Convolution}\"\n\tbottom: \"${3:" + EscapeSnippet(previousTop) + "}\"\n\ttop: \"${4:$1}\"\n\t$0\n}", true)
            {
                SortText = "layer~",
            });
        }

        return items;
    }

    /// <summary>Text for inside a quoted string in a snippet: string escapes first, then the snippet's own.</summary>
    private static string EscapeSnippet(string text)
    {
        var quoted = Quote(text)[1..^1];
        return quoted.Replace("\\", "\\\\").Replace("$", "\\$").Replace("}", "\\}");
    }

    private static HashSet<string> SiblingFieldNames(DocumentAnalysis analysis, MessageInfo message, int offset)
    {
        IEnumerable<FieldSyntax> fields = analysis.Tree.Root.Fields;
        foreach (var block in analysis.Tree.Root.DescendantNodes().OfType<MessageValueSyntax>())
        {
            if (offset > block.Open.Span.Start && (block.Close.IsMissing || offset <= block.Close.Span.Start) && analysis.Model.GetMessage(block) == message)
                fields = block.Fields;
        }

        return fields.Where(f => !(f.NameSpan.Start <= offset && offset <= f.NameSpan.End)).Select(f => f.NameText).ToHashSet();
    }
}
