using PrototxtLsp.Core.Semantics;
using PrototxtLsp.Core.Text;

namespace PrototxtLsp.Core.Features;

/// <summary>A node of the drawn graph: a layer (with the in-place layers folded into it) or a net input.</summary>
/// <param name="Id">Stable within one response: "L12" for the layer at index 12, "I0" for the first net input.</param>
/// <param name="Folded">In-place layers drawn inside this node (ReLU, BatchNorm, Scale, Dropout … on its top).</param>
public sealed record GraphNode(string Id, string Name, string Type, TextSpan Span, IReadOnlyList<GraphFolded> Folded, IReadOnlyList<GraphBlob> Tops, long? Params, long? Macs);

/// <summary>A layer folded into its producer's node.</summary>
public sealed record GraphFolded(string Name, string Type, TextSpan Span);

public sealed record GraphBlob(string Name, string Shape);

/// <summary>An edge: a blob written by one node and read by another.</summary>
public sealed record GraphEdge(string From, string To, string Blob, string Shape);

public sealed record LayerGraphModel(IReadOnlyList<string> States, int State, IReadOnlyList<GraphNode> Nodes, IReadOnlyList<GraphEdge> Edges);

/// <summary>
/// The net as a picture for one state: layers as nodes, blobs on edges, layers that work in place on their bottom
/// (every top equal to the bottom at its index) folded into the node that produced that blob, as Netscope and Netron
/// draw them.
/// </summary>
public static class LayerGraphView
{
    public static LayerGraphModel? Build(DocumentAnalysis analysis, int stateIndex = -1)
    {
        var net = analysis.Nets.FirstOrDefault();
        if (net is null || net.States.Count == 0) return null;
        if (stateIndex < 0 || stateIndex >= net.States.Count)
            stateIndex = Math.Max(0, net.States.ToList().FindIndex(s => s.Phase == NetPhase.Test && s.Stages.Count == 0));
        var state = net.States[stateIndex];
        var shapes = stateIndex < net.Shapes.Count ? net.Shapes[stateIndex] : null;
        string ShapeOf(BlobReference top) => shapes?.Tops.GetValueOrDefault(top)?.ToString() ?? "?";

        // Which node draws each write of a blob, following in-place chains back to their first producer.
        var owner = new Dictionary<BlobReference, string>(ReferenceEqualityComparer.Instance);
        var nodes = new List<(string Id, LayerNode? Layer, BlobReference? Input, List<GraphFolded> Folded)>();
        var byId = new Dictionary<string, (string Id, LayerNode? Layer, BlobReference? Input, List<GraphFolded> Folded)>();
        for (var i = 0; i < net.Inputs.Count; i++)
        {
            var node = ($"I{i}", (LayerNode?)null, (BlobReference?)net.Inputs[i], new List<GraphFolded>());
            nodes.Add(node);
            byId[node.Item1] = node;
            owner[net.Inputs[i]] = node.Item1;
        }

        var edges = new List<GraphEdge>();
        var edgeKeys = new HashSet<(string From, string To, string Blob)>(); // edges drawn so far: a lookup, not a scan of the list
        foreach (var layer in net.Layers)
        {
            if (!layer.IsIncludedIn(state)) continue;
            var inPlace = layer.Tops.Count > 0 && layer.Tops.All(t => t.Index < layer.Bottoms.Count && layer.Bottoms[t.Index].Name == t.Name);
            var producerNode = inPlace ? ProducerNode(net, layer.Bottoms[0], state, owner) : null;
            if (producerNode is not null)
            {
                byId[producerNode].Folded.Add(new GraphFolded(layer.DisplayName, layer.TypeName ?? layer.TypeText ?? "?", layer.Field.Span));
                foreach (var t in layer.Tops) owner[t] = producerNode;
                // Other bottoms of an in-place layer (rare) still draw edges into the node.
                foreach (var b in layer.Bottoms.Skip(1)) AddEdge(net, b, producerNode, state, owner, edges, edgeKeys, ShapeOf);
                continue;
            }

            var id = $"L{layer.Index}";
            var entry = (id, (LayerNode?)layer, (BlobReference?)null, new List<GraphFolded>());
            nodes.Add(entry);
            byId[id] = entry;
            foreach (var t in layer.Tops) owner[t] = id;
            foreach (var b in layer.Bottoms) AddEdge(net, b, id, state, owner, edges, edgeKeys, ShapeOf);
        }

        var result = nodes.Select(n =>
        {
            if (n.Input is { } input)
                return new GraphNode(n.Id, input.Name, "Input", input.Field.Span, [], [new GraphBlob(input.Name, ShapeOf(input))], 0, 0);
            var layer = n.Layer!;
            var cost = shapes?.Costs.GetValueOrDefault(layer);
            // The shape a node shows is its last write: after the folded in-place layers.
            var tops = layer.Tops.Select(t => new GraphBlob(t.Name, ShapeOf(t))).ToList();
            return new GraphNode(n.Id, layer.DisplayName, layer.TypeName ?? layer.TypeText ?? "?", layer.Field.Span, n.Folded, tops, cost?.Params, cost?.Macs);
        }).ToList();
        return new LayerGraphModel(net.States.Select(s => s.Describe()).ToList(), stateIndex, result, edges);
    }

    private static string? ProducerNode(NetGraph net, BlobReference bottom, NetState state, Dictionary<BlobReference, string> owner)
    {
        foreach (var producer in net.ProducersOf(bottom))
        {
            if (producer.Layer is { } l && !l.IsIncludedIn(state)) continue;
            if (owner.TryGetValue(producer, out var id)) return id;
        }

        return null;
    }

    private static void AddEdge(NetGraph net, BlobReference bottom, string to, NetState state, Dictionary<BlobReference, string> owner, List<GraphEdge> edges, HashSet<(string From, string To, string Blob)> edgeKeys, Func<BlobReference, string> shapeOf)
    {
        foreach (var producer in net.ProducersOf(bottom))
        {
            if (producer.Layer is { } l && !l.IsIncludedIn(state)) continue;
            if (!owner.TryGetValue(producer, out var from) || from == to) continue;
            if (edgeKeys.Add((from, to, bottom.Name))) edges.Add(new GraphEdge(from, to, bottom.Name, shapeOf(producer)));
            return;
        }
    }
}
