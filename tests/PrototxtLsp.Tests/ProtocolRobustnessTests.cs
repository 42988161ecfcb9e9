using System.Diagnostics;
using System.Text;
using System.Text.Json;
using PrototxtLsp.Tests.Infrastructure;
using Xunit.Abstractions;

namespace PrototxtLsp.Tests;

/// <summary>
/// The real server process fed what bad clients send: broken frames, broken JSON, requests out of lifecycle order,
/// unknown methods, edits for documents that are not open or with impossible ranges, huge messages, bursts with
/// cancellation, and a client that vanishes. Each case checks the answer JSON-RPC / LSP prescribe, then proves the
/// server still serves requests, and each test ends with a clean shutdown/exit (code 0). Every test prints a summary
/// of what it tried.
/// </summary>
public class ProtocolRobustnessTests(ITestOutputHelper output)
{
    private const string Uri = "file:///tmp/prototxt-robustness/net.prototxt";
    private const int ParseError = -32700;
    private const int InvalidRequest = -32600;
    private const int MethodNotFound = -32601;
    private const int InvalidParams = -32602;
    private const int ServerNotInitialized = -32002;
    private const int RequestCancelled = -32800;

    private static string Example => File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "examples", "nets", "small_resnet_block_train_test.prototxt"));

    private static object Doc(string uri = Uri) => new { uri };

    private static object At(int line, int character, string uri = Uri) => new { textDocument = Doc(uri), position = new { line, character } };

    /// <summary>The server still answers: its copy of the example is intact and hovering the <c>name</c> field on line 1 gives docs.</summary>
    private static async Task AssertServesAsync(RawLspProcess server, string text)
    {
        Assert.False(server.HasExited, $"the server exited; stderr:\n{RawLspProcess.Truncate(server.Stderr)}");
        var doc = await server.DocumentTextAsync(Uri);
        Assert.NotNull(doc);
        Assert.Equal(text, doc.Value.Text);
        var hover = await server.ResultAsync("textDocument/hover", At(1, 1));
        Assert.Contains("name", hover.GetProperty("contents").GetProperty("value").GetString());
    }

    /// <summary>No handler failed, nothing crashed: the server logged no error.</summary>
    private static void AssertNoServerErrors(RawLspProcess server)
    {
        var errors = server.Stderr.Split('\n').Where(l => l.Contains(" ERR]", StringComparison.Ordinal) || l.Contains(" FTL]", StringComparison.Ordinal) || l.Contains("Unhandled exception", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 0, "server logged errors:\n" + string.Join('\n', errors));
        Assert.Null(server.OutputError);
    }

    private static async Task FinishAsync(RawLspProcess server)
    {
        AssertNoServerErrors(server);
        Assert.Equal(0, await server.ShutdownAndExitAsync());
    }

    private static void AssertError(JsonElement response, int code, string because)
    {
        Assert.True(response.TryGetProperty("error", out var error), $"{because}: expected error {code}, got {response}");
        Assert.Equal(code, error.GetProperty("code").GetInt32());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()), because);
    }

    [Fact]
    public async Task Malformed_bodies_are_answered_with_parse_error_or_invalid_request_and_the_server_stays_up()
    {
        var text = Example;
        await using var server = await RawLspProcess.StartInitializedAsync();
        await server.OpenAsync(Uri, text);
        await AssertServesAsync(server, text);

        var hoverParams = JsonSerializer.Serialize(At(1, 1));
        // (what, body, expected error code or null for "no answer", id the error must carry: "null" or the request's id)
        var cases = new List<(string What, byte[] Body, int? Code, string Id)>
        {
            ("not JSON", "{not json}"u8.ToArray(), ParseError, "null"),
            ("truncated JSON", "{\"jsonrpc\":\"2.0\",\"id\":5001,\"method\":\"textDocument/hover\",\"params\":"u8.ToArray(), ParseError, "null"),
            ("invalid UTF-8", [0xFF, 0xFE, 0x7B, 0xC3, 0x28], ParseError, "null"),
            ("NUL bytes", [0, 0, 0, 0], ParseError, "null"),
            ("empty body (Content-Length: 0)", [], ParseError, "null"),
            ("trailing garbage after the object", Encoding.UTF8.GetBytes($"{{\"jsonrpc\":\"2.0\",\"id\":5002,\"method\":\"textDocument/hover\",\"params\":{hoverParams}}} trailing"), ParseError, "null"),
            ("a batch (LSP has none; the shutdown in it must not run)", "[{\"jsonrpc\":\"2.0\",\"id\":5003,\"method\":\"shutdown\"}]"u8.ToArray(), InvalidRequest, "null"),
            ("a JSON string", "\"hello\""u8.ToArray(), InvalidRequest, "null"),
            ("a JSON number", "42"u8.ToArray(), InvalidRequest, "null"),
            ("an object without method, result or error", "{\"jsonrpc\":\"2.0\",\"id\":5004}"u8.ToArray(), InvalidRequest, "5004"),
            ("a numeric method", "{\"jsonrpc\":\"2.0\",\"id\":5005,\"method\":42}"u8.ToArray(), InvalidRequest, "5005"),
            ("params that are a string", "{\"jsonrpc\":\"2.0\",\"id\":5006,\"method\":\"textDocument/hover\",\"params\":\"x\"}"u8.ToArray(), InvalidRequest, "5006"),
            ("an id that is an object", Encoding.UTF8.GetBytes($"{{\"jsonrpc\":\"2.0\",\"id\":{{\"a\":1}},\"method\":\"textDocument/hover\",\"params\":{hoverParams}}}"), InvalidRequest, "null"),
            ("params of the wrong shape (position is a string)", Encoding.UTF8.GetBytes($"{{\"jsonrpc\":\"2.0\",\"id\":5007,\"method\":\"textDocument/hover\",\"params\":{{\"textDocument\":{{\"uri\":\"{Uri}\"}},\"position\":\"x\"}}}}"), InvalidParams, "5007"),
            ("params missing", "{\"jsonrpc\":\"2.0\",\"id\":5008,\"method\":\"textDocument/hover\"}"u8.ToArray(), InvalidParams, "5008"),
            ("params as an array", "{\"jsonrpc\":\"2.0\",\"id\":5009,\"method\":\"textDocument/hover\",\"params\":[1,2]}"u8.ToArray(), InvalidParams, "5009"),
            ("a request whose uri holds invalid UTF-8", [.. Encoding.UTF8.GetBytes("{\"jsonrpc\":\"2.0\",\"id\":5012,\"method\":\"textDocument/hover\",\"params\":{\"position\":{\"line\":0,\"character\":0},\"textDocument\":{\"uri\":\"file:///a"), 0xC3, 0x28, .. "\"}}}"u8.ToArray()], InvalidParams, "5012"),
            ("a notification with params of the wrong shape (no answer)", "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didChange\",\"params\":{\"textDocument\":5}}"u8.ToArray(), null, "null"),
            ("a didOpen whose text holds invalid UTF-8 (no answer)", [.. Encoding.UTF8.GetBytes("{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didOpen\",\"params\":{\"textDocument\":{\"uri\":\"file:///tmp/prototxt-robustness/bad-utf8.prototxt\",\"languageId\":\"prototxt\",\"version\":1,\"text\":\"name: \\\""), 0xC3, 0x28, 0xFF, .. "\\\"\"}}}"u8.ToArray()], null, "null"),
            ("a malformed response from the client (never answered)", "{\"jsonrpc\":\"2.0\",\"id\":5010,\"error\":{\"code\":\"x\"}}"u8.ToArray(), null, "5010"),
            ("a response to a request never sent (ignored)", "{\"jsonrpc\":\"2.0\",\"id\":5011,\"result\":null}"u8.ToArray(), null, "5011"),
        };

        var answers = new Dictionary<int, int>();
        foreach (var (what, body, code, id) in cases)
        {
            var nullErrorsBefore = server.Responses("null").Count;
            await server.SendRawAsync(RawLspProcess.Frame(body));
            // The answer to a broken frame is written before the next frame is read, so once this round trip is back
            // every answer to the broken one is in.
            await AssertServesAsync(server, text);
            var responses = server.Responses(id);
            if (id == "null") responses = responses.Skip(nullErrorsBefore).ToList();
            if (code is { } expected)
            {
                var response = Assert.Single(responses);
                AssertError(response, expected, what);
                answers[expected] = answers.GetValueOrDefault(expected) + 1;
            }
            else
            {
                Assert.True(responses.Count == 0, $"{what}: expected no answer, got {string.Join(", ", responses)}");
            }
        }

        Assert.Empty(server.Responses("5003")); // the shutdown inside the batch never ran…
        await AssertServesAsync(server, text); // …so requests are still served, not refused
        Assert.Null(await server.DocumentTextAsync("file:///tmp/prototxt-robustness/bad-utf8.prototxt"));
        // Notifications that cannot be read are dropped, but never silently: a lost didOpen or didChange shows in the log.
        Assert.Contains("Dropped a notification: Invalid params for textDocument/didOpen", server.Stderr);
        Assert.Contains("Dropped a notification: Invalid params for textDocument/didChange", server.Stderr);
        output.WriteLine($"tried {cases.Count} malformed bodies: {answers.GetValueOrDefault(ParseError)} answered Parse error (-32700, id null), " +
                         $"{answers.GetValueOrDefault(InvalidRequest)} Invalid Request (-32600), {answers.GetValueOrDefault(InvalidParams)} Invalid params (-32602), " +
                         $"{cases.Count(c => c.Code is null)} left unanswered as JSON-RPC requires (notifications, responses); the server served a request after each");
        await FinishAsync(server);
    }

    [Fact]
    public async Task Wrong_or_missing_content_length_loses_at_most_the_frames_it_garbles()
    {
        var text = Example;
        await using var server = await RawLspProcess.StartInitializedAsync();
        await server.OpenAsync(Uri, text);
        await AssertServesAsync(server, text);

        byte[] Request(long id) => RawLspProcess.RequestBody(id, "prototxt/documentText", new { textDocument = Doc() });
        byte[] Header(string value) => Encoding.ASCII.GetBytes($"Content-Length: {value}\r\n\r\n");
        var tried = new List<string>();
        var parseErrors = 0;

        // Sends the bytes, then a well-formed probe request that must be answered; returns the new id-null errors.
        async Task<List<JsonElement>> SendThenProbeAsync(string what, byte[] bytes)
        {
            tried.Add(what);
            var before = server.Responses("null").Count;
            await server.SendRawAsync(bytes);
            var probe = await server.CallAsync("prototxt/documentText", new { textDocument = Doc() });
            Assert.True(probe.TryGetProperty("result", out var result) && result.GetProperty("text").GetString() == text, $"{what}: the probe after it was not served: {probe}");
            var errors = server.Responses("null").Skip(before).ToList();
            foreach (var e in errors) AssertError(e, ParseError, what);
            parseErrors += errors.Count;
            return errors;
        }

        // Too short: the body is cut (Parse error); the rest of it is skipped up to the next header.
        foreach (var cut in new[] { 1, 10, 40 })
        {
            var id = server.NewId();
            var body = Request(id);
            var errors = await SendThenProbeAsync($"Content-Length {cut} too short", [.. Header((body.Length - cut).ToString()), .. body]);
            Assert.Single(errors);
            Assert.Empty(server.Responses(id.ToString()));
        }

        // Too long, followed by another frame: the body takes the start of that frame with it (Parse error); both are
        // lost, and what is left of the second is skipped. The probe after them is served.
        foreach (var extra in new[] { 1, 25, 0 })
        {
            var (first, second) = (server.NewId(), server.NewId());
            var body = Request(first);
            var next = RawLspProcess.Frame(Request(second));
            var over = extra == 0 ? next.Length : extra; // 0: exactly the whole next frame
            var errors = await SendThenProbeAsync($"Content-Length {over} too long, then a frame", [.. Header((body.Length + over).ToString()), .. body, .. next]);
            Assert.Single(errors);
            Assert.Empty(server.Responses(first.ToString()));
            Assert.Empty(server.Responses(second.ToString()));
        }

        // No usable Content-Length: nothing tells where the body ends, so it is skipped (no answer possible: the id is
        // inside it). A warning goes to the log.
        foreach (var (what, header) in new[]
                 {
                     ("Content-Length missing (Content-Type only)", "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n"),
                     ("Content-Length not a number", "Content-Length: abc\r\n\r\n"),
                     ("Content-Length negative", "Content-Length: -5\r\n\r\n"),
                     ("Content-Length overflowing int", "Content-Length: 99999999999999999999\r\n\r\n"),
                     ("Content-Length empty", "Content-Length: \r\n\r\n"),
                     ("header line without colon", "Content-Length 10\r\n\r\n"),
                 })
        {
            var id = server.NewId();
            var errors = await SendThenProbeAsync(what, [.. Encoding.ASCII.GetBytes(header), .. Request(id)]);
            Assert.Empty(errors);
            Assert.Empty(server.Responses(id.ToString()));
        }

        // Content-Length: 0 frames an empty body: Parse error, and nothing is lost.
        Assert.Single(await SendThenProbeAsync("Content-Length 0", Header("0")));

        // Tolerated variations of well-formed frames: each is served.
        async Task ServedAsync(string what, Func<long, byte[]> frame)
        {
            var id = server.NewId();
            Assert.Empty(await SendThenProbeAsync(what, frame(id)));
            var response = await server.ResponseAsync(id);
            Assert.True(response.TryGetProperty("result", out _), $"{what}: {response}");
            Assert.Single(server.Responses(id.ToString()));
        }

        await ServedAsync("junk line before the header", id => [.. "hello there\r\n"u8.ToArray(), .. RawLspProcess.Frame(Request(id))]);
        await ServedAsync("100 KB of junk without a line break before the header", id => [.. Enumerable.Repeat((byte)'x', 100_000), .. RawLspProcess.Frame(Request(id))]);
        await ServedAsync("lower-case content-length", id => [.. Encoding.ASCII.GetBytes($"content-length: {Request(id).Length}\r\n\r\n"), .. Request(id)]);
        await ServedAsync("LF-only header lines", id => [.. Encoding.ASCII.GetBytes($"Content-Length: {Request(id).Length}\n\n"), .. Request(id)]);
        await ServedAsync("extra headers and Content-Type first", id => [.. Encoding.ASCII.GetBytes($"X-Custom: 1\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\nContent-Length:   {Request(id).Length}  \r\n\r\n"), .. Request(id)]);
        await ServedAsync("stray blank lines between frames", id => [.. "\r\n\r\n"u8.ToArray(), .. RawLspProcess.Frame(Request(id))]);

        // A frame written one byte at a time, and many frames in one write.
        var slow = server.NewId();
        tried.Add("a frame written one byte per write");
        foreach (var b in RawLspProcess.Frame(Request(slow))) await server.SendRawAsync([b]);
        Assert.True((await server.ResponseAsync(slow)).TryGetProperty("result", out _));
        var ids = Enumerable.Range(0, 50).Select(_ => server.NewId()).ToList();
        tried.Add("50 frames in one write");
        await server.SendRawAsync(ids.SelectMany(id => RawLspProcess.Frame(Request(id))).ToArray());
        foreach (var id in ids) Assert.True((await server.ResponseAsync(id)).TryGetProperty("result", out _));

        await AssertServesAsync(server, text);
        output.WriteLine($"tried {tried.Count} framing cases ({string.Join("; ", tried)}): {parseErrors} answered Parse error, every probe after them served");
        await FinishAsync(server);
    }

    [Fact]
    public async Task Before_initialize_requests_get_server_not_initialized_and_notifications_are_dropped()
    {
        await using var server = RawLspProcess.Start();
        var refused = new List<string>();
        foreach (var (method, parameters) in new (string, object?)[]
                 {
                     ("textDocument/hover", At(0, 0)),
                     ("textDocument/completion", At(0, 0)),
                     ("textDocument/documentSymbol", new { textDocument = Doc() }),
                     ("prototxt/documentText", new { textDocument = Doc() }),
                     ("shutdown", null),
                 })
        {
            Assert.Equal(ServerNotInitialized, await server.ErrorCodeAsync(method, parameters));
            refused.Add(method);
        }

        // A method that does not exist is not found, initialized or not.
        Assert.Equal(MethodNotFound, await server.ErrorCodeAsync("prototxt/noSuchMethod", new { }));

        // Notifications before initialize are dropped: this didOpen never opens the document.
        await server.OpenAsync(Uri, Example);
        await server.NotifyAsync("$/setTrace", new { value = "verbose" });
        await server.NotifyAsync("initialized", new { });

        var init = await server.ResultAsync("initialize", new { processId = Environment.ProcessId, rootUri = (string?)null, capabilities = new { } });
        Assert.Equal(2, init.GetProperty("capabilities").GetProperty("textDocumentSync").GetProperty("change").GetInt32());
        Assert.Null(await server.DocumentTextAsync(Uri));

        // initialize may be sent once.
        Assert.Equal(InvalidRequest, await server.ErrorCodeAsync("initialize", new { processId = Environment.ProcessId, capabilities = new { } }));

        await server.NotifyAsync("initialized", new { });
        await server.OpenAsync(Uri, Example);
        await AssertServesAsync(server, Example);

        // After shutdown, requests are refused with InvalidRequest; exit then ends the process with 0.
        Assert.Equal(JsonValueKind.Null, (await server.ResultAsync("shutdown", null)).ValueKind);
        var afterShutdown = new[] { "textDocument/hover", "prototxt/documentText", "shutdown" };
        Assert.Equal(InvalidRequest, await server.ErrorCodeAsync("textDocument/hover", At(1, 1)));
        Assert.Equal(InvalidRequest, await server.ErrorCodeAsync("prototxt/documentText", new { textDocument = Doc() }));
        Assert.Equal(InvalidRequest, await server.ErrorCodeAsync("shutdown", null));
        AssertNoServerErrors(server);
        await server.NotifyAsync("exit", null);
        Assert.True(await server.WaitForExitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(0, server.ExitCode);
        output.WriteLine($"before initialize: {refused.Count} requests refused with -32002 ({string.Join(", ", refused)}), 1 unknown method -32601, " +
                         $"3 notifications dropped (didOpen, $/setTrace, initialized); second initialize -32600; after shutdown {afterShutdown.Length} requests -32600; exit code 0");
    }

    [Fact]
    public async Task Exit_before_initialize_ends_the_process_with_one()
    {
        await using var server = RawLspProcess.Start();
        await server.NotifyAsync("exit", null);
        Assert.True(await server.WaitForExitAsync(TimeSpan.FromSeconds(5)), "exit before initialize did not end the process");
        Assert.Equal(1, server.ExitCode);
        output.WriteLine("exit without initialize or shutdown: process ended with code 1");
    }

    [Fact]
    public async Task Unknown_methods_are_not_found_and_unknown_notifications_are_ignored()
    {
        var text = Example;
        await using var server = await RawLspProcess.StartInitializedAsync();
        await server.OpenAsync(Uri, text);

        var requests = new[] { "prototxt/noSuchMethod", "textDocument/noSuchFeature", "$/noSuchRequest", "workspace/executeCommand", "" };
        foreach (var method in requests) Assert.Equal(MethodNotFound, await server.ErrorCodeAsync(method, new { }));

        var notifications = new[] { "prototxt/noSuchNotification", "$/noSuchNotification", "$/progress", "textDocument/didSave", "workspace/didChangeWorkspaceFolders", "window/workDoneProgress/cancel" };
        var before = server.ResponseCount;
        foreach (var method in notifications) await server.NotifyAsync(method, new { token = 1, textDocument = Doc() });
        await server.NotifyAsync("$/cancelRequest", new { id = 987654 }); // a request that never existed
        await server.NotifyAsync("$/cancelRequest", new { id = "no-such-id" });
        await AssertServesAsync(server, text);
        Assert.Equal(before + 2, server.ResponseCount); // the two AssertServes requests, nothing for the notifications
        output.WriteLine($"tried {requests.Length} unknown requests (all -32601, including a $/ one) and {notifications.Length + 2} unknown or stray notifications (all ignored, none answered)");
        await FinishAsync(server);
    }

    [Fact]
    public async Task Documents_that_are_not_open_get_null_results_and_their_notifications_are_ignored()
    {
        var text = Example;
        await using var server = await RawLspProcess.StartInitializedAsync();
        await server.OpenAsync(Uri, text);
        const string other = "file:///tmp/prototxt-robustness/never-opened.prototxt";
        var range = new { start = new { line = 0, character = 0 }, end = new { line = 3, character = 0 } };

        // Notifications for a document that is not open: ignored, and they do not open it.
        await server.NotifyAsync("textDocument/didChange", new { textDocument = new { uri = other, version = 2 }, contentChanges = new object[] { new { range, text = "x" } } });
        await server.NotifyAsync("textDocument/didChange", new { textDocument = new { uri = other, version = 3 }, contentChanges = new object[] { new { text = "name: \"full\"" } } });
        await server.NotifyAsync("textDocument/didClose", new { textDocument = Doc(other) });
        Assert.Null(await server.DocumentTextAsync(other));

        var item = new { name = "conv1", kind = 5, uri = other, range, selectionRange = range };
        var requests = new (string Method, object Params)[]
        {
            ("textDocument/hover", At(1, 1, other)),
            ("textDocument/completion", At(1, 1, other)),
            ("textDocument/definition", At(1, 1, other)),
            ("textDocument/references", new { textDocument = Doc(other), position = new { line = 1, character = 1 }, context = new { includeDeclaration = true } }),
            ("textDocument/documentHighlight", At(1, 1, other)),
            ("textDocument/prepareRename", At(1, 1, other)),
            ("textDocument/rename", new { textDocument = Doc(other), position = new { line = 1, character = 1 }, newName = "x" }),
            ("textDocument/prepareCallHierarchy", At(1, 1, other)),
            ("callHierarchy/incomingCalls", new { item }),
            ("callHierarchy/outgoingCalls", new { item }),
            ("textDocument/documentSymbol", new { textDocument = Doc(other) }),
            ("textDocument/foldingRange", new { textDocument = Doc(other) }),
            ("textDocument/selectionRange", new { textDocument = Doc(other), positions = new[] { new { line = 1, character = 1 } } }),
            ("textDocument/formatting", new { textDocument = Doc(other), options = new { tabSize = 2, insertSpaces = true } }),
            ("textDocument/rangeFormatting", new { textDocument = Doc(other), range, options = new { tabSize = 2, insertSpaces = true } }),
            ("textDocument/semanticTokens/full", new { textDocument = Doc(other) }),
            ("textDocument/semanticTokens/range", new { textDocument = Doc(other), range }),
            ("textDocument/documentLink", new { textDocument = Doc(other) }),
            ("textDocument/codeAction", new { textDocument = Doc(other), range, context = new { diagnostics = Array.Empty<object>() } }),
            ("textDocument/inlayHint", new { textDocument = Doc(other), range }),
            ("textDocument/codeLens", new { textDocument = Doc(other) }),
            ("prototxt/layerGraph", new { textDocument = Doc(other) }),
            ("prototxt/documentText", new { textDocument = Doc(other) }),
            ("textDocument/hover", At(1, 1, "not a uri at all")),
            ("textDocument/hover", At(1, 1, "")),
        };
        foreach (var (method, parameters) in requests)
        {
            var result = await server.ResultAsync(method, parameters);
            Assert.True(result.ValueKind == JsonValueKind.Null, $"{method} for a document that is not open should be null, got {result}");
        }

        // Closing twice, and changing after close, is harmless; re-opening works.
        await server.NotifyAsync("textDocument/didClose", new { textDocument = Doc() });
        await server.NotifyAsync("textDocument/didClose", new { textDocument = Doc() });
        await server.NotifyAsync("textDocument/didChange", new { textDocument = new { uri = Uri, version = 9 }, contentChanges = new object[] { new { text = "x" } } });
        Assert.Null(await server.DocumentTextAsync(Uri));
        await server.OpenAsync(Uri, text);
        await AssertServesAsync(server, text);

        // A document with a URI that is not a file (an unsaved editor) is served like any other.
        const string untitled = "untitled:Untitled-1";
        await server.OpenAsync(untitled, text);
        Assert.Equal(text, (await server.DocumentTextAsync(untitled))!.Value.Text);
        Assert.NotEqual(JsonValueKind.Null, (await server.ResultAsync("textDocument/hover", At(1, 1, untitled))).ValueKind);

        output.WriteLine($"tried 3 notifications for a document never opened (ignored, it stays unopened), {requests.Length} requests for documents not open " +
                         "(all null, none an error), double close and change-after-close (ignored), re-open and an untitled: document (served)");
        await FinishAsync(server);
    }

    [Fact]
    public async Task Out_of_range_reversed_and_overlapping_edits_are_clamped_and_both_copies_agree()
    {
        await using var server = await RawLspProcess.StartInitializedAsync();
        var client = new ClientDocument(Example.Replace("\n", "\r\n") + "last 😀 line");
        await server.OpenAsync(Uri, client.Text, client.Version);

        int tried = 0, notifications = 0;
        async Task ChangeAsync(string what, params (int SL, int SC, int EL, int EC, string Text)?[] changes)
        {
            client.Version++;
            var events = new List<object>();
            foreach (var c in changes)
            {
                if (c is { } r)
                {
                    client.Apply(r.SL, r.SC, r.EL, r.EC, r.Text);
                    events.Add(new { range = new { start = new { line = r.SL, character = r.SC }, end = new { line = r.EL, character = r.EC } }, text = r.Text });
                }
                else
                {
                    client.Replace("name: \"replaced\"\r\nlayer { name: \"a\" type: \"ReLU\" }\r\n");
                    events.Add(new { text = client.Text });
                }
            }

            await server.NotifyAsync("textDocument/didChange", new { textDocument = new { uri = Uri, version = client.Version }, contentChanges = events });
            var doc = await server.DocumentTextAsync(Uri);
            Assert.NotNull(doc);
            Assert.True(client.Text == doc.Value.Text, $"{what}: the server's text differs from the client's\nclient: {Escape(client.Text)}\nserver: {Escape(doc.Value.Text)}");
            Assert.Equal(client.Version, doc.Value.Version);
            tried += changes.Length;
            notifications++;
        }

        await ChangeAsync("line past the end (appends)", (1000, 0, 1000, 5, "tail"));
        await ChangeAsync("character past the end of a line (end of its content, before CRLF)", (1, 999, 1, 999, "X"));
        await ChangeAsync("end inside the CRLF (character = length + 1)", (2, 3, 2, 200, "Y"));
        await ChangeAsync("negative line (start of text)", (-1, 0, -1, 0, "head"));
        await ChangeAsync("negative character (start of line)", (2, -5, 2, 3, "neg"));
        await ChangeAsync("start after end (taken the right way round)", (5, 4, 3, 2, "R"));
        await ChangeAsync("start after end on one line", (4, 9, 4, 2, ""));
        await ChangeAsync("both ends far past the end", (99999, 99999, 88888, 77777, "!"));
        await ChangeAsync("delete from mid-line to past the end", (10, 2, 99999, 99999, ""));
        await ChangeAsync("int.MaxValue and int.MinValue", (int.MaxValue, int.MaxValue, int.MinValue, int.MinValue, "M"));
        await ChangeAsync("overlapping changes in one notification (each applies to the previous result)",
            (1, 0, 3, 0, "first\r\n"), (0, 2, 2, 1, "second"), (0, 0, 1, 3, ""), (0, 1, 0, 0, "reversed"));
        await ChangeAsync("full replacement between ranged changes", (0, 0, 0, 0, "gone"), null, (1, 5, 1, 5, "after "));
        await ChangeAsync("delete everything, then edit the empty document past its end", (0, 0, 9999, 0, ""), (3, 7, 5, 1, "only"), (-3, -3, 0, 99, ""));
        await ChangeAsync("lone CR and LF inserted next to each other (CR LF joins into one line break)", (0, 0, 0, 0, "a\rb\nc"), (0, 1, 0, 1, "\r"), (1, 0, 1, 0, "\n"));

        // An edit that splits a surrogate pair leaves a lone surrogate: legal UTF-16 positions, but not representable
        // in UTF-8 JSON, so the text the server sends back has U+FFFD for the lone half. It must keep serving.
        client.Replace("x 😀 y");
        await server.NotifyAsync("textDocument/didChange", new { textDocument = new { uri = Uri, version = ++client.Version }, contentChanges = new object[] { new { text = client.Text } } });
        client.Version++;
        client.Apply(0, 3, 0, 4, ""); // deletes the low surrogate
        await server.NotifyAsync("textDocument/didChange", new { textDocument = new { uri = Uri, version = client.Version }, contentChanges = new object[] { new { range = new { start = new { line = 0, character = 3 }, end = new { line = 0, character = 4 } }, text = "" } } });
        var split = await server.DocumentTextAsync(Uri);
        Assert.NotNull(split);
        Assert.Equal(client.Version, split.Value.Version);
        Assert.Equal("x \uFFFD y", split.Value.Text);
        Assert.True((await server.CallAsync("textDocument/hover", At(0, 2))).TryGetProperty("result", out _));
        Assert.True((await server.CallAsync("textDocument/documentSymbol", new { textDocument = Doc() })).TryGetProperty("result", out _));
        await server.NotifyAsync("textDocument/didChange", new { textDocument = new { uri = Uri, version = ++client.Version }, contentChanges = new object[] { new { range = new { start = new { line = 0, character = 2 }, end = new { line = 0, character = 3 } }, text = "😀" } } });
        client.Apply(0, 2, 0, 3, "😀"); // replace the lone high half with the whole pair again
        Assert.Equal("x 😀 y", (await server.DocumentTextAsync(Uri))!.Value.Text);

        client.Replace(Example);
        await server.NotifyAsync("textDocument/didChange", new { textDocument = new { uri = Uri, version = ++client.Version }, contentChanges = new object[] { new { text = client.Text } } });
        await AssertServesAsync(server, Example);
        output.WriteLine($"tried {tried} out-of-range, reversed, overlapping and full changes in {notifications} notifications: the server's text matched the client's after each; " +
                         "then 4 more: a surrogate pair split by an edit came back as U+FFFD, the server kept serving, and mending the pair restored the text");
        await FinishAsync(server);
    }

    [Fact]
    public async Task Huge_messages_are_served()
    {
        // 20 MB: the example net repeated with its names made unique, so the document stays a valid net.
        var example = Example;
        var big = new StringBuilder(21 << 20);
        for (var copy = 0; big.Length < 20 << 20; copy++)
            big.Append(copy == 0 ? example : example.Replace("name: \"", $"name: \"c{copy}_").Replace("top: \"", $"top: \"c{copy}_").Replace("bottom: \"", $"bottom: \"c{copy}_"));
        var text = big.ToString();

        await using var server = await RawLspProcess.StartInitializedAsync();
        var clock = Stopwatch.StartNew();
        await server.OpenAsync(Uri, text);
        var opened = await server.DocumentTextAsync(Uri, TimeSpan.FromSeconds(60));
        var openSeconds = clock.Elapsed.TotalSeconds;
        Assert.True(opened?.Text == text, "the 20 MB document came back different");

        // Features work on it (the first one waits for its analysis).
        clock.Restart();
        var hover = await server.ResultAsync("textDocument/hover", At(1, 1), TimeSpan.FromSeconds(60));
        var hoverSeconds = clock.Elapsed.TotalSeconds;
        Assert.Contains("name", hover.GetProperty("contents").GetProperty("value").GetString());

        // A 5 MB incremental change in the middle.
        var insert = new StringBuilder(5 << 20);
        while (insert.Length < 5 << 20) insert.Append("# a comment line inserted by a 5 MB change 😀\r\n");
        var client = new ClientDocument(text);
        client.Version = 2;
        client.Apply(1000, 0, 1000, 0, insert.ToString());
        clock.Restart();
        await server.NotifyAsync("textDocument/didChange", new { textDocument = new { uri = Uri, version = 2 }, contentChanges = new object[] { new { range = new { start = new { line = 1000, character = 0 }, end = new { line = 1000, character = 0 } }, text = insert.ToString() } } });
        var changed = await server.DocumentTextAsync(Uri, TimeSpan.FromSeconds(60));
        var changeSeconds = clock.Elapsed.TotalSeconds;
        Assert.True(changed?.Text == client.Text, "the document after the 5 MB change differs from the client's");
        Assert.Equal(2, changed!.Value.Version);

        // While the changed document is analysed in the background, a small one is served.
        const string small = "file:///tmp/prototxt-robustness/small.prototxt";
        clock.Restart();
        await server.OpenAsync(small, example);
        Assert.Equal(example, (await server.DocumentTextAsync(small))!.Value.Text);
        Assert.Contains("name", (await server.ResultAsync("textDocument/hover", At(1, 1, small))).GetProperty("contents").GetProperty("value").GetString());
        var smallSeconds = clock.Elapsed.TotalSeconds;
        output.WriteLine($"tried a {Encoding.UTF8.GetByteCount(text) / 1e6:F1} MB didOpen (echoed back in {openSeconds:F1} s; first hover {hoverSeconds:F1} s, including its analysis), " +
                         $"a {Encoding.UTF8.GetByteCount(insert.ToString()) / 1e6:F1} MB didChange (echoed back in {changeSeconds:F1} s, {client.Text.Length / 1e6:F1}M characters, equal to the client's), " +
                         $"then a small document opened and hovered in {smallSeconds:F2} s while the big one was re-analysed");
        await FinishAsync(server);
    }

    [Fact]
    public async Task A_burst_of_1000_requests_with_random_cancellation_gets_exactly_one_answer_each()
    {
        var text = Example;
        var lines = text.Split('\n');
        const int seed = 20251129;
        var random = new Random(seed);
        await using var server = await RawLspProcess.StartInitializedAsync();
        await server.OpenAsync(Uri, text);
        await AssertServesAsync(server, text);

        // 1,000 requests, ~30% of them cancelled some frames later (0 to 20), all written in one go.
        var ids = new List<long>();
        var cancelled = new HashSet<long>();
        var pendingCancels = new List<(int At, long Id)>();
        var stream = new List<byte>();
        var methods = new[] { "textDocument/hover", "textDocument/completion", "textDocument/documentSymbol" };
        for (var i = 0; i < 1000; i++)
        {
            var id = server.NewId();
            ids.Add(id);
            var method = methods[random.Next(methods.Length)];
            var line = random.Next(lines.Length);
            object parameters = method == "textDocument/documentSymbol" ? new { textDocument = Doc() } : At(line, random.Next(lines[line].Length + 1));
            stream.AddRange(RawLspProcess.Frame(RawLspProcess.RequestBody(id, method, parameters)));
            if (random.NextDouble() < 0.3)
            {
                cancelled.Add(id);
                pendingCancels.Add((i + random.Next(21), id));
            }

            foreach (var due in pendingCancels.Where(c => c.At == i).ToList())
            {
                stream.AddRange(RawLspProcess.Frame(RawLspProcess.NotificationBody("$/cancelRequest", new { id = due.Id })));
                pendingCancels.Remove(due);
            }
        }

        foreach (var late in pendingCancels) stream.AddRange(RawLspProcess.Frame(RawLspProcess.NotificationBody("$/cancelRequest", new { id = late.Id })));
        var before = server.ResponseCount;
        var clock = Stopwatch.StartNew();
        await server.SendRawAsync(stream.ToArray());
        foreach (var id in ids) await server.ResponseAsync(id, TimeSpan.FromSeconds(60));
        var seconds = clock.Elapsed.TotalSeconds;
        await AssertServesAsync(server, text); // answered after every burst answer: any duplicate would be in by now

        int results = 0, cancelledErrors = 0, cancelledButAnswered = 0;
        foreach (var id in ids)
        {
            var response = Assert.Single(server.Responses(id.ToString()));
            if (response.TryGetProperty("error", out _))
            {
                AssertError(response, RequestCancelled, $"request {id}");
                Assert.Contains(id, cancelled);
                cancelledErrors++;
            }
            else
            {
                Assert.True(response.TryGetProperty("result", out _), $"request {id}: {response}");
                results++;
                if (cancelled.Contains(id)) cancelledButAnswered++;
            }
        }

        Assert.Empty(server.Responses("null"));
        Assert.Equal(before + ids.Count + 2, server.ResponseCount); // the burst and the two requests of AssertServes
        output.WriteLine($"tried 1000 requests (hover, completion, documentSymbol; seed {seed}) with {cancelled.Count} $/cancelRequest: " +
                         $"{cancelledErrors} cancelled (-32800), {results} answered ({cancelledButAnswered} of them despite a cancel that came too late), 0 lost, 0 duplicated, in {seconds:F1} s");
        await FinishAsync(server);
    }

    [Fact]
    public async Task When_the_client_disappears_the_server_exits_by_itself()
    {
        var text = Example;
        var outcomes = new List<string>();

        async Task ExpectExitAsync(RawLspProcess server, string what, int expectedCode)
        {
            var clock = Stopwatch.StartNew();
            server.CloseStdin();
            Assert.True(await server.WaitForExitAsync(TimeSpan.FromSeconds(5)), $"{what}: the server was still running 5 s after its stdin closed");
            Assert.Equal(expectedCode, server.ExitCode);
            AssertNoServerErrors(server);
            outcomes.Add($"{what}: exit {server.ExitCode} after {clock.Elapsed.TotalMilliseconds:F0} ms");
        }

        await using (var idle = await RawLspProcess.StartInitializedAsync())
        {
            await idle.OpenAsync(Uri, text);
            await AssertServesAsync(idle, text);
            await ExpectExitAsync(idle, "stdin closed between messages", 1);
        }

        await using (var midHeader = await RawLspProcess.StartInitializedAsync())
        {
            await midHeader.SendRawAsync("Content-Len");
            await ExpectExitAsync(midHeader, "stdin closed inside a header", 1);
        }

        await using (var midBody = await RawLspProcess.StartInitializedAsync())
        {
            var frame = RawLspProcess.Frame(RawLspProcess.RequestBody(midBody.NewId(), "prototxt/documentText", new { textDocument = Doc() }));
            await midBody.SendRawAsync(frame[..(frame.Length - 10)]);
            await ExpectExitAsync(midBody, "stdin closed inside a body", 1);
        }

        await using (var busy = await RawLspProcess.StartInitializedAsync())
        {
            await busy.OpenAsync(Uri, text);
            await busy.SendRawAsync(Enumerable.Range(0, 300).SelectMany(_ => RawLspProcess.Frame(RawLspProcess.RequestBody(busy.NewId(), "textDocument/documentSymbol", new { textDocument = Doc() }))).ToArray());
            await ExpectExitAsync(busy, "stdin closed with 300 requests in flight", 1);
        }

        await using (var afterShutdown = await RawLspProcess.StartInitializedAsync())
        {
            Assert.Equal(JsonValueKind.Null, (await afterShutdown.ResultAsync("shutdown", null)).ValueKind);
            await ExpectExitAsync(afterShutdown, "stdin closed after shutdown, without exit", 0);
        }

        output.WriteLine($"tried {outcomes.Count} disappearing clients: " + string.Join("; ", outcomes));
    }

    [Fact]
    public async Task Shutdown_then_exit_ends_the_process_with_zero()
    {
        await using var server = await RawLspProcess.StartInitializedAsync();
        await server.OpenAsync(Uri, Example);
        await AssertServesAsync(server, Example);
        var clock = Stopwatch.StartNew();
        Assert.Equal(0, await server.ShutdownAndExitAsync());
        output.WriteLine($"shutdown answered null, exit ended the process with code 0 in {clock.Elapsed.TotalMilliseconds:F0} ms");
    }

    private static string Escape(string text) => RawLspProcess.Truncate(text.Replace("\r", "\\r").Replace("\n", "\\n\n"), 3000);
}
