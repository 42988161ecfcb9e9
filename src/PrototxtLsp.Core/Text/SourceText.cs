using System.Text;

namespace PrototxtLsp.Core.Text;

/// <summary>An immutable document text with its line map.</summary>
public sealed class SourceText
{
    private LineMap? _lines;

    public SourceText(string text) => Text = text;

    public string Text { get; }

    public int Length => Text.Length;

    public LineMap Lines => _lines ??= new LineMap(Text);

    public override string ToString() => Text;

    /// <summary>
    /// Decodes file bytes as UTF-8 without dropping a byte-order mark (it stays in the text as U+FEFF so the tree
    /// reprints the file exactly); invalid sequences become U+FFFD.
    /// </summary>
    public static SourceText FromBytes(ReadOnlySpan<byte> bytes) => new(Utf8NoBom.GetString(bytes));

    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);
}
