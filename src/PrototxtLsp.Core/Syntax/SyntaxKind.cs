namespace PrototxtLsp.Core.Syntax;

/// <summary>What a token, trivia or node is. One byte, so a token stays small.</summary>
public enum SyntaxKind : byte
{
    // Tokens
    Identifier,
    IntegerLiteral,
    FloatLiteral,
    StringLiteral,
    Colon,
    Semicolon,
    Comma,
    OpenBrace,
    CloseBrace,
    LessThan,
    GreaterThan,
    OpenBracket,
    CloseBracket,
    Minus,
    Dot,
    Slash,
    /// <summary>Characters that start no token (reported by the lexer, skipped by the parser).</summary>
    BadToken,
    EndOfFile,

    // Trivia
    Whitespace,
    EndOfLine,
    Comment,
    ByteOrderMark,

    // Nodes
    Document,
    Field,
    IdentifierName,
    ExtensionName,
    ScalarValue,
    StringValue,
    MessageValue,
    ListValue,
    MissingValue,
    SkippedTokens,
}

public static class SyntaxFacts
{
    public static string GetText(SyntaxKind kind) => kind switch
    {
        SyntaxKind.Colon => ":",
        SyntaxKind.Semicolon => ";",
        SyntaxKind.Comma => ",",
        SyntaxKind.OpenBrace => "{",
        SyntaxKind.CloseBrace => "}",
        SyntaxKind.LessThan => "<",
        SyntaxKind.GreaterThan => ">",
        SyntaxKind.OpenBracket => "[",
        SyntaxKind.CloseBracket => "]",
        SyntaxKind.Minus => "-",
        SyntaxKind.Dot => ".",
        SyntaxKind.Slash => "/",
        _ => "",
    };

    public static bool IsTrivia(SyntaxKind kind) => kind is SyntaxKind.Whitespace or SyntaxKind.EndOfLine or SyntaxKind.Comment or SyntaxKind.ByteOrderMark;
}
