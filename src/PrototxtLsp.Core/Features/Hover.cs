using System.Text;
using PrototxtLsp.Core.Schema;
using PrototxtLsp.Core.Semantics;
using PrototxtLsp.Core.Syntax;
using PrototxtLsp.Core.Text;

namespace PrototxtLsp.Core.Features;

public sealed record HoverInfo(TextSpan Span, string Markdown);

/// <summary>
/// Hover documentation: fields, enum values and message blocks from the schema; layer types from the layer catalog;
/// blob names with the layers that produce and consume them.
/// </summary>
public static class Hover
{
    public static HoverInfo? At(DocumentAnalysis analysis, int offset)
    {
        var token = SyntaxQuery.TokenAt(analysis.Tree.Root, offset);
        if (token is null) return null;
        var model = analysis.Model;
        switch (token.Parent)
        {
            case IdentifierNameSyntax { Parent: FieldSyntax field }:
            {
                var info = model.GetField(field);
                return info is null ? null : new HoverInfo(token.Span, FieldMarkdown(info));
            }
            case ScalarValueSyntax scalar:
            {
                var field = SyntaxQuery.EnclosingField(scalar);
                var info = field is null ? null : model.GetField(field);
                if (info?.EnumType is null) return null;
                var value = scalar.Token.Kind == SyntaxKind.Identifier
                    ? info.EnumType.FindValue(scalar.Token.Text)
                    : long.TryParse(scalar.Text, out var n) ? info.EnumType.FindValue(n) : null;
                if (value is null) return null;
                // A V1 layer's `type: CONVOLUTION`: the enum value, then what the layer computes.
                if (info.Name == "type" && info.ContainingType.Name == "V1LayerParameter" && LayerCatalog.FindByV1Name(value.Name) is { } v1)
                    return new HoverInfo(scalar.Span, LayerTypeMarkdown(v1) + "\n---\n" + EnumValueMarkdown(info, value));
                return new HoverInfo(scalar.Span, EnumValueMarkdown(info, value));
            }
            case StringValueSyntax str when SyntaxQuery.EnclosingField(str) is { } field && model.GetField(field) is { } info:
            {
                if (info.ContainingType.Name == "LayerParameter" && info.Name == "type")
                    return LayerCatalog.Find(str.Value) is { } type ? new HoverInfo(str.Span, LayerTypeMarkdown(type)) : null;
                if (info.ContainingType.Name is "LayerParameter" or "V1LayerParameter" && info.Name is "bottom" or "top" ||
                    info.ContainingType.Name == "NetParameter" && info.Name == "input")
                    return new HoverInfo(str.Span, BlobMarkdown(analysis, str.Value));
                return null;
            }
            case MessageValueSyntax block when token == block.Open || token == block.Close:
            {
                var message = model.GetMessage(block);
                return message is null ? null : new HoverInfo(token.Span, MessageMarkdown(message));
            }
            default:
                return null;
        }
    }

    public static string LayerTypeMarkdown(LayerTypeInfo type)
    {
        var sb = new StringBuilder();
        sb.Append("**").Append(type.Name).Append("** layer · ").Append(type.Category).Append("\n\n");
        sb.Append(type.Summary).Append("\n\n").Append(type.Documentation).Append("\n\n");
        sb.Append("- bottoms: ").Append(type.Bottoms.Describe()).Append('\n');
        sb.Append("- tops: ").Append(type.EqualBottomTopCount ? "one per bottom" : type.Tops.Describe()).Append('\n');
        if (type.CountVariant is { } v)
            sb.Append("- with ").Append(v.Condition).Append(": bottoms ").Append(v.Bottoms.Describe()).Append(", tops ").Append(v.Tops.Describe()).Append('\n');
        if (!type.AllowsInPlace) sb.Append("- in-place use (top = bottom) is not allowed\n");
        if (type.ParamFields.Count > 0) sb.Append("- reads: ").Append(string.Join(", ", type.ParamFields.Select(p => $"`{p}`"))).Append('\n');
        if (type.V1EnumName is not null) sb.Append("- V1 format: `").Append(type.V1EnumName).Append("`\n");
        if (!type.IsRegistered) sb.Append("\n**Not registered**: Caffe refuses this type in a net.\n");
        return sb.ToString();
    }

    /// <summary>
    /// A blob: the layers that write it (the first producer, then in-place writers) and the layers that read it, in
    /// file order. Include/exclude rules are not applied yet, so TRAIN- and TEST-only layers are both listed.
    /// </summary>
    public static string BlobMarkdown(DocumentAnalysis analysis, string blob)
    {
        var writers = new List<string>();
        var readers = new List<string>();
        var inputs = 0;
        var read = false;
        var lines = analysis.Text.Lines;
        foreach (var f in analysis.Tree.Root.Fields)
        {
            if (f.Name.Name == "input" && f.Value is StringValueSyntax i && i.Value == blob) inputs++;
            if (f.Name.Name is not ("layer" or "layers") || f.Value is not MessageValueSyntax layer) continue;
            var name = StringField(layer, "name") ?? "(unnamed)";
            var type = StringField(layer, "type") ?? layer.Fields.Where(x => x.Name.Name == "type").Select(x => (x.Value as ScalarValueSyntax)?.Text).FirstOrDefault() ?? "?";
            var where = $"`{name}` ({type}, line {lines.GetPosition(f.Span.Start).Line + 1})";
            var reads = layer.Fields.Any(x => x.Name.Name == "bottom" && x.Value is StringValueSyntax b && b.Value == blob);
            var writes = layer.Fields.Any(x => x.Name.Name == "top" && x.Value is StringValueSyntax t && t.Value == blob);
            read |= reads;
            if (writes) writers.Add(reads ? where + " in place" : where);
            else if (reads) readers.Add(where);
        }

        var sb = new StringBuilder();
        sb.Append("**blob** `").Append(blob).Append("`\n\n");
        if (inputs > 0) sb.Append("Net input (`input:`).\n\n");
        if (writers.Count > 0) sb.Append("Written by:\n").AppendJoin("", writers.Select(w => "- " + w + "\n")).Append('\n');
        if (readers.Count > 0) sb.Append("Read by:\n").AppendJoin("", readers.Select(r => "- " + r + "\n")).Append('\n');
        if (writers.Count == 0 && inputs == 0) sb.Append("No layer produces this blob.\n");
        else if (!read) sb.Append("No layer reads it: it is an output of the net.\n");
        return sb.ToString().TrimEnd() + "\n";
    }

    private static string? StringField(MessageValueSyntax block, string name) =>
        block.Fields.Where(f => f.Name.Name == name).Select(f => (f.Value as StringValueSyntax)?.Value).FirstOrDefault(v => v is not null);

    public static string FieldMarkdown(FieldInfo field)
    {
        var sb = new StringBuilder();
        sb.Append("```proto\n")
            .Append(field.Label.ToString().ToLowerInvariant()).Append(' ')
            .Append(field.TypeName ?? field.Type.ToString().ToLowerInvariant()).Append(' ')
            .Append(field.Name).Append(" = ").Append(field.Number);
        if (field.DefaultValue is not null)
            sb.Append(" [default = ").Append(field.Type == FieldType.String ? $"\"{field.DefaultValue}\"" : field.DefaultValue).Append(']');
        sb.Append(";\n```\n");
        sb.Append("Field of `").Append(field.ContainingType.FullName).Append('`');
        if (field.IsDeprecated) sb.Append(" · **deprecated**");
        sb.Append("\n\n");
        if (field.Doc is not null) sb.Append(field.Doc).Append("\n\n");
        if (field.EnumType is { } e) sb.Append("Values: ").Append(string.Join(", ", e.Values.Select(v => $"`{v.Name}`"))).Append("\n\n");
        if (field.MessageType is { Doc: not null } m) sb.Append("---\n`").Append(m.FullName).Append("`: ").Append(FirstParagraph(m.Doc)).Append('\n');
        return sb.ToString().TrimEnd() + "\n";
    }

    public static string EnumValueMarkdown(FieldInfo field, EnumValueInfo value)
    {
        var sb = new StringBuilder();
        sb.Append("```proto\n").Append(value.Name).Append(" = ").Append(value.Number).Append(";\n```\n");
        sb.Append("Value of `").Append(value.Enum.FullName).Append("` (field `").Append(field.Name).Append("`)\n\n");
        if (value.Doc is not null) sb.Append(value.Doc).Append("\n\n");
        var others = value.Enum.Values.Where(v => v != value).ToList();
        if (others.Count > 0)
        {
            sb.Append("Alternatives:\n");
            foreach (var o in others) sb.Append("- `").Append(o.Name).Append("`").Append(o.Doc is null ? "" : " — " + FirstParagraph(o.Doc)).Append('\n');
        }

        return sb.ToString().TrimEnd() + "\n";
    }

    public static string MessageMarkdown(MessageInfo message)
    {
        var sb = new StringBuilder();
        sb.Append("```proto\nmessage ").Append(message.FullName).Append("\n```\n");
        if (message.Doc is not null) sb.Append(message.Doc).Append('\n');
        return sb.ToString();
    }

    private static string FirstParagraph(string doc)
    {
        var i = doc.IndexOf("\n\n", StringComparison.Ordinal);
        return (i < 0 ? doc : doc[..i]).Replace('\n', ' ');
    }
}
