using PrototxtLsp.Core.Semantics;
using PrototxtLsp.Core.Syntax;

namespace PrototxtLsp.Tests.Infrastructure;

/// <summary>Properties every analysed document must have, whatever its content.</summary>
public static class TreeInvariants
{
    public static void Check(string text, DocumentAnalysis analysis)
    {
        var root = analysis.Tree.Root;
        Assert.Equal(text, root.ToFullString());
        Assert.Equal(0, root.FullSpan.Start);
        Assert.Equal(text.Length, root.FullSpan.End);

        // Tokens tile the text in order: each token's full span starts where the previous ended.
        var position = 0;
        foreach (var token in root.DescendantTokens())
        {
            Assert.Equal(position, token.FullSpan.Start);
            Assert.True(token.Span.Start >= token.FullSpan.Start && token.Span.End <= token.FullSpan.End);
            position = token.FullSpan.End;
        }

        Assert.Equal(text.Length, position);

        // Children nest inside their parents and point back to them.
        foreach (var node in root.DescendantNodes().Prepend(root))
        {
            foreach (var child in node.Children())
            {
                Assert.Same(node, child.Parent);
                Assert.True(node.FullSpan.Contains(child.FullSpan), $"{child.Kind} {child.FullSpan} outside {node.Kind} {node.FullSpan}");
            }
        }

        foreach (var d in analysis.Diagnostics)
        {
            Assert.True(d.Span.Start >= 0 && d.Span.End <= text.Length, $"diagnostic {d} outside the text (length {text.Length})");
            Assert.False(string.IsNullOrWhiteSpace(d.Message));
        }
    }
}
