using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using PrototxtLsp.Server.Protocol;
using StreamJsonRpc;

namespace PrototxtLsp.Tests.Infrastructure;

/// <summary>Starts the real prototxt-lsp executable and talks LSP to it over stdio.</summary>
public sealed class LspClient : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentDictionary<string, BlockingCollection<PublishDiagnosticsParams>> _diagnostics = new();

    public JsonRpc Rpc { get; }

    private LspClient(Process process, JsonRpc rpc)
    {
        _process = process;
        Rpc = rpc;
    }

    /// <summary>window/logMessage (as "type: message") and $/logTrace (as "trace: message") notifications, in arrival order.</summary>
    public BlockingCollection<string> Log { get; } = new();

    public static async Task<LspClient> StartAsync(bool initialize = true, InitializeParams? init = null, params string[] extraArgs)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "prototxt-lsp.dll");
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(dll);
        psi.ArgumentList.Add("--stdio");
        foreach (var a in extraArgs) psi.ArgumentList.Add(a);
        var process = Process.Start(psi)!;
        _ = process.StandardError.ReadToEndAsync();
        var formatter = new SystemTextJsonFormatter();
        formatter.JsonSerializerOptions.TypeInfoResolver = LspJsonContext.Default;
        formatter.JsonSerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        formatter.JsonSerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull;
        var rpc = new JsonRpc(new HeaderDelimitedMessageHandler(process.StandardInput.BaseStream, process.StandardOutput.BaseStream, formatter));
        var client = new LspClient(process, rpc);
        var onDiagnostics = (Action<PublishDiagnosticsParams>)client.OnDiagnostics;
        rpc.AddLocalRpcMethod(onDiagnostics.Method, onDiagnostics.Target,
            new JsonRpcMethodAttribute("textDocument/publishDiagnostics") { UseSingleObjectParameterDeserialization = true });
        var onLog = (Action<LogMessageParams>)(p => client.Log.Add($"{p.Type}: {p.Message}"));
        rpc.AddLocalRpcMethod(onLog.Method, onLog.Target, new JsonRpcMethodAttribute("window/logMessage") { UseSingleObjectParameterDeserialization = true });
        var onTrace = (Action<LogTraceParams>)(p => client.Log.Add($"trace: {p.Message}"));
        rpc.AddLocalRpcMethod(onTrace.Method, onTrace.Target, new JsonRpcMethodAttribute("$/logTrace") { UseSingleObjectParameterDeserialization = true });
        rpc.StartListening();
        if (initialize)
        {
            init ??= new InitializeParams();
            init.ProcessId = Environment.ProcessId;
            await rpc.InvokeWithParameterObjectAsync<InitializeResult>("initialize", init);
            await rpc.NotifyWithParameterObjectAsync("initialized", new InitializedParams());
        }

        return client;
    }

    private void OnDiagnostics(PublishDiagnosticsParams p) =>
        _diagnostics.GetOrAdd(p.Uri, _ => new BlockingCollection<PublishDiagnosticsParams>()).Add(p);

    /// <summary>The next diagnostics published for the uri (optionally for a given version), waiting up to 20 s.</summary>
    public PublishDiagnosticsParams NextDiagnostics(string uri, int? version = null)
    {
        var queue = _diagnostics.GetOrAdd(uri, _ => new BlockingCollection<PublishDiagnosticsParams>());
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !queue.TryTake(out var p, left)) throw new TimeoutException($"no diagnostics for {uri} (version {version})");
            if (version is null || p.Version == version || (version < 0 && p.Version is null)) return p;
        }
    }

    /// <summary>The first log line that contains <paramref name="text"/>, waiting up to 20 s.</summary>
    public string WaitForLog(string text)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !Log.TryTake(out var line, left)) throw new TimeoutException($"no log line containing '{text}'");
            if (line.Contains(text, StringComparison.Ordinal)) return line;
        }
    }

    public Task<T> RequestAsync<T>(string method, object parameters, CancellationToken ct = default) =>
        Rpc.InvokeWithParameterObjectAsync<T>(method, parameters, ct);

    public Task OpenAsync(string uri, string text, int version = 1) =>
        Rpc.NotifyWithParameterObjectAsync("textDocument/didOpen", new DidOpenTextDocumentParams
        {
            TextDocument = new TextDocumentItem { Uri = uri, LanguageId = "prototxt", Version = version, Text = text },
        });

    public async Task<int> ShutdownAndExitAsync()
    {
        await Rpc.InvokeWithParameterObjectAsync<JsonElement?>("shutdown");
        await Rpc.NotifyWithParameterObjectAsync("exit");
        return await WaitForExitAsync();
    }

    public async Task<int> WaitForExitAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        Rpc.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
