using System.Buffers;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Text.Json;
using Serilog;
using StreamJsonRpc;
using StreamJsonRpc.Protocol;

namespace PrototxtLsp.Server.Lsp;

/// <summary>
/// LSP base-protocol framing (<c>Content-Length: N\r\n\r\n</c> + N bytes of JSON) that survives a bad client. StreamJsonRpc's
/// own reader drops the connection on the first malformed frame; this one answers what JSON-RPC says to answer and
/// carries on with the next message:
/// <list type="bullet">
/// <item>a body that is not JSON: error -32700 (Parse error) with id null;</item>
/// <item>JSON that is not a request, notification or response (no method, a numeric method, params neither object nor
/// array, a batch): error -32600 (Invalid Request), with the message's id when it has a readable one, else null;</item>
/// <item>a response to a request the server never sent (StreamJsonRpc would drop the connection): ignored;</item>
/// <item>bytes that are not part of a frame (what follows a Content-Length that was too short, a header block without a
/// usable Content-Length): skipped up to the next <c>Content-Length:</c> header, with a warning in the log. A frame whose
/// Content-Length was too long takes the start of the next frame with it (that message is lost; the body fails to parse
/// and is answered -32700).</item>
/// </list>
/// Header names are case-insensitive and a bare <c>\n</c> ends a header line as well as <c>\r\n</c>. Writing is
/// <see cref="HeaderDelimitedMessageHandler"/>'s.
/// </summary>
internal sealed class LspMessageHandler : HeaderDelimitedMessageHandler
{
    private static ReadOnlySpan<byte> ContentLength => "content-length:"u8;

    /// <summary>A header line longer than this is not a header: it is skipped (keeping its tail, which may hold one).</summary>
    private const int MaxHeaderLine = 4096;

    private readonly PipeReader _input;
    private readonly ILogger _log;

    /// <summary>Ids of the requests this side sent that are not answered yet.</summary>
    private readonly ConcurrentDictionary<RequestId, byte> _sent = new();

    public LspMessageHandler(Stream output, Stream input, IJsonRpcMessageFormatter formatter, ILogger log)
        : base(output, null, formatter)
    {
        _input = PipeReader.Create(input);
        _log = log;
    }

    public override bool CanRead => true;

    protected override async ValueTask<JsonRpcMessage?> ReadCoreAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (await ReadHeadersAsync(cancellationToken) is not { } length) return null;
            if (await ReadBodyAsync(length, cancellationToken) is not { } body) return null;
            JsonRpcMessage message;
            try
            {
                message = Formatter.Deserialize(new ReadOnlySequence<byte>(body));
            }
            catch (Exception e)
            {
                await RejectAsync(body, e, cancellationToken);
                continue;
            }

            if (message is JsonRpcResult or JsonRpcError && !_sent.TryRemove(((IJsonRpcMessageWithId)message).RequestId, out _))
            {
                _log.Warning("Ignored a response to a request that was never sent (id {Id})", ((IJsonRpcMessageWithId)message).RequestId);
                continue;
            }

            return message;
        }
    }

    protected override void Write(JsonRpcMessage content, CancellationToken cancellationToken)
    {
        if (content is JsonRpcRequest { IsResponseExpected: true } request) _sent.TryAdd(request.RequestId, 0);
        base.Write(content, cancellationToken);
    }

    protected override void DisposeReader()
    {
        _input.Complete();
        base.DisposeReader();
    }

    /// <summary>
    /// Reads one header block and returns its Content-Length, or null at the end of the input. Lines before a
    /// Content-Length header that are not headers, and header blocks without a usable Content-Length, are skipped.
    /// </summary>
    private async ValueTask<int?> ReadHeadersAsync(CancellationToken cancellationToken)
    {
        int? length = null;
        long skipped = 0;
        while (true)
        {
            var result = await _input.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            while (buffer.PositionOf((byte)'\n') is { } newline)
            {
                var line = buffer.Slice(0, newline);
                buffer = buffer.Slice(buffer.GetPosition(1, newline));
                if (line.Length > 0 && line.Slice(line.Length - 1).FirstSpan[0] == '\r') line = line.Slice(0, line.Length - 1);
                if (line.Length == 0)
                {
                    if (length is not null)
                    {
                        _input.AdvanceTo(buffer.Start);
                        if (skipped > 0) _log.Warning("Skipped {Bytes} bytes of input that were not a well-formed message (Content-Length missing, invalid or wrong)", skipped);
                        return length;
                    }

                    skipped += 2; // a header block without Content-Length ends here; its body follows as junk
                    continue;
                }

                var text = line.Length <= MaxHeaderLine ? line.ToArray() : line.Slice(line.Length - MaxHeaderLine).ToArray();
                var at = LastIndexOfIgnoreCase(text, ContentLength);
                if (at < 0)
                {
                    // Any header before Content-Length is fine (Content-Type); anything else is junk.
                    if (length is null && !LooksLikeHeader(text)) skipped += line.Length + 1;
                    continue;
                }

                skipped += at;
                length = ParseLength(text.AsSpan(at + ContentLength.Length));
                if (length is null) skipped += line.Length - at + 1;
            }

            if (result.IsCompleted)
            {
                _input.AdvanceTo(buffer.End);
                if (skipped + buffer.Length > 0) _log.Warning("Input ended inside a message ({Bytes} bytes unread)", skipped + buffer.Length);
                return null;
            }

            if (buffer.Length > MaxHeaderLine)
            {
                // No line break for a long stretch: not a header. Keep the tail, where a Content-Length header may begin.
                skipped += buffer.Length - MaxHeaderLine;
                length = null;
                buffer = buffer.Slice(buffer.Length - MaxHeaderLine);
            }

            _input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>The body: exactly <paramref name="length"/> bytes, or null if the input ends first.</summary>
    private async ValueTask<byte[]?> ReadBodyAsync(int length, CancellationToken cancellationToken)
    {
        if (length == 0) return [];
        while (true)
        {
            var result = await _input.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (buffer.Length >= length)
            {
                var body = buffer.Slice(0, length);
                var bytes = body.ToArray(); // the formatter may keep views into it while the message is dispatched
                _input.AdvanceTo(body.End);
                return bytes;
            }

            if (result.IsCompleted)
            {
                _input.AdvanceTo(buffer.End);
                _log.Warning("Input ended inside a message ({Bytes} of {Length} bytes)", buffer.Length, length);
                return null;
            }

            _input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Answers a body the formatter refused: -32700 if it is not JSON, -32600 if it is JSON but not a message.</summary>
    private async ValueTask RejectAsync(byte[] body, Exception e, CancellationToken cancellationToken)
    {
        var code = JsonRpcErrorCode.ParseError;
        var id = RequestId.Null;
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && !root.TryGetProperty("method", out _) && (root.TryGetProperty("result", out _) || root.TryGetProperty("error", out _)))
            {
                _log.Warning("Ignored a malformed response from the client ({Bytes} bytes): {Error:l}", body.Length, e.Message);
                return; // a response is never answered
            }

            code = JsonRpcErrorCode.InvalidRequest;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("id", out var idElement))
            {
                if (idElement.ValueKind == JsonValueKind.String) id = new RequestId(idElement.GetString());
                else if (idElement.ValueKind == JsonValueKind.Number && idElement.TryGetInt64(out var number)) id = new RequestId(number);
            }
        }
        catch (JsonException)
        {
        }

        var message = code == JsonRpcErrorCode.ParseError ? "Parse error: the message is not valid JSON." : "Invalid Request: the message is not a JSON-RPC request or notification.";
        _log.Warning("{Message:l} ({Bytes} bytes): {Error:l}", message, body.Length, e.Message);
        await WriteAsync(new JsonRpcError { Version = "2.0", RequestId = id, Error = new JsonRpcError.ErrorDetail { Code = code, Message = message } }, cancellationToken);
    }

    private static int? ParseLength(ReadOnlySpan<byte> value)
    {
        value = value.Trim(" \t"u8);
        return Utf8Parser.TryParse(value, out int length, out var consumed) && consumed == value.Length && length >= 0 ? length : null;
    }

    /// <summary>A <c>Name: value</c> line whose name is an HTTP token.</summary>
    private static bool LooksLikeHeader(ReadOnlySpan<byte> line)
    {
        var colon = line.IndexOf((byte)':');
        if (colon <= 0) return false;
        foreach (var b in line[..colon])
        {
            if (!(char.IsAsciiLetterOrDigit((char)b) || b is (byte)'-' or (byte)'_' or (byte)'.')) return false;
        }

        return true;
    }

    private static int LastIndexOfIgnoreCase(ReadOnlySpan<byte> text, ReadOnlySpan<byte> lowerCaseValue)
    {
        for (var i = text.Length - lowerCaseValue.Length; i >= 0; i--)
        {
            var j = 0;
            while (j < lowerCaseValue.Length && char.ToLowerInvariant((char)text[i + j]) == lowerCaseValue[j]) j++;
            if (j == lowerCaseValue.Length) return i;
        }

        return -1;
    }
}
