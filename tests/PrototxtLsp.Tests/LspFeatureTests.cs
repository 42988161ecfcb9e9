using System.Text;
using System.Text.Json;

using PrototxtLsp.Server.Protocol;
using PrototxtLsp.Tests.Infrastructure;
using Xunit.Abstractions;
using LspRange = PrototxtLsp.Server.Protocol.Range;
using SemanticTokensResult = PrototxtLsp.Server.Protocol.SemanticTokens;

namespace PrototxtLsp.Tests;

/// <summary>End-to-end over stdio: formatting, semantic tokens, links, value completion, cancellation, logging, settings.</summary>
public class LspFeatureTests(ITestOutputHelper output)
{
    private const string Uri = "file:///tmp/prototxt-lsp-test/net.prototxt";

    private static TextDocumentIdentifier Doc(string uri = Uri) => new() { Uri = uri };

    /// <summary>Applies LSP edits (which never overlap) to a text, last first.</summary>

    [Fact]
    public async Task Document_formatting_returns_minimal_edits_that_produce_the_canonical_layout()
    {
        const string text = "name: 'net';\r\nlayer: {  name: \"a\"\r\n\r\n\r\n     type: \"ReLU\"  # keep me\r\n bottom: \"x\" top: \"x\" }\r\n";
        await using var client = await LspClient.StartAsync();
        await client.OpenAsync(Uri, text);
        var edits = await client.RequestAsync<List<TextEdit>>("textDocument/formatting", new DocumentFormattingParams { TextDocument = Doc() });
        Assert.Equal("name: \"net\"\r\nlayer {\r\n  name: \"a\"\r\n\r\n  type: \"ReLU\" # keep me\r\n  bottom: \"x\"\r\n  top: \"x\"\r\n}\r\n", LspEdits.Apply(text, edits));
        Assert.True(edits.Count < 12, $"{edits.Count} edits");

        // Formatting the result again changes nothing.
        await client.Rpc.NotifyWithParameterObjectAsync("textDocument/didChange", new DidChangeTextDocumentParams
        {
            TextDocument = new VersionedTextDocumentIdentifier { Uri = Uri, Version = 2 },
            ContentChanges = [new TextDocumentContentChangeEvent { Text = LspEdits.Apply(text, edits) }],
        });
        Assert.Empty(await client.RequestAsync<List<TextEdit>>("textDocument/formatting", new DocumentFormattingParams { TextDocument = Doc() }));
        await client.ShutdownAndExitAsync();
    }

    [Fact]
    public async Task Range_formatting_changes_only_the_selected_layer()
    {
        const string text = "layer {\n    name: \"a\"\n}\nlayer {\n    name: \"b\"\n}\n";
        await using var client = await LspClient.StartAsync();
        await client.OpenAsync(Uri, text);
        var edits = await client.RequestAsync<List<TextEdit>>("textDocument/rangeFormatting", new DocumentRangeFormattingParams
        {
            TextDocument = Doc(),
            Range = new LspRange { Start = new Position { Line = 3, Character = 0 }, End = new Position { Line = 5, Character = 1 } },
        });
        Assert.Equal("layer {\n    name: \"a\"\n}\nlayer {\n  name: \"b\"\n}\n", LspEdits.Apply(text, edits));
        await client.ShutdownAndExitAsync();
    }

    [Fact]
    public async Task Formatting_leaves_a_block_with_a_syntax_error_as_written()
    {
        const string text = "layer {\n    name: \"ok\"\n}\nlayer {\n    name: \"broken\" ) \n}\n";
        await using var client = await LspClient.StartAsync();
        await client.OpenAsync(Uri, text);
        var edits = await client.RequestAsync<List<TextEdit>>("textDocument/formatting", new DocumentFormattingParams { TextDocument = Doc() });
        Assert.Equal("layer {\n  name: \"ok\"\n}\nlayer {\n    name: \"broken\" ) \n}\n", LspEdits.Apply(text, edits));
        await client.ShutdownAndExitAsync();
    }

    private static List<string> DecodeTokens(string text, SemanticTokensResult tokens, SemanticTokensLegend legend)
    {
        var map = new Core.Text.LineMap(text);
        var result = new List<string>();
        int line = 0, ch = 0;
        for (var i = 0; i < tokens.Data.Count; i += 5)
        {
            line += tokens.Data[i];
            ch = tokens.Data[i] == 0 ? ch + tokens.Data[i + 1] : tokens.Data[i + 1];
            var start = map.GetOffset(line, ch);
            var mods = Enumerable.Range(0, legend.TokenModifiers.Count).Where(b => (tokens.Data[i + 4] & (1 << b)) != 0).Select(b => legend.TokenModifiers[b]);
            result.Add($"{text.Substring(start, tokens.Data[i + 2])}={legend.TokenTypes[tokens.Data[i + 3]]}{string.Concat(mods.Select(m => "+" + m))}");
        }

        return result;
    }

    [Fact]
    public async Task Semantic_tokens_classify_layers_blobs_types_enums_and_deprecated_fields()
    {
        const string text = "input_dim: 1 # legacy\nlayer {\n  name: \"pool1\"\n  type: \"Pooling\"\n  bottom: \"conv1\"\n  top: \"pool1\"\n  pooling_param { pool: MAX kernel_size: 2 global_pooling: false }\n}\n";
        await using var client = await LspClient.StartAsync(initialize: false);
        var init = await client.RequestAsync<InitializeResult>("initialize", new InitializeParams());
        var legend = init.Capabilities.SemanticTokensProvider!.Legend;
        await client.Rpc.NotifyWithParameterObjectAsync("initialized", new InitializedParams());
        await client.OpenAsync(Uri, text);
        var full = await client.RequestAsync<SemanticTokensResult>("textDocument/semanticTokens/full", new SemanticTokensParams { TextDocument = Doc() });
        Assert.Equal(
        [
            "input_dim=property+deprecated", "1=number", "# legacy=comment",
            "layer=property",
            "name=property", "\"pool1\"=function+declaration",
            "type=property", "\"Pooling\"=type",
            "bottom=property", "\"conv1\"=variable",
            "top=property", "\"pool1\"=variable+declaration",
            "pooling_param=property", "pool=property", "MAX=enumMember", "kernel_size=property", "2=number", "global_pooling=property", "false=keyword",
        ], DecodeTokens(text, full, legend));

        var range = await client.RequestAsync<SemanticTokensResult>("textDocument/semanticTokens/range", new SemanticTokensRangeParams
        {
            TextDocument = Doc(),
            Range = new LspRange { Start = new Position { Line = 4, Character = 0 }, End = new Position { Line = 4, Character = 20 } },
        });
        Assert.Equal(["bottom=property", "\"conv1\"=variable"], DecodeTokens(text, range, legend));
        await client.ShutdownAndExitAsync();
    }

    [Fact]
    public async Task Document_links_point_at_files_that_exist()
    {
        var root = Directory.CreateTempSubdirectory("prototxt-links-");
        try
        {
            var models = Directory.CreateDirectory(Path.Combine(root.FullName, "models", "lenet"));
            File.WriteAllText(Path.Combine(models.FullName, "train.prototxt"), "name: \"x\"\n");
            Directory.CreateDirectory(Path.Combine(root.FullName, "python", "layers"));
            File.WriteAllText(Path.Combine(root.FullName, "python", "layers", "data.py"), "");
            File.WriteAllText(Path.Combine(root.FullName, "mean.binaryproto"), "");
            var solverUri = new Uri(Path.Combine(models.FullName, "solver.prototxt")).AbsoluteUri;
            var netUri = new Uri(Path.Combine(models.FullName, "train.prototxt")).AbsoluteUri;

            await using var client = await LspClient.StartAsync(init: new InitializeParams { RootUri = new Uri(root.FullName).AbsoluteUri });
            // Relative to the project root (two levels up), as Caffe resolves them when run from there.
            await client.OpenAsync(solverUri, "net: \"models/lenet/train.prototxt\"\ntest_net: \"missing.prototxt\"\nbase_lr: 0.01\n");
            var links = await client.RequestAsync<List<DocumentLink>>("textDocument/documentLink", new DocumentLinkParams { TextDocument = Doc(solverUri) });
            var link = Assert.Single(links);
            Assert.Equal(netUri, link.Target);
            Assert.Equal(0, link.Range.Start.Line);
            Assert.Equal(5, link.Range.Start.Character);

            await client.OpenAsync(netUri, "layer { name: \"d\" type: \"Python\" top: \"data\" python_param { module: \"layers.data\" layer: \"L\" }\n transform_param { mean_file: \"mean.binaryproto\" } }\n");
            links = await client.RequestAsync<List<DocumentLink>>("textDocument/documentLink", new DocumentLinkParams { TextDocument = Doc(netUri) });
            Assert.Equal(
                [new Uri(Path.Combine(root.FullName, "python", "layers", "data.py")).AbsoluteUri, new Uri(Path.Combine(root.FullName, "mean.binaryproto")).AbsoluteUri],
                links.Select(l => l.Target));
            await client.ShutdownAndExitAsync();
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    private static async Task<CompletionList> CompleteAsync(LspClient client, string marked)
    {
        var (text, cursor) = LspTests.Cursor(marked);
        await client.OpenAsync(Uri, text);
        return await client.RequestAsync<CompletionList>("textDocument/completion", new TextDocumentPositionParams { TextDocument = Doc(), Position = cursor });
    }

    [Fact]
    public async Task Completion_offers_layer_types_after_type()
    {
        await using var client = await LspClient.StartAsync();
        var list = await CompleteAsync(client, "layer {\n  name: \"c\"\n  type: \"Con|\"\n}\n");
        var conv = list.Items.Single(i => i.Label == "Convolution");
        Assert.Equal("\"Convolution\"", conv.TextEdit!.NewText);
        Assert.Equal(8, conv.TextEdit.Range.Start.Character); // the whole literal, quotes included
        Assert.Equal(13, conv.TextEdit.Range.End.Character);
        Assert.Equal("\"Convolution\"", conv.FilterText);
        Assert.Contains(list.Items, i => i.Label == "ReLU");
        Assert.True(list.Items.Count >= 60);

        list = await CompleteAsync(client, "layer {\n  type: |\n}\n");
        Assert.Equal("\"Pooling\"", list.Items.Single(i => i.Label == "Pooling").TextEdit!.NewText);
        await client.ShutdownAndExitAsync();
    }

    [Fact]
    public async Task Completion_offers_earlier_tops_after_bottom_nearest_first()
    {
        const string marked = """
            input: "data"
            layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1" }
            layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }
            layer { name: "pool1" type: "Pooling" bottom: "conv1" top: "pool1" }
            layer { name: "fc" type: "InnerProduct" bottom: | top: "fc" }
            layer { name: "later" type: "ReLU" bottom: "fc" top: "after" }
            """;
        await using var client = await LspClient.StartAsync();
        var list = await CompleteAsync(client, marked);
        var ordered = list.Items.OrderBy(i => i.SortText, StringComparer.Ordinal).Select(i => i.Label).ToList();
        Assert.Equal(["pool1", "conv1", "data"], ordered);
        Assert.Equal("\"pool1\"", list.Items.Single(i => i.Label == "pool1").TextEdit!.NewText);
        Assert.Contains("pool1", list.Items.Single(i => i.Label == "pool1").Detail);
        await client.ShutdownAndExitAsync();
    }

    [Fact]
    public async Task Completion_at_the_top_of_a_net_offers_a_whole_layer_snippet()
    {
        await using var client = await LspClient.StartAsync();
        var list = await CompleteAsync(client, "name: \"n\"\nlayer { name: \"c\" type: \"Convolution\" bottom: \"data\" top: \"conv1\" }\nla|");
        var snippet = list.Items.Single(i => i.Kind == 15);
        Assert.Equal("layer", snippet.Label);
        Assert.Equal(2, snippet.InsertTextFormat);
        Assert.Contains("type: \"${2:Convolution}\"", snippet.TextEdit!.NewText);
        Assert.Contains("bottom: \"${3:conv1}\"", snippet.TextEdit.NewText);
        await client.ShutdownAndExitAsync();
    }

    [Fact]
    public async Task Net_inputs_appear_in_the_outline_by_blob_name()
    {
        await using var client = await LspClient.StartAsync();
        await client.OpenAsync(Uri, "name: \"n\"\ninput: \"data\"\ninput_dim: 1\ninput_dim: 3\ninput_dim: 8\ninput_dim: 8\nlayer { name: \"r\" type: \"ReLU\" bottom: \"data\" top: \"r\" }\n");
        var symbols = await client.RequestAsync<List<DocumentSymbol>>("textDocument/documentSymbol", new DocumentSymbolParams { TextDocument = Doc() });
        var input = symbols.Single(s => s.Name == "data");
        Assert.Equal(13, input.Kind); // Variable
        Assert.Equal("net input", input.Detail);
        Assert.Equal(5, symbols.Single(s => s.Name == "r").Kind);
        await client.ShutdownAndExitAsync();
    }

    [Fact]
    public async Task Cancelled_requests_are_answered_with_request_cancelled_and_the_server_stays_up()
    {
        var sb = new StringBuilder("name: \"big\"\n");
        for (var i = 0; i < 4000; i++)
            sb.Append($"layer {{\n  name: \"l{i}\"\n  type: \"ReLU\"\n  bottom: \"b{i}\"\n  top: \"b{i + 1}\"\n}}\n");
        await using var client = await LspClient.StartAsync();
        await client.OpenAsync(Uri, sb.ToString());
        var tasks = new List<Task<SemanticTokensResult>>();
        var sources = new List<CancellationTokenSource>();
        for (var i = 0; i < 40; i++)
        {
            var cts = new CancellationTokenSource();
            sources.Add(cts);
            tasks.Add(client.RequestAsync<SemanticTokensResult>("textDocument/semanticTokens/full", new SemanticTokensParams { TextDocument = Doc() }, cts.Token));
        }

        foreach (var cts in sources) await cts.CancelAsync();
        int cancelled = 0, answered = 0;
        foreach (var t in tasks)
        {
            try
            {
                var tokens = await t;
                Assert.True(tokens.Data.Count > 0);
                answered++;
            }
            catch (OperationCanceledException)
            {
                cancelled++;
            }
        }

        output.WriteLine($"40 requests: {answered} answered, {cancelled} cancelled");
        Assert.True(cancelled > 0, "no request was cancelled");
        Assert.Equal(40, answered + cancelled);
        var hover = await client.RequestAsync<Hover?>("textDocument/hover", new TextDocumentPositionParams { TextDocument = Doc(), Position = new Position { Line = 2, Character = 3 } });
        Assert.NotNull(hover);
        Assert.Equal(0, await client.ShutdownAndExitAsync());
    }

    [Fact]
    public async Task Warnings_reach_the_client_as_log_messages_and_set_trace_adds_trace_lines()
    {
        await using var client = await LspClient.StartAsync();
        await client.Rpc.NotifyWithParameterObjectAsync("textDocument/didChange", new DidChangeTextDocumentParams
        {
            TextDocument = new VersionedTextDocumentIdentifier { Uri = "file:///never/opened.prototxt", Version = 2 },
            ContentChanges = [new TextDocumentContentChangeEvent { Text = "x" }],
        });
        Assert.StartsWith("2: ", client.WaitForLog("not open")); // MessageType.Warning

        await client.Rpc.NotifyWithParameterObjectAsync("$/setTrace", new SetTraceParams { Value = "messages" });
        await client.OpenAsync(Uri, "name: \"n\"\n");
        await client.RequestAsync<List<DocumentSymbol>>("textDocument/documentSymbol", new DocumentSymbolParams { TextDocument = Doc() });
        Assert.StartsWith("trace: ", client.WaitForLog("textDocument/documentSymbol handled in"));
        await client.ShutdownAndExitAsync();
    }

    [Fact]
    public async Task Log_file_setting_writes_the_log_there()
    {
        var file = Path.Combine(Path.GetTempPath(), $"prototxt-lsp-{Guid.NewGuid():N}.log");
        try
        {
            var json = "{\"prototxt\": {\"log\": {\"file\": " + JsonSerializer.Serialize(file) + "}, \"trace\": {\"server\": \"messages\"}}}";
            var options = JsonDocument.Parse(json).RootElement;
            await using (var client = await LspClient.StartAsync(init: new InitializeParams { InitializationOptions = options }))
            {
                await client.OpenAsync(Uri, "name: \"n\"\n");
                await client.RequestAsync<Hover?>("textDocument/hover", new TextDocumentPositionParams { TextDocument = Doc(), Position = new Position() });
                Assert.Equal(0, await client.ShutdownAndExitAsync());
            }

            var log = File.ReadAllText(file);
            Assert.Contains("textDocument/hover handled in", log);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
