using PrototxtLsp.Core.Diagnostics;
using PrototxtLsp.Core.Syntax;

namespace PrototxtLsp.Tests;

public class LexerTests
{
    private static (SyntaxToken Token, List<Diagnostic> Diagnostics) Single(string text)
    {
        var diagnostics = new List<Diagnostic>();
        var tokens = Lexer.Tokenize(text, diagnostics);
        Assert.Equal(2, tokens.Count); // the token and end of file
        return (tokens[0], diagnostics);
    }

    [Theory]
    [InlineData("0", SyntaxKind.IntegerLiteral)]
    [InlineData("123", SyntaxKind.IntegerLiteral)]
    [InlineData("0x1F", SyntaxKind.IntegerLiteral)]
    [InlineData("0XaB", SyntaxKind.IntegerLiteral)]
    [InlineData("017", SyntaxKind.IntegerLiteral)]
    [InlineData("1.5", SyntaxKind.FloatLiteral)]
    [InlineData(".5", SyntaxKind.FloatLiteral)]
    [InlineData("5.", SyntaxKind.FloatLiteral)]
    [InlineData("1e5", SyntaxKind.FloatLiteral)]
    [InlineData("1E-5", SyntaxKind.FloatLiteral)]
    [InlineData("2.5e+10", SyntaxKind.FloatLiteral)]
    [InlineData("1f", SyntaxKind.FloatLiteral)]
    [InlineData("1.5F", SyntaxKind.FloatLiteral)]
    [InlineData("abc_D9", SyntaxKind.Identifier)]
    [InlineData("_x", SyntaxKind.Identifier)]
    [InlineData("\"s\"", SyntaxKind.StringLiteral)]
    [InlineData("'s\\'q'", SyntaxKind.StringLiteral)]
    public void Valid_tokens(string text, SyntaxKind kind)
    {
        var (token, diagnostics) = Single(text);
        Assert.Equal(kind, token.Kind);
        Assert.Equal(text, token.Text);
        Assert.Empty(diagnostics);
    }

    [Theory]
    [InlineData("1e", "PTX1004")]
    [InlineData("1abc", "PTX1004")]
    [InlineData("1.2.3", "PTX1004")]
    [InlineData("09", "PTX1004")]
    [InlineData("0x", "PTX1004")]
    [InlineData("0x1.5", "PTX1004")]
    [InlineData("\"abc", "PTX1002")]
    [InlineData("\"a\\qb\"", "PTX1003")]
    [InlineData("\"\\x\"", "PTX1003")]
    [InlineData("\"\\u12\"", "PTX1003")]
    [InlineData("\"\\U00110000\"", "PTX1003")]
    [InlineData("\u0001", "PTX1001")]
    [InlineData("=", "PTX1001")]
    [InlineData("é", "PTX1001")]
    public void Malformed_tokens_are_one_token_with_one_diagnostic(string text, string code)
    {
        var (token, diagnostics) = Single(text);
        Assert.Equal(text, token.Text);
        Assert.Equal(code, Assert.Single(diagnostics).Code);
    }

    [Fact]
    public void String_stops_at_line_end()
    {
        var diagnostics = new List<Diagnostic>();
        var tokens = Lexer.Tokenize("\"abc\nx", diagnostics);
        Assert.Equal(["\"abc", "x", ""], tokens.Select(t => t.Text));
        Assert.Equal("PTX1002", Assert.Single(diagnostics).Code);
    }

    [Theory]
    [InlineData("\"a\\tb\"", "a\tb")]
    [InlineData("\"\\101\\x42\\u00e9\\U0001F600\"", "ABé😀")]
    [InlineData("'\\'\\\"\\\\\\?'", "'\"\\?")]
    [InlineData("\"ünï\"", "ünï")]
    public void String_values_decode(string literal, string value) => Assert.Equal(value, StringLiteral.Decode(literal));

    // The lexer scans the usual ASCII word, plain string and one-piece trivia run on fast paths; these cases sit on
    // the edges where it must hand over to the general rules.
    [Theory]
    [InlineData("abcé", SyntaxKind.Identifier, "PTX1001")]   // ASCII prefix, then a non-ASCII letter: one word
    [InlineData("éabc", SyntaxKind.Identifier, "PTX1001")]
    [InlineData("\"a\rb\"", SyntaxKind.StringLiteral, null)] // a lone CR does not end a string
    [InlineData("\"ab\\tc\"", SyntaxKind.StringLiteral, null)]
    [InlineData("\"ab\0c\"", SyntaxKind.StringLiteral, "PTX1001")]
    [InlineData("'a\"b'", SyntaxKind.StringLiteral, null)]
    public void Fast_path_edges(string text, SyntaxKind kind, string? code)
    {
        var (token, diagnostics) = Single(text);
        Assert.Equal(kind, token.Kind);
        Assert.Equal(text, token.Text);
        Assert.Equal(code is null ? [] : new[] { code }, diagnostics.Select(d => d.Code));
    }

    [Fact]
    public void Word_then_non_letter_non_ascii_is_two_tokens()
    {
        var diagnostics = new List<Diagnostic>();
        var tokens = Lexer.Tokenize("abc\u20ac", diagnostics);
        Assert.Equal(["abc", "\u20ac", ""], tokens.Select(t => t.Text));
        Assert.Equal(["PTX1001"], diagnostics.Select(d => d.Code));
    }

    [Theory]
    [InlineData("a \n  b", " \n", "  ")]          // the trailing run ends with the line break; the indent leads
    [InlineData("a # c\n\tb", " # c\n", "\t")]
    [InlineData("a  \n b", "  \n", " ")]
    [InlineData("a\r\n   b", "\r\n", "   ")]
    [InlineData("a\n   \n  b", "\n", "   \n  ")]
    [InlineData("a \t b", " \t ", "")]
    [InlineData("a b", " ", "")]
    public void Trivia_runs_split_between_tokens(string text, string trailingOfA, string leadingOfB)
    {
        var tokens = Lexer.Tokenize(text, new List<Diagnostic>());
        Assert.Equal(["a", "b", ""], tokens.Select(t => t.Text));
        Assert.Equal(trailingOfA, string.Concat(tokens[0].TrailingTrivia.Select(t => t.Text)));
        Assert.Equal(leadingOfB, string.Concat(tokens[1].LeadingTrivia.Select(t => t.Text)));
        Assert.Equal(text, string.Concat(tokens.Select(t => t.ToFullString())));
    }
}
