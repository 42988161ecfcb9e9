using System.Reflection;

namespace PrototxtLsp.Server.Cli;

/// <summary>Dispatches the command-line verbs. Exit codes: 0 success, 1 errors found, 2 bad usage or unreadable input.</summary>
public static class CommandLine
{
    public const int ExitOk = 0;
    public const int ExitErrors = 1;
    public const int ExitUsage = 2;

    public static string Version =>
        typeof(CommandLine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public const string Usage = """
        prototxt-lsp — checks Caffe .prototxt nets and solvers against caffe.proto.

        Usage:
          prototxt-lsp check [--format text|json] [--schema caffe.proto] [--timings] PATH...
              Check files, or folders searched recursively for *.prototxt. Reports every syntax and schema
              problem with its code (PTX####), 1-based line and column.
              --schema checks against a fork's own caffe.proto (else a "# proto-file:" header, a
              prototxt-lsp.json or src/caffe/proto/caffe.proto above the file, else the embedded schema).
              --timings prints to stderr how long each stage took per file.
              Exit code: 0 no errors, 1 errors found, 2 bad usage or unreadable files.
          prototxt-lsp format [--check] PATH...
              Rewrite files (or folders of *.prototxt) in the canonical layout: two-space indent, one field per
              line, comments kept, blank-line runs collapsed, separators dropped, double quotes. Blocks with
              syntax errors are left as written. With --check nothing is written: the files that would change
              are listed and the exit code is 1 if there are any. PATH '-' formats stdin to stdout.
          prototxt-lsp summary [--format text|json] [--phase TRAIN|TEST] PATH
              Print per layer (those that exist in the phase, default TEST) its type, top shapes, learnable
              parameters, multiply-accumulates and activation memory, with totals. Unknown sizes show as ?.
          prototxt-lsp upgrade PATH [-o OUT]
              Rewrite an old-format net into the current format, as Caffe's upgrade_net_proto_text does: V0 and
              V1 `layers` become `layer`, net-level input/input_shape/input_dim become an Input layer, BatchNorm
              param blocks get lr_mult: 0. Comments are kept. Prints the result to stdout, or writes OUT (which
              may be PATH). Notes go to stderr.
              Exit code: 0 upgraded or already current, 1 upgrade impossible or errors left, 2 bad usage.
          prototxt-lsp [--stdio] [--log PATH]
              Run the language server over stdin/stdout (LSP 3.17). Logs go to stderr and, with --log (or the
              prototxt.log.file setting), a file.
          prototxt-lsp --version
          prototxt-lsp --help
        """;

    /// <summary>The language server over stdin/stdout: `prototxt-lsp [--stdio] [--log PATH]`.</summary>
    private static int RunServer(string[] args)
    {
        string? logFile = null;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--log" && i + 1 < args.Length) logFile = args[++i];
            else if (args[i].StartsWith("--log=", StringComparison.Ordinal)) logFile = args[i]["--log=".Length..];
        }

        using var log = Lsp.ServerLog.Create(logFile);
        var server = new Lsp.LanguageServer(Console.OpenStandardInput(), Console.OpenStandardOutput(), log, logFileFromCommandLine: logFile is not null); // stdout-ok: LSP frames
        var code = server.RunAsync().GetAwaiter().GetResult();
        log.Logger.Information("Exiting with code {Code}; garbage collections {Gen0}/{Gen1}/{Gen2} (generation 0/1/2), paused {PauseMs:0} ms in all, {AllocatedMb:0} MB allocated",
            code, GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration().TotalMilliseconds, GC.GetTotalAllocatedBytes() / 1048576.0);
        return code;
    }

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length == 0 || args[0] is "--stdio" or "--log" || args[0].StartsWith("--log=", StringComparison.Ordinal))
        {
            return RunServer(args);
        }

        switch (args[0])
        {
            case "--version" or "-v" or "version":
                stdout.WriteLine($"prototxt-lsp {Version}");
                return ExitOk;
            case "--help" or "-h" or "help":
                stdout.WriteLine(Usage);
                return ExitOk;
            case "check":
                return CheckCommand.Run(args.AsSpan(1), stdout, stderr);
            case "format":
                return FormatCommand.Run(args.AsSpan(1), Console.In, stdout, stderr);
            case "summary":
                return SummaryCommand.Run(args.AsSpan(1), stdout, stderr);
            case "upgrade":
                return UpgradeCommand.Run(args.AsSpan(1), stdout, stderr);
            default:
                stderr.WriteLine($"prototxt-lsp: unknown command '{args[0]}'.");
                stderr.WriteLine(Usage);
                return ExitUsage;
        }
    }
}
