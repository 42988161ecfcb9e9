using System.Globalization;
using System.Text;
using PrototxtLsp.Core.Semantics;
using PrototxtLsp.Core.Text;

namespace PrototxtLsp.Core.Features;

/// <summary>A label shown after a position (the shape after a <c>top: "…"</c>).</summary>
public sealed record InlayHintInfo(int Position, string Label, string Tooltip);

/// <summary>A line shown above a layer (its parameters and multiply-accumulates).</summary>
public sealed record CodeLensInfo(TextSpan Span, string Title);

/// <summary>Where shapes and costs reach the editor: inlay hints, code lenses and hover text.</summary>
public static class ShapeHints
{
    /// <summary>After each top (and net input) in the range: its shape, per state when the states disagree.</summary>
    public static IReadOnlyList<InlayHintInfo> InlayHints(DocumentAnalysis analysis, TextSpan? range = null)
    {
        var result = new List<InlayHintInfo>();
        foreach (var net in analysis.Nets)
        {
            foreach (var top in net.Inputs.Concat(net.Layers.SelectMany(l => l.Tops)))
            {
                if (range is { } r && (top.Span.End < r.Start || top.Span.Start > r.End)) continue;
                var shapes = net.ShapesOf(top);
                if (shapes.Count == 0) continue;
                result.Add(new InlayHintInfo(top.Span.End, Describe(net, shapes), $"Shape of '{top.Name}' (N×C×H×W for images; ? is unknown)"));
            }
        }

        return result.OrderBy(h => h.Position).ToList();
    }

    /// <summary>"1×64×112×112", or "TRAIN 64×3×224×224 · TEST 50×3×224×224" when states differ.</summary>
    public static string Describe(NetGraph net, IReadOnlyList<(Shape Shape, IReadOnlyList<NetState> States)> shapes) =>
        shapes.Count == 1
            ? shapes[0].Shape.ToString()
            : string.Join(" · ", shapes.Select(s => string.Join("/", s.States.Select(st => st.Describe())) + " " + s.Shape));

    /// <summary>Above each layer: "params 34,944 · MACs 1.05 G" (for the TEST state when the layer exists there).</summary>
    public static IReadOnlyList<CodeLensInfo> CodeLenses(DocumentAnalysis analysis)
    {
        var result = new List<CodeLensInfo>();
        foreach (var net in analysis.Nets)
        {
            foreach (var layer in net.Layers)
            {
                if (Cost(net, layer) is not var (cost, state)) continue;
                var title = $"params {Count(cost.Params)} · MACs {Count(cost.Macs, metric: true)} · activations {Bytes(cost.ActivationBytes)}";
                if (cost.Statistics is { } stats) title += $" · statistics {Count(stats)}";
                if (net.States.Count > 1 && net.StatesOf(layer).Count < net.States.Count) title += $" ({state.Describe()})";
                result.Add(new CodeLensInfo(layer.Field.NameSpan, title));
            }
        }

        return result;
    }

    /// <summary>The layer's cost in TEST when it exists there, else in its first state.</summary>
    public static (LayerCost Cost, NetState State)? Cost(NetGraph net, LayerNode layer)
    {
        var shapes = net.Shapes.Where(s => s.Costs.ContainsKey(layer)).OrderBy(s => s.State.Phase == NetPhase.Test ? 0 : 1).FirstOrDefault();
        return shapes is null ? null : (shapes.Costs[layer], shapes.State);
    }

    /// <summary>Markdown for hovering a layer's name: type, blobs with shapes, parameters, MACs, activations.</summary>
    public static string LayerMarkdown(NetGraph net, LayerNode layer)
    {
        var sb = new StringBuilder();
        sb.Append("**layer** `").Append(layer.DisplayName).Append("` · ").Append(layer.TypeName ?? layer.TypeText ?? "?").Append("\n\n");
        foreach (var b in layer.Bottoms)
        {
            var producer = net.ProducersOf(b).FirstOrDefault();
            var shape = producer is null ? "?" : Describe(net, net.ShapesOf(producer));
            sb.Append("- bottom `").Append(b.Name).Append("`: ").Append(shape).Append('\n');
        }

        foreach (var t in layer.Tops)
            sb.Append("- top `").Append(t.Name).Append("`: ").Append(net.ShapesOf(t) is { Count: > 0 } s ? Describe(net, s) : "?").Append('\n');

        if (Cost(net, layer) is var (cost, state))
        {
            sb.Append('\n').Append("Parameters: ").Append(Count(cost.Params));
            if (cost.Statistics is { } stats) sb.Append(" (plus ").Append(Count(stats)).Append(" statistics)");
            sb.Append(" · MACs: ").Append(Count(cost.Macs, metric: true)).Append(" · activations: ").Append(Bytes(cost.ActivationBytes));
            if (net.States.Count > 1) sb.Append(" (").Append(state.Describe()).Append(')');
            sb.Append('\n');
        }

        var states = net.StatesOf(layer);
        if (states.Count < net.States.Count) sb.Append("\nExists in ").Append(states.Count == 0 ? "no state" : string.Join("; ", states.Select(s => s.Describe()))).Append(".\n");
        return sb.ToString();
    }

    public static string Count(long? value, bool metric = false)
    {
        if (value is not { } v) return "?";
        if (!metric || v < 10_000) return v.ToString("N0", CultureInfo.InvariantCulture);
        return v switch
        {
            >= 1_000_000_000 => (v / 1e9).ToString("0.##", CultureInfo.InvariantCulture) + " G",
            >= 1_000_000 => (v / 1e6).ToString("0.##", CultureInfo.InvariantCulture) + " M",
            _ => (v / 1e3).ToString("0.##", CultureInfo.InvariantCulture) + " k",
        };
    }

    public static string Bytes(long? value) => value switch
    {
        null => "?",
        < 1024 => $"{value} B",
        < 1024 * 1024 => (value.Value / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KiB",
        _ => (value.Value / (1024.0 * 1024)).ToString("0.0", CultureInfo.InvariantCulture) + " MiB",
    };
}
