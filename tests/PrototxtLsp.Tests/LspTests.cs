using StreamJsonRpc.Protocol;
using System.Text.Json;
using PrototxtLsp.Server.Protocol;
using PrototxtLsp.Tests.Infrastructure;
using StreamJsonRpc;

namespace PrototxtLsp.Tests;

/// <summary>End-to-end: the real server process over stdio.</summary>
public class LspTests
{
    private const string Uri = "file:///tmp/prototxt-lsp-test/net.prototxt";

    /// <summary>Splits a cursor-marked text ("kern|el_size") into the text and the cursor's position.</summary>
    internal static (string Text, Position Cursor) Cursor(string marked)
    {
        var offset = marked.IndexOf('|');
        var text = marked.Remove(offset, 1);
        var before = text[..offset];
        var line = before.Count(c => c == '\n');
        return (text, new Position { Line = line, Character = offset - (before.LastIndexOf('\n') + 1) });
    }

    [Fact]
    public async Task Initialize_shutdown_exit_lifecycle()
    {
        await using var client = await LspClient.StartAsync(initialize: false);
        var result = await client.Rpc.InvokeWithParameterObjectAsync<InitializeResult>("initialize", new InitializeParams());
        Assert.True(result.Capabilities.HoverProvider);
        Assert.True(result.Capabilities.DocumentSymbolProvider);
        Assert.Equal(2, result.Capabilities.TextDocumentSync.Change);
        Assert.Equal("prototxt-lsp", result.ServerInfo.Name);
        Assert.Equal(0, await client.ShutdownAndExitAsync());
    }

    [Fact]
    public async Task Exit_without_shutdown_exits_with_one()
    {
        await using var client = await LspClient.StartAsync();
        await client.Rpc.NotifyWithParameterObjectAsync("exit");
        Assert.Equal(1, await client.WaitForExitAsync());
    }

    [Fact]
    public async Task Unknown_methods_get_method_not_found_and_the_server_stays_up()
    {
        await using var client = await LspClient.StartAsync();
        var e = await Assert.ThrowsAsync<RemoteMethodNotFoundException>(() => client.Rpc.InvokeWithParameterObjectAsync<JsonElement?>("prototxt/noSuchMethod", new InitializedParams()));
        Assert.Equal(-32601, (int)e.ErrorCode);
        await client.OpenAsync(Uri, "name: 1\n");
        Assert.Single(client.NextDiagnostics(Uri, 1).Diagnostics);
        Assert.Equal(0, await client.ShutdownAndExitAsync());
    }

    [Fact]
    public async Task Diagnostics_follow_open_incremental_change_and_close()
    {
        await using var client = await LspClient.StartAsync();
        await client.OpenAsync(Uri, "name: \"net\"\r\nlayer {\r\n  name: \"😀\" bottm: \"x\"\r\n  type: \"Python\" top: \"y\"\r\n}\r\n");
        var first = client.NextDiagnostics(Uri, 1);
        var d = Assert.Single(first.Diagnostics);
        Assert.Equal("PTX2001", d.Code);
        Assert.Equal("prototxt", d.Source);
        Assert.Equal(1, d.Severity);
        Assert.Equal(2, d.Range.Start.Line);
        Assert.Equal(13, d.Range.Start.Character); // UTF-16: the emoji counts two
        Assert.EndsWith("README.md#ptx2001", d.CodeDescription!.Href);

        // Fix the typo with an incremental edit: "bottm" -> "bottom".
        await client.Rpc.NotifyWithParameterObjectAsync("textDocument/didChange", new DidChangeTextDocumentParams
        {
            TextDocument = new VersionedTextDocumentIdentifier { Uri = Uri, Version = 2 },
            ContentChanges = [new TextDocumentContentChangeEvent { Range = new PrototxtLsp.Server.Protocol.Range { Start = new Position { Line = 2, Character = 17 }, End = new Position { Line = 2, Character = 17 } }, Text = "o" }],
        });
        // The schema error is gone; now the net graph notices that nothing produces "x".
        var graph = Assert.Single(client.NextDiagnostics(Uri, 2).Diagnostics);
        Assert.Equal("PTX3001", graph.Code);
        Assert.Equal(2, graph.Range.Start.Line);

        // A full-text change, then close: diagnostics are cleared.
        await client.Rpc.NotifyWithParameterObjectAsync("textDocument/didChange", new DidChangeTextDocumentParams
        {
            TextDocument = new VersionedTextDocumentIdentifier { Uri = Uri, Version = 3 },
            ContentChanges = [new TextDocumentContentChangeEvent { Text = "name: \"a\"\nname: \"b\"\n" }],
        });
        var dup = Assert.Single(client.NextDiagnostics(Uri, 3).Diagnostics);
        Assert.Equal("PTX2004", dup.Code);
        Assert.Equal(0, Assert.Single(dup.RelatedInformation!).Location.Range.Start.Line);
        await client.Rpc.NotifyWithParameterObjectAsync("textDocument/didClose", new DidCloseTextDocumentParams { TextDocument = new TextDocumentIdentifier { Uri = Uri } });
        Assert.Empty(client.NextDiagnostics(Uri, -1).Diagnostics);
        Assert.Equal(0, await client.ShutdownAndExitAsync());
    }

    [Theory]
    [InlineData("layer { convolution_param { kern|el_size: 3 } }", "uint32 kernel_size = 4", "caffe.ConvolutionParameter")]
    [InlineData("layer { pooling_param { pool: AV|E } }", "AVE = 1", "Alternatives")]
    [InlineData("layer { include { phase: TR|AIN } }", "TRAIN = 0", "`TEST`")]
    [InlineData("layer |{ name: \"x\" }", "message caffe.LayerParameter", "")]
    [InlineData("base_lr: 0.1\nlr_pol|icy: \"step\"", "string lr_policy", "caffe.SolverParameter")]
    [InlineData("layer { type: \"Convol|ution\" }", "**Convolution** layer", "`convolution_param`")]
    [InlineData("layer { type: \"Spl|it\" }", "one", "in-place use (top = bottom) is not allowed")]
    [InlineData("layers { type: INNER_PRO|DUCT }", "**InnerProduct** layer", "INNER_PRODUCT = 14")]
    [InlineData("layer { name: \"c\" type: \"Convolution\" top: \"c1\" }\nlayer { name: \"r\" type: \"ReLU\" bottom: \"c1\" top: \"c1\" }\nlayer { name: \"p\" type: \"Pooling\" bottom: \"c|1\" top: \"p\" }",
        "Written by:\n- `c` (Convolution, line 1)\n- `r` (ReLU, line 2) in place", "Read by:\n- `p` (Pooling, line 3)")]
    public async Task Hover_shows_schema_docs(string marked, string expected, string alsoExpected)
    {
        var (text, cursor) = Cursor(marked);
        await using var client = await LspClient.StartAsync();
        await client.OpenAsync(Uri, text);
        var hover = await client.Rpc.InvokeWithParameterObjectAsync<Hover?>("textDocument/hover", new TextDocumentPositionParams
        {
            TextDocument = new TextDocumentIdentifier { Uri = Uri },
            Position = cursor,
        });
        Assert.NotNull(hover);
        Assert.Equal("markdown", hover!.Contents.Kind);
        Assert.Contains(expected, hover.Contents.Value);
        Assert.Contains(alsoExpected, hover.Contents.Value);
        await client.ShutdownAndExitAsync();
    }

    [Fact]
    public async Task Hover_on_nothing_is_null()
    {
        var (text, cursor) = Cursor("name: \"x\"   |  \n");
        await using var client = await LspClient.StartAsync();
        await client.OpenAsync(Uri, text);
        var hover = await client.Rpc.InvokeWithParameterObjectAsync<Hover?>("textDocument/hover", new TextDocumentPositionParams
        {
            TextDocument = new TextDocumentIdentifier { Uri = Uri },
            Position = cursor,
        });
        Assert.Null(hover);
        await client.ShutdownAndExitAsync();
    }

    [Fact]
    public async Task Document_symbols_list_layers_with_type_and_blobs()
    {
        const string text = """
            name: "n"
            layer {
              name: "conv1"
              type: "Convolution"
              bottom: "data"
              top: "conv1"
              convolution_param { num_output: 8 }
            }
            layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }
            """;
        await using var client = await LspClient.StartAsync();
        await client.OpenAsync(Uri, text);
        var symbols = await client.Rpc.InvokeWithParameterObjectAsync<List<DocumentSymbol>>("textDocument/documentSymbol", new DocumentSymbolParams
        {
            TextDocument = new TextDocumentIdentifier { Uri = Uri },
        });
        Assert.Equal(["name", "conv1", "relu1"], symbols.Select(s => s.Name));
        Assert.Equal("Convolution: data → conv1", symbols[1].Detail);
        Assert.Equal(1, symbols[1].Range.Start.Line);
        Assert.Equal(7, symbols[1].Range.End.Line);
        Assert.Equal("convolution_param", Assert.Single(symbols[1].Children!).Name);
        Assert.Equal("ReLU: conv1 → conv1", symbols[2].Detail);
        await client.ShutdownAndExitAsync();
    }

    private static async Task<CompletionList> CompleteAsync(LspClient client, string marked)
    {
        var (text, cursor) = Cursor(marked);
        await client.OpenAsync(Uri, text);
        return await client.Rpc.InvokeWithParameterObjectAsync<CompletionList>("textDocument/completion", new TextDocumentPositionParams
        {
            TextDocument = new TextDocumentIdentifier { Uri = Uri },
            Position = cursor,
        });
    }

    [Fact]
    public async Task Completion_offers_fields_of_the_enclosing_block_without_those_already_set()
    {
        await using var client = await LspClient.StartAsync();
        var list = await CompleteAsync(client, "layer {\n  name: \"a\"\n  convolution_param { num_output: 3 ker| }\n}\n");
        var labels = list.Items.Select(i => i.Label).ToList();
        Assert.Contains("kernel_size", labels);
        Assert.Contains("weight_filler", labels);
        Assert.DoesNotContain("num_output", labels); // non-repeated and already set
        Assert.DoesNotContain("name", labels);       // belongs to the layer, not to convolution_param
        var kernel = list.Items.Single(i => i.Label == "kernel_size");
        Assert.Equal("kernel_size: ", kernel.TextEdit!.NewText);
        Assert.Equal(2, kernel.TextEdit.Range.Start.Line);
        Assert.Equal(36, kernel.TextEdit.Range.Start.Character); // replaces the typed "ker"
        Assert.Contains("Filter size", kernel.Documentation!.Value);
        var filler = list.Items.Single(i => i.Label == "weight_filler");
        Assert.Equal(2, filler.InsertTextFormat);
        Assert.StartsWith("weight_filler {", filler.TextEdit!.NewText);
        await client.ShutdownAndExitAsync();
    }

    [Fact]
    public async Task Completion_in_a_layer_keeps_repeated_fields()
    {
        await using var client = await LspClient.StartAsync();
        var list = await CompleteAsync(client, "layer {\n  name: \"a\"\n  bottom: \"x\"\n  |\n}\n");
        var labels = list.Items.Select(i => i.Label).ToList();
        Assert.Contains("bottom", labels);
        Assert.Contains("convolution_param", labels);
        Assert.DoesNotContain("name", labels);
        await client.ShutdownAndExitAsync();
    }

    [Theory]
    [InlineData("layer { pooling_param { pool: | } }", "MAX,AVE,STOCHASTIC")]
    [InlineData("layer { include { phase: T| } }", "TRAIN,TEST")]
    [InlineData("force_backward: |", "true,false")]
    public async Task Completion_offers_enum_values_and_bools_after_colon(string marked, string expected)
    {
        await using var client = await LspClient.StartAsync();
        var list = await CompleteAsync(client, marked);
        Assert.Equal(expected.Split(','), list.Items.Select(i => i.Label));
        await client.ShutdownAndExitAsync();
    }

    [Fact]
    public async Task Completion_at_top_level_of_a_solver_offers_solver_fields()
    {
        await using var client = await LspClient.StartAsync();
        var list = await CompleteAsync(client, "base_lr: 0.1\nmax_iter: 10\n|");
        var labels = list.Items.Select(i => i.Label).ToList();
        Assert.Contains("lr_policy", labels);
        Assert.DoesNotContain("base_lr", labels);
        Assert.DoesNotContain("layer", labels);
        await client.ShutdownAndExitAsync();
    }

    [Fact]
    public async Task Folding_ranges_cover_blocks_lists_and_comment_runs()
    {
        const string text = "# one\n# two\n# three\nlayer {\n  name: \"a\"\n  param {\n    lr_mult: 1\n  }\n}\nlayer { name: \"b\" }\nloss_weight: [\n 1,\n 2]\n";
        await using var client = await LspClient.StartAsync();
        await client.OpenAsync(Uri, text);
        var folds = await client.Rpc.InvokeWithParameterObjectAsync<List<FoldingRange>>("textDocument/foldingRange", new FoldingRangeParams
        {
            TextDocument = new TextDocumentIdentifier { Uri = Uri },
        });
        Assert.Equal(["0-2 comment", "3-8 ", "5-7 ", "10-12 "], folds.Select(f => $"{f.StartLine}-{f.EndLine} {f.Kind}"));
        await client.ShutdownAndExitAsync();
    }

    [Fact]
    public async Task Selection_ranges_grow_from_token_to_field_to_block()
    {
        var (text, cursor) = Cursor("layer {\n  convolution_param { kernel_size: 3|3 }\n}\n");
        await using var client = await LspClient.StartAsync();
        await client.OpenAsync(Uri, text);
        var ranges = await client.Rpc.InvokeWithParameterObjectAsync<List<SelectionRange>>("textDocument/selectionRange", new SelectionRangeParams
        {
            TextDocument = new TextDocumentIdentifier { Uri = Uri },
            Positions = [cursor],
        });
        var steps = new List<string>();
        for (var r = Assert.Single(ranges); r is not null; r = r.Parent)
            steps.Add($"{r.Range.Start.Line}:{r.Range.Start.Character}-{r.Range.End.Line}:{r.Range.End.Character}");
        // "33", "kernel_size: 33", "{ kernel_size: 33 }", "convolution_param { … }", the layer's block, the layer field, the document.
        Assert.Equal(["1:35-1:37", "1:22-1:37", "1:20-1:39", "1:2-1:39", "0:6-2:1", "0:0-2:1", "0:0-3:0"], steps);
        await client.ShutdownAndExitAsync();
    }
}
