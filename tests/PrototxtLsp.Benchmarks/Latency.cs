using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PrototxtLsp.Benchmarks;

/// <summary>
/// End-to-end latency of the published server (NativeAOT by default) driven over stdio by a minimal hand-written LSP
/// client: Content-Length frames, System.Text.Json, one reader thread that timestamps every message on arrival.
/// Measures cold start (process start → initialize reply), didChange → publishDiagnostics while typing into and
/// deleting from a layer name, hover / completion / definition, and the peak RSS with ten large documents open.
/// Arguments: [--server PATH] [--edits N] [--requests N] [--starts N] [--gap MS] (a pause after each edit is published,
/// as a typist leaves). Prints numbers; asserts nothing; every wait
/// gives up after 30 s.
/// </summary>
public static class Latency
{
    private const string DefaultServer = "/tmp/prototxt-lsp-aot/prototxt-lsp";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static int Run(string[] args)
    {
        if (Options.Parse(args) is not { } options) return 2;
        var server = options.Server ?? (File.Exists(DefaultServer) ? DefaultServer : null);
        if (server is null)
        {
            Console.Error.WriteLine($"""
                latency: no server at {DefaultServer}. Publish it first (from the repository root):
                  dotnet publish src/PrototxtLsp.Server -c Release -r linux-x64 -p:PublishAot=true -o /tmp/prototxt-lsp-aot
                or name one with --server PATH (a native binary or a prototxt-lsp.dll).
                """);
            return 2;
        }

        if (!File.Exists(server))
        {
            Console.Error.WriteLine($"latency: --server {server}: no such file");
            return 2;
        }

        try
        {
            Console.WriteLine("# end-to-end LSP latency over stdio");
            Console.WriteLine($"machine: {Machine()}");
            Console.WriteLine($"server:  {Path.GetFullPath(server)} ({ServerVersion(server)})");
            ColdStart(server, options.Starts);
            Editing(server, options.Edits, options.Requests, options.Gap);
            Memory(server);
            return 0;
        }
        catch (LatencyException e)
        {
            Console.Error.WriteLine($"latency: {e.Message}");
            return 1;
        }
    }

    private static void ColdStart(string server, int starts)
    {
        var times = new List<double>();
        var unclean = 0;
        for (var i = -1; i < starts; i++) // i = -1: an untimed warm-up (this client's own JIT, the binary into the page cache)
        {
            using var client = LspClient.Start(server);
            var reply = client.Initialize();
            if (client.Shutdown() != 0) unclean++;
            if (i >= 0) times.Add(Stopwatch.GetElapsedTime(client.StartedAt, reply.ArrivedAt).TotalMilliseconds);
        }

        times.Sort();
        Console.WriteLine();
        Console.WriteLine($"cold start: process start → initialize reply, {starts} fresh processes (after 1 untimed warm-up)");
        Console.WriteLine($"  median {Percentile(times, 50),7:0.0} ms   min {times[0],7:0.0} ms   max {times[^1],7:0.0} ms{(unclean > 0 ? $"   ({unclean} did not exit with 0)" : "")}");
    }

    /// <summary>didChange → publishDiagnostics on one document, then requests on the settled result, in one process.</summary>
    private static void Editing(string server, int edits, int requests, int gap)
    {
        Console.WriteLine();
        var doc = MainDocument();
        var lines = doc.Text.Split('\n');
        using var client = LspClient.Start(server);
        client.Initialize();
        Console.WriteLine($"document: {doc.Description}, {doc.Text.Length / 1024.0:0.0} KB, {lines.Length - (doc.Text.EndsWith('\n') ? 1 : 0)} lines");
        var opened = client.Notify("textDocument/didOpen", new JsonObject { ["textDocument"] = TextItem(doc.Uri, doc.Text) });
        var first = client.WaitForDiagnostics(doc.Uri, 1);
        Console.WriteLine($"  didOpen → first publishDiagnostics: {Stopwatch.GetElapsedTime(opened, first.ArrivedAt).TotalMilliseconds:0.0} ms, {first.Count} diagnostics");

        // Type 'x' characters at the end of a layer name near the middle of the file, then delete them one by one.
        var (nameLine, nameColumn) = NearMiddle(lines, "name: \"");
        var quote = lines[nameLine].IndexOf('"', nameColumn + "name: \"".Length);
        var half = Math.Max(1, edits / 2);
        var times = new List<double>(2 * half);
        var last = first;
        for (var i = 0; i < 2 * half; i++)
        {
            var version = i + 2;
            var column = i < half ? quote + i : quote + 2 * half - 1 - i;
            var change = new JsonObject
            {
                ["range"] = Range(nameLine, column, nameLine, i < half ? column : column + 1),
                ["text"] = i < half ? "x" : "",
            };
            var sent = client.Notify("textDocument/didChange", new JsonObject
            {
                ["textDocument"] = new JsonObject { ["uri"] = doc.Uri, ["version"] = version },
                ["contentChanges"] = new JsonArray(change),
            });
            last = client.WaitForDiagnostics(doc.Uri, version);
            times.Add(Stopwatch.GetElapsedTime(sent, last.ArrivedAt).TotalMilliseconds);
            if (gap > 0) Thread.Sleep(gap); // a typist's pause between keystrokes (the server may use it)
        }

        var text = client.Request("prototxt/documentText", new JsonObject { ["textDocument"] = new JsonObject { ["uri"] = doc.Uri } }).Result?["text"]?.GetValue<string>();
        Console.WriteLine($"didChange → publishDiagnostics: {2 * half} single-character edits, one at a time ({half} × 'x' typed after {lines[nameLine].Trim()} at line {nameLine + 1}, then deleted){(gap > 0 ? $", {gap} ms between an edit's diagnostics and the next edit" : ", each sent as soon as the previous one's diagnostics arrived")}");
        Console.WriteLine($"  {"",-34} {"p50 ms",8} {"p90 ms",8} {"p99 ms",8} {"max ms",8}");
        Console.WriteLine($"  {"all edits",-34} {Quantiles(times)}");
        Console.WriteLine($"  {"insertions",-34} {Quantiles(times.Take(half))}");
        Console.WriteLine($"  {"deletions",-34} {Quantiles(times.Skip(half))}");
        Console.WriteLine($"  slowest: {string.Join(", ", times.Select((t, i) => (t, i)).OrderByDescending(p => p.t).Take(5).Select(p => $"#{p.i + 1} {p.t:0.0} ms"))}");
        Console.WriteLine($"  last publish: {last.Count} diagnostics (first: {first.Count}); server's text identical to the original: {(text == doc.Text ? "yes" : "NO")}");

        // Requests on the settled document (every edit above has been published): fixed, meaningful positions.
        var (typeLine, typeColumn) = NearMiddle(lines, "type: \"Convolution\"");
        var (bottomLine, bottomColumn) = NearMiddle(lines, "bottom: \"");
        var blobStart = bottomColumn + "bottom: \"".Length;
        var blobLength = lines[bottomLine].IndexOf('"', blobStart) - blobStart;
        Console.WriteLine();
        Console.WriteLine($"requests: {requests} of each, sequential, on the settled document (line:column 1-based)");
        Console.WriteLine($"  {"",-50} {"p50 ms",8} {"p99 ms",8} {"max ms",8}  non-null");
        Measure(client, requests, "textDocument/hover", doc.Uri, typeLine, typeColumn + "type: \"".Length + 3, "hover on \"Convolution\"");
        Measure(client, requests, "textDocument/completion", doc.Uri, bottomLine, blobStart, "completion after bottom: \"");
        Measure(client, requests, "textDocument/definition", doc.Uri, bottomLine, blobStart + blobLength / 2, $"definition of bottom \"{lines[bottomLine].Substring(blobStart, blobLength)}\"");
        client.PrintNotes();
        client.Shutdown();
    }

    private static void Measure(LspClient client, int count, string method, string uri, int line, int column, string label)
    {
        var times = new List<double>(count);
        int nonNull = 0, nonEmpty = 0;
        for (var i = 0; i < count; i++)
        {
            var reply = client.Request(method, Position(uri, line, column));
            times.Add(reply.Milliseconds);
            if (reply.Result is null) continue;
            nonNull++;
            if (HasContent(reply.Result)) nonEmpty++;
        }

        times.Sort();
        var where = $"{label} ({line + 1}:{column + 1})";
        Console.WriteLine($"  {where,-50} {Percentile(times, 50),8:0.000} {Percentile(times, 99),8:0.000} {times[^1],8:0.000}  {nonNull}/{count} ({nonEmpty} non-empty)");
    }

    /// <summary>Peak RSS of a fresh server with ten large documents open, analysed and asked about.</summary>
    private static void Memory(string server)
    {
        var docs = LargeDocuments(out var description);
        using var client = LspClient.Start(server);
        client.Initialize();
        var (_, idleRss) = client.MemoryKb();

        var start = Stopwatch.GetTimestamp();
        foreach (var doc in docs) client.Notify("textDocument/didOpen", new JsonObject { ["textDocument"] = TextItem(doc.Uri, doc.Text) });
        var diagnostics = docs.Sum(doc => client.WaitForDiagnostics(doc.Uri, 1).Count);
        var analysed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;

        int answers = 0, nonNull = 0;
        foreach (var doc in docs)
        {
            var lines = doc.Text.Split('\n');
            var (line, column) = NearMiddle(lines, "type: \"Convolution\"");
            var textDocument = new JsonObject { ["textDocument"] = new JsonObject { ["uri"] = doc.Uri } };
            foreach (var reply in new[]
            {
                client.Request("textDocument/hover", Position(doc.Uri, line, column + "type: \"".Length + 3)),
                client.Request("textDocument/documentSymbol", textDocument.DeepClone()),
                client.Request("textDocument/semanticTokens/full", textDocument.DeepClone()),
            })
            {
                answers++;
                if (reply.Result is not null) nonNull++;
            }
        }

        var (peak, rss) = client.MemoryKb();
        Console.WriteLine();
        Console.WriteLine($"memory: fresh process, {docs.Count} documents open: {description}");
        Console.WriteLine($"  all didOpen → all publishDiagnostics: {analysed:0} ms ({diagnostics} diagnostics); then hover, documentSymbol, semanticTokens/full on each: {nonNull}/{answers} non-null");
        Console.WriteLine($"  VmHWM (peak RSS) {peak / 1024.0,7:0.0} MB   VmRSS {rss / 1024.0,7:0.0} MB   (VmRSS after initialize, no documents: {idleRss / 1024.0:0.0} MB)");
        if (client.HugePagesKb() is { } huge) Console.WriteLine($"  of the resident memory, in transparent huge pages: {huge / 1024.0:0.0} MB (GcHugePages; PROTOTXT_LSP_HUGE_PAGES=0 turns them off)");
        client.PrintNotes();
        client.Shutdown();
    }

    private static Document MainDocument()
    {
        if (Inputs.ResNet152Path is { } path) return new(new Uri(path).AbsoluteUri, File.ReadAllText(path), Path.GetFileName(path));
        Console.WriteLine("(../shared/corpus is absent: NetGenerator.Realistic(100_000) stands in for ResNet-152)");
        return new(VirtualUri("generated-100k"), NetGenerator.Realistic(100_000), "generated net NetGenerator.Realistic(100_000)");
    }

    /// <summary>Ten distinct large nets: five ResNet-152 copies (net name edited) and five generated nets of 100–300 KB, or ten generated nets without ../shared.</summary>
    private static List<Document> LargeDocuments(out string description)
    {
        var docs = new List<Document>();
        var parts = new List<string>();
        var generatedCount = 10;
        if (Inputs.ResNet152Path is { } path)
        {
            var text = File.ReadAllText(path);
            const string netName = "name: \"ResNet-152\"";
            if (!text.Contains(netName, StringComparison.Ordinal)) throw new LatencyException($"{path} has no {netName} to edit");
            for (var k = 1; k <= 5; k++)
                docs.Add(new(VirtualUri($"ResNet-152-copy{k}"), text.Replace(netName, $"name: \"ResNet-152 copy {k}\"", StringComparison.Ordinal)));
            parts.Add($"5 × ResNet-152-deploy ({text.Length / 1024.0:0} KB, net name edited in each)");
            generatedCount = 5;
        }

        var sizes = Enumerable.Range(0, generatedCount).Select(i => 100_000 + i * 200_000 / (generatedCount - 1)).ToList();
        foreach (var size in sizes) docs.Add(new(VirtualUri($"generated-{size / 1000}k"), NetGenerator.Realistic(size)));
        parts.Add($"{generatedCount} × NetGenerator.Realistic ({string.Join(", ", docs.TakeLast(generatedCount).Select(d => $"{d.Text.Length / 1024.0:0}"))} KB)");
        description = $"{string.Join(" + ", parts)}; total {docs.Sum(d => d.Text.Length) / 1024.0 / 1024.0:0.00} MB";
        return docs;
    }

    private static string VirtualUri(string name) => new Uri(Path.Combine(Path.GetTempPath(), "prototxt-lsp-latency", name + ".prototxt")).AbsoluteUri;

    /// <summary>The indented line (inside a block) containing <paramref name="marker"/> nearest the middle of the file, and the marker's column.</summary>
    private static (int Line, int Column) NearMiddle(string[] lines, string marker)
    {
        var middle = lines.Length / 2;
        (int Line, int Column) best = (-1, -1);
        for (var i = 0; i < lines.Length; i++)
        {
            var column = lines[i].IndexOf(marker, StringComparison.Ordinal);
            if (column <= 0 || !char.IsWhiteSpace(lines[i][0])) continue;
            if (best.Line < 0 || Math.Abs(i - middle) < Math.Abs(best.Line - middle)) best = (i, column);
        }

        return best.Line >= 0 ? best : throw new LatencyException($"no indented line contains {marker}");
    }

    private static JsonObject TextItem(string uri, string text) => new()
    {
        ["uri"] = uri,
        ["languageId"] = "prototxt",
        ["version"] = 1,
        ["text"] = text,
    };

    private static JsonObject Position(string uri, int line, int character) => new()
    {
        ["textDocument"] = new JsonObject { ["uri"] = uri },
        ["position"] = new JsonObject { ["line"] = line, ["character"] = character },
    };

    private static JsonObject Range(int startLine, int startCharacter, int endLine, int endCharacter) => new()
    {
        ["start"] = new JsonObject { ["line"] = startLine, ["character"] = startCharacter },
        ["end"] = new JsonObject { ["line"] = endLine, ["character"] = endCharacter },
    };

    /// <summary>An answer with something in it: not an empty list, not a completion list without items.</summary>
    private static bool HasContent(JsonNode result) => result switch
    {
        JsonArray array => array.Count > 0,
        JsonObject list when list["items"] is JsonArray items => items.Count > 0,
        _ => true,
    };

    private static string Quantiles(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return $"{Percentile(sorted, 50),8:0.000} {Percentile(sorted, 90),8:0.000} {Percentile(sorted, 99),8:0.000} {sorted[^1],8:0.000}";
    }

    /// <summary>The nearest-rank percentile of sorted values.</summary>
    private static double Percentile(List<double> sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static string Machine()
    {
        var kernel = File.Exists("/proc/sys/kernel/osrelease") ? File.ReadAllText("/proc/sys/kernel/osrelease").Trim() : Environment.OSVersion.VersionString;
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        return $"{Environment.ProcessorCount} processors, kernel {kernel}, {cpu ?? "unknown CPU"}";
    }

    private static string ServerVersion(string server)
    {
        using var process = LspClient.StartProcess(LspClient.StartInfo(server, "--version"));
        var output = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new LatencyException($"{server} --version did not finish within {Timeout.TotalSeconds:0} s");
        }

        return output.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "no --version output";
    }

    private sealed record Document(string Uri, string Text, string Description = "");

    /// <summary>Command-line options; null (after printing why) when they are wrong.</summary>
    private sealed record Options(string? Server, int Edits, int Requests, int Starts, int Gap = 0)
    {
        public static Options? Parse(string[] args)
        {
            var options = new Options(null, 500, 200, 10);
            for (var i = 0; i < args.Length; i++)
            {
                var value = i + 1 < args.Length ? args[i + 1] : null;
                int? count = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : null;
                switch (args[i])
                {
                    case "--server" when value is not null:
                        options = options with { Server = value };
                        break;
                    case "--edits" when count is { } edits:
                        options = options with { Edits = edits };
                        break;
                    case "--requests" when count is { } requests:
                        options = options with { Requests = requests };
                        break;
                    case "--starts" when count is { } starts:
                        options = options with { Starts = starts };
                        break;
                    case "--gap" when count is { } gap:
                        options = options with { Gap = gap };
                        break;
                    default:
                        Console.Error.WriteLine($"latency: bad argument '{args[i]}'. Usage: latency [--server PATH] [--edits N] [--requests N] [--starts N] [--gap MS] (N > 0)");
                        return null;
                }

                i++;
            }

            return options;
        }
    }

    /// <summary>A failed measurement: a time-out, an error answer, or the server gone.</summary>
    private sealed class LatencyException(string message) : Exception(message);

    /// <summary>A response: its result and when the request was written and the answer read (Stopwatch timestamps).</summary>
    private readonly record struct Reply(JsonNode? Result, long SentAt, long ArrivedAt)
    {
        public double Milliseconds => Stopwatch.GetElapsedTime(SentAt, ArrivedAt).TotalMilliseconds;
    }

    /// <summary>A textDocument/publishDiagnostics notification: how many diagnostics and when it was read.</summary>
    private readonly record struct Published(int Count, long ArrivedAt);

    /// <summary>
    /// A minimal LSP client over the server process's stdin/stdout. Writes are serialized by a lock; one reader thread
    /// parses frames, timestamps them, completes requests by id, records publishDiagnostics by (uri, version) and
    /// answers server→client requests with a null result.
    /// </summary>
    private sealed class LspClient : IDisposable
    {
        private readonly Process _process;
        private readonly Stream _input;
        private readonly Thread _reader;
        private readonly Lock _writeGate = new();
        private readonly ArrayBufferWriter<byte> _body = new(4096);
        private readonly ConcurrentDictionary<int, (string Method, TaskCompletionSource<Reply> Reply)> _pending = new();
        private readonly ConcurrentDictionary<(string Uri, int Version), TaskCompletionSource<Published>> _diagnostics = new();
        private readonly ConcurrentQueue<string> _notes = new();
        private readonly Queue<string> _stderr = new();
        private int _nextId;
        private volatile string? _closed;

        private LspClient(string server)
        {
            StartedAt = Stopwatch.GetTimestamp();
            _process = StartProcess(StartInfo(server));
            _process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is null) return;
                lock (_stderr)
                {
                    _stderr.Enqueue(e.Data);
                    if (_stderr.Count > 20) _stderr.Dequeue();
                }
            };
            _process.BeginErrorReadLine();
            _input = new BufferedStream(_process.StandardInput.BaseStream, 1 << 16);
            _reader = new Thread(ReadLoop) { IsBackground = true, Name = "lsp reader" };
            _reader.Start();
        }

        /// <summary>When the process was started (Stopwatch timestamp).</summary>
        public long StartedAt { get; }

        public static LspClient Start(string server) => new(server);

        public static Process StartProcess(ProcessStartInfo info)
        {
            try
            {
                return Process.Start(info) ?? throw new LatencyException($"cannot start {info.FileName}");
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw new LatencyException($"cannot start {info.FileName}: {e.Message}");
            }
        }

        /// <summary>How to run the server: a native binary directly, a .dll through dotnet.</summary>
        public static ProcessStartInfo StartInfo(string server, params string[] args)
        {
            var dll = server.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
            var info = new ProcessStartInfo(dll ? "dotnet" : server)
            {
                UseShellExecute = false,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            if (dll) info.ArgumentList.Add(server);
            foreach (var arg in args) info.ArgumentList.Add(arg);
            return info;
        }

        public Reply Initialize()
        {
            var reply = Request("initialize", new JsonObject
            {
                ["processId"] = Environment.ProcessId,
                ["rootUri"] = null,
                ["capabilities"] = new JsonObject
                {
                    ["textDocument"] = new JsonObject
                    {
                        ["publishDiagnostics"] = new JsonObject { ["versionSupport"] = true },
                        ["hover"] = new JsonObject { ["contentFormat"] = new JsonArray("markdown", "plaintext") },
                        ["completion"] = new JsonObject { ["completionItem"] = new JsonObject { ["snippetSupport"] = true } },
                    },
                },
                ["trace"] = "off",
            });
            Notify("initialized", new JsonObject());
            return reply;
        }

        /// <summary>shutdown, exit, and the process's exit code.</summary>
        public int Shutdown()
        {
            Request("shutdown", null);
            Notify("exit", null);
            if (!_process.WaitForExit(Timeout)) throw new LatencyException($"the server did not exit within {Timeout.TotalSeconds:0} s of shutdown/exit{StderrTail()}");
            return _process.ExitCode;
        }

        public Reply Request(string method, JsonNode? parameters)
        {
            var id = Interlocked.Increment(ref _nextId);
            var reply = new TaskCompletionSource<Reply>(TaskCreationOptions.RunContinuationsAsynchronously);
            _pending[id] = (method, reply);
            FailIfClosed(reply, method);
            var sent = Write(json =>
            {
                json.WriteNumber("id", id);
                json.WriteString("method", method);
                WriteParams(json, parameters);
            });
            var result = Await(reply.Task, $"reply to {method} (#{id})");
            return result with { SentAt = sent };
        }

        /// <summary>Sends a notification; returns when it was written (Stopwatch timestamp).</summary>
        public long Notify(string method, JsonNode? parameters) => Write(json =>
        {
            json.WriteString("method", method);
            WriteParams(json, parameters);
        });

        public Published WaitForDiagnostics(string uri, int version)
        {
            var key = (uri, version);
            var published = _diagnostics.GetOrAdd(key, _ => new(TaskCreationOptions.RunContinuationsAsynchronously));
            FailIfClosed(published, "publishDiagnostics");
            var result = Await(published.Task, $"publishDiagnostics for {uri} version {version}");
            _diagnostics.TryRemove(key, out _);
            return result;
        }

        /// <summary>VmHWM (peak resident set) and VmRSS of the server, in KB, from /proc/PID/status.</summary>
        public (long Peak, long Current) MemoryKb()
        {
            var status = File.ReadAllLines($"/proc/{_process.Id}/status");
            long Field(string name) => status.FirstOrDefault(l => l.StartsWith(name + ":", StringComparison.Ordinal)) is { } line
                ? long.Parse(line[(name.Length + 1)..].Replace("kB", "", StringComparison.Ordinal).Trim(), CultureInfo.InvariantCulture)
                : throw new LatencyException($"/proc/{_process.Id}/status has no {name}");
            return (Field("VmHWM"), Field("VmRSS"));
        }

        /// <summary>AnonHugePages of the server in KB, from /proc/PID/smaps_rollup; null where the kernel has no such file.</summary>
        public long? HugePagesKb()
        {
            var path = $"/proc/{_process.Id}/smaps_rollup";
            if (!File.Exists(path)) return null;
            var line = File.ReadAllLines(path).FirstOrDefault(l => l.StartsWith("AnonHugePages:", StringComparison.Ordinal));
            return line is null ? null : long.Parse(line["AnonHugePages:".Length..].Replace("kB", "", StringComparison.Ordinal).Trim(), CultureInfo.InvariantCulture);
        }

        /// <summary>Prints the server→client requests and log messages seen so far, if any.</summary>
        public void PrintNotes()
        {
            foreach (var group in _notes.GroupBy(n => n)) Console.WriteLine($"  note: {group.Key}{(group.Count() > 1 ? $" (×{group.Count()})" : "")}");
        }

        public void Dispose()
        {
            try
            {
                if (!_process.HasExited) _process.Kill(entireProcessTree: true);
                _process.WaitForExit(Timeout);
            }
            catch (InvalidOperationException)
            {
                // Exited between the check and the kill.
            }

            try
            {
                _input.Dispose();
            }
            catch (IOException)
            {
                // The pipe is already closed.
            }

            _reader.Join(Timeout);
            _process.Dispose();
        }

        private long Write(Action<Utf8JsonWriter> fill)
        {
            lock (_writeGate)
            {
                _body.ResetWrittenCount();
                using (var json = new Utf8JsonWriter(_body))
                {
                    json.WriteStartObject();
                    json.WriteString("jsonrpc", "2.0");
                    fill(json);
                    json.WriteEndObject();
                }

                Span<byte> header = stackalloc byte[40];
                var headerLength = Encoding.ASCII.GetBytes($"Content-Length: {_body.WrittenCount}\r\n\r\n", header);
                var sent = Stopwatch.GetTimestamp();
                try
                {
                    _input.Write(header[..headerLength]);
                    _input.Write(_body.WrittenSpan);
                    _input.Flush();
                }
                catch (IOException e)
                {
                    throw new LatencyException($"writing to the server failed ({e.Message}){(_closed is { } reason ? $": {reason}" : "")}{StderrTail()}");
                }

                return sent;
            }
        }

        private static void WriteParams(Utf8JsonWriter json, JsonNode? parameters)
        {
            if (parameters is null) return;
            json.WritePropertyName("params");
            parameters.WriteTo(json);
        }

        private T Await<T>(Task<T> task, string what)
        {
            try
            {
                return task.WaitAsync(Timeout).GetAwaiter().GetResult();
            }
            catch (TimeoutException)
            {
                throw new LatencyException($"no {what} within {Timeout.TotalSeconds:0} s{StderrTail()}");
            }
        }

        private void FailIfClosed<T>(TaskCompletionSource<T> waiter, string what)
        {
            if (_closed is { } reason) waiter.TrySetException(new LatencyException($"{reason} (waiting for {what}){StderrTail()}"));
        }

        private string StderrTail()
        {
            lock (_stderr) return _stderr.Count == 0 ? "" : $"; the server's last stderr lines:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", _stderr)}";
        }

        private void ReadLoop()
        {
            var output = new BufferedStream(_process.StandardOutput.BaseStream, 1 << 16);
            var header = new StringBuilder();
            string reason;
            try
            {
                while (ReadFrame(output, header) is { } body)
                {
                    var arrived = Stopwatch.GetTimestamp();
                    if (JsonNode.Parse(body) is JsonObject message) Dispatch(message, arrived);
                }

                reason = "the server closed its output";
            }
            catch (Exception e)
            {
                reason = $"reading from the server failed: {e.Message}";
            }

            if (_process.WaitForExit(TimeSpan.FromSeconds(1))) reason += $" (exit code {_process.ExitCode})";
            Close(reason);
        }

        /// <summary>One frame's body, or null at the end of the stream between frames.</summary>
        private static byte[]? ReadFrame(Stream stream, StringBuilder line)
        {
            var length = -1;
            var started = false;
            line.Clear();
            while (true)
            {
                var b = stream.ReadByte();
                if (b < 0) return started ? throw new EndOfStreamException("the output ended inside a frame header") : null;
                started = true;
                if (b == '\r') continue;
                if (b != '\n')
                {
                    line.Append((char)b);
                    continue;
                }

                if (line.Length == 0) break; // the blank line after the headers
                var text = line.ToString();
                line.Clear();
                var colon = text.IndexOf(':');
                if (colon > 0 && text.AsSpan(0, colon).Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                    length = int.Parse(text.AsSpan(colon + 1).Trim(), CultureInfo.InvariantCulture);
            }

            if (length < 0) throw new InvalidDataException("a frame without Content-Length");
            var body = new byte[length];
            stream.ReadExactly(body);
            return body;
        }

        private void Dispatch(JsonObject message, long arrived)
        {
            var id = message["id"];
            if (message["method"]?.GetValue<string>() is not { } method)
            {
                if (id?.GetValueKind() != JsonValueKind.Number || !_pending.TryRemove(id.GetValue<int>(), out var pending)) return;
                if (message["error"] is { } error)
                    pending.Reply.TrySetException(new LatencyException($"{pending.Method} failed: {error["message"]} (code {error["code"]})"));
                else
                    pending.Reply.TrySetResult(new Reply(message["result"], 0, arrived));
                return;
            }

            if (id is not null)
            {
                // A server→client request (workspace/configuration, client/registerCapability, …): never keep it waiting.
                _notes.Enqueue($"answered the server's {method} request with null");
                Write(json =>
                {
                    json.WritePropertyName("id");
                    id.WriteTo(json);
                    json.WriteNull("result");
                });
                return;
            }

            switch (method)
            {
                case "textDocument/publishDiagnostics":
                    var parameters = message["params"];
                    if (parameters?["uri"]?.GetValue<string>() is not { } uri || parameters["version"] is not { } version) return;
                    var count = (parameters["diagnostics"] as JsonArray)?.Count ?? 0;
                    _diagnostics.GetOrAdd((uri, version.GetValue<int>()), _ => new(TaskCreationOptions.RunContinuationsAsynchronously))
                        .TrySetResult(new Published(count, arrived));
                    break;
                case "window/logMessage":
                    _notes.Enqueue($"server log message: {message["params"]?["message"]}");
                    break;
            }
        }

        private void Close(string reason)
        {
            _closed = reason;
            foreach (var (_, pending) in _pending) FailIfClosed(pending.Reply, pending.Method);
            foreach (var (key, waiter) in _diagnostics) FailIfClosed(waiter, $"publishDiagnostics for {key.Uri} version {key.Version}");
        }
    }
}
