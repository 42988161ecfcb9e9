using PrototxtLsp.Core.Text;

namespace PrototxtLsp.Tests;

public class LineMapTests
{
    [Fact]
    public void Lf_crlf_and_lone_cr_all_end_lines()
    {
        var map = new LineMap("a\nbc\r\nd\re");
        Assert.Equal(4, map.LineCount);
        Assert.Equal(new LinePosition(0, 0), map.GetPosition(0));
        Assert.Equal(new LinePosition(0, 1), map.GetPosition(1)); // the '\n' itself
        Assert.Equal(new LinePosition(1, 0), map.GetPosition(2));
        Assert.Equal(new LinePosition(1, 2), map.GetPosition(4)); // '\r' of CRLF
        Assert.Equal(new LinePosition(2, 0), map.GetPosition(6));
        Assert.Equal(new LinePosition(3, 0), map.GetPosition(8));
        Assert.Equal(new LinePosition(3, 1), map.GetPosition(9));
    }

    [Fact]
    public void Offsets_round_trip_and_clamp()
    {
        const string text = "ab\r\ncd\n\nxyz";
        var map = new LineMap(text);
        for (var i = 0; i <= text.Length; i++)
        {
            var p = map.GetPosition(i);
            if (i < text.Length && text[i] == '\n' && i > 0 && text[i - 1] == '\r') continue; // inside CRLF
            Assert.Equal(i, map.GetOffset(p));
        }

        Assert.Equal(2, map.GetOffset(0, 99));   // past the end of line 0: before its "\r\n"
        Assert.Equal(6, map.GetOffset(1, 99));
        Assert.Equal(text.Length, map.GetOffset(99, 0));
        Assert.Equal(0, map.GetOffset(-1, 5));
    }

    [Fact]
    public void Columns_count_utf16_code_units()
    {
        var map = new LineMap("x: \"😀é\" y");
        // The emoji is two UTF-16 code units, as LSP counts them.
        Assert.Equal(new LinePosition(0, 8), map.GetPosition(8));
        Assert.Equal(9, "x: \"😀é\" ".Length);
    }

    [Fact]
    public void Empty_text_has_one_line()
    {
        var map = new LineMap("");
        Assert.Equal(1, map.LineCount);
        Assert.Equal(new LinePosition(0, 0), map.GetPosition(5));
        Assert.Equal(0, map.GetOffset(3, 3));
    }
}
