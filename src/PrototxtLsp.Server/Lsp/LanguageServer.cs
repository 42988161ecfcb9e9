using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.VisualStudio.Threading;
using PrototxtLsp.Core.Features;
using PrototxtLsp.Server.Protocol;
using Serilog;
using Serilog.Events;
using StreamJsonRpc;
using StreamJsonRpc.Protocol;
using Hover = PrototxtLsp.Server.Protocol.Hover;
using SemanticTokens = PrototxtLsp.Server.Protocol.SemanticTokens;

namespace PrototxtLsp.Server.Lsp;

/// <summary>
/// The LSP endpoint over stdio. Handlers are thin: convert positions, call Core, convert back. Every method the
/// server answers is named in <see cref="Register"/>.
/// </summary>
public sealed class LanguageServer
{
    private readonly JsonRpc _rpc;
    private readonly JsonSerializerOptions _json;
    private readonly DocumentStore _documents = new();
    private readonly IdleCollector _idle = new();
    private readonly ILogger _log;
    private readonly ServerLog _serverLog;
    private readonly bool _logFileFromCommandLine;
    private readonly TaskCompletionSource<int> _exit = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _workspaceRoots = [];
    private bool _initialized;
    private bool _shutdownRequested;
    private readonly Schemas.SchemaProvider _schemas;
    private bool _inlayShapes = true;
    private int _maxDiagnostics = PrototxtLsp.Core.Diagnostics.DiagnosticLimit.DefaultMaxPerFile;
    private bool _codeLensCost;

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Every parameter and result type is in LspJsonContext (System.Text.Json source generation), set as the formatter's TypeInfoResolver; nothing is serialized by reflection. The AOT build is tested end to end.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Every parameter and result type is in LspJsonContext (System.Text.Json source generation), set as the formatter's TypeInfoResolver; nothing is serialized by reflection. The AOT build is tested end to end.")]
    public LanguageServer(Stream input, Stream output, ServerLog log, bool logFileFromCommandLine = false)
    {
        _serverLog = log;
        _log = log.Logger;
        _logFileFromCommandLine = logFileFromCommandLine;
        _schemas = new Schemas.SchemaProvider(log.Logger);
        _documents.Options = (path, text) => _schemas.OptionsFor(path, text, _documents.Workspace);
        var formatter = new SystemTextJsonFormatter();
        formatter.JsonSerializerOptions.TypeInfoResolver = LspJsonContext.Default;
        formatter.JsonSerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        formatter.JsonSerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull;
        _json = formatter.JsonSerializerOptions;
        _rpc = new JsonRpc(new LspMessageHandler(output, input, formatter, log.Logger))
        {
            // Notifications (didChange above all) must be handled in the order they arrive.
            SynchronizationContext = new NonConcurrentSynchronizationContext(sticky: false),
            ExceptionStrategy = ExceptionProcessing.CommonErrorData,
        };
        _rpc.Disconnected += (_, e) => _log.Information("Connection closed: {Reason} {Description:l}", e.Reason, e.Description);
        Register();
        log.Client.Forward = ForwardLog;
    }

    private void Register()
    {
        On<InitializeParams, InitializeResult>("initialize", Initialize);
        OnNotification<JsonElement>("initialized", _ => { });
        Add("shutdown", (Func<CancellationToken, object?>)(_ => Guard<object?>("shutdown", () =>
        {
            CheckLifecycle("shutdown");
            _shutdownRequested = true;
            return null;
        })));
        Add("exit", (Action)(() => _exit.TrySetResult(_shutdownRequested ? 0 : 1)));
        OnNotification<SetTraceParams>("$/setTrace", p => SetTrace(p.Value));
        OnNotification<DidChangeConfigurationParams>("workspace/didChangeConfiguration", p => ApplySettings(p.Settings));
        OnNotification<DidChangeWatchedFilesParams>("workspace/didChangeWatchedFiles", WatchedFilesChanged);
        OnNotification<DidOpenTextDocumentParams>("textDocument/didOpen", DidOpen);
        OnNotification<DidChangeTextDocumentParams>("textDocument/didChange", DidChange);
        OnNotification<DidCloseTextDocumentParams>("textDocument/didClose", DidClose);
        On<TextDocumentPositionParams, Hover?>("textDocument/hover", HoverAt);
        On<DocumentSymbolParams, List<DocumentSymbol>?>("textDocument/documentSymbol", Symbols);
        On<TextDocumentPositionParams, CompletionList?>("textDocument/completion", Complete);
        On<FoldingRangeParams, List<FoldingRange>?>("textDocument/foldingRange", Folds);
        On<SelectionRangeParams, List<SelectionRange>?>("textDocument/selectionRange", Selections);
        On<DocumentFormattingParams, List<TextEdit>?>("textDocument/formatting", FormatDocument);
        On<DocumentRangeFormattingParams, List<TextEdit>?>("textDocument/rangeFormatting", FormatRange);
        On<SemanticTokensParams, SemanticTokens?>("textDocument/semanticTokens/full", TokensFull);
        On<SemanticTokensRangeParams, SemanticTokens?>("textDocument/semanticTokens/range", TokensRange);
        On<DocumentLinkParams, List<DocumentLink>?>("textDocument/documentLink", Links);
        On<TextDocumentPositionParams, List<Location>?>("textDocument/definition", Definition);
        On<ReferenceParams, List<Location>?>("textDocument/references", References);
        On<TextDocumentPositionParams, List<DocumentHighlight>?>("textDocument/documentHighlight", Highlights);
        On<TextDocumentPositionParams, PrepareRenameResult?>("textDocument/prepareRename", PrepareRename);
        On<RenameParams, WorkspaceEdit?>("textDocument/rename", RenameSymbol);
        On<CallHierarchyPrepareParams, List<CallHierarchyItem>?>("textDocument/prepareCallHierarchy", PrepareCallHierarchy);
        On<CallHierarchyCallsParams, List<CallHierarchyIncomingCall>?>("callHierarchy/incomingCalls", IncomingCalls);
        On<CallHierarchyCallsParams, List<CallHierarchyOutgoingCall>?>("callHierarchy/outgoingCalls", OutgoingCalls);
        On<CodeActionParams, List<CodeAction>?>("textDocument/codeAction", Actions);
        On<InlayHintParams, List<InlayHint>?>("textDocument/inlayHint", InlayHints);
        On<CodeLensParams, List<CodeLens>?>("textDocument/codeLens", CodeLenses);
        On<LayerGraphParams, LayerGraphResult?>("prototxt/layerGraph", LayerGraph);
        On<DocumentTextParams, DocumentTextResult?>("prototxt/documentText", DocumentText);
    }

    /// <summary>
    /// A request handler. A request cancelled with <c>$/cancelRequest</c> before it runs (or while it waits for its
    /// turn) is answered with RequestCancelled instead.
    /// </summary>
    private void On<TParams, TResult>(string method, Func<TParams, TResult> handler) =>
        Add(method, (Func<JsonElement, CancellationToken, TResult>)((json, ct) =>
        {
            ct.ThrowIfCancellationRequested();
            CheckLifecycle(method);
            var p = Params<TParams>(method, json);
            return Guard(method, () => handler(p));
        }));

    /// <summary>A message's params, or InvalidParams (-32602) when they are missing or not of the method's shape.</summary>
    private TParams Params<TParams>(string method, JsonElement json)
    {
        try
        {
            if (json.ValueKind == JsonValueKind.Object && json.Deserialize((JsonTypeInfo<TParams>)_json.GetTypeInfo(typeof(TParams))) is { } p) return p;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException) // InvalidOperationException: a string that is not UTF-8
        {
            throw new LocalRpcException($"Invalid params for {method}: {e.Message}") { ErrorCode = (int)JsonRpcErrorCode.InvalidParams };
        }

        throw new LocalRpcException($"Invalid params for {method}: an object is expected.") { ErrorCode = (int)JsonRpcErrorCode.InvalidParams };
    }

    /// <summary>
    /// A notification handler. Notifications that arrive before <c>initialize</c> are dropped, as LSP asks; so are
    /// those whose params do not fit, with a warning (a dropped didChange leaves the server's copy behind the editor's).
    /// </summary>
    private void OnNotification<TParams>(string method, Action<TParams> handler) =>
        Add(method, (Action<JsonElement>)(json => Guard<object?>(method, () =>
        {
            if (!_initialized)
            {
                _log.Debug("{Method:l} before initialize: dropped", method);
                return null;
            }

            TParams p;
            try
            {
                p = Params<TParams>(method, json);
            }
            catch (LocalRpcException e)
            {
                _log.Warning("Dropped a notification: {Message:l}", e.Message);
                return null;
            }

            handler(p);
            return null;
        })));

    /// <summary>
    /// The LSP lifecycle for requests: before <c>initialize</c> they fail with ServerNotInitialized (-32002); after
    /// <c>shutdown</c>, and a second <c>initialize</c>, with InvalidRequest (-32600).
    /// </summary>
    private void CheckLifecycle(string method)
    {
        if (!_initialized && method != "initialize")
            throw new LocalRpcException($"The server is not initialized: {method} must come after initialize.") { ErrorCode = -32002 };
        if (_initialized && method == "initialize")
            throw new LocalRpcException("The server is already initialized: initialize may only be sent once.") { ErrorCode = (int)JsonRpcErrorCode.InvalidRequest };
        if (_shutdownRequested)
            throw new LocalRpcException($"The server is shutting down: {method} is refused; only exit is accepted.") { ErrorCode = (int)JsonRpcErrorCode.InvalidRequest };
    }

    private void Add(string method, Delegate d) =>
        _rpc.AddLocalRpcMethod(d.Method, d.Target, new JsonRpcMethodAttribute(method) { UseSingleObjectParameterDeserialization = true });

    private T Guard<T>(string method, Func<T> body)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = body();
            _log.Debug("{Method:l} handled in {Ms:F2} ms", method, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return result;
        }
        catch (LocalRpcException)
        {
            throw; // an answer for the user (a refused rename), not a failure
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _log.Error(e, "Handler for {Method} failed", method);
            throw;
        }
    }

    /// <summary>Runs until the client sends exit or closes the stream; returns the process exit code.</summary>
    public async Task<int> RunAsync()
    {
        _rpc.StartListening();
        var finished = await Task.WhenAny(_rpc.Completion, _exit.Task);
        if (finished == _exit.Task) return await _exit.Task;
        return _shutdownRequested ? 0 : 1;
    }

    private InitializeResult Initialize(InitializeParams p)
    {
        Core.Schema.ProtoSchema.PreloadCaffe(); // ready by the time the first document arrives
        _initialized = true;
        _log.Information("initialize from process {Pid}, root {Root}", p.ProcessId, p.RootUri);
        if (p.Trace is not null) SetTrace(p.Trace);
        ApplySettings(p.InitializationOptions);
        foreach (var uri in (p.WorkspaceFolders?.Select(f => f.Uri) ?? []).Append(p.RootUri))
        {
            if (uri is not null && DocumentSnapshot.UriToPath(uri) is { } path && !_workspaceRoots.Contains(path)) _workspaceRoots.Add(path);
        }

        _documents.Workspace = new Core.Semantics.WorkspaceContext(File.Exists, _workspaceRoots.ToArray());
        _schemas.Roots = _workspaceRoots.ToArray();

        return new InitializeResult
        {
            Capabilities = new ServerCapabilities
            {
                HoverProvider = true,
                DocumentSymbolProvider = true,
                FoldingRangeProvider = true,
                SelectionRangeProvider = true,
                CompletionProvider = new CompletionOptions { TriggerCharacters = [":", " ", "\""] },
                DocumentFormattingProvider = true,
                DocumentRangeFormattingProvider = true,
                SemanticTokensProvider = new SemanticTokensOptions { Legend = Convert.SemanticTokensLegend, Full = true, Range = true },
                DocumentLinkProvider = new DocumentLinkOptions(),
                DefinitionProvider = true,
                ReferencesProvider = true,
                DocumentHighlightProvider = true,
                RenameProvider = new RenameOptions(),
                CallHierarchyProvider = true,
                CodeActionProvider = new CodeActionOptions(),
                InlayHintProvider = true,
                CodeLensProvider = new CodeLensOptions(),
            },
            ServerInfo = new ServerInfo { Version = Cli.CommandLine.Version },
        };
    }

    private void DidOpen(DidOpenTextDocumentParams p)
    {
        _idle.Changed();
        var doc = _documents.Open(p.TextDocument.Uri, p.TextDocument.Version, p.TextDocument.Text);
        PublishLater(doc);
    }

    private void DidChange(DidChangeTextDocumentParams p)
    {
        _idle.Changed();
        var doc = _documents.Change(p.TextDocument.Uri, p.TextDocument.Version,
            p.ContentChanges.Select(c => new TextChange(c.Range is null ? null : Convert.FromLsp(c.Range), c.Text)));
        if (doc is null)
        {
            _log.Warning("didChange for {Uri}, which is not open", p.TextDocument.Uri);
            return;
        }

        PublishLater(doc);
    }

    private void DidClose(DidCloseTextDocumentParams p)
    {
        _documents.Close(p.TextDocument.Uri);
        _ = Notify(new PublishDiagnosticsParams { Uri = p.TextDocument.Uri });
    }

    /// <summary>Analyses off the dispatch thread; a version that is no longer the newest is neither analysed nor published.</summary>
    private void PublishLater(DocumentSnapshot doc) => _ = Task.Run(async () =>
    {
        try
        {
            if (!ReferenceEquals(_documents.Get(doc.Uri), doc)) return;
            var analysis = doc.Analysis;
            if (!ReferenceEquals(_documents.Get(doc.Uri), doc)) return;
            var lines = doc.Text.Lines;
            await Notify(new PublishDiagnosticsParams
            {
                Uri = doc.Uri,
                Version = doc.Version,
                Diagnostics = PrototxtLsp.Core.Diagnostics.DiagnosticLimit.Apply(analysis.Diagnostics, _maxDiagnostics).Select(d => Convert.ToLsp(doc.Uri, lines, d)).ToList(),
            });
            _idle.Published();
        }
        catch (Exception e)
        {
            _log.Error(e, "Analysis of {Uri} v{Version} failed", doc.Uri, doc.Version);
        }
    });

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Every parameter and result type is in LspJsonContext (System.Text.Json source generation), set as the formatter's TypeInfoResolver; nothing is serialized by reflection. The AOT build is tested end to end.")]
    private Task Notify(PublishDiagnosticsParams p) =>
        _rpc.IsDisposed ? Task.CompletedTask : _rpc.NotifyWithParameterObjectAsync("textDocument/publishDiagnostics", p);

    /// <summary>A schema or project file changed on disk: compile again and re-check every open document.</summary>
    private void WatchedFilesChanged(DidChangeWatchedFilesParams p)
    {
        var paths = p.Changes.Select(c => DocumentSnapshot.UriToPath(c.Uri)).OfType<string>().ToList();
        if (!paths.Any(path => _schemas.WatchedFiles.ContainsKey(path) || path.EndsWith(".proto", StringComparison.Ordinal) || path.EndsWith(Schemas.ProjectFile.FileName, StringComparison.Ordinal))) return;
        _log.Information("Schema or project file changed ({Files}); re-checking open documents", string.Join(", ", paths));
        _schemas.Invalidate();
        foreach (var doc in _documents.Reanalyse()) PublishLater(doc);
    }

    private void SetTrace(string value)
    {
        _serverLog.SetTrace(value);
        _log.Information("Trace set to {Trace}", value);
    }

    /// <summary>
    /// Settings from <c>initializationOptions</c> or <c>workspace/didChangeConfiguration</c>, either the
    /// <c>prototxt</c> section itself or an object holding it: <c>trace.server</c>, <c>log.file</c>.
    /// </summary>
    private void ApplySettings(JsonElement? settings)
    {
        if (settings is not { ValueKind: JsonValueKind.Object } root) return;
        var section = root.TryGetProperty("prototxt", out var nested) && nested.ValueKind == JsonValueKind.Object ? nested : root;
        if (Setting(section, "trace", "server") is { ValueKind: JsonValueKind.String } trace) SetTrace(trace.GetString()!);
        if (Setting(section, "inlayHints", "shapes") is { ValueKind: JsonValueKind.True or JsonValueKind.False } shapes) _inlayShapes = shapes.GetBoolean();
        if (Setting(section, "codeLens", "cost") is { ValueKind: JsonValueKind.True or JsonValueKind.False } cost) _codeLensCost = cost.GetBoolean();
        if (Setting(section, "diagnostics", "maxPerFile") is { ValueKind: JsonValueKind.Number } max && max.TryGetInt32(out var maxValue) && maxValue != _maxDiagnostics)
        {
            _maxDiagnostics = maxValue;
            foreach (var doc in _documents.All) PublishLater(doc);
        }
        if (Setting(section, "schema", "path") is { ValueKind: JsonValueKind.String or JsonValueKind.Null } schemaPath)
        {
            var value = schemaPath.ValueKind == JsonValueKind.Null ? null : schemaPath.GetString();
            if (value != _schemas.SettingPath)
            {
                _schemas.SettingPath = value;
                foreach (var doc in _documents.Reanalyse()) PublishLater(doc);
            }
        }

        if (Setting(section, "log", "file") is { ValueKind: JsonValueKind.String or JsonValueKind.Null } file)
        {
            if (_logFileFromCommandLine) _log.Information("prototxt.log.file ignored: --log {Path} was given", _serverLog.FilePath);
            else _serverLog.SetFile(file.ValueKind == JsonValueKind.Null ? null : file.GetString());
        }
    }

    /// <summary>A setting written nested (<c>{"trace": {"server": …}}</c>) or dotted (<c>{"trace.server": …}</c>).</summary>
    private static JsonElement? Setting(JsonElement section, string group, string name)
    {
        if (section.TryGetProperty(group, out var g) && g.ValueKind == JsonValueKind.Object && g.TryGetProperty(name, out var v)) return v;
        return section.TryGetProperty(group + "." + name, out var dotted) ? dotted : null;
    }

    /// <summary>Log events for the client: warnings and errors as window/logMessage, the rest as $/logTrace.</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Every parameter and result type is in LspJsonContext (System.Text.Json source generation), set as the formatter's TypeInfoResolver; nothing is serialized by reflection. The AOT build is tested end to end.")]
    private void ForwardLog(LogEventLevel level, string message, string? verbose)
    {
        if (_rpc.IsDisposed) return;
        if (level >= LogEventLevel.Warning)
            _ = _rpc.NotifyWithParameterObjectAsync("window/logMessage", new LogMessageParams { Type = level >= LogEventLevel.Error ? 1 : 2, Message = message });
        else
            _ = _rpc.NotifyWithParameterObjectAsync("$/logTrace", new LogTraceParams { Message = message, Verbose = verbose });
    }

    private Hover? HoverAt(TextDocumentPositionParams p)
    {
        if (_documents.Get(p.TextDocument.Uri) is not { } doc) return null;
        var lines = doc.Text.Lines;
        var info = Core.Features.Hover.At(doc.Analysis, lines.GetOffset(Convert.FromLsp(p.Position)));
        return info is null ? null : new Hover { Contents = new MarkupContent { Value = info.Markdown }, Range = Convert.ToLsp(lines, info.Span) };
    }

    private List<DocumentSymbol>? Symbols(DocumentSymbolParams p)
    {
        if (_documents.Get(p.TextDocument.Uri) is not { } doc) return null;
        var lines = doc.Text.Lines;
        return DocumentSymbols.Get(doc.Analysis).Select(s => Convert.ToLsp(lines, s)).ToList();
    }

    private CompletionList? Complete(TextDocumentPositionParams p)
    {
        if (_documents.Get(p.TextDocument.Uri) is not { } doc) return null;
        var lines = doc.Text.Lines;
        var result = Core.Features.Completion.At(doc.Analysis, lines.GetOffset(Convert.FromLsp(p.Position)));
        var range = Convert.ToLsp(lines, result.ReplaceSpan);
        return new CompletionList
        {
            Items = result.Items.Select(i => new CompletionItem
            {
                Label = i.Label,
                // LSP CompletionItemKind: 5 Field, 22 Struct, 20 EnumMember, 14 Keyword, 7 Class, 6 Variable, 15 Snippet.
                Kind = i.Kind switch
                {
                    CompletionKind.Field => 5,
                    CompletionKind.MessageField => 22,
                    CompletionKind.EnumValue => 20,
                    CompletionKind.LayerType => 7,
                    CompletionKind.Blob => 6,
                    CompletionKind.Snippet => 15,
                    _ => 14,
                },
                Detail = i.Detail,
                FilterText = i.FilterText,
                SortText = i.SortText,
                Documentation = i.Documentation is null ? null : new MarkupContent { Value = i.Documentation },
                TextEdit = new TextEdit { Range = range, NewText = i.InsertText },
                InsertTextFormat = i.IsSnippet ? 2 : 1,
            }).ToList(),
        };
    }

    private List<FoldingRange>? Folds(FoldingRangeParams p)
    {
        var doc = _documents.Get(p.TextDocument.Uri);
        return doc is null ? null : Folding.Get(doc.Analysis).Select(f => new FoldingRange
        {
            StartLine = f.StartLine,
            EndLine = f.EndLine,
            Kind = f.IsComment ? "comment" : null,
        }).ToList();
    }

    private List<SelectionRange>? Selections(SelectionRangeParams p)
    {
        if (_documents.Get(p.TextDocument.Uri) is not { } doc) return null;
        var lines = doc.Text.Lines;
        return p.Positions.Select(position =>
        {
            SelectionRange? range = null;
            foreach (var span in SelectionRanges.At(doc.Analysis, lines.GetOffset(Convert.FromLsp(position))).Reverse())
                range = new SelectionRange { Range = Convert.ToLsp(lines, span), Parent = range };
            return range!;
        }).ToList();
    }

    private List<TextEdit>? FormatDocument(DocumentFormattingParams p)
    {
        if (_documents.Get(p.TextDocument.Uri) is not { } doc) return null;
        var lines = doc.Text.Lines;
        return Formatter.Format(doc.Analysis.Tree).Select(e => new TextEdit { Range = Convert.ToLsp(lines, e.Span), NewText = e.NewText }).ToList();
    }

    private List<TextEdit>? FormatRange(DocumentRangeFormattingParams p)
    {
        if (_documents.Get(p.TextDocument.Uri) is not { } doc) return null;
        var lines = doc.Text.Lines;
        var range = Convert.FromLsp(p.Range);
        var span = TextSpanOf(lines, range);
        return Formatter.FormatRange(doc.Analysis.Tree, span).Select(e => new TextEdit { Range = Convert.ToLsp(lines, e.Span), NewText = e.NewText }).ToList();
    }

    private SemanticTokens? TokensFull(SemanticTokensParams p)
    {
        if (_documents.Get(p.TextDocument.Uri) is not { } doc) return null;
        return new SemanticTokens { Data = Convert.EncodeSemanticTokens(doc.Text.Lines, Core.Features.SemanticTokens.Get(doc.Analysis)) };
    }

    private SemanticTokens? TokensRange(SemanticTokensRangeParams p)
    {
        if (_documents.Get(p.TextDocument.Uri) is not { } doc) return null;
        var lines = doc.Text.Lines;
        var span = TextSpanOf(lines, Convert.FromLsp(p.Range));
        return new SemanticTokens { Data = Convert.EncodeSemanticTokens(lines, Core.Features.SemanticTokens.Get(doc.Analysis, span)) };
    }

    private List<DocumentLink>? Links(DocumentLinkParams p)
    {
        if (_documents.Get(p.TextDocument.Uri) is not { } doc) return null;
        var lines = doc.Text.Lines;
        return DocumentLinks.Get(doc.Analysis, _documents.Workspace).Select(l => new DocumentLink
        {
            Range = Convert.ToLsp(lines, l.Span),
            Target = new Uri(l.Target).AbsoluteUri,
            Tooltip = l.Tooltip,
        }).ToList();
    }

    private static Core.Text.TextSpan TextSpanOf(Core.Text.LineMap lines, Core.Text.LineRange range)
    {
        var start = lines.GetOffset(range.Start);
        return Core.Text.TextSpan.FromBounds(start, Math.Max(start, lines.GetOffset(range.End)));
    }

    private (DocumentSnapshot Doc, int Offset)? At(TextDocumentIdentifier id, Position position) =>
        _documents.Get(id.Uri) is { } doc ? (doc, doc.Text.Lines.GetOffset(Convert.FromLsp(position))) : null;

    private List<Location>? Definition(TextDocumentPositionParams p)
    {
        if (At(p.TextDocument, p.Position) is not var (doc, offset)) return null;
        return Navigation.Definition(doc.Analysis, offset).Select(s => new Location { Uri = doc.Uri, Range = Convert.ToLsp(doc.Text.Lines, s) }).ToList();
    }

    private List<Location>? References(ReferenceParams p)
    {
        if (At(p.TextDocument, p.Position) is not var (doc, offset)) return null;
        return Navigation.References(doc.Analysis, offset, p.Context.IncludeDeclaration)
            .Select(o => new Location { Uri = doc.Uri, Range = Convert.ToLsp(doc.Text.Lines, o.Span) }).ToList();
    }

    private List<DocumentHighlight>? Highlights(TextDocumentPositionParams p)
    {
        if (At(p.TextDocument, p.Position) is not var (doc, offset)) return null;
        return Navigation.References(doc.Analysis, offset)
            .Select(o => new DocumentHighlight { Range = Convert.ToLsp(doc.Text.Lines, o.Span), Kind = o.IsWrite ? 3 : 2 }).ToList();
    }

    private PrepareRenameResult? PrepareRename(TextDocumentPositionParams p)
    {
        if (At(p.TextDocument, p.Position) is not var (doc, offset)) return null;
        var target = Rename.Prepare(doc.Analysis, offset);
        if (target is null) throw new LocalRpcException("Only blob names (in bottom, top or input) and layer names can be renamed.") { ErrorCode = -32803 };
        return new PrepareRenameResult { Range = Convert.ToLsp(doc.Text.Lines, target.Span), Placeholder = target.Placeholder };
    }

    private WorkspaceEdit? RenameSymbol(RenameParams p)
    {
        if (At(p.TextDocument, p.Position) is not var (doc, offset)) return null;
        var outcome = Rename.Apply(doc.Analysis, offset, p.NewName);
        if (outcome.Error is not null) throw new LocalRpcException(outcome.Error) { ErrorCode = -32803 };
        return new WorkspaceEdit { Changes = new() { [doc.Uri] = outcome.Edits.Select(e => Convert.ToLsp(doc.Text.Lines, e)).ToList() } };
    }

    private CallHierarchyItem ToItem(DocumentSnapshot doc, LayerItem item) => new()
    {
        Name = item.Name,
        Detail = item.Detail,
        Uri = doc.Uri,
        Range = Convert.ToLsp(doc.Text.Lines, item.Span),
        SelectionRange = Convert.ToLsp(doc.Text.Lines, item.SelectionSpan),
    };

    private List<CallHierarchyItem>? PrepareCallHierarchy(CallHierarchyPrepareParams p)
    {
        if (At(p.TextDocument, p.Position) is not var (doc, offset)) return null;
        return LayerHierarchy.Prepare(doc.Analysis, offset) is { } item ? [ToItem(doc, item)] : null;
    }

    private List<CallHierarchyIncomingCall>? IncomingCalls(CallHierarchyCallsParams p)
    {
        if (At(new TextDocumentIdentifier { Uri = p.Item.Uri }, p.Item.SelectionRange.Start) is not var (doc, offset)) return null;
        return LayerHierarchy.Incoming(doc.Analysis, offset).Select(c => new CallHierarchyIncomingCall
        {
            From = ToItem(doc, c.Layer),
            FromRanges = c.Ranges.Select(r => Convert.ToLsp(doc.Text.Lines, r)).ToList(),
        }).ToList();
    }

    private List<CallHierarchyOutgoingCall>? OutgoingCalls(CallHierarchyCallsParams p)
    {
        if (At(new TextDocumentIdentifier { Uri = p.Item.Uri }, p.Item.SelectionRange.Start) is not var (doc, offset)) return null;
        return LayerHierarchy.Outgoing(doc.Analysis, offset).Select(c => new CallHierarchyOutgoingCall
        {
            To = ToItem(doc, c.Layer),
            FromRanges = c.Ranges.Select(r => Convert.ToLsp(doc.Text.Lines, r)).ToList(),
        }).ToList();
    }

    private List<CodeAction>? Actions(CodeActionParams p)
    {
        if (_documents.Get(p.TextDocument.Uri) is not { } doc) return null;
        var lines = doc.Text.Lines;
        var span = TextSpanOf(lines, Convert.FromLsp(p.Range));
        return CodeActions.For(doc.Analysis, span, Upgrade).Select(a => new CodeAction
        {
            Title = a.Title,
            Kind = "quickfix",
            Diagnostics = a.Diagnostics.Select(d => Convert.ToLsp(doc.Uri, lines, d)).ToList(),
            IsPreferred = a.IsPreferred ? true : null,
            Edit = new WorkspaceEdit { Changes = new() { [doc.Uri] = a.Edits.Select(e => Convert.ToLsp(lines, e)).ToList() } },
        }).ToList();
    }

    /// <summary>The whole file rewritten in the current format, or null when there is nothing to upgrade.</summary>
    private static string? Upgrade(Core.Semantics.DocumentAnalysis analysis) =>
        LegacyUpgrade.Upgrade(analysis) is { Changed: true } result ? result.Text : null;

    private List<InlayHint>? InlayHints(InlayHintParams p)
    {
        if (_documents.Get(p.TextDocument.Uri) is not { } doc) return null;
        if (!_inlayShapes) return [];
        var lines = doc.Text.Lines;
        return ShapeHints.InlayHints(doc.Analysis, TextSpanOf(lines, Convert.FromLsp(p.Range))).Select(h => new InlayHint
        {
            Position = Convert.ToLsp(lines.GetPosition(h.Position)),
            Label = h.Label,
            Tooltip = h.Tooltip,
        }).ToList();
    }

    private List<CodeLens>? CodeLenses(CodeLensParams p)
    {
        if (_documents.Get(p.TextDocument.Uri) is not { } doc) return null;
        if (!_codeLensCost) return [];
        var lines = doc.Text.Lines;
        return ShapeHints.CodeLenses(doc.Analysis).Select(l => new CodeLens
        {
            Range = Convert.ToLsp(lines, l.Span),
            Command = new Command { Title = l.Title },
        }).ToList();
    }

    /// <summary>Custom request for the graph view: nodes, edges, states and shapes of the document's net.</summary>
    /// <summary>The server's copy of a document (for tests and bug reports: does it match the editor's?).</summary>
    private DocumentTextResult? DocumentText(DocumentTextParams p) =>
        _documents.Get(p.TextDocument.Uri) is { } doc ? new DocumentTextResult { Uri = doc.Uri, Version = doc.Version, Text = doc.Text.Text } : null;

    private LayerGraphResult? LayerGraph(LayerGraphParams p)
    {
        if (_documents.Get(p.TextDocument.Uri) is not { } doc) return null;
        var lines = doc.Text.Lines;
        var model = LayerGraphView.Build(doc.Analysis, p.State ?? -1);
        if (model is null) return new LayerGraphResult { Uri = doc.Uri, Version = doc.Version };
        return new LayerGraphResult
        {
            Uri = doc.Uri,
            Version = doc.Version,
            States = model.States.ToList(),
            State = model.State,
            Nodes = model.Nodes.Select(n => new LayerGraphNode
            {
                Id = n.Id,
                Name = n.Name,
                Type = n.Type,
                Range = Convert.ToLsp(lines, n.Span),
                Folded = n.Folded.Select(f => new LayerGraphFolded { Name = f.Name, Type = f.Type, Range = Convert.ToLsp(lines, f.Span) }).ToList(),
                Tops = n.Tops.Select(t => new LayerGraphBlob { Name = t.Name, Shape = t.Shape }).ToList(),
                Params = n.Params,
                Macs = n.Macs,
            }).ToList(),
            Edges = model.Edges.Select(e => new LayerGraphEdge { From = e.From, To = e.To, Blob = e.Blob, Shape = e.Shape }).ToList(),
        };
    }
}
