using System.Diagnostics.Tracing;

namespace PrototxtLsp.Benchmarks;

/// <summary>
/// Samples allocations by type through the runtime's GC AllocationTick events (one event per ~100 KB allocated), to
/// see what a stage allocates: <c>allocs INPUT STAGE</c>.
/// </summary>
public sealed class AllocationSampler : EventListener
{
    private readonly Dictionary<string, long> _bytesByType = new(StringComparer.Ordinal);

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
            EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1); // GC keyword: AllocationTick_V4
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.EventName is not { } name || !name.StartsWith("GCAllocationTick", StringComparison.Ordinal) || e.Payload is null) return;
        var type = e.PayloadNames?.IndexOf("TypeName") is int t and >= 0 ? e.Payload[t] as string ?? "?" : "?";
        var amount = e.PayloadNames?.IndexOf("AllocationAmount64") is int a and >= 0 ? Convert.ToInt64(e.Payload[a], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
        lock (_bytesByType) _bytesByType[type] = _bytesByType.GetValueOrDefault(type) + amount;
        // Objects on the large object heap (AllocationKind 1), each seen: every one is at least a tick's worth.
        if (e.PayloadNames?.IndexOf("AllocationKind") is int k and >= 0 && Convert.ToInt32(e.Payload[k], System.Globalization.CultureInfo.InvariantCulture) == 1 &&
            e.PayloadNames.IndexOf("ObjectSize") is int o and >= 0)
        {
            var size = Convert.ToInt64(e.Payload[o], System.Globalization.CultureInfo.InvariantCulture);
            lock (_large) _large.Add((type, size));
        }
    }

    private readonly List<(string Type, long Size)> _large = [];

    public static int Run(string input, string stage, int runs)
    {
        var text = new PrototxtLsp.Core.Text.SourceText(Inputs.Load(input) ?? throw new InvalidOperationException($"{input} needs ../shared"));
        var body = Program.Stage(stage, text);
        GC.KeepAlive(body());
        using var sampler = new AllocationSampler();
        for (var i = 0; i < runs; i++) GC.KeepAlive(body());
        Thread.Sleep(500);
        long total;
        List<KeyValuePair<string, long>> top;
        lock (sampler._bytesByType)
        {
            total = sampler._bytesByType.Values.Sum();
            top = sampler._bytesByType.OrderByDescending(kv => kv.Value).Take(30).ToList();
        }

        Console.WriteLine($"sampled allocations of {runs} × {stage} on {input}: {total / runs / 1024} KB per run");
        foreach (var (type, bytes) in top) Console.WriteLine($"{bytes / runs / 1024,8} KB  {100.0 * bytes / total,5:0.0}%  {type}");
        lock (sampler._large)
        {
            // Large objects are collected only with the oldest generation, and what they reference stays alive until then.
            Console.WriteLine($"large objects per run (from {AppContext.GetData("System.GC.LOHThreshold") ?? "85000"} bytes): {sampler._large.Count / (double)runs:0.0}");
            foreach (var g in sampler._large.GroupBy(l => l.Type).OrderByDescending(g => g.Sum(l => l.Size)))
                Console.WriteLine($"  {g.Count() / (double)runs,5:0.0} × {g.Key}, largest {g.Max(l => l.Size) / 1024} KB");
        }
        return 0;
    }
}
