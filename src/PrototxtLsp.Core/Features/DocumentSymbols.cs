using PrototxtLsp.Core.Semantics;
using PrototxtLsp.Core.Syntax;
using PrototxtLsp.Core.Text;

namespace PrototxtLsp.Core.Features;

public enum SymbolKindInfo
{
    Layer,
    Block,
    Field,
    /// <summary>A net-level <c>input: "data"</c>: named by the blob.</summary>
    Input,
}

public sealed record DocumentSymbolInfo(string Name, string? Detail, SymbolKindInfo Kind, TextSpan Span, TextSpan SelectionSpan, IReadOnlyList<DocumentSymbolInfo> Children);

/// <summary>The outline: each layer named by its `name` with `type: bottoms → tops`, its blocks as children.</summary>
public static class DocumentSymbols
{
    public static IReadOnlyList<DocumentSymbolInfo> Get(DocumentAnalysis analysis) =>
        analysis.Tree.Root.Fields.Select(FromField).ToList();

    private static DocumentSymbolInfo FromField(FieldSyntax field)
    {
        var name = field.NameText;
        if (field.Value is MessageValueSyntax block)
        {
            var children = block.Fields.Where(f => f.Value is MessageValueSyntax).Select(FromField).ToList();
            if (name is "layer" or "layers")
            {
                var layerName = StringOf(block, "name");
                var type = StringOf(block, "type") ?? ScalarOf(block, "type");
                var bottoms = block.Fields.Where(f => f.NameText == "bottom").Select(f => StringValue(f.Value)).OfType<string>().ToList();
                var tops = block.Fields.Where(f => f.NameText == "top").Select(f => StringValue(f.Value)).OfType<string>().ToList();
                var detail = $"{type ?? "?"}: {string.Join(", ", bottoms)} → {string.Join(", ", tops)}";
                var nameValue = block.Fields.FirstOrDefault(f => f.NameText == "name")?.Value;
                // LSP requires the selection inside the range: a half-typed `name` has a missing value placed after the field.
                var selection = nameValue is not null and not MissingValueSyntax && field.Span.Contains(nameValue.Span) ? nameValue.Span : field.NameSpan;
                return new DocumentSymbolInfo(layerName ?? $"({name} without a name)", detail, SymbolKindInfo.Layer, field.Span, selection, children);
            }

            return new DocumentSymbolInfo(name, null, SymbolKindInfo.Block, field.Span, field.NameSpan, children);
        }

        if (name == "input" && field.Parent is DocumentSyntax && field.Value is StringValueSyntax input)
            return new DocumentSymbolInfo(input.Value, "net input", SymbolKindInfo.Input, field.Span, input.Span, []);

        var valueText = field.Value switch
        {
            StringValueSyntax s => "\"" + s.Value + "\"",
            ScalarValueSyntax s => s.Text,
            ListValueSyntax l => "[…]",
            _ => null,
        };
        return new DocumentSymbolInfo(name, valueText, SymbolKindInfo.Field, field.Span, field.NameSpan, []);
    }

    private static string? StringOf(MessageValueSyntax block, string field) =>
        block.Fields.Where(f => f.NameText == field).Select(f => StringValue(f.Value)).FirstOrDefault(v => v is not null);

    private static string? ScalarOf(MessageValueSyntax block, string field) =>
        block.Fields.Where(f => f.NameText == field).Select(f => (f.Value as ScalarValueSyntax)?.Text).FirstOrDefault(v => v is not null);

    private static string? StringValue(ValueSyntax value) => value is StringValueSyntax s ? s.Value : null;
}
