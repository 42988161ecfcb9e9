using PrototxtLsp.Core.Syntax;
using PrototxtLsp.Core.Text;

namespace PrototxtLsp.Tests;

public class SegmentedListTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(8_192)]
    [InlineData(8_193)]
    [InlineData(100_000)]
    public void Holds_what_was_added_in_order(int count)
    {
        var list = new SegmentedList<string>();
        for (var i = 0; i < count; i++) list.Add(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(count, list.Count);
        for (var i = 0; i < count; i++) Assert.Equal(i.ToString(System.Globalization.CultureInfo.InvariantCulture), list[i]);
        Assert.Equal(Enumerable.Range(0, count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), list);
        Assert.Throws<ArgumentOutOfRangeException>(() => list[count]);
        Assert.Throws<ArgumentOutOfRangeException>(() => list[-1]);
    }

    [Fact]
    public void No_segment_is_a_large_object_even_at_the_default_threshold()
    {
        // Below 85,000 bytes an array is young garbage in any process, not only in the server (whose threshold is 4 MB).
        var list = new SegmentedList<object>();
        for (var i = 0; i < 50_000; i++) list.Add(list);
        var segments = (object[][])typeof(SegmentedList<object>).GetField("_segments", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(list)!;
        var used = segments.Where(s => s is not null).ToList();
        Assert.Equal(7, used.Count); // 50,000 in segments of 8,192
        Assert.All(used, s => Assert.True(s.Length * IntPtr.Size + 24 < 85_000, $"{s.Length} slots"));
    }

    [Fact]
    public void A_tree_with_more_fields_than_a_segment_numbers_and_finds_every_field()
    {
        var text = string.Concat(Enumerable.Range(0, 6_000).Select(i => $"layer {{ name: \"l{i}\" type: \"ReLU\" }}\n"));
        var tree = SyntaxTree.Parse(new SourceText(text));
        Assert.Equal(18_000, tree.Fields.Count);
        for (var i = 0; i < tree.Fields.Count; i++) Assert.Equal(i, tree.Fields[i].Ordinal);
        Assert.All(tree.Fields, f => Assert.True(tree.Contains(f)));
        Assert.Equal(6_000, tree.Blocks.Count);
        Assert.All(tree.Blocks, b => Assert.True(tree.Contains(b)));
    }
}
