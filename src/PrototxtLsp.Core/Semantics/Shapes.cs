using PrototxtLsp.Core.Syntax;

namespace PrototxtLsp.Core.Semantics;

/// <summary>
/// An N-D blob shape. <see cref="Dims"/> null means even the number of axes is unknown; a null dimension is unknown
/// (shown as <c>?</c>). An empty shape is a scalar (a loss).
/// </summary>
public sealed record Shape(IReadOnlyList<long?>? Dims)
{
    public static Shape Unknown { get; } = new((IReadOnlyList<long?>?)null);

    public static Shape Scalar { get; } = new(Array.Empty<long?>());

    public static Shape Of(params long?[] dims) => new(dims);

    public bool IsKnownRank => Dims is not null;

    public int Rank => Dims?.Count ?? -1;

    public bool IsFullyKnown
    {
        get
        {
            if (Dims is null) return false;
            for (var i = 0; i < Dims.Count; i++)
                if (Dims[i] is null) return false;
            return true;
        }
    }

    /// <summary>The number of elements, when every dimension is known.</summary>
    public long? Count => Dims is null ? null : CountRange(0, Dims.Count);

    public long? this[int axis] => Dims is not null && axis >= 0 && axis < Dims.Count ? Dims[axis] : null;

    /// <summary>Caffe's CanonicalAxisIndex: a negative axis counts from the end. Null when out of range.</summary>
    public int? Axis(long axis) => Dims is null ? null : axis < -Dims.Count || axis >= Dims.Count ? null : (int)(axis < 0 ? axis + Dims.Count : axis);

    /// <summary>The product of dims [from, to), null when any is unknown.</summary>
    public long? CountRange(int from, int to)
    {
        if (Dims is null) return null;
        long result = 1;
        for (var i = from; i < to && i < Dims.Count; i++)
        {
            if (Dims[i] is not { } d) return null;
            result = SafeMul(result, d);
        }

        return result;
    }

    public override string ToString() =>
        Dims is null ? "?" : Dims.Count == 0 ? "scalar" : string.Join("×", Dims.Select(d => d?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"));

    /// <summary>True when both are known to differ somewhere (unknown dimensions never differ).</summary>
    public bool ConflictsWith(Shape other)
    {
        if (Dims is null || other.Dims is null) return false;
        if (Dims.Count != other.Dims.Count) return true;
        for (var i = 0; i < Dims.Count; i++)
            if (Dims[i] is { } a && other.Dims[i] is { } b && a != b) return true;
        return false;
    }

    /// <summary>The product, or long.MaxValue when it does not fit (no exception: a saturated size stays cheap).</summary>
    internal static long SafeMul(long a, long b)
    {
        var product = (Int128)a * b;
        return product > long.MaxValue || product < long.MinValue ? long.MaxValue : (long)product;
    }
}

/// <summary>What one layer costs in one state.</summary>
/// <param name="Params">Learnable values (weights and biases); null when a shape it depends on is unknown.</param>
/// <param name="Statistics">Non-learned stored values (BatchNorm's running mean, variance and factor), not in Params.</param>
/// <param name="Macs">Multiply-accumulates for the whole batch (Convolution, Deconvolution, InnerProduct, LSTM/RNN; 0 elsewhere, Embed included: it is a lookup).</param>
/// <param name="ActivationBytes">float32 bytes of the layer's tops (in-place tops included), null when a shape is unknown.</param>
public sealed record LayerCost(long? Params, long? Statistics, long? Macs, long? ActivationBytes);

/// <summary>Shapes and costs of one net in one state.</summary>
public sealed class NetShapes
{
    internal NetShapes(NetState state, NetGraph net) : this(state, new TopShapes(net), new LayerCosts(net))
    {
    }

    private NetShapes(NetState state, TopShapes tops, LayerCosts costs)
    {
        State = state;
        Tops = tops;
        Costs = costs;
    }

    /// <summary>The same shapes and costs for another state that includes exactly the same layers (shared, not copied).</summary>
    internal NetShapes For(NetState state) => new(state, Tops, Costs);

    public NetState State { get; }

    /// <summary>The shape written by each top (and net input) that exists in this state.</summary>
    public TopShapes Tops { get; }

    /// <summary>The cost of each layer that exists in this state.</summary>
    public LayerCosts Costs { get; }
}

/// <summary>
/// The shape of each top and net input of one net in one state, read like a dictionary. Kept in one array by top
/// position in the net (<see cref="LayerNode.FirstTop"/>) rather than hashed: a 9,000-layer net has 14,000 tops,
/// and a dictionary entry per top cost more to build than the inference that fills it.
/// </summary>
public sealed class TopShapes
{
    private readonly Shape?[] _inputs;
    private readonly Shape?[] _tops;
    private readonly NetGraph _net;

    internal TopShapes(NetGraph net)
    {
        _net = net;
        _inputs = new Shape?[net.Inputs.Count];
        _tops = new Shape?[net.TopCount];
    }

    /// <summary>The shape of a top or net input of this net; null for a bottom, a reference from another net, or a top not in this state.</summary>
    private Shape? Find(BlobReference top)
    {
        if (!top.IsTop) return null;
        if (top.Layer is not { } layer)
            return top.Index < _inputs.Length && ReferenceEquals(_net.Inputs[top.Index], top) ? _inputs[top.Index] : null;
        return layer.Index < _net.Layers.Count && ReferenceEquals(_net.Layers[layer.Index], layer) ? _tops[layer.FirstTop + top.Index] : null;
    }

    internal void Set(BlobReference top, Shape shape)
    {
        if (top.Layer is { } layer) _tops[layer.FirstTop + top.Index] = shape;
        else _inputs[top.Index] = shape;
    }

    public bool TryGetValue(BlobReference top, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Shape? shape)
    {
        shape = Find(top);
        return shape is not null;
    }

    public bool ContainsKey(BlobReference top) => TryGetValue(top, out _);

    public Shape? GetValueOrDefault(BlobReference top) => TryGetValue(top, out var shape) ? shape : null;

    public Shape this[BlobReference top] => TryGetValue(top, out var shape) ? shape : throw new KeyNotFoundException($"'{top.Name}' has no shape in this state.");
}

/// <summary>The cost of each layer of one net in one state (those the state includes), read like a dictionary; an array by layer position.</summary>
public sealed class LayerCosts
{
    // A row of four numbers per layer, not a LayerCost object each (a 10,000-layer net: 0.4 MB instead of 0.9 MB);
    // Unknown stands for null. The LayerCost a reader asks for is made then.
    private readonly Row[] _rows;
    private readonly NetGraph _net;

    private const long Unknown = long.MinValue;

    private struct Row
    {
        public long Params, Statistics, Macs, ActivationBytes;
        public bool Set;
    }

    internal LayerCosts(NetGraph net)
    {
        _net = net;
        _rows = new Row[net.Layers.Count];
    }

    internal void Set(LayerNode layer, long? parameters, long? statistics, long? macs, long? activationBytes) =>
        _rows[layer.Index] = new Row
        {
            Params = parameters ?? Unknown, Statistics = statistics ?? Unknown, Macs = macs ?? Unknown,
            ActivationBytes = activationBytes ?? Unknown, Set = true,
        };

    private static long? Known(long value) => value == Unknown ? null : value;

    public bool TryGetValue(LayerNode layer, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out LayerCost? cost)
    {
        cost = null;
        if (layer.Index >= _rows.Length || !ReferenceEquals(_net.Layers[layer.Index], layer)) return false;
        ref readonly var row = ref _rows[layer.Index];
        if (!row.Set) return false;
        cost = new LayerCost(Known(row.Params), Known(row.Statistics), Known(row.Macs), Known(row.ActivationBytes));
        return true;
    }

    public bool ContainsKey(LayerNode layer) => layer.Index < _rows.Length && ReferenceEquals(_net.Layers[layer.Index], layer) && _rows[layer.Index].Set;

    public LayerCost? GetValueOrDefault(LayerNode layer) => TryGetValue(layer, out var cost) ? cost : null;

    public LayerCost this[LayerNode layer] => TryGetValue(layer, out var cost) ? cost : throw new KeyNotFoundException($"'{layer.DisplayName}' is not in this state.");
}

/// <summary>Reads values from a layer's blocks the way the layer's code does (defaults from caffe.proto).</summary>
internal static class LayerFields
{
    public static MessageValueSyntax? Block(MessageValueSyntax? parent, string name) =>
        parent?.LastField(name)?.Block;

    public static IEnumerable<MessageValueSyntax> Blocks(MessageValueSyntax? parent, string name)
    {
        if (parent is null) yield break;
        foreach (var f in parent.Fields)
            if (f.NameText == name && f.Block is { } m) yield return m;
    }

    /// <summary>Every value of a (possibly repeated, possibly list-valued) numeric field, as integers.</summary>
    public static List<long> Ints(MessageValueSyntax? block, string name)
    {
        var result = new List<long>();
        ScanInts(block, name, result, out _);
        return result;
    }

    /// <summary>How many integer values <see cref="Ints"/> would return, and the first of them (0 when none), without a list.</summary>
    public static int CountInts(MessageValueSyntax? block, string name, out long first) => ScanInts(block, name, null, out first);

    private static int ScanInts(MessageValueSyntax? block, string name, List<long>? all, out long first)
    {
        first = 0;
        if (block is null) return 0;
        var count = 0;
        foreach (var f in block.Fields)
        {
            if (f.NameText != name) continue;
            if (f.TryGetScalar(out var token, out var negative))
            {
                if (ParseInt(f.Table, token, negative) is not { } n) continue;
                if (count++ == 0) first = n;
                all?.Add(n);
            }
            else if (f.ValueKind == SyntaxKind.ListValue && f.Value is ListValueSyntax l)
            {
                foreach (var v in l.ElementsAndSeparators)
                {
                    if (v is not ScalarValueSyntax s || ParseInt(s) is not { } n) continue;
                    if (count++ == 0) first = n;
                    all?.Add(n);
                }
            }
        }

        return count;
    }

    /// <summary>The last integer value of the field (what protobuf keeps for a repeated scalar set twice).</summary>
    public static long? Int(MessageValueSyntax? block, string name)
    {
        if (block is null) return null;
        var fields = block.Fields;
        for (var i = fields.Length - 1; i >= 0; i--)
        {
            var f = fields[i];
            if (f.NameText != name) continue;
            if (f.TryGetScalar(out var token, out var negative))
            {
                if (ParseInt(f.Table, token, negative) is { } n) return n;
            }
            else if (f.ValueKind == SyntaxKind.ListValue && f.Value is ListValueSyntax l)
            {
                for (var j = l.ElementsAndSeparators.Count - 1; j >= 0; j--)
                    if (l.ElementsAndSeparators[j] is ScalarValueSyntax e && ParseInt(e) is { } n) return n;
            }
        }

        return null;
    }

    public static bool Bool(MessageValueSyntax? block, string name, bool defaultValue)
    {
        var text = Scalar(block, name);
        return text is null ? defaultValue : text is "true" or "True" or "t" or "1";
    }

    public static string? Scalar(MessageValueSyntax? block, string name)
    {
        if (block is null) return null;
        var fields = block.Fields;
        for (var i = fields.Length - 1; i >= 0; i--)
        {
            if (fields[i].NameText != name) continue;
            if (fields[i].TryGetScalar(out var token, out var negative)) return negative ? "-" + fields[i].Table.Text(token) : fields[i].Table.Text(token);
            if (fields[i].ValueKind == SyntaxKind.ScalarValue) return ((ScalarValueSyntax)fields[i].Value).Text; // '-' with no number after it
        }

        return null;
    }

    public static bool Has(MessageValueSyntax? block, string name) => block?.LastField(name) is not null;

    private static long? ParseInt(ScalarValueSyntax s) => s.IsMissing ? null : ParseInt(s.Table, s.TokenIndex, s.IsNegative);

    private static long? ParseInt(TokenTable table, int token, bool negative)
    {
        if (table.Kind(token) != SyntaxKind.IntegerLiteral) return null;
        if (NumberLiteral.TryParseUnsigned(table.Text(token), out var u) != NumberLiteral.IntegerParse.Ok || u > long.MaxValue) return null;
        return negative ? -(long)u : (long)u;
    }
}
