using System.Globalization;
using System.Text;
using PrototxtLsp.Core.Semantics;
using PrototxtLsp.Core.Text;
using PrototxtLsp.Tests.Infrastructure;

namespace PrototxtLsp.Tests;

/// <summary>
/// Shape and cost inference. Each Baselines/Shapes/NAME.prototxt has NAME.shapes.txt beside it: per state (states
/// with identical results share one section), per layer its tops' shapes, params, MACs, activation bytes and
/// BatchNorm statistics, then the PTX4xxx diagnostics (other codes are only listed, so a typo in a case shows up).
/// The expected numbers were worked out by hand from Caffe's Reshape code; the arithmetic is in each file's `#`
/// comments. Run with UPDATE_BASELINES=1 to rewrite the expected files, then check every changed number by hand.
/// </summary>
public class ShapeTests
{
    public static IEnumerable<object[]> Cases() =>
        Directory.EnumerateFiles(TestPaths.BaselineDir("Shapes"), "*.prototxt")
            .Order(StringComparer.Ordinal)
            .Select(f => new object[] { Path.GetFileName(f) });

    [Theory]
    [MemberData(nameof(Cases))]
    public void Shapes_match_baseline(string file)
    {
        var path = Path.Combine(TestPaths.BaselineDir("Shapes"), file);
        var text = SourceText.FromBytes(File.ReadAllBytes(path));
        var analysis = DocumentAnalysis.Analyze(text, path);
        var actual = Render(analysis);
        var expectedPath = Path.ChangeExtension(path, ".shapes.txt");
        if (TestPaths.UpdateBaselines)
        {
            File.WriteAllText(expectedPath, actual);
            return;
        }

        Assert.True(File.Exists(expectedPath), $"{expectedPath} is missing; run the tests with UPDATE_BASELINES=1 to create it.");
        Assert.Equal(File.ReadAllText(expectedPath).ReplaceLineEndings("\n"), actual);
    }

    /// <summary>
    /// Learnable parameters of the corpus deploy nets in TEST, against counts published independently of this tool
    /// (the BVLC model zoo pages and torchvision's model summaries).
    /// </summary>
    [SkippableFact]
    public void Corpus_deploy_nets_have_the_published_parameter_counts()
    {
        var shared = TestPaths.RequireShared();
        var corpus = Path.Combine(shared, "corpus");
        var expected = new (string File, long Params)[]
        {
            ("bvlc/models/bvlc_alexnet/deploy.prototxt", 60_965_224),
            ("bvlc/models/bvlc_reference_caffenet/deploy.prototxt", 60_965_224),
            ("bvlc/models/bvlc_googlenet/deploy.prototxt", 6_998_552),
            ("KaimingHe__deep-residual-networks/prototxt/ResNet-101-deploy.prototxt", 44_549_160),
            ("KaimingHe__deep-residual-networks/prototxt/ResNet-152-deploy.prototxt", 60_192_808),
            // torchvision's ResNet-50 has 25,557,032; this prototxt's conv1 has no bias_term: false (the other 52
            // convolutions do), so Caffe adds 64 biases: 25,557,032 + 64.
            ("KaimingHe__deep-residual-networks/prototxt/ResNet-50-deploy.prototxt", 25_557_096),
        };
        foreach (var (file, count) in expected)
        {
            var path = Path.Combine(corpus, file);
            var analysis = DocumentAnalysis.Analyze(SourceText.FromBytes(File.ReadAllBytes(path)), path);
            var net = Assert.Single(analysis.Nets);
            var test = net.Shapes.Single(s => s.State.Phase == NetPhase.Test);
            var costs = net.Layers.Where(test.Costs.ContainsKey).Select(l => test.Costs[l]).ToList();
            Assert.All(costs, c => Assert.NotNull(c.Params));
            Assert.True(count == costs.Sum(c => c.Params!.Value), $"{file}: expected {count:N0} params, got {costs.Sum(c => c.Params!.Value):N0}");
        }

        // The ResNet-50 note above, checked against the file itself.
        var resnet50 = File.ReadAllText(Path.Combine(corpus, "KaimingHe__deep-residual-networks/prototxt/ResNet-50-deploy.prototxt"));
        var conv1 = resnet50[resnet50.IndexOf("name: \"conv1\"", StringComparison.Ordinal)..];
        conv1 = conv1[..conv1.IndexOf("\n}", StringComparison.Ordinal)];
        Assert.DoesNotContain("bias_term", conv1);
    }

    [SkippableFact]
    public void Corpus_files_get_no_shape_diagnostics()
    {
        var shared = TestPaths.RequireShared();
        var found = new List<string>();
        foreach (var path in TestPaths.CorpusFiles(shared))
        {
            var analysis = DocumentAnalysis.Analyze(SourceText.FromBytes(File.ReadAllBytes(path)), path);
            foreach (var d in analysis.Diagnostics.Where(d => d.Code.StartsWith("PTX4", StringComparison.Ordinal)))
                found.Add($"{Path.GetRelativePath(shared, path)}: {d.Code} {d.Message}");
        }

        Assert.Empty(found);
    }

    private static string N(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "?";

    public static string Render(DocumentAnalysis analysis)
    {
        var sb = new StringBuilder();
        for (var n = 0; n < analysis.Nets.Count; n++)
        {
            var net = analysis.Nets[n];
            if (analysis.Nets.Count > 1) sb.Append($"# net {n + 1}\n");
            var bodies = new List<(string Body, List<NetState> States)>();
            foreach (var shapes in net.Shapes)
            {
                var body = new StringBuilder();
                foreach (var input in net.Inputs)
                    if (shapes.Tops.TryGetValue(input, out var s)) body.Append($"(input) {input.Name}={s}\n");
                foreach (var layer in net.Layers)
                {
                    if (!shapes.Costs.TryGetValue(layer, out var cost)) continue;
                    body.Append($"{layer.DisplayName} {layer.TypeName ?? layer.TypeText ?? "?"}:");
                    foreach (var top in layer.Tops) body.Append($" {top.Name}={shapes.Tops.GetValueOrDefault(top) ?? Shape.Unknown}");
                    body.Append($" params={N(cost.Params)} macs={N(cost.Macs)} act={N(cost.ActivationBytes)}");
                    if (cost.Statistics is { } stats) body.Append($" stats={N(stats)}");
                    body.Append('\n');
                }

                var rendered = body.ToString();
                var same = bodies.FindIndex(b => b.Body == rendered);
                if (same >= 0) bodies[same].States.Add(shapes.State);
                else bodies.Add((rendered, [shapes.State]));
            }

            foreach (var (body, states) in bodies)
                sb.Append("== ").Append(string.Join(" | ", states.Select(s => s.Describe()))).Append(" ==\n").Append(body);
        }

        var lines = analysis.Text.Lines;
        var shapeDiagnostics = analysis.Diagnostics.Where(d => d.Code.StartsWith("PTX4", StringComparison.Ordinal)).ToList();
        sb.Append("-- diagnostics --\n");
        foreach (var d in shapeDiagnostics)
        {
            var r = lines.GetRange(d.Span);
            sb.Append($"{r.Start.Line + 1}:{r.Start.Character + 1} {d.Code} {d.Severity.ToString().ToLowerInvariant()}: {d.Message}\n");
        }

        if (shapeDiagnostics.Count == 0) sb.Append("(none)\n");
        var others = analysis.Diagnostics.Where(d => !d.Code.StartsWith("PTX4", StringComparison.Ordinal)).Select(d => d.Code).ToList();
        if (others.Count > 0) sb.Append("other codes: ").Append(string.Join(", ", others)).Append('\n');
        return sb.ToString();
    }
}
