using System.Diagnostics;
using System.Text;
using PrototxtLsp.Core.Text;
using PrototxtLsp.Tests.Infrastructure;

namespace PrototxtLsp.Fuzz;

/// <summary>
/// A mutation fuzzer that needs nothing but .NET: mutates seed files in a loop and runs each mutant through the whole
/// pipeline. Mutants that make the analysis report a new combination of diagnostic codes join the pool (a cheap stand-in
/// for coverage feedback). Every distinct failure is minimised and saved; a watchdog saves an input that runs over the
/// hang budget and ends the process (exit code 3) because a stuck thread cannot be stopped.
/// </summary>
public static class RandomFuzzer
{
    private static readonly string[] Dictionary =
    [
        "{", "}", "<", ">", "[", "]", ":", ";", ",", ".", "-", "/", "\"", "'", "\\", "#", " ", "\t", "\n", "\r\n", "\r", "\0",
        "layer", "layers", "name", "type", "bottom", "top", "input", "input_shape", "input_dim", "dim", "include", "exclude",
        "phase", "TRAIN", "TEST", "stage", "not_stage", "level", "min_level", "max_level", "state", "convolution_param",
        "num_output", "kernel_size", "kernel_h", "stride", "pad", "dilation", "group", "axis", "pooling_param", "pool", "MAX",
        "AVE", "global_pooling", "inner_product_param", "param", "lr_mult", "loss_weight", "propagate_down", "data_param",
        "source", "batch_size", "transform_param", "crop_size", "mean_file", "python_param", "module", "layer_param",
        "reshape_param", "shape", "slice_param", "slice_point", "concat_param", "eltwise_param", "crop_param", "offset",
        "permute_param", "order", "flatten_param", "end_axis", "net", "net_param", "train_net", "test_net", "test_iter",
        "test_state", "train_state", "base_lr", "lr_policy", "solver_mode", "weight_filler", "bias_term", "true", "false",
        "inf", "-inf", "nan", "CONVOLUTION", "RELU", "blobs_lr", "\"Convolution\"", "\"ReLU\"", "\"Pooling\"", "\"Data\"",
        "\"Input\"", "\"InnerProduct\"", "\"Split\"", "\"Python\"", "\"Concat\"", "\"Slice\"", "\"Reshape\"", "\"Crop\"",
        "\"Eltwise\"", "\"Deconvolution\"", "\"LSTM\"", "\"data\"", "\"label\"", "0", "1", "-1", "0x7FFFFFFF", "2147483648",
        "99999999999999999999", "-9223372036854775808", "1e-5", "1e400", "0.5", ".5", "5.", "1f", "08", "0x", "1e",
        "\\x4", "\\u12", "\\U0010FFFF", "\\777", "\\q", "[ext.name]", "[type.googleapis.com/caffe.NetParameter]",
        "# proto-message: SolverParameter\n", "# proto-message: caffe.NetParameter\n", "# proto-message: Nope\n",
        "\uFEFF", "é", "名", "😀", "\u2028", "\u0085",
    ];

    private static readonly byte[] Interesting = [0, 0x7F, 0x80, 0xBF, 0xC0, 0xFF, (byte)'"', (byte)'\'', (byte)'\\', (byte)'{', (byte)'}', (byte)'[', (byte)']', (byte)'<', (byte)'>', (byte)':', (byte)'\n', (byte)'\r', (byte)'#', (byte)'-', (byte)'.', (byte)'0', (byte)'9', (byte)'e', (byte)'x'];

    private static long _current; // Stopwatch timestamp when the current input started, 0 between inputs
    private static byte[] _currentInput = [];

    public static int Run(string[] args)
    {
        var seconds = 600.0;
        var seed = Environment.TickCount;
        var seedDirs = new List<string>();
        var repoRoot = FindRepoRoot();
        var outDir = Path.Combine(repoRoot, "tests", "PrototxtLsp.Tests", "FuzzRegressions");
        var hangMs = 20_000;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--seconds": seconds = double.Parse(args[++i]); break;
                case "--seed": seed = int.Parse(args[++i]); break;
                case "--seeds": seedDirs.Add(args[++i]); break;
                case "--out": outDir = args[++i]; break;
                case "--hang-ms": hangMs = int.Parse(args[++i]); break;
                default: throw new ArgumentException($"unknown option {args[i]}");
            }
        }

        if (seedDirs.Count == 0)
        {
            seedDirs.Add(Path.Combine(repoRoot, "examples"));
            var corpus = Path.GetFullPath(Path.Combine(repoRoot, "..", "shared", "corpus"));
            if (Directory.Exists(corpus)) seedDirs.Add(corpus);
        }

        var seeds = seedDirs.SelectMany(d => Directory.EnumerateFiles(d, "*.prototxt", SearchOption.AllDirectories))
            .Order(StringComparer.Ordinal).Select(File.ReadAllBytes).Where(b => b.Length <= 128 * 1024).ToList();
        Console.WriteLine($"random fuzzer: seed {seed}, {seeds.Count} seed files from {string.Join(", ", seedDirs)}, {seconds:F0} s, findings to {outDir}");
        var rng = new Random(seed);
        var pool = new List<byte[]>(seeds);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in seeds) seen.Add(FeatureKey(s));
        var signatures = new HashSet<string>(StringComparer.Ordinal);

        var watchdog = new Thread(() => Watchdog(hangMs, outDir)) { IsBackground = true };
        watchdog.Start();

        long execs = 0, bytes = 0, crashes = 0, slow = 0;
        double worstBudget = 0;
        var worstBudgetSize = 0;
        var start = Stopwatch.GetTimestamp();
        var lastReport = start;
        var end = start + (long)(seconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < end)
        {
            var parent = Pick(pool, rng);
            var input = Mutate(parent, pool, rng);
            if (input.Length > 512 * 1024) continue;
            _currentInput = input;
            Volatile.Write(ref _current, Stopwatch.GetTimestamp());
            var outcome = RunOne(input);
            Volatile.Write(ref _current, 0);
            execs++;
            bytes += input.Length;
            var budget = 50.0 * input.Length / 1024 + 200;
            if (outcome.AnalysisMs / budget > worstBudget)
            {
                worstBudget = outcome.AnalysisMs / budget;
                worstBudgetSize = input.Length;
            }

            if (outcome.AnalysisMs > budget)
            {
                slow++;
                SaveSlow(input, outcome.AnalysisMs);
            }

            if (outcome.Failure is { } failure)
            {
                crashes++;
                if (signatures.Add(failure.Signature))
                {
                    Console.WriteLine($"NEW FAILURE #{signatures.Count}: {failure}");
                    var small = Minimizer.Minimize(input, b => Harness.Check(b)?.Signature == failure.Signature, TimeSpan.FromSeconds(90));
                    var file = Save(outDir, small, $"{failure.Signature}\n{failure.Message}\n\n{failure.Stack}\n");
                    Console.WriteLine($"  minimised {input.Length} → {small.Length} bytes, saved as {file}");
                }
            }
            else if (outcome.Key is { } key && seen.Add(key))
            {
                if (pool.Count < 5000) pool.Add(input);
                else pool[rng.Next(seeds.Count, pool.Count)] = input;
            }

            var now = Stopwatch.GetTimestamp();
            if (now - lastReport > 30 * Stopwatch.Frequency || now >= end)
            {
                lastReport = now;
                Report(execs, bytes, crashes, signatures.Count, slow, pool.Count, worstBudget, worstBudgetSize, Stopwatch.GetElapsedTime(start));
            }
        }

        Report(execs, bytes, crashes, signatures.Count, slow, pool.Count, worstBudget, worstBudgetSize, Stopwatch.GetElapsedTime(start));
        return 0;
    }

    private static void Report(long execs, long bytes, long crashes, int distinct, long slow, int pool, double worstBudget, int worstSize, TimeSpan elapsed) =>
        Console.WriteLine($"[{elapsed:hh\\:mm\\:ss}] {execs:N0} execs ({execs / elapsed.TotalSeconds:F1}/s), {bytes / (1024.0 * 1024):N1} MB, " +
                          $"{crashes} failing inputs ({distinct} distinct), {slow} over the time budget, pool {pool}, " +
                          $"worst analysis time {worstBudget:P1} of the budget (input of {worstSize:N0} bytes)");

    private readonly record struct Outcome(Failure? Failure, string? Key, double AnalysisMs);

    private static Outcome RunOne(byte[] input)
    {
        try
        {
            var text = SourceText.FromBytes(input);
            var t0 = Stopwatch.GetTimestamp();
            var analysis = FullPipeline.Analyze(text, FullPipeline.PathFor(input));
            var analysisMs = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            FullPipeline.CheckSyntax(analysis);
            FullPipeline.ExerciseFeatures(analysis, FullPipeline.Offsets(analysis, new Random(input.Length), Offsets.Random, Offsets.Tokens));
            FullPipeline.CheckFormatting(analysis);
            return new Outcome(null, Key(analysis), analysisMs);
        }
        catch (Exception e)
        {
            return new Outcome(Failure.From(e), null, 0);
        }
    }

    /// <summary>What an input made the analysis do, coarsely: its root message, each diagnostic code with a log₂ count, whether it has nets.</summary>
    private static string Key(Core.Semantics.DocumentAnalysis analysis)
    {
        var sb = new StringBuilder(analysis.RootMessage.Name);
        sb.Append(analysis.Nets.Count > 0 ? "+net" : "").Append(analysis.Nets.Any(n => n.Shapes.Count > 0) ? "+shapes" : "");
        foreach (var g in analysis.Diagnostics.GroupBy(d => d.Code).OrderBy(g => g.Key, StringComparer.Ordinal))
            sb.Append(' ').Append(g.Key).Append('^').Append(Math.ILogB(g.Count()));
        return sb.ToString();
    }

    private static string FeatureKey(byte[] input)
    {
        try
        {
            return Key(FullPipeline.Analyze(SourceText.FromBytes(input), FullPipeline.PathFor(input)));
        }
        catch (Exception)
        {
            return "";
        }
    }

    private static byte[] Pick(List<byte[]> pool, Random rng)
    {
        // Small inputs run faster and mutate better: of two picks, take the smaller, most of the time.
        var a = pool[rng.Next(pool.Count)];
        var b = pool[rng.Next(pool.Count)];
        return rng.Next(4) == 0 ? a : a.Length <= b.Length ? a : b;
    }

    public static byte[] Mutate(byte[] parent, List<byte[]> pool, Random rng)
    {
        var data = new List<byte>(parent);
        var count = 1;
        while (count < 16 && rng.Next(2) == 0) count++;
        for (var i = 0; i < count; i++)
        {
            var at = data.Count == 0 ? 0 : rng.Next(data.Count + 1);
            switch (rng.Next(13))
            {
                case 0 when data.Count > 0:
                {
                    var p = Math.Min(at, data.Count - 1);
                    data[p] ^= (byte)(1 << rng.Next(8));
                    break;
                }
                case 1 when data.Count > 0:
                    data[Math.Min(at, data.Count - 1)] = Interesting[rng.Next(Interesting.Length)];
                    break;
                case 2 or 3:
                    data.InsertRange(at, Encoding.UTF8.GetBytes(Dictionary[rng.Next(Dictionary.Length)]));
                    break;
                case 4:
                {
                    var len = Math.Min(data.Count - at, 1 + rng.Next(rng.Next(2) == 0 ? 8 : 256));
                    data.RemoveRange(at, len);
                    break;
                }
                case 5:
                {
                    var len = Math.Min(data.Count - at, 1 + rng.Next(128));
                    var slice = data.GetRange(at, len);
                    data.InsertRange(rng.Next(data.Count + 1), slice);
                    break;
                }
                case 6:
                {
                    // Splice: a piece of another input.
                    var other = pool[rng.Next(pool.Count)];
                    if (other.Length == 0) break;
                    var from = rng.Next(other.Length);
                    var len = Math.Min(other.Length - from, 1 + rng.Next(512));
                    data.InsertRange(at, other.AsSpan(from, len).ToArray());
                    break;
                }
                case 7 or 8:
                    LineOperation(data, at, rng);
                    break;
                case 9:
                {
                    // Replace the word around the position with a dictionary token.
                    var s = Math.Min(at, data.Count);
                    while (s > 0 && IsWord(data[s - 1])) s--;
                    var e = Math.Min(at, data.Count);
                    while (e < data.Count && IsWord(data[e])) e++;
                    data.RemoveRange(s, e - s);
                    data.InsertRange(s, Encoding.UTF8.GetBytes(Dictionary[rng.Next(Dictionary.Length)]));
                    break;
                }
                case 10:
                    for (var k = rng.Next(1, 9); k > 0; k--) data.Insert(Math.Min(at, data.Count), Interesting[rng.Next(Interesting.Length)]);
                    break;
                case 11 when rng.Next(8) == 0:
                    data.RemoveRange(at, data.Count - at); // truncate
                    break;
                case 12 when rng.Next(4) == 0:
                {
                    // Structure in bulk: deep nesting, many closers, a long list, a long line.
                    var piece = rng.Next(5) switch
                    {
                        0 => string.Concat(Enumerable.Repeat("a { ", rng.Next(1, 300))),
                        1 => new string('}', rng.Next(1, 300)),
                        2 => "dim: [" + string.Join(", ", Enumerable.Range(0, rng.Next(1, 2000)).Select(x => (x % 9).ToString())) + "]",
                        3 => string.Concat(Enumerable.Repeat("top: \"x\" ", rng.Next(1, 500))),
                        _ => string.Concat(Enumerable.Repeat("a: [{ ", rng.Next(1, 200))),
                    };
                    data.InsertRange(at, Encoding.UTF8.GetBytes(piece));
                    break;
                }
            }
        }

        return data.ToArray();
    }

    private static bool IsWord(byte b) => b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9' or (byte)'_' or (byte)'"';

    private static void LineOperation(List<byte> data, int at, Random rng)
    {
        var start = at;
        while (start > 0 && data[start - 1] != '\n') start--;
        var end = at;
        while (end < data.Count && data[end] != '\n') end++;
        if (end < data.Count) end++;
        switch (rng.Next(3))
        {
            case 0:
                data.RemoveRange(start, end - start);
                break;
            case 1:
                data.InsertRange(start, data.GetRange(start, end - start));
                break;
            default:
            {
                var nextEnd = end;
                while (nextEnd < data.Count && data[nextEnd] != '\n') nextEnd++;
                if (nextEnd < data.Count) nextEnd++;
                var line = data.GetRange(start, end - start);
                var next = data.GetRange(end, nextEnd - end);
                data.RemoveRange(start, nextEnd - start);
                data.InsertRange(start, next.Concat(line));
                break;
            }
        }
    }

    private static void Watchdog(int hangMs, string outDir)
    {
        while (true)
        {
            Thread.Sleep(500);
            var started = Volatile.Read(ref _current);
            if (started == 0 || Stopwatch.GetElapsedTime(started).TotalMilliseconds < hangMs) continue;
            var input = _currentInput;
            var file = Save(outDir, input, $"hang: still running after {hangMs} ms\n");
            Console.WriteLine($"HANG: an input of {input.Length} bytes ran over {hangMs} ms; saved as {file}");
            Environment.Exit(3);
        }
    }

    private static readonly Lock SaveLock = new();

    /// <summary>Saves a finding as the next free NNN.prototxt, with NNN.txt beside it saying what failed.</summary>
    private static string Save(string dir, byte[] input, string note)
    {
        lock (SaveLock)
        {
            Directory.CreateDirectory(dir);
            for (var n = 1; ; n++)
            {
                var path = Path.Combine(dir, $"{n:D3}.prototxt");
                if (File.Exists(path)) continue;
                File.WriteAllBytes(path, input);
                File.WriteAllText(Path.ChangeExtension(path, ".txt"), note);
                return path;
            }
        }
    }

    private static int _slowSaved;

    private static void SaveSlow(byte[] input, double ms)
    {
        if (_slowSaved >= 20) return;
        var dir = Path.Combine(Path.GetTempPath(), "ptx-fuzz-slow");
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(Path.Combine(dir, $"slow-{++_slowSaved:D2}-{input.Length}b-{ms:F0}ms.prototxt"), input);
    }

    private static string FindRepoRoot()
    {
        for (var dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
            if (File.Exists(Path.Combine(dir, "PrototxtLsp.sln"))) return dir;
        return Directory.GetCurrentDirectory();
    }
}
