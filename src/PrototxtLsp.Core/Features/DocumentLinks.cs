using PrototxtLsp.Core.Semantics;
using PrototxtLsp.Core.Syntax;
using PrototxtLsp.Core.Text;

namespace PrototxtLsp.Core.Features;

/// <summary>A string value that names a file that exists: <see cref="Target"/> is its absolute path.</summary>
public sealed record DocumentLinkInfo(TextSpan Span, string Target, string Tooltip);

/// <summary>
/// Links for values that name files: a solver's <c>net</c>, <c>train_net</c> and <c>test_net</c>, a data layer's
/// <c>source</c>, any <c>mean_file</c>, and a Python layer's <c>module</c> (as <c>a/b.py</c> for <c>a.b</c>).
/// Caffe resolves relative paths against the directory it is started in, usually the project root, so a relative
/// path is tried against the document's folder and each folder above it, then the workspace roots; only paths
/// that exist become links.
/// </summary>
public static class DocumentLinks
{
    private static readonly HashSet<string> DataSources = ["DataParameter", "ImageDataParameter", "WindowDataParameter", "HDF5DataParameter"];

    public static IReadOnlyList<DocumentLinkInfo> Get(DocumentAnalysis analysis, WorkspaceContext workspace)
    {
        var result = new List<DocumentLinkInfo>();
        foreach (var node in analysis.Tree.Root.DescendantNodes())
        {
            if (node is not FieldSyntax { Value: StringValueSyntax str } field) continue;
            var info = analysis.Model.GetField(field);
            if (info is null) continue;
            var value = str.Value;
            if (value.Length == 0 || value.Length > 4096) continue;
            var owner = info.ContainingType.Name;
            string? relative;
            string tooltip;
            switch (info.Name)
            {
                case "net" or "train_net" or "test_net" when owner == "SolverParameter":
                    relative = value;
                    tooltip = "Open the net definition";
                    break;
                case "source" when DataSources.Contains(owner):
                    relative = value;
                    tooltip = "Open the data source";
                    break;
                case "mean_file":
                    relative = value;
                    tooltip = "Open the mean file";
                    break;
                case "module" when owner == "PythonParameter":
                    relative = value.Replace('.', '/') + ".py";
                    tooltip = "Open the Python layer's module";
                    break;
                default:
                    continue;
            }

            // Python layers are usually imported from a folder on PYTHONPATH such as `python/` or `lib/`.
            var target = workspace.Resolve(relative, analysis.Path, info.Name == "module" ? PythonFolders : null);
            if (target is not null) result.Add(new DocumentLinkInfo(str.Span, target, tooltip));
        }

        return result;
    }

    private static readonly string[] PythonFolders = ["python", "lib"];
}
