using System.Text;

namespace PrototxtLsp.Benchmarks;

/// <summary>
/// Generated nets for benchmarks. Every net is valid (0 errors) and its shapes are inferable, so every stage of the
/// analysis does its full work.
/// </summary>
public static class NetGenerator
{
    /// <summary>
    /// A long chain of realistic residual-style blocks (Convolution with param/filler blocks, BatchNorm, Scale, ReLU,
    /// every few blocks an Eltwise shortcut), repeated until the text reaches <paramref name="targetBytes"/>.
    /// </summary>
    public static string Realistic(int targetBytes)
    {
        var sb = new StringBuilder(targetBytes + 4096);
        sb.Append("name: \"generated-realistic\"\n");
        sb.Append("layer {\n  name: \"data\"\n  type: \"Input\"\n  top: \"data\"\n  input_param { shape { dim: 1 dim: 64 dim: 56 dim: 56 } }\n}\n");
        var previous = "data";
        var shortcut = "data";
        for (var block = 0; sb.Length < targetBytes; block++)
        {
            var conv = $"res{block}_conv";
            sb.Append($$"""
                layer {
                  name: "{{conv}}"
                  type: "Convolution"
                  bottom: "{{previous}}"
                  top: "{{conv}}"
                  param {
                    lr_mult: 1
                    decay_mult: 1
                  }
                  param {
                    lr_mult: 2
                    decay_mult: 0
                  }
                  convolution_param {
                    num_output: 64
                    kernel_size: 3
                    pad: 1
                    stride: 1
                    weight_filler {
                      type: "msra"
                    }
                    bias_filler {
                      type: "constant"
                      value: 0
                    }
                  }
                }
                layer {
                  name: "bn{{block}}"
                  type: "BatchNorm"
                  bottom: "{{conv}}"
                  top: "{{conv}}"
                  param { lr_mult: 0 decay_mult: 0 }
                  param { lr_mult: 0 decay_mult: 0 }
                  param { lr_mult: 0 decay_mult: 0 }
                  batch_norm_param { use_global_stats: true eps: 1e-5 }
                }
                layer {
                  name: "scale{{block}}"
                  type: "Scale"
                  bottom: "{{conv}}"
                  top: "{{conv}}"
                  scale_param { bias_term: true }
                }
                layer {
                  name: "relu{{block}}"
                  type: "ReLU"
                  bottom: "{{conv}}"
                  top: "{{conv}}"
                }

                """);
            previous = conv;
            if (block % 3 == 2)
            {
                var sum = $"res{block}_sum";
                sb.Append($$"""
                    layer {
                      name: "{{sum}}"
                      type: "Eltwise"
                      bottom: "{{shortcut}}"
                      bottom: "{{previous}}"
                      top: "{{sum}}"
                      eltwise_param { operation: SUM }
                    }

                    """);
                previous = sum;
                shortcut = sum;
            }
        }

        AppendHead(sb, previous);
        return sb.ToString();
    }

    /// <summary>A plain chain of <paramref name="layers"/> layers (alternating Convolution and ReLU) after an Input layer.</summary>
    public static string Chain(int layers)
    {
        var sb = new StringBuilder(layers * 160);
        sb.Append($"name: \"generated-chain-{layers}\"\n");
        sb.Append("layer { name: \"data\" type: \"Input\" top: \"data\" input_param { shape { dim: 1 dim: 16 dim: 32 dim: 32 } } }\n");
        var previous = "data";
        for (var i = 0; i < layers; i++)
        {
            if (i % 2 == 0)
            {
                sb.Append($"layer {{\n  name: \"conv{i}\"\n  type: \"Convolution\"\n  bottom: \"{previous}\"\n  top: \"conv{i}\"\n  convolution_param {{ num_output: 16 kernel_size: 3 pad: 1 }}\n}}\n");
                previous = $"conv{i}";
            }
            else
            {
                sb.Append($"layer {{\n  name: \"relu{i}\"\n  type: \"ReLU\"\n  bottom: \"{previous}\"\n  top: \"{previous}\"\n}}\n");
            }
        }

        return sb.ToString();
    }

    private static void AppendHead(StringBuilder sb, string bottom)
    {
        sb.Append($$"""
            layer {
              name: "pool_final"
              type: "Pooling"
              bottom: "{{bottom}}"
              top: "pool_final"
              pooling_param { pool: AVE global_pooling: true }
            }
            layer {
              name: "fc"
              type: "InnerProduct"
              bottom: "pool_final"
              top: "fc"
              inner_product_param { num_output: 1000 }
            }
            layer {
              name: "prob"
              type: "Softmax"
              bottom: "fc"
              top: "prob"
            }

            """);
    }
}
