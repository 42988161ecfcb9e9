using PrototxtLsp.Server.Cli;

namespace PrototxtLsp.Server;

public static class Program
{
    public static int Main(string[] args)
    {
        // The only place that hands the real console to the command line; the LSP mode never writes to stdout.
        var stdout = Console.Out; // stdout-ok: command-line verbs print their results
        return CommandLine.Run(args, stdout, Console.Error);
    }
}
