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
            var d = IgnoreCaseDistance(name, candidate, bestDistance - 1, rows);
            if (d < bestDistance)
            {
                bestDistance = d;
                best = candidate;
            }
        }

        return best;
    }

    /// <summary><see cref="Distance"/> without regard to case, in the caller's row buffer (3 rows of b.Length + 1).</summary>
    private static int IgnoreCaseDistance(string a, string b, int limit, int[] rows)
    {
        if (Math.Abs(a.Length - b.Length) > limit) return limit + 1;
        var width = b.Length + 1;
        if (rows.Length < 3 * width) rows = new int[3 * width];
        var prev2 = rows.AsSpan(0, width);
        var prev = rows.AsSpan(width, width);
        var cur = rows.AsSpan(2 * width, width);
        for (var j = 0; j <= b.Length; j++) prev[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            var rowMin = cur[0];
            var ai = char.ToLowerInvariant(a[i - 1]);
            for (var j = 1; j <= b.Length; j++)
            {
                var bj = char.ToLowerInvariant(b[j - 1]);
                var cost = ai == bj ? 0 : 1;
                var v = Math.Min(Math.Min(prev[j] + 1, cur[j - 1] + 1), prev[j - 1] + cost);
                if (i > 1 && j > 1 && ai == char.ToLowerInvariant(b[j - 2]) && char.ToLowerInvariant(a[i - 2]) == bj) v = Math.Min(v, prev2[j - 2] + 1);
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

    /// <summary>Optimal string alignment distance (Levenshtein plus adjacent transpositions), capped at limit+1.</summary>
    public static int Distance(string a, string b, int limit)
    {
        if (Math.Abs(a.Length - b.Length) > limit) return limit + 1;
        var prev2 = new int[b.Length + 1];
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) prev[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            var rowMin = cur[0];
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                var v = Math.Min(Math.Min(prev[j] + 1, cur[j - 1] + 1), prev[j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) v = Math.Min(v, prev2[j - 2] + 1);
                cur[j] = v;
                rowMin = Math.Min(rowMin, v);
            }

            if (rowMin > limit) return limit + 1;
            (prev2, prev, cur) = (prev, cur, prev2);
        }

        return prev[b.Length];
    }
}
