using System.Diagnostics;
using BenchmarkDotNet.Running;

namespace PrototxtLsp.Benchmarks;

/// <summary>
/// dotnet run -c Release --project tests/PrototxtLsp.Benchmarks -- MODE
///   quick                 (default) every stage on every input, median of repeated runs, MB/s, allocations, scaling
///   bdn [BenchmarkDotNet args]   the same stages under BenchmarkDotNet (e.g. bdn --filter '*' ; slow, precise)
///   generate DIR          write the generated inputs to DIR (for the protoc comparison script)
///   loop [INPUT] [SECONDS] [lex|parse|bind|graph|shapes|full|full+q] [GAP_MS]  one stage on one input in a loop, for a profiler (dotnet-trace collect -- …)
///   allocs [INPUT] [lex|parse|full]  what a stage allocates, by type (sampled)
///   retained              managed memory kept alive by analyses of ResNet-152 and generated nets
///   scaling [ROUNDS] [full|parse|lex] [B]  full analysis of 10 × B chain-1k against B × chain-10k, and of 10 × B chain-10k against B × chain-100k, paired by round, each side paying for collecting its garbage
///   stages [INPUT] [SECONDS]  the full analysis as the server runs it (no-GC region): median time of each stage, of opening and closing the region, and how often opening it collected
///   floor [ROUNDS] [BYTES_PER_LAYER]  the scaling pairs for a program that only allocates and walks small objects: this machine's cost of a 10× working set
///   vs-protoc [INPUT] [ROUNDS]  in-process full analysis against protoc's parse (net of its start-up), paired by round
///   ab OLD_CORE_DLL NEW_CORE_DLL [INPUT] [SECONDS] [STAGE]  two builds of Core in one process, alternating runs (paired ratios)
///   latency [--server PATH] [--edits N] [--requests N] [--starts N]  end-to-end latency of the published server over LSP (see Latency.cs)
/// Prints numbers; asserts nothing.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var mode = args.Length > 0 ? args[0] : "quick";
        switch (mode)
        {
            case "quick":
                Quick.Run(args.Skip(1).ToArray());
                return 0;
            case "bdn":
                BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args.Skip(1).ToArray());
                return 0;
            case "generate":
                return Generate(args.Length > 1 ? args[1] : "generated");
            case "gcprobe":
                return GcProbe(args.Length > 1 ? args[1] : Inputs.Chain10k, args.Length > 2 ? int.Parse(args[2]) : 20, args.Length > 3 ? int.Parse(args[3]) : -1);
            case "loop":
                return Loop(args.Length > 1 ? args[1] : Inputs.ResNet152, args.Length > 2 ? double.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 10, args.Length > 3 ? args[3] : "full",
                    args.Length > 4 ? int.Parse(args[4]) : 0);
            case "allocs":
                return AllocationSampler.Run(args.Length > 1 ? args[1] : Inputs.ResNet152, args.Length > 2 ? args[2] : "full", 200);
            case "retained":
                return Retained();
            case "latency":
                return Latency.Run(args.Skip(1).ToArray());
            case "ab":
                return AbCompare.Run(args.Skip(1).ToArray());
            case "scaling":
                return Scaling.Run(args.Skip(1).ToArray());
            case "floor":
                return MemoryFloor.Run(args.Skip(1).ToArray());
            case "stages":
                return Stages(args.Length > 1 ? args[1] : Inputs.ResNet152, args.Length > 2 ? double.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 10);
            case "vs-protoc":
                return VersusProtoc.Run(args.Skip(1).ToArray());
            default:
                Console.Error.WriteLine($"unknown mode '{mode}': use quick, bdn, generate DIR or latency.");
                return 2;
        }
    }

    /// <summary>
    /// What collecting an analysis's garbage costs as the server runs it: analyses of one input back to back, each in
    /// the no-GC region of <see cref="PrototxtLsp.Core.Semantics.QuietGc"/>, one line per analysis with the time to
    /// open the region (its young collection and any collection the runtime starts included), the collections it
    /// counted and the heap before and after. With GENERATION, that generation is first collected by a forced
    /// collection of its own, timed apart (0: a young collection; 2: a full one).
    /// </summary>
    private static int GcProbe(string input, int runs, int generation)
    {
        var text = new PrototxtLsp.Core.Text.SourceText(Inputs.Load(input) ?? throw new InvalidOperationException($"{input} needs ../shared"));
        for (var i = 0; i < 10; i++) GC.KeepAlive(PrototxtLsp.Core.Semantics.QuietGc.Run(text.Length, () => PrototxtLsp.Core.Semantics.DocumentAnalysis.Analyze(text)));
        Thread.Sleep(500); // tiered compilation settles
        var opens = new List<double>();
        for (var i = 0; i < runs; i++) Console.WriteLine(ProbeOnce(text, generation, opens));
        opens.Sort();
        Console.WriteLine($"{runs} analyses of {input}: opening the region (with what it collected) {opens.Average():0.00} ms on average, median {opens[runs / 2]:0.00} ms");
        return 0;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static string ProbeOnce(PrototxtLsp.Core.Text.SourceText text, int generation, List<double> opens)
    {
        var forced = 0.0;
        if (generation >= 0)
        {
            var start = Stopwatch.GetTimestamp();
            GC.Collect(generation, GCCollectionMode.Forced, blocking: true);
            forced = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        int[] counts = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
        var before = GC.GetTotalMemory(false) >> 20;
        var opening = Stopwatch.GetTimestamp();
        var region = PrototxtLsp.Core.Semantics.QuietGc.Begin(text.Length, 0);
        var open = Stopwatch.GetElapsedTime(opening).TotalMilliseconds;
        opens.Add(open);
        var collected = $"{GC.CollectionCount(0) - counts[0]}/{GC.CollectionCount(1) - counts[1]}/{GC.CollectionCount(2) - counts[2]}";
        var analysing = Stopwatch.GetTimestamp();
        AnalyseAndDrop(text);
        var analysis = Stopwatch.GetElapsedTime(analysing).TotalMilliseconds;
        region?.Dispose();
        return (generation >= 0 ? $"forced gen{generation} {forced:0.00} ms, " : "") +
               $"heap {before} MB, open {open:0.00} ms (collections gen0/1/2 {collected}; an opening always counts one of each), analysis {analysis:0.00} ms, heap after {GC.GetTotalMemory(false) >> 20} MB";
    }

    // A method of its own, so that nothing in the caller's frame keeps the analysis alive afterwards.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void AnalyseAndDrop(PrototxtLsp.Core.Text.SourceText text) => GC.KeepAlive(PrototxtLsp.Core.Semantics.DocumentAnalysis.Analyze(text));

    private static int Loop(string input, double seconds, string stage, int gapMs)
    {
        var text = new PrototxtLsp.Core.Text.SourceText(Inputs.Load(input) ?? throw new InvalidOperationException($"{input} needs ../shared"));
        var body = Stage(stage, text);
        var clock = Stopwatch.StartNew();
        var times = new List<double>();
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            var start = Stopwatch.GetTimestamp();
            GC.KeepAlive(body());
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            if (gapMs > 0) Thread.Sleep(gapMs); // idle between runs, as between an editor's analyses
        }

        var runs = times.Count;
        times.Sort();
        Console.WriteLine($"{runs} runs of {stage} on {input} in {clock.Elapsed.TotalSeconds:0.0} s: {clock.Elapsed.TotalMilliseconds / runs:0.000} ms each (median {times[runs / 2]:0.000}, fastest tenth {times[runs / 10]:0.000}, min {times[0]:0.000})");
        return 0;
    }

    private static int Stages(string input, double seconds)
    {
        var text = new PrototxtLsp.Core.Text.SourceText(Inputs.Load(input) ?? throw new InvalidOperationException($"{input} needs ../shared"));
        var runs = new List<PrototxtLsp.Core.Semantics.AnalysisTimings>();
        for (var i = 0; i < 3; i++) Stage("full+q", text)();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        var pausedBefore = GC.GetTotalPauseDuration();
        int[] countsBefore = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
        var clock = Stopwatch.StartNew();
        var walls = new List<TimeSpan>();
        var opens = new List<TimeSpan>();
        var closes = new List<TimeSpan>();
        while (runs.Count < 5 || clock.Elapsed.TotalSeconds < seconds)
        {
            var start = Stopwatch.GetTimestamp();
            var region = PrototxtLsp.Core.Semantics.QuietGc.Begin(text.Length, PrototxtLsp.Core.Semantics.QuietGc.Threshold);
            opens.Add(Stopwatch.GetElapsedTime(start));
            runs.Add(PrototxtLsp.Core.Semantics.DocumentAnalysis.Analyze(text).Timings);
            var close = Stopwatch.GetTimestamp();
            region?.Dispose();
            closes.Add(Stopwatch.GetElapsedTime(close));
            walls.Add(Stopwatch.GetElapsedTime(start));
        }

        static double Median(IEnumerable<TimeSpan> xs)
        {
            var sorted = xs.Select(x => x.TotalMilliseconds).OrderBy(x => x).ToList();
            return sorted[sorted.Count / 2];
        }

        Console.WriteLine($"{input}, {runs.Count} runs, median ms: parse {Median(runs.Select(r => r.Parse)):0.000}, bind {Median(runs.Select(r => r.Bind)):0.000}, " +
                          $"graph {Median(runs.Select(r => r.Graph)):0.000}, shapes {Median(runs.Select(r => r.Shapes)):0.000}, total {Median(runs.Select(r => r.Total)):0.000}; with the no-GC region's opening ({Median(opens):0.000}) and closing ({Median(closes):0.000}) {Median(walls):0.000}");
        // Opening a region collects first when the garbage of earlier analyses leaves too little room: rarely for a
        // small net, every time for a large one. The median hides those collections; the mean does not.
        var collected = opens.Where(o => o.TotalMilliseconds > 5).ToList();
        Console.WriteLine($"  opening the region collected in {collected.Count} of {opens.Count} runs ({(collected.Count > 0 ? collected.Average(o => o.TotalMilliseconds) : 0):0.0} ms each); " +
                          $"mean wall time per analysis {walls.Average(w => w.TotalMilliseconds):0.000} ms");
        var paused = GC.GetTotalPauseDuration() - pausedBefore;
        Console.WriteLine($"  collections per analysis: gen0 {(GC.CollectionCount(0) - countsBefore[0]) / (double)runs.Count:0.00}, gen1 {(GC.CollectionCount(1) - countsBefore[1]) / (double)runs.Count:0.00}, " +
                          $"gen2 {(GC.CollectionCount(2) - countsBefore[2]) / (double)runs.Count:0.00}; paused {paused.TotalMilliseconds / runs.Count:0.0} ms per analysis; committed at the end {GC.GetGCMemoryInfo().TotalCommittedBytes / 1e6:0} MB");
        return 0;
    }

    private static int Retained()
    {
        foreach (var (name, text) in new[] { (Inputs.ResNet152, Inputs.Load(Inputs.ResNet152)), ("generated-300KB", NetGenerator.Realistic(300_000)) })
        {
            if (text is null) continue;
            var before = GC.GetTotalMemory(forceFullCollection: true);
            var kept = Enumerable.Range(0, 5).Select(_ => PrototxtLsp.Core.Semantics.DocumentAnalysis.Analyze(new PrototxtLsp.Core.Text.SourceText(text))).ToList();
            var after = GC.GetTotalMemory(forceFullCollection: true);
            var per = (after - before) / kept.Count;
            Console.WriteLine($"{name}: {text.Length / 1024} KB text; one analysis keeps {per / 1024} KB alive ({(double)per / text.Length:0.0} bytes per character)");
            GC.KeepAlive(kept);
        }

        return 0;
    }

    /// <summary>One stage of the analysis on a text, as a repeatable action: lex, parse, full+q (the full analysis in a no-GC region) or (anything else) the full analysis.</summary>
    internal static Func<object> Stage(string stage, PrototxtLsp.Core.Text.SourceText text) => stage switch
    {
        "lex" => () => PrototxtLsp.Core.Syntax.Lexer.Lex(text.Text, []),
        "parse" => () => PrototxtLsp.Core.Syntax.SyntaxTree.Parse(text),
        "full+q" => () => PrototxtLsp.Core.Semantics.QuietGc.Run(text.Length, () => PrototxtLsp.Core.Semantics.DocumentAnalysis.Analyze(text)),
        "bind" or "graph" or "shapes" => Later(stage, text),
        _ => () => PrototxtLsp.Core.Semantics.DocumentAnalysis.Analyze(text),
    };

    /// <summary>A stage after parsing, on a tree (and model, and graph) made once.</summary>
    private static Func<object> Later(string stage, PrototxtLsp.Core.Text.SourceText text)
    {
        var schema = PrototxtLsp.Core.Schema.ProtoSchema.Caffe;
        var root = schema.FindMessage("caffe.NetParameter")!;
        var tree = PrototxtLsp.Core.Syntax.SyntaxTree.Parse(text);
        var model = PrototxtLsp.Core.Semantics.SchemaBinder.Bind(tree, schema, root);
        if (stage == "bind") return () => PrototxtLsp.Core.Semantics.SchemaBinder.Bind(tree, schema, root);
        if (stage == "graph") return () => PrototxtLsp.Core.Semantics.NetAnalyzer.Analyze(tree, model, [], null, null);
        var nets = PrototxtLsp.Core.Semantics.NetAnalyzer.Analyze(tree, model, [], null, null);
        return () => nets.Select(n => PrototxtLsp.Core.Semantics.ShapeInference.Infer(n, [])).ToList();
    }

    private static int Generate(string dir)
    {
        Directory.CreateDirectory(dir);
        foreach (var name in Inputs.All)
        {
            if (name == Inputs.ResNet152) continue;
            var path = Path.Combine(dir, name + ".prototxt");
            File.WriteAllText(path, Inputs.Load(name));
            Console.WriteLine($"{path} {new FileInfo(path).Length / 1024} KB");
        }

        return 0;
    }
}
