using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Text;
using PrototxtLsp.Core.Diagnostics;
using PrototxtLsp.Core.Features;
using PrototxtLsp.Core.Semantics;
using PrototxtLsp.Core.Text;
using PrototxtLsp.Tests.Infrastructure;
using Xunit.Abstractions;

namespace PrototxtLsp.Tests;

/// <summary>
/// Inputs built to hurt: huge files, huge lines, deep nesting, huge lists, bytes that are not text. Each one is
/// analysed on a thread with a 1 MB stack (smaller than a thread-pool thread's, so a deep recursion shows up here
/// first), then reprinted, formatted and asked for a few features. Times and allocations are printed; the
/// assertions are only generous bounds (20 s, or 3 s per MB for the largest, and 2 GB per stage), the lossless
/// reprint and the diagnostic the input calls for.
/// </summary>
public class PathologicalInputTests(ITestOutputHelper output)
{
    /// <summary>20 s per stage, 3 s per MB for the largest inputs (Debug builds on a shared 2-core machine; Release is 2-4× faster).</summary>
    private static TimeSpan TimeBound(int length) => TimeSpan.FromSeconds(Math.Max(20, 3.0 * length / (1 << 20)));
    private const long AllocationBound = 2L << 30;

    [Fact]
    public void A_20_MB_net()
    {
        // A linear chain of convolutions and in-place ReLUs: every layer reads the previous one's top.
        var sb = new StringBuilder(21 << 20);
        sb.Append("name: \"long\"\nlayer {\n  name: \"data\"\n  type: \"Input\"\n  top: \"b0\"\n  input_param { shape { dim: 1 dim: 3 dim: 32 dim: 32 } }\n}\n");
        var i = 0;
        while (sb.Length < 20 << 20)
        {
            i++;
            sb.Append("layer {\n  name: \"conv").Append(i).Append("\"\n  type: \"Convolution\"\n  bottom: \"b").Append(i - 1)
                .Append("\"\n  top: \"b").Append(i).Append("\"\n  convolution_param {\n    num_output: 3\n    kernel_size: 3\n    pad: 1\n  }\n}\n")
                .Append("layer {\n  name: \"relu").Append(i).Append("\"\n  type: \"ReLU\"\n  bottom: \"b").Append(i).Append("\"\n  top: \"b").Append(i).Append("\"\n}\n");
        }

        output.WriteLine($"{2 * i + 1:N0} layers");
        var analysis = Check("20 MB net", new SourceText(sb.ToString()), "big.prototxt");
        Assert.DoesNotContain(analysis.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal(2 * i + 1, analysis.Nets.Single().Layers.Count);
    }

    [Fact]
    public void A_100_000_character_line()
    {
        // A minified net on one line, then a single string value of 100,000 characters.
        var line = new StringBuilder("layer { name: \"in\" type: \"Input\" top: \"x\" input_param { shape { dim: 1 dim: 8 } } } ");
        for (var i = 0; line.Length < 100_000; i++)
            line.Append("layer { name: \"r").Append(i).Append("\" type: \"ReLU\" bottom: \"x\" top: \"x\" } ");
        var text = "name: \"one line\"\n" + line + "\nlayer { name: \"" + new string('n', 100_000) + "\" type: \"ReLU\" bottom: \"x\" top: \"x\" }\n";
        var analysis = Check("100,000-character lines", new SourceText(text));
        Assert.DoesNotContain(analysis.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
    }

    [Fact]
    public void Ten_thousand_unknown_bottoms()
    {
        // Every bottom renamed (a find-and-replace gone wrong): each of 10,000 unknown bottoms asks for a did-you-mean.
        // When each suggestion compared every earlier blob this took 16 s and 4.7 GB (NativeAOT, Release).
        var sb = new StringBuilder("name: \"renamed\"\nlayer { name: \"data\" type: \"Input\" top: \"data\" input_param { shape { dim: 1 dim: 3 dim: 8 dim: 8 } } }\n");
        var previous = "data";
        for (var i = 0; i < 10_000; i++)
        {
            sb.Append("layer { name: \"conv").Append(i).Append("\" type: \"Convolution\" bottom: \"").Append(previous).Append("_x\" top: \"conv").Append(i)
                .Append("\" convolution_param { num_output: 3 kernel_size: 1 } }\n");
            previous = "conv" + i;
        }

        var analysis = Check("10,000 unknown bottoms", new SourceText(sb.ToString()), null, "PTX3001");
        var unknown = analysis.Diagnostics.Where(d => d.Code == "PTX3001").ToList();
        Assert.Equal(10_000, unknown.Count);
        // Suggestions still come from the blobs produced just before, and from the net's first blobs.
        Assert.Contains("Did you mean 'data'?", unknown[0].Message);
        Assert.Contains("Did you mean 'conv9998'?", unknown[^1].Message);
    }

    [Fact]
    public void Five_thousand_stage_sets()
    {
        // Every layer built only in a stage of its own: each stage set is a state, a net of its own to check. Checking
        // all 5,000 took 2.3 s (6 s before states were grouped by hash); the net is checked in the first 32 per phase.
        var sb = new StringBuilder("name: \"stages\"\nlayer { name: \"data\" type: \"Input\" top: \"data\" input_param { shape { dim: 1 dim: 3 dim: 8 dim: 8 } } }\n");
        for (var i = 0; i < 5_000; i++)
            sb.Append("layer { name: \"l").Append(i).Append("\" type: \"ReLU\" bottom: \"data\" top: \"t").Append(i).Append("\" include { phase: TRAIN stage: \"s").Append(i).Append("\" } }\n");
        var analysis = Check("5,000 stage sets", new SourceText(sb.ToString()), null, "PTX3014");
        Assert.Equal(NetAnalyzer.MaxStatesPerPhase + 1, analysis.Nets.Single().States.Count); // 32 TRAIN stage sets and TEST
    }

    [Fact]
    public void Ten_thousand_nested_braces()
    {
        const int depth = 10_000;
        var text = string.Concat(Enumerable.Repeat("a { ", depth)) + string.Concat(Enumerable.Repeat("} ", depth)) + "\n";
        var analysis = Check("10,000 nested braces", new SourceText(text), null, "PTX1011");
        Assert.Single(analysis.Diagnostics, d => d.Code == "PTX1011");
    }

    [Fact]
    public void Ten_thousand_nested_blocks_never_closed()
    {
        var text = string.Concat(Enumerable.Repeat("a <\n", 10_000));
        Check("10,000 unclosed nested blocks", new SourceText(text), null, "PTX1011", "PTX1008");
    }

    [Fact]
    public void Ten_thousand_nested_lists_of_messages()
    {
        const int depth = 10_000;
        var text = string.Concat(Enumerable.Repeat("a: [{ ", depth)) + string.Concat(Enumerable.Repeat("}] ", depth));
        Check("10,000 nested lists of messages", new SourceText(text), null, "PTX1011");
    }

    [Fact]
    public void A_million_element_list()
    {
        var analysis = Check("1,000,000-element list", new SourceText(MillionDimensionNet(i => 1)));
        Assert.DoesNotContain(analysis.Diagnostics, d => d.Code.StartsWith("PTX1", StringComparison.Ordinal));
    }

    // Was a Core bug: SafeMul caught an OverflowException per dimension once the size saturated (6 s for this net).
    [Fact]
    public void A_million_element_list_whose_size_overflows()
    {
        var analysis = Check("1,000,000-element list, size overflows", new SourceText(MillionDimensionNet(i => i % 7 + 1)));
        Assert.True(analysis.Timings.Shapes < TimeSpan.FromSeconds(3), $"shape inference took {analysis.Timings.Shapes.TotalSeconds:F1} s");
    }

    private static string MillionDimensionNet(Func<int, int> dim)
    {
        var sb = new StringBuilder("layer {\n  name: \"in\"\n  type: \"Input\"\n  top: \"data\"\n  input_param { shape { dim: [");
        for (var i = 0; i < 1_000_000; i++) sb.Append(i == 0 ? "" : ", ").Append(dim(i));
        sb.Append("] } }\n}\nlayer {\n  name: \"relu\"\n  type: \"ReLU\"\n  bottom: \"data\"\n  top: \"out\"\n}\n");
        return sb.ToString();
    }

    [Fact]
    public void A_million_digit_number()
    {
        var text = "layer {\n  name: \"ip\"\n  type: \"InnerProduct\"\n  inner_product_param {\n    num_output: " + new string('9', 1_000_000) +
                   "\n  }\n}\nbase_lr: 0." + new string('1', 1_000_000) + "e" + new string('9', 1000) + "\n";
        Check("1,000,000-digit numbers", new SourceText(text), "net.prototxt", "PTX2005");
    }

    [Fact]
    public void Invalid_utf8_bytes()
    {
        var rng = new Random(9);
        var bytes = new List<byte>();
        bytes.AddRange("layer {\n  name: \""u8.ToArray());
        bytes.AddRange([0xFF, 0xFE, 0xC0, 0xAF, 0xED, 0xA0, 0x80, (byte)'"', (byte)'\n']);
        for (var i = 0; i < 1 << 20; i++)
        {
            // Mostly invalid bytes, some ASCII structure and line breaks between them.
            var r = rng.Next(10);
            bytes.Add(r switch { < 6 => (byte)rng.Next(0x80, 0x100), 6 => (byte)'\n', 7 => (byte)'{', 8 => (byte)'"', _ => (byte)'a' });
        }

        var text = SourceText.FromBytes(bytes.ToArray());
        Assert.Contains('\uFFFD', text.Text);
        Check("1 MB of mostly invalid UTF-8", text, null, "PTX1001");
    }

    [Fact]
    public void Nul_bytes()
    {
        var bytes = new List<byte>();
        bytes.AddRange("layer {\n  name: \"a\0b\"\n  type: \"ReLU\"\0\n  bottom: \"x\" top: \"x\"\n}\n"u8.ToArray());
        bytes.AddRange(new byte[1 << 20]);
        bytes.AddRange("\nlayer { name: \"after\" }\n"u8.ToArray());
        for (var i = 0; i < 10_000; i++) bytes.AddRange("a: 1\0"u8.ToArray());
        var analysis = Check("NUL bytes", SourceText.FromBytes(bytes.ToArray()), null, "PTX1001");
        Assert.Contains(analysis.Diagnostics, d => d.Message.Contains("U+0000", StringComparison.Ordinal));
    }

    [Fact]
    public void A_lone_quote_at_the_start_of_a_huge_file()
    {
        var sb = new StringBuilder("\"");
        while (sb.Length < 8 << 20)
            sb.Append("layer {\n  name: \"relu\"\n  type: \"ReLU\"\n  bottom: \"x\"\n  top: \"x\"\n}\n");
        var analysis = Check("a lone \" before 8 MB", new SourceText(sb.ToString()), null, "PTX1002");
        // The unterminated string ends at its line: one error, and the rest of the file is still parsed.
        Assert.Single(analysis.Diagnostics, d => d.Code == "PTX1002");
        Assert.True(analysis.Tree.Root.Fields.Count() > 1000);
    }

    [Fact]
    public void A_lone_quote_before_a_huge_single_line()
    {
        var text = "'" + string.Concat(Enumerable.Repeat("name: \"x\" ", 400_000));
        Check("a lone ' before a 4 MB line", new SourceText(text), null, "PTX1002");
    }

    [Fact]
    public void Lone_quotes_everywhere()
    {
        // Every line opens a string it never closes.
        var text = string.Concat(Enumerable.Repeat("name: \"abc\\\n", 200_000));
        var analysis = Check("200,000 unterminated strings", new SourceText(text), null, "PTX1002");
        Assert.Equal(200_000, analysis.Diagnostics.Count(d => d.Code == "PTX1002"));
    }

    [Fact]
    public void A_hundred_thousand_closing_braces()
    {
        var analysis = Check("100,000 '}'", new SourceText(new string('}', 100_000)), null, "PTX1010");
        Assert.Equal(100_000, analysis.Diagnostics.Count(d => d.Code == "PTX1010"));
    }

    [Fact]
    public void Only_comments()
    {
        var sb = new StringBuilder();
        for (var i = 0; sb.Length < 4 << 20; i++) sb.Append("# comment line ").Append(i).Append(" { [ \" ' \\ \n");
        var analysis = Check("4 MB of comments", new SourceText(sb.ToString()));
        Assert.Empty(analysis.Diagnostics);
        Assert.Single(Folding.Get(analysis), f => f.IsComment);
    }

    [Fact]
    public void A_megabyte_of_carriage_returns()
    {
        var analysis = Check("1 MB of '\\r'", new SourceText(new string('\r', 1 << 20)));
        Assert.Empty(analysis.Diagnostics);
        Assert.Equal((1 << 20) + 1, analysis.Text.Lines.LineCount);
    }

    [Fact]
    public void Fifty_thousand_layers_in_place_on_one_blob_with_one_name()
    {
        var sb = new StringBuilder("input: \"x\"\ninput_shape { dim: 1 dim: 2 }\n");
        for (var i = 0; i < 50_000; i++) sb.Append("layer { name: \"same\" type: \"ReLU\" bottom: \"x\" top: \"x\" }\n");
        Check("50,000 in-place layers named alike", new SourceText(sb.ToString()), null, "PTX3009");
    }

    // Was a Core bug: a blob's consumer list checked for duplicates by scanning it, O(n²) in the bottoms of one blob.
    [Fact]
    public void One_layer_with_a_hundred_thousand_bottoms_and_tops()
    {
        var sb = new StringBuilder("input: \"x\"\nlayer {\n  name: \"concat\"\n  type: \"Concat\"\n");
        for (var i = 0; i < 100_000; i++) sb.Append("  bottom: \"x\"\n");
        for (var i = 0; i < 100_000; i++) sb.Append("  top: \"t").Append(i % 1000).Append("\"\n");
        sb.Append("}\n");
        Check("100,000 bottoms and tops", new SourceText(sb.ToString()), null, "PTX3005");
    }

    // ---- machinery -------------------------------------------------------------------------------------------------

    /// <summary>Analyses, reprints, checks the tree, formats and runs a few features, each measured and bounded.</summary>
    private DocumentAnalysis Check(string name, SourceText text, string? path = null, params string[] expectedCodes)
    {
        return OnSmallStack(() =>
        {
            output.WriteLine($"{name}: {text.Length:N0} chars, {text.Lines.LineCount:N0} lines");
            var analysis = Measure("analysis", text.Length, () => DocumentAnalysis.Analyze(text, path));
            var t = analysis.Timings;
            output.WriteLine($"  stages: parse {t.Parse.TotalMilliseconds:F0} ms, bind {t.Bind.TotalMilliseconds:F0} ms, graph {t.Graph.TotalMilliseconds:F0} ms, shapes {t.Shapes.TotalMilliseconds:F0} ms");
            var codes = analysis.Diagnostics.GroupBy(d => d.Code).OrderByDescending(g => g.Count()).Select(g => $"{g.Key}×{g.Count():N0}");
            output.WriteLine($"  {analysis.Diagnostics.Count:N0} diagnostics: {string.Join(", ", codes.Take(8))}");

            var reprinted = Measure("reprint", text.Length, () => analysis.Tree.ToFullString());
            Assert.True(reprinted == text.Text, "the tree does not reprint the text");
            // The test's own checks are timed but not bounded; above 4 MB only the cheaper of the two (TreeInvariants makes
            // an xUnit assertion per token and per node: 25 s for the 20 MB net).
            Measure("tree invariants (test code)", text.Length, () =>
            {
                if (text.Length <= 4 << 20) TreeInvariants.Check(text.Text, analysis);
                FullPipeline.CheckSyntax(analysis);
                return 0;
            }, bounded: false);
            foreach (var code in expectedCodes) Assert.Contains(analysis.Diagnostics, d => d.Code == code);

            var edits = Measure("formatting", text.Length, () => Formatter.Format(analysis.Tree));
            FullPipeline.CheckEdits(edits, text.Length, "formatting");
            output.WriteLine($"  {edits.Count:N0} formatting edits");
            var middle = text.Length / 2;
            Measure("hover at the middle", text.Length, () => Hover.At(analysis, middle));
            Measure("completion at the middle", text.Length, () => Completion.At(analysis, middle));
            Measure("selection ranges at the middle", text.Length, () => SelectionRanges.At(analysis, middle));
            Measure("definition and references at the middle", text.Length, () => (Navigation.Definition(analysis, middle), Navigation.References(analysis, middle)));
            Measure("document symbols", text.Length, () => DocumentSymbols.Get(analysis));
            Measure("folding", text.Length, () => Folding.Get(analysis));
            Measure("semantic tokens", text.Length, () => SemanticTokens.Get(analysis));
            Measure("inlay hints", text.Length, () => ShapeHints.InlayHints(analysis));
            Measure("code actions at the start", text.Length, () => CodeActions.For(analysis, new TextSpan(0, Math.Min(100, text.Length))));
            Measure("code lenses", text.Length, () => ShapeHints.CodeLenses(analysis));
            Measure("call hierarchy at the middle", text.Length, () => (LayerHierarchy.Incoming(analysis, middle), LayerHierarchy.Outgoing(analysis, middle)));
            Measure("layer graph", text.Length, () => LayerGraphView.Build(analysis));
            return analysis;
        });
    }

    private T Measure<T>(string what, int length, Func<T> action, bool bounded = true)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var start = Stopwatch.GetTimestamp();
        var result = action();
        var elapsed = Stopwatch.GetElapsedTime(start);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        output.WriteLine($"  {what}: {elapsed.TotalMilliseconds:N0} ms, {allocated / (1024.0 * 1024):N1} MB allocated");
        if (!bounded) return result;
        Assert.True(elapsed < TimeBound(length), $"{what} took {elapsed.TotalSeconds:F1} s");
        Assert.True(allocated < AllocationBound, $"{what} allocated {allocated / (1024.0 * 1024):N0} MB");
        return result;
    }

    /// <summary>Runs on a thread with a 1 MB stack and fails (instead of hanging the run) after five minutes.</summary>
    private static T OnSmallStack<T>(Func<T> action)
    {
        T result = default!;
        ExceptionDispatchInfo? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = action();
            }
            catch (Exception e)
            {
                error = ExceptionDispatchInfo.Capture(e);
            }
        }, maxStackSize: 1 << 20);
        thread.Start();
        if (!thread.Join(TimeSpan.FromMinutes(5))) throw new TimeoutException("the input was not handled within five minutes");
        error?.Throw();
        return result;
    }
}
