using PrototxtLsp.Server.Cli;
using PrototxtLsp.Tests.Infrastructure;

namespace PrototxtLsp.Tests;

/// <summary>Built-in shape rules for common fork layers, under a fork schema found at src/caffe/proto/caffe.proto.</summary>
public class ForkShapeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("prototxt-forkshape-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Fork_layers_get_shapes_and_no_unknown_type_errors()
    {
        var proto = File.ReadAllText(TestPaths.CaffeProto);
        var end = proto.IndexOf("\n}", proto.IndexOf("message LayerParameter {", StringComparison.Ordinal), StringComparison.Ordinal);
        proto = proto[..end] + "\n  optional NormalizeParameter norm_param = 206;\n  optional PermuteParameter permute_param = 202;\n  optional UpsampleParameter upsample_param = 300;\n  optional InterpParameter interp_param = 301;\n  optional PriorBoxParameter prior_box_param = 203;" + proto[end..] +
                "\nmessage NormalizeParameter { optional bool channel_shared = 3 [default = true]; }\nmessage PermuteParameter { repeated uint32 order = 1; }\n" +
                "message PriorBoxParameter { repeated float min_size = 1; repeated float max_size = 2; repeated float aspect_ratio = 3; optional bool flip = 4 [default = true]; }\n" +
                "message UpsampleParameter { optional uint32 scale = 1 [default = 2]; }\nmessage InterpParameter { optional int32 zoom_factor = 3 [default = 1]; }\n";
        Directory.CreateDirectory(Path.Combine(_dir, "src", "caffe", "proto"));
        File.WriteAllText(Path.Combine(_dir, "src", "caffe", "proto", "caffe.proto"), proto);
        var net = Path.Combine(_dir, "net.prototxt");
        File.WriteAllText(net, """
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 16 dim: 10 dim: 10 } } }
            layer { name: "norm" type: "Normalize" bottom: "data" top: "norm" norm_param { channel_shared: false } }
            layer { name: "perm" type: "Permute" bottom: "norm" top: "perm" permute_param { order: 0 order: 2 order: 3 order: 1 } }
            layer { name: "up" type: "Upsample" bottom: "norm" top: "up" upsample_param { scale: 2 } }
            layer { name: "prior" type: "PriorBox" bottom: "norm" bottom: "data" top: "prior" prior_box_param { min_size: 30 max_size: 60 aspect_ratio: 2 aspect_ratio: 3 } }
            layer { name: "interp" type: "Interp" bottom: "norm" top: "interp" interp_param { zoom_factor: 2 } }
            """);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = CommandLine.Run(["summary", "--format", "json", net], stdout, stderr);
        Assert.True(exit == 0, stderr.ToString());
        var json = stdout.ToString();
        Assert.Contains("\"name\":\"norm\",\"type\":\"Normalize\",\"tops\":[{\"name\":\"norm\",\"shape\":[1,16,10,10]}],\"params\":16", json);
        Assert.Contains("\"shape\":[1,10,10,16]", json);  // Permute 0 2 3 1
        Assert.Contains("\"name\":\"up\",\"shape\":[1,16,20,20]", json);
        Assert.Contains("\"name\":\"interp\",\"shape\":[1,16,19,19]", json);  // 10 + 9·(2 − 1)
        Assert.Contains("\"name\":\"prior\",\"shape\":[1,2,2400]", json);  // ratios 1, 2, 1/2, 3, 1/3: 5·1 min + 1 max = 6 priors; 10·10·6·4
    }
}
