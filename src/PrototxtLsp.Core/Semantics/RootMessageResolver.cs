using System.Text.RegularExpressions;
using PrototxtLsp.Core.Diagnostics;
using PrototxtLsp.Core.Schema;
using PrototxtLsp.Core.Syntax;
using PrototxtLsp.Core.Text;

namespace PrototxtLsp.Core.Semantics;

/// <summary>
/// Decides which message a file is an instance of: a "# proto-message: caffe.X" header comment wins; otherwise
/// the top-level field names decide between caffe.NetParameter and caffe.SolverParameter.
/// </summary>
public static partial class RootMessageResolver
{
    public const string NetParameter = "caffe.NetParameter";
    public const string SolverParameter = "caffe.SolverParameter";

    [GeneratedRegex(@"^#\s*proto-message:\s*(\S+)\s*$")]
    private static partial Regex HeaderPattern();

    public static MessageInfo Resolve(SyntaxTree tree, ProtoSchema schema, string? path, List<Diagnostic> diagnostics)
    {
        var header = FindHeader(tree);
        if (header is { } h)
        {
            var found = schema.FindMessage(h.Name) ?? schema.FindMessage("caffe." + h.Name);
            if (found is not null) return found;
            diagnostics.Add(DiagnosticCatalog.RootMessageUnknown(h.Span, h.Name, Suggestions.Best(h.Name, schema.Messages.Select(m => m.FullName))));
        }

        var net = schema.FindMessage(NetParameter);
        var solver = schema.FindMessage(SolverParameter);
        if (net is null || solver is null) return net ?? solver ?? schema.Messages.First();
        int netScore = 0, solverScore = 0;
        string? lastName = null;
        bool inNet = false, inSolver = false;
        var fields = tree.Root.Fields;
        var ahead = fields.Length >= Prefetch.LongBlock;
        for (var i = 0; i < fields.Length; i++)
        {
            // Once the fields left cannot close the gap the verdict is in: a net of 100,000 layers stops halfway
            // instead of reading every top-level field (a cache miss apiece on a net that size).
            if (Math.Abs(netScore - solverScore) > fields.Length - i) break;
            var field = fields[i];
            if (ahead && i + 8 < fields.Length) Prefetch.From(fields[i + 8], 1);
            // Names are shared strings per document: a run of "layer" fields is looked up once.
            var name = field.NameText;
            if (!ReferenceEquals(name, lastName))
            {
                (inNet, inSolver) = (net.FindField(name) is not null, solver.FindField(name) is not null);
                lastName = name;
            }

            if (inNet && !inSolver) netScore++;
            if (inSolver && !inNet) solverScore++;
        }

        if (solverScore != netScore) return solverScore > netScore ? solver : net;
        var fileName = path is null ? "" : Path.GetFileName(path);
        return fileName.Contains("solver", StringComparison.OrdinalIgnoreCase) ? solver : net;
    }

    /// <summary>The "# proto-message:" line among the comments before the first token.</summary>
    public static (string Name, TextSpan Span)? FindHeader(SyntaxTree tree)
    {
        // The first lexed token leads the text (the end of file in an empty one).
        foreach (var trivia in tree.Tokens.LeadingTrivia(0))
        {
            if (trivia.Kind != SyntaxKind.Comment) continue;
            var m = HeaderPattern().Match(trivia.Text);
            if (m.Success) return (m.Groups[1].Value, new TextSpan(trivia.Start + m.Groups[1].Index, m.Groups[1].Length));
        }

        return null;
    }
}
