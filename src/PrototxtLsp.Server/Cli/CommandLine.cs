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
          prototxt-lsp check [--format text|json] PATH...
              Check files, or folders searched recursively for *.prototxt. Reports every syntax and schema
              problem with its code (PTX####), 1-based line and column.
              Exit code: 0 no errors, 1 errors found, 2 bad usage or unreadable files.
          prototxt-lsp --version
          prototxt-lsp --help
        """;

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length == 0)
        {
            stderr.WriteLine(Usage);
            return ExitUsage;
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
            default:
                stderr.WriteLine($"prototxt-lsp: unknown command '{args[0]}'.");
                stderr.WriteLine(Usage);
                return ExitUsage;
        }
    }
}
