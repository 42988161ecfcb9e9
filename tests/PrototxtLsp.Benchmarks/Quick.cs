using System.Diagnostics;
using PrototxtLsp.Core.Diagnostics;
using PrototxtLsp.Core.Schema;
using PrototxtLsp.Core.Semantics;
using PrototxtLsp.Core.Syntax;
using PrototxtLsp.Core.Text;

namespace PrototxtLsp.Benchmarks;

/// <summary>
/// A fast stopwatch pass over every stage and input: warm-up, then repeated runs for about a second (at least 3),
/// median and minimum wall time, throughput and bytes allocated per run. Then the scaling of the full analysis
/// from 1k to 10k to 100k layers. Arguments: [seconds per measurement] [part of an input's name].
/// </summary>
public static class Quick
{
    public static void Run(string[] args)
    {
        var seconds = args.Length > 0 && double.TryParse(args[0], out var s) ? s : 1.0;
        Console.WriteLine($"# .NET {Environment.Version}, {Environment.ProcessorCount} cores, {(GCSettings() ? "server" : "workstation")} GC, {seconds:0.#} s per measurement");
        var schemaStart = Stopwatch.GetTimestamp();
        var schema = ProtoSchema.Caffe;
        Console.WriteLine($"embedded schema load (first use, JIT): {Stopwatch.GetElapsedTime(schemaStart).TotalMilliseconds:0.00} ms");
        var root = schema.FindMessage("caffe.NetParameter")!;
        Console.WriteLine($"{"input",-20} {"KB",8} {"layers",7} {"stage",-7} {"median ms",10} {"min ms",9} {"MB/s",8} {"alloc KB",10} {"GCs/run",8}");
        var full = new Dictionary<string, double>(); // as the server runs it (no-GC region from 256 KB)
        var plain = new Dictionary<string, double>(); // with ordinary collections at every size
        var only = args.Length > 1 ? args[1] : null;
        foreach (var name in Inputs.All)
        {
            if (only is not null && !name.Contains(only, StringComparison.OrdinalIgnoreCase)) continue;
            var textString = Inputs.Load(name);
            if (textString is null)
            {
                Console.WriteLine($"{name,-20} skipped: ../shared/corpus is not beside the repository");
                continue;
            }

            var text = new SourceText(textString);
            var layers = LayerCount(text);
            var kb = textString.Length / 1024.0;
            var rows = new SortedDictionary<int, string>();
            void Row(int order, string stage, Func<object> body)
            {
                var (median, min, alloc, gcs) = Measure(body, seconds);
                rows[order] = $"{name,-20} {kb,8:0} {layers,7} {stage,-7} {median,10:0.000} {min,9:0.000} {kb / 1024 / (median / 1000),8:0.0} {alloc / 1024.0,10:0} {gcs,8:0.00}";
                if (stage == "full") plain[name] = median;
                if (stage == "full" || (stage == "full+q" && full.ContainsKey(name))) full[name] = median;
            }

            // The whole analysis first, with nothing else of this input alive: the stage rows below keep a tree, a
            // model and graphs alive, and a no-GC region opens with a collection that would have to mark all of it
            // (290 MB for chain-100k: it doubled that row's time, which the server never pays).
            Row(5, "full", () => DocumentAnalysis.Analyze(text));
            if (text.Length >= QuietGc.Threshold)
            {
                Row(6, "full+q", () => QuietGc.Run(text.Length, () => DocumentAnalysis.Analyze(text))); // as the server runs it
                Row(7, "full+p", () => QuietGc.Run(text.Length, () => DocumentAnalysis.Analyze(text), QuietGc.Threshold, prefault: true)); // with the current heap block collapsed into a huge page too, as a one-file check runs it
            }

            var tree = SyntaxTree.Parse(text);
            var model = SchemaBinder.Bind(tree, schema, root);
            var nets = NetAnalyzer.Analyze(tree, model, new List<Diagnostic>(), null, null);
            Row(0, "lex", () => Lexer.Lex(textString, new List<Diagnostic>()));
            Row(1, "parse", () => SyntaxTree.Parse(text));
            Row(2, "bind", () => SchemaBinder.Bind(tree, schema, root));
            Row(3, "graph", () => NetAnalyzer.Analyze(tree, model, new List<Diagnostic>(), null, null));
            Row(4, "shapes", () => nets.Select(n => ShapeInference.Infer(n, new List<Diagnostic>())).ToList());
            foreach (var row in rows.Values) Console.WriteLine(row);
            GC.KeepAlive(nets);
        }

        if (full.TryGetValue(Inputs.Chain1k, out var a) && full.TryGetValue(Inputs.Chain10k, out var b) && full.TryGetValue(Inputs.Chain100k, out var c))
        {
            Console.WriteLine($"scaling of the full analysis as the server runs it: 1k → 10k layers ×{b / a:0.00}, 10k → 100k layers ×{c / b:0.00} (linear = ×10)");
            Console.WriteLine($"scaling with ordinary collections at every size: 1k → 10k layers ×{plain[Inputs.Chain10k] / plain[Inputs.Chain1k]:0.00}, 10k → 100k layers ×{plain[Inputs.Chain100k] / plain[Inputs.Chain10k]:0.00}");
        }
    }

    private static int LayerCount(SourceText text) => DocumentAnalysis.Analyze(text).Nets.Sum(n => n.Layers.Count);

    private static bool GCSettings() => System.Runtime.GCSettings.IsServerGC;

    /// <summary>Median and minimum milliseconds, bytes allocated and garbage collections (any generation) per run.</summary>
    private static (double Median, double Min, long Alloc, double Gcs) Measure(Func<object> body, double seconds)
    {
        // Each row starts from a compacted heap: the garbage of the row before (promoted to the oldest generation by
        // its own collections) is not this row's to pay for.
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        for (var i = 0; i < 3; i++) GC.KeepAlive(body());
        var gcsBefore = GC.CollectionCount(0);
        var times = new List<double>();
        long allocated = 0;
        var budget = Stopwatch.StartNew();
        while (times.Count < 3 || (budget.Elapsed.TotalSeconds < seconds && times.Count < 2000))
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            var start = Stopwatch.GetTimestamp();
            GC.KeepAlive(body());
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            allocated += GC.GetAllocatedBytesForCurrentThread() - before;
        }

        var gcs = (GC.CollectionCount(0) - gcsBefore) / (double)times.Count;
        times.Sort();
        return (times[times.Count / 2], times[0], allocated / times.Count, gcs);
    }
}
