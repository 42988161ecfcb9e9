namespace PrototxtLsp.Core.Diagnostics;

/// <summary>
/// How many diagnostics of one document reach the editor. A damaged or binary file can hold hundreds of thousands of
/// problems (1 MB of random bytes: 209,000); sending them all costs megabytes of JSON per keystroke and stalls the
/// editor's problem list, while nobody reads past the first screenful. The command line always reports everything.
/// </summary>
public static class DiagnosticLimit
{
    /// <summary>The default of the setting <c>prototxt.diagnostics.maxPerFile</c>.</summary>
    public const int DefaultMaxPerFile = 1000;

    /// <summary>
    /// At most <paramref name="max"/> diagnostics (errors first, then warnings, then the rest; each group in file
    /// order), in file order, followed by one PTX5004 that says how many were left out. Unchanged when within the
    /// limit or when <paramref name="max"/> is 0 or less (no limit).
    /// </summary>
    public static IReadOnlyList<Diagnostic> Apply(IReadOnlyList<Diagnostic> diagnostics, int max)
    {
        if (max <= 0 || diagnostics.Count <= max) return diagnostics;
        var kept = new List<Diagnostic>(max + 1);
        for (var severity = DiagnosticSeverity.Error; severity <= DiagnosticSeverity.Hint && kept.Count < max; severity++)
        {
            foreach (var d in diagnostics)
            {
                if (d.Severity != severity) continue;
                kept.Add(d);
                if (kept.Count == max) break;
            }
        }

        kept.Sort((a, b) => a.Span.Start.CompareTo(b.Span.Start));
        kept.Insert(0, DiagnosticCatalog.ProblemsNotShown(max, diagnostics.Count));
        return kept;
    }
}
