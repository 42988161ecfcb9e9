using System.Text.Json;
using System.Text.Json.Serialization;

namespace PrototxtLsp.Server.Protocol;

// The subset of LSP 3.17 types this server speaks. Names follow the specification; JSON is camelCase.

public sealed class Position
{
    public int Line { get; set; }
    public int Character { get; set; }
}

public sealed class Range
{
    public Position Start { get; set; } = new();
    public Position End { get; set; } = new();
}

public sealed class Location
{
    public string Uri { get; set; } = "";
    public Range Range { get; set; } = new();
}

public sealed class InitializeParams
{
    public int? ProcessId { get; set; }
    public string? RootUri { get; set; }
    public JsonElement? InitializationOptions { get; set; }
    public JsonElement? Capabilities { get; set; }
    public string? Trace { get; set; }

    public List<WorkspaceFolder>? WorkspaceFolders { get; set; }
}

public sealed class InitializeResult
{
    public ServerCapabilities Capabilities { get; set; } = new();
    public ServerInfo ServerInfo { get; set; } = new();
}

public sealed class ServerInfo
{
    public string Name { get; set; } = "prototxt-lsp";
    public string? Version { get; set; }
}

public sealed class ServerCapabilities
{
    public TextDocumentSyncOptions TextDocumentSync { get; set; } = new();
    public bool HoverProvider { get; set; }
    public bool DocumentSymbolProvider { get; set; }
    public bool FoldingRangeProvider { get; set; }
    public bool SelectionRangeProvider { get; set; }
    public CompletionOptions? CompletionProvider { get; set; }

    public bool DocumentFormattingProvider { get; set; }

    public bool DocumentRangeFormattingProvider { get; set; }

    public SemanticTokensOptions? SemanticTokensProvider { get; set; }

    public DocumentLinkOptions? DocumentLinkProvider { get; set; }

    public bool DefinitionProvider { get; set; }

    public bool ReferencesProvider { get; set; }

    public bool DocumentHighlightProvider { get; set; }

    public RenameOptions? RenameProvider { get; set; }

    public bool CallHierarchyProvider { get; set; }

    public CodeActionOptions? CodeActionProvider { get; set; }

    public bool InlayHintProvider { get; set; }

    public CodeLensOptions? CodeLensProvider { get; set; }
    public string PositionEncoding { get; set; } = "utf-16";
}

public sealed class TextDocumentSyncOptions
{
    public bool OpenClose { get; set; } = true;
    /// <summary>2 = incremental.</summary>
    public int Change { get; set; } = 2;
}

public sealed class TextDocumentItem
{
    public string Uri { get; set; } = "";
    public string LanguageId { get; set; } = "";
    public int Version { get; set; }
    public string Text { get; set; } = "";
}

public sealed class TextDocumentIdentifier
{
    public string Uri { get; set; } = "";
}

public sealed class VersionedTextDocumentIdentifier
{
    public string Uri { get; set; } = "";
    public int Version { get; set; }
}

public sealed class DidOpenTextDocumentParams
{
    public TextDocumentItem TextDocument { get; set; } = new();
}

public sealed class DidChangeTextDocumentParams
{
    public VersionedTextDocumentIdentifier TextDocument { get; set; } = new();
    public List<TextDocumentContentChangeEvent> ContentChanges { get; set; } = new();
}

public sealed class TextDocumentContentChangeEvent
{
    /// <summary>Absent for a full-text change.</summary>
    public Range? Range { get; set; }
    public string Text { get; set; } = "";
}

public sealed class DidCloseTextDocumentParams
{
    public TextDocumentIdentifier TextDocument { get; set; } = new();
}

public sealed class TextDocumentPositionParams
{
    public TextDocumentIdentifier TextDocument { get; set; } = new();
    public Position Position { get; set; } = new();
}

public sealed class DocumentSymbolParams
{
    public TextDocumentIdentifier TextDocument { get; set; } = new();
}

public sealed class PublishDiagnosticsParams
{
    public string Uri { get; set; } = "";
    public int? Version { get; set; }
    public List<LspDiagnostic> Diagnostics { get; set; } = new();
}

public sealed class LspDiagnostic
{
    public Range Range { get; set; } = new();
    public int Severity { get; set; }
    public string Code { get; set; } = "";
    public CodeDescription? CodeDescription { get; set; }
    public string Source { get; set; } = "prototxt";
    public string Message { get; set; } = "";
    public List<DiagnosticRelatedInformation>? RelatedInformation { get; set; }
}

public sealed class CodeDescription
{
    public string Href { get; set; } = "";
}

public sealed class DiagnosticRelatedInformation
{
    public Location Location { get; set; } = new();
    public string Message { get; set; } = "";
}

public sealed class Hover
{
    public MarkupContent Contents { get; set; } = new();
    public Range? Range { get; set; }
}

public sealed class MarkupContent
{
    public string Kind { get; set; } = "markdown";
    public string Value { get; set; } = "";
}

public sealed class DocumentSymbol
{
    public string Name { get; set; } = "";
    public string? Detail { get; set; }
    public int Kind { get; set; }
    public Range Range { get; set; } = new();
    public Range SelectionRange { get; set; } = new();
    public List<DocumentSymbol>? Children { get; set; }
}

public sealed class InitializedParams;

public sealed class CompletionOptions
{
    public List<string> TriggerCharacters { get; set; } = new();
}

public sealed class CompletionList
{
    public bool IsIncomplete { get; set; }
    public List<CompletionItem> Items { get; set; } = new();
}

public sealed class CompletionItem
{
    public string Label { get; set; } = "";
    public int Kind { get; set; }
    public string? Detail { get; set; }
    public MarkupContent? Documentation { get; set; }
    public TextEdit? TextEdit { get; set; }
    /// <summary>1 plain text, 2 snippet.</summary>
    public int InsertTextFormat { get; set; } = 1;

    public string? FilterText { get; set; }

    public string? SortText { get; set; }

    /// <summary>Tags: 1 = deprecated.</summary>
    public List<int>? Tags { get; set; }
}

public sealed class TextEdit
{
    public Range Range { get; set; } = new();
    public string NewText { get; set; } = "";
}

public sealed class SelectionRangeParams
{
    public TextDocumentIdentifier TextDocument { get; set; } = new();
    public List<Position> Positions { get; set; } = new();
}

public sealed class SelectionRange
{
    public Range Range { get; set; } = new();
    public SelectionRange? Parent { get; set; }
}

public sealed class FoldingRangeParams
{
    public TextDocumentIdentifier TextDocument { get; set; } = new();
}

public sealed class FoldingRange
{
    public int StartLine { get; set; }
    public int EndLine { get; set; }
    public string? Kind { get; set; }
}

public sealed class SetTraceParams
{
    public string Value { get; set; } = "off";
}

public sealed class LogMessageParams
{
    public int Type { get; set; }
    public string Message { get; set; } = "";
}

public sealed class FormattingOptions
{
    public int TabSize { get; set; } = 2;

    public bool InsertSpaces { get; set; } = true;
}

public sealed class DocumentFormattingParams
{
    public TextDocumentIdentifier TextDocument { get; set; } = new();

    public FormattingOptions Options { get; set; } = new();
}

public sealed class DocumentRangeFormattingParams
{
    public TextDocumentIdentifier TextDocument { get; set; } = new();

    public Range Range { get; set; } = new();

    public FormattingOptions Options { get; set; } = new();
}

public sealed class SemanticTokensLegend
{
    public List<string> TokenTypes { get; set; } = new();

    public List<string> TokenModifiers { get; set; } = new();
}

public sealed class SemanticTokensOptions
{
    public SemanticTokensLegend Legend { get; set; } = new();

    public bool Range { get; set; } = true;

    public bool Full { get; set; } = true;
}

public sealed class SemanticTokensParams
{
    public TextDocumentIdentifier TextDocument { get; set; } = new();
}

public sealed class SemanticTokensRangeParams
{
    public TextDocumentIdentifier TextDocument { get; set; } = new();

    public Range Range { get; set; } = new();
}

public sealed class SemanticTokens
{
    public List<int> Data { get; set; } = new();
}

public sealed class DocumentLinkOptions
{
    public bool ResolveProvider { get; set; }
}

public sealed class DocumentLinkParams
{
    public TextDocumentIdentifier TextDocument { get; set; } = new();
}

public sealed class DocumentLink
{
    public Range Range { get; set; } = new();

    public string? Target { get; set; }

    public string? Tooltip { get; set; }
}

public sealed class DidChangeConfigurationParams
{
    public JsonElement? Settings { get; set; }
}

public sealed class LogTraceParams
{
    public string Message { get; set; } = "";

    public string? Verbose { get; set; }
}

public sealed class WorkspaceFolder
{
    public string Uri { get; set; } = "";

    public string Name { get; set; } = "";
}

public sealed class CodeLensOptions
{
    public bool ResolveProvider { get; set; }
}

public sealed class InlayHintParams
{
    public TextDocumentIdentifier TextDocument { get; set; } = new();

    public Range Range { get; set; } = new();
}

public sealed class InlayHint
{
    public Position Position { get; set; } = new();

    public string Label { get; set; } = "";

    /// <summary>1 = Type.</summary>
    public int Kind { get; set; } = 1;

    public string? Tooltip { get; set; }

    public bool PaddingLeft { get; set; } = true;
}

public sealed class CodeLensParams
{
    public TextDocumentIdentifier TextDocument { get; set; } = new();
}

public sealed class Command
{
    public string Title { get; set; } = "";

    /// <summary>Empty: the lens is informational and does nothing when clicked.</summary>
    [JsonPropertyName("command")]
    public string CommandId { get; set; } = "";
}

public sealed class CodeLens
{
    public Range Range { get; set; } = new();

    public Command? Command { get; set; }
}

/// <summary>Params of the custom request <c>prototxt/documentText</c>: the server's copy of an open document.</summary>
public sealed class DocumentTextParams
{
    public TextDocumentIdentifier TextDocument { get; set; } = new();
}

public sealed class DocumentTextResult
{
    public string Uri { get; set; } = "";

    public int Version { get; set; }

    public string Text { get; set; } = "";
}

/// <summary>Params of the custom request <c>prototxt/layerGraph</c>.</summary>
public sealed class LayerGraphParams
{
    public TextDocumentIdentifier TextDocument { get; set; } = new();

    /// <summary>Index into the result's <c>states</c>; absent or -1 for TEST without stages.</summary>
    public int? State { get; set; }
}

public sealed class LayerGraphResult
{
    public string Uri { get; set; } = "";

    public int Version { get; set; }

    public List<string> States { get; set; } = new();

    public int State { get; set; }

    public List<LayerGraphNode> Nodes { get; set; } = new();

    public List<LayerGraphEdge> Edges { get; set; } = new();
}

public sealed class LayerGraphNode
{
    public string Id { get; set; } = "";

    public string Name { get; set; } = "";

    public string Type { get; set; } = "";

    public Range Range { get; set; } = new();

    public List<LayerGraphFolded> Folded { get; set; } = new();

    public List<LayerGraphBlob> Tops { get; set; } = new();

    public long? Params { get; set; }

    public long? Macs { get; set; }
}

public sealed class LayerGraphFolded
{
    public string Name { get; set; } = "";

    public string Type { get; set; } = "";

    public Range Range { get; set; } = new();
}

public sealed class LayerGraphBlob
{
    public string Name { get; set; } = "";

    public string Shape { get; set; } = "";
}

public sealed class LayerGraphEdge
{
    public string From { get; set; } = "";

    public string To { get; set; } = "";

    public string Blob { get; set; } = "";

    public string Shape { get; set; } = "";
}

public sealed class FileEvent
{
    public string Uri { get; set; } = "";

    /// <summary>1 created, 2 changed, 3 deleted.</summary>
    public int Type { get; set; }
}

public sealed class DidChangeWatchedFilesParams
{
    public List<FileEvent> Changes { get; set; } = new();
}

public sealed class RenameOptions
{
    public bool PrepareProvider { get; set; } = true;
}

public sealed class CodeActionOptions
{
    public List<string> CodeActionKinds { get; set; } = ["quickfix"];
}

public sealed class ReferenceContext
{
    public bool IncludeDeclaration { get; set; } = true;
}

public sealed class ReferenceParams
{
    public TextDocumentIdentifier TextDocument { get; set; } = new();

    public Position Position { get; set; } = new();

    public ReferenceContext Context { get; set; } = new();
}

public sealed class DocumentHighlight
{
    public Range Range { get; set; } = new();

    /// <summary>1 text, 2 read, 3 write.</summary>
    public int Kind { get; set; }
}

public sealed class RenameParams
{
    public TextDocumentIdentifier TextDocument { get; set; } = new();

    public Position Position { get; set; } = new();

    public string NewName { get; set; } = "";
}

public sealed class PrepareRenameResult
{
    public Range Range { get; set; } = new();

    public string Placeholder { get; set; } = "";
}

public sealed class WorkspaceEdit
{
    public Dictionary<string, List<TextEdit>> Changes { get; set; } = new();
}

public sealed class CallHierarchyItem
{
    public string Name { get; set; } = "";

    /// <summary>SymbolKind; 5 = Class for layers.</summary>
    public int Kind { get; set; } = 5;

    public string? Detail { get; set; }

    public string Uri { get; set; } = "";

    public Range Range { get; set; } = new();

    public Range SelectionRange { get; set; } = new();
}

public sealed class CallHierarchyPrepareParams
{
    public TextDocumentIdentifier TextDocument { get; set; } = new();

    public Position Position { get; set; } = new();
}

public sealed class CallHierarchyCallsParams
{
    public CallHierarchyItem Item { get; set; } = new();
}

public sealed class CallHierarchyIncomingCall
{
    public CallHierarchyItem From { get; set; } = new();

    public List<Range> FromRanges { get; set; } = new();
}

public sealed class CallHierarchyOutgoingCall
{
    public CallHierarchyItem To { get; set; } = new();

    public List<Range> FromRanges { get; set; } = new();
}

public sealed class CodeActionContext
{
    public List<LspDiagnostic> Diagnostics { get; set; } = new();

    public List<string>? Only { get; set; }
}

public sealed class CodeActionParams
{
    public TextDocumentIdentifier TextDocument { get; set; } = new();

    public Range Range { get; set; } = new();

    public CodeActionContext Context { get; set; } = new();
}

public sealed class CodeAction
{
    public string Title { get; set; } = "";

    public string? Kind { get; set; }

    public List<LspDiagnostic>? Diagnostics { get; set; }

    public bool? IsPreferred { get; set; }

    public WorkspaceEdit? Edit { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(StreamJsonRpc.RequestId))]
[JsonSerializable(typeof(InitializeParams))]
[JsonSerializable(typeof(InitializeResult))]
[JsonSerializable(typeof(DidOpenTextDocumentParams))]
[JsonSerializable(typeof(DidChangeTextDocumentParams))]
[JsonSerializable(typeof(DidCloseTextDocumentParams))]
[JsonSerializable(typeof(TextDocumentPositionParams))]
[JsonSerializable(typeof(DocumentSymbolParams))]
[JsonSerializable(typeof(PublishDiagnosticsParams))]
[JsonSerializable(typeof(Hover))]
[JsonSerializable(typeof(List<DocumentSymbol>))]
[JsonSerializable(typeof(SetTraceParams))]
[JsonSerializable(typeof(InitializedParams))]
[JsonSerializable(typeof(CompletionList))]
[JsonSerializable(typeof(FoldingRangeParams))]
[JsonSerializable(typeof(SelectionRangeParams))]
[JsonSerializable(typeof(List<SelectionRange>))]
[JsonSerializable(typeof(List<FoldingRange>))]
[JsonSerializable(typeof(LogMessageParams))]
[JsonSerializable(typeof(DocumentFormattingParams))]
[JsonSerializable(typeof(DocumentRangeFormattingParams))]
[JsonSerializable(typeof(List<TextEdit>))]
[JsonSerializable(typeof(SemanticTokensParams))]
[JsonSerializable(typeof(SemanticTokensRangeParams))]
[JsonSerializable(typeof(SemanticTokens))]
[JsonSerializable(typeof(DocumentLinkParams))]
[JsonSerializable(typeof(List<DocumentLink>))]
[JsonSerializable(typeof(DidChangeConfigurationParams))]
[JsonSerializable(typeof(LogTraceParams))]
[JsonSerializable(typeof(List<Location>))]
[JsonSerializable(typeof(ReferenceParams))]
[JsonSerializable(typeof(List<DocumentHighlight>))]
[JsonSerializable(typeof(RenameParams))]
[JsonSerializable(typeof(PrepareRenameResult))]
[JsonSerializable(typeof(WorkspaceEdit))]
[JsonSerializable(typeof(CallHierarchyPrepareParams))]
[JsonSerializable(typeof(List<CallHierarchyItem>))]
[JsonSerializable(typeof(CallHierarchyCallsParams))]
[JsonSerializable(typeof(List<CallHierarchyIncomingCall>))]
[JsonSerializable(typeof(List<CallHierarchyOutgoingCall>))]
[JsonSerializable(typeof(CodeActionParams))]
[JsonSerializable(typeof(List<CodeAction>))]
[JsonSerializable(typeof(InlayHintParams))]
[JsonSerializable(typeof(List<InlayHint>))]
[JsonSerializable(typeof(CodeLensParams))]
[JsonSerializable(typeof(List<CodeLens>))]
[JsonSerializable(typeof(DocumentTextParams))]
[JsonSerializable(typeof(DocumentTextResult))]
[JsonSerializable(typeof(LayerGraphParams))]
[JsonSerializable(typeof(LayerGraphResult))]
[JsonSerializable(typeof(DidChangeWatchedFilesParams))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(object))]
// The data StreamJsonRpc attaches to an error it makes from an exception (invalid params, a failing handler). Without it
// that error cannot be written, and StreamJsonRpc drops the connection instead of answering.
[JsonSerializable(typeof(StreamJsonRpc.Protocol.CommonErrorData))]
public sealed partial class LspJsonContext : JsonSerializerContext;
