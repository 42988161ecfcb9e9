using System.Text;

namespace PrototxtLsp.Core.Syntax;

/// <summary>Decodes the text of one string literal token (quotes included) into its value.</summary>
public static class StringLiteral
{
    private static readonly System.Buffers.SearchValues<char> EscapeOrSurrogate = System.Buffers.SearchValues.Create(
        "\\" + string.Concat(Enumerable.Range(0xD800, 0x800).Select(c => (char)c)));

    /// <summary>The value of a literal without escapes or surrogates: its text between the quotes.</summary>
    internal static bool TryPlain(string tokenText, out ReadOnlySpan<char> value)
    {
        value = default;
        if (tokenText.Length == 0) return false;
        var end = tokenText.Length;
        if (end >= 2 && tokenText[end - 1] == tokenText[0]) end--;
        var inner = tokenText.AsSpan(1, end - 1);
        if (inner.IndexOfAny(EscapeOrSurrogate) >= 0) return false;
        value = inner;
        return true;
    }

    public static string Decode(string tokenText)
    {
        if (tokenText.Length == 0) return "";
        var quote = tokenText[0];
        var end = tokenText.Length;
        if (end >= 2 && tokenText[end - 1] == quote) end--;
        // Most strings ("conv1", "Convolution") have no escapes and no surrogates: their value is their text.
        var inner = tokenText.AsSpan(1, end - 1);
        if (inner.IndexOfAny(EscapeOrSurrogate) < 0) return inner.ToString();
        // Escapes produce bytes (\ooo, \xhh) or code points (\u, \U); collect UTF-8 bytes and decode once.
        var bytes = new List<byte>(end);
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 1; i < end; i++)
        {
            var c = tokenText[i];
            if (c != '\\' || i + 1 >= end)
            {
                AppendChar(bytes, tokenText, ref i, utf8);
                continue;
            }

            var e = tokenText[++i];
            switch (e)
            {
                case 'a': bytes.Add(7); break;
                case 'b': bytes.Add(8); break;
                case 'f': bytes.Add(12); break;
                case 'n': bytes.Add(10); break;
                case 'r': bytes.Add(13); break;
                case 't': bytes.Add(9); break;
                case 'v': bytes.Add(11); break;
                case >= '0' and <= '7':
                {
                    var value = 0;
                    var n = 0;
                    while (n < 3 && i < end && tokenText[i] is >= '0' and <= '7')
                    {
                        value = value * 8 + (tokenText[i] - '0');
                        i++;
                        n++;
                    }

                    i--;
                    bytes.Add((byte)(value & 0xFF));
                    break;
                }
                case 'x' or 'X':
                {
                    var value = 0;
                    var n = 0;
                    while (n < 2 && i + 1 < end && IsHex(tokenText[i + 1]))
                    {
                        value = value * 16 + HexValue(tokenText[++i]);
                        n++;
                    }

                    bytes.Add((byte)value);
                    break;
                }
                case 'u' or 'U':
                {
                    var digits = e == 'u' ? 4 : 8;
                    var value = 0;
                    var n = 0;
                    while (n < digits && i + 1 < end && IsHex(tokenText[i + 1]))
                    {
                        value = value * 16 + HexValue(tokenText[++i]);
                        n++;
                    }

                    var rune = Rune.IsValid(value) ? new Rune(value) : Rune.ReplacementChar;
                    var written = rune.EncodeToUtf8(utf8);
                    for (var k = 0; k < written; k++) bytes.Add(utf8[k]);
                    break;
                }
                default:
                    // \\ \' \" \? and (invalid, already reported) anything else: the character itself.
                    AppendChar(bytes, tokenText, ref i, utf8);
                    break;
            }
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private static void AppendChar(List<byte> bytes, string text, ref int i, Span<byte> buffer)
    {
        var c = text[i];
        if (c < 0x80)
        {
            bytes.Add((byte)c);
            return;
        }

        Rune rune;
        if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
        {
            rune = new Rune(c, text[i + 1]);
            i++;
        }
        else
        {
            rune = Rune.IsValid(c) ? new Rune(c) : Rune.ReplacementChar;
        }

        var written = rune.EncodeToUtf8(buffer);
        for (var k = 0; k < written; k++) bytes.Add(buffer[k]);
    }

    internal static bool IsHex(char c) => c is >= '0' and <= '9' or >= 'a' and <= 'f' or >= 'A' and <= 'F';

    internal static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
