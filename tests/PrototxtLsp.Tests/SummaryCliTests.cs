using System.Text.Json;
using System.Text.RegularExpressions;
using PrototxtLsp.Server.Cli;

namespace PrototxtLsp.Tests;

/// <summary>`prototxt-lsp summary`: the text table, the JSON document, phase selection and exit codes.</summary>
public class SummaryCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("prototxt-summary-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // data 2×3×32×32 + label 2: (6144 + 2)·4 = 24,584 bytes
    // conv1 (32 + 2 − 3)/2 + 1 = 16 → 2×8×16×16: params 8·3·9 + 8 = 224, MACs 2·8·3·9·256 = 110,592, 4096·4 = 16,384 B
    // pool1 ceil((16 − 2)/2) + 1 = 8 → 2×8×8×8: 1024·4 = 4,096 B
    // fc K = 512: params 5,120 + 10 = 5,130, MACs 2·512·10 = 10,240, 2×10 → 80 B
    // TRAIN: drop (in place, 80 B), loss (scalar, 4 B); TEST: prob 2×10 (80 B)
    private const string Net = """
        name: "s"
        layer { name: "data" type: "Input" top: "data" top: "label" input_param { shape { dim: 2 dim: 3 dim: 32 dim: 32 } shape { dim: 2 } } }
        layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1" convolution_param { num_output: 8 kernel_size: 3 stride: 2 pad: 1 } }
        layer { name: "pool1" type: "Pooling" bottom: "conv1" top: "pool1" pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
        layer { name: "fc" type: "InnerProduct" bottom: "pool1" top: "fc" inner_product_param { num_output: 10 } }
        layer { name: "drop" type: "Dropout" bottom: "fc" top: "fc" include { phase: TRAIN } }
        layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" include { phase: TRAIN } }
        layer { name: "prob" type: "Softmax" bottom: "fc" top: "prob" include { phase: TEST } }

        """;

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

    /// <summary>The table's cells: columns are separated by two or more spaces.</summary>
    private static List<string[]> Rows(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Where(l => !l.StartsWith('-'))
            .Select(l => Regex.Split(l.Trim(), @"\s{2,}"))
            .ToList();

    [Fact]
    public void Text_lists_each_test_layer_with_shapes_costs_and_totals()
    {
        var file = Write("net.prototxt", Net);
        var (exit, output, err) = Run("summary", file);
        Assert.Equal(0, exit);
        Assert.Equal("", err);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal($"{file} (TEST)", lines[0]);
        var rows = Rows(output);
        Assert.Equal(["Layer", "Type", "Top shapes", "Params", "MACs", "Activations"], rows[0]);
        Assert.Equal(["data", "Input", "data 2×3×32×32, label 2", "0", "0", "24.0 KiB"], rows[1]);
        Assert.Equal(["conv1", "Convolution", "conv1 2×8×16×16", "224", "110,592", "16.0 KiB"], rows[2]);
        Assert.Equal(["pool1", "Pooling", "pool1 2×8×8×8", "0", "0", "4.0 KiB"], rows[3]);
        Assert.Equal(["fc", "InnerProduct", "fc 2×10", "5,130", "10,240", "80 B"], rows[4]);
        Assert.Equal(["prob", "Softmax", "prob 2×10", "0", "0", "80 B"], rows[5]);
        // 24,584 + 16,384 + 4,096 + 80 + 80 = 45,224 B = 44.2 KiB
        Assert.Equal(["Total", "5,354", "120,832", "44.2 KiB"], rows[6]);
        Assert.Equal(7, rows.Count);
        Assert.Contains(lines, l => l.StartsWith("-----", StringComparison.Ordinal));
    }

    [Fact]
    public void Json_has_shapes_costs_and_totals()
    {
        var file = Write("net.prototxt", Net);
        var (exit, output, err) = Run("summary", "--format", "json", file);
        Assert.Equal(0, exit);
        Assert.Equal("", err);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal(file, root.GetProperty("path").GetString());
        Assert.Equal("TEST", root.GetProperty("phase").GetString());
        var layers = root.GetProperty("layers").EnumerateArray().ToList();
        Assert.Equal(["data", "conv1", "pool1", "fc", "prob"], layers.Select(l => l.GetProperty("name").GetString()));
        Assert.Equal(["Input", "Convolution", "Pooling", "InnerProduct", "Softmax"], layers.Select(l => l.GetProperty("type").GetString()));

        var data = layers[0].GetProperty("tops").EnumerateArray().ToList();
        Assert.Equal("data", data[0].GetProperty("name").GetString());
        Assert.Equal([2, 3, 32, 32], data[0].GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
        Assert.Equal("label", data[1].GetProperty("name").GetString());
        Assert.Equal([2], data[1].GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));

        var conv = layers[1];
        Assert.Equal([2, 8, 16, 16], conv.GetProperty("tops")[0].GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
        Assert.Equal(224, conv.GetProperty("params").GetInt64());
        Assert.Equal(110_592, conv.GetProperty("macs").GetInt64());
        Assert.Equal(16_384, conv.GetProperty("activationBytes").GetInt64());
        Assert.False(conv.TryGetProperty("statistics", out _));
        Assert.Equal(5_130, layers[3].GetProperty("params").GetInt64());
        Assert.Equal(10_240, layers[3].GetProperty("macs").GetInt64());

        var totals = root.GetProperty("totals");
        Assert.Equal(5_354, totals.GetProperty("params").GetInt64());
        Assert.Equal(120_832, totals.GetProperty("macs").GetInt64());
        Assert.Equal(45_224, totals.GetProperty("activationBytes").GetInt64());
        Assert.Equal(0, totals.GetProperty("statistics").GetInt64());
        Assert.True(totals.GetProperty("complete").GetBoolean());
    }

    [Fact]
    public void Phase_selects_the_layers_by_their_include_rules()
    {
        var file = Write("net.prototxt", Net);
        var (exit, output, _) = Run("summary", "--format=json", "--phase", "TRAIN", file);
        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal("TRAIN", root.GetProperty("phase").GetString());
        var layers = root.GetProperty("layers").EnumerateArray().ToList();
        Assert.Equal(["data", "conv1", "pool1", "fc", "drop", "loss"], layers.Select(l => l.GetProperty("name").GetString()));
        // A loss top is a scalar: an empty shape, 4 bytes.
        var loss = layers[5];
        Assert.Equal(JsonValueKind.Array, loss.GetProperty("tops")[0].GetProperty("shape").ValueKind);
        Assert.Equal(0, loss.GetProperty("tops")[0].GetProperty("shape").GetArrayLength());
        Assert.Equal(4, loss.GetProperty("activationBytes").GetInt64());
        // The in-place Dropout writes its 2×10 top again.
        Assert.Equal(80, layers[4].GetProperty("activationBytes").GetInt64());
        Assert.Equal(45_228, root.GetProperty("totals").GetProperty("activationBytes").GetInt64());

        var (_, text, _) = Run("summary", "--phase=train", file);
        Assert.StartsWith($"{file} (TRAIN)", text);
        Assert.Equal(["data", "conv1", "pool1", "fc", "drop", "loss", "Total"], Rows(text).Skip(1).Select(r => r[0]));
        Assert.Contains(Rows(text), r => r is ["loss", "SoftmaxWithLoss", "loss scalar", "0", "0", "4 B"]);

        var (_, test, _) = Run("summary", "--phase", "test", file);
        Assert.Equal(["data", "conv1", "pool1", "fc", "prob", "Total"], Rows(test).Skip(1).Select(r => r[0]));
    }

    [Fact]
    public void Json_shows_unknown_sizes_as_null_and_totals_as_incomplete()
    {
        // Data: 4×?×8×8 (channels come from the database) and label 4. conv: 4×6×6×6, but its weights and MACs depend
        // on the unknown channels. Python: nothing is known about its top.
        var file = Write("unknown.prototxt", """
            name: "u"
            layer { name: "data" type: "Data" top: "data" top: "label" transform_param { crop_size: 8 } data_param { source: "db" batch_size: 4 backend: LMDB } }
            layer { name: "conv" type: "Convolution" bottom: "data" top: "conv" convolution_param { num_output: 6 kernel_size: 3 } }
            layer { name: "py" type: "Python" bottom: "conv" top: "py" python_param { module: "m" layer: "L" } }
            layer { name: "fc" type: "InnerProduct" bottom: "conv" top: "fc" inner_product_param { num_output: 2 } }

            """);
        var (exit, output, _) = Run("summary", "--format", "json", file);
        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(output);
        var layers = json.RootElement.GetProperty("layers").EnumerateArray().ToList();
        var dataShape = layers[0].GetProperty("tops")[0].GetProperty("shape");
        Assert.Equal([JsonValueKind.Number, JsonValueKind.Null, JsonValueKind.Number, JsonValueKind.Number], dataShape.EnumerateArray().Select(d => d.ValueKind));
        Assert.Equal(JsonValueKind.Null, layers[0].GetProperty("activationBytes").ValueKind);

        var conv = layers[1];
        Assert.Equal([4, 6, 6, 6], conv.GetProperty("tops")[0].GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
        Assert.Equal(JsonValueKind.Null, conv.GetProperty("params").ValueKind);
        Assert.Equal(JsonValueKind.Null, conv.GetProperty("macs").ValueKind);
        Assert.Equal(864 * 4, conv.GetProperty("activationBytes").GetInt64());

        Assert.Equal(JsonValueKind.Null, layers[2].GetProperty("tops")[0].GetProperty("shape").ValueKind);

        // fc: K = 6·6·6 = 216 → params 216·2 + 2 = 434, MACs 4·216·2 = 1,728.
        Assert.Equal(434, layers[3].GetProperty("params").GetInt64());
        Assert.Equal(1_728, layers[3].GetProperty("macs").GetInt64());
        var totals = json.RootElement.GetProperty("totals");
        Assert.False(totals.GetProperty("complete").GetBoolean());
        Assert.Equal(434, totals.GetProperty("params").GetInt64());

        var (_, text, _) = Run("summary", file);
        Assert.Contains(Rows(text), r => r is ["data", "Data", "data 4×?×8×8, label 4", "0", "0", "?"]);
        Assert.Contains(Rows(text), r => r is ["Total", "≥ 434", "≥ 1,728", _]);
    }

    [Fact]
    public void Batch_norm_statistics_are_reported_apart_from_params()
    {
        var file = Write("bn.prototxt", """
            name: "bn"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 16 dim: 4 dim: 4 } } }
            layer { name: "bn" type: "BatchNorm" bottom: "data" top: "data" }
            layer { name: "scale" type: "Scale" bottom: "data" top: "data" scale_param { bias_term: true } }

            """);
        var (exit, output, _) = Run("summary", "--format", "json", file);
        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(output);
        var bn = json.RootElement.GetProperty("layers")[1];
        Assert.Equal(0, bn.GetProperty("params").GetInt64());
        Assert.Equal(33, bn.GetProperty("statistics").GetInt64()); // 2·16 + 1
        Assert.Equal(32, json.RootElement.GetProperty("totals").GetProperty("params").GetInt64()); // Scale: 16 + 16
        Assert.Equal(33, json.RootElement.GetProperty("totals").GetProperty("statistics").GetInt64());

        var (_, text, _) = Run("summary", file);
        Assert.Contains("BatchNorm statistics (not in params): 33", text);
    }

    [Theory]
    [InlineData]
    [InlineData("--phase", "VALIDATE", "FILE")]
    [InlineData("--format", "xml", "FILE")]
    [InlineData("--bogus", "FILE")]
    [InlineData("FILE", "FILE")]
    [InlineData("FILE", "--phase")]
    [InlineData("--format")]
    public void Bad_usage_exits_two(params string[] args)
    {
        var file = Write("net.prototxt", Net);
        var (exit, output, err) = Run(["summary", .. args.Select(a => a == "FILE" ? file : a)]);
        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.StartsWith("prototxt-lsp summary: ", err);
    }

    [Fact]
    public void Unreadable_file_exits_two()
    {
        var (exit, output, err) = Run("summary", Path.Combine(_dir, "missing.prototxt"));
        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Contains("cannot read", err);
    }

    [Fact]
    public void A_file_with_errors_exits_one_and_still_prints_the_table()
    {
        // Eltwise of 1×3×4×4 and 1×3×5×5: PTX4001.
        var file = Write("bad.prototxt", """
            name: "bad"
            layer { name: "data" type: "Input" top: "a" top: "b" input_param { shape { dim: 1 dim: 3 dim: 4 dim: 4 } shape { dim: 1 dim: 3 dim: 5 dim: 5 } } }
            layer { name: "sum" type: "Eltwise" bottom: "a" bottom: "b" top: "sum" }

            """);
        var (exit, output, err) = Run("summary", file);
        Assert.Equal(1, exit);
        Assert.Contains(Rows(output), r => r[0] == "sum");
        Assert.Contains("has 1 error(s)", err);

        var (jsonExit, json, _) = Run("summary", "--format", "json", file);
        Assert.Equal(1, jsonExit);
        using var doc = JsonDocument.Parse(json);
        Assert.Equal(2, doc.RootElement.GetProperty("layers").GetArrayLength());
    }

    [Fact]
    public void A_file_without_a_net_exits_one()
    {
        var file = Write("solver.prototxt", "base_lr: 0.01\nmax_iter: 100\n");
        var (exit, output, err) = Run("summary", file);
        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.Contains("holds no net", err);
    }
}
