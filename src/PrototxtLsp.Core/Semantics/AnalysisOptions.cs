using PrototxtLsp.Core.Diagnostics;
using PrototxtLsp.Core.Schema;

namespace PrototxtLsp.Core.Semantics;

/// <summary>
/// What a host (the CLI or the server) knows beyond the text: which schema the file is bound to and why, fork
/// layer types from the project file, file access, and problems found while preparing them.
/// </summary>
public sealed record AnalysisOptions
{
    /// <summary>The schema to check against; null is our embedded caffe.proto.</summary>
    public ProtoSchema? Schema { get; init; }

    /// <summary>How the schema was chosen, for hover ("embedded caffe.proto", "header: fork/caffe.proto", …).</summary>
    public string SchemaDescription { get; init; } = "the embedded BVLC caffe.proto";

    /// <summary>True when <see cref="Schema"/> is a user's proto (a fork): unknown layer types with a fork-only `*_param` are accepted.</summary>
    public bool IsCustomSchema { get; init; }

    /// <summary>Fork layer types declared in the project file (<c>layerTypes</c>), by type string.</summary>
    public IReadOnlyDictionary<string, LayerTypeInfo> LayerTypes { get; init; } = new Dictionary<string, LayerTypeInfo>();

    public WorkspaceContext? Workspace { get; init; }

    /// <summary>Problems found while loading the schema or the project file, reported with the document's own.</summary>
    public IReadOnlyList<Diagnostic> Diagnostics { get; init; } = [];
}
