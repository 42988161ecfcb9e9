using System.Diagnostics;
using System.Text;
using System.Text.Json;
using PrototxtLsp.Server.Protocol;
using PrototxtLsp.Tests.Infrastructure;
using Xunit.Abstractions;
using Range = PrototxtLsp.Server.Protocol.Range;

namespace PrototxtLsp.Tests;

/// <summary>
/// 10,000 random incremental edits through <c>textDocument/didChange</c>, sent without waiting, with the client's
/// own copy kept by the LSP rules; after every 100 edits the server's copy (<c>prototxt/documentText</c>) must equal
/// the client's exactly, version included.
/// </summary>
public class NoLostEditsTests(ITestOutputHelper output)
{
    private const string Uri = "file:///tmp/prototxt-no-lost-edits/small_resnet_block_train_test.prototxt";
    private const int Edits = 10_000;
    private const int Batch = 100;

    /// <summary>Inserted text: CRLF, LF and lone CR, tabs, surrogate pairs, multi-line blocks, prototxt fragments.</summary>
    private static readonly string[] Snippets =
    [
        "a", "x", "_", " ", "\t", "\n", "\r\n", "\r", "😀", "🧠", "𝕏", "é", "中", "{", "}", "\"", ":", "#",
        "name: \"conv1\"", "top: \"😀data\"\r\n", "\t\tbottom: \"x\"\n", "  # comment 💡\r\n", "\n\n\n", "a\r\nb\nc\rd",
        "layer {\r\n  name: \"new\"\r\n  type: \"ReLU\"\r\n  bottom: \"conv1\"\r\n  top: \"conv1\"\r\n}\r\n",
        "layer {\n\tname: \"t😀b\"\n\ttype: \"Convolution\"\n\tconvolution_param { num_output: 8 kernel_size: 3 }\n}\n",
        "\r\n\r\n", "\t\r\n\t", "😀😀\r\n😀",
    ];

    [Fact]
    public async Task Ten_thousand_random_edits_leave_the_server_text_equal_to_the_client_text()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("PROTOTXT_EDIT_SEED"), out var s) ? s : 9_2025;
        output.WriteLine($"seed {seed} (set PROTOTXT_EDIT_SEED to change it)");
        var random = new Random(seed);
        var initial = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "examples", "nets", "small_resnet_block_train_test.prototxt"));
        var client = new ClientDocument(initial);
        var recent = new Queue<string>();

        await using var server = await LspClient.StartAsync();
        await server.OpenAsync(Uri, client.Text, client.Version);
        var clock = Stopwatch.StartNew();
        int sent = 0, notifications = 0, checks = 0, multiChange = 0, fullReplacements = 0, maxLength = 0;
        var kinds = new Dictionary<string, int>();
        while (sent < Edits)
        {
            var batchEnd = sent + Batch;
            while (sent < batchEnd)
            {
                // One notification: 1 to 5 changes (never past the batch), applied in order on both sides.
                var count = Math.Min(random.Next(100) < 60 ? 1 : random.Next(2, 6), batchEnd - sent);
                var changes = new List<TextDocumentContentChangeEvent>(count);
                for (var i = 0; i < count; i++)
                {
                    var (kind, change) = RandomChange(random, client, initial.Length);
                    kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
                    if (change.Range is null) fullReplacements++;
                    changes.Add(change);
                    recent.Enqueue($"v{client.Version + 1} {kind}: {JsonSerializer.Serialize(change.Range is null ? null : change.Range.Start)}-{JsonSerializer.Serialize(change.Range?.End)} {JsonSerializer.Serialize(change.Text.Length > 60 ? change.Text[..60] + "…" : change.Text)}");
                    if (recent.Count > 12) recent.Dequeue();
                }

                client.Version++;
                if (count > 1) multiChange++;
                await server.Rpc.NotifyWithParameterObjectAsync("textDocument/didChange", new DidChangeTextDocumentParams
                {
                    TextDocument = new VersionedTextDocumentIdentifier { Uri = Uri, Version = client.Version },
                    ContentChanges = changes,
                });
                sent += count;
                notifications++;
                maxLength = Math.Max(maxLength, client.Text.Length);
            }

            var doc = await server.RequestAsync<DocumentTextResult>("prototxt/documentText", new DocumentTextParams { TextDocument = new TextDocumentIdentifier { Uri = Uri } });
            checks++;
            Assert.True(doc is not null, $"seed {seed}: the document is no longer open after {sent} edits");
            if (doc.Text != client.Text || doc.Version != client.Version)
                Assert.Fail($"seed {seed}, after {sent} edits (check {checks}): {Difference(client.Text, doc.Text)}; client version {client.Version}, server version {doc.Version}\nlast changes:\n{string.Join('\n', recent)}");

            // The edited text through the analysis: outline, and hover and completion at a random place.
            var (line, character) = client.PositionAt(client.Snap(random.Next(client.Text.Length + 1)));
            var at = new TextDocumentPositionParams { TextDocument = new TextDocumentIdentifier { Uri = Uri }, Position = new Position { Line = line, Character = character } };
            await server.RequestAsync<List<DocumentSymbol>?>("textDocument/documentSymbol", new DocumentSymbolParams { TextDocument = new TextDocumentIdentifier { Uri = Uri } });
            await server.RequestAsync<Hover?>("textDocument/hover", at);
            await server.RequestAsync<CompletionList?>("textDocument/completion", at);
        }

        var seconds = clock.Elapsed.TotalSeconds;
        Assert.Equal(0, await server.ShutdownAndExitAsync());
        var errors = server.Log.Where(l => l.StartsWith("1:", StringComparison.Ordinal)).ToList(); // window/logMessage type 1: a handler or an analysis failed
        Assert.True(errors.Count == 0, $"seed {seed}: the server logged errors:\n{string.Join('\n', errors)}");
        output.WriteLine($"applied {sent} random edits ({string.Join(", ", kinds.OrderByDescending(k => k.Value).Select(k => $"{k.Value} {k.Key}"))}) " +
                         $"in {notifications} didChange notifications ({multiChange} with several changes, {fullReplacements} full replacements); " +
                         $"{checks} documentText checks, all equal (text and version), each followed by documentSymbol, hover and completion (no error); document length {initial.Length} → {client.Text.Length} chars (max {maxLength}); {seconds:F1} s");
    }

    /// <summary>One random change against the client's current text, applied to it; positions come from offsets by the LSP rules.</summary>
    private static (string Kind, TextDocumentContentChangeEvent Change) RandomChange(Random random, ClientDocument doc, int initialLength)
    {
        var length = doc.Text.Length;
        var roll = random.Next(100);
        if (length > 3 * initialLength) roll = 40; // too long: delete
        else if (length < initialLength && random.Next(2) == 0) roll = random.Next(2) == 0 ? 0 : 75; // short: insert

        string kind;
        int start, end;
        string text;
        switch (roll)
        {
            case < 30:
                kind = "insertions";
                start = end = random.Next(length + 1);
                text = RandomText(random);
                break;
            case < 50:
                kind = "deletions";
                start = random.Next(length + 1);
                end = Math.Min(length, start + random.Next(1, length > 3 * initialLength ? 2000 : 80));
                text = "";
                break;
            case < 65:
                kind = "replacements";
                start = random.Next(length + 1);
                end = Math.Min(length, start + random.Next(0, 40));
                text = RandomText(random);
                break;
            case < 73:
            {
                kind = "multi-line deletions";
                var lines = doc.LineCount;
                var first = random.Next(lines);
                var last = Math.Min(lines - 1, first + random.Next(1, 6));
                start = doc.OffsetAt(first, random.Next(40));
                end = doc.OffsetAt(last, random.Next(40));
                text = random.Next(3) == 0 ? RandomText(random) : "";
                break;
            }
            case < 80:
                kind = "multi-line insertions";
                start = end = random.Next(length + 1);
                text = string.Concat(Enumerable.Range(0, random.Next(3, 8)).Select(_ => Snippets[random.Next(Snippets.Length)]));
                break;
            case < 85:
                kind = "edits at the start";
                start = 0;
                end = random.Next(2) == 0 ? 0 : Math.Min(length, random.Next(1, 10));
                text = RandomText(random);
                break;
            case < 92:
                kind = "edits at the end";
                start = random.Next(2) == 0 ? length : Math.Max(0, length - random.Next(1, 10));
                end = length;
                text = random.Next(3) == 0 ? "" : RandomText(random);
                break;
            case < 99:
                kind = "tab and whitespace edits";
                start = random.Next(length + 1);
                end = Math.Min(length, start + random.Next(0, 3));
                text = random.Next(2) == 0 ? "\t" : "\t \t\r\n\t";
                break;
            default:
                var middle = doc.Snap(length / 2);
                var full = doc.Text[..middle] + RandomText(random) + doc.Text[middle..];
                doc.Replace(full);
                return ("full replacements", new TextDocumentContentChangeEvent { Range = null, Text = full });
        }

        // Whole characters only: never between CR and LF, never inside a surrogate pair (a lone surrogate cannot travel
        // in UTF-8 JSON; ProtocolRobustnessTests covers that case on its own).
        start = doc.Snap(start);
        end = doc.Snap(end);
        if (end < start) (start, end) = (end, start);
        var (startLine, startChar) = doc.PositionAt(start);
        var (endLine, endChar) = doc.PositionAt(end);
        Assert.Equal(start, doc.OffsetAt(startLine, startChar));
        Assert.Equal(end, doc.OffsetAt(endLine, endChar));
        doc.ApplyOffsets(start, end, text);
        var range = new Range { Start = new Position { Line = startLine, Character = startChar }, End = new Position { Line = endLine, Character = endChar } };
        return (kind, new TextDocumentContentChangeEvent { Range = range, Text = text });
    }

    private static string RandomText(Random random) => random.Next(4) switch
    {
        0 => Snippets[random.Next(Snippets.Length)] + Snippets[random.Next(Snippets.Length)],
        _ => Snippets[random.Next(Snippets.Length)],
    };

    /// <summary>Where two texts first differ, with a little context around it.</summary>
    internal static string Difference(string expected, string actual)
    {
        var i = 0;
        while (i < expected.Length && i < actual.Length && expected[i] == actual[i]) i++;
        string Around(string t) => JsonSerializer.Serialize(t.Substring(Math.Max(0, i - 30), Math.Min(t.Length, i + 30) - Math.Max(0, i - 30)));
        return $"texts differ at offset {i} (client length {expected.Length}, server length {actual.Length}): client {Around(expected)}, server {Around(actual)}";
    }
}

/// <summary>
/// The client's copy of a document, kept by the LSP rules independently of the server's code: lines end at CRLF, LF
/// or a lone CR; positions are (line, UTF-16 code unit); a line past the end is the end of the text, a character past
/// the end of its line is the end of the line's content, negative values are 0, and a range given end-first is taken
/// the right way round (as vscode-languageserver's TextDocument does); changes apply in order.
/// </summary>
public sealed class ClientDocument(string text)
{
    private int[] _lineStarts = LineStarts(text);

    public string Text { get; private set; } = text;

    public int Version { get; set; } = 1;

    public int LineCount => _lineStarts.Length;

    public void Replace(string text)
    {
        Text = text;
        _lineStarts = LineStarts(text);
    }

    /// <summary>Applies a ranged change given as positions (which may be out of range or reversed).</summary>
    public void Apply(int startLine, int startCharacter, int endLine, int endCharacter, string newText)
    {
        var (start, end) = (OffsetAt(startLine, startCharacter), OffsetAt(endLine, endCharacter));
        if (end < start) (start, end) = (end, start);
        ApplyOffsets(start, end, newText);
    }

    public void ApplyOffsets(int start, int end, string newText) => Replace(string.Concat(Text.AsSpan(0, start), newText, Text.AsSpan(end)));

    public int OffsetAt(int line, int character)
    {
        if (line < 0) return 0;
        if (line >= _lineStarts.Length) return Text.Length;
        var lineStart = _lineStarts[line];
        var contentEnd = line + 1 < _lineStarts.Length ? _lineStarts[line + 1] : Text.Length;
        while (contentEnd > lineStart && Text[contentEnd - 1] is '\r' or '\n') contentEnd--;
        return lineStart + (int)Math.Clamp((long)character, 0, contentEnd - lineStart);
    }

    public (int Line, int Character) PositionAt(int offset)
    {
        var index = Array.BinarySearch(_lineStarts, offset);
        var line = index >= 0 ? index : ~index - 1;
        return (line, offset - _lineStarts[line]);
    }

    /// <summary>The offset moved back off the middle of a CRLF or a surrogate pair.</summary>
    public int Snap(int offset)
    {
        if (offset <= 0 || offset >= Text.Length) return offset;
        if (Text[offset - 1] == '\r' && Text[offset] == '\n') return offset - 1;
        if (char.IsHighSurrogate(Text[offset - 1]) && char.IsLowSurrogate(Text[offset])) return offset - 1;
        return offset;
    }

    private static int[] LineStarts(string text)
    {
        var starts = new List<int> { 0 };
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n') i++;
            if (text[i] is '\r' or '\n') starts.Add(i + 1);
        }

        return starts.ToArray();
    }
}
