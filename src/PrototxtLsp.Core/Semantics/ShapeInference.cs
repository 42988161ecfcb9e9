using PrototxtLsp.Core.Diagnostics;
using PrototxtLsp.Core.Syntax;
using PrototxtLsp.Core.Text;
using static PrototxtLsp.Core.Semantics.LayerFields;

namespace PrototxtLsp.Core.Semantics;

/// <summary>
/// Caffe's Reshape arithmetic for every catalog layer type: top shapes per state from the net inputs, Input/DummyData
/// shapes and what data layers know (batch size, crop size), plus each layer's parameters, multiply-accumulates and
/// activation memory. Unknown dimensions stay unknown (<c>?</c>); nothing is guessed. Reports PTX4001–PTX4003.
/// </summary>
public static class ShapeInference
{
    private const long BytesPerValue = 4; // float32

    public static IReadOnlyList<NetShapes> Infer(NetGraph net, List<Diagnostic> diagnostics)
    {
        // Required parameters are checked once per layer, in the first state group's pass while the layer is at hand
        // (a separate pass read every layer of a large net from memory once more); layers it leaves out, after it.
        var requiredChecked = false;

        var findings = new Dictionary<(string, TextSpan), (List<NetState> States, Func<string, Diagnostic> Make)>();
        var result = new NetShapes[net.States.Count];
        var stateIndex = new Dictionary<NetState, int>(net.States.Count, ReferenceEqualityComparer.Instance);
        for (var i = 0; i < net.States.Count; i++) stateIndex[net.States[i]] = i;
        var blobs = new Shape?[net.NameCount]; // the latest shape of each blob, by name number; one array for all state groups
        var firstClass = true;
        foreach (var (state, members, included) in net.StateClasses)
        {
            if (!firstClass) Array.Clear(blobs);
            firstClass = false;
            var shapes = new NetShapes(state, net);
            foreach (var (input, shape) in InputShapes(net)) { blobs[input.NameId] = shape; shapes.Tops.Set(input, shape); }
            Action<string, TextSpan, Func<string, Diagnostic>> report = (code, span, make) =>
            {
                if (!findings.TryGetValue((code, span), out var entry)) findings[(code, span)] = entry = ([], make);
                foreach (var member in members)
                    if (!entry.States.Contains(member)) entry.States.Add(member); // a layer may report twice in one state
            };
            var ctx = new Context(report); // one per state, started afresh for each layer
            var layers = net.Layers;
            var ahead = layers.Count >= Prefetch.LongBlock;
            for (var l = 0; l < layers.Count; l++)
            {
                var layer = layers[l];
                if (ahead && l + Prefetch.Distance < layers.Count)
                {
                    var next = layers[l + Prefetch.Distance];
                    Prefetch.From(next, Prefetch.LayerGraphLines);
                    Prefetch.Before(next.Field, Prefetch.LayerSyntaxLines);
                }

                if (!included[layer.Index]) continue;
                if (!requiredChecked) CheckRequired(layer, diagnostics);
                ctx.Start(layer);
                foreach (var b in layer.Bottoms) ctx.Bottoms.Add(blobs[b.NameId] ?? Shape.Unknown);
                Shape[] tops;
                try
                {
                    tops = Compute(ctx);
                }
                catch (OverflowException)
                {
                    tops = [];
                }

                long? activation = 0;
                for (var i = 0; i < layer.Tops.Count; i++)
                {
                    var shape = i < tops.Length ? tops[i] : Shape.Unknown;
                    shapes.Tops.Set(layer.Tops[i], shape);
                    blobs[layer.Tops[i].NameId] = shape;
                    activation = shape.Count is { } c && activation is { } a ? a + Shape.SafeMul(c, BytesPerValue) : null;
                }

                shapes.Costs.Set(layer, ctx.Params, ctx.Statistics, ctx.Macs, activation);
            }

            if (!requiredChecked)
            {
                foreach (var layer in net.Layers)
                    if (!included[layer.Index]) CheckRequired(layer, diagnostics);
                requiredChecked = true;
            }

            // States that include the same layers share one inference (same tops, same costs).
            foreach (var member in members)
            {
                var i = stateIndex[member];
                result[i] = ReferenceEquals(member, state) ? shapes : shapes.For(member);
            }
        }

        if (!requiredChecked)
            foreach (var layer in net.Layers) CheckRequired(layer, diagnostics);

        foreach (var ((_, _), (states, make)) in findings)
        {
            net.SortStates(states);
            diagnostics.Add(make(net.StateSuffix(states)));
        }

        return result;
    }

    /// <summary>Net-level inputs: one input_shape per input, or four input_dim values per input.</summary>
    private static IEnumerable<(BlobReference, Shape)> InputShapes(NetGraph net)
    {
        if (net.Inputs.Count == 0) yield break;
        var owner = net.Inputs[0].Field.Parent;
        var fields = owner switch { DocumentSyntax d => d.Fields.ToList(), MessageValueSyntax m => m.Fields.ToList(), _ => [] };
        var shapes = fields.Where(f => f.NameText == "input_shape").Select(f => f.Value as MessageValueSyntax).ToList();
        var dims = fields.Where(f => f.NameText == "input_dim").SelectMany(f => f.Value is ListValueSyntax l ? l.Elements : [f.Value])
            .Select(v => v is ScalarValueSyntax s && long.TryParse(s.Text, out var n) ? n : (long?)null).ToList();
        for (var i = 0; i < net.Inputs.Count; i++)
        {
            if (i < shapes.Count && shapes[i] is { } shape) yield return (net.Inputs[i], Shape.Of(Ints(shape, "dim").Select(d => (long?)d).ToArray()));
            else if (dims.Count >= 4 * (i + 1)) yield return (net.Inputs[i], Shape.Of(dims.Skip(4 * i).Take(4).ToArray()));
            else yield return (net.Inputs[i], Shape.Unknown);
        }
    }

    /// <summary>What one layer's computation needs and produces.</summary>
    /// <remarks>One object serves a whole state's layers (<see cref="Start"/> resets it), so nothing may keep it or its
    /// <see cref="Bottoms"/> beyond the layer: reports capture the layer's values, not the context.</remarks>
    private sealed class Context(Action<string, TextSpan, Func<string, Diagnostic>> report)
    {
        public LayerNode Layer { get; private set; } = null!;

        public List<Shape> Bottoms { get; } = [];

        public void Start(LayerNode layer)
        {
            Layer = layer;
            Bottoms.Clear();
            Params = 0;
            Statistics = null;
            Macs = 0;
        }

        public Shape Bottom => Bottoms.Count > 0 ? Bottoms[0] : Shape.Unknown;

        public MessageValueSyntax? Param(string name) => Block(Layer.Block, name);

        public long? Params { get; set; } = 0;

        public long? Statistics { get; set; }

        public long? Macs { get; set; } = 0;

        public TextSpan Span => Layer.SelectionSpan;

        public void Incompatible(string detail)
        {
            var (span, name) = (Span, Layer.DisplayName);
            report("PTX4001", span, suffix => DiagnosticCatalog.ShapesIncompatible(span, name, detail, suffix));
        }

        public void NotPositive(TextSpan span, string detail)
        {
            var name = Layer.DisplayName;
            report("PTX4002", span, suffix => DiagnosticCatalog.DimensionNotPositive(span, name, detail, suffix));
        }
    }

    private static Shape Same(Context c) => c.Bottom;

    [ThreadStatic]
    private static Shape[]? _oneTop;

    private static Shape[] Compute(Context c)
    {
        var layer = c.Layer;
        var n = layer.Tops.Count;

        switch (layer.TypeName)
        {
            case "AbsVal" or "BNLL" or "Clip" or "Dropout" or "ELU" or "Exp" or "Log" or "Power" or "ReLU" or "Sigmoid" or "Swish" or "TanH" or "Threshold"
                or "LRN" or "MVN" or "Softmax":
                c.Params = 0;
                return Fill(n, Same(c));
            case "Split":
                return Fill(n, Same(c));
            case "LSTMUnit":
                // Bottoms c_{t−1} (1×N×D), gates (1×N×4D), cont; both tops (c_t, h_t) are shaped like c_{t−1}.
                return Fill(n, Same(c));
            case "Silence" or "HDF5Output":
                return [];
            case "PReLU":
                c.Params = Bool(c.Param("prelu_param"), "channel_shared", false) ? 1 : c.Bottom.Rank >= 2 ? c.Bottom[1] : c.Bottom.IsKnownRank ? 1 : null;
                return Fill(n, Same(c));
            case "BatchNorm":
                c.Params = 0;
                c.Statistics = c.Bottom.Rank >= 2 ? c.Bottom[1] is { } ch ? 2 * ch + 1 : null : c.Bottom.IsKnownRank ? 3 : null;
                return Fill(n, Same(c));
            case "Scale":
                return Fill(n, ScaleOrBias(c, c.Param("scale_param"), isScale: true));
            case "Bias":
                return Fill(n, ScaleOrBias(c, c.Param("bias_param"), isScale: false));
            case "Convolution" or "Deconvolution" or "Im2col":
                return Fill(n, Convolution(c, layer.TypeName));
            case "Pooling":
                return Pooling(c, n);
            case "InnerProduct":
                return Fill(n, InnerProduct(c));
            case "Eltwise":
                return Fill(n, Eltwise(c));
            case "Concat":
                return Fill(n, Concat(c));
            case "Slice":
                return Slice(c, n);
            case "Flatten":
                return Fill(n, Flatten(c));
            case "Reshape":
                return Fill(n, Reshape(c));
            case "Crop":
                return Fill(n, Crop(c));
            case "Tile":
                return Fill(n, Tile(c));
            case "Reduction":
            {
                var axis = c.Bottom.Axis(Int(c.Param("reduction_param"), "axis") ?? 0);
                return Fill(n, axis is { } a ? new Shape(c.Bottom.Dims!.Take(a).ToArray()) : Shape.Unknown);
            }
            case "ArgMax":
                return Fill(n, ArgMax(c));
            case "Embed":
            {
                var p = c.Param("embed_param");
                var output = Int(p, "num_output");
                var inputDim = Int(p, "input_dim");
                c.Params = output is { } o && inputDim is { } i ? i * o + (Bool(p, "bias_term", true) ? o : 0) : null;
                return Fill(n, c.Bottom.Dims is { } embedDims ? new Shape([.. embedDims, output]) : Shape.Unknown);
            }
            case "Input":
                return InputLayer(c, n);
            case "DummyData":
                return DummyData(c, n);
            case "Parameter":
            {
                var shape = Block(c.Param("parameter_param"), "shape") is { } s ? Shape.Of(Ints(s, "dim").Select(d => (long?)d).ToArray()) : Shape.Unknown;
                c.Params = shape.Count;
                return Fill(n, shape);
            }
            case "Data":
            {
                var batch = Int(c.Param("data_param"), "batch_size");
                var crop = CropSize(c, "data_param");
                return DataTops(n, Shape.Of(batch, null, crop > 0 ? crop : null, crop > 0 ? crop : null), batch);
            }
            case "ImageData":
            {
                var p = c.Param("image_data_param");
                var batch = Int(p, "batch_size") ?? 1;
                var crop = CropSize(c, "image_data_param");
                var channels = Bool(p, "is_color", true) ? 3 : 1;
                long? h = Int(p, "new_height") is > 0 and var nh ? nh : null, w = Int(p, "new_width") is > 0 and var nw ? nw : null;
                if (crop > 0) (h, w) = (crop, crop);
                return DataTops(n, Shape.Of(batch, channels, h, w), batch);
            }
            case "WindowData":
            {
                var p = c.Param("window_data_param");
                var batch = Int(p, "batch_size");
                var crop = CropSize(c, "window_data_param");
                // The channels come from the window file, not from the net.
                return DataTops(n, Shape.Of(batch, null, crop > 0 ? crop : null, crop > 0 ? crop : null), batch);
            }
            case "MemoryData":
            {
                var p = c.Param("memory_data_param");
                var batch = Int(p, "batch_size");
                return DataTops(n, Shape.Of(batch, Int(p, "channels"), Int(p, "height"), Int(p, "width")), batch);
            }
            case "HDF5Data":
                // No weights; the shapes come from the HDF5 files.
                return Fill(n, Shape.Unknown);
            case "Python" or "Recurrent":
                c.Params = null;
                c.Macs = null;
                return Fill(n, Shape.Unknown);
            case "Accuracy":
            {
                var axis = c.Bottom.Axis(Int(c.Param("accuracy_param"), "axis") ?? 1);
                return n <= 1 ? [Shape.Scalar] : [Shape.Scalar, axis is { } a ? Shape.Of(c.Bottom[a]) : Shape.Unknown];
            }
            case "SoftmaxWithLoss" or "InfogainLoss":
                // The optional second top is the softmax of bottom 0.
                return n <= 1 ? [Shape.Scalar] : [Shape.Scalar, c.Bottom];
            case "ContrastiveLoss" or "EuclideanLoss" or "HingeLoss" or "MultinomialLogisticLoss" or "SigmoidCrossEntropyLoss":
                return Fill(n, Shape.Scalar);
            case "SPP":
            {
                var height = Int(c.Param("spp_param"), "pyramid_height") ?? 0;
                if (c.Bottom.Rank != 4) return Fill(n, Shape.Unknown);
                // One level is a single pooling to 1×1 (4 axes); more levels are pooled, flattened and concatenated:
                // level l pools to 2^l × 2^l bins.
                if (height == 1) return Fill(n, Shape.Of(c.Bottom[0], c.Bottom[1], 1, 1));
                // Past 31 levels the bin count does not fit a long (and for a height past int.MaxValue the loop below would
                // never end: `pyramid_height: 2147483648` hung the analysis), so the size is unknown.
                if (height > 31) return Fill(n, Shape.Of(c.Bottom[0], null));
                long bins = 0;
                for (var l = 0; l < height; l++) bins += 1L << (2 * l);
                return Fill(n, Shape.Of(c.Bottom[0], c.Bottom[1] is { } sppChannels ? Shape.SafeMul(sppChannels, bins) : null));
            }
            case "LSTM" or "RNN":
                return Recurrent(c, n, layer.TypeName == "LSTM");
            case "Filter":
                return c.Bottoms.Take(n).Select(b => b.Dims is { Count: > 0 } d ? new Shape([null, .. d.Skip(1)]) : Shape.Unknown).ToArray();
            case "BatchReindex":
                return Fill(n, c.Bottom.Dims is { Count: > 0 } d && c.Bottoms.Count > 1 ? new Shape([c.Bottoms[1][0], .. d.Skip(1)]) : Shape.Unknown);
            // Common fork layers (SSD, py-faster-rcnn, R-FCN, PSPNet, SegNet, BN forks), by their fields' usual names.
            case "Normalize":
                c.Params = Bool(c.Param("norm_param"), "channel_shared", true) ? 1 : c.Bottom.Rank >= 2 ? c.Bottom[1] : null;
                return Fill(n, Same(c));
            case "BN":
                c.Params = c.Bottom.Rank >= 2 && c.Bottom[1] is { } bnChannels ? 2 * bnChannels : null;
                return Fill(n, Same(c));
            case "Permute":
            {
                var order = Ints(c.Param("permute_param"), "order");
                if (c.Bottom.Dims is not { } permDims) return Fill(n, Shape.Unknown);
                var full = order.Where(o => o >= 0 && o < permDims.Count).Select(o => (int)o).Distinct().ToList();
                full.AddRange(Enumerable.Range(0, permDims.Count).Where(i => !full.Contains(i)));
                return Fill(n, new Shape(full.Select(i => permDims[i]).ToArray()));
            }
            case "ROIPooling":
            {
                var p = c.Param("roi_pooling_param");
                var rois = c.Bottoms.Count > 1 ? c.Bottoms[1][0] : null;
                return Fill(n, Shape.Of(rois, c.Bottom[1], Int(p, "pooled_h"), Int(p, "pooled_w")));
            }
            case "PSROIPooling":
            {
                var p = c.Param("psroi_pooling_param");
                var rois = c.Bottoms.Count > 1 ? c.Bottoms[1][0] : null;
                var group = Int(p, "group_size");
                return Fill(n, Shape.Of(rois, Int(p, "output_dim"), group, group));
            }
            case "Upsample":
            {
                var p = c.Param("upsample_param");
                var scale = Int(p, "scale") ?? 2;
                long? h = Int(p, "upsample_h") ?? (c.Bottom[2] is { } bh ? bh * (Int(p, "scale_h") ?? scale) : null);
                long? w = Int(p, "upsample_w") ?? (c.Bottom[3] is { } bw ? bw * (Int(p, "scale_w") ?? scale) : null);
                return Fill(n, c.Bottom.Rank == 4 ? Shape.Of(c.Bottom[0], c.Bottom[1], h, w) : Shape.Unknown);
            }
            case "Interp":
            {
                var p = c.Param("interp_param");
                long? h = Int(p, "height"), w = Int(p, "width");
                if (h is null && Int(p, "zoom_factor") is { } zoom && c.Bottom[2] is { } ih && c.Bottom[3] is { } iw)
                    (h, w) = (ih + (ih - 1) * (zoom - 1), iw + (iw - 1) * (zoom - 1));
                if (h is null && Int(p, "shrink_factor") is { } shrink && shrink > 0 && c.Bottom[2] is { } sh && c.Bottom[3] is { } sw)
                    (h, w) = ((sh - 1) / shrink + 1, (sw - 1) / shrink + 1);
                return Fill(n, c.Bottom.Rank == 4 ? Shape.Of(c.Bottom[0], c.Bottom[1], h, w) : Shape.Unknown);
            }
            case "DetectionOutput":
                return Fill(n, Shape.Of(1, 1, null, 7));
            case "PriorBox":
            {
                // SSD: aspect ratios start with 1; each new ratio adds itself and, with flip (default), its inverse.
                var p = c.Param("prior_box_param");
                var ratios = new List<double> { 1 };
                foreach (var r in Doubles(p, "aspect_ratio"))
                {
                    if (ratios.Any(x => Math.Abs(x - r) < 1e-6)) continue;
                    ratios.Add(r);
                    if (Bool(p, "flip", true) && r != 0) ratios.Add(1 / r);
                }

                var priors = ratios.Count * Doubles(p, "min_size").Count + Doubles(p, "max_size").Count;
                var cells = c.Bottom.Rank == 4 ? c.Bottom.CountRange(2, 4) : null;
                return Fill(n, Shape.Of(1, 2, cells is { } hw ? hw * priors * 4 : null));
            }
            default:
                c.Params = null;
                c.Macs = null;
                return Fill(n, Shape.Unknown);
        }
    }

    /// <summary>
    /// transform_param's crop_size; in a V1 net, Caffe's upgrade first moves a crop_size written in the data layer's own
    /// param block (DATA, IMAGE_DATA, WINDOW_DATA) into transform_param. The current format ignores that field.
    /// </summary>
    /// <summary>n tops of one shape (a static helper, not a local function: a closure over n was allocated on every layer).</summary>
    private static Shape[] Fill(int n, Shape s)
    {
        if (n == 1)
        {
            // Nearly every layer has one top: the caller reads the array before the next layer, so one serves them all.
            var one = _oneTop ??= new Shape[1];
            one[0] = s;
            return one;
        }

        var tops = new Shape[n];
        Array.Fill(tops, s);
        return tops;
    }

    private static long CropSize(Context c, string dataParam) =>
        Int(c.Param("transform_param"), "crop_size") ?? (c.Layer.Format == LayerFormat.V1 ? Int(c.Param(dataParam), "crop_size") : null) ?? 0;

    private static List<double> Doubles(MessageValueSyntax? block, string name) =>
        block?.Fields.Where(f => f.NameText == name)
            .SelectMany(f => f.Value is ListValueSyntax l ? l.Elements : [f.Value])
            .Select(v => v is ScalarValueSyntax s && NumberLiteral.TryParseDouble(s.TokenText, out var d) ? (s.IsNegative ? -d : d) : (double?)null)
            .OfType<double>().ToList() ?? [];

    private static Shape[] DataTops(int n, Shape data, long? batch) =>
        n == 0 ? [] : n == 1 ? [data] : [data, Shape.Of(batch), .. Enumerable.Repeat(Shape.Unknown, n - 2)];

    private static Shape[] InputLayer(Context c, int n)
    {
        var shapes = Blocks(c.Param("input_param"), "shape").Select(s => Shape.Of(Ints(s, "dim").Select(d => (long?)d).ToArray())).ToList();
        if (shapes.Count == 0) return Enumerable.Repeat(Shape.Unknown, n).ToArray();
        return Enumerable.Range(0, n).Select(i => shapes.Count == 1 ? shapes[0] : i < shapes.Count ? shapes[i] : Shape.Unknown).ToArray();
    }

    private static Shape[] DummyData(Context c, int n)
    {
        var p = c.Param("dummy_data_param");
        var shapes = Blocks(p, "shape").Select(s => Shape.Of(Ints(s, "dim").Select(d => (long?)d).ToArray())).ToList();
        if (shapes.Count == 0)
        {
            var num = Ints(p, "num");
            var ch = Ints(p, "channels");
            var h = Ints(p, "height");
            var w = Ints(p, "width");
            long? Pick(List<long> l, int i) => l.Count == 0 ? null : l.Count == 1 ? l[0] : i < l.Count ? l[i] : null;
            return Enumerable.Range(0, n).Select(i => num.Count == 0 ? Shape.Unknown : Shape.Of(Pick(num, i), Pick(ch, i), Pick(h, i), Pick(w, i))).ToArray();
        }

        return Enumerable.Range(0, n).Select(i => shapes.Count == 1 ? shapes[0] : i < shapes.Count ? shapes[i] : Shape.Unknown).ToArray();
    }

    /// <summary>One value per spatial axis from a repeated field (one value for all, or one per axis) or its _h/_w pair; null when malformed.</summary>
    private static long[]? PerAxis(MessageValueSyntax? p, string name, int axes, long defaultValue)
    {
        var values = new long[Math.Max(0, axes)];
        return PerAxis(p, name, values, defaultValue) ? values : null;
    }

    /// <summary>As <see cref="PerAxis(MessageValueSyntax?, string, int, long)"/>, into one slot per axis; false when malformed.</summary>
    private static bool PerAxis(MessageValueSyntax? p, string name, Span<long> values, long defaultValue)
    {
        var (repeated, hName, wName) = name switch
        {
            "kernel" => ("kernel_size", "kernel_h", "kernel_w"),
            "stride" => ("stride", "stride_h", "stride_w"),
            "pad" => ("pad", "pad_h", "pad_w"),
            "dilation" => ("dilation", "dilation_h", "dilation_w"),
            _ => (name, name + "_h", name + "_w"),
        };
        var axes = values.Length;
        var h = Int(p, hName);
        var w = Int(p, wName);
        if ((h is not null || w is not null) && axes == 2)
        {
            values[0] = h ?? defaultValue;
            values[1] = w ?? defaultValue;
            return true;
        }

        // Nearly always zero or one value: counted without collecting them into a list first.
        var count = CountInts(p, repeated, out var first);
        if (count > 1)
        {
            if (count != axes) return false;
            var all = Ints(p, repeated);
            if (all.Count != axes) return false;
            for (var i = 0; i < axes; i++) values[i] = all[i];
            return true;
        }

        values.Fill(count == 1 ? first : defaultValue);
        return true;
    }

    private static Shape Convolution(Context c, string type)
    {
        var p = type == "Im2col" ? c.Param("convolution_param") : c.Param("convolution_param");
        var bottom = c.Bottom;
        var axis = bottom.Axis(Int(p, "axis") ?? 1);
        var output = Int(p, "num_output");
        var group = Math.Max(1, Int(p, "group") ?? 1);
        var biasTerm = Bool(p, "bias_term", true);
        if (axis is not { } a)
        {
            c.Params = output is null ? null : c.Params;
            c.Params = null;
            c.Macs = null;
            return Shape.Unknown;
        }

        var spatialAxes = Math.Max(0, bottom.Rank - a - 1);
        // Per-axis values on the stack (a 2-D convolution has two of each), not four arrays a layer.
        var perAxis = spatialAxes <= 8 ? stackalloc long[4 * spatialAxes] : new long[4 * spatialAxes];
        Span<long> kernel = perAxis[..spatialAxes], stride = perAxis.Slice(spatialAxes, spatialAxes),
            pad = perAxis.Slice(2 * spatialAxes, spatialAxes), dilation = perAxis.Slice(3 * spatialAxes, spatialAxes);
        var kernelKnown = PerAxis(p, "kernel", kernel, 0);
        var windowKnown = kernelKnown && PerAxis(p, "stride", stride, 1) && PerAxis(p, "pad", pad, 0) && PerAxis(p, "dilation", dilation, 1);
        var channels = bottom[a];
        // Unknown when the kernel is missing or malformed (PTX4003 says so): no weights can be counted then.
        long? kernelCount = kernelKnown && AllPositive(kernel) ? Product(kernel) : null;
        var outer = bottom.CountRange(0, a);
        var spatialIn = bottom.CountRange(a + 1, bottom.Rank);
        // The output shape: the bottom's leading axes, the channels, then one size per spatial axis.
        var dims = new long?[a + 1 + spatialAxes];
        var outDims = dims.AsSpan(a + 1);
        if (windowKnown && AllPositive(kernel))
        {
            for (var i = 0; i < spatialAxes; i++)
            {
                if (bottom[a + 1 + i] is not { } input) continue;

                var extent = dilation[i] * (kernel[i] - 1) + 1;
                long value = type == "Deconvolution"
                    ? stride[i] * (input - 1) + extent - 2 * pad[i]
                    : (input + 2 * pad[i] - extent) / Math.Max(1, stride[i]) + 1;
                // Caffe's int division truncates toward zero (as C#'s does): a kernel at most stride − 1 larger than the
                // padded input still gives 1 output, which Caffe accepts; only a size ≤ 0 stops it.
                if (value <= 0)
                {
                    var axisName = spatialAxes == 2 ? (i == 0 ? "height" : "width") : $"spatial axis {i}";
                    c.NotPositive(c.Span, type == "Deconvolution"
                        ? $"output {axisName} = {stride[i]}·({input} − 1) + {extent} − 2·{pad[i]} = {value}"
                        : $"output {axisName} = ({input} + 2·{pad[i]} − {extent}) / {stride[i]} + 1 = {value}: the kernel (extent {extent}) is larger than the padded input ({input + 2 * pad[i]})");
                }
                else
                {
                    outDims[i] = value;
                }
            }
        }

        long? spatialOut = 1;
        foreach (var d in outDims) spatialOut = d is { } known && spatialOut is { } so0 ? so0 * known : null;
        for (var i = 0; i < a; i++) dims[i] = bottom.Dims![i];
        if (type == "Im2col")
        {
            c.Params = 0;
            c.Macs = 0;
            dims[a] = channels is { } ch && kernelCount is { } kc ? ch * kc : null;
            return new Shape(dims);
        }

        if (type == "Convolution")
        {
            c.Params = output is { } o && channels is { } cin && kernelCount is { } kc ? o * (cin / group) * kc + (biasTerm ? o : 0) : null;
            c.Macs = output is { } o2 && channels is { } cin2 && outer is { } nn && spatialOut is { } so && kernelCount is { } kc2 ? nn * o2 * (cin2 / group) * kc2 * so : null;
        }
        else
        {
            c.Params = output is { } o && channels is { } cin && kernelCount is { } kc ? cin * (o / group) * kc + (biasTerm ? o : 0) : null;
            c.Macs = output is { } o2 && channels is { } cin2 && outer is { } nn && spatialIn is { } si && kernelCount is { } kc2 ? nn * cin2 * (o2 / group) * kc2 * si : null;
        }

        if (channels is { } cIn && cIn % group != 0) c.Incompatible($"group {group} does not divide the {cIn} input channels (bottom {bottom})");
        if (output is { } cOut && cOut % group != 0) c.Incompatible($"group {group} does not divide num_output {cOut}");
        dims[a] = output;
        return new Shape(dims);
    }

    private static bool AllPositive(ReadOnlySpan<long> values)
    {
        foreach (var v in values)
            if (v <= 0) return false;
        return true;
    }

    private static long Product(ReadOnlySpan<long> values)
    {
        var product = 1L;
        foreach (var v in values) product *= v;
        return product;
    }


    private static Shape[] Pooling(Context c, int n)
    {
        var p = c.Param("pooling_param");
        var bottom = c.Bottom;
        c.Params = 0;
        if (bottom.Rank != 4) return Enumerable.Repeat(bottom.IsKnownRank ? Shape.Unknown : Shape.Unknown, n).ToArray();
        var global = Bool(p, "global_pooling", false);
        long?[] outDims = [null, null];
        if (global)
        {
            outDims = [1, 1];
        }
        else if (PerAxis(p, "kernel", 2, 0) is { } kernel && PerAxis(p, "stride", 2, 1) is { } stride && PerAxis(p, "pad", 2, 0) is { } pad && kernel.All(k => k > 0))
        {
            var floor = Scalar(p, "round_mode") is "FLOOR" or "1";
            var padded = pad[0] != 0 || pad[1] != 0; // Caffe checks the last window on both axes when either is padded
            for (var i = 0; i < 2; i++)
            {
                if (bottom[2 + i] is not { } input) continue;
                var span = input + 2 * pad[i] - kernel[i];
                var s = Math.Max(1, stride[i]);
                var value = (floor ? (long)Math.Floor(span / (double)s) : (long)Math.Ceiling(span / (double)s)) + 1;
                if (padded && (value - 1) * s >= input + pad[i]) value--;
                if (value <= 0)
                {
                    c.NotPositive(c.Span, $"output {(i == 0 ? "height" : "width")} = {(floor ? "floor" : "ceil")}(({input} + 2·{pad[i]} − {kernel[i]}) / {s}) + 1 = {value}: the kernel is larger than the padded input");
                    continue;
                }

                outDims[i] = value;
            }
        }

        var top = Shape.Of(bottom[0], bottom[1], outDims[0], outDims[1]);
        return Enumerable.Repeat(top, n).ToArray(); // a MAX pooling mask has the output's shape
    }

    private static Shape InnerProduct(Context c)
    {
        var p = c.Param("inner_product_param");
        var output = Int(p, "num_output");
        var axis = c.Bottom.Axis(Int(p, "axis") ?? 1);
        if (axis is not { } a)
        {
            c.Params = null;
            c.Macs = null;
            return Shape.Unknown;
        }

        var k = c.Bottom.CountRange(a, c.Bottom.Rank);
        var m = c.Bottom.CountRange(0, a);
        c.Params = output is { } o && k is { } kk ? o * kk + (Bool(p, "bias_term", true) ? o : 0) : null;
        c.Macs = output is { } o2 && k is { } k2 && m is { } mm ? mm * k2 * o2 : null;
        return new Shape([.. c.Bottom.Dims!.Take(a), output]);
    }

    private static Shape ScaleOrBias(Context c, MessageValueSyntax? p, bool isScale)
    {
        var bottom = c.Bottom;
        c.Params = null;
        var axisValue = Int(p, "axis") ?? 1;
        var numAxes = Int(p, "num_axes") ?? 1;
        if (c.Bottoms.Count > 1)
        {
            // The factor comes from the second bottom: its shape must match the first's from `axis` on.
            var second = c.Bottoms[1];
            if (bottom.Dims is { } d && second.Dims is { } s2)
            {
                var start = axisValue < 0 ? axisValue + d.Count : axisValue;
                var expected = start >= 0 && start + s2.Count <= d.Count ? new Shape(d.Skip((int)start).Take(s2.Count).ToArray()) : null;
                if (expected is null || expected.ConflictsWith(second))
                    c.Incompatible($"the second bottom's shape {second} does not match the first bottom {bottom} from axis {axisValue}");
            }

            var channels = second.Count;
            c.Params = isScale ? Bool(p, "bias_term", false) ? channels : 0 : 0;
            return bottom;
        }

        if (bottom.Axis(axisValue) is { } a)
        {
            var end = numAxes < 0 ? bottom.Rank : a + (int)numAxes;
            var count = bottom.CountRange(a, Math.Min(end, bottom.Rank));
            c.Params = count is { } cnt ? isScale ? cnt + (Bool(p, "bias_term", false) ? cnt : 0) : cnt : null;
        }

        return bottom;
    }

    private static Shape Eltwise(Context c)
    {
        var first = c.Bottom;
        for (var i = 1; i < c.Bottoms.Count; i++)
        {
            if (first.ConflictsWith(c.Bottoms[i]))
            {
                c.Incompatible($"Eltwise inputs must have the same shape, but bottom 0 is {first} and bottom {i} ('{c.Layer.Bottoms[i].Name}') is {c.Bottoms[i]}");
                break;
            }
        }

        return Merge(c.Bottoms);
    }

    /// <summary>The known dimensions of equally shaped blobs combined.</summary>
    private static Shape Merge(List<Shape> shapes)
    {
        var known = shapes.FirstOrDefault(s => s.IsKnownRank);
        if (known is null) return Shape.Unknown;
        var dims = known.Dims!.ToArray();
        foreach (var s in shapes)
        {
            if (s.Dims is null || s.Dims.Count != dims.Length) continue;
            for (var i = 0; i < dims.Length; i++) dims[i] ??= s.Dims[i];
        }

        return new Shape(dims);
    }

    private static Shape Concat(Context c)
    {
        var p = c.Param("concat_param");
        var axisValue = Int(p, "concat_dim") is { } legacy && !Has(p, "axis") ? legacy : Int(p, "axis") ?? 1;
        var first = c.Bottom;
        if (first.Axis(axisValue) is not { } a) return Shape.Unknown;
        var dims = first.Dims!.ToArray();
        long? total = 0;
        for (var i = 0; i < c.Bottoms.Count; i++)
        {
            var b = c.Bottoms[i];
            if (b.Dims is null)
            {
                total = null;
                continue;
            }

            var conflict = b.Dims.Count != dims.Length;
            for (var j = 0; !conflict && j < dims.Length; j++)
            {
                if (j == a) continue;
                if (dims[j] is { } x && b.Dims[j] is { } y && x != y) conflict = true;
                dims[j] ??= b.Dims[j];
            }

            if (conflict)
            {
                c.Incompatible($"Concat along axis {a} needs every other axis equal, but bottom 0 is {first} and bottom {i} ('{c.Layer.Bottoms[i].Name}') is {b}");
                return Shape.Unknown;
            }

            total = total is { } t && b.Dims[a] is { } d ? t + d : null;
        }

        dims[a] = total;
        return new Shape(dims);
    }

    private static Shape[] Slice(Context c, int n)
    {
        var p = c.Param("slice_param");
        var axisValue = Int(p, "slice_dim") is { } legacy && !Has(p, "axis") ? legacy : Int(p, "axis") ?? 1;
        var bottom = c.Bottom;
        if (bottom.Axis(axisValue) is not { } a || n == 0) return Enumerable.Repeat(Shape.Unknown, n).ToArray();
        var points = Ints(p, "slice_point");
        var size = bottom[a];
        var sizes = new long?[n];
        if (points.Count > 0)
        {
            if (points.Count != n - 1)
            {
                c.Incompatible($"{points.Count} slice_point value(s) for {n} tops; give one fewer than the tops");
                return Enumerable.Repeat(Shape.Unknown, n).ToArray();
            }

            long previous = 0;
            for (var i = 0; i < n; i++)
            {
                long? end = i < points.Count ? points[i] : size;
                sizes[i] = end - previous;
                if (end is { } e) previous = e;
            }

            if (points[0] <= 0 || points.Zip(points.Skip(1)).Any(x => x.First >= x.Second) || (size is { } total && points[^1] >= total))
                c.Incompatible($"slice points {string.Join(", ", points)} do not fit axis {a} of size {size?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} (bottom {bottom}): each must be above the one before it, the first above 0 and the last below the size");
        }
        else if (size is { } total)
        {
            if (total % n != 0) c.Incompatible($"axis {a} of size {total} cannot be split into {n} equal slices (bottom {bottom})");
            for (var i = 0; i < n; i++) sizes[i] = total / n;
        }

        return sizes.Select(s => new Shape(bottom.Dims!.Select((d, i) => i == a ? s : d).ToArray())).ToArray();
    }

    private static Shape Flatten(Context c)
    {
        var p = c.Param("flatten_param");
        var bottom = c.Bottom;
        if (bottom.Axis(Int(p, "axis") ?? 1) is not { } start || bottom.Axis(Int(p, "end_axis") ?? -1) is not { } end) return Shape.Unknown;
        return new Shape([.. bottom.Dims!.Take(start), bottom.CountRange(start, end + 1), .. bottom.Dims!.Skip(end + 1)]);
    }

    private static Shape Reshape(Context c)
    {
        var p = c.Param("reshape_param");
        var bottom = c.Bottom;
        var spec = Ints(Block(p, "shape"), "dim");
        if (bottom.Dims is null) return Shape.Unknown;
        var axis = Int(p, "axis") ?? 0;
        var numAxes = Int(p, "num_axes") ?? -1;
        var start = (int)(axis < 0 ? axis + bottom.Rank + 1 : axis);
        if (start < 0 || start > bottom.Rank) return Shape.Unknown;
        var end = numAxes == -1 ? bottom.Rank : start + (int)numAxes;
        if (end > bottom.Rank) return Shape.Unknown;
        var middle = new long?[spec.Count];
        var infer = -1;
        for (var i = 0; i < spec.Count; i++)
        {
            if (spec[i] == 0) middle[i] = bottom[start + i];
            else if (spec[i] == -1) infer = i;
            else middle[i] = spec[i];
        }

        var dims = new List<long?>([.. bottom.Dims.Take(start), .. middle, .. bottom.Dims.Skip(end)]);
        var inferAt = infer >= 0 ? start + infer : -1;
        if (bottom.Count is { } count)
        {
            var known = dims.Where((d, i) => i != inferAt).Aggregate((long?)1, (x, d) => x is { } xx && d is { } dd ? xx * dd : null);
            if (inferAt >= 0)
            {
                if (known is { } k && k > 0)
                {
                    if (count % k != 0) c.Incompatible($"cannot infer the -1 dimension: {count} values (bottom {bottom}) are not a multiple of {k}");
                    else dims[inferAt] = count / k;
                }
            }
            else if (known is { } k2 && k2 != count)
            {
                c.Incompatible($"Reshape changes the number of values: bottom {bottom} has {count}, the new shape {new Shape(dims)} has {k2}");
            }
        }

        return new Shape(dims);
    }

    private static Shape Crop(Context c)
    {
        var p = c.Param("crop_param");
        if (c.Bottoms.Count < 2) return Shape.Unknown;
        var (bottom, reference) = (c.Bottoms[0], c.Bottoms[1]);
        if (bottom.Axis(Int(p, "axis") ?? 2) is not { } a || bottom.Dims is null || reference.Dims is null || reference.Rank != bottom.Rank) return Shape.Unknown;
        var offsets = Ints(p, "offset");
        var dims = bottom.Dims.ToArray();
        for (var i = a; i < dims.Length; i++)
        {
            var offset = offsets.Count == 0 ? 0 : offsets.Count == 1 ? offsets[0] : i - a < offsets.Count ? offsets[i - a] : 0;
            var size = reference.Dims[i];
            if (size is { } s && bottom.Dims[i] is { } input && offset + s > input)
                c.Incompatible($"Crop is larger than its input on axis {i}: offset {offset} + size {s} > {input} (bottom {bottom}, reference {reference})");
            dims[i] = size;
        }

        return new Shape(dims);
    }

    private static Shape Tile(Context c)
    {
        var p = c.Param("tile_param");
        if (c.Bottom.Axis(Int(p, "axis") ?? 1) is not { } a) return Shape.Unknown;
        var tiles = Int(p, "tiles");
        return new Shape(c.Bottom.Dims!.Select((d, i) => i == a ? d is { } dd && tiles is { } t ? dd * t : null : d).ToArray());
    }

    private static Shape ArgMax(Context c)
    {
        var p = c.Param("argmax_param");
        var topK = Int(p, "top_k") ?? 1;
        var bottom = c.Bottom;
        if (bottom.Dims is null) return Shape.Unknown;
        if (Int(p, "axis") is { } axisValue)
        {
            if (bottom.Axis(axisValue) is not { } a) return Shape.Unknown;
            return new Shape(bottom.Dims.Select((d, i) => i == a ? (long?)topK : d).ToArray());
        }

        var dims = Enumerable.Repeat<long?>(1, Math.Max(3, bottom.Rank)).ToArray();
        dims[0] = bottom[0];
        dims[2] = topK;
        if (Bool(p, "out_max_val", false)) dims[1] = 2;
        return new Shape(dims);
    }

    private static Shape[] Recurrent(Context c, int n, bool lstm)
    {
        var p = c.Param("recurrent_param");
        var hidden = Int(p, "num_output");
        var x = c.Bottom;
        var input = x.Rank >= 2 ? x.CountRange(2, x.Rank) : null;
        var steps = x[0];
        var batch = x[1];
        if (lstm)
        {
            c.Params = hidden is { } h && input is { } i ? 4 * h * i + 4 * h + 4 * h * h : null;
            c.Macs = hidden is { } h2 && input is { } i2 && steps is { } t && batch is { } b ? t * b * (4 * h2 * i2 + 4 * h2 * h2) : null;
        }
        else
        {
            c.Params = hidden is { } h && input is { } i ? h * i + h + h * h + h * h + h : null;
            c.Macs = hidden is { } h2 && input is { } i2 && steps is { } t && batch is { } b ? t * b * (h2 * i2 + 2 * h2 * h2) : null;
        }

        // Bottoms: x, cont, then x_static when there are more than 2 (+ the exposed hidden state inputs). The static
        // input goes through one more weight (gates·H × its per-item size, no bias), once per sequence.
        var exposeHidden = Bool(p, "expose_hidden", false);
        var recurrentBlobs = lstm ? 2 : 1;
        if (c.Bottoms.Count > 2 + (exposeHidden ? recurrentBlobs : 0))
        {
            var gates = lstm ? 4 : 1;
            var xStatic = c.Bottoms[2];
            var staticSize = xStatic.Rank >= 1 ? xStatic.CountRange(1, xStatic.Rank) : null;
            c.Params = c.Params is { } p0 && hidden is { } h && staticSize is { } s ? p0 + gates * h * s : null;
            c.Macs = c.Macs is { } m0 && hidden is { } h2 && staticSize is { } s2 && batch is { } b ? m0 + b * gates * h2 * s2 : null;
        }

        var top = x.IsKnownRank && x.Rank >= 2 ? Shape.Of(steps, batch, hidden) : Shape.Unknown;
        // With expose_hidden the next tops are the last hidden (and, for LSTM, cell) state: 1 × N × num_output.
        var state = exposeHidden && x.IsKnownRank && x.Rank >= 2 ? Shape.Of(1, batch, hidden) : Shape.Unknown;
        return Enumerable.Range(0, n).Select(i => i == 0 ? top : state).ToArray();
    }

    /// <summary>PTX4003: parameters a layer cannot be set up without.</summary>
    private static void CheckRequired(LayerNode layer, List<Diagnostic> diagnostics)
    {
        if (layer.Format == LayerFormat.V0) return;
        var block = layer.Block;
        void Missing(string what) => diagnostics.Add(DiagnosticCatalog.ParameterMissing(layer.SelectionSpan, layer.TypeName!, layer.DisplayName, what));
        switch (layer.TypeName)
        {
            case "Convolution" or "Deconvolution":
            {
                var p = Block(block, "convolution_param");
                if (Int(p, "num_output") is null) Missing("convolution_param { num_output } (the number of filters)");
                if (!Has(p, "kernel_size") && !(Has(p, "kernel_h") && Has(p, "kernel_w"))) Missing("a kernel size: convolution_param { kernel_size } (or kernel_h and kernel_w)");
                break;
            }
            case "Im2col":
            {
                var p = Block(block, "convolution_param");
                if (!Has(p, "kernel_size") && !(Has(p, "kernel_h") && Has(p, "kernel_w"))) Missing("a kernel size: convolution_param { kernel_size } (or kernel_h and kernel_w)");
                break;
            }
            case "InnerProduct":
                if (Int(Block(block, "inner_product_param"), "num_output") is null) Missing("inner_product_param { num_output }");
                break;
            case "Pooling":
            {
                var p = Block(block, "pooling_param");
                if (!Bool(p, "global_pooling", false) && !Has(p, "kernel_size") && !(Has(p, "kernel_h") && Has(p, "kernel_w")))
                    Missing("a kernel size: pooling_param { kernel_size } (or kernel_h and kernel_w, or global_pooling: true)");
                break;
            }
            case "Embed":
            {
                var p = Block(block, "embed_param");
                if (Int(p, "num_output") is null) Missing("embed_param { num_output }");
                if (Int(p, "input_dim") is null) Missing("embed_param { input_dim } (the vocabulary size)");
                break;
            }
            case "LSTM" or "RNN":
                if (Int(Block(block, "recurrent_param"), "num_output") is null) Missing("recurrent_param { num_output }");
                break;
        }
    }
}
