using System.Text.Json;
using PrototxtLsp.Server.Protocol;
using PrototxtLsp.Server.Schemas;
using PrototxtLsp.Tests.Infrastructure;

namespace PrototxtLsp.Tests;

/// <summary>Fork schemas end to end over stdio: header, setting, project file, reload on watched-file changes, a non-Caffe schema.</summary>
public class LspForkTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("prototxt-lspfork-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string relative, string text) => ForkProtos.Write(_dir, relative, text);

    private static string UriOf(string path) => new Uri(path).AbsoluteUri;

    private string RootUri => UriOf(_dir);

    private static TextDocumentIdentifier Doc(string uri) => new() { Uri = uri };

    private static Position At(string text, string needle, int delta = 0)
    {
        var offset = text.IndexOf(needle, StringComparison.Ordinal);
        Assert.True(offset >= 0, $"'{needle}' not in the text");
        var p = new Core.Text.LineMap(text).GetPosition(offset + delta);
        return new Position { Line = p.Line, Character = p.Character };
    }

    private static string Describe(PublishDiagnosticsParams p) => string.Join("\n", p.Diagnostics.Select(d => $"{d.Code} {d.Message}"));

    private static Task ChangedOnDisk(LspClient client, params string[] paths) =>
        client.Rpc.NotifyWithParameterObjectAsync("workspace/didChangeWatchedFiles", new DidChangeWatchedFilesParams
        {
            Changes = paths.Select(p => new FileEvent { Uri = UriOf(p), Type = File.Exists(p) ? 2 : 3 }).ToList(),
        });

    private static Task<Hover?> HoverAsync(LspClient client, string uri, Position position) =>
        client.RequestAsync<Hover?>("textDocument/hover", new TextDocumentPositionParams { TextDocument = Doc(uri), Position = position });

    [Fact]
    public async Task Fork_net_via_header_is_clean_and_a_proto_edit_on_disk_is_picked_up()
    {
        var proto = Write("fork/caffe.proto", ForkProtos.Ssd());
        var text = "# proto-file: ../fork/caffe.proto\n" + ForkProtos.SsdNet;
        var net = Write("models/deploy.prototxt", text);
        var uri = UriOf(net);
        await using var client = await LspClient.StartAsync(init: new InitializeParams { RootUri = RootUri });
        await client.OpenAsync(uri, text);
        var first = client.NextDiagnostics(uri, 1);
        Assert.True(first.Diagnostics.Count == 0, Describe(first));

        var hover = await HoverAsync(client, uri, At(text, "norm_param", 2));
        Assert.NotNull(hover);
        Assert.Contains("NormalizeParameter", hover.Contents.Value);
        Assert.Contains("Schema: " + proto, hover.Contents.Value);
        Assert.Contains("proto-file header", hover.Contents.Value);
        hover = await HoverAsync(client, uri, At(text, "across_spatial", 3));
        Assert.NotNull(hover);
        Assert.Contains("Schema: " + proto, hover.Contents.Value);

        // The fork drops norm_param: after the watched-file notification the net is checked again.
        var original = File.ReadAllText(proto);
        File.WriteAllText(proto, ForkProtos.RemoveLayerField(original, "norm_param"));
        await ChangedOnDisk(client, proto);
        var second = client.NextDiagnostics(uri, 1);
        Assert.Contains(second.Diagnostics, d => d.Code == "PTX2001" && d.Message.Contains("norm_param"));

        // And back.
        File.WriteAllText(proto, original);
        await ChangedOnDisk(client, proto);
        var third = client.NextDiagnostics(uri, 1);
        Assert.True(third.Diagnostics.Count == 0, Describe(third));
        await client.ShutdownAndExitAsync();
    }

    [Fact]
    public async Task Change_to_an_imported_proto_reloads_although_the_main_proto_is_unchanged()
    {
        var main = ForkProtos.ReplaceOnce(ForkProtos.AddLayerFields(ForkProtos.Bvlc, ForkProtos.SsdLayerFields), "package caffe;\n", "package caffe;\n\nimport \"ssd_layers.proto\";\n");
        Write("fork/caffe.proto", main);
        var messages = ForkProtos.SsdMessages.Replace("optional FillerParameter scale_filler", "optional SsdFiller scale_filler") + "\nmessage SsdFiller {\n  optional string type = 1;\n  optional float value = 2;\n}\n";
        var extra = Write("extra/ssd_layers.proto", "syntax = \"proto2\";\npackage caffe;\n" + messages);
        var text = "# proto-file: ../fork/caffe.proto\n# proto-import: ../extra\n" + ForkProtos.SsdNet;
        var uri = UriOf(Write("models/net.prototxt", text));
        await using var client = await LspClient.StartAsync(init: new InitializeParams { RootUri = RootUri });
        await client.OpenAsync(uri, text);
        var first = client.NextDiagnostics(uri, 1);
        Assert.True(first.Diagnostics.Count == 0, Describe(first));

        File.WriteAllText(extra, File.ReadAllText(extra).Replace("  optional bool channel_shared = 3 [default = true];\n", ""));
        await ChangedOnDisk(client, extra);
        Assert.Contains(client.NextDiagnostics(uri, 1).Diagnostics, d => d.Code == "PTX2001" && d.Message.Contains("channel_shared"));
        await client.ShutdownAndExitAsync();
    }

    [Fact]
    public async Task Watched_change_rechecks_every_open_document()
    {
        var proto = Write("fork/caffe.proto", ForkProtos.Ssd());
        var texts = new[] { "# proto-file: ../fork/caffe.proto\n" + ForkProtos.SsdNet, "# proto-file: ../fork/caffe.proto\nlayer { name: \"p\" type: \"Permute\" bottom: \"x\" top: \"p\" permute_param { order: 0 } }\n" };
        var uris = texts.Select((t, i) => UriOf(Write($"models/net{i}.prototxt", t))).ToList();
        await using var client = await LspClient.StartAsync(init: new InitializeParams { RootUri = RootUri });
        for (var i = 0; i < texts.Length; i++)
        {
            await client.OpenAsync(uris[i], texts[i], version: 3);
            Assert.DoesNotContain(client.NextDiagnostics(uris[i], 3).Diagnostics, d => d.Code is "PTX2001" or "PTX3003");
        }

        File.WriteAllText(proto, ForkProtos.RemoveLayerField(File.ReadAllText(proto), "permute_param"));
        await ChangedOnDisk(client, proto);
        foreach (var uri in uris)
            Assert.Contains(client.NextDiagnostics(uri, 3).Diagnostics, d => d.Code == "PTX2001" && d.Message.Contains("permute_param"));
        await client.ShutdownAndExitAsync();
    }

    [Fact]
    public async Task Schema_path_setting_from_initialization_options_and_configuration_changes()
    {
        var proto = Write("third_party/fork/caffe.proto", ForkProtos.Ssd());
        var net = Write("models/deploy.prototxt", ForkProtos.SsdNet);
        var uri = UriOf(net);
        // Relative to the workspace root.
        var options = JsonDocument.Parse("{\"prototxt\": {\"schema\": {\"path\": \"third_party/fork/caffe.proto\"}}}").RootElement;
        await using var client = await LspClient.StartAsync(init: new InitializeParams { RootUri = RootUri, InitializationOptions = options });
        await client.OpenAsync(uri, ForkProtos.SsdNet);
        var first = client.NextDiagnostics(uri, 1);
        Assert.True(first.Diagnostics.Count == 0, Describe(first));
        var hover = await HoverAsync(client, uri, At(ForkProtos.SsdNet, "prior_box_param", 1));
        Assert.Contains("Schema: " + proto, hover!.Contents.Value);
        Assert.Contains("schema setting", hover.Contents.Value);

        // Cleared: back to the embedded schema.
        await client.Rpc.NotifyWithParameterObjectAsync("workspace/didChangeConfiguration", new DidChangeConfigurationParams
        {
            Settings = JsonDocument.Parse("{\"prototxt\": {\"schema\": {\"path\": null}}}").RootElement,
        });
        var second = client.NextDiagnostics(uri, 1);
        Assert.Contains(second.Diagnostics, d => d.Code == "PTX2001");
        Assert.Contains(second.Diagnostics, d => d.Code == "PTX3003");
        hover = await HoverAsync(client, uri, At(ForkProtos.SsdNet, "convolution_param", 1));
        Assert.Contains("Schema: the embedded BVLC caffe.proto", hover!.Contents.Value);

        // The dotted form, with an absolute path.
        await client.Rpc.NotifyWithParameterObjectAsync("workspace/didChangeConfiguration", new DidChangeConfigurationParams
        {
            Settings = JsonDocument.Parse("{\"prototxt\": {\"schema.path\": " + JsonSerializer.Serialize(proto) + "}}").RootElement,
        });
        var third = client.NextDiagnostics(uri, 1);
        Assert.True(third.Diagnostics.Count == 0, Describe(third));

        // A header still beats the setting.
        var headed = "# proto-file: ../nowhere.proto\n" + ForkProtos.SsdNet;
        var headedUri = UriOf(Write("models/headed.prototxt", headed));
        await client.OpenAsync(headedUri, headed);
        var failed = Assert.Single(client.NextDiagnostics(headedUri, 1).Diagnostics, d => d.Code == "PTX5002");
        Assert.Equal(0, failed.Range.Start.Line);
        Assert.Equal("# proto-file: ".Length, failed.Range.Start.Character);
        await client.ShutdownAndExitAsync();
    }

    [Fact]
    public async Task Broken_proto_gives_one_PTX5002_until_it_is_fixed_on_disk()
    {
        var proto = Write("fork/caffe.proto", ForkProtos.Ssd().Replace("message PermuteParameter {", "message PermuteParameter {{"));
        var text = "# proto-file: ../fork/caffe.proto\n" + ForkProtos.SsdNet;
        var uri = UriOf(Write("models/net.prototxt", text));
        await using var client = await LspClient.StartAsync(init: new InitializeParams { RootUri = RootUri });
        await client.OpenAsync(uri, text);
        var first = client.NextDiagnostics(uri, 1);
        var failed = Assert.Single(first.Diagnostics, d => d.Code == "PTX5002");
        Assert.Equal(1, failed.Severity);
        Assert.Contains("protoc:", failed.Message);
        Assert.Contains("caffe.proto:", failed.Message);
        // Meanwhile checked against the embedded schema.
        Assert.Contains(first.Diagnostics, d => d.Code == "PTX2001");

        File.WriteAllText(proto, ForkProtos.Ssd());
        await ChangedOnDisk(client, proto);
        var second = client.NextDiagnostics(uri, 1);
        Assert.True(second.Diagnostics.Count == 0, Describe(second));
        await client.ShutdownAndExitAsync();
    }

    [Fact]
    public async Task Project_file_changes_are_picked_up()
    {
        const string Net = """
            layer { name: "data" type: "Input" top: "a" top: "x" top: "y" input_param { shape { dim: 1 } shape { dim: 1 } shape { dim: 1 } } }
            layer { name: "axpy" type: "Axpy" bottom: "a" bottom: "x" bottom: "y" top: "out" }

            """;
        var project = Write(ProjectFile.FileName, "{ \"layerTypes\": { \"Axpy\": { \"bottoms\": 3, \"tops\": 1 } } }");
        var uri = UriOf(Write("models/net.prototxt", Net));
        await using var client = await LspClient.StartAsync(init: new InitializeParams { RootUri = RootUri });
        await client.OpenAsync(uri, Net);
        var first = client.NextDiagnostics(uri, 1);
        Assert.DoesNotContain(first.Diagnostics, d => d.Severity <= 2);

        File.WriteAllText(project, "{ \"layerTypes\": { \"Axpy\": { \"bottoms\": 2, \"tops\": 1 } } }");
        await ChangedOnDisk(client, project);
        Assert.Contains(client.NextDiagnostics(uri, 1).Diagnostics, d => d.Code == "PTX3004");

        File.WriteAllText(project, "{ \"layerTypes\": { \"Axpy\": { \"bottoms\": 3, \"tops\": 1 } ");
        await ChangedOnDisk(client, project);
        var broken = client.NextDiagnostics(uri, 1);
        var problem = Assert.Single(broken.Diagnostics, d => d.Code == "PTX5003");
        Assert.Equal(2, problem.Severity);
        Assert.Contains("not valid JSON", problem.Message);

        File.Delete(project);
        await ChangedOnDisk(client, project);
        Assert.Contains(client.NextDiagnostics(uri, 1).Diagnostics, d => d.Code == "PTX3003");
        await client.ShutdownAndExitAsync();
    }

    [Fact]
    public async Task Non_caffe_schema_supports_diagnostics_hover_completion_and_formatting()
    {
        var proto = Write("book/addressbook.proto", ForkProtos.AddressBook);
        const string Header = "# proto-file: ../book/addressbook.proto\n# proto-message: tutorial.Person\n";
        var text = Header + "name: \"Ada\"\nid: \"seven\"\nnmae: \"x\"\nphone {  number: \"555\"   type: WORK }\n";
        var uri = UriOf(Write("people/ada.txtpb", text));
        await using var client = await LspClient.StartAsync(init: new InitializeParams { RootUri = RootUri });
        await client.OpenAsync(uri, text);
        var diagnostics = client.NextDiagnostics(uri, 1).Diagnostics;
        Assert.Equal(["PTX2002", "PTX2001"], diagnostics.Select(d => d.Code));
        Assert.Contains("nmae", diagnostics[1].Message);
        Assert.Contains("tutorial.Person", diagnostics[1].Message);

        // Hover: the field's own comment, and the schema it comes from.
        var hover = await HoverAsync(client, uri, At(text, "name: \"Ada\"", 1));
        Assert.NotNull(hover);
        Assert.Contains("The person's full name.", hover.Contents.Value);
        Assert.Contains("Schema: " + proto, hover.Contents.Value);
        hover = await HoverAsync(client, uri, At(text, "number", 1));
        Assert.Contains("The number as dialled.", hover!.Contents.Value);

        // Completion: the fields of Person at the top, of PhoneNumber inside phone, the enum's values after type:.
        var top = await client.RequestAsync<CompletionList>("textDocument/completion", new TextDocumentPositionParams { TextDocument = Doc(uri), Position = At(text, "nmae") });
        var labels = top.Items.Select(i => i.Label).ToList();
        Assert.Contains("email", labels);
        Assert.Contains("phone", labels);
        Assert.DoesNotContain("layer", labels);
        var emptyPhone = Header + "phone {  }\n";
        var emptyUri = UriOf(Write("people/empty.txtpb", emptyPhone));
        await client.OpenAsync(emptyUri, emptyPhone);
        var inner = await client.RequestAsync<CompletionList>("textDocument/completion", new TextDocumentPositionParams { TextDocument = Doc(emptyUri), Position = At(emptyPhone, "{ ", 2) });
        Assert.Equal(["number", "type"], inner.Items.Select(i => i.Label).Order(StringComparer.Ordinal));
        // Fields already given are not offered again.
        var given = await client.RequestAsync<CompletionList>("textDocument/completion", new TextDocumentPositionParams { TextDocument = Doc(uri), Position = At(text, "number", 0) });
        Assert.DoesNotContain("email", given.Items.Select(i => i.Label));
        var values = await client.RequestAsync<CompletionList>("textDocument/completion", new TextDocumentPositionParams { TextDocument = Doc(uri), Position = At(text, "WORK", 0) });
        Assert.Equal(["HOME", "MOBILE", "WORK"], values.Items.Select(i => i.Label).Where(l => l is "MOBILE" or "HOME" or "WORK").Order(StringComparer.Ordinal));

        // Formatting.
        var edits = await client.RequestAsync<List<TextEdit>>("textDocument/formatting", new DocumentFormattingParams { TextDocument = Doc(uri) });
        Assert.Equal(Header + "name: \"Ada\"\nid: \"seven\"\nnmae: \"x\"\nphone {\n  number: \"555\"\n  type: WORK\n}\n", LspEdits.Apply(text, edits));

        // Symbols and semantic tokens do not trip over the missing Caffe messages.
        await client.RequestAsync<List<DocumentSymbol>>("textDocument/documentSymbol", new DocumentSymbolParams { TextDocument = Doc(uri) });
        await client.RequestAsync<SemanticTokens>("textDocument/semanticTokens/full", new SemanticTokensParams { TextDocument = Doc(uri) });
        await client.RequestAsync<List<InlayHint>>("textDocument/inlayHint", new InlayHintParams
        {
            TextDocument = Doc(uri),
            Range = new Server.Protocol.Range { Start = new Position(), End = new Position { Line = 6, Character = 0 } },
        });
        await client.RequestAsync<List<CodeLens>>("textDocument/codeLens", new CodeLensParams { TextDocument = Doc(uri) });
        await client.ShutdownAndExitAsync();
    }

}
