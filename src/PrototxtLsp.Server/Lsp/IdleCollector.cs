using System.Diagnostics;

namespace PrototxtLsp.Server.Lsp;

/// <summary>
/// Collects the garbage of earlier analyses while the user is between keystrokes, so that the next keystroke's
/// analysis does not stop for a collection. Every analysis leaves the previous version's tree and model behind;
/// left to itself the collector runs when the budget runs out, in the middle of an analysis, and copies the live
/// analysis once more (the slow tenth of edits in the latency benchmark). When no document has changed for
/// <see cref="Delay"/> (40 ms) after diagnostics were published and 2 MB or more have been allocated since the last one,
/// a first-generation collection runs (the runtime escalates it when an older generation is due).
/// </summary>
public sealed class IdleCollector : IDisposable
{
    /// <summary>Quiet time after a publish before collecting: shorter than the pause between two keystrokes.</summary>
    public static readonly TimeSpan DefaultDelay = TimeSpan.FromMilliseconds(40);

    /// <summary>Less garbage than this is not worth a collection (an analysis of ResNet-152 allocates about 3 MB).</summary>
    public const long DefaultMinBytes = 2L << 20;

    private readonly Timer _timer;
    private readonly long _minBytes;
    private long _lastChange = Stopwatch.GetTimestamp();
    private long _allocatedAfterLastCollection;

    public IdleCollector() : this(DefaultDelay, DefaultMinBytes)
    {
    }

    public IdleCollector(TimeSpan delay, long minBytes)
    {
        Delay = delay;
        _minBytes = minBytes;
        _timer = new Timer(_ => OnQuiet(), null, Timeout.Infinite, Timeout.Infinite);
    }

    public TimeSpan Delay { get; }

    /// <summary>Collections done while idle.</summary>
    public int Collections => Volatile.Read(ref _collections);

    private int _collections;

    /// <summary>A document was opened or changed: the quiet time starts again.</summary>
    public void Changed() => Volatile.Write(ref _lastChange, Stopwatch.GetTimestamp());

    /// <summary>Diagnostics were published: collect once the server has been quiet for <see cref="Delay"/>.</summary>
    public void Published() => _timer.Change(Delay, Timeout.InfiniteTimeSpan);

    private void OnQuiet()
    {
        var quiet = Stopwatch.GetElapsedTime(Volatile.Read(ref _lastChange));
        if (quiet < Delay)
        {
            // A change came in since (its publish re-arms the timer too), or the timer, which counts in whole
            // milliseconds, fired a little before the quiet time was up by the stopwatch: wait out the rest, else
            // this quiet spell would pass without its collection.
            _timer.Change(Delay - quiet + TimeSpan.FromMilliseconds(1), Timeout.InfiniteTimeSpan);
            return;
        }

        var allocated = GC.GetTotalAllocatedBytes();
        if (allocated - Volatile.Read(ref _allocatedAfterLastCollection) < _minBytes) return;
        GC.Collect(0, GCCollectionMode.Forced, blocking: true);
        Interlocked.Increment(ref _collections);
        Volatile.Write(ref _allocatedAfterLastCollection, GC.GetTotalAllocatedBytes());
    }

    public void Dispose() => _timer.Dispose();
}
