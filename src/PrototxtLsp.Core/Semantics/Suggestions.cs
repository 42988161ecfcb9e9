namespace PrototxtLsp.Core.Semantics;

/// <summary>"Did you mean" over a set of names: a case-insensitive match first, then the closest edit distance.</summary>
public static class Suggestions
{
    public static string? Best(string name, IEnumerable<string> candidates)
    {
        string? best = null;
        var limit = Math.Max(1, Math.Min(3, name.Length / 3));
        var bestDistance = limit + 1;
        // Rows for the distance, made once per call rather than per candidate: a file with thousands of unknown names
        // asks for thousands of suggestions.
        var rows = new int[3 * (name.Length + limit + 2)];
        foreach (var candidate in candidates)
        {
            if (string.Equals(candidate, name, StringComparison.OrdinalIgnoreCase)) return candidate;
            if (Math.Abs(candidate.Length - name.Length) >= bestDistance) continue; // cannot be closer: no work
            var d = Distance(name, candidate, bestDistance - 1, ignoreCase: true, rows);
            if (d < bestDistance)
            {
                bestDistance = d;
                best = candidate;
            }
        }

        return best;
    }

    /// <summary>Optimal string alignment distance (Levenshtein plus adjacent transpositions), capped at limit+1.</summary>
    public static int Distance(string a, string b, int limit) => Distance(a, b, limit, ignoreCase: false, new int[3 * (b.Length + 1)]);

    /// <summary>The distance in the caller's row buffer (3 rows of b.Length + 1), optionally without regard to case.</summary>
    private static int Distance(string a, string b, int limit, bool ignoreCase, int[] rows)
    {
        if (Math.Abs(a.Length - b.Length) > limit) return limit + 1;
        var width = b.Length + 1;
        if (rows.Length < 3 * width) rows = new int[3 * width];
        var prev2 = rows.AsSpan(0, width);
        var prev = rows.AsSpan(width, width);
        var cur = rows.AsSpan(2 * width, width);
        char At(string s, int k) => ignoreCase ? char.ToLowerInvariant(s[k]) : s[k];
        for (var j = 0; j <= b.Length; j++) prev[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            var rowMin = cur[0];
            var ai = At(a, i - 1);
            for (var j = 1; j <= b.Length; j++)
            {
                var bj = At(b, j - 1);
                var cost = ai == bj ? 0 : 1;
                var v = Math.Min(Math.Min(prev[j] + 1, cur[j - 1] + 1), prev[j - 1] + cost);
                if (i > 1 && j > 1 && ai == At(b, j - 2) && At(a, i - 2) == bj) v = Math.Min(v, prev2[j - 2] + 1);
                cur[j] = v;
                rowMin = Math.Min(rowMin, v);
            }

            if (rowMin > limit) return limit + 1;
            var spare = prev2;
            prev2 = prev;
            prev = cur;
            cur = spare;
        }

        return prev[b.Length];
    }
}
