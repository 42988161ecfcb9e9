using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using PrototxtLsp.Core.Semantics;
using PrototxtLsp.Core.Text;

namespace PrototxtLsp.Server.Cli;

/// <summary>
/// <c>prototxt-lsp summary [--format text|json] [--phase TRAIN|TEST] PATH</c>: per layer (in file order, those that
/// exist in the phase) its type, top shapes, learnable parameters, multiply-accumulates and activation memory, and
/// totals.
/// </summary>
public static class SummaryCommand
{
    public static int Run(ReadOnlySpan<string> args, TextWriter stdout, TextWriter stderr)
    {
        PrototxtLsp.Core.Schema.ProtoSchema.PreloadCaffe();
        var format = "text";
        var phase = NetPhase.Test;
        string? path = null;
        for (var i = 0; i < args.Length; i++)
        {
            var a = args[i];
            string? value = null;
            if (a is "--format" or "--phase")
            {
                if (i + 1 >= args.Length)
                {
                    stderr.WriteLine($"prototxt-lsp summary: {a} needs a value.");
                    return CommandLine.ExitUsage;
                }

                value = args[++i];
            }
            else if (a.StartsWith("--format=", StringComparison.Ordinal) || a.StartsWith("--phase=", StringComparison.Ordinal))
            {
                value = a[(a.IndexOf('=') + 1)..];
                a = a[..a.IndexOf('=')];
            }

            if (a == "--format")
            {
                format = value!;
            }
            else if (a == "--phase")
            {
                switch (value!.ToUpperInvariant())
                {
                    case "TRAIN": phase = NetPhase.Train; break;
                    case "TEST": phase = NetPhase.Test; break;
                    default:
                        stderr.WriteLine($"prototxt-lsp summary: unknown phase '{value}'; use TRAIN or TEST.");
                        return CommandLine.ExitUsage;
                }
            }
            else if (a.StartsWith('-') && a.Length > 1)
            {
                stderr.WriteLine($"prototxt-lsp summary: unknown option '{a}'.");
                return CommandLine.ExitUsage;
            }
            else if (path is null)
            {
                path = a;
            }
            else
            {
                stderr.WriteLine("prototxt-lsp summary: give exactly one file.");
                return CommandLine.ExitUsage;
            }
        }

        if (format is not ("text" or "json"))
        {
            stderr.WriteLine($"prototxt-lsp summary: unknown format '{format}'; use text or json.");
            return CommandLine.ExitUsage;
        }

        if (path is null)
        {
            stderr.WriteLine("prototxt-lsp summary: give the net file to summarise.");
            stderr.WriteLine(CommandLine.Usage);
            return CommandLine.ExitUsage;
        }

        DocumentAnalysis analysis;
        try
        {
            var text = SourceText.FromBytes(File.ReadAllBytes(path));
            var options = new Schemas.SchemaProvider().OptionsFor(path, text.Text, WorkspaceContext.FileSystem);
            analysis = QuietGc.Run(text.Length, () => DocumentAnalysis.Analyze(text, path, options), threshold: 0, prefault: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"prototxt-lsp summary: cannot read '{path}': {e.Message}");
            return CommandLine.ExitUsage;
        }

        var net = analysis.Nets.FirstOrDefault();
        var shapes = net?.Shapes.Where(s => s.State.Phase == phase).OrderBy(s => s.State.Stages.Count).FirstOrDefault();
        if (net is null || shapes is null)
        {
            stderr.WriteLine($"prototxt-lsp summary: '{path}' holds no net to summarise in {PhaseName(phase)}.");
            return CommandLine.ExitErrors;
        }

        var rows = net.Layers.Where(l => shapes.Costs.ContainsKey(l)).Select(l => (Layer: l, Cost: shapes.Costs[l])).ToList();
        if (format == "json") WriteJson(stdout, path, shapes, rows);
        else WriteText(stdout, path, shapes, rows);
        var errors = analysis.Diagnostics.Count(d => d.Severity == Core.Diagnostics.DiagnosticSeverity.Error);
        if (errors > 0) stderr.WriteLine($"prototxt-lsp summary: '{path}' has {errors} error(s); run `prototxt-lsp check` for them. Shapes after an error may be unknown.");
        return errors > 0 ? CommandLine.ExitErrors : CommandLine.ExitOk;
    }

    private static string PhaseName(NetPhase phase) => phase == NetPhase.Train ? "TRAIN" : "TEST";

    private static (long Sum, bool Complete) Total(IEnumerable<long?> values)
    {
        long sum = 0;
        var complete = true;
        foreach (var v in values)
        {
            if (v is { } x) sum += x;
            else complete = false;
        }

        return (sum, complete);
    }

    private static void WriteJson(TextWriter stdout, string path, NetShapes shapes, List<(LayerNode Layer, LayerCost Cost)> rows)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("path", path);
            w.WriteString("phase", PhaseName(shapes.State.Phase));
            if (shapes.State.Stages.Count > 0)
            {
                w.WriteStartArray("stages");
                foreach (var s in shapes.State.Stages) w.WriteStringValue(s);
                w.WriteEndArray();
            }

            w.WriteStartArray("layers");
            foreach (var (layer, cost) in rows)
            {
                w.WriteStartObject();
                w.WriteString("name", layer.Name);
                w.WriteString("type", layer.TypeName ?? layer.TypeText);
                w.WriteStartArray("tops");
                foreach (var top in layer.Tops)
                {
                    w.WriteStartObject();
                    w.WriteString("name", top.Name);
                    var shape = shapes.Tops.GetValueOrDefault(top) ?? Shape.Unknown;
                    if (shape.Dims is null)
                    {
                        w.WriteNull("shape");
                    }
                    else
                    {
                        w.WriteStartArray("shape");
                        foreach (var d in shape.Dims)
                        {
                            if (d is { } v) w.WriteNumberValue(v);
                            else w.WriteNullValue();
                        }

                        w.WriteEndArray();
                    }

                    w.WriteEndObject();
                }

                w.WriteEndArray();
                WriteNumber(w, "params", cost.Params);
                WriteNumber(w, "macs", cost.Macs);
                WriteNumber(w, "activationBytes", cost.ActivationBytes);
                if (cost.Statistics is not null) WriteNumber(w, "statistics", cost.Statistics);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            var (p, pc) = Total(rows.Select(r => r.Cost.Params));
            var (m, mc) = Total(rows.Select(r => r.Cost.Macs));
            var (a, ac) = Total(rows.Select(r => r.Cost.ActivationBytes));
            var (s2, _) = Total(rows.Select(r => (long?)(r.Cost.Statistics ?? 0)));
            w.WriteStartObject("totals");
            w.WriteNumber("params", p);
            w.WriteNumber("macs", m);
            w.WriteNumber("activationBytes", a);
            w.WriteNumber("statistics", s2);
            // Totals skip values that depend on unknown shapes; "complete" says whether any were skipped.
            w.WriteBoolean("complete", pc && mc && ac);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        stdout.WriteLine(Encoding.UTF8.GetString(stream.ToArray()));
    }

    private static void WriteNumber(Utf8JsonWriter w, string name, long? value)
    {
        if (value is { } v) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }

    private static string Format(long? value) => value is { } v ? v.ToString("N0", CultureInfo.InvariantCulture) : "?";

    private static string Bytes(long? value) => value switch
    {
        null => "?",
        < 1024 => $"{value} B",
        < 1024 * 1024 => (value.Value / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KiB",
        _ => (value.Value / (1024.0 * 1024)).ToString("0.0", CultureInfo.InvariantCulture) + " MiB",
    };

    private static void WriteText(TextWriter stdout, string path, NetShapes shapes, List<(LayerNode Layer, LayerCost Cost)> rows)
    {
        var table = new List<string[]> { new[] { "Layer", "Type", "Top shapes", "Params", "MACs", "Activations" } };
        foreach (var (layer, cost) in rows)
        {
            var tops = string.Join(", ", layer.Tops.Select(t => $"{t.Name} {shapes.Tops.GetValueOrDefault(t) ?? Shape.Unknown}"));
            table.Add([layer.DisplayName, layer.TypeName ?? layer.TypeText ?? "?", tops, Format(cost.Params), Format(cost.Macs), Bytes(cost.ActivationBytes)]);
        }

        var (p, pc) = Total(rows.Select(r => r.Cost.Params));
        var (m, mc) = Total(rows.Select(r => r.Cost.Macs));
        var (a, ac) = Total(rows.Select(r => r.Cost.ActivationBytes));
        table.Add(["Total", "", "", (pc ? "" : "≥ ") + Format(p), (mc ? "" : "≥ ") + Format(m), (ac ? "" : "≥ ") + Bytes(a)]);
        var widths = Enumerable.Range(0, 6).Select(c => table.Max(r => r[c].Length)).ToArray();
        stdout.WriteLine($"{path} ({shapes.State.Describe()})");
        for (var r = 0; r < table.Count; r++)
        {
            if (r == table.Count - 1) stdout.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
            var row = table[r];
            stdout.WriteLine(string.Join("  ", row.Select((cell, c) => c >= 3 ? cell.PadLeft(widths[c]) : cell.PadRight(widths[c]))).TrimEnd());
        }

        var stats = rows.Sum(r => r.Cost.Statistics ?? 0);
        if (stats > 0) stdout.WriteLine($"BatchNorm statistics (not in params): {Format(stats)}");
    }
}
