using System.Text.RegularExpressions;
using PrototxtLsp.Core.Syntax;
using PrototxtLsp.Core.Text;

namespace PrototxtLsp.Core.Schema;

/// <summary>
/// The text-format convention for naming a file's schema in comments before its first field:
/// <c># proto-file: path/to/caffe.proto</c>, <c># proto-import: dir</c> (repeatable) and
/// <c># proto-message: caffe.NetParameter</c> (read by <see cref="Semantics.RootMessageResolver"/>).
/// </summary>
public sealed partial record SchemaHeader(string? ProtoFile, TextSpan ProtoFileSpan, IReadOnlyList<string> Imports)
{
    [GeneratedRegex(@"^#\s*proto-(file|import):\s*(.+?)\s*$")]
    private static partial Regex Pattern();

    /// <summary>The header from raw text: the comment and blank lines before the first field, without parsing.</summary>
    public static SchemaHeader Read(string text)
    {
        string? file = null;
        TextSpan span = default;
        var imports = new List<string>();
        var pos = text.Length > 0 && text[0] == '\uFEFF' ? 1 : 0;
        while (pos < text.Length)
        {
            var end = text.IndexOf('\n', pos);
            if (end < 0) end = text.Length;
            var line = text.AsSpan(pos, end - pos).TrimEnd('\r');
            var trimmed = line.TrimStart();
            if (trimmed.Length > 0 && trimmed[0] != '#') break;
            var m = Pattern().Match(trimmed.ToString());
            var offset = pos + (line.Length - trimmed.Length);
            if (m.Success && m.Groups[1].Value == "file" && file is null)
            {
                file = m.Groups[2].Value;
                span = new TextSpan(offset + m.Groups[2].Index, m.Groups[2].Length);
            }
            else if (m.Success && m.Groups[1].Value == "import")
            {
                imports.Add(m.Groups[2].Value);
            }

            pos = end + 1;
        }

        return new SchemaHeader(file, span, imports);
    }

    public static SchemaHeader Read(SyntaxTree tree)
    {
        string? file = null;
        TextSpan span = default;
        var imports = new List<string>();
        // The first lexed token leads the text (the end of file in an empty one).
        foreach (var trivia in tree.Tokens.LeadingTrivia(0))
        {
            if (trivia.Kind != SyntaxKind.Comment) continue;
            var m = Pattern().Match(trivia.Text);
            if (!m.Success) continue;
            if (m.Groups[1].Value == "file" && file is null)
            {
                file = m.Groups[2].Value;
                span = new TextSpan(trivia.Start + m.Groups[2].Index, m.Groups[2].Length);
            }
            else if (m.Groups[1].Value == "import")
            {
                imports.Add(m.Groups[2].Value);
            }
        }

        return new SchemaHeader(file, span, imports);
    }
}
