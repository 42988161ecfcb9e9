using PrototxtLsp.Core.Syntax;
using PrototxtLsp.Core.Text;
using PrototxtLsp.Server.Protocol;
using PrototxtLsp.Tests.Infrastructure;
using Xunit.Abstractions;

namespace PrototxtLsp.Tests;

/// <summary>
/// Every corpus file through one running server: no error diagnostics on files protoc accepts, an outline symbol for
/// every layer, and formatting edits that are idempotent and keep the meaning.
/// </summary>
public class LspCorpusTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task Every_corpus_file_over_the_protocol()
    {
        var shared = TestPaths.RequireShared();
        var verdicts = File.ReadAllLines(Path.Combine(shared, "corpus", "oracle.tsv")).Skip(1).Select(l => l.Split('\t'))
            .ToDictionary(r => r[0], r => r[^1]);
        await using var client = await LspClient.StartAsync();
        var failures = new List<string>();
        int files = 0, layers = 0, formatted = 0;
        foreach (var path in TestPaths.CorpusFiles(shared))
        {
            var relative = Path.GetRelativePath(Path.Combine(shared, "corpus"), path).Replace('\\', '/');
            var text = SourceText.FromBytes(File.ReadAllBytes(path)).Text;
            var uri = new Uri(path).AbsoluteUri;
            await client.OpenAsync(uri, text);
            var diagnostics = client.NextDiagnostics(uri, 1);
            var errors = diagnostics.Diagnostics.Where(d => d.Severity == 1).ToList();
            if (verdicts.GetValueOrDefault(relative) == "ok" && errors.Count > 0)
                failures.Add($"{relative}: protoc accepts it, the server reports {errors[0].Code} at {errors[0].Range.Start.Line + 1}: {errors[0].Message}");

            var id = new TextDocumentIdentifier { Uri = uri };
            var symbols = await client.RequestAsync<List<DocumentSymbol>>("textDocument/documentSymbol", new DocumentSymbolParams { TextDocument = id });
            var expectedLayers = SyntaxTree.Parse(text).Root.Fields.Count(f => f.NameText is "layer" or "layers");
            var layerSymbols = symbols.Count(s => s.Kind == 5);
            if (layerSymbols != expectedLayers) failures.Add($"{relative}: {layerSymbols} layer symbols for {expectedLayers} layers");
            layers += layerSymbols;

            var edits = await client.RequestAsync<List<TextEdit>>("textDocument/formatting", new DocumentFormattingParams { TextDocument = id });
            var once = LspEdits.Apply(text, edits);
            if (edits.Count > 0) formatted++;
            if (FormatterTests.Meaning(SyntaxTree.Parse(once)) != FormatterTests.Meaning(SyntaxTree.Parse(text))) failures.Add($"{relative}: formatting changed the meaning");
            await client.Rpc.NotifyWithParameterObjectAsync("textDocument/didChange", new DidChangeTextDocumentParams
            {
                TextDocument = new VersionedTextDocumentIdentifier { Uri = uri, Version = 2 },
                ContentChanges = [new TextDocumentContentChangeEvent { Text = once }],
            });
            var again = await client.RequestAsync<List<TextEdit>>("textDocument/formatting", new DocumentFormattingParams { TextDocument = id });
            if (again.Count > 0) failures.Add($"{relative}: formatting is not idempotent ({again.Count} edits the second time)");
            await client.Rpc.NotifyWithParameterObjectAsync("textDocument/didClose", new DidCloseTextDocumentParams { TextDocument = id });
            files++;
        }

        output.WriteLine($"{files} files, {layers} layer symbols, {formatted} files with formatting edits");
        Assert.True(files >= 150);
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(0, await client.ShutdownAndExitAsync());
    }

}
