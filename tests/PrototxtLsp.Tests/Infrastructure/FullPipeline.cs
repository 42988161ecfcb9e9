using PrototxtLsp.Core.Diagnostics;
using PrototxtLsp.Core.Features;
using PrototxtLsp.Core.Semantics;
using PrototxtLsp.Core.Syntax;
using PrototxtLsp.Core.Text;

namespace PrototxtLsp.Tests.Infrastructure;

/// <summary>
/// Runs a document through everything the server does with it: analysis (parse, bind, graph, shapes), every feature
/// at a few offsets, formatting. Checks the invariants every result must keep (spans inside the document, edits in
/// order, lossless tree, idempotent formatting) and throws <see cref="InvariantViolation"/> when one is broken.
/// </summary>
/// <remarks>
/// Free of xUnit on purpose: the property tests use it, and so does the fuzzer in tests/PrototxtLsp.Fuzz, which links
/// this file. It never touches the file system: document links and solver references go to <see cref="FakeWorkspace"/>.
/// </remarks>
public static class FullPipeline
{
    public sealed class InvariantViolation(string message) : Exception(message);

    /// <summary>A workspace where only names ending in "_exists.prototxt" or "exists.py" exist (no disk access).</summary>
    public static readonly WorkspaceContext FakeWorkspace = new(
        p => p.EndsWith("_exists.prototxt", StringComparison.Ordinal) || p.EndsWith("exists.py", StringComparison.Ordinal),
        ["/nonexistent/prototxt-fuzz-root"]);

    private static readonly HashSet<string> CatalogCodes = DiagnosticCatalog.All.Select(d => d.Code).ToHashSet(StringComparer.Ordinal);

    /// <summary>The document path the fuzzer gives an input: none, a net's or a solver's (the name decides the root message on ties).</summary>
    public static string? PathFor(byte[] bytes) => (bytes.Length % 3) switch
    {
        0 => null,
        1 => "/fuzz/train_val.prototxt",
        _ => "/fuzz/solver.prototxt",
    };

    /// <summary>Analyses as the server does (with a workspace for solver references).</summary>
    public static DocumentAnalysis Analyze(SourceText text, string? path) =>
        DocumentAnalysis.Analyze(text, path, new AnalysisOptions { Workspace = FakeWorkspace });

    private static void Require(bool condition, string what)
    {
        if (!condition) throw new InvariantViolation(what);
    }

    private static void Inside(TextSpan span, int length, string what) =>
        Require(span.Start >= 0 && span.Start <= span.End && span.End <= length, $"{what}: span {span} outside the document (length {length})");

    /// <summary>
    /// The tree reprints the text; tokens and their trivia tile it in order without gaps; every diagnostic lies in the
    /// document and has a catalog code and a message.
    /// </summary>
    public static void CheckSyntax(DocumentAnalysis analysis)
    {
        var text = analysis.Text.Text;
        var root = analysis.Tree.Root;
        Require(root.ToFullString() == text, "the tree does not reprint the text");
        Require(root.FullSpan.Start == 0 && root.FullSpan.End == text.Length, $"root span {root.FullSpan} is not the text (length {text.Length})");
        var position = 0;
        foreach (var token in root.DescendantTokens())
        {
            Require(token.FullSpan.Start == position, $"token '{token.Text}' starts at {token.FullSpan.Start}, the previous ended at {position}");
            foreach (var trivia in token.LeadingTrivia)
            {
                Require(trivia.Start == position && trivia.Text.Length > 0, $"leading trivia at {trivia.Start}, expected {position}");
                Require(string.CompareOrdinal(text, trivia.Start, trivia.Text, 0, trivia.Text.Length) == 0, $"leading trivia text differs at {trivia.Start}");
                position += trivia.Text.Length;
            }

            Require(token.Span.Start == position, $"token '{token.Text}' text at {token.Span.Start}, its leading trivia ends at {position}");
            Require(token.IsMissing ? token.Text.Length == 0 : string.CompareOrdinal(text, token.Span.Start, token.Text, 0, token.Text.Length) == 0,
                $"token text differs at {token.Span.Start}");
            position = token.Span.End;
            foreach (var trivia in token.TrailingTrivia)
            {
                Require(trivia.Start == position && trivia.Text.Length > 0, $"trailing trivia at {trivia.Start}, expected {position}");
                Require(string.CompareOrdinal(text, trivia.Start, trivia.Text, 0, trivia.Text.Length) == 0, $"trailing trivia text differs at {trivia.Start}");
                position += trivia.Text.Length;
            }

            Require(token.FullSpan.End == position, $"token '{token.Text}' full span ends at {token.FullSpan.End}, its trivia at {position}");
            Require(position <= text.Length, $"token at {token.Span.Start} ends past the text");
        }

        Require(position == text.Length, $"tokens cover {position} of {text.Length} characters");

        foreach (var d in analysis.Diagnostics)
        {
            Inside(d.Span, text.Length, $"diagnostic {d.Code}");
            Require(CatalogCodes.Contains(d.Code), $"diagnostic code {d.Code} is not in the catalog");
            Require(!string.IsNullOrWhiteSpace(d.Message), $"diagnostic {d.Code} has no message");
            foreach (var r in d.Related ?? []) Inside(r.Span, text.Length, $"related location of {d.Code}");
            foreach (var f in d.Fixes ?? []) Inside(f.Span, text.Length, $"fix of {d.Code}");
            _ = analysis.Text.Lines.GetRange(d.Span);
        }
    }

    /// <summary>Offsets worth asking features about: start, end, middle, <paramref name="random"/> random ones and the edges of some tokens.</summary>
    public static List<int> Offsets(DocumentAnalysis analysis, Random rng, int random = 3, int tokens = 6)
    {
        var length = analysis.Text.Length;
        var offsets = new List<int> { 0, length, length / 2 };
        for (var i = 0; i < random; i++) offsets.Add(rng.Next(length + 1));
        var all = analysis.Tree.Root.DescendantTokens().Where(t => !t.IsMissing && t.Kind != SyntaxKind.EndOfFile).ToList();
        for (var i = 0; i < tokens && all.Count > 0; i++)
        {
            var t = all[rng.Next(all.Count)];
            offsets.Add(t.Span.Start);
            offsets.Add(t.Span.End);
            offsets.Add(t.Span.Start + t.Span.Length / 2);
        }

        return offsets.Distinct().ToList();
    }

    /// <summary>Every feature, whole-document ones once and positional ones at each offset. Returns the number of calls.</summary>
    public static int ExerciseFeatures(DocumentAnalysis analysis, IReadOnlyList<int> offsets)
    {
        var length = analysis.Text.Length;
        var lineCount = analysis.Text.Lines.LineCount;
        var calls = 0;

        foreach (var offset in offsets)
        {
            _ = SyntaxQuery.TokenAt(analysis.Tree.Root, offset);
            if (Hover.At(analysis, offset) is { } hover)
            {
                Inside(hover.Span, length, "hover");
                Require(hover.Markdown.Length > 0, "empty hover");
            }

            var completion = Completion.At(analysis, offset);
            Inside(completion.ReplaceSpan, length, "completion replace span");
            Require(completion.ReplaceSpan.Start <= Math.Clamp(offset, 0, length), $"completion replace span {completion.ReplaceSpan} starts after the cursor {offset}");
            foreach (var ci in completion.Items) Require(ci.Label.Length > 0, "completion item without a label");

            foreach (var s in Navigation.Definition(analysis, offset)) Inside(s, length, "definition");
            foreach (var r in Navigation.References(analysis, offset)) Inside(r.Span, length, "reference");
            foreach (var r in Navigation.References(analysis, offset, includeWrites: false)) Inside(r.Span, length, "reference (reads)");
            if (Rename.Prepare(analysis, offset) is { } target) Inside(target.Span, length, "prepare rename");
            CheckEdits(Rename.Apply(analysis, offset, "renamed_blob").Edits, length, "rename");
            CheckEdits(Rename.Apply(analysis, offset, "a \"quoted\\ name").Edits, length, "rename with quotes");
            if (LayerHierarchy.Prepare(analysis, offset) is { } item)
            {
                Inside(item.Span, length, "call hierarchy item");
                Inside(item.SelectionSpan, length, "call hierarchy selection");
            }

            foreach (var call in LayerHierarchy.Incoming(analysis, offset).Concat(LayerHierarchy.Outgoing(analysis, offset)))
            {
                Inside(call.Layer.Span, length, "call hierarchy call");
                foreach (var r in call.Ranges) Inside(r, length, "call hierarchy range");
            }

            var selections = SelectionRanges.At(analysis, Math.Clamp(offset, 0, length));
            Require(selections.Count > 0, "no selection range");
            for (var i = 0; i < selections.Count; i++)
            {
                Inside(selections[i], length, "selection range");
                if (i > 0) Require(selections[i].Contains(selections[i - 1]), $"selection range {selections[i]} does not contain {selections[i - 1]}");
            }

            var range = TextSpan.FromBounds(Math.Clamp(offset - 40, 0, length), Math.Clamp(offset + 40, 0, length));
            foreach (var action in CodeActions.For(analysis, range, Upgrade)) CheckEdits(action.Edits, length, "code action");
            CheckEdits(Formatter.FormatRange(analysis.Tree, range), length, "range formatting");
            CheckSemanticTokens(SemanticTokens.Get(analysis, range), length);
            foreach (var h in ShapeHints.InlayHints(analysis, range)) Require(h.Position >= 0 && h.Position <= length, "inlay hint outside");
            calls += 16;
        }

        foreach (var symbol in DocumentSymbols.Get(analysis)) CheckSymbol(symbol, length);

        foreach (var fold in Folding.Get(analysis))
            Require(fold.StartLine >= 0 && fold.StartLine < fold.EndLine && fold.EndLine < lineCount, $"folding range {fold} outside lines 0..{lineCount - 1}");

        CheckSemanticTokens(SemanticTokens.Get(analysis), length);

        foreach (var h in ShapeHints.InlayHints(analysis)) Require(h.Position >= 0 && h.Position <= length, "inlay hint outside");
        foreach (var lens in ShapeHints.CodeLenses(analysis)) Inside(lens.Span, length, "code lens");
        foreach (var net in analysis.Nets)
            foreach (var layer in net.Layers.Take(5))
                _ = ShapeHints.LayerMarkdown(net, layer);

        // The code actions of each diagnostic, as the editor asks for them (the diagnostic's own range); a few are applied,
        // and what they leave must be readable too (the legacy upgrade rewrites the whole file).
        var applied = 0;
        foreach (var d in analysis.Diagnostics.Take(50))
        {
            foreach (var action in CodeActions.For(analysis, d.Span, Upgrade))
            {
                CheckEdits(action.Edits, length, $"code action for {d.Code}");
                if (applied++ >= 4) continue;
                var fixedText = Formatter.Apply(analysis.Text.Text, action.Edits);
                CheckSyntax(Analyze(new SourceText(fixedText), analysis.Path));
            }
        }

        var states = analysis.Nets.FirstOrDefault()?.States.Count ?? 0;
        for (var s = -1; s < Math.Min(states, 4); s++)
        {
            if (LayerGraphView.Build(analysis, s) is not { } graph) continue;
            foreach (var node in graph.Nodes)
            {
                Inside(node.Span, length, "graph node");
                foreach (var f in node.Folded) Inside(f.Span, length, "graph folded layer");
            }
        }

        foreach (var link in DocumentLinks.Get(analysis, FakeWorkspace)) Inside(link.Span, length, "document link");

        if (LegacyUpgrade.NeedsUpgrade(analysis)) _ = LegacyUpgrade.Upgrade(analysis);
        return calls + 12;
    }

    private static string? Upgrade(DocumentAnalysis analysis) =>
        LegacyUpgrade.Upgrade(analysis) is { Changed: true } result ? result.Text : null;

    private static void CheckSymbol(DocumentSymbolInfo symbol, int length)
    {
        Inside(symbol.Span, length, $"symbol {symbol.Name}");
        Inside(symbol.SelectionSpan, length, $"symbol {symbol.Name} selection");
        Require(symbol.Span.Contains(symbol.SelectionSpan), $"symbol {symbol.Name}: selection {symbol.SelectionSpan} outside its range {symbol.Span}");
        foreach (var child in symbol.Children) CheckSymbol(child, length);
    }

    private static void CheckSemanticTokens(IReadOnlyList<SemanticToken> tokens, int length)
    {
        var previousEnd = 0;
        foreach (var t in tokens)
        {
            Inside(t.Span, length, "semantic token");
            Require(t.Span.Start >= previousEnd, $"semantic token {t.Span} overlaps or precedes the previous one (ended at {previousEnd})");
            previousEnd = t.Span.End;
        }
    }

    /// <summary>Edits lie in the document, in order, none overlapping (what LSP requires of a TextEdit[]).</summary>
    public static void CheckEdits(IReadOnlyList<TextReplacement> edits, int length, string what)
    {
        for (var i = 0; i < edits.Count; i++)
        {
            Inside(edits[i].Span, length, what);
            if (i > 0) Require(edits[i - 1].Span.End <= edits[i].Span.Start, $"{what}: edits {edits[i - 1].Span} and {edits[i].Span} overlap or are out of order");
        }
    }

    /// <summary>Formats the document, checks the edits and idempotence; returns the formatted text.</summary>
    public static string CheckFormatting(DocumentAnalysis analysis)
    {
        var text = analysis.Text.Text;
        var edits = Formatter.Format(analysis.Tree);
        CheckEdits(edits, text.Length, "formatting");
        var formatted = Formatter.Apply(text, edits);
        var again = Formatter.FormatText(SyntaxTree.Parse(formatted));
        if (again != formatted)
        {
            var known = TolerateKnownFormattingBugs &&
                        (again.Replace("\r\n", "\n") == formatted.Replace("\r\n", "\n") || HasStringWithCarriageReturn(analysis.Tree) || HasStringWithCarriageReturn(SyntaxTree.Parse(formatted)));
            Require(known, "formatting is not idempotent");
            Interlocked.Increment(ref _knownFormattingBugHits);
        }

        return formatted;
    }

    private static bool HasStringWithCarriageReturn(SyntaxTree tree) =>
        tree.Root.DescendantTokens().Any(t => t.Kind == SyntaxKind.StringLiteral && t.Text.Contains('\r'));

    /// <summary>
    /// Two formatter bugs the fuzzer found (mixed line endings switching style on a second pass; an unterminated string
    /// ending in lone \r losing one per pass), both fixed and covered by PropertyTests. Off: formatting is checked
    /// strictly. Turn it on only to fuzz past a regression of those two while it is being fixed.
    /// </summary>
    public static bool TolerateKnownFormattingBugs { get; set; }

    private static int _knownFormattingBugHits;

    /// <summary>How many inputs hit one of the known formatting bugs above in this process.</summary>
    public static int KnownFormattingBugHits => Volatile.Read(ref _knownFormattingBugHits);

    /// <summary>Everything: analysis, syntax invariants, features at the offsets, formatting.</summary>
    public static DocumentAnalysis Run(SourceText text, string? path, Random rng, int randomOffsets = 3, int tokenOffsets = 6)
    {
        var analysis = Analyze(text, path);
        CheckSyntax(analysis);
        ExerciseFeatures(analysis, Offsets(analysis, rng, randomOffsets, tokenOffsets));
        CheckFormatting(analysis);
        return analysis;
    }
}
