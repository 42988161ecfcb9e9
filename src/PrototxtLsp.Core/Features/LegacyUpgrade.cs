using System.Text;
using PrototxtLsp.Core.Diagnostics;
using PrototxtLsp.Core.Semantics;
using PrototxtLsp.Core.Syntax;
using PrototxtLsp.Core.Text;

namespace PrototxtLsp.Core.Features;

/// <summary>The upgraded text, whether it differs from the input, and sentences saying what was done or not done.</summary>
public sealed record UpgradeResult(string Text, bool Changed, IReadOnlyList<string> Notes);

/// <summary>
/// Rewrites an old-format net into the current format, following Caffe's own upgrade (<c>upgrade_net_proto_text</c>):
/// V0 layers (<c>layers { layer { type: "conv" … } }</c>, with <c>padding</c> layers folded into the next conv or
/// pool), V1 layers (<c>layers { type: CONVOLUTION blobs_lr … }</c>), data-transformation fields of data layers,
/// net-level <c>input</c>/<c>input_shape</c>/<c>input_dim</c>, and BatchNorm layers with learnable statistics.
/// </summary>
/// <remarks>
/// The rewrite works on the syntax tree, not on a decoded message: values keep the text they were written with,
/// comments inside a rewritten layer travel with the field they were attached to, and everything that needs no
/// upgrade stays exactly as written. Only the rewritten regions are then laid out by the <see cref="Formatter"/>.
/// </remarks>
public static class LegacyUpgrade
{
    /// <summary>True when the net uses a format Caffe would upgrade when reading it.</summary>
    public static bool NeedsUpgrade(DocumentAnalysis analysis)
    {
        if (analysis.RootMessage.FullName != RootMessageResolver.NetParameter) return false;
        foreach (var field in analysis.Tree.Root.Fields)
        {
            switch (field.NameText)
            {
                case "layers" or "input" or "input_shape" or "input_dim":
                case "layer" when BatchNormParamsToFix(field) is not null:
                    return true;
            }
        }

        return false;
    }

    public static UpgradeResult Upgrade(DocumentAnalysis analysis)
    {
        var text = analysis.Text.Text;
        if (analysis.RootMessage.FullName != RootMessageResolver.NetParameter)
        {
            return Unchanged(text, $"This file is a {analysis.RootMessage.Name}, not a net: there is nothing to upgrade.");
        }

        if (!NeedsUpgrade(analysis)) return Unchanged(text, "The net is already in the current format.");
        if (analysis.Tree.Diagnostics.FirstOrDefault(d => d.Severity == DiagnosticSeverity.Error) is { } syntaxError)
        {
            var line = analysis.Text.Lines.GetPosition(syntaxError.Span.Start).Line + 1;
            return Unchanged(text, $"The file has syntax errors; fix them first, then upgrade. The first, on line {line}: {syntaxError.Message}");
        }

        var root = analysis.Tree.Root;
        if (root.Fields.Any(f => f.NameText == "layer") && root.Fields.Any(f => f.NameText == "layers"))
        {
            return Unchanged(text, "The net mixes current `layer` blocks with legacy `layers` blocks, which Caffe refuses to upgrade. " +
                                   "Rewrite the `layers` blocks as `layer` blocks by hand (or upgrade them in a file of their own).");
        }

        return new Rewriter(analysis).Run();
    }

    private static UpgradeResult Unchanged(string text, params IReadOnlyList<string> notes) => new(text, false, notes);

    /// <summary>The three param blocks of a BatchNorm layer that still lets them learn; null when there is nothing to fix.</summary>
    private static List<MessageValueSyntax>? BatchNormParamsToFix(FieldSyntax layer)
    {
        if (layer.Value is not MessageValueSyntax body) return null;
        if ((body.Fields.LastOrDefault(f => f.NameText == "type")?.Value as StringValueSyntax)?.Value != "BatchNorm") return null;
        var fields = body.Fields.Where(f => f.NameText == "param").ToList();
        var specs = fields.Select(f => f.Value).OfType<MessageValueSyntax>().ToList();
        if (fields.Count != 3 || specs.Count != 3) return null;
        return specs.All(s => s.Fields.Any(f => f.NameText == "lr_mult") && s.Fields.Where(f => f.NameText == "lr_mult").All(IsZero)) ? null : specs;
    }

    private static bool IsZero(FieldSyntax field) =>
        field.Value is ScalarValueSyntax s && NumberLiteral.TryParseDouble(s.Token.Text, out var v) && v == 0;

    // The *_param block that receives a V0 layer's settings, by V0 type.
    private static readonly Dictionary<string, string> BlockOfV0Type = new(StringComparer.Ordinal)
    {
        ["conv"] = "convolution_param", ["innerproduct"] = "inner_product_param", ["pool"] = "pooling_param",
        ["dropout"] = "dropout_param", ["lrn"] = "lrn_param", ["data"] = "data_param", ["hdf5_data"] = "hdf5_data_param",
        ["images"] = "image_data_param", ["window_data"] = "window_data_param", ["infogain_loss"] = "infogain_loss_param",
        ["concat"] = "concat_param",
    };

    // V0 settings: their name in the *_param block and the V0 types they apply to (UpgradeV0LayerParameter).
    private static readonly Dictionary<string, (string Name, string[] Types)> V0Settings = new(StringComparer.Ordinal)
    {
        ["num_output"] = ("num_output", ["conv", "innerproduct"]),
        ["biasterm"] = ("bias_term", ["conv", "innerproduct"]),
        ["weight_filler"] = ("weight_filler", ["conv", "innerproduct"]),
        ["bias_filler"] = ("bias_filler", ["conv", "innerproduct"]),
        ["pad"] = ("pad", ["conv", "pool"]),
        ["kernelsize"] = ("kernel_size", ["conv", "pool"]),
        ["group"] = ("group", ["conv"]),
        ["stride"] = ("stride", ["conv", "pool"]),
        ["pool"] = ("pool", ["pool"]),
        ["dropout_ratio"] = ("dropout_ratio", ["dropout"]),
        ["local_size"] = ("local_size", ["lrn"]),
        ["alpha"] = ("alpha", ["lrn"]),
        ["beta"] = ("beta", ["lrn"]),
        ["k"] = ("k", ["lrn"]),
        ["source"] = ("source", ["data", "hdf5_data", "images", "window_data", "infogain_loss"]),
        ["batchsize"] = ("batch_size", ["data", "hdf5_data", "images", "window_data"]),
        ["rand_skip"] = ("rand_skip", ["data", "images"]),
        ["shuffle_images"] = ("shuffle", ["images"]),
        ["new_height"] = ("new_height", ["images"]),
        ["new_width"] = ("new_width", ["images"]),
        ["concat_dim"] = ("concat_dim", ["concat"]),
        ["det_fg_threshold"] = ("fg_threshold", ["window_data"]),
        ["det_bg_threshold"] = ("bg_threshold", ["window_data"]),
        ["det_fg_fraction"] = ("fg_fraction", ["window_data"]),
        ["det_context_pad"] = ("context_pad", ["window_data"]),
        ["det_crop_mode"] = ("crop_mode", ["window_data"]),
    };

    // V0 data-transformation settings, for any type, and their name in transform_param.
    private static readonly Dictionary<string, string> V0Transform = new(StringComparer.Ordinal)
    {
        ["scale"] = "scale", ["meanfile"] = "mean_file", ["cropsize"] = "crop_size", ["mirror"] = "mirror",
    };

    // The fields Caffe moves from the data block of a V1 data layer into transform_param (UpgradeNetDataTransformation).
    private static readonly HashSet<string> TransformFields = new(StringComparer.Ordinal) { "scale", "mean_file", "crop_size", "mirror" };

    // V1 per-blob lists and the ParamSpec field each element becomes, in ParamSpec's order.
    private static readonly string[] ParamSpecOrder = ["name", "share_mode", "lr_mult", "decay_mult"];

    private static readonly Dictionary<string, string> ParamSpecField = new(StringComparer.Ordinal)
    {
        ["param"] = "name", ["blob_share_mode"] = "share_mode", ["blobs_lr"] = "lr_mult", ["weight_decay"] = "decay_mult",
    };

    private static readonly HashSet<string> InputFields = new(StringComparer.Ordinal) { "input", "input_shape", "input_dim" };

    private sealed class Rewriter
    {
        private readonly DocumentAnalysis _analysis;
        private readonly string _text;
        private readonly string _nl;
        private readonly List<TextReplacement> _edits = [];
        private readonly List<string> _notes = [];
        private readonly List<string> _problems = [];
        private string? _refusal;
        private int _transformsMoved;

        public Rewriter(DocumentAnalysis analysis)
        {
            _analysis = analysis;
            _text = analysis.Text.Text;
            var firstBreak = _text.IndexOf('\n');
            _nl = firstBreak > 0 && _text[firstBreak - 1] == '\r' ? "\r\n" : "\n";
        }

        public UpgradeResult Run()
        {
            var fields = _analysis.Tree.Root.Fields.ToList();
            var layers = fields.Where(f => f.NameText == "layers").ToList();
            if (layers.Count > 0) UpgradeLayers(layers, fields);
            if (_refusal is null) UpgradeInputs(fields);
            if (_refusal is null) FixBatchNorm(fields);
            if (_refusal is not null) return Unchanged(_text, _refusal);
            if (_edits.Count == 0) return Unchanged(_text, _problems);

            var (upgraded, changed) = Apply();
            var tree = SyntaxTree.Parse(upgraded);
            if (tree.Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error))
            {
                return Unchanged(_text, "The upgrade produced text that does not parse, so nothing was changed; please report this file.");
            }

            // Lay out every top-level field that was rewritten (as a whole, so it comes out uniform); leave the rest
            // as the author wrote it.
            var regions = changed.Select(r => tree.Root.Members.FirstOrDefault(m => m.Span.Start <= r.Start && r.End <= m.Span.End)?.Span ?? r).ToList();
            var layout = Formatter.Format(tree).Where(e => regions.Any(r => e.Span.Start <= r.End && e.Span.End >= r.Start)).ToList();
            var result = Formatter.Apply(upgraded, layout);
            return new UpgradeResult(result, result != _text, [.. _notes, .. _problems]);
        }

        /// <summary>Applies the edits (insertions before replacements at the same offset); returns the spans they wrote.</summary>
        private (string Text, List<TextSpan> Changed) Apply()
        {
            var sb = new StringBuilder(_text.Length + _text.Length / 4);
            var changed = new List<TextSpan>();
            var pos = 0;
            foreach (var e in _edits.OrderBy(e => e.Span.Start).ThenBy(e => e.Span.End))
            {
                if (e.Span.Start < pos) throw new InvalidOperationException($"overlapping upgrade edits at {e.Span}");
                sb.Append(_text, pos, e.Span.Start - pos);
                changed.Add(new TextSpan(sb.Length, e.NewText.Length));
                sb.Append(e.NewText);
                pos = e.Span.End;
            }

            sb.Append(_text, pos, _text.Length - pos);
            return (sb.ToString(), changed);
        }

        private void Edit(int start, int end, string newText) => _edits.Add(new TextReplacement(TextSpan.FromBounds(start, end), newText));

        // ---- layers (V0 and V1) ----

        /// <summary>A V0 padding layer (its inner block) folded into the layer that reads it.</summary>
        private sealed record Fold(MessageValueSyntax Padding, ValueSyntax NewBottom, FieldSyntax? Pad);

        private void UpgradeLayers(List<FieldSyntax> layers, List<FieldSyntax> fields)
        {
            var folds = FoldPadding(layers, fields);
            if (folds is null) return;
            int v0 = 0, v1 = 0;
            foreach (var field in layers)
            {
                if (field.Value is not MessageValueSyntax body)
                {
                    _problems.Add($"A `layers` entry without a {{ … }} block (line {Line(field)}) was left as written.");
                    continue;
                }

                var v0Field = body.Fields.FirstOrDefault(f => f.NameText == "layer");
                if (v0Field is null)
                {
                    Edit(field.Span.Start, field.Span.End, V1Layer(field, body));
                    v1++;
                    continue;
                }

                if (v0Field.Value is not MessageValueSyntax v0Body)
                {
                    _problems.Add($"A V0 `layer` entry without a {{ … }} block (line {Line(v0Field)}) was left as written.");
                    continue;
                }

                var type = V0Type(v0Body);
                if (type == "padding")
                {
                    // Caffe drops padding layers (folding each into the layer that reads it); keep any comments it had.
                    var comments = CommentsIn(TriviaOf(field, leading: false, trailing: true)).ToList();
                    Edit(field.Span.Start, field.FullSpan.End, comments.Count == 0 ? "" : string.Join(_nl, comments) + _nl);
                    continue;
                }

                if (NetAnalyzer.V0ToV1(type) is null)
                {
                    _refusal = $"Layer {Label(v0Body)} has the V0 type \"{type}\", which Caffe does not know how to upgrade; nothing was changed.";
                    return;
                }

                Edit(field.Span.Start, field.Span.End, V0Layer(field, body, v0Field, v0Body, type, folds.GetValueOrDefault(field)));
                v0++;
            }

            if (v1 > 0)
            {
                _notes.Add($"Rewrote {Count(v1, "V1 `layers` block")} as `layer`: enum types became type strings, and blobs_lr, weight_decay, " +
                           "param and blob_share_mode became `param { lr_mult decay_mult name share_mode }` blocks.");
            }

            if (v0 > 0)
            {
                _notes.Add($"Rewrote {Count(v0, "V0 layer")} (`layers {{ layer {{ … }} }}`) as `layer`, moving each setting into the matching *_param block.");
            }

            if (_transformsMoved > 0)
            {
                _notes.Add($"Moved the data-transformation fields (scale, mean_file, crop_size, mirror) of {Count(_transformsMoved, "layer")} into transform_param.");
            }
        }

        /// <summary>
        /// Which V0 layers read the output of a V0 padding layer: each must be a conv or pool layer with one bottom, fed
        /// by a padding layer with one bottom and one top, as Caffe checks. Null (with the refusal set) otherwise.
        /// </summary>
        private Dictionary<FieldSyntax, Fold>? FoldPadding(List<FieldSyntax> layers, List<FieldSyntax> fields)
        {
            var producer = new Dictionary<string, FieldSyntax?>(StringComparer.Ordinal);
            foreach (var input in fields.Where(f => f.NameText == "input").SelectMany(Elements)) producer[Decoded(input.Value)] = null;
            var folds = new Dictionary<FieldSyntax, Fold>();
            foreach (var layer in layers)
            {
                if (layer.Value is not MessageValueSyntax body) continue;
                var bottoms = body.Fields.Where(f => f.NameText == "bottom").SelectMany(Elements).ToList();
                var v0 = V0Body(body);
                var type = v0 is null ? null : V0Type(v0);
                foreach (var bottom in bottoms)
                {
                    if (!producer.TryGetValue(Decoded(bottom.Value), out var source) || source?.Value is not MessageValueSyntax sourceBody) continue;
                    if (V0Body(sourceBody) is not { } padding || V0Type(padding) != "padding") continue;
                    var sourceBottoms = sourceBody.Fields.Where(f => f.NameText == "bottom").SelectMany(Elements).ToList();
                    var sourceTops = sourceBody.Fields.Where(f => f.NameText == "top").SelectMany(Elements).Count();
                    if (type is not ("conv" or "pool") || bottoms.Count != 1 || sourceBottoms.Count != 1 || sourceTops != 1)
                    {
                        _refusal = $"V0 padding layer {Label(padding)} feeds layer {Label(v0 ?? body)}; Caffe folds padding only into a conv or pool layer " +
                                   "with one bottom, from a padding layer with one bottom and one top, and stops otherwise. Nothing was changed.";
                        return null;
                    }

                    folds[layer] = new Fold(padding, sourceBottoms[0].Value, padding.Fields.LastOrDefault(f => f.NameText == "pad"));
                }

                foreach (var top in body.Fields.Where(f => f.NameText == "top").SelectMany(Elements)) producer[Decoded(top.Value)] = layer;
            }

            return folds;
        }

        private string V1Layer(FieldSyntax layer, MessageValueSyntax body)
        {
            var fields = body.Fields.ToList();
            var label = Label(body);
            var typeField = fields.LastOrDefault(f => f.NameText == "type");
            var v1 = typeField is null ? null : V1TypeName(typeField);
            var dataBlockName = v1 switch
            {
                "DATA" => "data_param",
                "IMAGE_DATA" => "image_data_param",
                "WINDOW_DATA" => "window_data_param",
                _ => null,
            };
            var dataBlock = fields.FirstOrDefault(f => f.NameText == dataBlockName && f.Value is MessageValueSyntax);
            var moved = dataBlock is null ? [] : ((MessageValueSyntax)dataBlock.Value).Fields.Where(f => TransformFields.Contains(f.NameText)).ToList();
            var transform = moved.Count == 0 ? null : fields.FirstOrDefault(f => f.NameText == "transform_param" && f.Value is MessageValueSyntax);
            if (moved.Count > 0) _transformsMoved++;

            List<string> names = [], types = [], bottoms = [], tops = [], rest = [];
            var specs = new ParamSpecs(this);
            foreach (var f in fields)
            {
                var n = f.NameText;
                switch (n)
                {
                    case "name":
                        names.Add(Verbatim(f));
                        break;
                    case "type":
                        types.Add(TypePiece(f, label));
                        break;
                    case "bottom":
                        bottoms.Add(Verbatim(f));
                        break;
                    case "top":
                        tops.Add(Verbatim(f));
                        break;
                    case "param" or "blob_share_mode" or "blobs_lr" or "weight_decay":
                        specs.Add(f, ParamSpecField[n]);
                        break;
                    default:
                        if (f == transform)
                        {
                            rest.Add(MergeTransform(f, moved, label));
                        }
                        else if (f == dataBlock && moved.Count > 0)
                        {
                            if (transform is null) rest.Add(Block("transform_param", null, moved.Select(Verbatim)));
                            rest.Add(Block(n, f, ((MessageValueSyntax)f.Value).Fields.Where(x => !moved.Contains(x)).Select(Verbatim)));
                        }
                        else
                        {
                            rest.Add(Verbatim(f));
                        }

                        break;
                }
            }

            return Block("layer", layer, [.. names, .. types, .. bottoms, .. tops, .. specs.Blocks(), .. rest], outer: false);
        }

        private string TypePiece(FieldSyntax type, string label)
        {
            if (type.Value is StringValueSyntax) return Verbatim(type); // already a type string (invalid in V1, valid now)
            var v1 = V1TypeName(type);
            if (v1 is null)
            {
                _problems.Add($"Layer {label}: the type {ValueText(type.Value)} is not a V1 layer type; it was kept as written.");
                return Verbatim(type);
            }

            if (v1 == "NONE")
            {
                _problems.Add($"Layer {label} has type NONE, which becomes an empty type string; Caffe cannot build such a layer.");
                return Synth("type", "\"\"", type);
            }

            var info = LayerCatalog.FindByV1Name(v1);
            if (info is null)
            {
                _problems.Add($"Layer {label}: no current type is known for the V1 type {v1}; it was kept as written.");
                return Verbatim(type);
            }

            return Synth("type", Quote(info.Name), type);
        }

        /// <summary>The V1 LayerType name of a <c>type</c> field written as an enum name or number, or null.</summary>
        private string? V1TypeName(FieldSyntax type)
        {
            var enumType = _analysis.Model.GetField(type)?.EnumType;
            if (enumType is null || type.Value is not ScalarValueSyntax { IsNegative: false } scalar) return null;
            if (scalar.Token.Kind == SyntaxKind.Identifier) return enumType.FindValue(scalar.Token.Text)?.Name;
            return NumberLiteral.TryParseUnsigned(scalar.Token.Text, out var n) == NumberLiteral.IntegerParse.Ok && n <= int.MaxValue
                ? enumType.FindValue((long)n)?.Name
                : null;
        }

        /// <summary>An existing transform_param with the moved fields added; a moved field replaces one it already had.</summary>
        private string MergeTransform(FieldSyntax transform, List<FieldSyntax> moved, string label)
        {
            var movedNames = moved.Select(m => m.NameText).ToHashSet(StringComparer.Ordinal);
            var block = (MessageValueSyntax)transform.Value;
            foreach (var replaced in block.Fields.Where(f => movedNames.Contains(f.NameText)).Select(f => f.NameText).Distinct())
            {
                _problems.Add($"Layer {label}: transform_param.{replaced} was replaced by the {replaced} of its data block, as Caffe does.");
            }

            return Block("transform_param", transform, block.Fields.Where(f => !movedNames.Contains(f.NameText)).Select(Verbatim).Concat(moved.Select(Verbatim)));
        }

        private string V0Layer(FieldSyntax layer, MessageValueSyntax outerBody, FieldSyntax v0Field, MessageValueSyntax v0, string type, Fold? fold)
        {
            var label = Label(v0);
            List<string> names = [], types = [], bottoms = [], tops = [], rest = [];
            var blocks = new List<(string Name, List<string> Pieces)>();
            var specs = new ParamSpecs(this);

            List<string> BlockFor(string name)
            {
                var index = blocks.FindIndex(b => b.Name == name);
                if (index >= 0) return blocks[index].Pieces;
                (string, List<string>) created = (name, []);
                // transform_param first, as current files write it.
                if (name == "transform_param") blocks.Insert(0, created);
                else blocks.Add(created);
                return created.Item2;
            }

            // Comments on the `layer { … }` wrapper itself open the new layer.
            var memberTokens = v0.Members.SelectMany(m => m.DescendantTokens()).ToHashSet();
            var wrapperComments = CommentsIn(v0Field.DescendantTokens().Where(t => !memberTokens.Contains(t)).SelectMany(t => t.LeadingTrivia.Concat(t.TrailingTrivia)));

            foreach (var f in v0.Fields)
            {
                var n = f.NameText;
                if (n == "name")
                {
                    names.Add(Verbatim(f));
                }
                else if (n == "type")
                {
                    types.Add(Synth("type", Quote(LayerCatalog.FindByV1Name(NetAnalyzer.V0ToV1(type)!)?.Name ?? NetAnalyzer.V0ToV1(type)!), f));
                }
                else if (n is "blobs_lr" or "weight_decay")
                {
                    specs.Add(f, ParamSpecField[n]);
                }
                else if (n == "blobs" || (n == "hdf5_output_param" && type == "hdf5_output"))
                {
                    rest.Add(Verbatim(f));
                }
                else if (n == "pad" && fold is not null)
                {
                    _problems.Add($"Layer {label}: its own pad {ValueText(f.Value)} was replaced by the pad of the folded padding layer, as Caffe does.");
                }
                else if (V0Transform.TryGetValue(n, out var transformName))
                {
                    BlockFor("transform_param").Add(Retag(f, transformName));
                }
                else if (V0Settings.TryGetValue(n, out var setting) && setting.Types.Contains(type))
                {
                    BlockFor(BlockOfV0Type[type]).Add(Retag(f, setting.Name));
                }
                else if (V0Settings.ContainsKey(n) || n is "hdf5_output_param" or "new_num" or "new_channels")
                {
                    _problems.Add($"Layer {label}: dropped `{n}: {ValueText(f.Value)}`, which Caffe does not carry over for a \"{type}\" layer.");
                }
                else
                {
                    rest.Add(Verbatim(f)); // not a V0 field at all (already an error); kept for the author to sort out
                }
            }

            if (blocks.Any(b => b.Name == "transform_param")) _transformsMoved++;

            if (fold is not null)
            {
                var pad = fold.Pad is null ? "pad: 0" : Synth("pad", ValueText(fold.Pad.Value), fold.Pad);
                BlockFor(BlockOfV0Type[type]).Add(pad);
                _notes.Add($"Folded V0 padding layer {Label(fold.Padding)} into {label} as pad: {(fold.Pad is null ? "0" : ValueText(fold.Pad.Value))}; " +
                           $"{label} now reads {ValueText(fold.NewBottom)} directly.");
            }

            foreach (var f in outerBody.Fields)
            {
                switch (f.NameText)
                {
                    case "layer" when f == v0Field:
                        break;
                    case "bottom":
                        bottoms.Add(fold is null ? Verbatim(f) : Synth("bottom", ValueText(fold.NewBottom), f));
                        break;
                    case "top":
                        tops.Add(Verbatim(f));
                        break;
                    default:
                        _problems.Add($"Layer {label}: dropped `{f.NameText}` beside the V0 `layer` block; Caffe keeps only bottom and top there.");
                        break;
                }
            }

            List<string> pieces = [.. wrapperComments, .. names, .. types, .. bottoms, .. tops, .. specs.Blocks(), .. rest];
            pieces.AddRange(blocks.Select(b => Block(b.Name, null, b.Pieces)));
            return Block("layer", layer, pieces, outer: false);
        }

        private static MessageValueSyntax? V0Body(MessageValueSyntax layersBody) =>
            layersBody.Fields.FirstOrDefault(f => f.NameText == "layer")?.Value as MessageValueSyntax;

        private static string V0Type(MessageValueSyntax v0) =>
            (v0.Fields.LastOrDefault(f => f.NameText == "type")?.Value as StringValueSyntax)?.Value ?? "";

        // ---- net-level inputs ----

        private void UpgradeInputs(List<FieldSyntax> fields)
        {
            var inputFields = fields.Where(f => InputFields.Contains(f.NameText)).ToList();
            if (inputFields.Count == 0) return;
            var names = fields.Where(f => f.NameText == "input").SelectMany(Elements).ToList();
            var shapes = fields.Where(f => f.NameText == "input_shape").SelectMany(Elements).ToList();
            var dims = fields.Where(f => f.NameText == "input_dim").SelectMany(Elements).ToList();

            if (names.Count == 0)
            {
                foreach (var f in inputFields) Remove(f);
                _notes.Add("Removed input_shape / input_dim, which describe no input (there is no `input` field).");
                return;
            }

            var shown = string.Join(", ", names.Select(n => ValueText(n.Value)));
            if (shapes.Count == 0 && dims.Count == 0)
            {
                _problems.Add($"The net input {shown} has no shape (input_shape or input_dim), so no Input layer can be made; it was left as written. " +
                              "Caffe would drop it; add an Input layer with its shape by hand.");
                return;
            }

            if (shapes.Count > 0 ? shapes.Count < names.Count : dims.Count < 4 * names.Count)
            {
                _problems.Add($"The net inputs {shown} need one input_shape each (or four input_dim values each) but have " +
                              $"{(shapes.Count > 0 ? $"{shapes.Count} input_shape" : $"{dims.Count} input_dim")}; they were left as written.");
                return;
            }

            if (shapes.Count > 0 && dims.Count > 0) _problems.Add("input_dim was dropped because input_shape is also given (Caffe uses input_shape then).");
            if (shapes.Count > names.Count || (shapes.Count == 0 && dims.Count > 4 * names.Count))
            {
                _problems.Add("Extra input_shape / input_dim values beyond the named inputs were dropped, as Caffe does.");
            }

            var tops = names.Select(n => Synth("top", ValueText(n.Value), n.First ? n.Field : null, leading: false));
            var blobShapes = names.Select((_, i) => shapes.Count > 0
                ? Synth("shape", ValueText(shapes[i].Value), shapes[i].First ? shapes[i].Field : null, leading: false, colon: false)
                : Block("shape", null, dims.Skip(4 * i).Take(4).Select(d => Synth("dim", ValueText(d.Value), d.First ? d.Field : null, leading: false))));
            var layer = Block("layer", null, ["name: \"input\"", "type: \"Input\"", .. tops, Block("input_param", null, blobShapes)]);

            // Caffe puts the Input layer first; it takes the place of the first input field (or goes before the first layer).
            var at = inputFields[0].Span.Start;
            var firstLayer = fields.FirstOrDefault(f => f.NameText is "layer" or "layers");
            if (firstLayer is not null && firstLayer.Span.Start < at) at = firstLayer.Span.Start;
            Edit(at, at, layer + _nl);
            foreach (var f in inputFields) Remove(f);
            _notes.Add($"Replaced the net-level input{(names.Count == 1 ? "" : "s")} {shown} with a first layer \"input\" of type Input.");
        }

        /// <summary>Removes a top-level field from its first token to the end of its line; comments before it stay.</summary>
        private void Remove(FieldSyntax field) => Edit(field.Span.Start, field.FullSpan.End, "");

        // ---- BatchNorm ----

        private void FixBatchNorm(List<FieldSyntax> fields)
        {
            foreach (var layer in fields.Where(f => f.NameText == "layer"))
            {
                if (BatchNormParamsToFix(layer) is not { } specs) continue;
                foreach (var spec in specs)
                {
                    SetZero(spec, "lr_mult");
                    SetZero(spec, "decay_mult");
                }

                _notes.Add($"BatchNorm layer {Label((MessageValueSyntax)layer.Value)}: set lr_mult: 0 and decay_mult: 0 in its three param blocks, " +
                           "as Caffe does (the layer computes these statistics itself; the solver must not update them).");
            }
        }

        private void SetZero(MessageValueSyntax spec, string name)
        {
            var existing = spec.Fields.Where(f => f.NameText == name).ToList();
            if (existing.Count == 0) Edit(spec.Close.Span.Start, spec.Close.Span.Start, $"{name}: 0{_nl}");
            foreach (var f in existing.Where(f => !IsZero(f))) Edit(f.Value.Span.Start, f.Value.Span.End, "0");
        }

        // ---- text pieces ----

        /// <summary>A ParamSpec per parameter blob, filled from the V0/V1 per-blob lists.</summary>
        private sealed class ParamSpecs(Rewriter owner)
        {
            private readonly List<List<(int Rank, string Field, string Value, FieldSyntax? Origin)>> _slots = [];
            private readonly Dictionary<string, int> _next = new(StringComparer.Ordinal);

            public void Add(FieldSyntax field, string target)
            {
                foreach (var element in Elements(field))
                {
                    var index = _next.GetValueOrDefault(target);
                    _next[target] = index + 1;
                    while (_slots.Count <= index) _slots.Add([]);
                    _slots[index].Add((Array.IndexOf(ParamSpecOrder, target), target, owner.ValueText(element.Value), element.First ? field : null));
                }
            }

            public IEnumerable<string> Blocks() =>
                _slots.Select(s => owner.Block("param", null, s.OrderBy(e => e.Rank).Select(e => owner.Synth(e.Field, e.Value, e.Origin))));
        }

        private readonly record struct Element(ValueSyntax Value, FieldSyntax Field, bool First);

        /// <summary>The values of a field: one, or each element of a list value.</summary>
        private static IEnumerable<Element> Elements(FieldSyntax field) =>
            field.Value is ListValueSyntax list
                ? list.Elements.Select((v, i) => new Element(v, field, i == 0))
                : [new Element(field.Value, field, true)];

        private static string Decoded(ValueSyntax value) => value is StringValueSyntax s ? s.Value : value.ToFullString().Trim();

        private string ValueText(ValueSyntax value) => _text.Substring(value.Span.Start, value.Span.Length);

        private int Line(SyntaxNode node) => _analysis.Text.Lines.GetPosition(node.Span.Start).Line + 1;

        /// <summary>How notes name a layer: its quoted name, or its line.</summary>
        private string Label(MessageValueSyntax body) =>
            body.Fields.LastOrDefault(f => f.NameText == "name")?.Value is StringValueSyntax s ? $"'{s.Value}'" : $"at line {Line(body)}";

        private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

        private static IEnumerable<string> CommentsIn(IEnumerable<SyntaxTrivia> trivia) =>
            trivia.Where(t => t.Kind == SyntaxKind.Comment).Select(t => t.Text.TrimEnd());

        /// <summary>The trivia of a node's tokens, with or without the leading trivia of its first token and the trailing trivia of its last.</summary>
        private static IEnumerable<SyntaxTrivia> TriviaOf(SyntaxNode node, bool leading, bool trailing)
        {
            var tokens = node.DescendantTokens().ToList();
            for (var i = 0; i < tokens.Count; i++)
            {
                if (leading || i > 0)
                {
                    foreach (var t in tokens[i].LeadingTrivia) yield return t;
                }

                if (trailing || i < tokens.Count - 1)
                {
                    foreach (var t in tokens[i].TrailingTrivia) yield return t;
                }
            }
        }

        /// <summary>A field copied as written, with its comments.</summary>
        private static string Verbatim(FieldSyntax field) => field.ToFullString().Trim();

        /// <summary>A field copied as written under a new name.</summary>
        private string Retag(FieldSyntax field, string name)
        {
            var full = field.ToFullString();
            var start = field.FullSpan.Start;
            var separator = field.Value is MessageValueSyntax ? " " : ": ";
            return (full[..(field.NameSpan.Start - start)] + name + separator + full[(field.Value.Span.Start - start)..]).Trim();
        }

        /// <summary>A new field <c>name: value</c> that carries the comments of the field it came from.</summary>
        private string Synth(string name, string value, FieldSyntax? origin, bool leading = true, bool colon = true)
        {
            var sb = new StringBuilder();
            if (origin is not null && leading)
            {
                foreach (var c in CommentsIn(origin.DescendantTokens().First().LeadingTrivia)) sb.Append(c).Append(_nl);
            }

            sb.Append(name).Append(colon ? ": " : " ").Append(value);
            if (origin is not null)
            {
                var trailing = CommentsIn(TriviaOf(origin, leading: false, trailing: true)).ToList();
                if (trailing.Count > 0) sb.Append("  ").AppendJoin(" ", trailing);
            }

            return sb.ToString();
        }

        /// <summary>
        /// <c>name { pieces }</c> with the comments of the block it replaces. With <paramref name="outer"/> false the
        /// result replaces only the origin's span, so the comments before it and at the end of its line stay where they are.
        /// </summary>
        private string Block(string name, FieldSyntax? origin, IEnumerable<string> pieces, bool outer = true)
        {
            var sb = new StringBuilder();
            List<string> header = [], closing = [], after = [];
            if (origin?.Value is MessageValueSyntax block)
            {
                var tokens = origin.DescendantTokens().ToList();
                if (outer) foreach (var c in CommentsIn(tokens[0].LeadingTrivia)) sb.Append(c).Append(_nl);
                var open = tokens.IndexOf(block.Open);
                header.AddRange(CommentsIn(tokens.Take(open + 1).SelectMany((t, i) => i == 0 ? t.TrailingTrivia : t.LeadingTrivia.Concat(t.TrailingTrivia))));
                closing.AddRange(CommentsIn(block.Close.LeadingTrivia));
                var last = tokens[^1];
                after.AddRange(CommentsIn(block.Close == last
                    ? outer ? last.TrailingTrivia : []
                    : block.Close.TrailingTrivia.Concat(last.LeadingTrivia).Concat(outer ? last.TrailingTrivia : [])));
            }

            sb.Append(name).Append(" {");
            if (header.Count > 0) sb.Append("  ").AppendJoin(" ", header);
            foreach (var piece in pieces) sb.Append(_nl).Append(piece);
            foreach (var c in closing) sb.Append(_nl).Append(c);
            sb.Append(_nl).Append('}');
            if (after.Count > 0)
            {
                sb.Append("  ").AppendJoin(" ", after);
                if (!outer) sb.Append(_nl);
            }

            return sb.ToString();
        }

        private static string Count(int n, string what) => n == 1 ? $"1 {what}" : $"{n} {what}s";
    }
}
