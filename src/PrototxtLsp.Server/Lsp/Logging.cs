using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace PrototxtLsp.Server.Lsp;

/// <summary>
/// The server's log: stderr always, a file when <c>--log</c> or the <c>prototxt.log.file</c> setting names one, and
/// the client (warnings and errors as <c>window/logMessage</c>; everything else as <c>$/logTrace</c> while the client
/// asks for a trace). Never stdout: stdout carries the protocol. The level follows <c>prototxt.trace.server</c> /
/// <c>$/setTrace</c>: off → information, messages → debug (every message with its duration), verbose → everything.
/// </summary>
public sealed class ServerLog : IDisposable
{
    private readonly FileSink _file = new();

    private ServerLog(string? logFile)
    {
        _file.SetPath(logFile);
        Logger = new LoggerConfiguration()
            .MinimumLevel.ControlledBy(Level)
            .WriteTo.Sink(new StderrSink())
            .WriteTo.Sink(_file)
            .WriteTo.Sink(Client)
            .CreateLogger();
    }

    public static ServerLog Create(string? logFile) => new(logFile);

    public Logger Logger { get; }

    public LoggingLevelSwitch Level { get; } = new(LogEventLevel.Information);

    public ClientSink Client { get; } = new();

    public string? FilePath => _file.Path;

    /// <summary>Applies a trace value ("off", "messages", "verbose") to the level and to what reaches the client.</summary>
    public void SetTrace(string? trace)
    {
        var value = trace?.ToLowerInvariant() ?? "off";
        Level.MinimumLevel = value switch { "verbose" => LogEventLevel.Verbose, "messages" => LogEventLevel.Debug, _ => LogEventLevel.Information };
        Client.Trace = value is "messages" or "verbose" ? value : "off";
    }

    /// <summary>Starts writing to another file (null or empty: no file). The command line's --log wins over settings.</summary>
    public void SetFile(string? path) => _file.SetPath(path);

    public void Dispose()
    {
        Logger.Dispose();
        _file.Dispose();
    }

    private sealed class StderrSink : ILogEventSink
    {
        public void Emit(LogEvent e)
        {
            var line = $"[{e.Timestamp:HH:mm:ss.fff} {e.Level.ToString()[..3].ToUpperInvariant()}] {e.RenderMessage()}";
            if (e.Exception is not null) line += Environment.NewLine + e.Exception;
            lock (Console.Error) Console.Error.WriteLine(line);
        }
    }

    /// <summary>A file sink whose path can change while the server runs.</summary>
    private sealed class FileSink : ILogEventSink, IDisposable
    {
        private readonly Lock _gate = new();
        private Logger? _inner;

        public string? Path { get; private set; }

        public void SetPath(string? path)
        {
            path = string.IsNullOrWhiteSpace(path) ? null : path;
            lock (_gate)
            {
                if (path == Path) return;
                _inner?.Dispose();
                _inner = path is null ? null : new LoggerConfiguration().MinimumLevel.Verbose().WriteTo.File(path, shared: true).CreateLogger();
                Path = path;
            }
        }

        public void Emit(LogEvent e)
        {
            lock (_gate) _inner?.Write(e);
        }

        public void Dispose()
        {
            lock (_gate)
            {
                _inner?.Dispose();
                _inner = null;
            }
        }
    }
}

/// <summary>Forwards log events to the client once the connection is up.</summary>
public sealed class ClientSink : ILogEventSink
{
    [ThreadStatic] private static bool _forwarding;

    /// <summary>Sends (level, message, details); set by the server when the connection starts.</summary>
    public Action<LogEventLevel, string, string?>? Forward { get; set; }

    public string Trace { get; set; } = "off";

    public void Emit(LogEvent e)
    {
        if (Forward is not { } forward || _forwarding) return;
        if (e.Level < LogEventLevel.Warning && Trace == "off") return;
        _forwarding = true; // a failure while sending must not log its way back here
        try
        {
            forward(e.Level, e.RenderMessage(), Trace == "verbose" ? e.Exception?.ToString() : null);
        }
        catch
        {
            // The client is gone or the stream is closing; stderr and the file still have the event.
        }
        finally
        {
            _forwarding = false;
        }
    }
}
