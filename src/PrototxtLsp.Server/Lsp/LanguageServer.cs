using System.Text.Json;
using Microsoft.VisualStudio.Threading;
using PrototxtLsp.Core.Features;
using PrototxtLsp.Server.Protocol;
using Serilog;
using StreamJsonRpc;
using Hover = PrototxtLsp.Server.Protocol.Hover;

namespace PrototxtLsp.Server.Lsp;

/// <summary>
/// The LSP endpoint over stdio. Handlers are thin: convert positions, call Core, convert back. Every method the
/// server answers is named in <see cref="Register"/>.
/// </summary>
public sealed class LanguageServer
{
    private readonly JsonRpc _rpc;
    private readonly DocumentStore _documents = new();
    private readonly ILogger _log;
    private readonly TaskCompletionSource<int> _exit = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _shutdownRequested;

    public LanguageServer(Stream input, Stream output, ILogger log)
    {
        _log = log;
        var formatter = new SystemTextJsonFormatter();
        formatter.JsonSerializerOptions.TypeInfoResolver = LspJsonContext.Default;
        formatter.JsonSerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        formatter.JsonSerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull;
        _rpc = new JsonRpc(new HeaderDelimitedMessageHandler(output, input, formatter))
        {
            // Notifications (didChange above all) must be handled in the order they arrive.
            SynchronizationContext = new NonConcurrentSynchronizationContext(sticky: false),
            ExceptionStrategy = ExceptionProcessing.CommonErrorData,
        };
        Register();
    }

    private void Register()
    {
        On<InitializeParams, InitializeResult>("initialize", Initialize);
        OnNotification<JsonElement>("initialized", _ => { });
        Add("shutdown", (Func<CancellationToken, object?>)(_ => Guard<object?>("shutdown", () =>
        {
            _shutdownRequested = true;
            return null;
        })));
        Add("exit", (Action)(() => _exit.TrySetResult(_shutdownRequested ? 0 : 1)));
        OnNotification<SetTraceParams>("$/setTrace", p => _log.Information("Trace set to {Trace}", p.Value));
        OnNotification<DidOpenTextDocumentParams>("textDocument/didOpen", DidOpen);
        OnNotification<DidChangeTextDocumentParams>("textDocument/didChange", DidChange);
        OnNotification<DidCloseTextDocumentParams>("textDocument/didClose", DidClose);
        On<TextDocumentPositionParams, Hover?>("textDocument/hover", HoverAt);
        On<DocumentSymbolParams, List<DocumentSymbol>?>("textDocument/documentSymbol", Symbols);
        On<TextDocumentPositionParams, CompletionList?>("textDocument/completion", Complete);
        On<FoldingRangeParams, List<FoldingRange>?>("textDocument/foldingRange", Folds);
        On<SelectionRangeParams, List<SelectionRange>?>("textDocument/selectionRange", Selections);
    }

    private void On<TParams, TResult>(string method, Func<TParams, TResult> handler) =>
        Add(method, (Func<TParams, CancellationToken, TResult>)((p, ct) => Guard(method, () => handler(p))));

    private void OnNotification<TParams>(string method, Action<TParams> handler) =>
        Add(method, (Action<TParams>)(p => Guard<object?>(method, () =>
        {
            handler(p);
            return null;
        })));

    private void Add(string method, Delegate d) =>
        _rpc.AddLocalRpcMethod(d.Method, d.Target, new JsonRpcMethodAttribute(method) { UseSingleObjectParameterDeserialization = true });

    private T Guard<T>(string method, Func<T> body)
    {
        try
        {
            return body();
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
        _log.Information("initialize from process {Pid}, root {Root}", p.ProcessId, p.RootUri);
        return new InitializeResult
        {
            Capabilities = new ServerCapabilities
            {
                HoverProvider = true,
                DocumentSymbolProvider = true,
                FoldingRangeProvider = true,
                SelectionRangeProvider = true,
                CompletionProvider = new CompletionOptions { TriggerCharacters = [":", " "] },
            },
            ServerInfo = new ServerInfo { Version = Cli.CommandLine.Version },
        };
    }

    private void DidOpen(DidOpenTextDocumentParams p)
    {
        var doc = _documents.Open(p.TextDocument.Uri, p.TextDocument.Version, p.TextDocument.Text);
        PublishLater(doc);
    }

    private void DidChange(DidChangeTextDocumentParams p)
    {
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

    /// <summary>Analyses off the dispatch thread; publishes only if this is still the newest version.</summary>
    private void PublishLater(DocumentSnapshot doc) => _ = Task.Run(async () =>
    {
        try
        {
            var analysis = doc.Analysis;
            if (!ReferenceEquals(_documents.Get(doc.Uri), doc)) return;
            var lines = doc.Text.Lines;
            await Notify(new PublishDiagnosticsParams
            {
                Uri = doc.Uri,
                Version = doc.Version,
                Diagnostics = analysis.Diagnostics.Select(d => Convert.ToLsp(doc.Uri, lines, d)).ToList(),
            });
        }
        catch (Exception e)
        {
            _log.Error(e, "Analysis of {Uri} v{Version} failed", doc.Uri, doc.Version);
        }
    });

    private Task Notify(PublishDiagnosticsParams p) =>
        _rpc.IsDisposed ? Task.CompletedTask : _rpc.NotifyWithParameterObjectAsync("textDocument/publishDiagnostics", p);

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
                // LSP CompletionItemKind: 5 Field, 22 Struct, 20 EnumMember, 14 Keyword.
                Kind = i.Kind switch { CompletionKind.Field => 5, CompletionKind.MessageField => 22, CompletionKind.EnumValue => 20, _ => 14 },
                Detail = i.Detail,
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
}
