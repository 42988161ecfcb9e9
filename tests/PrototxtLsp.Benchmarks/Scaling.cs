using System.Diagnostics;
using PrototxtLsp.Core.Semantics;
using PrototxtLsp.Core.Text;

namespace PrototxtLsp.Benchmarks;

/// <summary>
/// The linear-cost target of issue 8 measured in pairs, so that the machine's drift in speed (up to 2× within the
/// hour on the project's virtual machines) moves both sides of a ratio alike: each round times 10 × B analyses of the
/// smaller chain and B of the ten-times-larger chain back to back (B = 10 unless given), as the language server runs
/// them (a no-GC region from 256 KB), and the round's ratio is the larger's mean time over the smaller's. Each side's
/// time includes collecting all the garbage it leaves (<see cref="Batch"/>; until 2026-12-06 it did not, see the
/// README's Performance section). "region" in the stage line is what each side paid per run for opening and closing
/// its no-GC regions, collections they started included; a batch's closing collection is only in the round's mean.
/// Arguments: [ROUNDS] [full|parse|lex] [B] (parse and lex alone also in a no-GC region from 256 KB).
/// </summary>
public static class Scaling
{
    /// <summary>
    /// Large runs per round (and ten times as many small ones). Ten, so that each side runs mostly as a language
    /// server re-analysing one document does, not just after a collection: with one (the old pairing) the 1k → 10k
    /// ratio came out lower than in longer runs (×10.5–10.6 against ×11.1–11.5 with 30 + 3 and 100 + 10 runs, the
    /// same build in the same hour), while 10k → 100k hardly moved (×10.3–10.5 against ×10.0–10.3).
    /// </summary>
    internal const int DefaultBatch = 10;

    public static int Run(string[] args)
    {
        var rounds = args.Length > 0 ? int.Parse(args[0]) : 15;
        var stage = args.Length > 1 ? args[1] : "full";
        var batch = args.Length > 2 ? int.Parse(args[2]) : DefaultBatch;
        var chains = new[] { Inputs.Chain1k, Inputs.Chain10k, Inputs.Chain100k }
            .Select(name => (Name: name, Text: new SourceText(Inputs.Load(name)!))).ToArray();
        foreach (var (name, text) in chains)
        {
            var warm = Stopwatch.StartNew();
            for (var i = 0; i < 40 && warm.Elapsed.TotalSeconds < 3; i++) Analyse(text, stage);
        }

        for (var step = 0; step + 1 < chains.Length; step++)
        {
            var (small, large) = (chains[step].Text, chains[step + 1].Text);
            // Each analysis's own stage timings too, to see which stage the ratio comes from (full analyses only).
            var smallRuns = new List<TimedRun>();
            var largeRuns = new List<TimedRun>();
            var summary = Paired(rounds, () => Analyse(small, stage, smallRuns), () => Analyse(large, stage, largeRuns), batch);
            Console.WriteLine($"{chains[step].Name} → {chains[step + 1].Name}, {summary}");
            if (largeRuns.Count == (batch + 1) * rounds) Console.WriteLine($"  stages, paired ratio medians: {StageRatios(rounds, batch, smallRuns, largeRuns)}");
        }

        return 0;
    }

    /// <summary>One timed analysis: its wall time (no-GC region included) and its own stage timings.</summary>
    private readonly record struct TimedRun(double Milliseconds, AnalysisTimings Stages);

    /// <summary>
    /// Each stage's paired ratio (median over rounds): the larger input's mean stage time over the smaller's in the
    /// same round. <see cref="Paired"/> runs each side once untimed first, so a round recorded 1 + 10 × B small
    /// analyses and 1 + B large ones; the untimed ones are left out.
    /// </summary>
    private static string StageRatios(int rounds, int batch, List<TimedRun> small, List<TimedRun> large)
    {
        var stages = new (string Name, Func<TimedRun, double> Of)[]
        {
            ("parse", r => r.Stages.Parse.TotalMilliseconds), ("bind", r => r.Stages.Bind.TotalMilliseconds),
            ("graph", r => r.Stages.Graph.TotalMilliseconds), ("shapes", r => r.Stages.Shapes.TotalMilliseconds),
            ("analysis", r => r.Stages.Total.TotalMilliseconds), ("region", r => r.Milliseconds - r.Stages.Total.TotalMilliseconds),
        };
        var timedSmall = small.Where((_, i) => i % (10 * batch + 1) != 0).ToList();
        var timedLarge = large.Where((_, i) => i % (batch + 1) != 0).ToList();
        return string.Join(", ", stages.Select(stage =>
        {
            var ratios = new List<double>();
            for (var round = 0; round < rounds; round++)
            {
                var smallMean = timedSmall.Skip(round * 10 * batch).Take(10 * batch).Average(stage.Of);
                var largeMean = timedLarge.Skip(round * batch).Take(batch).Average(stage.Of);
                if (smallMean > 0.001) ratios.Add(largeMean / smallMean); // chain-1k opens no region: no ratio
            }

            ratios.Sort();
            return ratios.Count == 0 ? $"{stage.Name} –" : $"{stage.Name} ×{ratios[ratios.Count / 2]:0.00}";
        })) + $" (region: the no-GC region's opening and closing, mean per run {timedSmall.Average(stages[^1].Of):0.00} → {timedLarge.Average(stages[^1].Of):0.00} ms)";
    }

    /// <summary>
    /// The pairing both this benchmark and <see cref="MemoryFloor"/> use: each round times a <see cref="Batch"/> of
    /// 10 × <paramref name="batch"/> runs of the small input and one of <paramref name="batch"/> runs of the large; the
    /// ratio is per round, of the mean times. Returns the summary line's text.
    /// </summary>
    internal static string Paired(int rounds, Func<double> small, Func<double> large, int batch = DefaultBatch)
    {
        var ratios = new List<double>();
        var smallTimes = new List<double>();
        var largeTimes = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            var (smallMean, largeMean) = (Batch(small, 10 * batch), Batch(large, batch));
            smallTimes.Add(smallMean);
            largeTimes.Add(largeMean);
            ratios.Add(largeMean / smallMean);
        }

        ratios.Sort();
        smallTimes.Sort();
        largeTimes.Sort();
        var (low, high) = MedianInterval(rounds);
        return $"{rounds} rounds of {10 * batch} + {batch} runs: median of the means {smallTimes[rounds / 2]:0.00} ms → {largeTimes[rounds / 2]:0.00} ms; " +
               $"paired ratio median ×{ratios[rounds / 2]:0.00}, 95% confidence ×{ratios[low]:0.00}–×{ratios[high]:0.00} " +
               $"(lowest ×{ratios[0]:0.00}, highest ×{ratios[^1]:0.00}; linear = ×10)";
    }

    /// <summary>
    /// The mean time of <paramref name="runs"/> runs that pay for collecting all they leave: after an untimed run
    /// (to find the caches as the timed runs will) and an untimed full collection (of everything before), the runs
    /// and then a full collection of what they left are timed. A no-GC region opens with a collection of what the
    /// runs before left when it cannot get its space otherwise — every time for chain-100k, every ten or forty runs
    /// for chain-10k depending on how far the heap has grown — so without the last collection a side would pay for
    /// the other's garbage or leave its own to the other.
    /// </summary>
    private static double Batch(Func<double> run, int runs)
    {
        run();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        var sum = 0.0;
        for (var i = 0; i < runs; i++) sum += run();
        var start = Stopwatch.GetTimestamp();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        sum += Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        return sum / runs;
    }

    /// <summary>
    /// The ranks (0-based, in the sorted ratios) that bound the median of the rounds' ratios with at least 95%
    /// confidence, whatever their distribution: the j-th smallest of n values lies below the median unless fewer than j
    /// of them do, which has the binomial probability P(B(n, ½) &lt; j); the interval is the j-th smallest to the j-th
    /// largest for the largest j that leaves at most 2.5% on each side. The rounds' ratios spread from ×6 to ×20 on a
    /// shared host, so a median alone says little about a line at ×11.
    /// </summary>
    internal static (int Low, int High) MedianInterval(int n)
    {
        // P(B(n, ½) = i) built up term by term in logs, so that large n neither overflows nor underflows.
        var j = 0;
        var cumulative = 0.0;
        var logTerm = -n * Math.Log(2); // log P(B = 0)
        for (var i = 0; i < n; i++)
        {
            cumulative += Math.Exp(logTerm); // now P(B ≤ i) = P(B < i + 1)
            if (cumulative > 0.025) break;
            j = i + 1;
            logTerm += Math.Log(n - i) - Math.Log(i + 1);
        }

        if (j == 0) return (0, n - 1); // too few rounds for 95%: the whole range
        return (j - 1, n - j);
    }

    /// <summary>Milliseconds of one run of the stage (the full analysis, or lexing or parsing alone) in the server's no-GC region.</summary>
    /// <param name="runs">Where a full analysis adds its wall time and stage timings; null for none.</param>
    private static double Analyse(SourceText text, string stage, List<TimedRun>? runs = null)
    {
        var start = Stopwatch.GetTimestamp();
        var result = stage switch
        {
            "lex" => QuietGc.Run(text.Length, () => (object)PrototxtLsp.Core.Syntax.Lexer.Lex(text.Text, [])),
            "parse" => QuietGc.Run(text.Length, () => (object)PrototxtLsp.Core.Syntax.SyntaxTree.Parse(text)),
            _ => QuietGc.Run(text.Length, () => DocumentAnalysis.Analyze(text)),
        };
        var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        if (result is DocumentAnalysis analysis) runs?.Add(new TimedRun(elapsed, analysis.Timings));
        GC.KeepAlive(result);
        return elapsed;
    }
}
