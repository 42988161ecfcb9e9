using PrototxtLsp.Core.Semantics;
using PrototxtLsp.Core.Syntax;

namespace PrototxtLsp.Core.Features;

public sealed record FoldingRangeInfo(int StartLine, int EndLine, bool IsComment);

/// <summary>Folds every block and list that spans lines, and every run of two or more comment lines.</summary>
public static class Folding
{
    public static IReadOnlyList<FoldingRangeInfo> Get(DocumentAnalysis analysis)
    {
        var lines = analysis.Text.Lines;
        var result = new List<FoldingRangeInfo>();
        foreach (var node in analysis.Tree.Root.DescendantNodes())
        {
            var (open, close) = node switch
            {
                MessageValueSyntax m => (m.Open, m.Close),
                ListValueSyntax l => (l.Open, l.Close),
                _ => (null, null),
            };
            if (open is null || close is null) continue;
            var start = lines.GetPosition(open.Span.Start).Line;
            var end = lines.GetPosition(close.IsMissing ? close.FullSpan.Start : close.Span.Start).Line;
            if (end > start) result.Add(new FoldingRangeInfo(start, end, false));
        }

        int runStart = -1, runEnd = -1;
        foreach (var token in analysis.Tree.Root.DescendantTokens())
        {
            if (!token.HasComments) continue; // only comments make runs
            foreach (var trivia in token.LeadingTrivia.Concat(token.TrailingTrivia))
            {
                if (trivia.Kind != SyntaxKind.Comment) continue;
                var line = lines.GetPosition(trivia.Start).Line;
                var lineStart = lines.GetLineStart(line);
                var ownLine = analysis.Text.Text.AsSpan(lineStart, trivia.Start - lineStart).IsWhiteSpace();
                if (!ownLine) continue;
                if (line == runEnd + 1 && runStart >= 0)
                {
                    runEnd = line;
                    continue;
                }

                if (runEnd > runStart) result.Add(new FoldingRangeInfo(runStart, runEnd, true));
                runStart = runEnd = line;
            }
        }

        if (runEnd > runStart) result.Add(new FoldingRangeInfo(runStart, runEnd, true));
        return result.OrderBy(r => r.StartLine).ToList();
    }
}
