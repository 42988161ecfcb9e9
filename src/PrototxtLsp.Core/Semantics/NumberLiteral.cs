using System.Globalization;

namespace PrototxtLsp.Core.Semantics;

/// <summary>Reads integer literal text as protobuf's text format does: decimal, 0x hex, 0 octal.</summary>
public static class NumberLiteral
{
    public enum IntegerParse
    {
        Ok,
        Malformed,
        Overflow,
    }

    public static IntegerParse TryParseUnsigned(string text, out ulong value)
    {
        value = 0;
        if (text.Length == 0) return IntegerParse.Malformed;
        int radix = 10, i = 0;
        if (text.Length > 1 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
        {
            radix = 16;
            i = 2;
            if (text.Length == 2) return IntegerParse.Malformed;
        }
        else if (text.Length > 1 && text[0] == '0')
        {
            radix = 8;
            i = 1;
        }

        var overflow = false;
        for (; i < text.Length; i++)
        {
            var c = text[i];
            int digit;
            if (c is >= '0' and <= '9') digit = c - '0';
            else if (radix == 16 && c is >= 'a' and <= 'f') digit = c - 'a' + 10;
            else if (radix == 16 && c is >= 'A' and <= 'F') digit = c - 'A' + 10;
            else return IntegerParse.Malformed;
            if (digit >= radix) return IntegerParse.Malformed;
            if (overflow) continue;
            var next = value * (ulong)radix + (ulong)digit;
            if (value > (ulong.MaxValue - (ulong)digit) / (ulong)radix) overflow = true;
            else value = next;
        }

        return overflow ? IntegerParse.Overflow : IntegerParse.Ok;
    }

    /// <summary>Whether an integer literal is plain decimal (protobuf refuses hex and octal for float fields).</summary>
    public static bool IsDecimal(string text) => !(text.Length > 1 && text[0] == '0');

    public static bool IsFloatKeyword(string identifier)
    {
        var lower = identifier.ToLowerInvariant();
        return lower is "inf" or "infinity" or "nan";
    }

    public static bool TryParseDouble(string text, out double value)
    {
        var t = text.TrimEnd('f', 'F');
        if (t.EndsWith('.')) t += "0";
        if (t.StartsWith("-.")) t = "-0" + t[1..];
        else if (t.StartsWith('.')) t = "0" + t;
        return double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }
}
