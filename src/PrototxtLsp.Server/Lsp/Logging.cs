using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace PrototxtLsp.Server.Lsp;

public static class Logging
{
    /// <summary>Logs to stderr and, when given, a file. Never to stdout: stdout carries the protocol.</summary>
    public static Logger Create(string? logFile, LogEventLevel level = LogEventLevel.Information)
    {
        var config = new LoggerConfiguration().MinimumLevel.Is(level).WriteTo.Sink(new StderrSink());
        if (!string.IsNullOrEmpty(logFile)) config = config.WriteTo.File(logFile, shared: true);
        return config.CreateLogger();
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
}
