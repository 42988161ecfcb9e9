using System.Text;
using PrototxtLsp.Core.Schema;
using PrototxtLsp.Core.Semantics;
using PrototxtLsp.Core.Syntax;
using PrototxtLsp.Core.Text;

namespace PrototxtLsp.Core.Features;

public sealed record HoverInfo(TextSpan Span, string Markdown);

/// <summary>Hover documentation from the schema: fields, enum values and message blocks.</summary>
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
                return value is null ? null : new HoverInfo(scalar.Span, EnumValueMarkdown(info, value));
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
