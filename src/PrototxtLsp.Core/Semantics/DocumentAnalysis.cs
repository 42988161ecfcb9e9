using PrototxtLsp.Core.Diagnostics;
using PrototxtLsp.Core.Schema;
using PrototxtLsp.Core.Syntax;
using PrototxtLsp.Core.Text;

namespace PrototxtLsp.Core.Semantics;

/// <summary>Everything known about one version of one document. Immutable; a new version gets a new analysis.</summary>
public sealed class DocumentAnalysis
{
    private DocumentAnalysis(SyntaxTree tree, SemanticModel model, IReadOnlyList<Diagnostic> diagnostics)
    {
        Tree = tree;
        Model = model;
        Diagnostics = diagnostics;
    }

    public SyntaxTree Tree { get; }

    public SemanticModel Model { get; }

    public SourceText Text => Tree.Text;

    public MessageInfo RootMessage => Model.RootMessage;

    /// <summary>Syntax and schema diagnostics, in document order.</summary>
    public IReadOnlyList<Diagnostic> Diagnostics { get; }

    public static DocumentAnalysis Analyze(string text, string? path = null, ProtoSchema? schema = null, MessageInfo? rootMessage = null) =>
        Analyze(new SourceText(text), path, schema, rootMessage);

    /// <param name="rootMessage">Forces the root message; otherwise a header comment or the top-level keys decide.</param>
    public static DocumentAnalysis Analyze(SourceText text, string? path = null, ProtoSchema? schema = null, MessageInfo? rootMessage = null)
    {
        schema ??= ProtoSchema.Caffe;
        var tree = SyntaxTree.Parse(text);
        var headerDiagnostics = new List<Diagnostic>();
        var root = rootMessage ?? RootMessageResolver.Resolve(tree, schema, path, headerDiagnostics);
        var model = SchemaBinder.Bind(tree, schema, root);
        var all = new List<Diagnostic>(tree.Diagnostics.Count + model.Diagnostics.Count + headerDiagnostics.Count);
        all.AddRange(headerDiagnostics);
        all.AddRange(tree.Diagnostics);
        all.AddRange(model.Diagnostics);
        // Stable order: by position, syntax before schema at the same position.
        var ordered = all.Select((d, i) => (d, i)).OrderBy(x => x.d.Span.Start).ThenBy(x => x.i).Select(x => x.d).ToList();
        return new DocumentAnalysis(tree, model, ordered);
    }
}
