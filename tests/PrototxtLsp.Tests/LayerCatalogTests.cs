using System.Globalization;
using System.Text.RegularExpressions;
using PrototxtLsp.Core.Schema;
using PrototxtLsp.Core.Semantics;
using PrototxtLsp.Tests.Infrastructure;

namespace PrototxtLsp.Tests;

public class LayerCatalogTests
{
    [Fact]
    public void Every_entry_is_documented_and_categorised()
    {
        Assert.Equal(62, LayerCatalog.All.Count);
        foreach (var t in LayerCatalog.All)
        {
            Assert.False(string.IsNullOrWhiteSpace(t.Summary), $"{t.Name} has no summary");
            Assert.False(string.IsNullOrWhiteSpace(t.Documentation), $"{t.Name} has no documentation");
            Assert.True(t.Summary.EndsWith('.'), $"{t.Name}: the summary should be a sentence");
            Assert.Equal(1, Sentences(t.Summary));
            Assert.True(t.Documentation.EndsWith('.'), $"{t.Name}: the documentation should end a sentence");
            var n = Sentences(t.Documentation);
            Assert.True(n is >= 2 and <= 5, $"{t.Name}: documentation has {n} sentences, expected 2 to 5");
            Assert.False(Regex.IsMatch(t.Documentation, @"`|\*\*|__|\]\(|^#"), $"{t.Name}: the documentation should be plain prose, not markdown");
            Assert.DoesNotContain("  ", t.Documentation);
            Assert.Contains(t.Category, LayerCategories.All);
        }
    }

    [Fact]
    public void All_is_sorted_unique_and_lookups_agree()
    {
        var names = LayerCatalog.All.Select(t => t.Name).ToList();
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
        Assert.Equal(names.Count, names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        foreach (var t in LayerCatalog.All)
        {
            Assert.Same(t, LayerCatalog.Find(t.Name));
            Assert.Same(t, LayerCatalog.FindIgnoreCase(t.Name.ToUpperInvariant()));
            if (t.V1EnumName is not null) Assert.Same(t, LayerCatalog.FindByV1Name(t.V1EnumName));
        }

        Assert.Null(LayerCatalog.Find("convolution"));
        Assert.Null(LayerCatalog.Find("Conv"));
        Assert.Null(LayerCatalog.FindByV1Name("NONE"));
        Assert.Null(LayerCatalog.FindByV1Name("inner_product"));
    }

    [Fact]
    public void Param_fields_and_v1_names_exist_in_the_schema()
    {
        var layer = ProtoSchema.Caffe.FindMessage("caffe.LayerParameter");
        Assert.NotNull(layer);
        var v1Types = ProtoSchema.Caffe.FindEnum("caffe.V1LayerParameter.LayerType");
        Assert.NotNull(v1Types);
        foreach (var t in LayerCatalog.All)
        {
            foreach (var f in t.ParamFields.Concat(t.RefusedParamFields))
            {
                Assert.EndsWith("_param", f);
                Assert.True(layer.FindField(f) is { IsMessage: true }, $"{t.Name}: {f} is not a message field of LayerParameter");
            }

            Assert.Equal(t.ParamFields.Count, t.ParamFields.Distinct().Count());
            Assert.Empty(t.ParamFields.Intersect(t.RefusedParamFields));
            if (t.V1EnumName is not null) Assert.NotNull(v1Types.FindValue(t.V1EnumName));
        }
    }

    [Fact]
    public void Loss_layers_are_the_types_named_loss_and_create_their_tops()
    {
        foreach (var t in LayerCatalog.All)
        {
            Assert.Equal(t.Name.EndsWith("Loss", StringComparison.Ordinal), t.IsLoss);
            Assert.Equal(t.IsLoss, t.AutoTopBlobs);
            if (t.IsLoss) Assert.Equal(LayerCategories.Loss, t.Category);
        }

        Assert.Equal(7, LayerCatalog.All.Count(t => t.IsLoss));
        Assert.False(LayerCatalog.Find("Accuracy")!.IsLoss);
    }

    [SkippableFact]
    public void Agrees_with_the_layer_catalog_facts()
    {
        var facts = Path.Combine(TestPaths.RequireShared(), "facts", "layer_catalog.tsv");
        Skip.IfNot(File.Exists(facts), $"{facts} is absent");
        var rows = ReadTsv(facts);
        Assert.Equal(rows.Select(r => r["type"]).Order(StringComparer.Ordinal), LayerCatalog.All.Select(t => t.Name));

        foreach (var row in rows)
        {
            var name = row["type"];
            var t = LayerCatalog.Find(name);
            Assert.NotNull(t);
            CheckCount(name, "ExactNumBottomBlobs", row, t.Bottoms.Exact);
            CheckCount(name, "MinBottomBlobs", row, t.Bottoms.Min);
            CheckCount(name, "MaxBottomBlobs", row, t.Bottoms.Max);
            CheckCount(name, "ExactNumTopBlobs", row, t.Tops.Exact);
            CheckCount(name, "MinTopBlobs", row, t.Tops.Min);
            CheckCount(name, "MaxTopBlobs", row, t.Tops.Max);
            Assert.True(bool.Parse(row["EqualNumBottomTopBlobs"]) == t.EqualBottomTopCount, $"{name}: EqualNumBottomTopBlobs");
            Assert.True(bool.Parse(row["AutoTopBlobs"]) == t.AutoTopBlobs, $"{name}: AutoTopBlobs");
            Assert.True((row["registration"] != "NOT REGISTERED") == t.IsRegistered, $"{name}: registration");

            // A count the facts give as an expression depends on a parameter: the catalog must say which.
            var counts = new[] { "ExactNumBottomBlobs", "MinBottomBlobs", "MaxBottomBlobs", "ExactNumTopBlobs", "MinTopBlobs", "MaxTopBlobs" };
            if (counts.Any(c => row[c].StartsWith("expr{", StringComparison.Ordinal)))
                Assert.True(t.CountVariant is not null, $"{name}: its counts depend on parameters but it has no CountVariant");

            var force = row["AllowForceBackward"];
            int? expected = force == "true" ? null : int.Parse(Regex.Match(force, @"bottom_index != (\d+)").Groups[1].Value, CultureInfo.InvariantCulture);
            Assert.True(expected == t.BottomWithoutGradient, $"{name}: bottom without gradient {t.BottomWithoutGradient}, facts say {force}");

            var read = new HashSet<string>(StringComparer.Ordinal);
            foreach (var column in new[] { "params_read_own", "params_read_inherited", "params_read_in_creator" })
            {
                foreach (var entry in row[column].Split(';', StringSplitOptions.RemoveEmptyEntries))
                {
                    var m = Regex.Match(entry, @"^([a-z0-9_]+)(\(has_\))?");
                    Assert.True(m.Success, $"{name}: cannot read '{entry}' in {column}");
                    var field = m.Groups[1].Value;
                    read.Add(field);
                    if (m.Groups[2].Success)
                        // Only its presence is tested: the layer either uses it (MemoryData) or refuses it (HDF5Data).
                        Assert.True(t.ParamFields.Contains(field) || t.RefusedParamFields.Contains(field), $"{name}: {field} is neither read nor refused");
                    else
                        Assert.True(t.ParamFields.Contains(field), $"{name}: ParamFields lacks {field} ({column})");
                }
            }

            foreach (var field in t.ParamFields.Concat(t.RefusedParamFields))
                Assert.True(read.Contains(field), $"{name}: {field} is not read according to the facts");
        }
    }

    [SkippableFact]
    public void Agrees_with_the_v1_layer_type_facts()
    {
        var facts = Path.Combine(TestPaths.RequireShared(), "facts", "v1_layer_types.tsv");
        Skip.IfNot(File.Exists(facts), $"{facts} is absent");
        var rows = ReadTsv(facts).Where(r => r["type_string"].Length > 0).ToList();
        foreach (var row in rows)
        {
            var t = LayerCatalog.Find(row["type_string"]);
            Assert.True(t is not null, $"{row["type_string"]} is not in the catalog");
            Assert.Equal(row["v1_enum"], t.V1EnumName);
            Assert.Same(t, LayerCatalog.FindByV1Name(row["v1_enum"]));
        }

        Assert.Equal(rows.Count, LayerCatalog.All.Count(t => t.V1EnumName is not null));
    }

    [Fact]
    public void Spot_checks()
    {
        var conv = LayerCatalog.Find("Convolution");
        Assert.NotNull(conv);
        Assert.Equal("at least 1", conv.Bottoms.Describe());
        Assert.Equal("at least 1", conv.Tops.Describe());
        Assert.True(conv.EqualBottomTopCount);
        Assert.True(conv.AllowsInPlace);
        Assert.Equal(["convolution_param"], conv.ParamFields);
        Assert.Equal("CONVOLUTION", conv.V1EnumName);
        Assert.Equal(LayerCategories.Vision, conv.Category);
        Assert.False(conv.IsLoss);

        Assert.Same(conv, LayerCatalog.FindIgnoreCase("convolution"));
        Assert.Same(LayerCatalog.Find("InnerProduct"), LayerCatalog.FindByV1Name("INNER_PRODUCT"));
        Assert.Same(LayerCatalog.Find("SoftmaxWithLoss"), LayerCatalog.FindByV1Name("SOFTMAX_LOSS"));

        var split = LayerCatalog.Find("Split")!;
        Assert.False(split.AllowsInPlace);
        Assert.Equal(["AbsVal", "Flatten", "Reshape", "Split"], LayerCatalog.All.Where(t => !t.AllowsInPlace).Select(t => t.Name));

        var data = LayerCatalog.Find("Data")!;
        Assert.Equal("exactly 0", data.Bottoms.Describe());
        Assert.Equal("1 or 2", data.Tops.Describe());
        Assert.Contains("transform_param", data.ParamFields);
        Assert.Contains("data_param", data.ParamFields);

        Assert.Equal(["transform_param"], LayerCatalog.Find("HDF5Data")!.RefusedParamFields);
        Assert.Equal("any number", LayerCatalog.Find("Python")!.Bottoms.Describe());
        Assert.Equal("exactly 0", LayerCatalog.Find("Silence")!.Tops.Describe());
        Assert.Equal(1, LayerCatalog.Find("SoftmaxWithLoss")!.BottomWithoutGradient);
        Assert.False(LayerCatalog.Find("Recurrent")!.IsRegistered);
        Assert.All(LayerCatalog.All.Where(t => t.Name != "Recurrent"), t => Assert.True(t.IsRegistered));
    }

    [Theory]
    [InlineData("RNN", false, "2 or 3", "exactly 1")]
    [InlineData("RNN", true, "3 or 4", "exactly 2")]
    [InlineData("LSTM", false, "2 or 3", "exactly 1")]
    [InlineData("LSTM", true, "4 or 5", "exactly 3")]
    public void Recurrent_counts_depend_on_expose_hidden(string type, bool exposeHidden, string bottoms, string tops)
    {
        var t = LayerCatalog.Find(type)!;
        Assert.NotNull(t.CountVariant);
        Assert.Contains("expose_hidden", t.CountVariant.Condition);
        Assert.Equal(bottoms, (exposeHidden ? t.CountVariant.Bottoms : t.Bottoms).Describe());
        Assert.Equal(tops, (exposeHidden ? t.CountVariant.Tops : t.Tops).Describe());
    }

    [Fact]
    public void Pooling_allows_a_mask_top_only_for_max()
    {
        var pooling = LayerCatalog.Find("Pooling")!;
        Assert.True(pooling.Tops.Allows(2));
        Assert.NotNull(pooling.CountVariant);
        Assert.False(pooling.CountVariant.Tops.Allows(2));
        Assert.True(pooling.CountVariant.Tops.Allows(1));
    }

    [Theory]
    [InlineData(1, -1, -1, "exactly 1", new[] { 1 }, new[] { 0, 2 })]
    [InlineData(0, -1, -1, "exactly 0", new[] { 0 }, new[] { 1 })]
    [InlineData(-1, 1, 2, "1 or 2", new[] { 1, 2 }, new[] { 0, 3 })]
    [InlineData(-1, 2, 4, "2 to 4", new[] { 2, 3, 4 }, new[] { 1, 5 })]
    [InlineData(-1, 1, -1, "at least 1", new[] { 1, 2, 100 }, new[] { 0 })]
    [InlineData(-1, -1, 2, "at most 2", new[] { 0, 1, 2 }, new[] { 3 })]
    [InlineData(-1, 3, 3, "exactly 3", new[] { 3 }, new[] { 2, 4 })]
    [InlineData(-1, -1, -1, "any number", new[] { 0, 1, 7 }, new int[0])]
    public void Blob_count_rules_describe_and_check(int exact, int min, int max, string text, int[] allowed, int[] refused)
    {
        var rule = new BlobCountRule(exact, min, max);
        Assert.Equal(text, rule.Describe());
        Assert.All(allowed, n => Assert.True(rule.Allows(n), $"{text} should allow {n}"));
        Assert.All(refused, n => Assert.False(rule.Allows(n), $"{text} should refuse {n}"));
    }

    private static int Sentences(string text) => Regex.Matches(text, @"[.!?](\s|$)").Count;

    private static void CheckCount(string type, string column, Dictionary<string, string> row, int actual)
    {
        if (!int.TryParse(row[column], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var expected)) return;
        Assert.True(expected == actual, $"{type}: {column} is {actual} in the catalog, {expected} in the facts");
    }

    private static List<Dictionary<string, string>> ReadTsv(string path)
    {
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToList();
        var header = lines[0].Split('\t');
        return lines.Skip(1).Select(line =>
        {
            var cells = line.Split('\t');
            Assert.Equal(header.Length, cells.Length);
            return header.Zip(cells).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);
        }).ToList();
    }
}
