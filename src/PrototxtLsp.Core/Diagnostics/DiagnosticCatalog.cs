using PrototxtLsp.Core.Text;

namespace PrototxtLsp.Core.Diagnostics;

/// <summary>
/// Every diagnostic the tool reports. Codes are stable contracts (scripts and suppressions rely on them); bands:
/// 1xxx syntax, 2xxx schema, 3xxx net graph, 4xxx shapes, 5xxx solver and workspace.
/// </summary>
public static class DiagnosticCatalog
{
    private static readonly List<DiagnosticDescriptor> AllDescriptors = new();

    private static DiagnosticDescriptor Define(string code, DiagnosticSeverity severity, string title)
    {
        var descriptor = new DiagnosticDescriptor(code, severity, title);
        AllDescriptors.Add(descriptor);
        return descriptor;
    }

    // ---- 1xxx syntax -------------------------------------------------------------------------------------------
    public static readonly DiagnosticDescriptor InvalidCharacter = Define("PTX1001", DiagnosticSeverity.Error, "Invalid character");
    public static readonly DiagnosticDescriptor UnterminatedString = Define("PTX1002", DiagnosticSeverity.Error, "Unterminated string");
    public static readonly DiagnosticDescriptor InvalidEscape = Define("PTX1003", DiagnosticSeverity.Error, "Invalid escape sequence");
    public static readonly DiagnosticDescriptor MalformedNumber = Define("PTX1004", DiagnosticSeverity.Error, "Malformed number");
    public static readonly DiagnosticDescriptor ExpectedFieldName = Define("PTX1005", DiagnosticSeverity.Error, "Expected a field name");
    public static readonly DiagnosticDescriptor ExpectedColon = Define("PTX1006", DiagnosticSeverity.Error, "Expected ':'");
    public static readonly DiagnosticDescriptor ExpectedValue = Define("PTX1007", DiagnosticSeverity.Error, "Expected a value");
    public static readonly DiagnosticDescriptor UnclosedBlock = Define("PTX1008", DiagnosticSeverity.Error, "Unclosed block");
    public static readonly DiagnosticDescriptor MismatchedClose = Define("PTX1009", DiagnosticSeverity.Error, "Mismatched closing delimiter");
    public static readonly DiagnosticDescriptor UnexpectedClose = Define("PTX1010", DiagnosticSeverity.Error, "Unexpected closing delimiter");
    public static readonly DiagnosticDescriptor NestingTooDeep = Define("PTX1011", DiagnosticSeverity.Error, "Nesting too deep");
    public static readonly DiagnosticDescriptor ByteOrderMark = Define("PTX1012", DiagnosticSeverity.Error, "UTF-8 byte-order mark");
    public static readonly DiagnosticDescriptor MalformedList = Define("PTX1013", DiagnosticSeverity.Error, "Malformed list");
    public static readonly DiagnosticDescriptor MalformedExtensionName = Define("PTX1014", DiagnosticSeverity.Error, "Malformed extension name");

    // ---- 2xxx schema -------------------------------------------------------------------------------------------
    public static readonly DiagnosticDescriptor UnknownField = Define("PTX2001", DiagnosticSeverity.Error, "Unknown field");
    public static readonly DiagnosticDescriptor WrongValueKind = Define("PTX2002", DiagnosticSeverity.Error, "Value of the wrong kind");
    public static readonly DiagnosticDescriptor UnknownEnumValue = Define("PTX2003", DiagnosticSeverity.Error, "Unknown enum value");
    public static readonly DiagnosticDescriptor DuplicateField = Define("PTX2004", DiagnosticSeverity.Error, "Non-repeated field given more than once");
    public static readonly DiagnosticDescriptor NumberOutOfRange = Define("PTX2005", DiagnosticSeverity.Error, "Number out of range");
    public static readonly DiagnosticDescriptor MissingRequiredField = Define("PTX2006", DiagnosticSeverity.Warning, "Required field missing");
    public static readonly DiagnosticDescriptor UnknownRootMessage = Define("PTX2007", DiagnosticSeverity.Error, "Unknown proto-message header");
    public static readonly DiagnosticDescriptor OneofMembers = Define("PTX2008", DiagnosticSeverity.Error, "Two members of one oneof");

    // ---- 3xxx net graph ----------------------------------------------------------------------------------------
    public static readonly DiagnosticDescriptor UnknownBottom = Define("PTX3001", DiagnosticSeverity.Error, "Unknown bottom blob");
    public static readonly DiagnosticDescriptor MultipleSources = Define("PTX3002", DiagnosticSeverity.Error, "Top produced by multiple sources");
    public static readonly DiagnosticDescriptor UnknownLayerType = Define("PTX3003", DiagnosticSeverity.Error, "Unknown layer type");
    public static readonly DiagnosticDescriptor WrongBottomCount = Define("PTX3004", DiagnosticSeverity.Error, "Wrong number of bottoms");
    public static readonly DiagnosticDescriptor WrongTopCount = Define("PTX3005", DiagnosticSeverity.Error, "Wrong number of tops");
    public static readonly DiagnosticDescriptor InPlaceRefused = Define("PTX3006", DiagnosticSeverity.Error, "In-place use not allowed");
    public static readonly DiagnosticDescriptor IncludeAndExclude = Define("PTX3007", DiagnosticSeverity.Error, "Both include and exclude rules");
    public static readonly DiagnosticDescriptor UnusedParamBlock = Define("PTX3008", DiagnosticSeverity.Warning, "Parameter block the layer never reads");
    public static readonly DiagnosticDescriptor DuplicateLayerName = Define("PTX3009", DiagnosticSeverity.Warning, "Duplicate layer name");
    public static readonly DiagnosticDescriptor MixedLayerFormats = Define("PTX3010", DiagnosticSeverity.Error, "Both layer and layers");
    public static readonly DiagnosticDescriptor LegacyFormat = Define("PTX3011", DiagnosticSeverity.Information, "Legacy format");
    public static readonly DiagnosticDescriptor LossWeightCount = Define("PTX3012", DiagnosticSeverity.Error, "loss_weight count differs from tops");
    public static readonly DiagnosticDescriptor PropagateDownCount = Define("PTX3013", DiagnosticSeverity.Error, "propagate_down count differs from bottoms");
    public static readonly DiagnosticDescriptor TooManyStates = Define("PTX3014", DiagnosticSeverity.Information, "Too many stage sets to check");

    // ---- 4xxx shapes ----------------------------------------------------------------------------------------------
    public static readonly DiagnosticDescriptor IncompatibleShapes = Define("PTX4001", DiagnosticSeverity.Error, "Incompatible shapes");
    public static readonly DiagnosticDescriptor NonPositiveDimension = Define("PTX4002", DiagnosticSeverity.Error, "Dimension not positive");
    public static readonly DiagnosticDescriptor MissingRequiredParameter = Define("PTX4003", DiagnosticSeverity.Error, "Layer parameter missing");

    // ---- 5xxx solver and workspace -------------------------------------------------------------------------------
    public static readonly DiagnosticDescriptor NetFileNotFound = Define("PTX5001", DiagnosticSeverity.Warning, "Referenced net file not found");
    public static readonly DiagnosticDescriptor SchemaNotLoaded = Define("PTX5002", DiagnosticSeverity.Error, "Custom schema could not be loaded");
    public static readonly DiagnosticDescriptor ProjectFileProblem = Define("PTX5003", DiagnosticSeverity.Warning, "Problem in prototxt-lsp.json");
    public static readonly DiagnosticDescriptor TooManyProblems = Define("PTX5004", DiagnosticSeverity.Information, "More problems than the editor is shown");

    public static IReadOnlyList<DiagnosticDescriptor> All => AllDescriptors;

    // ---- factories: one per situation, each message says what is wrong and what to do ---------------------------

    public static Diagnostic ProblemsNotShown(int shown, int total) =>
        new(TooManyProblems, new TextSpan(0, 0),
            $"{total - shown:N0} more problems are not shown: the editor gets {shown:N0} of {total:N0} (errors first, then in file order). " +
            "Fix these first, run 'prototxt-lsp check' on the file for the full list, or raise the setting prototxt.diagnostics.maxPerFile.");

    public static Diagnostic ControlCharacter(TextSpan span, char c) =>
        new(InvalidCharacter, span, $"Control character U+{(int)c:X4} is not allowed here; delete it.");

    public static Diagnostic UnexpectedCharacters(TextSpan span, string text) =>
        new(InvalidCharacter, span, text.Length == 1 && text[0] < 0x80
            ? $"Unexpected character '{text}'; protobuf text format has no such token here. Delete it, or quote the value if it is part of a string."
            : $"Unexpected character{(text.Length == 1 ? "" : "s")} '{text}' (U+{(int)text[0]:X4}); Caffe's parser accepts only ASCII outside strings and comments. Delete {(text.Length == 1 ? "it" : "them")} or put {(text.Length == 1 ? "it" : "them")} in quotes.");

    public static Diagnostic NonAsciiWord(TextSpan span, string word) =>
        new(InvalidCharacter, span, $"'{word}' contains non-ASCII letters; Caffe's parser accepts only ASCII names outside strings. Retype it in ASCII, or quote it if it is a string value.");

    public static Diagnostic BomNotAllowed(TextSpan span) =>
        new(ByteOrderMark, span, "The file starts with a UTF-8 byte-order mark, which Caffe's parser rejects (\"Interpreting non ascii codepoint 239\"). Save the file as UTF-8 without BOM.");

    public static Diagnostic StringNotClosedAtLineEnd(TextSpan span, char quote) =>
        new(UnterminatedString, span, $"String is not closed before the end of the line (text-format strings cannot span lines). Add the closing {quote}; for a long value, write several adjacent strings, which are joined.");

    public static Diagnostic StringNotClosedAtEnd(TextSpan span, char quote) =>
        new(UnterminatedString, span, $"String is not closed before the end of the file; add the closing {quote}.");

    public static Diagnostic BadEscape(TextSpan span, string detail) => new(InvalidEscape, span, detail);

    public static Diagnostic BadNumber(TextSpan span, string text, string detail) =>
        new(MalformedNumber, span, $"'{text}' is not a valid number: {detail}");

    public static Diagnostic FieldNameExpected(TextSpan span, string found) =>
        new(ExpectedFieldName, span, $"Expected a field name, found {found}. Each entry is 'name: value' or 'name {{ … }}'.");

    public static Diagnostic ColonExpected(TextSpan span, string field) =>
        new(ExpectedColon, span, $"Expected ':' between '{field}' and its value; write '{field}: value'.");

    public static Diagnostic ValueExpected(TextSpan span, string field, bool hadColon) =>
        new(ExpectedValue, span, hadColon
            ? $"Expected a value after '{field}:'."
            : $"Expected ':' and a value, or '{{ … }}', after '{field}'.");

    public static Diagnostic NumberExpectedAfterMinus(TextSpan span) =>
        new(ExpectedValue, span, "Expected a number after '-'.");

    public static Diagnostic BlockNotClosed(TextSpan span, string open, string close, string? field, int openLine) =>
        new(UnclosedBlock, span, field is null
            ? $"'{open}' opened on line {openLine + 1} is never closed; add a matching '{close}'."
            : $"'{open}' of '{field}' opened on line {openLine + 1} is never closed; add a matching '{close}'.");

    public static Diagnostic CloseMismatch(TextSpan span, string expected, string found, TextSpan openSpan) =>
        new(MismatchedClose, span, $"Expected '{expected}' to close the block, found '{found}'; a block opened with '{(expected == "}" ? "{" : "<")}' must end with '{expected}'.",
            [new RelatedLocation(openSpan, "The block opened here.")]);

    public static Diagnostic StrayClose(TextSpan span, string text) =>
        new(UnexpectedClose, span, $"Unexpected '{text}': there is no open block here to close. Delete it, or look for a missing opening brace above.");

    public static Diagnostic TooDeep(TextSpan span, int limit) =>
        new(NestingTooDeep, span, $"Messages are nested more than {limit} levels deep; protobuf's parser stops at this depth. The nested content is not checked.");

    public static Diagnostic ListElementExpected(TextSpan span, string found) =>
        new(MalformedList, span, $"Expected a value in the list, found {found}. A list is '[a, b, c]' with no trailing comma.");

    public static Diagnostic ListSeparatorExpected(TextSpan span, string found) =>
        new(MalformedList, span, $"Expected ',' or ']' in the list, found {found}.");

    public static Diagnostic ListNotClosed(TextSpan span, int openLine) =>
        new(MalformedList, span, $"List opened on line {openLine + 1} is not closed; add ']'.");

    public static Diagnostic BadExtensionName(TextSpan span, string detail) => new(MalformedExtensionName, span, detail);

    public static Diagnostic UnknownFieldIn(TextSpan span, string message, string field, string? suggestion, IReadOnlyList<string>? belongsIn = null) =>
        WithFix(new(UnknownField, span, suggestion is not null
            ? $"Message type \"{message}\" has no field named \"{field}\". Did you mean '{suggestion}'?"
            : belongsIn is { Count: > 0 }
                ? $"Message type \"{message}\" has no field named \"{field}\"; it belongs inside {Enumerate(belongsIn.Select(b => $"'{b} {{ … }}'").ToList(), 4)}."
                : $"Message type \"{message}\" has no field named \"{field}\". Remove it, or point the file at the caffe.proto of the Caffe fork that defines it."),
            span, suggestion);

    private static Diagnostic WithFix(Diagnostic d, TextSpan span, string? replacement, bool quote = false) =>
        replacement is null ? d : d with { Fixes = [new DiagnosticFix($"Change to '{replacement}'", span, quote ? Quote(replacement) : replacement)] };

    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    public static Diagnostic UnknownExtension(TextSpan span, string message, string name) =>
        new(UnknownField, span, name.Contains('/')
            ? $"'[{name}]' is an Any type URL, but no field of \"{message}\" here has type google.protobuf.Any; remove it."
            : $"Extension \"{name}\" is not defined for \"{message}\" (the schema declares no extensions); remove it.");

    public static Diagnostic WrongKind(TextSpan span, string detail) => new(WrongValueKind, span, detail);

    public static Diagnostic UnknownEnum(TextSpan span, string field, string enumName, string value, IEnumerable<string> valid, string? suggestion) =>
        WithFix(new(UnknownEnumValue, span, $"'{value}' is not a value of {enumName} (field '{field}'). {(suggestion is null ? "" : $"Did you mean '{suggestion}'? ")}Valid values: {Enumerate(valid.ToList(), 12)}."),
            span, suggestion);

    private static string Enumerate(IReadOnlyList<string> items, int max) =>
        items.Count <= max ? string.Join(", ", items) : string.Join(", ", items.Take(max)) + $", … ({items.Count} in all)";

    public static Diagnostic Duplicate(TextSpan span, string field, TextSpan first) =>
        new(DuplicateField, span, $"Non-repeated field \"{field}\" is specified more than once; Caffe's parser rejects the file. Keep one of them.",
            [new RelatedLocation(first, $"'{field}' is first set here.")]);

    public static Diagnostic OneofConflict(TextSpan span, string field, string other, string oneof, TextSpan otherSpan) =>
        new(OneofMembers, span, $"Field \"{field}\" is specified along with field \"{other}\", another member of oneof \"{oneof}\"; keep one of them.",
            [new RelatedLocation(otherSpan, $"'{other}' is set here.")]);

    public static Diagnostic OutOfRange(TextSpan span, string field, string type, string text, string range) =>
        new(NumberOutOfRange, span, $"{text} is out of range for '{field}' ({type}: {range}).");

    public static Diagnostic RequiredMissing(TextSpan span, string message, IEnumerable<string> fields) =>
        new(MissingRequiredField, span, $"{message} is missing required field{(fields.Count() == 1 ? "" : "s")} {string.Join(", ", fields.Select(f => $"'{f}'"))}; protoc only warns, but the value is undefined without it.");

    public static Diagnostic RootMessageUnknown(TextSpan span, string name, string? suggestion) =>
        new(UnknownRootMessage, span, $"The proto-message header names '{name}', which the schema does not define{(suggestion is null ? "" : $" (did you mean '{suggestion}'?)")}; the file is checked by its top-level fields meanwhile.");

    // ---- 3xxx --------------------------------------------------------------------------------------------------

    /// <param name="states">" (in TEST)" and the like, or "" when it holds in every state.</param>
    public static Diagnostic BottomUnknown(TextSpan span, string blob, string layer, int index, string? suggestion, string states) =>
        WithFix(new(UnknownBottom, span,
            $"Unknown bottom blob '{blob}' (layer '{layer}', bottom index {index}){states}: no earlier layer produces it and it is not a net input." +
            (suggestion is null ? " Check the spelling, or move the layer that produces it above this one." : $" Did you mean '{suggestion}'?")),
            span, suggestion, quote: true);

    public static Diagnostic TopMultipleSources(TextSpan span, string blob, string layer, TextSpan first, string firstLayer, string states) =>
        new(MultipleSources, span,
            $"Top blob '{blob}' produced by multiple sources{states}: layer '{firstLayer}' already produces it. Rename this top, or write it in place (the same name as this layer's bottom at the same index).",
            [new RelatedLocation(first, $"'{blob}' is first produced here, by layer '{firstLayer}'.")]);

    public static Diagnostic LayerTypeUnknown(TextSpan span, string type, string? suggestion, bool quoted) =>
        WithFix(new(UnknownLayerType, span,
            $"Unknown layer type: {type}." + (suggestion is null
                ? " Caffe has no layer of this type. If it comes from a fork, check against the fork's caffe.proto (--schema, a '# proto-file:' header, prototxt.schema.path or prototxt-lsp.json) or declare it under \"layerTypes\" in prototxt-lsp.json."
                : string.Equals(type, suggestion, StringComparison.OrdinalIgnoreCase)
                    ? $" Did you mean '{suggestion}'? Layer types are case-sensitive."
                    : $" Did you mean '{suggestion}'?")),
            span, suggestion, quote: quoted);

    public static Diagnostic LayerTypeMissing(TextSpan span, string layer) =>
        new(UnknownLayerType, span, $"Layer '{layer}' has no 'type', so Caffe cannot create it. Add one, e.g. type: \"Convolution\".");

    public static Diagnostic TopPerBottom(TextSpan span, string type, string layer, int tops, int bottoms, string states) =>
        new(WrongTopCount, span, $"{type} layer '{layer}' produces one top blob for each bottom blob: it has {bottoms} bottom(s) but {tops} top(s){states}.");

    public static Diagnostic BottomCount(TextSpan span, string type, string layer, int count, string expected, string states) =>
        new(WrongBottomCount, span, $"{type} layer '{layer}' takes {expected} bottom blob(s) as input, but has {count}{states}.");

    public static Diagnostic TopCount(TextSpan span, string type, string layer, int count, string expected, string states) =>
        new(WrongTopCount, span, $"{type} layer '{layer}' produces {expected} top blob(s) as output, but has {count}{states}.");

    public static Diagnostic InPlaceNotAllowed(TextSpan span, string type, string layer, string blob) =>
        new(InPlaceRefused, span, $"{type} layer '{layer}' does not allow in-place computation, but its top '{blob}' is its bottom. Give the top a new name.");

    public static Diagnostic BothIncludeAndExclude(TextSpan span, string layer) =>
        new(IncludeAndExclude, span, $"Layer '{layer}' has both include and exclude rules; Caffe refuses this (specify either include rules or exclude rules, not both).");

    public static Diagnostic ParamBlockIgnored(TextSpan span, string block, string type, IReadOnlyList<string> reads) =>
        new(UnusedParamBlock, span, $"{type} layers never read '{block}'; Caffe silently ignores it." +
            (reads.Count == 0 ? " Remove it." : $" This type reads {Enumerate(reads.Select(r => $"'{r}'").ToList(), 4)}; did you mean one of them?"));

    public static Diagnostic LayerNameDuplicate(TextSpan span, string name, TextSpan first, string states) =>
        new(DuplicateLayerName, span, $"Another layer is already named '{name}'{states}; Caffe's logs, snapshots and weight sharing by name become ambiguous. Give each layer its own name.",
            [new RelatedLocation(first, $"The first layer named '{name}'.")]);

    public static Diagnostic LayerAndLayers(TextSpan span) =>
        new(MixedLayerFormats, span, "This net mixes 'layer' (current format) and 'layers' (V1 format); Caffe refuses to upgrade or load it. Convert the 'layers' blocks to 'layer'.");

    public static Diagnostic LegacyLayers(TextSpan span, string format, int count) =>
        new(LegacyFormat, span, $"{count} layer(s) in the {format} format ('layers'). Caffe upgrades them when it loads the file; use \"Upgrade to the current format\" (or `prototxt-lsp upgrade`) to rewrite them as 'layer'.");

    public static Diagnostic LegacyInputs(TextSpan span) =>
        new(LegacyFormat, span, "Net-level 'input' fields are the legacy way to declare inputs; Caffe turns them into an Input layer. Use \"Upgrade to the current format\" to rewrite them.");

    public static Diagnostic StatesNotChecked(TextSpan span, string phase, int named, int checkedCount) =>
        new(TooManyStates, span, $"The net's rules name {named} stage sets for {phase}; it is checked in the first {checkedCount} (in file order), and the layers of the others are not checked in their states. Fewer distinct stage sets keep every state checked.");

    public static Diagnostic LossWeightMismatch(TextSpan span, string layer, int weights, int tops) =>
        new(LossWeightCount, span, $"Layer '{layer}' gives {weights} loss_weight value(s) for {tops} top(s); give none or exactly one per top.");

    public static Diagnostic PropagateDownMismatch(TextSpan span, string layer, int values, int bottoms) =>
        new(PropagateDownCount, span, $"Layer '{layer}' gives {values} propagate_down value(s) for {bottoms} bottom(s); give none or exactly one per bottom.");

    // ---- 4xxx --------------------------------------------------------------------------------------------------

    public static Diagnostic ShapesIncompatible(TextSpan span, string layer, string detail, string states) =>
        new(IncompatibleShapes, span, $"Layer '{layer}': {detail}{states}.");

    public static Diagnostic DimensionNotPositive(TextSpan span, string layer, string detail, string states) =>
        new(NonPositiveDimension, span, $"Layer '{layer}': {detail}{states}. Reduce the kernel (or crop), add padding, or use a larger input.");

    public static Diagnostic ParameterMissing(TextSpan span, string type, string layer, string what) =>
        new(MissingRequiredParameter, span, $"{type} layer '{layer}' needs {what}; Caffe stops when it sets the layer up.");

    // ---- 5xxx --------------------------------------------------------------------------------------------------

    public static Diagnostic NetFileMissing(TextSpan span, string field, string path) =>
        new(NetFileNotFound, span, $"'{field}' names '{path}', which was found neither beside this file, nor in a folder above it, nor in the workspace. Caffe resolves it against the folder it runs in; check the path.");

    public static Diagnostic SchemaLoadFailed(TextSpan span, string proto, string reason) =>
        new(SchemaNotLoaded, span, $"The schema '{proto}' could not be loaded: {reason}. The file is checked against the embedded BVLC caffe.proto meanwhile.");

    public static Diagnostic ProjectFileInvalid(TextSpan span, string path, string problem) =>
        new(ProjectFileProblem, span, $"{path}: {problem}.");
}
