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
                return info is null ? null : new HoverInfo(token.Span, FieldMarkdown(info) + SchemaLine(analysis));
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
                if (analysis.BlobAt(str.Span.Start) is var (net, reference))
                    return new HoverInfo(str.Span, BlobMarkdown(analysis, net, reference));
                if (info.Name == "name" && analysis.LayerAt(str.Span.Start) is var (layerNet, layer) && layer.NameValue == str)
                    return new HoverInfo(str.Span, ShapeHints.LayerMarkdown(layerNet, layer));
                return null;
            }
            case MessageValueSyntax block when token == block.Open || token == block.Close:
            {
                var message = model.GetMessage(block);
                return message is null ? null : new HoverInfo(token.Span, MessageMarkdown(message) + SchemaLine(analysis));
            }
            default:
                return null;
        }
    }

    /// <summary>Which schema the file is bound to, as the last line of schema hovers.</summary>
    private static string SchemaLine(DocumentAnalysis analysis) => $"\n---\nSchema: {analysis.Options.SchemaDescription}\n";

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
    /// A blob from the net graph: the states it exists in, its writers (first producer, then in-place writers) and
    /// readers in file order, each with the states it exists in when not all; for the occurrence under the cursor,
    /// which write it reads.
    /// </summary>
    public static string BlobMarkdown(DocumentAnalysis analysis, NetGraph net, BlobReference at)
    {
        var lines = analysis.Text.Lines;
        var refs = net.ReferencesNamed(at.Name).ToList();
        string Where(BlobReference r) => r.Layer is { } l
            ? $"`{l.DisplayName}` ({l.TypeName ?? l.TypeText ?? "?"}, line {lines.GetPosition(l.Field.Span.Start).Line + 1}){net.StateSuffix(net.StatesOf(l))}"
            : $"net input (line {lines.GetPosition(r.Span.Start).Line + 1})";

        var sb = new StringBuilder();
        sb.Append("**blob** `").Append(at.Name).Append("`");
        var shapeSource = at.IsTop ? at : net.ProducersOf(at).FirstOrDefault();
        if (shapeSource is not null && net.ShapesOf(shapeSource) is { Count: > 0 } shapes) sb.Append(" · ").Append(ShapeHints.Describe(net, shapes));
        sb.Append("\n\n");
        var producers = refs.Where(r => r.IsTop).ToList();
        var existsIn = net.States.Where(s => producers.Any(p => p.Layer is null || p.Layer.IsIncludedIn(s))).ToList();
        if (existsIn.Count > 0 && existsIn.Count < net.States.Count) sb.Append("Exists in ").Append(string.Join("; ", existsIn.Select(s => s.Describe()))).Append(".\n\n");
        if (!at.IsTop && net.ProducersOf(at) is { Count: > 0 } from)
            sb.Append("Here it is read from ").Append(string.Join(" or ", from.Select(Where))).Append(".\n\n");
        if (producers.Count > 0)
            sb.Append("Written by:\n").AppendJoin("", producers.Select(p => "- " + Where(p) + (p.Layer is not null && net.PreviousProducersOf(p).Count > 0 ? " in place" : "") + "\n")).Append('\n');
        var readers = refs.Where(r => !r.IsTop && !(r.Layer?.Tops.Any(t => t.Name == at.Name) ?? false)).ToList();
        if (readers.Count > 0) sb.Append("Read by:\n").AppendJoin("", readers.Select(r => "- " + Where(r) + "\n")).Append('\n');
        if (producers.Count == 0) sb.Append("No layer produces this blob.\n");
        else if (!refs.Any(r => !r.IsTop)) sb.Append("No layer reads it: it is an output of the net.\n");
        return sb.ToString().TrimEnd() + "\n";
    }

    private static string? StringField(MessageValueSyntax block, string name) =>
        block.Fields.Where(f => f.NameText == name).Select(f => (f.Value as StringValueSyntax)?.Value).FirstOrDefault(v => v is not null);

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
