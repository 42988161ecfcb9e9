using PrototxtLsp.Server.Protocol;
using PrototxtLsp.Tests.Infrastructure;
using StreamJsonRpc;
using Hover = PrototxtLsp.Server.Protocol.Hover;
using Range = PrototxtLsp.Server.Protocol.Range;

namespace PrototxtLsp.Tests;

/// <summary>End-to-end over stdio: navigation, rename, call hierarchy and quick fixes on the net graph.</summary>
public class LspGraphTests
{
    private const string Uri = "file:///tmp/prototxt-lsp-test/graph.prototxt";

    /// <summary>conv1 → relu1 (in place) → pool1 → fc, with a TEST-only accuracy; lines are 0-based in the asserts.</summary>
    private const string Net = """
        name: "g"
        layer { name: "data" type: "Input" top: "data" top: "label" input_param { shape { dim: 1 dim: 3 dim: 8 dim: 8 } shape { dim: 1 } } }
        layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1" convolution_param { num_output: 4 kernel_size: 3 } }
        layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }
        layer { name: "pool1" type: "Pooling" bottom: "conv1" top: "pool1" pooling_param { pool: MAX kernel_size: 2 } }
        layer { name: "fc" type: "InnerProduct" bottom: "pool1" top: "fc" inner_product_param { num_output: 2 } }
        layer { name: "acc" type: "Accuracy" bottom: "fc" bottom: "label" top: "acc" include { phase: TEST } }
        """;

    private static TextDocumentIdentifier Doc => new() { Uri = Uri };

    private static Position At(string text, string needle, int occurrence = 0, int delta = 1)
    {
        var index = -1;
        for (var i = 0; i <= occurrence; i++) index = text.IndexOf(needle, index + 1, StringComparison.Ordinal);
        Assert.True(index >= 0, needle);
        index += delta;
        var before = text[..index];
        return new Position { Line = before.Count(c => c == '\n'), Character = index - (before.LastIndexOf('\n') + 1) };
    }

    private static string Text(Range r, string text)
    {
        var map = new Core.Text.LineMap(text);
        var start = map.GetOffset(r.Start.Line, r.Start.Character);
        return text[start..map.GetOffset(r.End.Line, r.End.Character)];
    }

    private static async Task<LspClient> OpenAsync(string text)
    {
        var client = await LspClient.StartAsync();
        await client.OpenAsync(Uri, text);
        return client;
    }

    [Fact]
    public async Task Definition_goes_from_a_bottom_to_the_nearest_producer_and_from_an_in_place_top_to_the_previous_write()
    {
        await using var client = await OpenAsync(Net);
        // pool1's bottom "conv1" was last written by relu1 (in place).
        var fromPool = await client.RequestAsync<List<Location>>("textDocument/definition", new TextDocumentPositionParams { TextDocument = Doc, Position = At(Net, "bottom: \"conv1\"", 1, 10) });
        var target = Assert.Single(fromPool);
        Assert.Equal(3, target.Range.Start.Line);
        Assert.Equal("\"conv1\"", Text(target.Range, Net));
        Assert.Contains("top: \"conv1\"", Net.Split('\n')[3][(target.Range.Start.Character - 5)..]);

        // relu1's in-place top goes to conv1's top.
        var fromRelu = await client.RequestAsync<List<Location>>("textDocument/definition", new TextDocumentPositionParams { TextDocument = Doc, Position = At(Net, "top: \"conv1\"", 1, 7) });
        Assert.Equal(2, Assert.Single(fromRelu).Range.Start.Line);
        await client.ShutdownAndExitAsync();
    }

    [Fact]
    public async Task References_and_highlights_cover_the_whole_in_place_chain()
    {
        await using var client = await OpenAsync(Net);
        var position = At(Net, "bottom: \"conv1\"", 0, 10);
        var refs = await client.RequestAsync<List<Location>>("textDocument/references", new ReferenceParams { TextDocument = Doc, Position = position });
        Assert.Equal([2, 3, 3, 4], refs.Select(r => r.Range.Start.Line));
        var reads = await client.RequestAsync<List<Location>>("textDocument/references", new ReferenceParams { TextDocument = Doc, Position = position, Context = new ReferenceContext { IncludeDeclaration = false } });
        Assert.Equal([3, 4], reads.Select(r => r.Range.Start.Line));
        var highlights = await client.RequestAsync<List<DocumentHighlight>>("textDocument/documentHighlight", new TextDocumentPositionParams { TextDocument = Doc, Position = position });
        Assert.Equal(["2:3", "3:2", "3:3", "4:2"], highlights.Select(h => $"{h.Range.Start.Line}:{h.Kind}"));
        await client.ShutdownAndExitAsync();
    }

    [Fact]
    public async Task Rename_a_blob_renames_every_occurrence_and_refuses_a_collision()
    {
        await using var client = await OpenAsync(Net);
        var position = At(Net, "top: \"conv1\"", 0, 7);
        var prepared = await client.RequestAsync<PrepareRenameResult>("textDocument/prepareRename", new TextDocumentPositionParams { TextDocument = Doc, Position = position });
        Assert.Equal("conv1", prepared.Placeholder);
        Assert.Equal("\"conv1\"", Text(prepared.Range, Net));

        var edit = await client.RequestAsync<WorkspaceEdit>("textDocument/rename", new RenameParams { TextDocument = Doc, Position = position, NewName = "features" });
        var edits = edit.Changes[Uri];
        Assert.Equal(4, edits.Count);
        Assert.All(edits, e => Assert.Equal("\"features\"", e.NewText));
        Assert.Equal([2, 3, 3, 4], edits.Select(e => e.Range.Start.Line));

        var refused = await Assert.ThrowsAsync<RemoteInvocationException>(() =>
            client.RequestAsync<WorkspaceEdit>("textDocument/rename", new RenameParams { TextDocument = Doc, Position = position, NewName = "pool1" }));
        Assert.Contains("already has a blob named 'pool1'", refused.Message);
        await client.ShutdownAndExitAsync();
    }

    [Fact]
    public async Task Rename_a_layer_renames_only_its_name_and_prepare_refuses_elsewhere()
    {
        await using var client = await OpenAsync(Net);
        var edit = await client.RequestAsync<WorkspaceEdit>("textDocument/rename", new RenameParams { TextDocument = Doc, Position = At(Net, "name: \"fc\"", 0, 8), NewName = "classifier" });
        var single = Assert.Single(edit.Changes[Uri]);
        Assert.Equal("\"classifier\"", single.NewText);
        Assert.Equal(5, single.Range.Start.Line);
        var refused = await Assert.ThrowsAsync<RemoteInvocationException>(() =>
            client.RequestAsync<PrepareRenameResult>("textDocument/prepareRename", new TextDocumentPositionParams { TextDocument = Doc, Position = At(Net, "num_output: 4", 0, 2) }));
        Assert.Contains("can be renamed", refused.Message);
        await client.ShutdownAndExitAsync();
    }

    [Fact]
    public async Task Call_hierarchy_walks_the_layer_graph()
    {
        await using var client = await OpenAsync(Net);
        var items = await client.RequestAsync<List<CallHierarchyItem>>("textDocument/prepareCallHierarchy", new CallHierarchyPrepareParams { TextDocument = Doc, Position = At(Net, "name: \"relu1\"", 0, 8) });
        var relu = Assert.Single(items);
        Assert.Equal("relu1", relu.Name);
        Assert.Equal("ReLU: conv1 → conv1", relu.Detail);
        var incoming = await client.RequestAsync<List<CallHierarchyIncomingCall>>("callHierarchy/incomingCalls", new CallHierarchyCallsParams { Item = relu });
        Assert.Equal("conv1", Assert.Single(incoming).From.Name);
        Assert.Equal("\"conv1\"", Text(Assert.Single(incoming[0].FromRanges), Net));
        var outgoing = await client.RequestAsync<List<CallHierarchyOutgoingCall>>("callHierarchy/outgoingCalls", new CallHierarchyCallsParams { Item = relu });
        Assert.Equal("pool1", Assert.Single(outgoing).To.Name);

        var fc = (await client.RequestAsync<List<CallHierarchyItem>>("textDocument/prepareCallHierarchy", new CallHierarchyPrepareParams { TextDocument = Doc, Position = At(Net, "name: \"fc\"", 0, 8) }))[0];
        var fcOut = await client.RequestAsync<List<CallHierarchyOutgoingCall>>("callHierarchy/outgoingCalls", new CallHierarchyCallsParams { Item = fc });
        Assert.Equal("acc", Assert.Single(fcOut).To.Name);
        await client.ShutdownAndExitAsync();
    }

    [Fact]
    public async Task Hover_on_a_blob_names_its_writers_readers_and_states()
    {
        await using var client = await OpenAsync(Net);
        var hover = await client.RequestAsync<Hover>("textDocument/hover", new TextDocumentPositionParams { TextDocument = Doc, Position = At(Net, "top: \"acc\"", 0, 7) });
        Assert.Contains("Exists in TEST.", hover.Contents.Value);
        Assert.Contains("`acc` (Accuracy, line 7) (in TEST)", hover.Contents.Value);
        Assert.Contains("output of the net", hover.Contents.Value);
        hover = await client.RequestAsync<Hover>("textDocument/hover", new TextDocumentPositionParams { TextDocument = Doc, Position = At(Net, "bottom: \"conv1\"", 1, 10) });
        Assert.Contains("Here it is read from `relu1` (ReLU, line 4)", hover.Contents.Value);
        await client.ShutdownAndExitAsync();
    }

    private static async Task<List<CodeAction>> ActionsAsync(LspClient client, string text, string needle)
    {
        await client.OpenAsync(Uri, text);
        var at = At(text, needle, 0, 0);
        return await client.RequestAsync<List<CodeAction>>("textDocument/codeAction", new CodeActionParams
        {
            TextDocument = Doc,
            Range = new Range { Start = at, End = at },
        });
    }

    [Theory]
    [InlineData("bottom: \"covn1\"", "covn1", "Change to 'conv1'", "\"conv1\"", "PTX3001")]
    [InlineData("type: \"convolution\"", "convolution", "Change to 'Convolution'", "\"Convolution\"", "PTX3003")]
    [InlineData("botom: \"conv1\"", "botom", "Change to 'bottom'", "bottom", "PTX2001")]
    [InlineData("pooling_param { pool: MAXX }", "MAXX", "Change to 'MAX'", "MAX", "PTX2003")]
    public async Task Quick_fixes_apply_the_did_you_mean(string line, string needle, string title, string newText, string code)
    {
        var text = "layer { name: \"conv1\" type: \"Input\" top: \"conv1\" input_param { shape { dim: 1 } } }\nlayer { name: \"x\" type: \"Pooling\" " + line + " top: \"y\" }\n";
        if (!line.StartsWith("bottom", StringComparison.Ordinal) && !line.StartsWith("botom", StringComparison.Ordinal)) text = text.Replace(" top: \"y\"", " bottom: \"conv1\" top: \"y\"");
        if (line.StartsWith("type", StringComparison.Ordinal)) text = text.Replace("type: \"Pooling\" ", "");
        await using var client = await LspClient.StartAsync();
        var actions = await ActionsAsync(client, text, needle);
        var action = Assert.Single(actions, a => a.Title == title);
        Assert.Equal("quickfix", action.Kind);
        Assert.Equal(code, Assert.Single(action.Diagnostics!).Code);
        Assert.True(action.IsPreferred);
        var edit = Assert.Single(action.Edit!.Changes[Uri]);
        Assert.Equal(newText, edit.NewText);
        await client.ShutdownAndExitAsync();
    }

    [Fact]
    public async Task Quick_fix_removes_a_duplicated_field_with_its_line()
    {
        const string text = "layer {\n  name: \"a\"\n  name: \"b\"\n  type: \"Input\"\n  top: \"a\"\n}\n";
        await using var client = await LspClient.StartAsync();
        var actions = await ActionsAsync(client, text, "name: \"b\"");
        var remove = Assert.Single(actions, a => a.Title.StartsWith("Remove", StringComparison.Ordinal));
        var edit = Assert.Single(remove.Edit!.Changes[Uri]);
        Assert.Equal("", edit.NewText);
        Assert.Equal("2:0-3:0", $"{edit.Range.Start.Line}:{edit.Range.Start.Character}-{edit.Range.End.Line}:{edit.Range.End.Character}");
        await client.ShutdownAndExitAsync();
    }

    [Fact]
    public async Task Legacy_files_get_an_upgrade_quick_fix_that_rewrites_the_whole_file()
    {
        const string text = "name: \"old\"\ninput: \"data\"\ninput_dim: 1\ninput_dim: 3\ninput_dim: 8\ninput_dim: 8\nlayers {\n  name: \"conv1\"\n  type: CONVOLUTION\n  bottom: \"data\"\n  top: \"conv1\"\n  blobs_lr: 1\n  convolution_param { num_output: 4 kernel_size: 3 }\n}\n";
        await using var client = await LspClient.StartAsync();
        var actions = await ActionsAsync(client, text, "layers");
        var upgrade = Assert.Single(actions, a => a.Title == "Upgrade to the current format");
        Assert.True(upgrade.IsPreferred);
        Assert.All(upgrade.Diagnostics!, d => Assert.Equal("PTX3011", d.Code));
        var edit = Assert.Single(upgrade.Edit!.Changes[Uri]);
        Assert.Equal("0:0", $"{edit.Range.Start.Line}:{edit.Range.Start.Character}");
        Assert.DoesNotContain("layers", edit.NewText);
        Assert.Contains("type: \"Input\"", edit.NewText);
        Assert.Contains("type: \"Convolution\"", edit.NewText);
        Assert.Contains("lr_mult: 1", edit.NewText);
        await client.ShutdownAndExitAsync();
    }
}
