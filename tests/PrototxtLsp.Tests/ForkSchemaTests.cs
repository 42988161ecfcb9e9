using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using PrototxtLsp.Core.Diagnostics;
using PrototxtLsp.Core.Schema;
using PrototxtLsp.Core.Semantics;
using PrototxtLsp.Core.Syntax;
using PrototxtLsp.Core.Text;
using PrototxtLsp.Server.Cli;
using PrototxtLsp.Server.Schemas;
using PrototxtLsp.Tests.Infrastructure;
using Xunit.Abstractions;

namespace PrototxtLsp.Tests;

/// <summary>
/// Fork protos for the tests, made at run time by editing a copy of our caffe.proto (no fork copies are kept in the
/// repository): an SSD-like fork, a fork that reuses a BVLC field number, an older proto, a broken one.
/// </summary>
internal static class ForkProtos
{
    public static string Bvlc => File.ReadAllText(TestPaths.CaffeProto).Replace("\r\n", "\n");

    private const string LayerAnchor = "  optional WindowDataParameter window_data_param = 129;\n";

    public const string SsdLayerFields =
        "  optional NormalizeParameter norm_param = 206;\n" +
        "  optional PermuteParameter permute_param = 202;\n" +
        "  optional PriorBoxParameter prior_box_param = 203;\n";

    public const string SsdMessages = """

        message NormalizeParameter {
          optional bool across_spatial = 1 [default = true];
          optional FillerParameter scale_filler = 2;
          optional bool channel_shared = 3 [default = true];
          optional float eps = 4 [default = 1e-10];
        }

        message PermuteParameter {
          repeated uint32 order = 1;
        }

        message PriorBoxParameter {
          enum CodeType {
            CORNER = 1;
            CENTER_SIZE = 2;
            CORNER_SIZE = 3;
          }
          repeated float min_size = 1;
          repeated float max_size = 2;
          repeated float aspect_ratio = 3;
          optional bool flip = 4 [default = true];
          optional bool clip = 5 [default = false];
          repeated float variance = 6;
          optional uint32 img_size = 7;
          optional uint32 img_h = 8;
          optional uint32 img_w = 9;
          optional float step = 10;
          optional float step_h = 11;
          optional float step_w = 12;
          optional float offset = 13 [default = 0.5];
        }

        """;

    /// <summary>An SSD-style net: Normalize, Permute and PriorBox layers with their fork-only parameter blocks.</summary>
    public const string SsdNet = """
        name: "ssd_fork"
        layer {
          name: "data"
          type: "Input"
          top: "data"
          input_param { shape { dim: 1 dim: 3 dim: 300 dim: 300 } }
        }
        layer {
          name: "conv4_3"
          type: "Convolution"
          bottom: "data"
          top: "conv4_3"
          convolution_param { num_output: 512 kernel_size: 3 pad: 1 }
        }
        layer {
          name: "conv4_3_norm"
          type: "Normalize"
          bottom: "conv4_3"
          top: "conv4_3_norm"
          norm_param {
            across_spatial: false
            scale_filler { type: "constant" value: 20 }
            channel_shared: false
          }
        }
        layer {
          name: "conv4_3_norm_mbox_loc"
          type: "Convolution"
          bottom: "conv4_3_norm"
          top: "conv4_3_norm_mbox_loc"
          convolution_param { num_output: 16 kernel_size: 3 pad: 1 }
        }
        layer {
          name: "conv4_3_norm_mbox_loc_perm"
          type: "Permute"
          bottom: "conv4_3_norm_mbox_loc"
          top: "conv4_3_norm_mbox_loc_perm"
          permute_param { order: 0 order: 2 order: 3 order: 1 }
        }
        layer {
          name: "conv4_3_norm_mbox_priorbox"
          type: "PriorBox"
          bottom: "conv4_3_norm"
          bottom: "data"
          top: "conv4_3_norm_mbox_priorbox"
          prior_box_param {
            min_size: 30.0
            max_size: 60.0
            aspect_ratio: 2
            flip: true
            clip: false
            variance: 0.1
            variance: 0.1
            variance: 0.2
            variance: 0.2
            step: 8
            offset: 0.5
          }
        }

        """;

    /// <summary>Replaces exactly one occurrence (a fork edit that silently does nothing would make tests vacuous).</summary>
    public static string ReplaceOnce(string text, string old, string replacement)
    {
        var at = text.IndexOf(old, StringComparison.Ordinal);
        Assert.True(at >= 0, $"not in caffe.proto: {old}");
        Assert.True(text.IndexOf(old, at + 1, StringComparison.Ordinal) < 0, $"more than once in caffe.proto: {old}");
        return text[..at] + replacement + text[(at + old.Length)..];
    }

    public static string AddLayerFields(string proto, string fields) => ReplaceOnce(proto, LayerAnchor, LayerAnchor + fields);

    /// <summary>Removes the LayerParameter line declaring <paramref name="field"/>.</summary>
    public static string RemoveLayerField(string proto, string field)
    {
        var m = Regex.Match(proto, @"^  optional \w+ " + field + @" = \d+;\n", RegexOptions.Multiline);
        Assert.True(m.Success, $"no field {field}");
        return proto.Remove(m.Index, m.Length);
    }

    /// <summary>Removes a top-level message without nested braces.</summary>
    public static string RemoveMessage(string proto, string message)
    {
        var m = Regex.Match(proto, @"^message " + message + @" \{[^{}]*\}\n", RegexOptions.Multiline);
        Assert.True(m.Success, $"no message {message}");
        return proto.Remove(m.Index, m.Length);
    }

    public static string Ssd(string? extraLayerFields = null) => AddLayerFields(Bvlc, SsdLayerFields + (extraLayerFields ?? "")) + SsdMessages;

    public static string Write(string dir, string relative, string text)
    {
        var path = Path.Combine(dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    public static string Relative(string fromFile, string to) => Path.GetRelativePath(Path.GetDirectoryName(fromFile)!, to).Replace('\\', '/');

    public const string AddressBook = """
        syntax = "proto2";

        package tutorial;

        // A person in the address book.
        message Person {
          // The person's full name.
          optional string name = 1;
          // Unique id.
          optional int32 id = 2;
          optional string email = 3;

          enum PhoneType {
            MOBILE = 0;
            HOME = 1;
            WORK = 2;
          }

          message PhoneNumber {
            // The number as dialled.
            optional string number = 1;
            optional PhoneType type = 2 [default = HOME];
          }

          repeated PhoneNumber phone = 4;
        }

        message AddressBook {
          repeated Person people = 1;
        }

        """;
}

/// <summary>Schema choice for forks (header, --schema, project file, conventional checkout), fork layer types, failures, cache, protoc parity.</summary>
public class ForkSchemaTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("prototxt-fork-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string relative, string text) => ForkProtos.Write(_dir, relative, text);

    private static (int Exit, List<JsonElement> Diagnostics, string Out, string Err) Check(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = CommandLine.Run(["check", "--format", "json", .. args], stdout, stderr);
        using var json = JsonDocument.Parse(stdout.ToString());
        var diagnostics = json.RootElement.GetProperty("files").EnumerateArray().SelectMany(f => f.GetProperty("diagnostics").EnumerateArray()).Select(d => d.Clone()).ToList();
        return (exit, diagnostics, stdout.ToString(), stderr.ToString());
    }

    private static List<string> Codes(IEnumerable<JsonElement> diagnostics) => diagnostics.Select(d => d.GetProperty("code").GetString()!).ToList();

    private static DocumentAnalysis Analyze(string path, SchemaProvider? provider = null, string? text = null)
    {
        text ??= File.ReadAllText(path);
        var options = (provider ?? new SchemaProvider()).OptionsFor(path, text, WorkspaceContext.FileSystem);
        return DocumentAnalysis.Analyze(new SourceText(text), path, options);
    }

    private static string Describe(DocumentAnalysis a) => string.Join("\n", a.Diagnostics.Select(d => $"{d.Code} {d.Message}"));

    private static void AssertClean(DocumentAnalysis a) =>
        Assert.True(!a.Diagnostics.Any(d => d.Severity is DiagnosticSeverity.Error or DiagnosticSeverity.Warning), Describe(a));

    // ---- (a) an SSD-like fork, by every route ------------------------------------------------------------------

    [Fact]
    public void Ssd_net_fails_against_the_embedded_schema()
    {
        var net = Write("net.prototxt", ForkProtos.SsdNet);
        var a = Analyze(net);
        var codes = a.Diagnostics.Select(d => d.Code).ToList();
        Assert.Contains("PTX2001", codes);
        Assert.Contains("PTX3003", codes);
        Assert.Contains(a.Diagnostics, d => d.Code == "PTX2001" && d.Message.Contains("norm_param"));
        Assert.Contains(a.Diagnostics, d => d.Code == "PTX2001" && d.Message.Contains("prior_box_param"));
        Assert.Contains(a.Diagnostics, d => d.Code == "PTX3003" && d.Message.Contains("Normalize"));
        Assert.Equal("the embedded BVLC caffe.proto", a.Options.SchemaDescription);
        Assert.False(a.Options.IsCustomSchema);
        var (exit, diagnostics, _, _) = Check(net);
        Assert.Equal(1, exit);
        Assert.Contains("PTX2001", Codes(diagnostics));
        Assert.Contains("PTX3003", Codes(diagnostics));
    }

    [Fact]
    public void Ssd_net_passes_with_a_proto_file_header()
    {
        var proto = Write("fork/caffe.proto", ForkProtos.Ssd());
        var net = Write("models/ssd/deploy.prototxt", "# proto-file: ../../fork/caffe.proto\n" + ForkProtos.SsdNet);
        var a = Analyze(net);
        AssertClean(a);
        Assert.True(a.Options.IsCustomSchema);
        Assert.Contains(proto, a.Options.SchemaDescription);
        Assert.Contains("proto-file header", a.Options.SchemaDescription);
        var (exit, diagnostics, _, _) = Check(net);
        Assert.True(exit == 0, string.Join("\n", diagnostics));
    }

    [Fact]
    public void Ssd_net_passes_with_the_schema_option()
    {
        var proto = Write("fork/caffe.proto", ForkProtos.Ssd());
        var net = Write("net.prototxt", ForkProtos.SsdNet);
        var (exit, diagnostics, _, _) = Check("--schema", proto, net);
        Assert.True(exit == 0, string.Join("\n", diagnostics));
        (exit, diagnostics, _, _) = Check("--schema=" + proto, net);
        Assert.True(exit == 0, string.Join("\n", diagnostics));
        var a = Analyze(net, new SchemaProvider { SettingPath = proto });
        AssertClean(a);
        Assert.Contains("schema setting", a.Options.SchemaDescription);
    }

    [Fact]
    public void Schema_setting_relative_path_is_taken_against_the_first_workspace_root()
    {
        Write("ws/protos/caffe.proto", ForkProtos.Ssd());
        var net = Write("elsewhere/net.prototxt", ForkProtos.SsdNet);
        var a = Analyze(net, new SchemaProvider { SettingPath = "protos/caffe.proto", Roots = [Path.Combine(_dir, "ws")] });
        AssertClean(a);
        Assert.Contains(Path.Combine(_dir, "ws", "protos", "caffe.proto"), a.Options.SchemaDescription);
    }

    [Fact]
    public void Ssd_net_passes_with_the_project_file_schema()
    {
        var proto = Write("third_party/ssd/caffe.proto", ForkProtos.Ssd());
        Write(ProjectFile.FileName, "{ \"schema\": \"third_party/ssd/caffe.proto\" }");
        var net = Write("models/deep/er/net.prototxt", ForkProtos.SsdNet);
        var a = Analyze(net);
        AssertClean(a);
        Assert.Contains(proto, a.Options.SchemaDescription);
        Assert.Contains(ProjectFile.FileName, a.Options.SchemaDescription);
        var (exit, diagnostics, _, _) = Check(net);
        Assert.True(exit == 0, string.Join("\n", diagnostics));
    }

    [Fact]
    public void Ssd_net_passes_inside_a_caffe_checkout_with_the_fork_proto()
    {
        var proto = Write("caffe-ssd/src/caffe/proto/caffe.proto", ForkProtos.Ssd());
        var net = Write("caffe-ssd/models/VGGNet/VOC0712/SSD_300x300/deploy.prototxt", ForkProtos.SsdNet);
        var a = Analyze(net);
        AssertClean(a);
        Assert.Contains(proto, a.Options.SchemaDescription);
        var (exit, diagnostics, _, _) = Check(net);
        Assert.True(exit == 0, string.Join("\n", diagnostics));

        // A workspace root holding the checkout counts too, for a file outside it.
        var outside = Write("scratch/net.prototxt", ForkProtos.SsdNet);
        AssertClean(Analyze(outside, new SchemaProvider { Roots = [Path.Combine(_dir, "caffe-ssd")] }));
        Assert.Contains("PTX2001", Analyze(outside).Diagnostics.Select(d => d.Code));
    }

    [Fact]
    public void Proto_import_folders_from_the_header_and_the_project_file_are_passed_to_protoc()
    {
        // The fork keeps its layer messages in a second file, found through an import folder.
        var main = ForkProtos.ReplaceOnce(ForkProtos.AddLayerFields(ForkProtos.Bvlc, ForkProtos.SsdLayerFields), "package caffe;\n", "package caffe;\n\nimport \"ssd_layers.proto\";\n");
        Write("fork/caffe.proto", main);
        // Self-contained (no import back into caffe.proto, which protoc would refuse as a cycle).
        var messages = ForkProtos.SsdMessages.Replace("optional FillerParameter scale_filler", "optional SsdFiller scale_filler") + "\nmessage SsdFiller {\n  optional string type = 1;\n  optional float value = 2;\n}\n";
        Write("fork-extra/ssd_layers.proto", "syntax = \"proto2\";\npackage caffe;\n" + messages);

        var without = Analyze(Write("a/net.prototxt", "# proto-file: ../fork/caffe.proto\n" + ForkProtos.SsdNet));
        var failed = Assert.Single(without.Diagnostics, d => d.Code == "PTX5002");
        Assert.Contains("ssd_layers.proto", failed.Message);
        Assert.Contains("protoc:", failed.Message);

        var header = Analyze(Write("b/net.prototxt", "# proto-file: ../fork/caffe.proto\n# proto-import: ../fork-extra\n" + ForkProtos.SsdNet));
        AssertClean(header);

        Write("c/" + ProjectFile.FileName, "{ \"schema\": \"../fork/caffe.proto\", \"imports\": [\"../fork-extra\"] }");
        AssertClean(Analyze(Write("c/net.prototxt", ForkProtos.SsdNet)));
    }

    [Fact]
    public void First_match_wins_header_then_setting_then_project_then_checkout()
    {
        // Four forks, each with a marker field of its own in LayerParameter.
        string Fork(string route) => Write($"forks/{route}/caffe.proto", ForkProtos.Ssd($"  optional int32 from_{route} = 9001;\n"));
        var header = Fork("header");
        var setting = Fork("setting");
        var project = Fork("project");
        var checkout = Write("src/caffe/proto/caffe.proto", ForkProtos.Ssd("  optional int32 from_checkout = 9001;\n"));
        var projectFile = Write(ProjectFile.FileName, "{ \"schema\": \"forks/project/caffe.proto\" }");
        var net = Path.Combine(_dir, "models", "net.prototxt");

        string NetUsing(string marker, bool withHeader) =>
            (withHeader ? "# proto-file: ../forks/header/caffe.proto\n" : "") + ForkProtos.SsdNet + $"layer {{ name: \"m\" type: \"ReLU\" bottom: \"data\" top: \"m\" from_{marker}: 1 }}\n";

        void Expect(string winner, string winnerPath, bool withHeader, string? settingPath)
        {
            foreach (var marker in new[] { "header", "setting", "project", "checkout" })
            {
                Write("models/net.prototxt", NetUsing(marker, withHeader));
                var a = Analyze(net, new SchemaProvider { SettingPath = settingPath });
                Assert.Contains(winnerPath, a.Options.SchemaDescription);
                if (marker == winner) AssertClean(a);
                else Assert.Contains(a.Diagnostics, d => d.Code == "PTX2001" && d.Message.Contains("from_" + marker));

                var (exit, diagnostics, _, _) = settingPath is null ? Check(net) : Check("--schema", settingPath, net);
                Assert.Equal(marker == winner ? 0 : 1, exit);
                if (marker != winner) Assert.Contains("PTX2001", Codes(diagnostics));
            }
        }

        Expect("header", header, withHeader: true, settingPath: setting);
        Expect("setting", setting, withHeader: false, settingPath: setting);
        Expect("project", project, withHeader: false, settingPath: null);

        // A project file without "schema" (only layer types) leaves the choice to the checkout.
        File.WriteAllText(projectFile, "{ \"layerTypes\": {} }");
        Expect("checkout", checkout, withHeader: false, settingPath: null);
        File.Delete(projectFile);
        Expect("checkout", checkout, withHeader: false, settingPath: null);

        File.Delete(checkout);
        Write("models/net.prototxt", ForkProtos.SsdNet);
        var embedded = Analyze(net);
        Assert.Equal("the embedded BVLC caffe.proto", embedded.Options.SchemaDescription);
        Assert.Contains("PTX3003", embedded.Diagnostics.Select(d => d.Code));
    }

    [Fact]
    public void Proto_file_comment_after_the_first_field_is_not_a_header()
    {
        Write("fork/caffe.proto", ForkProtos.Ssd());
        var net = Write("net.prototxt", "name: \"x\"\n# proto-file: fork/caffe.proto\n" + ForkProtos.SsdNet.Replace("name: \"ssd_fork\"\n", ""));
        var a = Analyze(net);
        Assert.False(a.Options.IsCustomSchema);
        Assert.Contains("PTX2001", a.Diagnostics.Select(d => d.Code));
    }

    [Fact]
    public void Header_is_read_with_crlf_line_ends_blank_lines_and_imports_before_the_file_line()
    {
        Write("fork/caffe.proto", ForkProtos.Ssd());
        var net = Write("net.prototxt", "\r\n# a net\r\n  #proto-import:   extra  \r\n\r\n# proto-file:  fork/caffe.proto \r\n" + ForkProtos.SsdNet.Replace("\n", "\r\n"));
        var header = SchemaHeader.Read(File.ReadAllText(net));
        Assert.Equal("fork/caffe.proto", header.ProtoFile);
        Assert.Equal(["extra"], header.Imports);
        Assert.Equal("fork/caffe.proto", File.ReadAllText(net).Substring(header.ProtoFileSpan.Start, header.ProtoFileSpan.Length));
        AssertClean(Analyze(net));

        // The PTX5002 span is the path in the header, CRLF or not.
        var missing = Write("missing.prototxt", "# x\r\n# proto-file: gone.proto\r\nname: \"x\"\r\n");
        var a = Analyze(missing);
        var failed = Assert.Single(a.Diagnostics);
        Assert.Equal("gone.proto", a.Text.Text.Substring(failed.Span.Start, failed.Span.Length));
    }

    [Fact]
    public void Fork_layer_type_needs_a_fork_only_param_block_or_a_matching_param_field()
    {
        var proto = Write("fork/caffe.proto", ForkProtos.Ssd());
        const string Layers = """
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 8 dim: 8 } } }
            layer { name: "p" type: "PriorBox" bottom: "data" bottom: "data" top: "p" }
            layer { name: "n" type: "Normalize" bottom: "data" top: "n" }
            layer { name: "w" type: "Warp" bottom: "data" top: "w" }
            layer { name: "r" type: "ReLU" bottom: "data" top: "r" norm_param { eps: 0.1 } }

            """;
        var net = Write("net.prototxt", Layers);
        var a = Analyze(net, new SchemaProvider { SettingPath = proto });
        var unknown = a.Diagnostics.Where(d => d.Code == "PTX3003").Select(d => d.Message).ToList();
        // PriorBox: snake_case + _param is a field of the fork; Normalize has neither a norm_param block here nor a
        // normalize_param field; Warp is unknown anywhere.
        Assert.DoesNotContain(unknown, m => m.Contains("PriorBox"));
        Assert.Contains(unknown, m => m.Contains("Normalize"));
        Assert.Contains(unknown, m => m.Contains("Warp"));
        Assert.Equal(2, unknown.Count);
        // A BVLC layer with a fork block it never reads.
        Assert.Contains(a.Diagnostics, d => d.Code == "PTX3008" && d.Message.Contains("norm_param"));
    }

    [Fact]
    public void Fork_layer_type_verdict_does_not_depend_on_layer_order()
    {
        var proto = Write("fork/caffe.proto", ForkProtos.Ssd());
        const string Input = "layer { name: \"data\" type: \"Input\" top: \"data\" input_param { shape { dim: 1 dim: 3 dim: 8 dim: 8 } } }\n";
        const string Bare = "layer { name: \"n1\" type: \"Normalize\" bottom: \"data\" top: \"n1\" }\n";
        const string WithBlock = "layer { name: \"n2\" type: \"Normalize\" bottom: \"data\" top: \"n2\" norm_param { eps: 0.001 } }\n";
        var provider = new SchemaProvider { SettingPath = proto };
        // Normalize is a fork type (one of its layers reads the fork-only norm_param); Caffe registers a type for
        // the whole net, so both layers are accepted whichever comes first.
        var blockFirst = Analyze(Write("a.prototxt", Input + WithBlock + Bare), provider);
        var bareFirst = Analyze(Write("b.prototxt", Input + Bare + WithBlock), provider);
        Assert.DoesNotContain("PTX3003", blockFirst.Diagnostics.Select(d => d.Code));
        Assert.DoesNotContain("PTX3003", bareFirst.Diagnostics.Select(d => d.Code));
        // Alone, a bare layer of a type the fork schema says nothing about stays unknown.
        Assert.Contains("PTX3003", Analyze(Write("c.prototxt", Input + Bare), provider).Diagnostics.Select(d => d.Code));
    }

    // ---- (b) a fork reusing a BVLC field number ------------------------------------------------------------------

    [Fact]
    public void Fork_that_reassigns_a_bvlc_field_number_accepts_its_field_and_rejects_the_removed_one()
    {
        var proto = ForkProtos.RemoveLayerField(ForkProtos.Bvlc, "swish_param");
        proto = ForkProtos.AddLayerFields(proto, "  optional ReorgParameter reorg_param = 147;\n") + "\nmessage ReorgParameter {\n  optional uint32 stride = 1 [default = 2];\n}\n";
        var protoPath = Write("yolo/caffe.proto", proto);
        const string Net = """
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 64 dim: 26 dim: 26 } } }
            layer { name: "reorg" type: "Reorg" bottom: "data" top: "reorg" reorg_param { stride: 2 } }

            """;
        const string SwishLayer = "layer { name: \"s\" type: \"Swish\" bottom: \"data\" top: \"s\" swish_param { beta: 1.5 } }\n";

        var ok = Write("ok.prototxt", Net);
        var (exit, diagnostics, _, _) = Check("--schema", protoPath, ok);
        Assert.True(exit == 0, string.Join("\n", diagnostics));
        var schema = new SchemaProvider().Load(protoPath, []).Schema!;
        var layer = schema.FindMessage("caffe.LayerParameter")!;
        Assert.Equal(147, layer.FindField("reorg_param")!.Number);
        Assert.Null(layer.FindField("swish_param"));
        Assert.Equal(147, ProtoSchema.Caffe.FindMessage("caffe.LayerParameter")!.FindField("swish_param")!.Number);

        var bad = Write("bad.prototxt", Net + SwishLayer);
        (exit, diagnostics, _, _) = Check("--schema", protoPath, bad);
        Assert.Equal(1, exit);
        var error = Assert.Single(diagnostics, d => d.GetProperty("severity").GetString() == "error");
        Assert.Equal("PTX2001", error.GetProperty("code").GetString());
        Assert.Contains("swish_param", error.GetProperty("message").GetString());

        // protoc agrees on both.
        Assert.True(FileProtoc.Encode(protoPath, "caffe.NetParameter", File.ReadAllText(ok)).Accepted);
        Assert.False(FileProtoc.Encode(protoPath, "caffe.NetParameter", File.ReadAllText(bad)).Accepted);

        // And the embedded schema sees it the other way round.
        var embedded = Analyze(bad);
        Assert.Contains(embedded.Diagnostics, d => d.Code == "PTX2001" && d.Message.Contains("reorg_param"));
        Assert.DoesNotContain(embedded.Diagnostics, d => d.Code == "PTX2001" && d.Message.Contains("swish_param"));
    }

    // ---- (c) an older proto ----------------------------------------------------------------------------------------

    [Fact]
    public void Older_proto_without_clip_rejects_clip_param()
    {
        var proto = ForkProtos.RemoveMessage(ForkProtos.RemoveLayerField(ForkProtos.Bvlc, "clip_param"), "ClipParameter");
        Assert.DoesNotContain("ClipParameter", proto);
        var protoPath = Write("old/caffe.proto", proto);
        const string Net = """
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 4 } } }
            layer { name: "clip" type: "Clip" bottom: "data" top: "clip" clip_param { min: -1 max: 1 } }

            """;
        var net = Write("net.prototxt", "# proto-file: old/caffe.proto\n" + Net);
        var a = Analyze(net);
        Assert.True(a.Options.IsCustomSchema);
        Assert.Null(a.Model.Schema.FindMessage("caffe.ClipParameter"));
        Assert.Contains(a.Diagnostics, d => d.Code == "PTX2001" && d.Message.Contains("clip_param"));
        Assert.False(FileProtoc.Encode(protoPath, "caffe.NetParameter", Net).Accepted);

        // The same net is fine against the embedded (current) schema.
        var current = Analyze(Write("current.prototxt", Net));
        Assert.DoesNotContain(current.Diagnostics, d => d.Code.StartsWith("PTX2", StringComparison.Ordinal));
    }

    // ---- (d) broken protos -----------------------------------------------------------------------------------------

    [Fact]
    public void Proto_with_a_syntax_error_gives_one_PTX5002_quoting_protoc_and_the_embedded_schema_checks_the_rest()
    {
        var broken = ForkProtos.ReplaceOnce(ForkProtos.Ssd(), "  optional PermuteParameter permute_param = 202;\n", "  optional PermuteParameter permute_param = ;\n");
        var protoPath = Write("broken/caffe.proto", broken);
        var protocError = FileProtoc.Compile(protoPath);
        Assert.NotEqual("", protocError);
        output.WriteLine("protoc: " + protocError);

        var net = Write("net.prototxt", "# proto-file: broken/caffe.proto\n" + "layer { name: \"a\" type: \"ReLU\" bottom: \"x\" top: \"a\" num_ouput: 3 }\n");
        var a = Analyze(net);
        var failed = Assert.Single(a.Diagnostics, d => d.Code == "PTX5002");
        Assert.Equal(DiagnosticSeverity.Error, failed.Severity);
        Assert.Contains(protoPath, failed.Message);
        Assert.Contains(FirstProtocLine(protocError), failed.Message);
        Assert.Contains("embedded BVLC caffe.proto", failed.Message);
        // The span is the header's path.
        Assert.Equal("broken/caffe.proto", a.Text.Text.Substring(failed.Span.Start, failed.Span.Length));
        // The rest is still checked, against the embedded schema.
        Assert.Contains(a.Diagnostics, d => d.Code == "PTX2001" && d.Message.Contains("num_ouput"));
        Assert.Contains(a.Diagnostics, d => d.Code == "PTX3001");
        Assert.False(a.Options.IsCustomSchema);
        Assert.Contains("failed to load", a.Options.SchemaDescription);

        var (exit, diagnostics, _, _) = Check(net);
        Assert.Equal(1, exit);
        Assert.Single(diagnostics, d => d.GetProperty("code").GetString() == "PTX5002");

        // --schema with the broken proto, over two files: one PTX5002 each.
        var ok = Write("ok.prototxt", "layer { name: \"d\" type: \"Input\" top: \"d\" input_param { shape { dim: 1 } } }\n");
        var other = Write("other.prototxt", "layer { name: \"d\" type: \"Input\" top: \"d\" input_param { shape { dim: 1 } } }\n");
        (exit, diagnostics, _, _) = Check("--schema", protoPath, ok, other);
        Assert.Equal(1, exit);
        Assert.Equal(["PTX5002", "PTX5002"], Codes(diagnostics));
        Assert.All(diagnostics, d => Assert.Contains(FirstProtocLine(protocError), d.GetProperty("message").GetString()));
    }

    [Fact]
    public void Missing_proto_gives_one_PTX5002_and_the_embedded_schema_checks_the_rest()
    {
        var net = Write("net.prototxt", "# proto-file: nowhere/caffe.proto\nlayer { name: \"a\" type: \"Input\" top: \"a\" input_param { shape { dim: 1 } } }\n");
        var a = Analyze(net);
        var failed = Assert.Single(a.Diagnostics);
        Assert.Equal("PTX5002", failed.Code);
        Assert.Contains(Path.Combine(_dir, "nowhere", "caffe.proto"), failed.Message);
        Assert.Contains("does not exist", failed.Message);

        // Through the project file and the setting as well.
        Write("p/" + ProjectFile.FileName, "{ \"schema\": \"missing.proto\" }");
        var viaProject = Analyze(Write("p/net.prototxt", ForkProtos.SsdNet));
        Assert.Single(viaProject.Diagnostics, d => d.Code == "PTX5002");
        Assert.Contains(viaProject.Diagnostics, d => d.Code == "PTX3003");
        var viaSetting = Analyze(Write("s/net.prototxt", "name: \"x\"\n"), new SchemaProvider { SettingPath = Path.Combine(_dir, "none.proto") });
        Assert.Equal("PTX5002", Assert.Single(viaSetting.Diagnostics).Code);
    }

    [Fact]
    public void Proto_path_that_is_a_folder_or_not_a_proto_gives_a_clear_PTX5002()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "fork"));
        var folder = Analyze(Write("a.prototxt", "# proto-file: fork\nname: \"x\"\n"));
        var failed = Assert.Single(folder.Diagnostics);
        Assert.Equal("PTX5002", failed.Code);
        output.WriteLine(failed.Message);
        Assert.Contains("folder", failed.Message);

        Write("notes.txt", "this is not a proto\n");
        var text = Analyze(Write("b.prototxt", "# proto-file: notes.txt\nname: \"x\"\n"));
        failed = Assert.Single(text.Diagnostics);
        Assert.Equal("PTX5002", failed.Code);
        output.WriteLine(failed.Message);
        Assert.Contains("protoc:", failed.Message);
    }

    [Fact]
    public void Proto_with_an_undefined_type_quotes_protoc()
    {
        var protoPath = Write("bad/caffe.proto", ForkProtos.AddLayerFields(ForkProtos.Bvlc, "  optional MissingParameter missing_param = 300;\n"));
        var protocError = FileProtoc.Compile(protoPath);
        Assert.Contains("MissingParameter", protocError);
        var a = Analyze(Write("net.prototxt", "name: \"x\"\n"), new SchemaProvider { SettingPath = protoPath });
        var failed = Assert.Single(a.Diagnostics);
        Assert.Equal("PTX5002", failed.Code);
        Assert.Contains(FirstProtocLine(protocError), failed.Message);
    }

    /// <summary>protoc's first error line without its file prefix (we show the absolute path; protoc the name).</summary>
    private static string FirstProtocLine(string stderr)
    {
        var line = stderr.Split('\n')[0].Trim();
        var m = Regex.Match(line, @"^\S+?:\d+:\d+: (.*)$");
        return m.Success ? m.Groups[1].Value : line;
    }

    // ---- (e) a schema that is not Caffe's --------------------------------------------------------------------------

    [Fact]
    public void Non_caffe_schema_via_header_checks_fields_and_runs_no_net_checks()
    {
        Write("book/addressbook.proto", ForkProtos.AddressBook);
        const string Header = "# proto-file: book/addressbook.proto\n# proto-message: tutorial.Person\n";
        var good = Analyze(Write("ada.prototxt", Header + "name: \"Ada\"\nid: 7\nemail: \"ada@example.com\"\nphone { number: \"555\" type: WORK }\nphone { number: \"556\" }\n"));
        Assert.Empty(good.Diagnostics);
        Assert.Equal("tutorial.Person", good.RootMessage.FullName);
        Assert.Empty(good.Nets);

        var bad = Analyze(Write("bad.prototxt", Header + "nmae: \"Ada\"\nid: \"seven\"\nphone { number: 555 type: CELL }\nlayer { name: \"x\" }\n"));
        var codes = bad.Diagnostics.Select(d => d.Code).ToList();
        output.WriteLine(Describe(bad));
        Assert.Contains(bad.Diagnostics, d => d.Code == "PTX2001" && d.Message.Contains("nmae"));
        Assert.Contains(bad.Diagnostics, d => d.Code == "PTX2001" && d.Message.Contains("layer"));
        Assert.Contains(bad.Diagnostics, d => d.Code == "PTX2002" && d.Message.Contains("id"));
        Assert.Contains(bad.Diagnostics, d => d.Code == "PTX2002" && d.Message.Contains("number"));
        Assert.Contains(bad.Diagnostics, d => d.Code == "PTX2003" && d.Message.Contains("CELL"));
        Assert.DoesNotContain(codes, c => c.StartsWith("PTX3", StringComparison.Ordinal) || c.StartsWith("PTX4", StringComparison.Ordinal));

        // A proto-message the custom schema lacks is PTX2007.
        var wrongRoot = Analyze(Write("wrong.prototxt", "# proto-file: book/addressbook.proto\n# proto-message: caffe.NetParameter\nname: \"x\"\n"));
        Assert.Contains("PTX2007", wrongRoot.Diagnostics.Select(d => d.Code));
        // Without proto-message a schema with neither NetParameter nor SolverParameter falls back to its first message.
        var noRoot = Analyze(Write("noroot.prototxt", "# proto-file: book/addressbook.proto\nname: \"x\"\n"));
        Assert.Equal("tutorial.Person", noRoot.RootMessage.FullName);
        Assert.Empty(noRoot.Diagnostics);
    }

    private const string FeatureProto = """
        syntax = "proto2";
        package demo;

        message Filler {
          optional string type = 1 [default = "constant"];
          optional float value = 2;
        }

        message Root {
          optional string name = 1;
          oneof choice {
            int32 a = 2;
            string b = 3;
          }
          map<string, float> weights = 4;
          repeated Filler fillers = 5;
          optional group Legacy = 6 {
            optional int32 x = 1;
          }
          enum Mode {
            option allow_alias = true;
            FAST = 0;
            QUICK = 0;
            SLOW = 1;
          }
          optional Mode mode = 7;
          repeated int64 big = 8 [packed = true];
          optional bytes raw = 9;
          optional uint64 u = 10;
          optional sint32 s = 11;
          optional fixed32 f = 12;
          optional double d = 13;
          extensions 100 to 199;
        }

        extend Root {
          optional Filler filler_ext = 100;
          repeated int32 numbers_ext = 101;
        }

        """;

    public static TheoryData<string> FeatureInputs => new()
    {
        "name: \"x\"",
        "a: 1",
        "b: \"y\"",
        "a: 1 b: \"y\"",
        "a: 1 a: 2",
        "weights { key: \"w\" value: 0.5 }",
        "weights { key: \"w\" value: 0.5 } weights { key: \"w\" value: 1 }",
        "weights { key: \"w\" }",
        "weights { value: 1 }",
        "weights { key: 1 value: 1 }",
        "weights [{ key: \"a\" value: 1 }, { key: \"b\" value: 2 }]",
        "fillers { type: \"gaussian\" } fillers { value: 1 }",
        "Legacy { x: 1 }",
        "legacy { x: 1 }",
        "Legacy: { x: 1 }",
        "mode: QUICK",
        "mode: FAST",
        "mode: 1",
        "mode: 5",
        "mode: -1",
        "big: [1, 2, 3]",
        "big: 9223372036854775807",
        "big: 9223372036854775808",
        "big: -9223372036854775808",
        "raw: \"\\001\\xff\"",
        "u: 18446744073709551615",
        "u: 18446744073709551616",
        "u: -1",
        "s: -2147483648",
        "f: 4294967295",
        "f: -1",
        "d: 1e308",
        "d: 1e309",
        "d: -inf",
        "d: nan",
        "[demo.filler_ext] { value: 2 }",
        "[demo.numbers_ext]: 1 [demo.numbers_ext]: 2",
        "[demo.numbers_ext]: [1, 2]",
        "[demo.nope]: 1",
        "[filler_ext] { value: 2 }",
        "filler_ext { value: 2 }",
    };

    /// <summary>
    /// Disagreements with protoc found by this test that need changes outside the schema-choice code (ProtoSchema /
    /// SchemaBinder): skipped, not hidden, so they show in every run until fixed.
    /// </summary>
    private static readonly Dictionary<string, string> KnownGaps = new(StringComparer.Ordinal)
    {
    };

    /// <summary>Text-format features a fork or a foreign schema may use: oneof, map, group, enum alias, 64-bit and unsigned ranges, extensions.</summary>
    [SkippableTheory]
    [MemberData(nameof(FeatureInputs))]
    public void Schema_features_get_the_same_verdict_as_protoc(string text)
    {
        Skip.If(KnownGaps.TryGetValue(text, out var gap), "known gap: " + gap);
        var protoPath = Write("demo/demo.proto", FeatureProto);
        var schema = new SchemaProvider().Load(protoPath, []);
        Assert.True(schema.Schema is not null, schema.Error);
        var root = schema.Schema.FindMessage("demo.Root")!;
        var analysis = DocumentAnalysis.Analyze(new SourceText(text + "\n"), null, new AnalysisOptions { Schema = schema.Schema, IsCustomSchema = true }, root);
        var first = analysis.Diagnostics.FirstOrDefault(d => d.Severity == DiagnosticSeverity.Error);
        var (theirs, error) = FileProtoc.Encode(protoPath, "demo.Root", text + "\n");
        Assert.True(theirs == (first is null), $"protoc {(theirs ? "accepts" : "rejects: " + error)}; we {(first is null ? "accept" : "reject: " + first.Code + " " + first.Message)}");
    }

    // ---- (f) layerTypes from the project file ----------------------------------------------------------------------

    private const string AxpyNet = """
        layer { name: "data" type: "Input" top: "a" top: "x" top: "y" input_param { shape { dim: 1 dim: 8 dim: 1 dim: 1 } shape { dim: 1 dim: 8 dim: 4 dim: 4 } shape { dim: 1 dim: 8 dim: 4 dim: 4 } } }
        layer { name: "axpy" type: "Axpy" bottom: "a" bottom: "x" bottom: "y" top: "out" }

        """;

    [Fact]
    public void Project_layer_types_declare_fork_layers_with_blob_counts()
    {
        Write(ProjectFile.FileName, "{\n  // SENet's Axpy\n  \"layerTypes\": { \"Axpy\": { \"bottoms\": 3, \"tops\": 1, \"inPlace\": false } },\n}\n");
        var ok = Analyze(Write("ok.prototxt", AxpyNet));
        Assert.DoesNotContain(ok.Diagnostics, d => d.Severity == DiagnosticSeverity.Error || d.Code == "PTX5003");

        var two = Analyze(Write("two.prototxt", AxpyNet.Replace(" bottom: \"y\"", "")));
        Assert.Contains(two.Diagnostics, d => d.Code == "PTX3004" && d.Message.Contains("Axpy"));

        var inPlace = Analyze(Write("inplace.prototxt", AxpyNet.Replace("top: \"out\"", "top: \"y\"")));
        Assert.Contains("PTX3006", inPlace.Diagnostics.Select(d => d.Code));

        var twoTops = Analyze(Write("tops.prototxt", AxpyNet.Replace("top: \"out\"", "top: \"out\" top: \"out2\"")));
        Assert.Contains("PTX3005", twoTops.Diagnostics.Select(d => d.Code));

        // Without the project file, Axpy is unknown.
        File.Delete(Path.Combine(_dir, ProjectFile.FileName));
        Assert.Contains("PTX3003", Analyze(Path.Combine(_dir, "ok.prototxt")).Diagnostics.Select(d => d.Code));

        // Ranges.
        Write(ProjectFile.FileName, "{ \"layerTypes\": { \"Axpy\": { \"minBottoms\": 2, \"maxBottoms\": 3, \"tops\": 1 } } }");
        Assert.DoesNotContain("PTX3004", Analyze(Path.Combine(_dir, "two.prototxt")).Diagnostics.Select(d => d.Code));
        Assert.DoesNotContain("PTX3004", Analyze(Path.Combine(_dir, "ok.prototxt")).Diagnostics.Select(d => d.Code));
        var one = Analyze(Write("one.prototxt", AxpyNet.Replace(" bottom: \"y\"", "").Replace(" bottom: \"x\"", "")));
        Assert.Contains("PTX3004", one.Diagnostics.Select(d => d.Code));
    }

    [Fact]
    public void Project_layer_type_param_names_the_fork_block_it_reads()
    {
        var proto = ForkProtos.AddLayerFields(ForkProtos.Bvlc, "  optional AxpyParameter axpy_param = 250;\n") + "\nmessage AxpyParameter {\n  optional float alpha = 1 [default = 1];\n}\n";
        Write("fork/caffe.proto", proto);
        Write(ProjectFile.FileName, "{ \"schema\": \"fork/caffe.proto\", \"layerTypes\": { \"Axpy\": { \"bottoms\": 3, \"tops\": 1, \"param\": \"axpy_param\" } } }");
        var a = Analyze(Write("net.prototxt", AxpyNet.Replace("top: \"out\"", "top: \"out\" axpy_param { alpha: 2 }")));
        Assert.DoesNotContain(a.Diagnostics, d => d.Severity is DiagnosticSeverity.Error or DiagnosticSeverity.Warning);
        // A block the declared type does not read is reported.
        var b = Analyze(Write("net2.prototxt", AxpyNet.Replace("top: \"out\"", "top: \"out\" relu_param { negative_slope: 0.1 }")));
        Assert.Contains("PTX3008", b.Diagnostics.Select(d => d.Code));
    }

    [Theory]
    [InlineData("{ \"schema\": ", "not valid JSON")]
    [InlineData("[1, 2]", "one JSON object")]
    [InlineData("{ \"schemas\": \"caffe.proto\" }", "unknown key \"schemas\"")]
    [InlineData("{ \"schema\": 3 }", "\"schema\" must be a string")]
    [InlineData("{ \"imports\": \"dir\" }", "\"imports\" must be an array")]
    [InlineData("{ \"layerTypes\": [] }", "\"layerTypes\" must be an object")]
    [InlineData("{ \"layerTypes\": { \"Axpy\": 3 } }", "layerTypes.Axpy must be an object")]
    [InlineData("{ \"layerTypes\": { \"Axpy\": { \"minBottoms\": 3, \"maxBottoms\": 2 } } }", "\"minBottoms\" (3) is larger than \"maxBottoms\" (2)")]
    [InlineData("{ \"layerTypes\": { \"Axpy\": { \"bottoms\": \"three\" } } }", "layerTypes.Axpy.bottoms must be a whole number")]
    [InlineData("{ \"layerTypes\": { \"Axpy\": { \"tops\": -1 } } }", "layerTypes.Axpy.tops must be a whole number")]
    [InlineData("{ \"layerTypes\": { \"Axpy\": { \"bottoms\": 1.5 } } }", "layerTypes.Axpy.bottoms must be a whole number")]
    [InlineData("{ \"layerTypes\": { \"Axpy\": { \"bottom\": 3 } } }", "layerTypes.Axpy: unknown key \"bottom\"")]
    [InlineData("{ \"layerTypes\": { \"Axpy\": { \"bottoms\": 3, \"minBottoms\": 1 } } }", "give either \"bottoms\" or \"minBottoms\"/\"maxBottoms\"")]
    [InlineData("{ \"layerTypes\": { \"Axpy\": { \"inPlace\": \"no\" } } }", "inPlace must be true or false")]
    [InlineData("{ \"layerTypes\": { \"Axpy\": { \"param\": \"axpy\" } } }", "param must name a LayerParameter field ending in _param")]
    public void Bad_project_file_gives_one_PTX5003_with_a_clear_message(string json, string expected)
    {
        var projectFile = Write(ProjectFile.FileName, json);
        var net = Write("sub/net.prototxt", "name: \"x\"\nlayer { name: \"d\" type: \"Input\" top: \"d\" input_param { shape { dim: 1 } } }\nlayer { name: \"r\" type: \"ReLU\" bottom: \"d\" top: \"r\" num_ouput: 1 }\n");
        var a = Analyze(net);
        var problem = Assert.Single(a.Diagnostics, d => d.Code == "PTX5003");
        Assert.Equal(DiagnosticSeverity.Warning, problem.Severity);
        Assert.Contains(projectFile, problem.Message);
        Assert.Contains(expected, problem.Message);
        // The file is still checked.
        Assert.Contains(a.Diagnostics, d => d.Code == "PTX2001" && d.Message.Contains("num_ouput"));

        var (_, diagnostics, _, _) = Check(net);
        Assert.Single(diagnostics, d => d.GetProperty("code").GetString() == "PTX5003");
    }

    [Fact]
    public void Good_project_file_gives_no_PTX5003()
    {
        Write(ProjectFile.FileName, "{ \"imports\": [], \"layerTypes\": { \"Axpy\": { \"bottoms\": 3, \"tops\": 1, \"inPlace\": false, \"param\": \"axpy_param\" }, \"Any\": {} } }");
        var a = Analyze(Write("net.prototxt", AxpyNet + "layer { name: \"q\" type: \"Any\" bottom: \"out\" bottom: \"a\" top: \"q\" top: \"q2\" }\n"));
        Assert.DoesNotContain(a.Diagnostics, d => d.Severity is DiagnosticSeverity.Error or DiagnosticSeverity.Warning);
    }

    // ---- (g) cache ------------------------------------------------------------------------------------------------

    [Fact]
    public void Same_proto_is_compiled_once_and_a_changed_one_again()
    {
        var proto = Write("fork/caffe.proto", ForkProtos.Ssd());
        var net1 = Write("a/net.prototxt", "# proto-file: ../fork/caffe.proto\n" + ForkProtos.SsdNet);
        var net2 = Write("b/net.prototxt", "# proto-file: ../fork/caffe.proto\nname: \"other\"\n");
        var provider = new SchemaProvider();

        var watch = Stopwatch.StartNew();
        var first = provider.OptionsFor(net1, File.ReadAllText(net1), WorkspaceContext.FileSystem).Schema;
        var cold = watch.Elapsed;
        watch.Restart();
        var second = provider.OptionsFor(net1, File.ReadAllText(net1), WorkspaceContext.FileSystem).Schema;
        var warm = watch.Elapsed;
        var third = provider.OptionsFor(net2, File.ReadAllText(net2), WorkspaceContext.FileSystem).Schema;
        output.WriteLine($"first OptionsFor {cold.TotalMilliseconds:F0} ms, second {warm.TotalMilliseconds:F1} ms");
        Assert.NotNull(first);
        Assert.Same(first, second);
        Assert.Same(first, third);
        Assert.Same(first, provider.Load(proto, []).Schema);
        Assert.Contains(proto, provider.WatchedFiles.Keys);

        // Other import folders are another compilation.
        Assert.NotSame(first, provider.Load(proto, [Path.Combine(_dir, "a")]).Schema);

        // A changed proto is compiled again; going back to the old text finds the old compilation.
        var original = File.ReadAllText(proto);
        File.WriteAllText(proto, original + "\nmessage Extra { optional int32 x = 1; }\n");
        var changed = provider.OptionsFor(net1, File.ReadAllText(net1), WorkspaceContext.FileSystem).Schema;
        Assert.NotSame(first, changed);
        Assert.NotNull(changed!.FindMessage("caffe.Extra"));
        File.WriteAllText(proto, original);
        Assert.Same(first, provider.OptionsFor(net1, File.ReadAllText(net1), WorkspaceContext.FileSystem).Schema);

        // Invalidate forgets everything.
        provider.Invalidate();
        var fresh = provider.OptionsFor(net1, File.ReadAllText(net1), WorkspaceContext.FileSystem).Schema;
        Assert.NotSame(first, fresh);
        Assert.Same(fresh, provider.OptionsFor(net1, File.ReadAllText(net1), WorkspaceContext.FileSystem).Schema);

        // Failures are cached too, and a fixed proto is picked up by its new content.
        File.WriteAllText(proto, original.Replace("message NetParameter {", "message NetParameter {{"));
        var e1 = provider.Load(proto, []);
        var e2 = provider.Load(proto, []);
        Assert.Null(e1.Schema);
        Assert.Equal(e1.Error, e2.Error);
        File.WriteAllText(proto, original);
        Assert.Same(fresh, provider.Load(proto, []).Schema);
    }

    [Fact]
    public void Concurrent_requests_for_one_proto_share_the_compilation()
    {
        var proto = Write("fork/caffe.proto", ForkProtos.Ssd());
        var provider = new SchemaProvider();
        var schemas = new ConcurrentBag<ProtoSchema>();
        Parallel.For(0, 8, _ => schemas.Add(provider.Load(proto, []).Schema!));
        // GetOrAdd may run the factory more than once under a race, but every caller gets the stored result.
        Assert.Single(schemas.Distinct(ReferenceEqualityComparer.Instance));
    }

    // ---- (i) protoc parity on mutants, against the fork ------------------------------------------------------------

    [Fact]
    public void Mutants_of_a_fork_net_get_the_same_verdict_as_protoc_with_the_fork_proto()
    {
        var protoPath = Write("fork/caffe.proto", ForkProtos.Ssd());
        var schema = new SchemaProvider().Load(protoPath, []).Schema!;
        var root = schema.FindMessage("caffe.NetParameter")!;
        var options = new AnalysisOptions { Schema = schema, IsCustomSchema = true };
        Assert.True(FileProtoc.Encode(protoPath, root.FullName, ForkProtos.SsdNet).Accepted);

        var count = int.TryParse(Environment.GetEnvironmentVariable("PROTOTXT_FORK_MUTATIONS"), out var n) ? n : 300;
        var mutants = Mutate(ForkProtos.SsdNet, count, seed: 2024);
        var disagreements = new ConcurrentBag<string>();
        var rejected = 0;
        var perOperator = new ConcurrentDictionary<string, (int Total, int Rejected)>();
        Parallel.ForEach(mutants, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(2, Environment.ProcessorCount) }, m =>
        {
            var analysis = DocumentAnalysis.Analyze(new SourceText(m.Text), null, options, root);
            var first = analysis.Diagnostics.FirstOrDefault(d => d.Severity == DiagnosticSeverity.Error && (d.Code.StartsWith("PTX1", StringComparison.Ordinal) || d.Code.StartsWith("PTX2", StringComparison.Ordinal)));
            var ours = first is null;
            var (theirs, error) = FileProtoc.Encode(protoPath, root.FullName, m.Text);
            if (!theirs) Interlocked.Increment(ref rejected);
            perOperator.AddOrUpdate(m.Operator, (1, theirs ? 0 : 1), (_, c) => (c.Total + 1, c.Rejected + (theirs ? 0 : 1)));
            if (ours != theirs)
                disagreements.Add($"[{m.Operator}] protoc {(theirs ? "accepts" : "rejects: " + error)}; we {(ours ? "accept" : "reject: " + first!.Code + " " + first.Message)}\n---\n{m.Text}\n---");
        });

        output.WriteLine($"{mutants.Count} mutants, protoc rejected {rejected}, accepted {mutants.Count - rejected}, disagreements {disagreements.Count}; by operator: " +
                         string.Join(", ", perOperator.OrderBy(p => p.Key).Select(p => $"{p.Key}={p.Value.Total} ({p.Value.Rejected} rejected)")));
        Assert.Equal(count, mutants.Count);
        Assert.True(rejected > mutants.Count / 4, "the mutations should break many mutants");
        Assert.True(rejected < mutants.Count, "some mutants should stay valid");
        Assert.True(disagreements.IsEmpty, $"{disagreements.Count} disagreements with protoc:\n" + string.Join("\n", disagreements.Take(10)));
    }

    private sealed record Mutant(string Operator, string Text);

    /// <summary>Simple mutations: delete or duplicate a line, misspell a field name, turn a value into a string, drop a brace, rename a field to a BVLC-only one.</summary>
    private static List<Mutant> Mutate(string text, int count, int seed)
    {
        var random = new Random(seed);
        var tokens = Lexer.Tokenize(text, new List<Diagnostic>()).Where(t => t.Kind != SyntaxKind.EndOfFile).ToList();
        var names = tokens.Where((t, i) => t.Kind == SyntaxKind.Identifier && i + 1 < tokens.Count && tokens[i + 1].Kind is SyntaxKind.Colon or SyntaxKind.OpenBrace).ToList();
        var values = tokens.Where((t, i) => i > 0 && tokens[i - 1].Kind == SyntaxKind.Colon && t.Kind is not SyntaxKind.StringLiteral).ToList();
        var strings = tokens.Where(t => t.Kind == SyntaxKind.StringLiteral).ToList();
        var braces = tokens.Where(t => t.Kind is SyntaxKind.OpenBrace or SyntaxKind.CloseBrace).ToList();
        string[] otherNames = ["swish_param", "clip_param", "norm_param", "permute_param", "prior_box_param", "num_output", "order", "step", "scale_filler", "variance", "detection_output_param"];
        string[] operators = ["delete-line", "duplicate-line", "misspell", "to-string", "value", "brace", "rename"];
        var lines = text.Split('\n');
        var mutants = new List<Mutant>(count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (mutants.Count < count)
        {
            var op = operators[random.Next(operators.Length)];
            string mutated;
            switch (op)
            {
                case "delete-line":
                {
                    var i = random.Next(lines.Length);
                    mutated = string.Join('\n', lines.Where((_, j) => j != i));
                    break;
                }
                case "duplicate-line":
                {
                    var list = lines.ToList();
                    var i = random.Next(list.Count);
                    list.Insert(i, list[i]);
                    mutated = string.Join('\n', list);
                    break;
                }
                case "misspell":
                {
                    var t = names[random.Next(names.Count)];
                    mutated = Splice(text, t.Span.Start, t.Span.Length, Misspell(t.Text, random));
                    break;
                }
                case "to-string":
                {
                    var t = values[random.Next(values.Count)];
                    mutated = Splice(text, t.Span.Start, t.Span.Length, "\"" + t.Text + "\"");
                    break;
                }
                case "value":
                {
                    string[] replacements = ["-1", "1.5", "true", "CORNER", "MAX", "\"x\"", "4294967296", "4294967295", "1e40", "{ }", "0", "0x10", "010", "1e3", "inf", "-nan", "1f", "t", "False", "-0", "2147483648", "[1, 2]", "[]", "'q'"];
                    var all = values.Concat(strings).ToList();
                    var t = all[random.Next(all.Count)];
                    mutated = Splice(text, t.Span.Start, t.Span.Length, replacements[random.Next(replacements.Length)]);
                    break;
                }
                case "brace":
                {
                    var t = braces[random.Next(braces.Count)];
                    mutated = Splice(text, t.Span.Start, 1, "");
                    break;
                }
                default:
                {
                    var t = names[random.Next(names.Count)];
                    mutated = Splice(text, t.Span.Start, t.Span.Length, otherNames[random.Next(otherNames.Length)]);
                    break;
                }
            }

            if (mutated == text || !seen.Add(mutated)) continue;
            mutants.Add(new Mutant(op, mutated));
        }

        return mutants;
    }

    private static string Splice(string text, int start, int length, string insert) => text[..start] + insert + text[(start + length)..];

    private static string Misspell(string word, Random random)
    {
        var i = random.Next(word.Length);
        return random.Next(3) switch
        {
            0 when word.Length > 1 => word.Remove(i, 1),
            1 => word.Insert(i, "x"),
            _ => word.ToUpperInvariant(),
        };
    }
}

/// <summary>The package's protoc run on a proto file of our choosing (ProtocRunner is bound to the embedded schema).</summary>
internal static class FileProtoc
{
    private static ProcessStartInfo Start(string proto)
    {
        var psi = new ProcessStartInfo(TestPaths.Protoc)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("--proto_path=" + Path.GetDirectoryName(proto));
        return psi;
    }

    /// <summary>protoc --encode=MESSAGE with the given proto; (accepted, first line of its errors).</summary>
    public static (bool Accepted, string Error) Encode(string proto, string message, string text) => ProtocRunner.Encode(message, text, proto);

    /// <summary>Compiles the proto; returns protoc's error output ("" when it compiles).</summary>
    public static string Compile(string proto)
    {
        var psi = Start(proto);
        var output = Path.Combine(Path.GetTempPath(), $"prototxt-fork-{Guid.NewGuid():N}.pb");
        psi.ArgumentList.Add("--descriptor_set_out=" + output);
        psi.ArgumentList.Add(Path.GetFileName(proto));
        using var process = Process.Start(psi)!;
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit(30_000);
        File.Delete(output);
        return process.ExitCode == 0 ? "" : stderr.Result.Trim();
    }
}
