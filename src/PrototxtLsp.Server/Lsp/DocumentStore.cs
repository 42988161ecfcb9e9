using System.Collections.Concurrent;
using PrototxtLsp.Core.Semantics;
using PrototxtLsp.Core.Text;

namespace PrototxtLsp.Server.Lsp;

/// <summary>One version of an open document; its analysis is computed once, on first use.</summary>
public sealed class DocumentSnapshot
{
    private readonly Lazy<DocumentAnalysis> _analysis;

    public DocumentSnapshot(string uri, int version, SourceText text, Func<string?, string, AnalysisOptions>? options = null)
    {
        Uri = uri;
        Version = version;
        Text = text;
        _analysis = new Lazy<DocumentAnalysis>(() =>
        {
            var path = UriToPath(uri);
            var chosen = options?.Invoke(path, text.Text) ?? new AnalysisOptions { Workspace = WorkspaceContext.FileSystem };
            return QuietGc.Run(text.Length, () => DocumentAnalysis.Analyze(text, path, chosen));
        }, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public string Uri { get; }

    public int Version { get; }

    public SourceText Text { get; }

    public DocumentAnalysis Analysis => _analysis.Value;

    public static string? UriToPath(string uri) =>
        System.Uri.TryCreate(uri, UriKind.Absolute, out var u) && u.IsFile ? u.LocalPath : null;
}

/// <summary>The open documents. Edits are applied in the order the client sent them.</summary>
public sealed class DocumentStore
{
    private readonly ConcurrentDictionary<string, DocumentSnapshot> _documents = new(StringComparer.Ordinal);

    /// <summary>File access for analyses (solver references, links): the file system and the workspace folders.</summary>
    public WorkspaceContext Workspace { get; set; } = WorkspaceContext.FileSystem;

    /// <summary>Chooses the schema and options for a document (path, text); set by the server.</summary>
    public Func<string?, string, AnalysisOptions>? Options { get; set; }

    public DocumentSnapshot Open(string uri, int version, string text) => _documents[uri] = new DocumentSnapshot(uri, version, new SourceText(text), Options);

    public IReadOnlyList<DocumentSnapshot> All => _documents.Values.ToList();

    /// <summary>Re-creates every snapshot (same text and version) so its analysis runs again, e.g. after a schema changed.</summary>
    public IReadOnlyList<DocumentSnapshot> Reanalyse()
    {
        foreach (var d in _documents.Values) _documents[d.Uri] = new DocumentSnapshot(d.Uri, d.Version, d.Text, Options);
        return All;
    }

    public DocumentSnapshot? Get(string uri) => _documents.GetValueOrDefault(uri);

    public bool Close(string uri) => _documents.TryRemove(uri, out _);

    /// <summary>
    /// Applies changes in order: a change without a range replaces the text; ranges are UTF-16 and clamped (a line past
    /// the end means the end of the text, a character past the end of its line the end of the line, negative values 0);
    /// a range whose start is after its end is taken the right way round, as vscode-languageserver's TextDocument does.
    /// </summary>
    public DocumentSnapshot? Change(string uri, int version, IEnumerable<TextChange> changes)
    {
        if (!_documents.TryGetValue(uri, out var current)) return null;
        var text = current.Text.Text;
        var first = true;
        foreach (var change in changes)
        {
            if (change.Range is not { } range)
            {
                text = change.Text;
                first = false;
                continue;
            }

            // The first change applies to the current text, whose line map is usually built already (diagnostics).
            var lines = first ? current.Text.Lines : new LineMap(text);
            first = false;
            var (start, end) = (lines.GetOffset(range.Start), lines.GetOffset(range.End));
            if (end < start) (start, end) = (end, start);
            text = string.Concat(text.AsSpan(0, start), change.Text, text.AsSpan(end));
        }

        return _documents[uri] = new DocumentSnapshot(uri, version, new SourceText(text), Options);
    }
}

/// <summary>One content change: a range to replace (null for the whole text) and the new text.</summary>
public readonly record struct TextChange(LineRange? Range, string Text);
