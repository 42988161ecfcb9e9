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
    private static (string Text, Position Cursor) Cursor(string marked)
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
        await client.OpenAsync(Uri, "name: \"net\"\r\nlayer {\r\n  name: \"😀\" bottm: \"x\"\r\n}\r\n");
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
        Assert.Empty(client.NextDiagnostics(Uri, 2).Diagnostics);

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
}
