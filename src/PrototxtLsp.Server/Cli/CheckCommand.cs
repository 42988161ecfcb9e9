using System.Text.Encodings.Web;
using System.Text.Json;
using PrototxtLsp.Core.Diagnostics;
using PrototxtLsp.Core.Semantics;
using PrototxtLsp.Core.Text;

namespace PrototxtLsp.Server.Cli;

/// <summary><c>prototxt-lsp check [--format text|json] PATH...</c></summary>
public static class CheckCommand
{
    private sealed record FileResult(string Path, DocumentAnalysis Analysis);

    public static int Run(ReadOnlySpan<string> args, TextWriter stdout, TextWriter stderr)
    {
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        PrototxtLsp.Core.Schema.ProtoSchema.PreloadCaffe();
        var format = "text";
        var timings = false;
        string? schema = null;
        var paths = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var a = args[i];
            if (a is "--format" or "-f")
            {
                if (i + 1 >= args.Length)
                {
                    stderr.WriteLine("prototxt-lsp check: --format needs a value: text or json.");
                    return CommandLine.ExitUsage;
                }

                format = args[++i];
            }
            else if (a.StartsWith("--format=", StringComparison.Ordinal))
            {
                format = a["--format=".Length..];
            }
            else if (a == "--timings")
            {
                timings = true;
            }
            else if (a == "--schema")
            {
                if (i + 1 >= args.Length)
                {
                    stderr.WriteLine("prototxt-lsp check: --schema needs the path of a caffe.proto.");
                    return CommandLine.ExitUsage;
                }

                schema = args[++i];
            }
            else if (a.StartsWith("--schema=", StringComparison.Ordinal))
            {
                schema = a["--schema=".Length..];
            }
            else if (a == "--")
            {
                for (i++; i < args.Length; i++) paths.Add(args[i]);
            }
            else if (a.StartsWith('-') && a.Length > 1)
            {
                stderr.WriteLine($"prototxt-lsp check: unknown option '{a}'.");
                stderr.WriteLine(CommandLine.Usage);
                return CommandLine.ExitUsage;
            }
            else
            {
                paths.Add(a);
            }
        }

        if (format is not ("text" or "json"))
        {
            stderr.WriteLine($"prototxt-lsp check: unknown format '{format}'; use text or json.");
            return CommandLine.ExitUsage;
        }

        if (paths.Count == 0)
        {
            stderr.WriteLine("prototxt-lsp check: give at least one file or folder to check.");
            stderr.WriteLine(CommandLine.Usage);
            return CommandLine.ExitUsage;
        }

        var unreadable = false;
        var results = new List<FileResult>();
        var schemas = new Schemas.SchemaProvider { SettingPath = schema };
        var files = ExpandPaths(paths, stderr, ref unreadable);
        // One file: analysed without collections on a heap reserved up front (QuietGc, GcHugePages, HeapPrefault); the
        // region opens before the file is read, so that its bytes and text (large objects) are in the reserved space
        // too, and closes after the report. With many files, the analyses kept for the report make a collection per
        // file the dearer choice, and only large files get a region of their own.
        var single = files.Count == 1;
        var firstFile = System.Diagnostics.Stopwatch.GetTimestamp();
        using var quiet = single ? QuietGc.Begin((int)Math.Min(int.MaxValue, LengthOf(files[0])), threshold: 0, prefault: true) : null;
        var reserved = System.Diagnostics.Stopwatch.GetTimestamp();
        foreach (var file in files)
        {
            var entered = single ? firstFile : System.Diagnostics.Stopwatch.GetTimestamp();
            long read = 0, t0 = 0, t1 = 0;
            string? failure = null;
            var byteCount = 0;
            var analysis = QuietGc.Run(single ? 0 : (int)Math.Min(int.MaxValue, LengthOf(file)), () =>
            {
                read = System.Diagnostics.Stopwatch.GetTimestamp();
                byte[] bytes;
                try
                {
                    bytes = File.ReadAllBytes(file);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    failure = e.Message;
                    return null;
                }

                byteCount = bytes.Length;
                t0 = System.Diagnostics.Stopwatch.GetTimestamp();
                var text = SourceText.FromBytes(bytes);
                var options = schemas.OptionsFor(file, text.Text, WorkspaceContext.FileSystem);
                t1 = System.Diagnostics.Stopwatch.GetTimestamp();
                return DocumentAnalysis.Analyze(text, file, options);
            }, threshold: QuietGc.Threshold, prefault: true);
            if (analysis is null)
            {
                stderr.WriteLine($"prototxt-lsp check: cannot read '{file}': {failure}");
                unreadable = true;
                continue;
            }

            results.Add(new FileResult(file, analysis));
            if (timings)
            {
                var t = analysis.Timings;
                stderr.WriteLine($"{file}: {byteCount / 1024.0:0.#} KB; heap reservation {Ms(System.Diagnostics.Stopwatch.GetElapsedTime(entered, single ? reserved : read))}, read {Ms(System.Diagnostics.Stopwatch.GetElapsedTime(read, t0))}, decode + schema choice {Ms(System.Diagnostics.Stopwatch.GetElapsedTime(t0, t1))}, " +
                                 $"parse {Ms(t.Parse)}, wait for the embedded schema {Ms(t.Schema)}, bind {Ms(t.Bind)}, graph {Ms(t.Graph)}, shapes {Ms(t.Shapes)}, analysis total {Ms(t.Total)}");
            }
        }

        var report = System.Diagnostics.Stopwatch.GetTimestamp();

        var errors = results.Sum(r => r.Analysis.Diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error));
        var warnings = results.Sum(r => r.Analysis.Diagnostics.Count(d => d.Severity == DiagnosticSeverity.Warning));
        if (format == "json") WriteJson(results, errors, warnings, stdout);
        else WriteText(results, errors, warnings, stdout);

        if (timings)
        {
            stderr.WriteLine($"before the first file {Ms(System.Diagnostics.Stopwatch.GetElapsedTime(start, firstFile))}, report {Ms(System.Diagnostics.Stopwatch.GetElapsedTime(report))}; " +
                             $"whole command {Ms(System.Diagnostics.Stopwatch.GetElapsedTime(start))} (from Main; the runtime's own start-up not included); " +
                             $"garbage collections: {GC.CollectionCount(0)} (generation 1: {GC.CollectionCount(1)}, generation 2: {GC.CollectionCount(2)}); " +
                             $"allocated {GC.GetTotalAllocatedBytes() / 1048576.0:0.0} MB");
        }
        if (unreadable) return CommandLine.ExitUsage;
        return errors > 0 ? CommandLine.ExitErrors : CommandLine.ExitOk;
    }

    /// <summary>Files as given; folders searched recursively for *.prototxt, in ordinal order.</summary>
    internal static List<string> ExpandPaths(List<string> paths, TextWriter stderr, ref bool unreadable, string verb = "check")
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (File.Exists(path))
            {
                files.Add(path);
            }
            else if (Directory.Exists(path))
            {
                try
                {
                    var found = Directory.EnumerateFiles(path, "*.prototxt", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, MatchCasing = MatchCasing.CaseInsensitive })
                        .Order(StringComparer.Ordinal).ToList();
                    if (found.Count == 0) stderr.WriteLine($"prototxt-lsp {verb}: no *.prototxt files under '{path}'.");
                    files.AddRange(found);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    stderr.WriteLine($"prototxt-lsp {verb}: cannot read folder '{path}': {e.Message}");
                    unreadable = true;
                }
            }
            else
            {
                stderr.WriteLine($"prototxt-lsp {verb}: '{path}' does not exist.");
                unreadable = true;
            }
        }

        return files;
    }

    /// <summary>A file's length in bytes (at least its text's length in characters), or 0 when it cannot be read.</summary>
    private static long LengthOf(string file)
    {
        try
        {
            return new FileInfo(file).Length;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0; // reading it says what is wrong
        }
    }

    private static string Ms(TimeSpan t) => $"{t.TotalMilliseconds:0.00} ms";

    private static string SeverityName(DiagnosticSeverity s) => s switch
    {
        DiagnosticSeverity.Error => "error",
        DiagnosticSeverity.Warning => "warning",
        DiagnosticSeverity.Information => "information",
        _ => "hint",
    };

    private static void WriteText(List<FileResult> results, int errors, int warnings, TextWriter stdout)
    {
        foreach (var (path, analysis) in results)
        {
            var lines = analysis.Text.Lines;
            foreach (var d in analysis.Diagnostics)
            {
                var p = lines.GetPosition(d.Span.Start);
                stdout.WriteLine($"{path}:{p.Line + 1}:{p.Character + 1}: {SeverityName(d.Severity)} {d.Code}: {d.Message}");
            }
        }

        var withProblems = results.Count(r => r.Analysis.Diagnostics.Any(d => d.Severity is DiagnosticSeverity.Error or DiagnosticSeverity.Warning));
        stdout.WriteLine($"Checked {results.Count} file{(results.Count == 1 ? "" : "s")}: {errors} error{(errors == 1 ? "" : "s")}, {warnings} warning{(warnings == 1 ? "" : "s")}" +
                         (withProblems > 0 ? $" in {withProblems} file{(withProblems == 1 ? "" : "s")}." : "."));
    }

    private static void WriteJson(List<FileResult> results, int errors, int warnings, TextWriter stdout)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteStartArray("files");
            foreach (var (path, analysis) in results)
            {
                var lines = analysis.Text.Lines;
                w.WriteStartObject();
                w.WriteString("path", path);
                w.WriteString("message", analysis.RootMessage.FullName);
                w.WriteStartArray("diagnostics");
                foreach (var d in analysis.Diagnostics)
                {
                    w.WriteStartObject();
                    w.WriteString("code", d.Code);
                    w.WriteString("severity", SeverityName(d.Severity));
                    w.WriteString("message", d.Message);
                    WriteRange(w, lines, d.Span);
                    if (d.Related is { Count: > 0 })
                    {
                        w.WriteStartArray("related");
                        foreach (var r in d.Related)
                        {
                            w.WriteStartObject();
                            w.WriteString("message", r.Message);
                            WriteRange(w, lines, r.Span);
                            w.WriteEndObject();
                        }

                        w.WriteEndArray();
                    }

                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteNumber("errors", errors);
            w.WriteNumber("warnings", warnings);
            w.WriteEndObject();
        }

        stdout.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private static void WriteRange(Utf8JsonWriter w, LineMap lines, TextSpan span)
    {
        var range = lines.GetRange(span);
        w.WriteStartObject("range");
        w.WriteStartObject("start");
        w.WriteNumber("line", range.Start.Line);
        w.WriteNumber("character", range.Start.Character);
        w.WriteEndObject();
        w.WriteStartObject("end");
        w.WriteNumber("line", range.End.Line);
        w.WriteNumber("character", range.End.Character);
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
