using System.Text.Json;
using PrototxtLsp.Core.Diagnostics;
using PrototxtLsp.Core.Semantics;
using PrototxtLsp.Core.Text;
using PrototxtLsp.Server.Cli;
using PrototxtLsp.Server.Protocol;
using PrototxtLsp.Server.Schemas;
using PrototxtLsp.Tests.Infrastructure;
using Xunit.Abstractions;

namespace PrototxtLsp.Tests;

/// <summary>
/// Nothing a document says is executed: Python layer modules are linked, never imported; a schema named by a document
/// is compiled by protoc with an argument list (no shell) and a file name that cannot pose as an option or an argument
/// file; logs at the default level carry no document text.
/// </summary>
public sealed class SecurityTests(ITestOutputHelper output) : IDisposable
{
    private const string Secret = "S3CRET_d0c_7f3a9";

    private readonly string _dir = Directory.CreateTempSubdirectory("prototxt-security-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>A Python layer whose module, if anything imported it, would leave a file behind.</summary>
    private string PythonNet(string marker)
    {
        Write("evil_layer.py", $"open({JsonSerializer.Serialize(marker)}, 'w').write('imported')\nclass EvilLayer: pass\n");
        return Write("net.prototxt", """
            name: "python-net"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 8 dim: 8 } } }
            layer {
              name: "py"
              type: "Python"
              bottom: "data"
              top: "out"
              python_param { module: "evil_layer" layer: "EvilLayer" }
            }
            """);
    }

    [Fact]
    public async Task Python_layer_modules_are_linked_never_imported()
    {
        var marker = Path.Combine(_dir, "IMPORTED");
        var net = PythonNet(marker);
        var uri = new Uri(net).AbsoluteUri;
        await using (var client = await LspClient.StartAsync())
        {
            await client.OpenAsync(uri, File.ReadAllText(net));
            client.NextDiagnostics(uri);
            var links = await client.RequestAsync<List<DocumentLink>?>("textDocument/documentLink", new DocumentLinkParams { TextDocument = new TextDocumentIdentifier { Uri = uri } });
            Assert.Contains(links!, l => l.Target is { } t && t.EndsWith("/evil_layer.py", StringComparison.Ordinal));
            await client.RequestAsync<Hover?>("textDocument/hover", new TextDocumentPositionParams { TextDocument = new TextDocumentIdentifier { Uri = uri }, Position = new Position { Line = 7, Character = 28 } });
            Assert.Equal(0, await client.ShutdownAndExitAsync());
        }

        var (exit, stdout, _) = RunCli("check", net);
        Assert.Equal(0, exit);
        Assert.Contains("0 errors", stdout);
        RunCli("summary", net);
        Assert.False(File.Exists(marker), "the Python module was executed");
        output.WriteLine("server (didOpen, documentLink, hover) and CLI (check, summary) saw the Python layer; its module was linked, never imported");
    }

    [Fact]
    public void A_schema_file_name_with_shell_characters_is_passed_to_protoc_as_one_argument()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "fork"));
        File.WriteAllText(Path.Combine(_dir, "fork", "caffe;touch PWNED;.proto"), ForkProtos.Bvlc);
        var path = Write("net.prototxt", "# proto-file: fork/caffe;touch PWNED;.proto\n" + "name: \"n\"\nlayer { name: \"data\" type: \"Input\" top: \"data\" }\n");
        var analysis = Analyze(path);
        Assert.True(analysis.Options.IsCustomSchema, string.Join("\n", analysis.Diagnostics.Select(d => d.Message)));
        Assert.DoesNotContain(analysis.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.False(File.Exists(Path.Combine(_dir, "fork", "PWNED")) || File.Exists(Path.Combine(_dir, "PWNED")) || File.Exists("PWNED"), "a shell ran");
    }

    [Theory]
    [InlineData("--descriptor_set_out=stolen.pb")]
    [InlineData("@arguments.txt")]
    public void A_schema_file_name_that_protoc_would_read_as_an_option_is_refused(string name)
    {
        // If protoc saw "@arguments.txt" it would read more arguments from that file, here a plugin that writes a marker.
        var marker = Path.Combine(_dir, "PLUGIN-RAN");
        var plugin = Write("plugin.sh", $"#!/bin/sh\ntouch '{marker}'\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(plugin, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Write("arguments.txt", $"--plugin=protoc-gen-evil={plugin}\n--evil_out={_dir}\ncaffe.proto\n");
        Write("caffe.proto", ForkProtos.Bvlc);
        Write(name, ForkProtos.Bvlc);
        var path = Write("net.prototxt", $"# proto-file: {name}\nname: \"n\"\n");
        var analysis = Analyze(path);
        var refusal = Assert.Single(analysis.Diagnostics, d => d.Code == "PTX5002");
        Assert.Contains("which protoc would read as an option", refusal.Message);
        Assert.False(analysis.Options.IsCustomSchema);
        Assert.False(File.Exists(marker), "protoc ran a plugin named by the document");
        Assert.False(File.Exists(Path.Combine(_dir, "stolen.pb")) || File.Exists("stolen.pb"), "protoc wrote where the document said");
        output.WriteLine($"'{name}': {refusal.Code} {refusal.Message}");
    }

    [Fact]
    public async Task Logs_at_the_default_level_contain_no_document_text()
    {
        var log = Path.Combine(_dir, "server.log");
        var text = $$"""
            # {{Secret}} in a comment
            name: "{{Secret}}_net"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 8 dim: 8 } } }
            layer {
              name: "{{Secret}}_conv"
              type: "Convolution"
              bottom: "{{Secret}}_missing_blob"
              top: "conv"
              {{Secret}}_field: 1
              convolution_param { num_output: 4 kernel_size: 3 }
            }
            """;
        var uri = new Uri(Path.Combine(_dir, "secret.prototxt")).AbsoluteUri;
        var id = new TextDocumentIdentifier { Uri = uri };
        await using (var client = await LspClient.StartAsync(true, null, "--log", log))
        {
            await client.OpenAsync(uri, text);
            var diagnostics = client.NextDiagnostics(uri);
            Assert.Contains(diagnostics.Diagnostics, d => d.Message.Contains(Secret, StringComparison.Ordinal)); // the client does get the text
            var at = new Position { Line = 4, Character = 12 };
            await client.RequestAsync<Hover?>("textDocument/hover", new TextDocumentPositionParams { TextDocument = id, Position = at });
            await client.RequestAsync<CompletionList?>("textDocument/completion", new TextDocumentPositionParams { TextDocument = id, Position = at });
            await client.RequestAsync<List<DocumentSymbol>?>("textDocument/documentSymbol", new DocumentSymbolParams { TextDocument = id });
            await client.RequestAsync<SemanticTokens?>("textDocument/semanticTokens/full", new SemanticTokensParams { TextDocument = id });
            await client.RequestAsync<List<TextEdit>?>("textDocument/formatting", new DocumentFormattingParams { TextDocument = id, Options = new FormattingOptions { TabSize = 2, InsertSpaces = true } });
            await client.Rpc.NotifyWithParameterObjectAsync("textDocument/didChange", new DidChangeTextDocumentParams
            {
                TextDocument = new VersionedTextDocumentIdentifier { Uri = uri, Version = 2 },
                ContentChanges = [new TextDocumentContentChangeEvent { Range = new PrototxtLsp.Server.Protocol.Range { Start = new Position { Line = 1, Character = 7 }, End = new Position { Line = 1, Character = 7 } }, Text = Secret + "_typed" }],
            });
            client.NextDiagnostics(uri, 2);
            Assert.Equal(0, await client.ShutdownAndExitAsync());
        }

        var logged = File.ReadAllText(log);
        Assert.Contains("initialize from process", logged); // the log was written
        Assert.DoesNotContain(Secret, logged);
        output.WriteLine($"log file: {logged.Split('\n').Length} lines, no document text");
    }

    private static (int Exit, string Out, string Err) RunCli(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = CommandLine.Run(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private static DocumentAnalysis Analyze(string path)
    {
        var text = File.ReadAllText(path);
        return DocumentAnalysis.Analyze(new SourceText(text), path, new SchemaProvider().OptionsFor(path, text, WorkspaceContext.FileSystem));
    }
}
