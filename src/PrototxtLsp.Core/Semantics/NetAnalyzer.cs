using System.Collections.Immutable;
using PrototxtLsp.Core.Diagnostics;
using PrototxtLsp.Core.Syntax;
using PrototxtLsp.Core.Text;

namespace PrototxtLsp.Core.Semantics;

/// <summary>What the analysis may know about files around the document (for solver references). Null: nothing.</summary>
public sealed record WorkspaceContext(Func<string, bool> FileExists, IReadOnlyList<string> Roots)
{
    public static WorkspaceContext FileSystem { get; } = new(File.Exists, []);

    /// <summary>
    /// A path as Caffe would resolve it from the folder it runs in: absolute, or relative to the document's folder,
    /// a folder above it (Caffe is usually run from the project root) or a workspace root. Null when none exists.
    /// </summary>
    public string? Resolve(string value, string? documentPath, IEnumerable<string>? subfolders = null)
    {
        try
        {
            if (value.Length == 0 || value.IndexOf('\0') >= 0) return null;
            if (Path.IsPathFullyQualified(value)) return FileExists(value) ? Path.GetFullPath(value) : null;
            foreach (var b in BaseDirectories(documentPath))
            {
                var candidate = Path.GetFullPath(Path.Combine(b, value));
                if (FileExists(candidate)) return candidate;
                foreach (var sub in subfolders ?? [])
                {
                    candidate = Path.GetFullPath(Path.Combine(b, sub, value));
                    if (FileExists(candidate)) return candidate;
                }
            }
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            // Not a usable path: not found.
        }

        return null;
    }

    private IEnumerable<string> BaseDirectories(string? documentPath)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var dir = documentPath is null ? null : Path.GetDirectoryName(Path.GetFullPath(documentPath));
        for (var i = 0; dir is not null && i < 12; i++)
        {
            if (seen.Add(dir)) yield return dir;
            dir = Path.GetDirectoryName(dir);
        }

        foreach (var root in Roots)
            if (seen.Add(root)) yield return root;
    }
}

/// <summary>
/// Builds the <see cref="NetGraph"/>s of a document and reports what Caffe itself would refuse when building the
/// net (PTX3xxx) and solver references to missing files (PTX5001). Each problem is reported once; when it holds in
/// only some of the net's states, the message names them.
/// </summary>
public static class NetAnalyzer
{
    private static readonly Dictionary<string, string> V0Types = new(StringComparer.Ordinal)
    {
        ["accuracy"] = "ACCURACY", ["bnll"] = "BNLL", ["concat"] = "CONCAT", ["conv"] = "CONVOLUTION", ["data"] = "DATA",
        ["dropout"] = "DROPOUT", ["euclidean_loss"] = "EUCLIDEAN_LOSS", ["flatten"] = "FLATTEN", ["hdf5_data"] = "HDF5_DATA",
        ["hdf5_output"] = "HDF5_OUTPUT", ["im2col"] = "IM2COL", ["images"] = "IMAGE_DATA", ["infogain_loss"] = "INFOGAIN_LOSS",
        ["innerproduct"] = "INNER_PRODUCT", ["lrn"] = "LRN", ["multinomial_logistic_loss"] = "MULTINOMIAL_LOGISTIC_LOSS",
        ["pool"] = "POOLING", ["relu"] = "RELU", ["sigmoid"] = "SIGMOID", ["softmax"] = "SOFTMAX", ["softmax_loss"] = "SOFTMAX_LOSS",
        ["split"] = "SPLIT", ["tanh"] = "TANH", ["window_data"] = "WINDOW_DATA",
    };

    /// <summary>
    /// Layer types: the BVLC catalog, then the project file's <c>layerTypes</c>, then — with a custom schema — a type
    /// whose layer carries a <c>*_param</c> block that only the custom schema has (a fork layer such as SSD's
    /// Normalize with <c>norm_param</c>), or whose snake_case name + <c>_param</c> is a field of the custom
    /// LayerParameter (PriorBox → <c>prior_box_param</c>).
    /// </summary>
    private sealed class TypeResolver(AnalysisOptions options, SemanticModel model)
    {
        private readonly Dictionary<string, LayerTypeInfo?> _forks = new(StringComparer.Ordinal);
        private ILookup<string, MessageValueSyntax>? _layersByType;

        public LayerTypeInfo? Find(string type, MessageValueSyntax block)
        {
            if (LayerCatalog.Find(type) is { } known) return known;
            if (options.LayerTypes.TryGetValue(type, out var declared)) return declared;
            if (!options.IsCustomSchema) return null;
            if (_forks.TryGetValue(type, out var fork)) return fork;
            return _forks[type] = FindFork(type, block);
        }

        // Apart from Find so that the closure over its locals is allocated only for a type not seen before, not per layer.
        private LayerTypeInfo? FindFork(string type, MessageValueSyntax block)
        {
            var layerMessage = model.Schema.FindMessage("caffe.LayerParameter");
            var bvlc = Schema.ProtoSchema.Caffe.FindMessage("caffe.LayerParameter");
            if (layerMessage is null || bvlc is null) return null;
            var snake = string.Concat(type.Select((c, i) => char.IsUpper(c) && i > 0 && !char.IsUpper(type[i - 1]) ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString())) + "_param";
            // A type is registered for the whole net, as in Caffe: every layer of this type in the file counts, so the
            // verdict does not depend on which layer comes first.
            _layersByType ??= LayersByType();
            var forkParams = _layersByType[type].Append(block).SelectMany(b => b.Fields).Select(f => f.NameText)
                .Where(n => n.EndsWith("_param", StringComparison.Ordinal) && layerMessage.FindField(n) is not null && bvlc.FindField(n) is null)
                .Distinct().ToList();
            if (layerMessage.FindField(snake) is not null && !forkParams.Contains(snake)) forkParams.Add(snake);
            return forkParams.Count == 0 ? null : LayerTypeInfo.Custom(type, BlobCountRule.Any, BlobCountRule.Any, allowsInPlace: true, forkParams, "the custom schema");
        }

        /// <summary>Every current-format <c>layer { type: "…" }</c> block in the file (V0 blocks inside <c>layers</c> excluded).</summary>
        private ILookup<string, MessageValueSyntax> LayersByType() =>
            model.Tree.Fields
                .Where(f => f.NameText == "layer" && f.Value is MessageValueSyntax && !(f.Parent?.Parent is FieldSyntax { NameText: "layers" }))
                .Select(f => (MessageValueSyntax)f.Value)
                .SelectMany(b => b.Fields.Where(t => t.NameText == "type" && t.Value is StringValueSyntax).Take(1).Select(t => (Type: ((StringValueSyntax)t.Value).Value, Block: b)))
                .ToLookup(x => x.Type, x => x.Block, StringComparer.Ordinal);
    }

    /// <summary>The V1 enum name Caffe's upgrade gives a V0 type string ("conv" → CONVOLUTION); null if none.</summary>
    public static string? V0ToV1(string v0Type) => V0Types.GetValueOrDefault(v0Type);

    public static IReadOnlyList<NetGraph> Analyze(SyntaxTree tree, SemanticModel model, List<Diagnostic> diagnostics, string? path, WorkspaceContext? workspace, AnalysisOptions? options = null)
    {
        var types = new TypeResolver(options ?? new AnalysisOptions(), model);
        var nets = new List<NetGraph>();
        switch (model.RootMessage.FullName)
        {
            case "caffe.NetParameter":
                nets.Add(Build(null, tree.Root.Fields, [NetPhase.Train, NetPhase.Test], diagnostics, model, types));
                break;
            case "caffe.SolverParameter":
            {
                // The solver says which states its nets are built in: train_state, and one test_state per test net.
                var trainStates = tree.Root.Fields.Where(f => f.NameText == "train_state").Select(f => ReadState(f, NetPhase.Train)).Take(1).ToList();
                var testStates = tree.Root.Fields.Where(f => f.NameText == "test_state").Select(f => ReadState(f, NetPhase.Test)).Distinct(StateComparer.Instance).ToList();
                if (trainStates.Count == 0) trainStates.Add(new NetState(NetPhase.Train, 0, []));
                if (testStates.Count == 0) testStates.Add(new NetState(NetPhase.Test, 0, []));
                foreach (var field in tree.Root.Fields)
                {
                    switch (field.NameText)
                    {
                        case "net_param" when field.Value is MessageValueSyntax b:
                            nets.Add(Build(field, b.Fields, [NetPhase.Train, NetPhase.Test], diagnostics, model, types, [.. trainStates, .. testStates]));
                            break;
                        case "train_net_param" when field.Value is MessageValueSyntax b:
                            nets.Add(Build(field, b.Fields, [NetPhase.Train], diagnostics, model, types, trainStates));
                            break;
                        case "test_net_param" when field.Value is MessageValueSyntax b:
                            nets.Add(Build(field, b.Fields, [NetPhase.Test], diagnostics, model, types, testStates));
                            break;
                        case "net" or "train_net" or "test_net" when field.Value is StringValueSyntax s && workspace is not null && path is not null:
                            if (workspace.Resolve(s.Value, path) is null) diagnostics.Add(DiagnosticCatalog.NetFileMissing(s.Span, field.NameText, s.Value));
                            break;
                    }
                }

                break;
            }
        }

        return nets;
    }

    private static NetState ReadState(FieldSyntax field, NetPhase defaultPhase)
    {
        if (field.Value is not MessageValueSyntax b) return new NetState(defaultPhase, 0, []);
        var phase = b.Fields.LastOrDefault(f => f.NameText == "phase")?.Value is ScalarValueSyntax p
            ? p.Text is "TRAIN" or "0" ? NetPhase.Train : NetPhase.Test
            : defaultPhase;
        return new NetState(phase, (int)(Int(b, "level") ?? 0), Strings(b, "stage").Distinct().Order(StringComparer.Ordinal).ToList());
    }

    private sealed class StateComparer : IEqualityComparer<NetState>
    {
        public static readonly StateComparer Instance = new();

        public bool Equals(NetState? x, NetState? y) =>
            x is not null && y is not null && x.Phase == y.Phase && x.Level == y.Level && x.Stages.SequenceEqual(y.Stages);

        public int GetHashCode(NetState s) => HashCode.Combine(s.Phase, s.Level, string.Join("\u0001", s.Stages));
    }

    private static NetGraph Build(FieldSyntax? owner, ImmutableArray<FieldSyntax> fields, NetPhase[] phases, List<Diagnostic> diagnostics, SemanticModel model, TypeResolver types, List<NetState>? solverStates = null)
    {
        // One pass sorts the net's fields and reads and checks each layer as it comes: on a net of 100,000 layers each
        // pass over them reads 100,000 fields spread over a hundred megabytes, a cache miss apiece, so the passes this
        // used to make cost more than the rest. The layers' diagnostics follow the net's own, as when they were read after.
        FieldSyntax? current = null, stateField = null;
        var legacy = new List<FieldSyntax>();
        var inputFields = new List<FieldSyntax>();
        var layers = new List<LayerNode>(fields.Length);
        var layerDiagnostics = new List<Diagnostic>();
        var ruled = new List<LayerNode>(); // the layers with include/exclude rules: the only ones a state can leave out
        var topCount = 0;
        var nameCount = 0;
        var ahead = fields.Length >= Prefetch.LongBlock;
        for (var i = 0; i < fields.Length; i++)
        {
            var f = fields[i];
            if (ahead && i + Prefetch.Distance < fields.Length) Prefetch.Before(fields[i + Prefetch.Distance], Prefetch.LayerSyntaxLines);
            switch (f.NameText)
            {
                case "layer":
                    current ??= f;
                    break;
                case "layers":
                    legacy.Add(f);
                    break;
                case "input":
                    inputFields.Add(f);
                    continue;
                case "state":
                    stateField ??= f;
                    continue;
                default:
                    continue;
            }

            if (f.Block is not { } block) continue;
            var layer = ReadLayer(layers.Count, f, block, model, types);
            layer.FirstTop = topCount;
            topCount += layer.Tops.Count;
            layers.Add(layer);
            if (layer.Include.Count > 0 || layer.Exclude.Count > 0) ruled.Add(layer);
            nameCount = Math.Max(nameCount, layer.NameId + 1);
            foreach (var b in layer.Bottoms) nameCount = Math.Max(nameCount, b.NameId + 1);
            foreach (var t in layer.Tops) nameCount = Math.Max(nameCount, t.NameId + 1);
            CheckLayer(layer, layerDiagnostics);
        }

        // Formats: 'layer' and 'layers' may not be mixed; legacy forms are reported once each.
        if (current is not null && legacy.Count > 0) diagnostics.Add(DiagnosticCatalog.LayerAndLayers(legacy[0].NameSpan));
        if (legacy.Count > 0)
        {
            var v0 = legacy.Any(f => f.Value is MessageValueSyntax b && b.Fields.Any(x => x.NameText == "layer"));
            diagnostics.Add(DiagnosticCatalog.LegacyLayers(legacy[0].NameSpan, v0 ? "V0" : "V1", legacy.Count));
        }

        if (inputFields.Count > 0) diagnostics.Add(DiagnosticCatalog.LegacyInputs(inputFields[0].NameSpan));

        var inputs = new List<BlobReference>();
        foreach (var f in inputFields)
            if (f.StringValueId is var id and >= 0) inputs.Add(new BlobReference(f, id, null, isTop: true, inputs.Count));
        foreach (var input in inputs) nameCount = Math.Max(nameCount, input.NameId + 1);

        // The net's own `state { level stage }` applies to every state.
        var stateBlock = stateField?.Value as MessageValueSyntax;
        var baseLevel = stateBlock is null ? 0 : (int)(Int(stateBlock, "level") ?? 0);
        var baseStages = stateBlock is null ? [] : Strings(stateBlock, "stage").ToList();

        diagnostics.AddRange(layerDiagnostics);

        var states = solverStates is { Count: > 0 }
            ? solverStates.Select(st => st with { Level = st.Level + baseLevel, Stages = st.Stages.Union(baseStages).Order(StringComparer.Ordinal).ToList() }).ToList()
            : StatesFor(phases, baseLevel, baseStages, ruled, diagnostics);
        var graph = new NetGraph(owner, layers, inputs, states, nameCount, topCount, ruled);
        Resolve(graph, diagnostics);
        return graph;
    }

    /// <summary>
    /// The states a net file is checked in: each phase with no stages, plus each stage set the file's rules name.
    /// A phase that the file's own rules always pair with stages (`include { phase: TEST stage: "x" }`) is checked
    /// only with those stages: the author never builds it without one.
    /// </summary>
    /// <summary>
    /// The most states of one phase a net is checked in. Each state is a net of its own to build and infer, so a file
    /// whose every layer names a stage of its own (5,000 of them took 2.3 s) would make each keystroke wait; real
    /// nets name a handful.
    /// </summary>
    public const int MaxStatesPerPhase = 32;

    /// <param name="ruled">The layers with include or exclude rules, in net order.</param>
    private static IReadOnlyList<NetState> StatesFor(NetPhase[] phases, int level, List<string> baseStages, List<LayerNode> ruled, List<Diagnostic> diagnostics)
    {
        var rules = new List<(NetStateRuleInfo Rule, LayerNode Layer)>();
        foreach (var l in ruled)
        {
            foreach (var r in l.Include) rules.Add((r, l));
            foreach (var r in l.Exclude) rules.Add((r, l));
        }

        var states = new List<NetState>();
        foreach (var phase in phases)
        {
            var stageSets = new List<(List<string> Set, LayerNode? Layer)>();
            var phaseOnlyWithStages = rules.Any(r => r.Rule.Phase == phase && r.Rule.Stages.Count > 0) && !rules.Any(r => r.Rule.Phase == phase && r.Rule.Stages.Count == 0 && r.Rule.NotStages.Count == 0);
            if (!phaseOnlyWithStages) stageSets.Add((baseStages, null));
            foreach (var (rule, layer) in rules.Where(r => r.Rule.Phase == phase || (r.Rule.Phase is null && !phaseOnlyWithStages)))
            {
                if (rule.Stages.Count > 0) stageSets.Add((baseStages.Union(rule.Stages).ToList(), layer));
                foreach (var s in rule.NotStages) stageSets.Add((baseStages.Union([s]).ToList(), layer));
            }

            if (stageSets.Count == 0) stageSets.Add((baseStages, null));
            var distinct = stageSets.Select(s => (Set: s.Set.Distinct().Order(StringComparer.Ordinal).ToList(), s.Layer)).DistinctBy(s => string.Join("\u0001", s.Set)).ToList();
            if (distinct.Count > MaxStatesPerPhase && distinct[MaxStatesPerPhase].Layer is { } firstLeftOut)
                diagnostics.Add(DiagnosticCatalog.StatesNotChecked(firstLeftOut.SelectionSpan, phase == NetPhase.Train ? "TRAIN" : "TEST", distinct.Count, MaxStatesPerPhase));
            foreach (var (set, _) in distinct.Take(MaxStatesPerPhase))
                states.Add(new NetState(phase, level, set));
        }

        return states;
    }

    private static LayerNode ReadLayer(int index, FieldSyntax field, MessageValueSyntax block, SemanticModel model, TypeResolver types)
    {
        var v0Block = field.NameText == "layers" ? First(block, "layer")?.Block : null;
        var format = field.NameText == "layer" ? LayerFormat.Current : v0Block is not null ? LayerFormat.V0 : LayerFormat.V1;
        var described = v0Block ?? block;
        FieldSyntax? typeField = null;
        FieldSyntax? nameField = null;
        int bottoms = 0, tops = 0;
        foreach (var f in described.Fields)
        {
            var name = f.NameText;
            if (name == "name") nameField ??= f.StringValueId >= 0 ? f : null;
            else if (name == "type") typeField ??= f;
            else if (name == "bottom") bottoms++;
            else if (name == "top") tops++;
        }

        if (v0Block is not null)
        {
            bottoms = tops = 0;
            foreach (var f in block.Fields)
            {
                if (f.NameText == "bottom") bottoms++;
                else if (f.NameText == "top") tops++;
            }
        }

        var node = new LayerNode(index, field, block, format, bottoms, tops, nameField, typeField);

        switch (format)
        {
            case LayerFormat.Current when typeField?.StringValue is { } typeText:
                node.TypeText = typeText;
                node.TypeName = typeText;
                break;
            case LayerFormat.V1 when typeField?.Value is ScalarValueSyntax e:
                // By name (CONVOLUTION) or by number (4), as the text format allows.
                node.TypeText = long.TryParse(e.Text, out var number) && model.GetField(typeField)?.EnumType?.FindValue(number) is { } value ? value.Name : e.Text;
                node.TypeName = LayerCatalog.FindByV1Name(node.TypeText)?.Name;
                break;
            case LayerFormat.V0 when typeField?.StringValue is { } typeText:
                node.TypeText = typeText;
                node.TypeName = V0ToV1(typeText) is { } v1 ? LayerCatalog.FindByV1Name(v1)?.Name : null;
                break;
        }

        node.TypeInfo = node.TypeName is null ? null : types.Find(node.TypeName, block);
        foreach (var f in block.Fields)
        {
            if (f.StringValueId is var id and >= 0)
            {
                if (f.NameText == "bottom") node.AddBottom(new BlobReference(f, id, node, isTop: false, node.Bottoms.Count));
                else if (f.NameText == "top") node.AddTop(new BlobReference(f, id, node, isTop: true, node.Tops.Count));
            }
            else if (f.Block is { } rule)
            {
                if (f.NameText == "include") node.AddRule(ReadRule(rule), include: true);
                else if (f.NameText == "exclude") node.AddRule(ReadRule(rule), include: false);
            }
        }

        return node;
    }

    private static FieldSyntax? First(MessageValueSyntax block, string name)
    {
        foreach (var f in block.Fields)
            if (f.NameText == name) return f;
        return null;
    }

    private static NetStateRuleInfo ReadRule(MessageValueSyntax rule)
    {
        NetPhase? phase = null;
        if (rule.Fields.FirstOrDefault(f => f.NameText == "phase")?.Value is ScalarValueSyntax p)
            phase = p.Text switch { "TRAIN" or "0" => NetPhase.Train, "TEST" or "1" => NetPhase.Test, _ => null };
        return new NetStateRuleInfo(phase, (int?)Int(rule, "min_level"), (int?)Int(rule, "max_level"), Strings(rule, "stage").ToList(), Strings(rule, "not_stage").ToList());
    }

    private static long? Int(MessageValueSyntax block, string name)
    {
        var fields = block.Fields;
        for (var i = fields.Length - 1; i >= 0; i--)
            if (fields[i].NameText == name && fields[i].Value is ScalarValueSyntax s && long.TryParse(s.Text, out var n)) return n;
        return null;
    }

    private static IEnumerable<string> Strings(MessageValueSyntax block, string name)
    {
        foreach (var f in block.Fields)
            if (f.NameText == name && f.Value is StringValueSyntax s) yield return s.Value;
    }

    private static int Count(MessageValueSyntax block, string name)
    {
        var count = 0;
        foreach (var f in block.Fields)
            if (f.NameText == name) count += f.Value is ListValueSyntax l ? l.Elements.Count() : 1;
        return count;
    }

    /// <summary>Checks that do not depend on the state: type, blob counts, in-place use, rules, parameter blocks.</summary>
    private static void CheckLayer(LayerNode layer, List<Diagnostic> diagnostics)
    {
        var block = layer.Block;
        if (layer.Include.Count > 0 && layer.Exclude.Count > 0)
        {
            var exclude = block.Fields.First(f => f.NameText == "exclude");
            diagnostics.Add(DiagnosticCatalog.BothIncludeAndExclude(exclude.NameSpan, layer.DisplayName));
        }

        if (layer.Format == LayerFormat.V0 && layer.TypeText == "padding") return; // folded into the next convolution by Caffe's upgrade
        var type = layer.TypeInfo;
        if (type is null || !type.IsRegistered)
        {
            ReportUnknownType(layer, diagnostics);
            return;
        }

        // Blob counts (Layer::CheckBlobCounts), with the parameter-dependent variants.
        var (bottomRule, topRule) = type.CountVariant is { } v && VariantApplies(layer, type) ? (v.Bottoms, v.Tops) : (type.Bottoms, type.Tops);
        var bottoms = layer.Bottoms.Count;
        var tops = layer.Tops.Count;
        var bottomsOk = bottomRule.Allows(bottoms);
        if (!bottomsOk)
            diagnostics.Add(DiagnosticCatalog.BottomCount(CountSpan(layer, layer.Bottoms, bottomRule), type.Name, layer.DisplayName, bottoms, bottomRule.Describe(), ""));
        var effectiveTops = type.AutoTopBlobs ? Math.Max(tops, Math.Max(topRule.Exact, topRule.Min)) : tops;
        if (!topRule.Allows(effectiveTops))
            diagnostics.Add(DiagnosticCatalog.TopCount(CountSpan(layer, layer.Tops, topRule), type.Name, layer.DisplayName, tops, topRule.Describe(), ""));
        else if (type.EqualBottomTopCount && tops != bottoms && bottomsOk)
            diagnostics.Add(DiagnosticCatalog.TopPerBottom(CountSpan(layer, layer.Tops, BlobCountRule.Exactly(bottoms)), type.Name, layer.DisplayName, tops, bottoms, ""));

        if (!type.AllowsInPlace)
        {
            foreach (var top in layer.Tops)
            {
                if (ReadsOwnTop(layer, top))
                {
                    diagnostics.Add(DiagnosticCatalog.InPlaceNotAllowed(top.Span, type.Name, layer.DisplayName, top.Name));
                    break;
                }
            }
        }

        // *_param blocks the type never reads (Caffe ignores them silently). Python layers read only python_param.
        if (layer.Format != LayerFormat.V0)
        {
            foreach (var f in block.Fields)
            {
                var name = f.NameText;
                if (!name.EndsWith("_param", StringComparison.Ordinal) || f.Block is null) continue;
                if (type.ParamFields.Contains(name)) continue;
                diagnostics.Add(DiagnosticCatalog.ParamBlockIgnored(f.NameSpan, name, type.Name, type.ParamFields));
            }
        }

        var lossWeights = Count(block, "loss_weight");
        if (lossWeights > 0 && lossWeights != effectiveTops)
            diagnostics.Add(DiagnosticCatalog.LossWeightMismatch(block.Fields.First(f => f.NameText == "loss_weight").NameSpan, layer.DisplayName, lossWeights, effectiveTops));
        var propagate = Count(block, "propagate_down");
        if (propagate > 0 && propagate != bottoms)
            diagnostics.Add(DiagnosticCatalog.PropagateDownMismatch(block.Fields.First(f => f.NameText == "propagate_down").NameSpan, layer.DisplayName, propagate, bottoms));
    }

    private static bool ReadsOwnTop(LayerNode layer, BlobReference top)
    {
        foreach (var bottom in layer.Bottoms)
            if (bottom.NameId == top.NameId) return true;
        return false;
    }

    private static void ReportUnknownType(LayerNode layer, List<Diagnostic> diagnostics)
    {
        var registered = LayerCatalog.All.Where(t => t.IsRegistered).ToList();
        switch (layer.Format)
        {
            case LayerFormat.Current:
            {
                if (layer.TypeValue is null)
                {
                    diagnostics.Add(DiagnosticCatalog.LayerTypeMissing(layer.SelectionSpan, layer.DisplayName));
                    return;
                }

                if (layer.TypeValue is not StringValueSyntax s) return; // a wrong value kind is already a schema error
                var suggestion = LayerCatalog.FindIgnoreCase(s.Value) is { IsRegistered: true } exact ? exact.Name : Suggestions.Best(s.Value, registered.Select(t => t.Name));
                diagnostics.Add(DiagnosticCatalog.LayerTypeUnknown(s.Span, s.Value, suggestion, quoted: true));
                return;
            }
            case LayerFormat.V1:
                // An enum value the schema knows but Caffe cannot build (NONE, or a type removed since).
                if (layer.TypeValue is ScalarValueSyntax e && layer.TypeText is not null && layer.TypeName is null)
                    diagnostics.Add(DiagnosticCatalog.LayerTypeUnknown(e.Span, layer.TypeText, null, quoted: false));
                else if (layer.TypeValue is null)
                    diagnostics.Add(DiagnosticCatalog.LayerTypeMissing(layer.SelectionSpan, layer.DisplayName));
                return;
            case LayerFormat.V0:
                if (layer.TypeValue is StringValueSyntax v0)
                    diagnostics.Add(DiagnosticCatalog.LayerTypeUnknown(v0.Span, v0.Value, Suggestions.Best(v0.Value, V0Types.Keys.Append("padding")), quoted: true));
                return;
        }
    }

    private static bool VariantApplies(LayerNode layer, LayerTypeInfo type)
    {
        MessageValueSyntax? Block(string name) => First(layer.Block, name)?.Block;
        string? Scalar(MessageValueSyntax? b, string name) => LayerFields.Scalar(b, name);
        if (type.Name is not ("Pooling" or "RNN" or "LSTM" or "Recurrent")) return false;
        return type.Name switch
        {
            "Pooling" => Scalar(Block("pooling_param"), "pool") is "AVE" or "STOCHASTIC" or "1" or "2",
            "RNN" or "LSTM" or "Recurrent" => Scalar(Block("recurrent_param"), "expose_hidden") is "true" or "True" or "t" or "1",
            _ => false,
        };
    }

    /// <summary>Where a count problem is shown: the first surplus blob, else the layer's name.</summary>
    private static TextSpan CountSpan(LayerNode layer, BlobList blobs, BlobCountRule rule)
    {
        var max = rule.Exact >= 0 ? rule.Exact : rule.Max;
        if (max >= 0 && blobs.Count > max) return blobs[max].Field.Span;
        return layer.SelectionSpan;
    }

    // The messages are made once per finding, after every state was checked (to name the states). Built in methods of
    // their own so that the loops below capture nothing: a closure over a loop variable costs an allocation per pass.
    private static Func<string, Diagnostic> NameDuplicate(LayerNode layer, string name, LayerNode first) =>
        suffix => DiagnosticCatalog.LayerNameDuplicate(layer.SelectionSpan, name, first.SelectionSpan, suffix);

    private static Func<string, Diagnostic> BottomUnknown(LayerNode layer, BlobReference bottom, List<BlobReference> produced, int count) =>
        suffix => DiagnosticCatalog.BottomUnknown(bottom.Span, bottom.Name, layer.DisplayName, bottom.Index, Suggestions.Best(bottom.Name, SuggestionCandidates(produced, count)), suffix);

    /// <summary>How many of the blobs produced before an unknown bottom its did-you-mean compares, nearest first.</summary>
    private const int NearestCandidates = 128;

    /// <summary>And how many of the first ones (net inputs, the data layer's tops), which a bottom anywhere may read.</summary>
    private const int FirstCandidates = 16;

    /// <summary>
    /// The blobs an unknown bottom's did-you-mean looks at: the 128 produced last before it (nearest first) and the 16
    /// produced first. Not every earlier blob: a net whose bottoms were all renamed (10,000 unknown bottoms) took
    /// 16 s to check when each suggestion compared every earlier blob; this way the work per unknown bottom is bounded.
    /// </summary>
    private static IEnumerable<string> SuggestionCandidates(List<BlobReference> produced, int count)
    {
        var nearestFrom = Math.Max(0, count - NearestCandidates);
        for (var i = count - 1; i >= nearestFrom; i--) yield return produced[i].Name;
        for (var i = 0; i < Math.Min(FirstCandidates, nearestFrom); i++) yield return produced[i].Name;
    }

    private static Func<string, Diagnostic> TopMultipleSources(LayerNode layer, BlobReference top, BlobReference previous) =>
        suffix => DiagnosticCatalog.TopMultipleSources(top.Span, top.Name, layer.DisplayName, previous.Span, previous.Layer?.DisplayName ?? "(net input)", suffix);

    /// <summary>Per state: resolve bottoms to the nearest earlier producer, find unknown bottoms, clashing tops, duplicate names.</summary>
    private static void Resolve(NetGraph graph, List<Diagnostic> diagnostics)
    {
        var findings = new Dictionary<(string Code, TextSpan Span), (List<NetState> States, Func<string, Diagnostic> Make)>();
        void Report(string code, TextSpan span, List<NetState> states, Func<string, Diagnostic> make)
        {
            if (!findings.TryGetValue((code, span), out var entry)) findings[(code, span)] = entry = ([], make);
            entry.States.AddRange(states);
        }

        // By name number (NetGraph.NameCount): the latest producer of each blob so far, and each name's first layer;
        // one pair of arrays for all the state groups, cleared between them.
        var available = new BlobReference?[graph.NameCount]; // grows with the layers the state includes
        var names = new LayerNode?[graph.NameCount];
        var firstClass = true;
        foreach (var (_, members, included) in graph.StateClasses)
        {
            if (!firstClass)
            {
                Array.Clear(available);
                Array.Clear(names);
            }

            firstClass = false;
            var produced = new List<BlobReference>(); // the first producer of each name in available, in order (names decoded only for a suggestion)
            foreach (var input in graph.Inputs)
            {
                if (available[input.NameId] is null) produced.Add(input);
                available[input.NameId] = input;
            }
            var layers = graph.Layers;
            var ahead = layers.Count >= Prefetch.LongBlock;
            for (var i = 0; i < layers.Count; i++)
            {
                var layer = layers[i];
                if (ahead && i + Prefetch.Distance < layers.Count) Prefetch.From(layers[i + Prefetch.Distance], Prefetch.LayerGraphLines);
                if (!included[layer.Index]) continue;
                if (layer.NameId >= 0)
                {
                    if (names[layer.NameId] is { } first)
                    {
                        Report("PTX3009", layer.SelectionSpan, members, NameDuplicate(layer, layer.Name!, first));
                    }
                    else
                    {
                        names[layer.NameId] = layer;
                    }
                }

                foreach (var bottom in layer.Bottoms)
                {
                    if (available[bottom.NameId] is { } producer)
                    {
                        NetGraph.AddResolution(bottom, producer);
                        continue;
                    }

                    Report("PTX3001", bottom.Span, members, BottomUnknown(layer, bottom, produced, produced.Count));
                }

                foreach (var top in layer.Tops)
                {
                    var previous = available[top.NameId];
                    if (previous is not null)
                    {
                        var inPlace = top.Index < layer.Bottoms.Count && layer.Bottoms[top.Index].NameId == top.NameId;
                        if (inPlace)
                        {
                            NetGraph.AddPrevious(top, previous);
                        }
                        else
                        {
                            Report("PTX3002", top.Span, members, TopMultipleSources(layer, top, previous));
                        }
                    }

                    if (previous is null) produced.Add(top);
                    available[top.NameId] = top;
                }
            }
        }

        // One state group adds every blob's readers in file order already; only a second group can add them out of
        // order (and the pass over every top is one more walk through a large net's memory).
        if (graph.StateClasses.Count > 1) graph.SortConsumers();
        foreach (var ((_, _), (states, make)) in findings)
        {
            graph.SortStates(states);
            diagnostics.Add(make(graph.StateSuffix(states)));
        }
    }
}
