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
}

/// <param name="InsertText">Text to insert; for message fields a snippet with $0 at the cursor place.</param>
public sealed record CompletionItemInfo(string Label, CompletionKind Kind, string? Detail, string? Documentation, string InsertText, bool IsSnippet);

public sealed record CompletionResult(TextSpan ReplaceSpan, IReadOnlyList<CompletionItemInfo> Items);

/// <summary>Schema-aware completion: field names valid in the enclosing block, enum values and bools after ':'.</summary>
public static class Completion
{
    public static CompletionResult At(DocumentAnalysis analysis, int offset)
    {
        var root = analysis.Tree.Root;
        var tokens = root.DescendantTokens().Where(t => !t.IsMissing && t.Kind != SyntaxKind.EndOfFile).ToList();
        // The word being typed (an identifier that ends at or contains the cursor) is replaced by the item.
        var index = tokens.FindLastIndex(t => t.Span.Start < offset);
        var replace = new TextSpan(offset, 0);
        if (index >= 0 && tokens[index].Kind == SyntaxKind.Identifier && tokens[index].Span.End >= offset)
        {
            replace = TextSpan.FromBounds(tokens[index].Span.Start, offset);
            index--;
        }

        var previous = index >= 0 ? tokens[index] : null;
        if (previous is { Kind: SyntaxKind.Colon, Parent: FieldSyntax field } && analysis.Model.GetField(field) is { } info && !info.IsMessage)
            return new CompletionResult(replace, ValuesFor(info));

        var message = EnclosingMessage(analysis, previous, offset) ?? analysis.RootMessage;
        return new CompletionResult(replace, FieldsFor(analysis, message, offset));
    }

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
        return message.Fields
            .Where(f => f.IsRepeated || !set.Contains(f.Name))
            .Select(f => f.IsMessage
                ? new CompletionItemInfo(f.Name, CompletionKind.MessageField, f.TypeName, f.Doc, f.Name + " {\n\t$0\n}", true)
                : new CompletionItemInfo(f.Name, CompletionKind.Field, $"{f.Label.ToString().ToLowerInvariant()} {f.TypeDisplay}", f.Doc, f.Name + ": ", false))
            .ToList();
    }

    private static HashSet<string> SiblingFieldNames(DocumentAnalysis analysis, MessageInfo message, int offset)
    {
        IEnumerable<FieldSyntax> fields = analysis.Tree.Root.Fields;
        foreach (var block in analysis.Tree.Root.DescendantNodes().OfType<MessageValueSyntax>())
        {
            if (offset > block.Open.Span.Start && (block.Close.IsMissing || offset <= block.Close.Span.Start) && analysis.Model.GetMessage(block) == message)
                fields = block.Fields;
        }

        return fields.Where(f => !(f.Name.Span.Start <= offset && offset <= f.Name.Span.End)).Select(f => f.Name.Name).ToHashSet();
    }
}
