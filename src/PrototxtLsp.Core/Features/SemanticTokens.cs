using PrototxtLsp.Core.Semantics;
using PrototxtLsp.Core.Syntax;
using PrototxtLsp.Core.Text;

namespace PrototxtLsp.Core.Features;

/// <summary>What a token is, for colouring. The server maps these onto the LSP's standard token types.</summary>
public enum SemanticTokenKind
{
    /// <summary>A field name (<c>kernel_size</c>).</summary>
    Field,
    /// <summary>An enum constant (<c>MAX</c>, <c>CAFFE</c>, <c>TRAIN</c>).</summary>
    EnumMember,
    /// <summary><c>true</c>/<c>false</c> and their spellings.</summary>
    Keyword,
    /// <summary>The value of a layer's <c>name</c>.</summary>
    LayerName,
    /// <summary>A blob name in <c>bottom</c>, <c>top</c> or a net-level <c>input</c>.</summary>
    Blob,
    /// <summary>A layer's <c>type</c> (<c>"Convolution"</c>, or the V1 enum <c>CONVOLUTION</c>).</summary>
    LayerType,
    Number,
    String,
    Comment,
}

[Flags]
public enum SemanticTokenModifiers
{
    None = 0,
    /// <summary>Where a name is introduced: a layer's name, a <c>top</c>, a net <c>input</c>.</summary>
    Declaration = 1,
    /// <summary>A field the schema or its documentation marks as deprecated.</summary>
    Deprecated = 2,
}

/// <summary>One single-line token to colour.</summary>
public readonly record struct SemanticToken(TextSpan Span, SemanticTokenKind Kind, SemanticTokenModifiers Modifiers);

public static class SemanticTokens
{
    /// <summary>Tokens in document order; with <paramref name="range"/>, only those that overlap it.</summary>
    public static IReadOnlyList<SemanticToken> Get(DocumentAnalysis analysis, TextSpan? range = null)
    {
        var result = new List<SemanticToken>();
        var model = analysis.Model;
        foreach (var token in analysis.Tree.Root.DescendantTokens())
        {
            if (range is { } r && (token.FullSpan.End < r.Start || token.FullSpan.Start > r.End)) continue;
            var comments = token.HasComments;
            if (comments) AddComments(token.LeadingTrivia, result);
            if (!token.IsMissing && token.Text.Length > 0 && Classify(token, model) is { } c) result.Add(new SemanticToken(token.Span, c.Kind, c.Modifiers));
            if (comments) AddComments(token.TrailingTrivia, result);
        }

        if (range is { } rr) result.RemoveAll(t => t.Span.End < rr.Start || t.Span.Start > rr.End);
        return result;
    }

    private static void AddComments(IReadOnlyList<SyntaxTrivia> trivia, List<SemanticToken> result)
    {
        foreach (var t in trivia)
            if (t.Kind == SyntaxKind.Comment) result.Add(new SemanticToken(t.Span, SemanticTokenKind.Comment, SemanticTokenModifiers.None));
    }

    private static (SemanticTokenKind Kind, SemanticTokenModifiers Modifiers)? Classify(SyntaxToken token, SemanticModel model)
    {
        switch (token.Parent)
        {
            case IdentifierNameSyntax { Parent: FieldSyntax field }:
            {
                var info = model.GetField(field);
                return (SemanticTokenKind.Field, info?.IsDeprecated == true ? SemanticTokenModifiers.Deprecated : SemanticTokenModifiers.None);
            }
            case ExtensionNameSyntax when token.Kind == SyntaxKind.Identifier:
                return (SemanticTokenKind.Field, SemanticTokenModifiers.None);
            case StringValueSyntax str:
                return ClassifyString(str, model);
            case ScalarValueSyntax scalar when token == scalar.Token:
                return ClassifyScalar(scalar, model);
            case ScalarValueSyntax:
                return (SemanticTokenKind.Number, SemanticTokenModifiers.None); // the '-'
            default:
                return null;
        }
    }

    private static (SemanticTokenKind, SemanticTokenModifiers) ClassifyString(StringValueSyntax str, SemanticModel model)
    {
        var field = SyntaxQuery.EnclosingField(str);
        var owner = field?.Parent is MessageValueSyntax block ? SyntaxQuery.EnclosingField(block) : null;
        var inLayer = owner?.NameText is "layer" or "layers";
        var atRoot = field?.Parent is DocumentSyntax;
        return field?.NameText switch
        {
            "name" when inLayer => (SemanticTokenKind.LayerName, SemanticTokenModifiers.Declaration),
            "type" when inLayer => (SemanticTokenKind.LayerType, SemanticTokenModifiers.None),
            "bottom" when inLayer => (SemanticTokenKind.Blob, SemanticTokenModifiers.None),
            "top" when inLayer => (SemanticTokenKind.Blob, SemanticTokenModifiers.Declaration),
            "input" when atRoot && model.RootMessage.Name == "NetParameter" => (SemanticTokenKind.Blob, SemanticTokenModifiers.Declaration),
            _ => (SemanticTokenKind.String, SemanticTokenModifiers.None),
        };
    }

    private static (SemanticTokenKind, SemanticTokenModifiers) ClassifyScalar(ScalarValueSyntax scalar, SemanticModel model)
    {
        if (scalar.Token.Kind != SyntaxKind.Identifier) return (SemanticTokenKind.Number, SemanticTokenModifiers.None);
        var field = SyntaxQuery.EnclosingField(scalar);
        var info = field is null ? null : model.GetField(field);
        if (info?.EnumType is not null)
        {
            var inV1Layer = field!.NameText == "type" && field.Parent is MessageValueSyntax b && SyntaxQuery.EnclosingField(b)?.NameText == "layers";
            return (inV1Layer ? SemanticTokenKind.LayerType : SemanticTokenKind.EnumMember, SemanticTokenModifiers.None);
        }

        return scalar.Token.Text switch
        {
            "inf" or "infinity" or "nan" or "-inf" => (SemanticTokenKind.Number, SemanticTokenModifiers.None),
            _ when info?.Type == Schema.FieldType.Bool => (SemanticTokenKind.Keyword, SemanticTokenModifiers.None),
            "true" or "false" or "True" or "False" => (SemanticTokenKind.Keyword, SemanticTokenModifiers.None),
            _ => (SemanticTokenKind.EnumMember, SemanticTokenModifiers.None),
        };
    }
}
