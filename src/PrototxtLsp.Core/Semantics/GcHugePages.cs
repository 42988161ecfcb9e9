using System.Globalization;
using System.Runtime.InteropServices;

namespace PrototxtLsp.Core.Semantics;

/// <summary>
/// Asks Linux to back the space a large analysis is about to allocate with transparent huge pages (2 MB) where the
/// system leaves that to programs (<c>/sys/kernel/mm/transparent_hugepage/enabled</c> = <c>madvise</c>, Debian's
/// default). An analysis keeps nearly all it allocates, so its cost is dominated by first touches of fresh memory: on
/// the project machine a 4 KB page fault costs 11–17 µs, a 2 MB page ≈ 140 µs, i.e. ≈ 0.3 µs per 4 KB
/// (tests/bench/page-fault-cost.sh) — or ≈ 3.6 ms when the virtual machine's host has not backed it yet, which is why
/// only the space of a no-GC region (<see cref="QuietGc"/>) is advised, never the whole heap: a language server with
/// small documents open gained nothing measurable from huge pages and kept a few MB more resident.
/// <para>The space is found in <c>/proc/self/maps</c>: the run of anonymous mappings around an object just allocated
/// (the small-object regions lie on either side of the one allocation continues in) and, when the work will make
/// large objects, around a large array (the large-object space: token lists, per-field tables, the file's text). The run can include neighbours
/// that are not the object heap (the collector's bookkeeping tables, a C library allocation arena), which is harmless:
/// a huge page needs a whole aligned 2 MB inside one committed mapping, and those neighbours commit memory in small
/// pieces, while the heap commits its regions 4 MB at a time. Nothing changes in memory's contents, so this is safe at
/// any time; any failure (another OS, an old kernel, huge pages disabled) leaves the heap as it was.
/// <c>PROTOTXT_LSP_HUGE_PAGES=0</c> turns it off.</para>
/// </summary>
public static class GcHugePages
{
    private const int MadvHugePage = 14;
    private const int MadvCollapse = 25;
    private const long HugePage = 2L << 20;

    private static volatile bool _unavailable; // turned off, another OS, or madvise refused

    /// <summary>madvise(2); also used by <see cref="HeapPrefault"/>.</summary>
    [DllImport("libc", EntryPoint = "madvise", SetLastError = true)]
    internal static extern int Madvise(nint address, nuint length, int advice);

    private static bool Allowed()
    {
        if (_unavailable) return false;
        if (OperatingSystem.IsLinux() && Environment.GetEnvironmentVariable("PROTOTXT_LSP_HUGE_PAGES") != "0") return true;
        _unavailable = true;
        return false;
    }

    /// <summary>
    /// Advises the space a no-GC region of <paramref name="bytes"/> has just reserved. With
    /// <paramref name="collapse"/> (a command-line run, where the block allocation continues in was touched in 4 KB
    /// pages at start-up) that block also becomes one huge page now. The large-object space is advised too when
    /// <paramref name="largeObjects"/> says the work will allocate a large object: finding where they go takes
    /// allocating one, which with the server's 4 MB threshold cost 0.3–0.5 ms of every chain-10k region, whose
    /// analysis makes none. False where nothing was advised.
    /// </summary>
    public static bool AdviseAhead(long bytes, bool collapse, bool largeObjects = true)
    {
        if (!Allowed()) return false;
        try
        {
            string? maps = null;
            var at = ProbeAddress();
            if (!AdviseAround(at, bytes, ref maps)) return false;
            if (largeObjects)
            {
                // A large object lives in the large-object space; not zeroed, not kept.
                var large = GC.AllocateUninitializedArray<byte>(LargeObjectThreshold(), pinned: false);
                var handle = GCHandle.Alloc(large, GCHandleType.Pinned);
                var largeAt = (ulong)handle.AddrOfPinnedObject();
                handle.Free();
                AdviseAround(largeAt, bytes, ref maps); // overlapping the first range where the two are close: harmless
            }

            if (collapse) Collapse((long)(at & ~((ulong)HugePage - 1)));
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DllNotFoundException or EntryPointNotFoundException or FormatException or OverflowException)
        {
            _unavailable = true;
            return false;
        }
    }

    /// <summary>
    /// The size from which arrays go to the large-object space: .NET's 85,000 bytes unless the process sets
    /// <c>System.GC.LOHThreshold</c> (the language server: 4 MB).
    /// </summary>
    public static int LargeObjectThreshold() =>
        AppContext.GetData("System.GC.LOHThreshold") is { } value && int.TryParse(value.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var threshold) && threshold > 85_000
            ? threshold
            : 85_000;

    // The runs of anonymous mappings found so far (the collector reserves its space once, so they are the same region
    // after region): reading and scanning /proc/self/maps twice was nearly all of the 0.4 ms a region's advice cost
    // (0.04 ms without). The advice itself is given afresh every time: the collector may have unmapped and mapped
    // again what it decommitted (GcHugePagesTests).
    private static readonly Lock RunsGate = new();
    private static (ulong Start, ulong End) _lastRun, _otherRun;

    /// <summary>
    /// Advises <paramref name="bytes"/> on either side of the 2 MB block holding an address, within its run of
    /// anonymous mappings: a run found before when it holds the block, else (or when the advice fails there: the
    /// mappings changed) the run found afresh in <c>/proc/self/maps</c>, read at most once per region. A run is the
    /// collector's reservation, which does not move; requiring a remembered run to hold the whole range instead read
    /// the maps again at every region whose heap lay within the range of the reservation's edge, as it does once
    /// young collections hand the same low regions out again (0.5 ms a region).
    /// </summary>
    private static bool AdviseAround(ulong address, long bytes, ref string? maps)
    {
        var block = address & ~((ulong)HugePage - 1);
        var reach = ((ulong)bytes + (ulong)HugePage - 1) & ~((ulong)HugePage - 1);
        var wantFrom = block - Math.Min(block, reach);
        var wantTo = block + reach + (ulong)HugePage;
        bool Holds((ulong Start, ulong End) run) => run.Start <= block && block < run.End;
        (ulong Start, ulong End) known;
        lock (RunsGate) known = Holds(_lastRun) ? _lastRun : Holds(_otherRun) ? _otherRun : default;
        if (known.End > known.Start)
        {
            var knownFrom = Math.Max(known.Start, wantFrom);
            if (Madvise((nint)knownFrom, (nuint)(Math.Min(known.End, wantTo) - knownFrom), MadvHugePage) == 0) return true;
        }

        maps ??= File.ReadAllText("/proc/self/maps");
        var (start, end) = FindRange(maps, address);
        if (end <= start) return false;
        lock (RunsGate) (_otherRun, _lastRun) = (_lastRun, (start, end));
        var from = Math.Max(start, wantFrom);
        var to = Math.Min(end, wantTo);
        if (Madvise((nint)from, (nuint)(to - from), MadvHugePage) == 0) return true;
        _unavailable = true; // EINVAL: a kernel without transparent huge pages
        return false;
    }

    /// <summary>
    /// Turns a 2 MB block into one huge page now (<c>MADV_COLLAPSE</c>, Linux 6.1+): the block where a process is
    /// allocating was touched in 4 KB pages before it could be advised, and the rest of it would otherwise fault in
    /// 4 KB at a time. Costs 0.4–0.9 ms here (a copy of what is there); false where it could not be done, which
    /// changes nothing.
    /// </summary>
    private static bool Collapse(long block)
    {
        // EAGAIN when another thread is faulting in the same block at that moment: a few tries are enough. Anything
        // else (EINVAL: the block spans mappings of different kinds) will not change by trying again.
        const int EAgain = 11;
        for (var attempt = 0; attempt < 4; attempt++)
        {
            if (Madvise((nint)block, (nuint)HugePage, MadvCollapse) == 0) return true;
            if (Marshal.GetLastPInvokeError() != EAgain) return false;
        }

        return false;
    }

    /// <summary>Where the calling thread's next small allocation goes: the address of an object just allocated.</summary>
    internal static ulong ProbeAddress()
    {
        var probe = new byte[16];
        var handle = GCHandle.Alloc(probe, GCHandleType.Pinned);
        try
        {
            return (ulong)handle.AddrOfPinnedObject();
        }
        finally
        {
            handle.Free();
        }
    }

    /// <summary>The run of adjacent anonymous mappings around <paramref name="address"/> in a <c>/proc/PID/maps</c> text; (0, 0) when the address is not in an anonymous mapping.</summary>
    public static (ulong Start, ulong End) FindRange(string maps, ulong address)
    {
        ulong start = 0, end = 0;
        var found = false;
        foreach (var line in maps.AsSpan().EnumerateLines())
        {
            if (line.IsEmpty) continue;
            var dash = line.IndexOf('-');
            var space = line.IndexOf(' ');
            if (dash <= 0 || space <= dash) continue;
            var from = ulong.Parse(line[..dash], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            var to = ulong.Parse(line[(dash + 1)..space], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            // Anonymous: no fifth column after the range (a path, [stack], [heap], …).
            var anonymous = Columns(line[space..]) <= 4;
            if (!found)
            {
                if (!anonymous)
                {
                    start = end = 0;
                    continue;
                }

                if (from > address) break;
                if (start == 0 || from != end) start = from; // a new run of anonymous mappings begins
                end = to;
                found = address < to;
            }
            else
            {
                if (!anonymous || from != end) break;
                end = to;
            }
        }

        return found ? (start, end) : (0, 0);
    }

    private static int Columns(ReadOnlySpan<char> rest)
    {
        var count = 0;
        var inWord = false;
        foreach (var c in rest)
        {
            if (c == ' ')
            {
                inWord = false;
            }
            else if (!inWord)
            {
                inWord = true;
                count++;
            }
        }

        return count;
    }
}
