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
    private const int MaxAncestors = 12;

    private static readonly HashSet<string> DataSources = ["DataParameter", "ImageDataParameter", "WindowDataParameter", "HDF5DataParameter"];

    public static IReadOnlyList<DocumentLinkInfo> Get(DocumentAnalysis analysis, string? documentPath, IReadOnlyList<string> workspaceRoots, Func<string, bool> fileExists)
    {
        var result = new List<DocumentLinkInfo>();
        var bases = BaseDirectories(documentPath, workspaceRoots);
        foreach (var node in analysis.Tree.Root.DescendantNodes())
        {
            if (node is not FieldSyntax { Value: StringValueSyntax str } field) continue;
            var info = analysis.Model.GetField(field);
            if (info is null) continue;
            var value = str.Value;
            if (value.Length == 0 || value.Length > 4096 || value.IndexOf('\0') >= 0) continue;
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

            var target = Resolve(relative, bases, info.Name == "module", fileExists);
            if (target is not null) result.Add(new DocumentLinkInfo(str.Span, target, tooltip));
        }

        return result;
    }

    private static List<string> BaseDirectories(string? documentPath, IReadOnlyList<string> workspaceRoots)
    {
        var bases = new List<string>();
        var dir = documentPath is null ? null : Path.GetDirectoryName(Path.GetFullPath(documentPath));
        for (var i = 0; dir is not null && i < MaxAncestors; i++)
        {
            bases.Add(dir);
            dir = Path.GetDirectoryName(dir);
        }

        foreach (var root in workspaceRoots)
            if (!bases.Contains(root, StringComparer.Ordinal)) bases.Add(root);
        return bases;
    }

    private static string? Resolve(string relative, List<string> bases, bool pythonModule, Func<string, bool> fileExists)
    {
        try
        {
            if (Path.IsPathFullyQualified(relative)) return fileExists(relative) ? Path.GetFullPath(relative) : null;
            foreach (var b in bases)
            {
                var candidate = Path.GetFullPath(Path.Combine(b, relative));
                if (fileExists(candidate)) return candidate;
                if (!pythonModule) continue;
                // Python layers are usually imported from a folder on PYTHONPATH such as `python/` or `lib/`.
                foreach (var sub in (string[])["python", "lib"])
                {
                    candidate = Path.GetFullPath(Path.Combine(b, sub, relative));
                    if (fileExists(candidate)) return candidate;
                }
            }
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            // A value that is not a usable path is simply not a link.
        }

        return null;
    }
}
