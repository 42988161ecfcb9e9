using PrototxtLsp.Server.Protocol;

namespace PrototxtLsp.Tests.Infrastructure;

public static class LspEdits
{
    /// <summary>Applies LSP text edits (which never overlap, all against the original text), last first.</summary>
    public static string Apply(string text, IEnumerable<TextEdit> edits)
    {
        var map = new Core.Text.LineMap(text);
        var spans = edits.Select(e => (Start: map.GetOffset(e.Range.Start.Line, e.Range.Start.Character), End: map.GetOffset(e.Range.End.Line, e.Range.End.Character), e.NewText))
            .OrderByDescending(e => e.Start).ToList();
        foreach (var (start, end, newText) in spans) text = text[..start] + newText + text[end..];
        return text;
    }
}
