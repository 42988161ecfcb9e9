using PrototxtLsp.Core.Semantics;
using PrototxtLsp.Core.Syntax;
using PrototxtLsp.Core.Text;

namespace PrototxtLsp.Core.Features;

/// <summary>A blob occurrence found by navigation: where, and whether it writes the blob (top, input) or reads it.</summary>
public readonly record struct BlobOccurrence(TextSpan Span, bool IsWrite);

/// <summary>Go to definition, find references and highlights over the net graph's bottom/top connections.</summary>
public static class Navigation
{
    /// <summary>
    /// On a bottom: the top (or net input) that produced it, per state (usually one). On a top written in place:
    /// the earlier write it overwrites. On any other top: itself.
    /// </summary>
    public static IReadOnlyList<TextSpan> Definition(DocumentAnalysis analysis, int offset)
    {
        if (analysis.BlobAt(offset) is not var (net, reference)) return [];
        if (!reference.IsTop) return net.ProducersOf(reference).Select(p => p.Span).ToList();
        var previous = net.PreviousProducersOf(reference);
        return previous.Count > 0 ? previous.Select(p => p.Span).ToList() : [reference.Span];
    }

    /// <summary>Every bottom, top and input of the blob under the cursor (the whole in-place chain), in file order.</summary>
    public static IReadOnlyList<BlobOccurrence> References(DocumentAnalysis analysis, int offset, bool includeWrites = true)
    {
        if (analysis.BlobAt(offset) is not var (net, reference)) return [];
        return net.ReferencesNamed(reference.Name)
            .Where(r => includeWrites || !r.IsTop)
            .Select(r => new BlobOccurrence(r.Span, r.IsTop))
            .OrderBy(o => o.Span.Start)
            .ToList();
    }
}

/// <summary>What a rename at an offset would rename: a blob (all its occurrences) or a layer's name.</summary>
public sealed record RenameTarget(TextSpan Span, string Placeholder, bool IsBlob);

/// <summary>The edits of a rename, or why it is refused.</summary>
public sealed record RenameOutcome(IReadOnlyList<TextReplacement> Edits, string? Error);

public static class Rename
{
    public static RenameTarget? Prepare(DocumentAnalysis analysis, int offset)
    {
        if (analysis.BlobAt(offset) is var (_, reference)) return new RenameTarget(reference.Span, reference.Name, IsBlob: true);
        if (analysis.LayerAt(offset) is var (_, layer) && layer.NameValue is { } name && name.Span.Start <= offset && offset <= name.Span.End)
            return new RenameTarget(name.Span, layer.Name!, IsBlob: false);
        return null;
    }

    public static RenameOutcome Apply(DocumentAnalysis analysis, int offset, string newName)
    {
        if (newName.Length == 0) return new RenameOutcome([], "The new name is empty.");
        if (newName.IndexOfAny(['\r', '\n']) >= 0) return new RenameOutcome([], "A name cannot contain a line break.");
        var text = Quote(newName);
        if (analysis.BlobAt(offset) is var (net, reference))
        {
            if (newName == reference.Name) return new RenameOutcome([], null);
            if (net.References.Any(r => r.Name == newName))
                return new RenameOutcome([], $"This net already has a blob named '{newName}'; renaming '{reference.Name}' to it would join two blobs. Choose another name.");
            return new RenameOutcome(net.ReferencesNamed(reference.Name).OrderBy(r => r.Span.Start).Select(r => new TextReplacement(r.Span, text)).ToList(), null);
        }

        if (analysis.LayerAt(offset) is var (layerNet, layer) && layer.NameValue is { } nameValue && nameValue.Span.Start <= offset && offset <= nameValue.Span.End)
        {
            if (newName == layer.Name) return new RenameOutcome([], null);
            if (layerNet.Layers.Any(l => l.Name == newName))
                return new RenameOutcome([], $"Another layer is already named '{newName}'; layer names should be unique. Choose another name.");
            return new RenameOutcome([new TextReplacement(nameValue.Span, text)], null);
        }

        return new RenameOutcome([], "Only blob names (in bottom, top or input) and layer names can be renamed.");
    }

    internal static string Quote(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}

/// <summary>A layer as an item of the call hierarchy (layers call the layers that consume their tops).</summary>
public sealed record LayerItem(string Name, string Detail, TextSpan Span, TextSpan SelectionSpan);

/// <summary>A neighbour in the layer graph and the blob occurrences that connect it.</summary>
public sealed record LayerCall(LayerItem Layer, IReadOnlyList<TextSpan> Ranges);

/// <summary>The layer graph as a call hierarchy: incoming = producers of a layer's bottoms, outgoing = consumers of its tops.</summary>
public static class LayerHierarchy
{
    public static LayerItem? Prepare(DocumentAnalysis analysis, int offset) =>
        analysis.LayerAt(offset) is var (_, layer) ? Item(layer) : null;

    /// <summary>Layers whose tops this layer reads; ranges are those tops (in the producing layer).</summary>
    public static IReadOnlyList<LayerCall> Incoming(DocumentAnalysis analysis, int offset)
    {
        if (analysis.LayerAt(offset) is not var (net, layer)) return [];
        return layer.Bottoms.SelectMany(b => net.ProducersOf(b))
            .Where(p => p.Layer is not null && p.Layer != layer)
            .GroupBy(p => p.Layer!)
            .OrderBy(g => g.Key.Index)
            .Select(g => new LayerCall(Item(g.Key), g.Select(p => p.Span).Distinct().ToList()))
            .ToList();
    }

    /// <summary>Layers that read this layer's tops; ranges are this layer's tops they read.</summary>
    public static IReadOnlyList<LayerCall> Outgoing(DocumentAnalysis analysis, int offset)
    {
        if (analysis.LayerAt(offset) is not var (net, layer)) return [];
        return layer.Tops.SelectMany(t => net.ConsumersOf(t).Select(c => (Top: t, Consumer: c)))
            .Where(x => x.Consumer.Layer is not null && x.Consumer.Layer != layer)
            .GroupBy(x => x.Consumer.Layer!)
            .OrderBy(g => g.Key.Index)
            .Select(g => new LayerCall(Item(g.Key), g.Select(x => x.Top.Span).Distinct().ToList()))
            .ToList();
    }

    private static LayerItem Item(LayerNode layer) =>
        new(layer.DisplayName,
            $"{layer.TypeName ?? layer.TypeText ?? "?"}: {string.Join(", ", layer.Bottoms.Select(b => b.Name))} → {string.Join(", ", layer.Tops.Select(t => t.Name))}",
            layer.Field.Span, layer.SelectionSpan);
}
