using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace UserData.Gateway.Tests.Support;

/// <summary>
/// The live bytes on another .NET process's GC heap, measured as dotnet-gcdump does: an EventPipe session asking for
/// the runtime's GC events with the GCHeapCollect keyword makes it run a blocking full collection, and what that
/// collection keeps (its promoted bytes, every generation) is what the process really holds, whatever the GC's
/// headroom, its lazy decommit or the native memory around it.
/// </summary>
public static class ProcessHeap
{
    private const string RuntimeProvider = "Microsoft-Windows-DotNETRuntime";

    public static async Task<long> LiveBytesAsync(int processId, TimeSpan timeout)
    {
        var client = new DiagnosticsClient(processId);
        var keywords = (long)(ClrTraceEventParser.Keywords.GC | ClrTraceEventParser.Keywords.GCHeapCollect);
        using var session = client.StartEventPipeSession(new EventPipeProvider(RuntimeProvider, EventLevel.Informational, keywords), requestRundown: false);
        using var source = new EventPipeEventSource(session.EventStream);
        long? live = null;
        var fullBlockingGc = -1;
        var ended = false;
        source.Clr.GCStart += gc =>
        {
            if (fullBlockingGc < 0 && gc.Depth == 2 && gc.Type == GCType.NonConcurrentGC)
            {
                fullBlockingGc = gc.Count;
            }
        };
        source.Clr.GCStop += gc => ended |= gc.Count == fullBlockingGc;
        source.Clr.GCHeapStats += stats =>
        {
            if (ended && live is null)
            {
                live = stats.TotalPromoted;
                session.Stop();
            }
        };

        var processing = Task.Run(source.Process);
        if (await Task.WhenAny(processing, Task.Delay(timeout)) != processing)
        {
            // Neither a stopped session nor the reader is trusted to end the stream: waiting on them once hung a CI run.
            source.StopProcessing();
            session.Stop();
            await Task.WhenAny(processing, Task.Delay(timeout));
        }

        return live ?? throw new TimeoutException($"Process {processId} reported no full blocking GC within {timeout}.");
    }
}
