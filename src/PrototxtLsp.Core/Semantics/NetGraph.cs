using PrototxtLsp.Core.Syntax;
using PrototxtLsp.Core.Text;

namespace PrototxtLsp.Core.Semantics;

public enum NetPhase
{
    Train = 0,
    Test = 1,
}

/// <summary>One way Caffe can instantiate the net: a phase, a level and a set of stages.</summary>
public sealed record NetState(NetPhase Phase, int Level, IReadOnlyList<string> Stages)
{
    public string Describe() =>
        (Phase == NetPhase.Train ? "TRAIN" : "TEST") +
        (Stages.Count == 0 ? "" : $" with stage{(Stages.Count == 1 ? "" : "s")} " + string.Join(", ", Stages.Select(s => $"'{s}'"))) +
        (Level == 0 ? "" : $" at level {Level}");
}

/// <summary>An <c>include</c> or <c>exclude</c> rule (NetStateRule); null members were not written.</summary>
public sealed record NetStateRuleInfo(NetPhase? Phase, int? MinLevel, int? MaxLevel, IReadOnlyList<string> Stages, IReadOnlyList<string> NotStages)
{
    /// <summary>Caffe's StateMeetsRule: every condition the rule names must hold.</summary>
    public bool Matches(NetState state)
    {
        if ((Phase is not null && Phase != state.Phase) || (MinLevel is not null && state.Level < MinLevel) || (MaxLevel is not null && state.Level > MaxLevel))
            return false;
        // Loops rather than LINQ: the rules of every layer are evaluated in every state the net is checked in.
        for (var i = 0; i < Stages.Count; i++)
            if (!HasStage(state, Stages[i])) return false;
        for (var i = 0; i < NotStages.Count; i++)
            if (HasStage(state, NotStages[i])) return false;
        return true;
    }

    private static bool HasStage(NetState state, string stage)
    {
        for (var i = 0; i < state.Stages.Count; i++)
            if (state.Stages[i] == stage) return true;
        return false;
    }
}

public enum LayerFormat
{
    /// <summary><c>layer { type: "Convolution" }</c></summary>
    Current,
    /// <summary><c>layers { type: CONVOLUTION }</c></summary>
    V1,
    /// <summary><c>layers { layer { type: "conv" } bottom: … }</c></summary>
    V0,
}

/// <summary>A blob name as written in a <c>bottom</c>, a <c>top</c> or a net-level <c>input</c>.</summary>
public sealed class BlobReference
{
    internal BlobReference(FieldSyntax field, int nameId, LayerNode? layer, bool isTop, int index)
    {
        NameId = nameId;
        Field = field;
        Layer = layer;
        _position = isTop ? ~index : index;
    }

    // 56 bytes a reference (a 10,000-layer net has 20,000): the name, the literal and the hash are read from the
    // field and the object itself rather than kept, and "top or bottom" is the sign of the position.
    private readonly int _position;

    /// <summary>The blob's name (the literal's decoded value).</summary>
    public string Name => Field.Table.ValueById(NameId);

    /// <summary>The name's number among the document's texts (<see cref="StringValueSyntax.ValueId"/>): equal names, equal numbers.</summary>
    internal int NameId { get; }

    /// <summary>The string literal (quotes included): the field's value.</summary>
    public StringValueSyntax Value => (StringValueSyntax)Field.Value;

    public TextSpan Span => Value.Span;

    public FieldSyntax Field { get; }

    /// <summary>The layer, or null for a net input (<c>input: "data"</c>).</summary>
    public LayerNode? Layer { get; }

    /// <summary>A top or a net input: where a blob is written.</summary>
    public bool IsTop => _position < 0;

    public bool IsNetInput => Layer is null;

    /// <summary>Position among the layer's bottoms (or tops, or the net inputs).</summary>
    public int Index => _position < 0 ? ~_position : _position;

    // The graph's links, kept on the reference itself (no dictionaries to hash into): almost always one element.
    // Sources: of a bottom, the tops it reads; of a top, the earlier tops of its name it rewrites in place.
    internal RefList Sources;
    internal RefList Consumers;

    /// <summary>Equal only to itself (the runtime's identity hash; a long consumer list indexes its references in a set).</summary>
    public override bool Equals(object? obj) => ReferenceEquals(this, obj);

    public override int GetHashCode() => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(this);

    public override string ToString() => $"{(IsTop ? "top" : "bottom")} '{Name}' of {Layer?.DisplayName ?? "the net inputs"}";
}

/// <summary>
/// A small set of references without duplicates in one field (8 bytes, three per reference): nothing, the one
/// reference itself, or a list (indexed by a hash set once long: a blob read by 100,000 bottoms stays linear).
/// </summary>
internal struct RefList
{
    private object? _items; // null, a BlobReference, or a Many

    private sealed class Many(BlobReference first, BlobReference second)
    {
        public readonly List<BlobReference> List = [first, second];
        public HashSet<BlobReference>? Index;
    }

    public void Add(BlobReference value)
    {
        switch (_items)
        {
            case null:
                _items = value;
                break;
            case BlobReference single:
                if (!ReferenceEquals(single, value)) _items = new Many(single, value);
                break;
            case Many many:
                if (many.Index is not null)
                {
                    if (many.Index.Add(value)) many.List.Add(value);
                }
                else if (!many.List.Contains(value))
                {
                    many.List.Add(value);
                    if (many.List.Count > 16) many.Index = [.. many.List];
                }

                break;
        }
    }

    public readonly IReadOnlyList<BlobReference> ToList() => _items switch
    {
        Many many => many.List,
        BlobReference single => [single],
        _ => [],
    };

    public readonly void Sort(Comparison<BlobReference> comparison)
    {
        if (_items is Many many) many.List.Sort(comparison);
    }
}

/// <summary>A layer block of any format, with what the graph needs from it.</summary>
public sealed class LayerNode
{
    internal LayerNode(int index, FieldSyntax field, MessageValueSyntax block, LayerFormat format, int bottoms, int tops, FieldSyntax? nameField, FieldSyntax? typeField)
    {
        _nameField = nameField;
        _typeField = typeField;
        NameId = nameField?.StringValueId ?? -1;
        _blobs = bottoms + tops == 0 ? [] : new BlobReference[bottoms + tops];
        _topsFrom = bottoms;
        Index = index;
        Field = field;
        System.Diagnostics.Debug.Assert(ReferenceEquals(field.Block, block), "a layer's block is its field's value");
        Format = format;
    }

    public int Index { get; }

    /// <summary>The <c>layer</c>/<c>layers</c> field.</summary>
    public FieldSyntax Field { get; }

    /// <summary>The layer's block: its field's value.</summary>
    public MessageValueSyntax Block => Field.Block!;

    public LayerFormat Format { get; }

    // The name and type fields: their value nodes are made only when a feature asks (NameValue, TypeValue).
    private readonly FieldSyntax? _nameField;
    private readonly FieldSyntax? _typeField;

    /// <summary>The layer's name (the <c>name</c> literal's decoded value), null without one.</summary>
    public string? Name => _nameField?.StringValue;

    /// <summary>The name's number among the document's texts, -1 without a name (see <see cref="BlobReference.NameId"/>).</summary>
    internal int NameId { get; }

    /// <summary>The <c>name</c> value's string literal, when there is one.</summary>
    public StringValueSyntax? NameValue => _nameField?.Value as StringValueSyntax;

    /// <summary>The type as a current-format type string ("Convolution"), converted from V1/V0 names; null if none.</summary>
    public string? TypeName { get; internal set; }

    /// <summary>The type as written ("Convolution", CONVOLUTION, "conv").</summary>
    public string? TypeText { get; internal set; }

    public ValueSyntax? TypeValue => _typeField?.Value;

    public LayerTypeInfo? TypeInfo { get; internal set; }

    // One array sized by the caller to exactly the layer's bottoms and then its tops (nearly always one or two of
    // each), filled in order.
    private readonly BlobReference[] _blobs;
    private readonly int _topsFrom;
    private int _bottomCount;
    private int _topCount;

    public BlobList Bottoms => new(_blobs, 0, _bottomCount);

    public BlobList Tops => new(_blobs, _topsFrom, _topCount);

    internal void AddBottom(BlobReference bottom) => _blobs[_bottomCount++] = bottom;

    internal void AddTop(BlobReference top) => _blobs[_topsFrom + _topCount++] = top;

    /// <summary>The position of the layer's first top among all tops of its net, in layer order (per-top tables are flat arrays).</summary>
    internal int FirstTop { get; set; }

    // Most layers have no rules: the lists exist only once a rule is read, in one object for both kinds.
    private sealed class Rules
    {
        public List<NetStateRuleInfo>? Include;
        public List<NetStateRuleInfo>? Exclude;
    }

    private Rules? _rules;

    private List<NetStateRuleInfo>? IncludeRules => _rules?.Include;

    private List<NetStateRuleInfo>? ExcludeRules => _rules?.Exclude;

    public IReadOnlyList<NetStateRuleInfo> Include => IncludeRules ?? (IReadOnlyList<NetStateRuleInfo>)[];

    public IReadOnlyList<NetStateRuleInfo> Exclude => ExcludeRules ?? (IReadOnlyList<NetStateRuleInfo>)[];

    internal void AddRule(NetStateRuleInfo rule, bool include)
    {
        _rules ??= new Rules();
        (include ? _rules.Include ??= [] : _rules.Exclude ??= []).Add(rule);
    }

    /// <summary>How the layer is named in messages: its name, or its position.</summary>
    public string DisplayName => Name ?? $"#{Index + 1}";

    /// <summary>Where to point at the layer: its name value, else its keyword.</summary>
    public TextSpan SelectionSpan => NameValue?.Span ?? Field.NameSpan;

    /// <summary>Caffe's layer filter: with include rules, any must match; otherwise no exclude rule may match.</summary>
    public bool IsIncludedIn(NetState state)
    {
        if (IncludeRules is { Count: > 0 } include)
        {
            foreach (var rule in include)
                if (rule.Matches(state)) return true;
            return false;
        }

        if (ExcludeRules is { } exclude)
            foreach (var rule in exclude)
                if (rule.Matches(state)) return false;
        return true;
    }

    /// <summary>Equal only to itself (the runtime's identity hash: layers rarely key a dictionary now).</summary>
    public override bool Equals(object? obj) => ReferenceEquals(this, obj);

    public override int GetHashCode() => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(this);

    public override string ToString() => $"{DisplayName} ({TypeName ?? TypeText ?? "?"})";
}

/// <summary>
/// A layer's bottoms or tops: a read-only view of an array kept by the layer (no list object per layer), enumerated
/// without allocating by <c>foreach</c>.
/// </summary>
public readonly struct BlobList : IReadOnlyList<BlobReference>
{
    private readonly BlobReference[] _items;
    private readonly int _from;

    internal BlobList(BlobReference[] items, int from, int count)
    {
        _items = items;
        _from = from;
        Count = count;
    }

    public int Count { get; }

    public BlobReference this[int index] => (uint)index < (uint)Count ? _items[_from + index] : throw new ArgumentOutOfRangeException(nameof(index));

    public Enumerator GetEnumerator() => new(_items, _from, _from + Count);

    IEnumerator<BlobReference> IEnumerable<BlobReference>.GetEnumerator()
    {
        for (var i = 0; i < Count; i++) yield return _items[_from + i];
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => ((IEnumerable<BlobReference>)this).GetEnumerator();

    public struct Enumerator(BlobReference[] items, int from, int end)
    {
        private int _index = from - 1;

        public readonly BlobReference Current => items[_index];

        public bool MoveNext() => ++_index < end;
    }
}

/// <summary>
/// One net (the document, or a solver's inline <c>net_param</c>/<c>train_net_param</c>/<c>test_net_param</c>) as Caffe
/// builds it in each state: which layers exist, and for every bottom the exact top occurrence that produced it.
/// </summary>
public sealed class NetGraph
{
    internal NetGraph(FieldSyntax? owner, IReadOnlyList<LayerNode> layers, IReadOnlyList<BlobReference> inputs, IReadOnlyList<NetState> states, int nameCount, int topCount, IReadOnlyList<LayerNode> ruled)
    {
        _ruled = ruled;
        TopCount = topCount;
        NameCount = nameCount;
        Owner = owner;
        Layers = layers;
        Inputs = inputs;
        States = states;
    }

    /// <summary>The solver field holding an inline net, or null for a net document.</summary>
    public FieldSyntax? Owner { get; }

    public IReadOnlyList<LayerNode> Layers { get; }

    public IReadOnlyList<BlobReference> Inputs { get; }

    public IReadOnlyList<NetState> States { get; }

    /// <summary>
    /// One more than the largest name number among the net's layers and blobs: arrays of this length map a name to
    /// what the passes know of it (the producer of a blob so far, its shape, the first layer of a name). An array slot
    /// instead of a hash table entry: nets name their blobs just before using them, numbers are handed out in order
    /// of first appearance, so the slots a pass reads are next to those it just wrote, while a hash table sends each
    /// lookup to a random place — a cache miss apiece once a net has 100,000 names.
    /// </summary>
    internal int NameCount { get; }

    /// <summary>How many tops the net's layers have in all (<see cref="LayerNode.FirstTop"/> numbers them).</summary>
    internal int TopCount { get; }

    /// <summary>
    /// The states grouped by the layers they include: states with the same layers build the same graph and the same
    /// shapes, so each group is resolved and inferred once (a deploy net without rules: TRAIN and TEST are one
    /// group). Groups in order of their first state; states in <see cref="States"/> order.
    /// </summary>
    private sealed class SignatureComparer : IEqualityComparer<bool[]>
    {
        public static readonly SignatureComparer Instance = new();

        public bool Equals(bool[]? x, bool[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(bool[] signature)
        {
            var hash = new HashCode();
            hash.AddBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(signature.AsSpan()));
            return hash.ToHashCode();
        }
    }

    /// <summary>
    /// The states grouped by the layers they include (states in one group build the same net), each group with its
    /// inclusion by layer index, so that passes over a group's layers need not evaluate the rules again.
    /// </summary>
    internal IReadOnlyList<(NetState Representative, List<NetState> Members, bool[] Included)> StateClasses
    {
        get
        {
            if (_stateClasses is not null) return _stateClasses;
            var classes = new List<(NetState, List<NetState>, bool[])>();
            // By the set of layers each state includes; a hash of the set finds the class without comparing the set
            // with every class so far (a file naming thousands of stage sets would make that quadratic).
            var bySignature = new Dictionary<bool[], int>(SignatureComparer.Instance);
            foreach (var state in States)
            {
                // A layer without rules is in every state: only the ruled ones are asked (not every layer of a large net).
                var included = new bool[Layers.Count];
                Array.Fill(included, true);
                foreach (var layer in _ruled) included[layer.Index] = layer.IsIncludedIn(state);
                if (bySignature.TryGetValue(included, out var match))
                {
                    classes[match].Item2.Add(state);
                }
                else
                {
                    bySignature[included] = classes.Count;
                    classes.Add((state, [state], included));
                }
            }

            return _stateClasses = classes;
        }
    }

    private List<(NetState Representative, List<NetState> Members, bool[] Included)>? _stateClasses;

    private readonly IReadOnlyList<LayerNode> _ruled;

    /// <summary>The states in <see cref="States"/> order (for messages that name states found group by group).</summary>
    internal void SortStates(List<NetState> states)
    {
        if (states.Count < 2) return;
        states.Sort((a, b) => IndexOfState(a).CompareTo(IndexOfState(b)));
    }

    private int IndexOfState(NetState state)
    {
        for (var i = 0; i < States.Count; i++)
            if (ReferenceEquals(States[i], state)) return i;
        return States.Count;
    }

    /// <summary>Shapes and costs per state (same order as <see cref="States"/>).</summary>
    public IReadOnlyList<NetShapes> Shapes { get; internal set; } = [];

    /// <summary>The shape of a top or input in each state it exists in (distinct shapes with their states).</summary>
    public IReadOnlyList<(Shape Shape, IReadOnlyList<NetState> States)> ShapesOf(BlobReference top) =>
        Shapes.Where(s => s.Tops.ContainsKey(top))
            .GroupBy(s => s.Tops[top].ToString())
            .Select(g => (g.First().Tops[top], (IReadOnlyList<NetState>)g.Select(x => x.State).ToList()))
            .ToList();

    public IEnumerable<BlobReference> References =>
        Inputs.Concat(Layers.SelectMany(l => l.Bottoms.Concat(l.Tops)));

    /// <summary>The tops (or net inputs) a bottom reads, over all states (one in most nets; more when states differ).</summary>
    public IReadOnlyList<BlobReference> ProducersOf(BlobReference bottom) => bottom.IsTop ? [] : bottom.Sources.ToList();

    /// <summary>For a top written in place, the earlier writes of that blob it overwrites.</summary>
    public IReadOnlyList<BlobReference> PreviousProducersOf(BlobReference top) => top.IsTop ? top.Sources.ToList() : [];

    /// <summary>The bottoms that read a top (or net input), in file order.</summary>
    public IReadOnlyList<BlobReference> ConsumersOf(BlobReference top) => top.Consumers.ToList();

    /// <summary>Every bottom, top and input with this blob name in the net: an in-place chain is one blob.</summary>
    public IEnumerable<BlobReference> ReferencesNamed(string name) => References.Where(r => r.Name == name);

    public BlobReference? ReferenceAt(int offset) =>
        References.FirstOrDefault(r => r.Span.Start <= offset && offset <= r.Span.End);

    public LayerNode? LayerAt(int offset) =>
        Layers.FirstOrDefault(l => l.Field.Span.Start <= offset && offset <= l.Field.Span.End);

    public IReadOnlyList<NetState> StatesOf(LayerNode layer) => States.Where(layer.IsIncludedIn).ToList();

    /// <summary>Describes a set of states for a message: "" when it is all of them, else " (in TEST, …)".</summary>
    public string StateSuffix(IReadOnlyCollection<NetState> states) =>
        states.Count == States.Count ? "" : " (in " + string.Join("; ", states.Select(s => s.Describe())) + ")";

    internal static void AddResolution(BlobReference bottom, BlobReference producer)
    {
        bottom.Sources.Add(producer);
        producer.Consumers.Add(bottom);
    }

    internal static void AddPrevious(BlobReference top, BlobReference previous) => top.Sources.Add(previous);

    /// <summary>Consumers in file order (states are resolved one after the other, so a blob's readers can arrive out of order).</summary>
    internal void SortConsumers()
    {
        Comparison<BlobReference> byPosition = (a, b) => a.Span.Start.CompareTo(b.Span.Start);
        foreach (var input in Inputs) input.Consumers.Sort(byPosition);
        foreach (var layer in Layers)
            foreach (var top in layer.Tops) top.Consumers.Sort(byPosition);
    }
}
