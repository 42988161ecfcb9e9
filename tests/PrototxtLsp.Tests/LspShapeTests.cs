using System.Text.Json;
using PrototxtLsp.Server.Protocol;
using PrototxtLsp.Tests.Infrastructure;
using Hover = PrototxtLsp.Server.Protocol.Hover;
using Range = PrototxtLsp.Server.Protocol.Range;

namespace PrototxtLsp.Tests;

/// <summary>Shapes and costs over the protocol: inlay hints, code lenses (opt-in), hover on layers and blobs.</summary>
public class LspShapeTests
{
    private const string Uri = "file:///tmp/prototxt-lsp-test/shapes.prototxt";

    private const string Net = """
        name: "s"
        layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 2 dim: 3 dim: 32 dim: 32 } } }
        layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1" convolution_param { num_output: 8 kernel_size: 3 stride: 2 pad: 1 } }
        layer { name: "pool1" type: "Pooling" bottom: "conv1" top: "pool1" pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
        layer { name: "fc" type: "InnerProduct" bottom: "pool1" top: "fc" inner_product_param { num_output: 10 } }
        layer { name: "drop" type: "Dropout" bottom: "fc" top: "fc" include { phase: TRAIN } }
        """;

    private static TextDocumentIdentifier Doc => new() { Uri = Uri };

    private static Range Whole => new() { Start = new Position(), End = new Position { Line = 100 } };

    [Fact]
    public async Task Inlay_hints_show_each_top_shape_after_it()
    {
        await using var client = await LspClient.StartAsync();
        await client.OpenAsync(Uri, Net);
        var hints = await client.RequestAsync<List<InlayHint>>("textDocument/inlayHint", new InlayHintParams { TextDocument = Doc, Range = Whole });
        // conv1: (32 + 2 − 3) / 2 + 1 = 16; pool1: ceil((16 − 2) / 2) + 1 = 8; fc: 2×10.
        Assert.Equal(["1: 2×3×32×32", "2: 2×8×16×16", "3: 2×8×8×8", "4: 2×10", "5: 2×10"], hints.Select(h => $"{h.Position.Line}: {h.Label}"));
        var line2 = Net.Split('\n')[2];
        Assert.Equal(line2.IndexOf("top: \"conv1\"", StringComparison.Ordinal) + "top: \"conv1\"".Length, hints[1].Position.Character);
        Assert.Equal(1, hints[0].Kind);
        await client.ShutdownAndExitAsync();
    }

    [Fact]
    public async Task Inlay_hints_and_code_lenses_follow_the_settings()
    {
        var options = JsonDocument.Parse("{\"prototxt\": {\"inlayHints\": {\"shapes\": false}, \"codeLens\": {\"cost\": true}}}").RootElement;
        await using var client = await LspClient.StartAsync(init: new InitializeParams { InitializationOptions = options });
        await client.OpenAsync(Uri, Net);
        Assert.Empty(await client.RequestAsync<List<InlayHint>>("textDocument/inlayHint", new InlayHintParams { TextDocument = Doc, Range = Whole }));
        var lenses = await client.RequestAsync<List<CodeLens>>("textDocument/codeLens", new CodeLensParams { TextDocument = Doc });
        var conv = lenses.Single(l => l.Range.Start.Line == 2);
        // 8 filters of 3×3×3 plus 8 biases; MACs 2·8·3·9·16·16.
        Assert.Equal("params 224 · MACs 110.59 k · activations 16.0 KiB", conv.Command!.Title);
        Assert.Contains("(TRAIN)", lenses.Single(l => l.Range.Start.Line == 5).Command!.Title);

        await client.Rpc.NotifyWithParameterObjectAsync("workspace/didChangeConfiguration", new DidChangeConfigurationParams
        {
            Settings = JsonDocument.Parse("{\"prototxt\": {\"inlayHints\": {\"shapes\": true}, \"codeLens\": {\"cost\": false}}}").RootElement,
        });
        Assert.NotEmpty(await client.RequestAsync<List<InlayHint>>("textDocument/inlayHint", new InlayHintParams { TextDocument = Doc, Range = Whole }));
        Assert.Empty(await client.RequestAsync<List<CodeLens>>("textDocument/codeLens", new CodeLensParams { TextDocument = Doc }));
        await client.ShutdownAndExitAsync();
    }

    [Fact]
    public async Task Hover_on_a_layer_name_shows_shapes_and_costs_and_a_blob_shows_its_shape()
    {
        await using var client = await LspClient.StartAsync();
        await client.OpenAsync(Uri, Net);
        var line = Net.Split('\n')[2];
        var hover = await client.RequestAsync<Hover>("textDocument/hover", new TextDocumentPositionParams
        {
            TextDocument = Doc,
            Position = new Position { Line = 2, Character = line.IndexOf("\"conv1\"", StringComparison.Ordinal) + 2 },
        });
        Assert.Contains("**layer** `conv1` · Convolution", hover.Contents.Value);
        Assert.Contains("- bottom `data`: 2×3×32×32", hover.Contents.Value);
        Assert.Contains("- top `conv1`: 2×8×16×16", hover.Contents.Value);
        Assert.Contains("Parameters: 224", hover.Contents.Value);

        var fcLine = Net.Split('\n')[4];
        hover = await client.RequestAsync<Hover>("textDocument/hover", new TextDocumentPositionParams
        {
            TextDocument = Doc,
            Position = new Position { Line = 4, Character = fcLine.IndexOf("top: \"fc\"", StringComparison.Ordinal) + 7 },
        });
        Assert.StartsWith("**blob** `fc` · 2×10", hover.Contents.Value);
        await client.ShutdownAndExitAsync();
    }

    [Fact]
    public async Task Layer_graph_request_folds_in_place_layers_and_follows_the_state()
    {
        const string text = """
            name: "g"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 8 dim: 8 } } }
            layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1" convolution_param { num_output: 4 kernel_size: 3 } }
            layer { name: "bn1" type: "BatchNorm" bottom: "conv1" top: "conv1" }
            layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }
            layer { name: "conv2" type: "Convolution" bottom: "conv1" top: "conv2" convolution_param { num_output: 4 kernel_size: 1 } }
            layer { name: "sum" type: "Eltwise" bottom: "conv1" bottom: "conv2" top: "sum" }
            layer { name: "drop" type: "Dropout" bottom: "sum" top: "sum" include { phase: TRAIN } }
            """;
        await using var client = await LspClient.StartAsync();
        await client.OpenAsync(Uri, text);
        var graph = await client.RequestAsync<LayerGraphResult>("prototxt/layerGraph", new LayerGraphParams { TextDocument = Doc });
        Assert.Equal(["TRAIN", "TEST"], graph.States);
        Assert.Equal("TEST", graph.States[graph.State]);
        Assert.Equal(["data", "conv1", "conv2", "sum"], graph.Nodes.Select(n => n.Name));
        var conv1 = graph.Nodes.Single(n => n.Name == "conv1");
        Assert.Equal(["bn1", "relu1"], conv1.Folded.Select(f => f.Name));
        Assert.Equal("1×4×6×6", Assert.Single(conv1.Tops).Shape);
        Assert.Equal(2, conv1.Range.Start.Line);
        Assert.Equal(
            ["data→conv1 data 1×3×8×8", "conv1→conv2 conv1 1×4×6×6", "conv1→sum conv1 1×4×6×6", "conv2→sum conv2 1×4×6×6"],
            graph.Edges.Select(e => $"{graph.Nodes.Single(n => n.Id == e.From).Name}→{graph.Nodes.Single(n => n.Id == e.To).Name} {e.Blob} {e.Shape}"));

        var train = await client.RequestAsync<LayerGraphResult>("prototxt/layerGraph", new LayerGraphParams { TextDocument = Doc, State = 0 });
        Assert.Equal(["drop"], train.Nodes.Single(n => n.Name == "sum").Folded.Select(f => f.Name));
        await client.ShutdownAndExitAsync();
    }
}
