using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using UserData.Gateway.Json;
using UserData.Grains.Common;

namespace UserData.Gateway.Http;

/// <summary>
/// Kestrel answers a request it cannot parse (a malformed request line or header 400, a slow one 408, a request target
/// over its limit 414, headers over their limit 431) itself, before any middleware runs, with an empty body and no
/// hook to change that. This connection middleware recognizes exactly that answer on the way out (an error status,
/// <c>Content-Length: 0</c>, <c>Connection: close</c>, written and flushed as one header block) and gives it the error
/// envelope. Every other byte passes through untouched: the application never writes such a block, since every error
/// it answers carries the envelope.
/// </summary>
public static class ServerErrorEnvelope
{
    private static readonly byte[] HeaderEnd = "\r\n\r\n"u8.ToArray();

    /// <summary>Where the status code's first digit is in a status line, "HTTP/1.1 200 OK".</summary>
    private const int StatusDigit = 9;

    public static ListenOptions UseServerErrorEnvelope(this ListenOptions listen)
    {
        ArgumentNullException.ThrowIfNull(listen);
        var time = listen.ApplicationServices.GetService<TimeProvider>() ?? TimeProvider.System;
        listen.Use(next => connection =>
        {
            connection.Transport = new Transport(connection.Transport.Input, new EnvelopingWriter(connection.Transport.Output, time));
            return next(connection);
        });
        return listen;
    }

    /// <summary>The envelope response for <paramref name="written"/> when it is a bodiless server error; false for anything else.</summary>
    public static bool TryRewrite(ReadOnlySpan<byte> written, TimeProvider time, [NotNullWhen(true)] out byte[]? response)
    {
        ArgumentNullException.ThrowIfNull(time);
        response = null;
        // Every response's first block comes through here: one below 400 ("HTTP/1.x NNN") is let by before anything is decoded.
        if (written.Length <= StatusDigit || !written.StartsWith("HTTP/1."u8) || written[StatusDigit] < (byte)'4'
            || !written.EndsWith(HeaderEnd) || written[..^HeaderEnd.Length].IndexOf(HeaderEnd) >= 0)
        {
            return false;
        }

        var lines = Encoding.ASCII.GetString(written[..^HeaderEnd.Length]).Split("\r\n");
        var statusLine = lines[0].Split(' ', 3);
        if (statusLine.Length < 2 || !int.TryParse(statusLine[1], System.Globalization.CultureInfo.InvariantCulture, out var status) || status < 400
            || !lines.Contains("Content-Length: 0", StringComparer.OrdinalIgnoreCase) || !lines.Contains("Connection: close", StringComparer.OrdinalIgnoreCase))
        {
            return false;
        }

        var (code, message) = ErrorCodes.ForStatus(status);
        var body = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(
            new ErrorEnvelope(new ErrorBody(code, message, null), new Meta(RequestIdMiddleware.NewId(), ApiResponses.ApiVersion, Clock.Now(time))),
            ApiJsonContext.Default.ErrorEnvelope);
        var head = new StringBuilder();
        foreach (var line in lines.Where(line => !line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)))
        {
            head.Append(line).Append("\r\n");
        }

        head.Append("Content-Type: application/json; charset=utf-8\r\n")
            .Append("X-Content-Type-Options: nosniff\r\n")
            .Append("Cache-Control: no-store\r\n")
            .Append(System.Globalization.CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\n\r\n");
        response = [.. Encoding.ASCII.GetBytes(head.ToString()), .. body];
        return true;
    }

    private sealed class Transport(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }

    /// <summary>
    /// Passes writes through to the connection; the first bytes advanced after a flush are looked at (the block Kestrel
    /// writes for a rejected request is advanced in one piece) and replaced when they are such an answer.
    /// </summary>
    private sealed class EnvelopingWriter(PipeWriter inner, TimeProvider time) : PipeWriter
    {
        private Memory<byte> _lent;
        private bool _afterFlush = true;

        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => inner.UnflushedBytes;

        public override Memory<byte> GetMemory(int sizeHint = 0) => _lent = inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => (_lent = inner.GetMemory(sizeHint)).Span;

        public override void Advance(int bytes)
        {
            var first = _afterFlush;
            _afterFlush = false;
            if (first && bytes > 0 && bytes <= _lent.Length && TryRewrite(_lent.Span[..bytes], time, out var response))
            {
                // The lent memory is left unadvanced, which a PipeWriter allows; the envelope is written in its place.
                inner.Write(response);
                return;
            }

            inner.Advance(bytes);
        }

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            _afterFlush = true;
            return inner.FlushAsync(cancellationToken);
        }

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);
    }
}
