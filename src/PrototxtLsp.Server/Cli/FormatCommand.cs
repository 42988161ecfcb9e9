using System.Text;
using PrototxtLsp.Core.Features;
using PrototxtLsp.Core.Syntax;
using PrototxtLsp.Core.Text;

namespace PrototxtLsp.Server.Cli;

/// <summary>
/// <c>prototxt-lsp format [--check] PATH...</c>: rewrites files in the canonical layout, or with <c>--check</c> lists
/// the files that are not formatted and changes nothing. <c>-</c> formats stdin to stdout.
/// </summary>
public static class FormatCommand
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static int Run(ReadOnlySpan<string> args, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        var check = false;
        var paths = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var a = args[i];
            if (a == "--check")
            {
                check = true;
            }
            else if (a == "--")
            {
                for (i++; i < args.Length; i++) paths.Add(args[i]);
            }
            else if (a.StartsWith('-') && a.Length > 1)
            {
                stderr.WriteLine($"prototxt-lsp format: unknown option '{a}'.");
                stderr.WriteLine(CommandLine.Usage);
                return CommandLine.ExitUsage;
            }
            else
            {
                paths.Add(a);
            }
        }

        if (paths.Count == 0)
        {
            stderr.WriteLine("prototxt-lsp format: give at least one file or folder to format, or - for stdin.");
            stderr.WriteLine(CommandLine.Usage);
            return CommandLine.ExitUsage;
        }

        if (paths.Contains("-"))
        {
            if (paths.Count > 1)
            {
                stderr.WriteLine("prototxt-lsp format: '-' (stdin) cannot be combined with other paths.");
                return CommandLine.ExitUsage;
            }

            var input = stdin.ReadToEnd();
            var formatted = Formatter.FormatText(SyntaxTree.Parse(input));
            if (check)
            {
                if (formatted == input) return CommandLine.ExitOk;
                stderr.WriteLine("<stdin> is not formatted");
                return CommandLine.ExitErrors;
            }

            stdout.Write(formatted);
            return CommandLine.ExitOk;
        }

        var unreadable = false;
        int changed = 0, total = 0;
        foreach (var file in CheckCommand.ExpandPaths(paths, stderr, ref unreadable, "format"))
        {
            string text;
            try
            {
                text = StrictUtf8.GetString(File.ReadAllBytes(file));
            }
            catch (DecoderFallbackException)
            {
                stderr.WriteLine($"prototxt-lsp format: '{file}' is not valid UTF-8; left unchanged.");
                unreadable = true;
                continue;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"prototxt-lsp format: cannot read '{file}': {e.Message}");
                unreadable = true;
                continue;
            }

            total++;
            var result = Formatter.FormatText(SyntaxTree.Parse(new SourceText(text)));
            if (result == text) continue;
            changed++;
            if (check)
            {
                stdout.WriteLine($"{file}: not formatted");
                continue;
            }

            try
            {
                File.WriteAllText(file, result, StrictUtf8);
                stdout.WriteLine($"{file}: formatted");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"prototxt-lsp format: cannot write '{file}': {e.Message}");
                unreadable = true;
            }
        }

        stderr.WriteLine(check
            ? $"{changed} of {total} file(s) would be reformatted."
            : $"{changed} of {total} file(s) reformatted.");
        if (unreadable) return CommandLine.ExitUsage;
        return check && changed > 0 ? CommandLine.ExitErrors : CommandLine.ExitOk;
    }
}
