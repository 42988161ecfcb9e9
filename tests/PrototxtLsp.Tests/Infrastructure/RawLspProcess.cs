using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace PrototxtLsp.Tests.Infrastructure;

/// <summary>
/// The real prototxt-lsp executable driven byte by byte: frames are written exactly as given (so tests can send broken
/// ones), and everything the server writes is parsed strictly and kept, so a test can tell whether a request was
/// answered once, twice or never. Use <see cref="LspClient"/> for well-behaved conversations.
/// </summary>
public sealed class RawLspProcess : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    private readonly Process _process;
    private readonly Stream _stdin;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly StringBuilder _stderr = new();
    private readonly Task _stdoutPump;
    private readonly Task _stderrPump;
    private readonly object _gate = new();
    private readonly Dictionary<string, List<JsonElement>> _responses = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TaskCompletionSource<JsonElement>> _waiters = new(StringComparer.Ordinal);
    private long _nextId = 1000;
    private bool _stdinClosed;

    private RawLspProcess(Process process)
    {
        _process = process;
        _stdin = process.StandardInput.BaseStream;
        _stdoutPump = Task.Run(() => PumpStdoutAsync(process.StandardOutput.BaseStream));
        _stderrPump = Task.Run(async () =>
        {
            var reader = process.StandardError;
            while (await reader.ReadLineAsync() is { } line)
            {
                lock (_stderr) _stderr.AppendLine(line);
            }
        });
    }

    /// <summary>Server-to-client notifications (publishDiagnostics, window/logMessage, $/logTrace), in arrival order.</summary>
    public BlockingCollection<JsonElement> Notifications { get; } = new();

    /// <summary>Set when the server's output broke the base protocol (it never should).</summary>
    public string? OutputError { get; private set; }

    public string Stderr
    {
        get
        {
            lock (_stderr) return _stderr.ToString();
        }
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public static RawLspProcess Start()
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "prototxt-lsp.dll"));
        psi.ArgumentList.Add("--stdio");
        return new RawLspProcess(Process.Start(psi)!);
    }

    /// <summary>Starts the server and completes the initialize handshake.</summary>
    public static async Task<RawLspProcess> StartInitializedAsync()
    {
        var server = Start();
        var result = await server.CallAsync("initialize", new { processId = Environment.ProcessId, rootUri = (string?)null, capabilities = new { } });
        Assert.True(result.TryGetProperty("result", out _), $"initialize failed: {result}");
        await server.NotifyAsync("initialized", new { });
        return server;
    }

    public static byte[] Serialize(object message) => JsonSerializer.SerializeToUtf8Bytes(message, Json);

    /// <summary>A well-formed frame around a body.</summary>
    public static byte[] Frame(byte[] body) => [.. Encoding.ASCII.GetBytes($"Content-Length: {body.Length}\r\n\r\n"), .. body];

    public static byte[] Frame(string body) => Frame(Encoding.UTF8.GetBytes(body));

    public static byte[] RequestBody(long id, string method, object? parameters) =>
        Serialize(parameters is null ? new { jsonrpc = "2.0", id, method } : new { jsonrpc = "2.0", id, method, @params = parameters });

    public static byte[] NotificationBody(string method, object? parameters) =>
        Serialize(parameters is null ? new { jsonrpc = "2.0", method } : new { jsonrpc = "2.0", method, @params = parameters });

    public long NewId() => Interlocked.Increment(ref _nextId);

    /// <summary>Writes bytes as they are (any number of frames, or broken ones).</summary>
    public async Task SendRawAsync(byte[] bytes)
    {
        await _writeLock.WaitAsync();
        try
        {
            await _stdin.WriteAsync(bytes);
            await _stdin.FlushAsync();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public Task SendRawAsync(string text) => SendRawAsync(Encoding.UTF8.GetBytes(text));

    public async Task<long> RequestAsync(string method, object? parameters)
    {
        var id = NewId();
        await SendRawAsync(Frame(RequestBody(id, method, parameters)));
        return id;
    }

    public Task NotifyAsync(string method, object? parameters) => SendRawAsync(Frame(NotificationBody(method, parameters)));

    /// <summary>Sends a request and returns the whole response message (with result or error).</summary>
    public async Task<JsonElement> CallAsync(string method, object? parameters, TimeSpan? timeout = null) =>
        await ResponseAsync(await RequestAsync(method, parameters), timeout);

    /// <summary>The result of a request that must succeed.</summary>
    public async Task<JsonElement> ResultAsync(string method, object? parameters, TimeSpan? timeout = null)
    {
        var response = await CallAsync(method, parameters, timeout);
        Assert.True(response.TryGetProperty("result", out var result), $"{method} failed: {Truncate(response.ToString())}");
        return result;
    }

    /// <summary>The error code of a request that must fail.</summary>
    public async Task<int> ErrorCodeAsync(string method, object? parameters)
    {
        var response = await CallAsync(method, parameters);
        Assert.True(response.TryGetProperty("error", out var error), $"{method} should have failed: {Truncate(response.ToString())}");
        return error.GetProperty("code").GetInt32();
    }

    /// <summary>The first response with this id (a number, or "null" for id null), waiting up to 20 s by default.</summary>
    public Task<JsonElement> ResponseAsync(long id, TimeSpan? timeout = null) => ResponseAsync(id.ToString(), timeout);

    public async Task<JsonElement> ResponseAsync(string idKey, TimeSpan? timeout = null)
    {
        TaskCompletionSource<JsonElement> waiter;
        lock (_gate)
        {
            if (_responses.TryGetValue(idKey, out var list)) return list[0];
            if (!_waiters.TryGetValue(idKey, out waiter!)) _waiters[idKey] = waiter = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        try
        {
            return await waiter.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(20));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"no response with id {idKey}; server exited: {HasExited}; stderr:\n{Truncate(Stderr)}");
        }
    }

    /// <summary>Every response received so far with this id (a number, or "null").</summary>
    public IReadOnlyList<JsonElement> Responses(string idKey)
    {
        lock (_gate) return _responses.TryGetValue(idKey, out var list) ? list.ToList() : [];
    }

    /// <summary>The number of responses received so far, over all ids.</summary>
    public int ResponseCount
    {
        get
        {
            lock (_gate) return _responses.Values.Sum(l => l.Count);
        }
    }

    /// <summary>The server's copy of a document (<c>prototxt/documentText</c>): null when it is not open.</summary>
    public async Task<(int Version, string Text)?> DocumentTextAsync(string uri, TimeSpan? timeout = null)
    {
        var result = await ResultAsync("prototxt/documentText", new { textDocument = new { uri } }, timeout);
        if (result.ValueKind == JsonValueKind.Null) return null;
        Assert.Equal(uri, result.GetProperty("uri").GetString());
        return (result.GetProperty("version").GetInt32(), result.GetProperty("text").GetString()!);
    }

    public Task OpenAsync(string uri, string text, int version = 1) =>
        NotifyAsync("textDocument/didOpen", new { textDocument = new { uri, languageId = "prototxt", version, text } });

    public void CloseStdin()
    {
        _writeLock.Wait();
        try
        {
            if (_stdinClosed) return;
            _stdinClosed = true;
            _stdin.Close();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Waits for the process to end; false if it is still running after <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary><c>shutdown</c> (which must answer null) then <c>exit</c>; returns the exit code.</summary>
    public async Task<int> ShutdownAndExitAsync()
    {
        var result = await ResultAsync("shutdown", null);
        Assert.Equal(JsonValueKind.Null, result.ValueKind);
        await NotifyAsync("exit", null);
        Assert.True(await WaitForExitAsync(TimeSpan.FromSeconds(10)), "the server did not exit after shutdown and exit");
        return ExitCode;
    }

    private async Task PumpStdoutAsync(Stream stdout)
    {
        var input = new BufferedStream(stdout, 1 << 16);
        try
        {
            while (true)
            {
                var length = await ReadHeadersAsync(input);
                if (length is null) return;
                var body = new byte[length.Value];
                await input.ReadExactlyAsync(body);
                Dispatch(JsonSerializer.Deserialize<JsonElement>(body));
            }
        }
        catch (Exception e)
        {
            OutputError = e.ToString();
        }
        finally
        {
            Notifications.CompleteAdding();
        }
    }

    /// <summary>Strict LSP headers: CRLF lines, a Content-Length, a blank line. Null at a clean end of output.</summary>
    private static async Task<int?> ReadHeadersAsync(Stream input)
    {
        int? length = null;
        var line = new StringBuilder();
        var one = new byte[1];
        while (true)
        {
            if (await input.ReadAsync(one) == 0)
            {
                if (line.Length == 0 && length is null) return null;
                throw new EndOfStreamException($"output ended inside a header: '{line}'");
            }

            if (one[0] != '\n')
            {
                line.Append((char)one[0]);
                continue;
            }

            var text = line.ToString();
            line.Clear();
            if (!text.EndsWith('\r')) throw new InvalidDataException($"header line without CR: '{text}'");
            text = text[..^1];
            if (text.Length == 0) return length ?? throw new InvalidDataException("header block without Content-Length");
            var colon = text.IndexOf(':');
            if (colon < 0) throw new InvalidDataException($"header line without colon: '{text}'");
            if (text[..colon] == "Content-Length") length = int.Parse(text[(colon + 1)..].Trim());
        }
    }

    private void Dispatch(JsonElement message)
    {
        var isResponse = message.TryGetProperty("id", out var id) && !message.TryGetProperty("method", out _);
        if (!isResponse)
        {
            Notifications.Add(message);
            return;
        }

        var key = id.ValueKind == JsonValueKind.String ? id.GetString()! : id.GetRawText();
        TaskCompletionSource<JsonElement>? waiter;
        lock (_gate)
        {
            if (!_responses.TryGetValue(key, out var list)) _responses[key] = list = [];
            list.Add(message);
            _waiters.Remove(key, out waiter);
        }

        waiter?.TrySetResult(message);
    }

    public static string Truncate(string text, int max = 4000) => text.Length <= max ? text : text[..max] + $"… ({text.Length} chars)";

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                _process.Kill();
            }
            catch (InvalidOperationException)
            {
            }

            await _process.WaitForExitAsync();
        }

        await Task.WhenAny(Task.WhenAll(_stdoutPump, _stderrPump), Task.Delay(TimeSpan.FromSeconds(5)));
        _process.Dispose();
        _writeLock.Dispose();
    }
}
