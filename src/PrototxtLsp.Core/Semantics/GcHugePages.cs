using System.Globalization;
using System.Runtime.InteropServices;

namespace PrototxtLsp.Core.Semantics;

/// <summary>
/// Asks Linux to back the garbage-collected heap with transparent huge pages (2 MB) where the system leaves that to
/// programs (<c>/sys/kernel/mm/transparent_hugepage/enabled</c> = <c>madvise</c>, Debian's default). An analysis keeps
/// nearly all it allocates, so its cost is dominated by first touches of fresh memory: on the project machine a 4 KB
/// page fault costs 11–17 µs, while a 2 MB page costs ≈ 140 µs, i.e. ≈ 0.3 µs per 4 KB
/// (tests/bench/page-fault-cost.sh). The 1.9 MB net's analysis in the server's mode went from 87–195 ms to 79–88 ms
/// median (tests/PrototxtLsp.Benchmarks quick, alternating runs).
/// <para>The heap is the runtime's one large address-space reservation; it is found in <c>/proc/self/maps</c> as the
/// run of anonymous mappings around a freshly allocated object, and advised with <c>madvise(MADV_HUGEPAGE)</c>. The
/// runtime gives memory back by mapping it anew, which drops the advice for that part, so the server advises again
/// after its idle collections. Nothing changes in memory's contents, so this is safe at any time; any failure (another
/// OS, an old kernel, huge pages disabled) leaves the heap as it was. <c>PROTOTXT_LSP_HUGE_PAGES=0</c> turns it off.</para>
/// </summary>
public static class GcHugePages
{
    private const int MadvHugePage = 14;
    private const int MadvCollapse = 25;
    private const long HugePage = 2L << 20;

    private static volatile bool _unavailable; // turned off, another OS, or madvise refused
    private static volatile bool _heapAdvised; // Advise has succeeded at least once

    [DllImport("libc", EntryPoint = "madvise")]
    private static extern int Madvise(nint address, nuint length, int advice);

    /// <summary>True once the heap has been advised (and huge pages are neither turned off nor unavailable).</summary>
    public static bool Active => _heapAdvised && !_unavailable;

    private static bool Allowed()
    {
        if (_unavailable) return false;
        if (OperatingSystem.IsLinux() && Environment.GetEnvironmentVariable("PROTOTXT_LSP_HUGE_PAGES") != "0") return true;
        _unavailable = true;
        return false;
    }

    /// <summary>Advises the heap's whole reservation; returns the size advised in bytes, 0 when nothing was done.</summary>
    public static long Advise()
    {
        if (!Allowed()) return 0;
        try
        {
            var (start, end) = FindHeapRange(ProbeAddress());
            if (end <= start) return 0;
            if (Madvise((nint)start, (nuint)(end - start), MadvHugePage) != 0)
            {
                _unavailable = true; // EINVAL: a kernel without transparent huge pages
                return 0;
            }

            _heapAdvised = true;
            return (long)(end - start);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DllNotFoundException or EntryPointNotFoundException or FormatException or OverflowException)
        {
            _unavailable = true;
            return 0;
        }
    }

    /// <summary>
    /// Advises only the space a no-GC region of <paramref name="bytes"/> has just reserved and collapses the block the
    /// calling thread allocates from now. For a command-line run: the rest of the heap keeps 4 KB pages, since a huge
    /// page that the virtual machine's host has not backed yet costs ≈ 3.6 ms. The small-object space is found around
    /// the block allocation continues in (the reserved regions lie on either side of it), the large-object space
    /// (token lists, per-field tables, line starts) around a large array allocated for the purpose.
    /// </summary>
    public static bool AdviseAhead(long bytes)
    {
        if (!Allowed()) return false;
        try
        {
            var maps = File.ReadAllText("/proc/self/maps");
            var at = ProbeAddress();
            var block = at & ~((ulong)HugePage - 1);
            if (!AdviseAround(maps, at, bytes)) return false;
            // A large object lives in the large-object heap; not zeroed, not kept.
            var large = GC.AllocateUninitializedArray<byte>(100_000, pinned: false);
            var handle = GCHandle.Alloc(large, GCHandleType.Pinned);
            var largeAt = (ulong)handle.AddrOfPinnedObject();
            handle.Free();
            AdviseAround(maps, largeAt, bytes); // overlapping the first range where the two are close: harmless
            return Collapse((long)block);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DllNotFoundException or EntryPointNotFoundException or FormatException or OverflowException)
        {
            _unavailable = true;
            return false;
        }
    }

    /// <summary>Advises <paramref name="bytes"/> on either side of the 2 MB block holding an address, within its run.</summary>
    private static bool AdviseAround(string maps, ulong address, long bytes)
    {
        var (start, end) = FindRange(maps, address);
        if (end <= start) return false;
        var block = address & ~((ulong)HugePage - 1);
        var reach = ((ulong)bytes + (ulong)HugePage - 1) & ~((ulong)HugePage - 1);
        var from = Math.Max(start, block - Math.Min(block, reach));
        var to = Math.Min(end, block + reach + (ulong)HugePage);
        if (Madvise((nint)from, (nuint)(to - from), MadvHugePage) == 0) return true;
        _unavailable = true;
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
        // EAGAIN when another thread is faulting in the same block at that moment: a few tries are enough.
        for (var attempt = 0; attempt < 4; attempt++)
            if (Madvise((nint)block, (nuint)HugePage, MadvCollapse) == 0) return true;
        return false;
    }

    private static ulong ProbeAddress()
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

    /// <summary>
    /// The heap's reservation: the run of adjacent anonymous mappings in <c>/proc/self/maps</c> around
    /// <paramref name="address"/> (an object just allocated). The run can include neighbours that are not the object
    /// heap (the collector's bookkeeping tables, a C library allocation arena), which is harmless: a huge page needs a
    /// whole aligned 2 MB inside one committed mapping, and those neighbours commit memory in small pieces, while the
    /// heap commits its regions 4 MB at a time.
    /// </summary>
    internal static (ulong Start, ulong End) FindHeapRange(ulong address) => FindRange(File.ReadAllText("/proc/self/maps"), address);

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
