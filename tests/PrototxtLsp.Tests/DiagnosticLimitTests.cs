using System.Text;
using System.Text.Json;
using PrototxtLsp.Core.Diagnostics;
using PrototxtLsp.Core.Semantics;
using PrototxtLsp.Core.Text;
using PrototxtLsp.Server.Protocol;
using PrototxtLsp.Tests.Infrastructure;

namespace PrototxtLsp.Tests;

/// <summary>The editor gets at most prototxt.diagnostics.maxPerFile problems per file, errors first, and a PTX5004 saying how many more there are.</summary>
public class DiagnosticLimitTests
{
    private static Diagnostic At(DiagnosticDescriptor d, int start) => new(d, new TextSpan(start, 1), d.Title);

    [Fact]
    public void Keeps_errors_first_then_warnings_in_file_order_and_says_how_many_are_left_out()
    {
        var all = new List<Diagnostic>
        {
            At(DiagnosticCatalog.NetFileNotFound, 0),      // warning
            At(DiagnosticCatalog.IncompatibleShapes, 10),  // error
            At(DiagnosticCatalog.NetFileNotFound, 20),     // warning
            At(DiagnosticCatalog.IncompatibleShapes, 30),  // error
            At(DiagnosticCatalog.NetFileNotFound, 40),     // warning
        };

        var limited = DiagnosticLimit.Apply(all, 3);

        Assert.Equal(4, limited.Count);
        Assert.Equal("PTX5004", limited[0].Code);
        Assert.Equal(DiagnosticSeverity.Information, limited[0].Severity);
        Assert.StartsWith("2 more problems are not shown: the editor gets 3 of 5", limited[0].Message);
        // Both errors and the first warning, back in file order.
        Assert.Equal([0, 10, 30], limited.Skip(1).Select(d => d.Span.Start));
    }

    [Fact]
    public void Leaves_the_list_alone_within_the_limit_or_without_one()
    {
        var all = Enumerable.Range(0, 5).Select(i => At(DiagnosticCatalog.IncompatibleShapes, i * 10)).ToList();
        Assert.Same(all, DiagnosticLimit.Apply(all, 5));
        Assert.Same(all, DiagnosticLimit.Apply(all, 0));
        Assert.Equal(3, DiagnosticLimit.Apply(all, 2).Count);
    }

    [Fact]
    public void A_file_of_random_bytes_is_published_within_the_limit()
    {
        // 64 KB of bytes that are mostly not valid UTF-8 or prototxt: thousands of problems.
        var random = new Random(8);
        var bytes = new byte[64 * 1024];
        random.NextBytes(bytes);
        var analysis = DocumentAnalysis.Analyze(SourceText.FromBytes(bytes));
        Assert.True(analysis.Diagnostics.Count > DiagnosticLimit.DefaultMaxPerFile, $"only {analysis.Diagnostics.Count} diagnostics");
        var limited = DiagnosticLimit.Apply(analysis.Diagnostics, DiagnosticLimit.DefaultMaxPerFile);
        Assert.Equal(DiagnosticLimit.DefaultMaxPerFile + 1, limited.Count);
        Assert.All(limited.Skip(1), d => Assert.Equal(DiagnosticSeverity.Error, d.Severity));
    }

    [Fact]
    public async Task The_server_publishes_at_most_the_setting_and_all_when_it_is_0()
    {
        var text = new StringBuilder("name: \"n\"\n");
        for (var i = 0; i < 30; i++) text.Append($"layer {{ name: \"l{i}\" type: \"ReLU\" bottom: \"nowhere{i}\" top: \"t{i}\" }}\n");
        const string uri = "file:///tmp/prototxt-lsp-test/limit.prototxt";
        var options = JsonDocument.Parse("{\"prototxt\": {\"diagnostics\": {\"maxPerFile\": 10}}}").RootElement;
        await using var client = await LspClient.StartAsync(init: new InitializeParams { InitializationOptions = options });
        await client.OpenAsync(uri, text.ToString());

        var limited = client.NextDiagnostics(uri, 1).Diagnostics;
        Assert.Equal(11, limited.Count);
        Assert.Equal("PTX5004", limited[0].Code);
        Assert.Contains("20 more problems are not shown: the editor gets 10 of 30", limited[0].Message);
        Assert.All(limited.Skip(1), d => Assert.Equal("PTX3001", d.Code));

        await client.Rpc.NotifyWithParameterObjectAsync("workspace/didChangeConfiguration", new DidChangeConfigurationParams
        {
            Settings = JsonDocument.Parse("{\"prototxt\": {\"diagnostics\": {\"maxPerFile\": 0}}}").RootElement,
        });
        var all = client.NextDiagnostics(uri, 1).Diagnostics;
        Assert.Equal(30, all.Count);
        Assert.DoesNotContain(all, d => d.Code == "PTX5004");
        await client.ShutdownAndExitAsync();
    }
}
