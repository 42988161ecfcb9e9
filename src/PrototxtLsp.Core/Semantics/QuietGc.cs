using System.Runtime;

namespace PrototxtLsp.Core.Semantics;

/// <summary>
/// Runs the analysis of a large document without garbage collections. Everything an analysis allocates stays alive
/// until it ends (the tree, the model, the graph), so a collection in the middle only copies live objects from one
/// generation to the next; with the small first-generation budget the language server keeps for memory's sake, a 1.9 MB net
/// was collected five times per analysis. Reserving the space up front (a "no GC region") took that analysis from
/// 275 ms to 87 ms (tests/PrototxtLsp.Benchmarks). Small documents, the usual case, need no reservation.
/// </summary>
public static class QuietGc
{
    /// <summary>Documents below this size (characters) analyse within the normal budget.</summary>
    public const int Threshold = 256 * 1024;

    /// <summary>An analysis allocates 20–30 bytes per character (tests/PrototxtLsp.Benchmarks); reserve more.</summary>
    private const long BytesPerCharacter = 48;

    /// <summary>
    /// The smallest reservation. Small files allocate more per character (ResNet-50, 31 KB: 61 bytes), and a region that
    /// runs out ends with a collection in the middle of the analysis (7 ms of ResNet-50's 13); reserving costs address
    /// space, not memory, until it is used.
    /// </summary>
    private const long MinReservation = 4L << 20;

    /// <summary>The largest reservation: beyond it the analysis runs with ordinary collections.</summary>
    private const long MaxReservation = 1L << 30;

    private static int _active;

    public static T Run<T>(int textLength, Func<T> analyse) => Run(textLength, analyse, Threshold);

    /// <summary>
    /// As <see cref="Run{T}(int, Func{T})"/> with a caller's threshold: a command-line run that analyses one file and
    /// exits passes 0, since a collection there only copies what the process keeps until it ends anyway. With
    /// <paramref name="prefault"/> the reserved space is also mapped in one go (<see cref="HeapPrefault"/>).
    /// </summary>
    public static T Run<T>(int textLength, Func<T> analyse, int threshold, bool prefault = false)
    {
        using var region = Begin(textLength, threshold, prefault);
        return analyse();
    }

    /// <summary>
    /// Opens the region of <see cref="Run{T}(int, Func{T}, int, bool)"/> for a span of work the caller ends by
    /// disposing of the result: a command-line check of one file keeps it open from reading the file to printing the
    /// report, so that the report's few allocations do not meet a collection of the whole analysis (7 ms of a
    /// ResNet-50 check). Null when no region was opened (below the threshold, or one is already open).
    /// </summary>
    public static IDisposable? Begin(int textLength, int threshold, bool prefault = false)
    {
        if (textLength < threshold || Interlocked.CompareExchange(ref _active, 1, 0) != 0) return null;
        var started = false;
        try
        {
            var expected = Math.Min(MaxReservation, BytesPerCharacter * textLength);
            CollectYoungGarbage(Young);
            started = GC.TryStartNoGCRegion(Math.Max(MinReservation, expected));
            // The reserved space on huge pages (GcHugePages); where that cannot be done, a command-line run maps
            // what it expects to use in one go instead (HeapPrefault).
            // The large-object space only when the analysis will make a large object: its largest array is the
            // token table.
            var largeObjects = Syntax.TokenTable.BytesFor(textLength) >= GcHugePages.LargeObjectThreshold();
            if (started && !GcHugePages.AdviseAhead(expected, collapse: prefault, largeObjects) && prefault) HeapPrefault.Touch(expected);
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or InvalidOperationException)
        {
            started = false; // the runtime could not reserve that much (or a region is already open)
        }

        return new Region(started);
    }

    /// <summary>Decides when a region's opening collects the young generation first (<see cref="CollectYoungGarbage"/>).</summary>
    internal static readonly YoungCollections Young = new();

    /// <summary>
    /// Collects the young generation before a region opens when the heap has grown by more than
    /// <see cref="YoungCollections.Bound"/> since the last collection: the garbage of earlier analyses of the
    /// document. Otherwise the region's opening collects it when it no longer finds room — a full collection, which
    /// visits every dead object: a chain-10k analysis's 16.7 MB cost 2.5 ms to collect that way (28 ms every eleventh
    /// analysis), against 0.3 ms for a young collection of two analyses' garbage, which frees whole regions (benchmark
    /// `gcprobe`). Only young garbage that nothing older references can be freed so: large arrays of references are
    /// collected only with the oldest generation and keep what they reference alive until then, which is why the
    /// parser's parse-order tables are segmented (<c>SegmentedList</c>), the lexer's dictionary is emptied after the
    /// parse and the server's large-object threshold is 4 MB. Returns true when it collected.
    /// </summary>
    internal static bool CollectYoungGarbage(YoungCollections young)
    {
        var heap = GC.GetTotalMemory(false);
        if (!young.ShouldCollect(heap)) return false;
        GC.Collect(0, GCCollectionMode.Forced, blocking: true);
        young.Collected(heap, GC.GetTotalMemory(false));
        return true;
    }

    /// <summary>
    /// The state behind <see cref="CollectYoungGarbage"/>: the heap's size after the last collection, and a back-off for
    /// when young collections free little (what has grown is alive, or held by large arrays): after such a collection
    /// the next 1, 2, 4 … 64 chances are skipped, and the full collections of the region's opening take over.
    /// </summary>
    internal sealed class YoungCollections
    {
        /// <summary>Growth that makes a young collection worth its fixed cost (0.2–0.3 ms); two chain-10k analyses.</summary>
        internal const long Bound = 32L << 20;

        private const int MaxBackoff = 64;

        private long _heapAfterCollection;
        private int _skip;
        private int _backoff = 1;

        internal bool ShouldCollect(long heap)
        {
            if (heap < _heapAfterCollection) _heapAfterCollection = heap; // collected since by someone else
            if (heap - _heapAfterCollection <= Bound) return false;
            if (_skip > 0)
            {
                _skip--;
                return false;
            }

            return true;
        }

        internal void Collected(long heapBefore, long heapAfter)
        {
            var grown = heapBefore - _heapAfterCollection;
            if (heapBefore - heapAfter < grown / 2)
            {
                _skip = _backoff;
                _backoff = Math.Min(MaxBackoff, _backoff * 2);
            }
            else
            {
                _backoff = 1;
            }

            _heapAfterCollection = heapAfter;
        }
    }

    private sealed class Region(bool started) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            if (started && GCSettings.LatencyMode == GCLatencyMode.NoGCRegion)
            {
                try
                {
                    GC.EndNoGCRegion();
                }
                catch (InvalidOperationException)
                {
                    // the region ended by itself (more was allocated than reserved): nothing to end
                }
            }

            Volatile.Write(ref _active, 0);
        }
    }
}
