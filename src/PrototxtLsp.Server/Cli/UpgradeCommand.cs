using System.Text;
using PrototxtLsp.Core.Diagnostics;
using PrototxtLsp.Core.Features;
using PrototxtLsp.Core.Semantics;
using PrototxtLsp.Core.Text;

namespace PrototxtLsp.Server.Cli;

/// <summary>
/// <c>prototxt-lsp upgrade PATH [-o OUT]</c>: rewrites an old-format net into the current format (see
/// <see cref="LegacyUpgrade"/>). The result goes to stdout, or to OUT (which may be PATH itself); notes go to stderr.
/// </summary>
public static class UpgradeCommand
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static int Run(ReadOnlySpan<string> args, TextWriter stdout, TextWriter stderr)
    {
        string? path = null, output = null;
        for (var i = 0; i < args.Length; i++)
        {
            var a = args[i];
            string? positional = null;
            if (a is "-o" or "--output")
            {
                if (i + 1 >= args.Length)
                {
                    stderr.WriteLine($"prototxt-lsp upgrade: {a} needs a file to write.");
                    return CommandLine.ExitUsage;
                }

                output = args[++i];
            }
            else if (a.StartsWith("--output=", StringComparison.Ordinal))
            {
                output = a["--output=".Length..];
            }
            else if (a == "--" && i + 1 < args.Length)
            {
                positional = args[++i];
            }
            else if (a.StartsWith('-') && a.Length > 1)
            {
                stderr.WriteLine($"prototxt-lsp upgrade: unknown option '{a}'.");
                stderr.WriteLine(CommandLine.Usage);
                return CommandLine.ExitUsage;
            }
            else
            {
                positional = a;
            }

            if (positional is null) continue;
            if (path is not null)
            {
                stderr.WriteLine("prototxt-lsp upgrade: give exactly one net file to upgrade.");
                return CommandLine.ExitUsage;
            }

            path = positional;
        }

        if (path is null || output is "")
        {
            stderr.WriteLine(path is null ? "prototxt-lsp upgrade: give the net file to upgrade." : "prototxt-lsp upgrade: -o needs a file name.");
            stderr.WriteLine(CommandLine.Usage);
            return CommandLine.ExitUsage;
        }

        string text;
        try
        {
            text = StrictUtf8.GetString(File.ReadAllBytes(path));
        }
        catch (DecoderFallbackException)
        {
            stderr.WriteLine($"prototxt-lsp upgrade: '{path}' is not valid UTF-8.");
            return CommandLine.ExitUsage;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine(File.Exists(path) || Directory.Exists(path)
                ? $"prototxt-lsp upgrade: cannot read '{path}': {e.Message}"
                : $"prototxt-lsp upgrade: '{path}' does not exist.");
            return CommandLine.ExitUsage;
        }

        var analysis = DocumentAnalysis.Analyze(new SourceText(text), path);
        var result = LegacyUpgrade.Upgrade(analysis);
        foreach (var note in result.Notes) stderr.WriteLine($"{path}: {note}");

        // Unchanged and still legacy: Caffe would refuse too (or the file has syntax errors). Nothing is written.
        if (!result.Changed && LegacyUpgrade.NeedsUpgrade(analysis)) return CommandLine.ExitErrors;

        // Like Caffe's tool, write the output even when the net was already current (unless that would rewrite PATH).
        if (output is null)
        {
            stdout.Write(result.Text);
        }
        else if (result.Changed || !SamePath(path, output))
        {
            try
            {
                File.WriteAllText(output, result.Text, StrictUtf8);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"prototxt-lsp upgrade: cannot write '{output}': {e.Message}");
                return CommandLine.ExitUsage;
            }
        }

        if (!result.Changed) return CommandLine.ExitOk;
        var upgraded = DocumentAnalysis.Analyze(new SourceText(result.Text), output ?? path);
        var errors = upgraded.Diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error);
        if (errors > 0)
        {
            stderr.WriteLine($"{path}: the upgraded net still has {errors} error{(errors == 1 ? "" : "s")}; run `prototxt-lsp check` on it for details.");
            return CommandLine.ExitErrors;
        }

        if (LegacyUpgrade.NeedsUpgrade(upgraded))
        {
            stderr.WriteLine($"{path}: the upgrade is incomplete (see the notes above).");
            return CommandLine.ExitErrors;
        }

        stderr.WriteLine($"{path}: upgraded{(output is null ? "" : $" into '{output}'")}.");
        return CommandLine.ExitOk;
    }

    private static bool SamePath(string a, string b) =>
        string.Equals(Path.GetFullPath(a), Path.GetFullPath(b), OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase);
}
