using System.Diagnostics;
using PrototxtLsp.Core.Diagnostics;
using PrototxtLsp.Core.Schema;
using PrototxtLsp.Core.Syntax;
using PrototxtLsp.Core.Text;

namespace PrototxtLsp.Core.Semantics;

/// <summary>Everything known about one version of one document. Immutable; a new version gets a new analysis.</summary>
public sealed class DocumentAnalysis
{
    private DocumentAnalysis(SyntaxTree tree, SemanticModel model, IReadOnlyList<NetGraph> nets, IReadOnlyList<Diagnostic> diagnostics, string? path)
    {
        Tree = tree;
        Model = model;
        Nets = nets;
        Diagnostics = diagnostics;
        Path = path;
    }

    /// <summary>The options it was analysed with (schema choice, fork layer types).</summary>
    public AnalysisOptions Options { get; private init; } = new();

    /// <summary>The file's path, when it has one (used to resolve the files it names).</summary>
    public string? Path { get; }

    /// <summary>The net of a net file, or the inline nets of a solver; empty for other files.</summary>
    public IReadOnlyList<NetGraph> Nets { get; }

    /// <summary>The blob reference (bottom, top, input) at an offset, with its net.</summary>
    public (NetGraph Net, BlobReference Reference)? BlobAt(int offset)
    {
        foreach (var net in Nets)
            if (net.ReferenceAt(offset) is { } r) return (net, r);
        return null;
    }

    /// <summary>The layer containing an offset, with its net.</summary>
    public (NetGraph Net, LayerNode Layer)? LayerAt(int offset)
    {
        foreach (var net in Nets)
            if (net.LayerAt(offset) is { } l) return (net, l);
        return null;
    }

    public SyntaxTree Tree { get; }

    /// <summary>How long each stage of this analysis took (for <c>check --timings</c>, logs and benchmarks).</summary>
    public AnalysisTimings Timings { get; private init; } = new();

    public SemanticModel Model { get; }

    public SourceText Text => Tree.Text;

    public MessageInfo RootMessage => Model.RootMessage;

    /// <summary>Syntax and schema diagnostics, in document order.</summary>
    public IReadOnlyList<Diagnostic> Diagnostics { get; }

    public static DocumentAnalysis Analyze(string text, string? path = null, ProtoSchema? schema = null, MessageInfo? rootMessage = null, WorkspaceContext? workspace = null) =>
        Analyze(new SourceText(text), path, schema, rootMessage, workspace);

    /// <param name="rootMessage">Forces the root message; otherwise a header comment or the top-level keys decide.</param>
    /// <param name="workspace">File access for checking the files a solver names; null checks none.</param>
    public static DocumentAnalysis Analyze(SourceText text, string? path = null, ProtoSchema? schema = null, MessageInfo? rootMessage = null, WorkspaceContext? workspace = null) =>
        Analyze(text, path, new AnalysisOptions { Schema = schema, Workspace = workspace }, rootMessage);

    /// <summary>Analysis with a host's options: a chosen (possibly custom) schema, fork layer types, file access.</summary>
    public static DocumentAnalysis Analyze(SourceText text, string? path, AnalysisOptions options, MessageInfo? rootMessage = null)
    {
        // Parsing needs no schema: parse first, so a schema still loading (see ProtoSchema.PreloadCaffe) has time.
        var t0 = Stopwatch.GetTimestamp();
        var tree = SyntaxTree.Parse(text);
        var t1 = Stopwatch.GetTimestamp();
        var schema = options.Schema ?? ProtoSchema.Caffe;
        var workspace = options.Workspace;
        var t2 = Stopwatch.GetTimestamp();
        var headerDiagnostics = new List<Diagnostic>();
        var root = rootMessage ?? RootMessageResolver.Resolve(tree, schema, path, headerDiagnostics);
        var model = SchemaBinder.Bind(tree, schema, root);
        var t3 = Stopwatch.GetTimestamp();
        var all = new List<Diagnostic>(tree.Diagnostics.Count + model.Diagnostics.Count + headerDiagnostics.Count);
        all.AddRange(options.Diagnostics);
        all.AddRange(headerDiagnostics);
        all.AddRange(tree.Diagnostics);
        all.AddRange(model.Diagnostics);
        var nets = NetAnalyzer.Analyze(tree, model, all, path, workspace, options);
        var t4 = Stopwatch.GetTimestamp();
        foreach (var net in nets) net.Shapes = ShapeInference.Infer(net, all);
        var t5 = Stopwatch.GetTimestamp();
        // Stable order: by position, syntax before schema at the same position.
        var ordered = all.Select((d, i) => (d, i)).OrderBy(x => x.d.Span.Start).ThenBy(x => x.i).Select(x => x.d).ToList();
        var timings = new AnalysisTimings
        {
            Parse = Stopwatch.GetElapsedTime(t0, t1),
            Schema = Stopwatch.GetElapsedTime(t1, t2),
            Bind = Stopwatch.GetElapsedTime(t2, t3),
            Graph = Stopwatch.GetElapsedTime(t3, t4),
            Shapes = Stopwatch.GetElapsedTime(t4, t5),
            Total = Stopwatch.GetElapsedTime(t0),
        };
        return new DocumentAnalysis(tree, model, nets, ordered, path) { Options = options, Timings = timings };
    }
}

/// <summary>Wall time of each stage of one analysis. <see cref="Schema"/> is the wait for the embedded schema (zero once it is loaded).</summary>
public sealed record AnalysisTimings
{
    public TimeSpan Schema { get; init; }

    public TimeSpan Parse { get; init; }

    public TimeSpan Bind { get; init; }

    public TimeSpan Graph { get; init; }

    public TimeSpan Shapes { get; init; }

    public TimeSpan Total { get; init; }
}
