namespace PrototxtLsp.Core.Semantics;

/// <summary>"Did you mean" over a set of names: a case-insensitive match first, then the closest edit distance.</summary>
public static class Suggestions
{
    public static string? Best(string name, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        var limit = Math.Max(1, Math.Min(3, name.Length / 3));
        foreach (var candidate in candidates)
        {
            if (string.Equals(candidate, name, StringComparison.OrdinalIgnoreCase)) return candidate;
            var d = Distance(name.ToLowerInvariant(), candidate.ToLowerInvariant(), limit);
            if (d < bestDistance)
            {
                bestDistance = d;
                best = candidate;
            }
        }

        return bestDistance <= limit ? best : null;
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
