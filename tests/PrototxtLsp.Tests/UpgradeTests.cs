using System.Globalization;
using System.Text;
using PrototxtLsp.Core.Diagnostics;
using PrototxtLsp.Core.Features;
using PrototxtLsp.Core.Semantics;
using PrototxtLsp.Core.Syntax;
using PrototxtLsp.Core.Text;
using PrototxtLsp.Server.Cli;
using PrototxtLsp.Tests.Infrastructure;
using Xunit.Abstractions;

namespace PrototxtLsp.Tests;

/// <summary>
/// The legacy upgrade (<see cref="LegacyUpgrade"/>, <c>prototxt-lsp upgrade</c>). Baselines/Upgrade/NAME.prototxt has
/// NAME.upgraded.txt beside it: whether the text changed, the notes, then the upgraded text (UPDATE_BASELINES=1
/// rewrites them). Every legacy corpus net is upgraded and checked against protoc and against its original meaning.
/// </summary>
public class UpgradeTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("prototxt-upgrade-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static IEnumerable<object[]> Cases() =>
        Directory.EnumerateFiles(TestPaths.BaselineDir("Upgrade"), "*.prototxt")
            .Order(StringComparer.Ordinal)
            .Select(f => new object[] { Path.GetFileName(f) });

    [Theory]
    [MemberData(nameof(Cases))]
    public void Upgrade_matches_baseline(string file)
    {
        var path = Path.Combine(TestPaths.BaselineDir("Upgrade"), file);
        var text = SourceText.FromBytes(File.ReadAllBytes(path)).Text;
        var analysis = DocumentAnalysis.Analyze(text, path);
        var result = LegacyUpgrade.Upgrade(analysis);
        var actual = $"changed: {result.Changed.ToString().ToLowerInvariant()}\n" +
                     string.Concat(result.Notes.Select(n => $"note: {n}\n")) + "----\n" + result.Text;
        var expectedPath = Path.ChangeExtension(path, ".upgraded.txt");
        if (TestPaths.UpdateBaselines)
        {
            File.WriteAllText(expectedPath, actual);
        }
        else
        {
            Assert.True(File.Exists(expectedPath), $"{expectedPath} is missing; run the tests with UPDATE_BASELINES=1 to create it.");
            Assert.Equal(File.ReadAllText(expectedPath).ReplaceLineEndings("\n"), actual);
        }

        Assert.NotEmpty(result.Notes);
        if (!result.Changed)
        {
            Assert.Equal(text, result.Text);
            return;
        }

        var upgraded = DocumentAnalysis.Analyze(result.Text, path);
        Assert.False(LegacyUpgrade.NeedsUpgrade(upgraded));
        if (!analysis.Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error))
        {
            Assert.DoesNotContain(upgraded.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        }

        // Upgrading again changes nothing.
        var again = LegacyUpgrade.Upgrade(upgraded);
        Assert.False(again.Changed);
        Assert.Equal(result.Text, again.Text);
        if (ProtocRunner.Available)
        {
            var (accepted, error) = ProtocRunner.Encode("caffe.NetParameter", result.Text);
            Assert.True(accepted, $"protoc rejects the upgraded {file}: {error}");
        }
    }

    [Fact]
    public void Current_files_come_back_identical()
    {
        const string text = "name: \"x\"\r\nlayer {   name: 'a' type: \"ReLU\" }\r\n";
        var analysis = DocumentAnalysis.Analyze(text);
        Assert.False(LegacyUpgrade.NeedsUpgrade(analysis));
        var result = LegacyUpgrade.Upgrade(analysis);
        Assert.False(result.Changed);
        Assert.Equal(text, result.Text);
        Assert.Contains(result.Notes, n => n.Contains("already in the current format"));
    }

    [Fact]
    public void Line_endings_and_untouched_parts_are_kept()
    {
        const string text = "name:   'crlf'\r\nlayers { name: \"r\" type: RELU bottom: \"x\" top: \"x\" }\r\n";
        var result = LegacyUpgrade.Upgrade(DocumentAnalysis.Analyze(text));
        Assert.True(result.Changed);
        Assert.Equal("name:   'crlf'\r\nlayer {\r\n  name: \"r\"\r\n  type: \"ReLU\"\r\n  bottom: \"x\"\r\n  top: \"x\"\r\n}\r\n", result.Text);
    }

    [Fact]
    public void Files_that_cannot_be_upgraded_are_returned_unchanged_with_a_reason()
    {
        // A syntax error.
        const string broken = "layers { name: \"a\" type: RELU \n";
        var result = LegacyUpgrade.Upgrade(DocumentAnalysis.Analyze(broken));
        Assert.False(result.Changed);
        Assert.Equal(broken, result.Text);
        Assert.Contains("syntax errors", Assert.Single(result.Notes));

        // A solver is not a net.
        const string solver = "net: \"train.prototxt\"\nbase_lr: 0.01\n";
        result = LegacyUpgrade.Upgrade(DocumentAnalysis.Analyze(solver, "solver.prototxt"));
        Assert.False(result.Changed);
        Assert.Contains("not a net", Assert.Single(result.Notes));

        // A padding layer feeding something other than conv or pool: Caffe stops.
        const string badPad = "layers { layer { name: \"p\" type: \"padding\" pad: 1 } bottom: \"d\" top: \"p\" }\n" +
                              "layers { layer { name: \"r\" type: \"relu\" } bottom: \"p\" top: \"r\" }\n";
        result = LegacyUpgrade.Upgrade(DocumentAnalysis.Analyze(badPad));
        Assert.False(result.Changed);
        Assert.Contains("padding", Assert.Single(result.Notes));

        // A net input without any shape: left for the author, the rest is upgraded.
        const string noShape = "input: \"data\"\nlayers { name: \"r\" type: RELU bottom: \"data\" top: \"r\" }\n";
        var analysis = DocumentAnalysis.Analyze(noShape);
        result = LegacyUpgrade.Upgrade(analysis);
        Assert.True(result.Changed);
        Assert.StartsWith("input: \"data\"\nlayer {", result.Text);
        Assert.Contains(result.Notes, n => n.Contains("has no shape"));
        Assert.True(LegacyUpgrade.NeedsUpgrade(DocumentAnalysis.Analyze(result.Text)));
    }

    // ---- the corpus ----

    // Caffe's V0 layer names and the V1 enum each maps to (UpgradeV0LayerType), stated here independently of the code.
    private static readonly Dictionary<string, string> V0ToV1 = new()
    {
        ["accuracy"] = "ACCURACY", ["bnll"] = "BNLL", ["concat"] = "CONCAT", ["conv"] = "CONVOLUTION", ["data"] = "DATA",
        ["dropout"] = "DROPOUT", ["euclidean_loss"] = "EUCLIDEAN_LOSS", ["flatten"] = "FLATTEN", ["hdf5_data"] = "HDF5_DATA",
        ["hdf5_output"] = "HDF5_OUTPUT", ["im2col"] = "IM2COL", ["images"] = "IMAGE_DATA", ["infogain_loss"] = "INFOGAIN_LOSS",
        ["innerproduct"] = "INNER_PRODUCT", ["lrn"] = "LRN", ["multinomial_logistic_loss"] = "MULTINOMIAL_LOGISTIC_LOSS",
        ["pool"] = "POOLING", ["relu"] = "RELU", ["sigmoid"] = "SIGMOID", ["softmax"] = "SOFTMAX", ["softmax_loss"] = "SOFTMAX_LOSS",
        ["split"] = "SPLIT", ["tanh"] = "TANH", ["window_data"] = "WINDOW_DATA",
    };

    private sealed record Layer(string Name, string Type, List<string> Bottoms, List<string> Tops, List<string> Leaves);

    [SkippableFact]
    public void Every_legacy_corpus_net_upgrades_to_an_equivalent_current_net()
    {
        var shared = TestPaths.RequireShared();
        var v1Types = File.ReadAllLines(Path.Combine(shared, "facts", "v1_layer_types.tsv")).Skip(1)
            .Select(l => l.Split('\t')).ToDictionary(r => r[0], r => r[2]);
        int files = 0, withLayers = 0, withInputs = 0, v0 = 0, accepted = 0, layers = 0, leaves = 0;
        var failures = new List<string>();
        foreach (var path in TestPaths.CorpusFiles(shared))
        {
            var text = SourceText.FromBytes(File.ReadAllBytes(path)).Text;
            var analysis = DocumentAnalysis.Analyze(text, path);
            if (!LegacyUpgrade.NeedsUpgrade(analysis)) continue;
            var name = Path.GetRelativePath(Path.Combine(shared, "corpus"), path);
            files++;
            var root = analysis.Tree.Root;
            if (root.Fields.Any(f => f.NameText == "layers")) withLayers++;
            if (root.Fields.Any(f => f.NameText == "input")) withInputs++;
            if (root.Fields.Any(f => f.NameText == "layers" && Block(f)!.Fields.Any(x => x.NameText == "layer"))) v0++;

            var result = LegacyUpgrade.Upgrade(analysis);
            if (!result.Changed)
            {
                failures.Add($"{name}: not upgraded: {string.Join(" ", result.Notes)}");
                continue;
            }

            // (a) no errors, (b) nothing left to upgrade, (c) protoc accepts it.
            var upgraded = DocumentAnalysis.Analyze(result.Text, path);
            foreach (var d in upgraded.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(3))
            {
                failures.Add($"{name}: upgraded text has {d.Code} at {upgraded.Text.Lines.GetPosition(d.Span.Start)}: {d.Message}");
            }

            if (LegacyUpgrade.NeedsUpgrade(upgraded)) failures.Add($"{name}: still needs an upgrade: {string.Join(" ", result.Notes)}");
            if (ProtocRunner.Available)
            {
                var (ok, error) = ProtocRunner.Encode("caffe.NetParameter", result.Text);
                if (ok) accepted++;
                else failures.Add($"{name}: protoc rejects the upgraded text: {error}");
            }

            // (d) the same layers, blobs, types and values.
            var before = OriginalLayers(root, v1Types);
            var after = UpgradedLayers(upgraded.Tree.Root);
            var netInputs = root.Fields.Where(f => f.NameText == "input").Select(f => Str(f.Value)).ToList();
            if (netInputs.Count > 0)
            {
                var dims = root.Fields.Where(f => f.NameText is "input_dim" or "input_shape").SelectMany(f => Leaves(f.Value)).ToList();
                before.Insert(0, new Layer("input", "Input", [], netInputs, ["input", .. netInputs, .. dims]));
            }

            layers += before.Count;
            Compare(name, before, after, failures, ref leaves);
        }

        output.WriteLine($"{files} legacy nets in the corpus ({withLayers} with `layers`, {v0} of them V0, {withInputs} with net-level inputs); " +
                         $"{files - failures.Select(f => f.Split(':')[0]).Distinct().Count()} upgraded cleanly; protoc accepted {accepted}" +
                         (ProtocRunner.Available ? "" : " (protoc not available)") + $"; {layers} layers and {leaves} values compared.");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(30)));
        Assert.True(withLayers >= 25 && withInputs >= 10 && v0 >= 6, "the corpus should hold the legacy nets it is known to hold");
    }

    [SkippableFact]
    public void Upgrade_never_throws_on_damaged_legacy_nets()
    {
        var shared = TestPaths.RequireShared();
        var random = new Random(4242);
        int runs = 0, changed = 0;
        var inputs = TestPaths.CorpusFiles(shared).Concat(Directory.EnumerateFiles(TestPaths.BaselineDir("Diagnostics"), "*.prototxt"))
            .Select(p => SourceText.FromBytes(File.ReadAllBytes(p)).Text)
            .Where(t => t.Contains("layers") || t.Contains("input"))
            .ToList();
        foreach (var text in inputs)
        {
            var lines = text.Split('\n');
            for (var k = 0; k < 12; k++)
            {
                // Drop a few random lines: unbalanced braces, layers without names, inputs without dims, …
                var drop = Enumerable.Range(0, 1 + random.Next(3)).Select(_ => random.Next(lines.Length)).ToHashSet();
                var mutant = string.Join('\n', lines.Where((_, i) => !drop.Contains(i)));
                var analysis = DocumentAnalysis.Analyze(mutant);
                var result = LegacyUpgrade.Upgrade(analysis);
                runs++;
                if (!result.Changed)
                {
                    Assert.Equal(mutant, result.Text);
                    continue;
                }

                changed++;
                Assert.DoesNotContain(SyntaxTree.Parse(result.Text).Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
            }
        }

        output.WriteLine($"{runs} damaged nets, {changed} upgraded");
        Assert.True(changed > runs / 10);
    }

    private static void Compare(string file, List<Layer> before, List<Layer> after, List<string> failures, ref int leaves)
    {
        if (!before.Select(l => l.Name).SequenceEqual(after.Select(l => l.Name)))
        {
            failures.Add($"{file}: layer names differ:\n  {string.Join(" ", before.Select(l => l.Name))}\n  {string.Join(" ", after.Select(l => l.Name))}");
            return;
        }

        for (var i = 0; i < before.Count; i++)
        {
            var (b, a) = (before[i], after[i]);
            var where = $"{file}: layer {i} '{b.Name}'";
            if (b.Type != a.Type) failures.Add($"{where}: type {a.Type}, expected {b.Type}");
            if (!b.Bottoms.SequenceEqual(a.Bottoms)) failures.Add($"{where}: bottoms [{string.Join(", ", a.Bottoms)}], expected [{string.Join(", ", b.Bottoms)}]");
            if (!b.Tops.SequenceEqual(a.Tops)) failures.Add($"{where}: tops [{string.Join(", ", a.Tops)}], expected [{string.Join(", ", b.Tops)}]");
            var remaining = a.Leaves.GroupBy(v => v).ToDictionary(g => g.Key, g => g.Count());
            foreach (var value in b.Leaves)
            {
                leaves++;
                if (remaining.GetValueOrDefault(value) > 0) remaining[value]--;
                else failures.Add($"{where}: value {value} is missing after the upgrade");
            }
        }
    }

    /// <summary>The layers of a legacy net as Caffe reads them, with V0 padding layers folded into their consumers.</summary>
    private static List<Layer> OriginalLayers(DocumentSyntax root, Dictionary<string, string> v1Types)
    {
        var layers = new List<Layer>();
        var padding = new Dictionary<string, (string Bottom, List<string> Pad)>(); // padding top -> its bottom and pad
        foreach (var field in root.Fields.Where(f => f.NameText is "layers" or "layer"))
        {
            var body = Block(field)!;
            var bottoms = Strings(body, "bottom");
            var tops = Strings(body, "top");
            var v0 = body.Fields.FirstOrDefault(f => f.NameText == "layer");
            if (v0 is not null)
            {
                var inner = Block(v0)!;
                var v0Type = Strings(inner, "type").Single();
                var innerLeaves = inner.Fields.Where(f => f.NameText is not "type").SelectMany(f => Leaves(f.Value)).ToList();
                if (v0Type == "padding")
                {
                    padding[tops.Single()] = (bottoms.Single(), inner.Fields.Where(f => f.NameText == "pad").SelectMany(f => Leaves(f.Value)).ToList());
                    continue;
                }

                var extra = new List<string>();
                for (var i = 0; i < bottoms.Count; i++)
                {
                    if (!padding.TryGetValue(bottoms[i], out var p)) continue;
                    bottoms[i] = p.Bottom;
                    extra.AddRange(p.Pad.Count > 0 ? p.Pad : ["0"]);
                }

                layers.Add(new Layer(Strings(inner, "name").Single(), v1Types[V0ToV1[v0Type]], bottoms, tops, [.. innerLeaves, .. bottoms, .. tops, .. extra]));
                continue;
            }

            var typeField = body.Fields.Single(f => f.NameText == "type");
            var type = field.NameText == "layer" ? Str(typeField.Value) : v1Types[((ScalarValueSyntax)typeField.Value).Token.Text];
            var values = body.Fields.Where(f => f.NameText != "type").SelectMany(f => Leaves(f.Value)).ToList();
            layers.Add(new Layer(Strings(body, "name").Single(), type, bottoms, tops, values));
        }

        Assert.NotEmpty(layers);
        return layers;
    }

    private static List<Layer> UpgradedLayers(DocumentSyntax root) =>
        root.Fields.Where(f => f.NameText == "layer").Select(f =>
        {
            var body = Block(f)!;
            var values = body.Fields.Where(x => x.NameText != "type").SelectMany(x => Leaves(x.Value)).ToList();
            return new Layer(Strings(body, "name").Single(), Strings(body, "type").Single(), Strings(body, "bottom"), Strings(body, "top"), values);
        }).ToList();

    private static MessageValueSyntax? Block(FieldSyntax field) => field.Value as MessageValueSyntax;

    private static List<string> Strings(MessageValueSyntax body, string name) =>
        body.Fields.Where(f => f.NameText == name).SelectMany(f => f.Value is ListValueSyntax l ? l.Elements : [f.Value]).Select(Str).ToList();

    private static string Str(ValueSyntax value) => value is StringValueSyntax s ? s.Value : value.ToFullString().Trim();

    /// <summary>Every scalar and string value under a value, normalised: numbers by their value, strings decoded.</summary>
    private static IEnumerable<string> Leaves(ValueSyntax value) => value switch
    {
        StringValueSyntax s => [s.Value],
        ScalarValueSyntax s => [NumberLiteral.TryParseDouble(s.Text, out var d) && s.Token.Kind != SyntaxKind.Identifier
            ? d.ToString("R", CultureInfo.InvariantCulture)
            : s.Text],
        ListValueSyntax l => l.Elements.SelectMany(Leaves),
        MessageValueSyntax m => m.Fields.SelectMany(f => Leaves(f.Value)),
        _ => [],
    };

    // ---- the command line ----

    private static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = CommandLine.Run(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private const string V1Net = "name: \"n\"\ninput: \"data\"\ninput_dim: 1\ninput_dim: 3\ninput_dim: 8\ninput_dim: 8\n" +
                                 "layers {\n  name: \"relu\"\n  type: RELU\n  bottom: \"data\"\n  top: \"out\"\n}\n";

    private const string V1NetUpgraded = "name: \"n\"\nlayer {\n  name: \"input\"\n  type: \"Input\"\n  top: \"data\"\n  input_param {\n" +
                                         "    shape {\n      dim: 1\n      dim: 3\n      dim: 8\n      dim: 8\n    }\n  }\n}\n" +
                                         "layer {\n  name: \"relu\"\n  type: \"ReLU\"\n  bottom: \"data\"\n  top: \"out\"\n}\n";

    [Fact]
    public void Cli_prints_the_upgraded_net_to_stdout_and_notes_to_stderr()
    {
        var file = Write("old.prototxt", V1Net);
        var (exit, stdout, stderr) = Run("upgrade", file);
        Assert.Equal(CommandLine.ExitOk, exit);
        Assert.Equal(V1NetUpgraded, stdout);
        Assert.Contains($"{file}: Rewrote 1 V1 `layers` block as `layer`", stderr);
        Assert.Contains("input \"data\"", stderr);
        Assert.Equal(V1Net, File.ReadAllText(file));
    }

    [Fact]
    public void Cli_writes_to_o_and_upgrades_in_place_when_o_is_the_input()
    {
        var file = Write("old.prototxt", V1Net);
        var other = Path.Combine(_dir, "new.prototxt");
        var (exit, stdout, _) = Run("upgrade", file, "-o", other);
        Assert.Equal(CommandLine.ExitOk, exit);
        Assert.Equal("", stdout);
        Assert.Equal(V1NetUpgraded, File.ReadAllText(other));
        Assert.Equal(V1Net, File.ReadAllText(file));

        (exit, stdout, _) = Run("upgrade", "--output", file, file);
        Assert.Equal(CommandLine.ExitOk, exit);
        Assert.Equal("", stdout);
        Assert.Equal(V1NetUpgraded, File.ReadAllText(file));
    }

    [Fact]
    public void Cli_says_when_a_net_is_already_current()
    {
        var file = Write("new.prototxt", V1NetUpgraded);
        var stamp = File.GetLastWriteTimeUtc(file);
        var (exit, stdout, stderr) = Run("upgrade", file);
        Assert.Equal(CommandLine.ExitOk, exit);
        Assert.Equal(V1NetUpgraded, stdout);
        Assert.Contains("already in the current format", stderr);

        (exit, _, stderr) = Run("upgrade", file, "-o", file);
        Assert.Equal(CommandLine.ExitOk, exit);
        Assert.Contains("already in the current format", stderr);
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(file));
    }

    [Fact]
    public void Cli_exits_one_when_the_upgrade_is_impossible_or_leaves_errors()
    {
        var mixed = Write("mixed.prototxt", "layer { name: \"a\" type: \"ReLU\" }\nlayers { name: \"b\" type: RELU }\n");
        var (exit, stdout, stderr) = Run("upgrade", mixed);
        Assert.Equal(CommandLine.ExitErrors, exit);
        Assert.Equal("", stdout);
        Assert.Contains("refuses", stderr);

        var unknownField = Write("bad.prototxt", "layers { name: \"b\" type: RELU num_ouput: 3 }\n");
        (exit, stdout, stderr) = Run("upgrade", unknownField);
        Assert.Equal(CommandLine.ExitErrors, exit);
        Assert.Contains("layer {", stdout);
        Assert.Contains("still has", stderr);
    }

    [Fact]
    public void Cli_reports_bad_usage_and_unreadable_files()
    {
        Assert.Equal(CommandLine.ExitUsage, Run("upgrade").Exit);
        Assert.Equal(CommandLine.ExitUsage, Run("upgrade", "--wat", "x").Exit);
        Assert.Equal(CommandLine.ExitUsage, Run("upgrade", "a", "b").Exit);
        Assert.Equal(CommandLine.ExitUsage, Run("upgrade", Write("x.prototxt", V1Net), "-o").Exit);
        var (exit, _, err) = Run("upgrade", Path.Combine(_dir, "nope.prototxt"));
        Assert.Equal(CommandLine.ExitUsage, exit);
        Assert.Contains("does not exist", err);
        var (_, help, _) = Run("--help");
        Assert.Contains("prototxt-lsp upgrade PATH [-o OUT]", help);
    }
}
