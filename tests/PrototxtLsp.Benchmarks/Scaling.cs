using System.Diagnostics;
using PrototxtLsp.Core.Semantics;
using PrototxtLsp.Core.Text;

namespace PrototxtLsp.Benchmarks;

/// <summary>
/// The linear-cost target of issue 8 measured in pairs, so that the machine's drift in speed (up to 2× within the
/// hour on the project's virtual machines) moves both sides of a ratio alike: each round times ten analyses of the
/// smaller chain and one of the ten-times-larger chain back to back (each after an untimed run of the same input), as the language server runs them (a no-GC region
/// from 256 KB), and the round's ratio is the larger's time over a tenth of the ten smaller ones'.
/// Arguments: [ROUNDS] [full|parse|lex] (parse and lex alone also in a no-GC region from 256 KB).
/// </summary>
public static class Scaling
{
    public static int Run(string[] args)
    {
        var rounds = args.Length > 0 ? int.Parse(args[0]) : 15;
        var stage = args.Length > 1 ? args[1] : "full";
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
            var smallStages = new List<AnalysisTimings>();
            var largeStages = new List<AnalysisTimings>();
            var summary = Paired(rounds, () => Analyse(small, stage, smallStages), () => Analyse(large, stage, largeStages));
            Console.WriteLine($"{chains[step].Name} → {chains[step + 1].Name}, {summary}");
            if (largeStages.Count == 2 * rounds) Console.WriteLine($"  stages, paired ratio medians: {StageRatios(rounds, smallStages, largeStages)}");
        }

        return 0;
    }

    /// <summary>
    /// Each stage's paired ratio (median over rounds): the larger input's stage time over the mean of the ten smaller
    /// ones' in the same round. <see cref="Paired"/> runs each side once untimed first, so a round recorded 11 small
    /// analyses and 2 large ones; the untimed ones are left out.
    /// </summary>
    private static string StageRatios(int rounds, List<AnalysisTimings> small, List<AnalysisTimings> large)
    {
        var stages = new (string Name, Func<AnalysisTimings, TimeSpan> Of)[]
        {
            ("parse", t => t.Parse), ("bind", t => t.Bind), ("graph", t => t.Graph), ("shapes", t => t.Shapes), ("total", t => t.Total),
        };
        return string.Join(", ", stages.Select(stage =>
        {
            var ratios = new List<double>();
            for (var round = 0; round < rounds; round++)
            {
                var tenSmall = small.Skip(round * 11 + 1).Take(10).Average(t => stage.Of(t).TotalMilliseconds);
                ratios.Add(stage.Of(large[round * 2 + 1]).TotalMilliseconds / tenSmall);
            }

            ratios.Sort();
            return $"{stage.Name} ×{ratios[rounds / 2]:0.00}";
        })) + $" (analysis alone, median: {Median(small, t => t.Total):0.00} → {Median(large, t => t.Total):0.00} ms; the rest of each run is the no-GC region's opening and closing)";

        static double Median(List<AnalysisTimings> all, Func<AnalysisTimings, TimeSpan> of)
        {
            var sorted = all.Select(t => of(t).TotalMilliseconds).Order().ToList();
            return sorted[sorted.Count / 2];
        }
    }

    /// <summary>
    /// The pairing both this benchmark and <see cref="MemoryFloor"/> use: each round (on a compacted heap) times ten
    /// runs of the small input and one of the large, each side after an untimed run of its own so that neither pays
    /// for the other's leftovers in the caches; the ratio is per round. Returns the summary line's text.
    /// </summary>
    internal static string Paired(int rounds, Func<double> small, Func<double> large)
    {
        var ratios = new List<double>();
        var smallTimes = new List<double>();
        var largeTimes = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            small();
            var tenSmall = 0.0;
            for (var i = 0; i < 10; i++) tenSmall += small();
            large();
            var one = large();
            smallTimes.Add(tenSmall / 10);
            largeTimes.Add(one);
            ratios.Add(one / (tenSmall / 10));
        }

        ratios.Sort();
        smallTimes.Sort();
        largeTimes.Sort();
        var (low, high) = MedianInterval(rounds);
        return $"{rounds} rounds: median {smallTimes[rounds / 2]:0.00} ms → {largeTimes[rounds / 2]:0.00} ms; " +
               $"paired ratio median ×{ratios[rounds / 2]:0.00}, 95% confidence ×{ratios[low]:0.00}–×{ratios[high]:0.00} " +
               $"(lowest ×{ratios[0]:0.00}, highest ×{ratios[^1]:0.00}; linear = ×10)";
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
    /// <param name="timings">Where a full analysis adds its stage timings; null for none.</param>
    private static double Analyse(SourceText text, string stage, List<AnalysisTimings>? timings = null)
    {
        var start = Stopwatch.GetTimestamp();
        var result = stage switch
        {
            "lex" => QuietGc.Run(text.Length, () => (object)PrototxtLsp.Core.Syntax.Lexer.Lex(text.Text, [])),
            "parse" => QuietGc.Run(text.Length, () => (object)PrototxtLsp.Core.Syntax.SyntaxTree.Parse(text)),
            _ => QuietGc.Run(text.Length, () => DocumentAnalysis.Analyze(text)),
        };
        var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        if (result is DocumentAnalysis analysis) timings?.Add(analysis.Timings);
        GC.KeepAlive(result);
        return elapsed;
    }
}
