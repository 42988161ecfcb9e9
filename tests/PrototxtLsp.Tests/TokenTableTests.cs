using PrototxtLsp.Core.Features;
using PrototxtLsp.Core.Syntax;

namespace PrototxtLsp.Tests;

/// <summary>Tokens are records in the document's TokenTable; SyntaxToken objects are views made on request.</summary>
public class TokenTableTests
{
    private const string Text = "# proto-message: NetParameter\nname: \"n\"\nlayer {\n  name: \"c\"\n  top: \"c\"\n  kernel_size 3\n  [ext.x]: 1\n}\nbad: -\n";

    [Fact]
    public void Lexed_tokens_come_first_in_text_order_and_missing_ones_follow()
    {
        var tree = SyntaxTree.Parse(Text);
        var table = tree.Tokens;
        Assert.Equal(Text, tree.ToFullString());
        Assert.Equal(SyntaxKind.EndOfFile, table.Kind(table.LexedCount - 1));
        for (var i = 1; i < table.LexedCount; i++) Assert.True(table.Start(i - 1) < table.Start(i) || table.Kind(i) == SyntaxKind.EndOfFile);
        for (var i = 0; i < table.LexedCount; i++) Assert.False(table.IsMissing(i));
        // "kernel_size 3" lacks its ':' and "bad: -" its number: two missing tokens after the lexed ones.
        Assert.Equal(2, table.Count - table.LexedCount);
        Assert.Equal([SyntaxKind.Colon, SyntaxKind.IntegerLiteral], Enumerable.Range(table.LexedCount, 2).Select(table.Kind));
        Assert.All(Enumerable.Range(table.LexedCount, 2), i => Assert.Equal("", table.Text(i)));
        // Punctuation is spelled from its kind, other tokens from the document's strings.
        var colon = Enumerable.Range(0, table.LexedCount).First(i => table.Kind(i) == SyntaxKind.Colon);
        Assert.Equal(":", table.Text(colon));
        Assert.Equal("name", table.Text(0));
        Assert.Equal("# proto-message: NetParameter", Assert.Single(table.LeadingTrivia(0), t => t.Kind == SyntaxKind.Comment).Text);
    }

    [Fact]
    public void Every_kind_fits_in_the_byte_beside_the_missing_flag()
    {
        // The table keeps a token's kind in a byte whose top bit marks a missing token.
        Assert.All(Enum.GetValues<SyntaxKind>(), k => Assert.True((byte)k < 0x80, $"{k} = {(byte)k}"));
        var tree = SyntaxTree.Parse(Text);
        var kinds = Enumerable.Range(0, tree.Tokens.Count).Select(tree.Tokens.Kind).ToList();
        Assert.All(kinds, k => Assert.True(Enum.IsDefined(k), k.ToString()));
    }

    [Fact]
    public void Views_of_one_token_are_equal_and_carry_the_node_that_holds_them()
    {
        var tree = SyntaxTree.Parse(Text);
        for (var i = 0; i < tree.Tokens.LexedCount; i++)
        {
            var token = tree.TokenAt(i);
            Assert.Equal(i, token.Index);
            Assert.Equal(tree.Tokens.Span(i), token.Span);
            Assert.NotNull(token.Parent);
            Assert.Contains(token, token.Parent!.Children().OfType<SyntaxToken>());
            var again = tree.TokenAt(i);
            Assert.NotSame(token, again);
            Assert.True(token == again && token.Equals(again) && token.GetHashCode() == again.GetHashCode());
            if (i > 0) Assert.True(token != tree.TokenAt(i - 1));
            // The token a cursor finds is a view of the same record.
            if (token.Kind != SyntaxKind.EndOfFile && token.Span.Length > 0) Assert.Equal(token, SyntaxQuery.TokenAt(tree.Root, token.Span.Start));
        }

        // Every view the tree hands out, by walking it, is one of these records.
        Assert.Equal(tree.Tokens.Count, tree.Root.DescendantTokens().Select(t => t.Index).Distinct().Count());
    }

    [Fact]
    public void A_plain_field_name_is_made_on_request_once_and_agrees_with_its_token()
    {
        var tree = SyntaxTree.Parse(Text);
        foreach (var field in tree.Fields)
        {
            var name = field.Name;
            Assert.Same(name, field.Name);
            Assert.Same(field, name.Parent);
            Assert.Equal(name.Name, field.NameText);
            Assert.Equal(name.Span, field.NameSpan);
            Assert.Equal(name is IdentifierNameSyntax, field.HasIdentifierName);
        }

        var extension = Assert.Single(tree.Fields, f => !f.HasIdentifierName);
        Assert.Equal("ext.x", extension.NameText);
        var kernel = Assert.Single(tree.Fields, f => f.NameText == "kernel_size");
        Assert.True(kernel.HasColon && kernel.ColonIsMissing && kernel.Colon!.IsMissing);
    }
}
