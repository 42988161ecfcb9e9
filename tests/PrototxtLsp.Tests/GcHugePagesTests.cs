using System.Globalization;
using System.Runtime.InteropServices;
using PrototxtLsp.Core.Semantics;

namespace PrototxtLsp.Tests;

/// <summary>
/// Tests that look at the process's own heap mappings run alone: a test class allocating large objects at the same
/// time can grow the large-object space into a region the advice did not reach (it made the test below fail once in
/// a clean-clone CI run).
/// </summary>
[CollectionDefinition("process heap", DisableParallelization = true)]
public sealed class ProcessHeapCollection;

/// <summary>The space of a no-GC region is found in /proc/self/maps and advised for huge pages without disturbing anything in it.</summary>
[Collection("process heap")]
public class GcHugePagesTests
{
    private const string Maps = """
        00400000-00404000 r--p 00000000 fe:00 11657278                           /opt/prototxt-lsp
        01039000-0106b000 rw-p 00000000 00:00 0
        7efe7bc01000-7efe7c000000 ---p 00000000 00:00 0
        7efe7c000000-7efe7c400000 rw-p 00000000 00:00 0
        7efe7c400000-7efe7c8ff000 rw-p 00000000 00:00 0
        7efe7c8ff000-7f0a3e960000 ---p 00000000 00:00 0
        7f0a3e961000-7f0a3e962000 ---p 00000000 00:00 0
        7f0a3f165000-7f0a3f18b000 r--p 00000000 fe:00 332096                     /usr/lib/x86_64-linux-gnu/libc.so.6
        7f0a3f18b000-7f0a3f190000 rw-p 00000000 00:00 0
        7ffdb8fc4000-7ffdb8fe5000 rw-p 00000000 00:00 0                          [stack]
        """;

    [Fact]
    public void Finds_the_run_of_adjacent_anonymous_mappings_around_an_address()
    {
        // Inside the run: from the first adjacent anonymous mapping to the last, not past a gap.
        Assert.Equal((0x7efe7bc01000UL, 0x7f0a3e960000UL), GcHugePages.FindRange(Maps, 0x7efe7c400123));
        Assert.Equal((0x7efe7bc01000UL, 0x7f0a3e960000UL), GcHugePages.FindRange(Maps, 0x7efe7bc01000));
        // A lone anonymous mapping after a file mapping is a run of its own.
        Assert.Equal((0x7f0a3f18b000UL, 0x7f0a3f190000UL), GcHugePages.FindRange(Maps, 0x7f0a3f18c000));
        // Not anonymous (a file, the main stack), in a gap, or past everything: nothing.
        Assert.Equal((0UL, 0UL), GcHugePages.FindRange(Maps, 0x00400100));
        Assert.Equal((0UL, 0UL), GcHugePages.FindRange(Maps, 0x7ffdb8fc5000));
        Assert.Equal((0UL, 0UL), GcHugePages.FindRange(Maps, 0x7f0a3e960800));
        Assert.Equal((0UL, 0UL), GcHugePages.FindRange(Maps, 0x7fffffffffff));
        Assert.Equal((0UL, 0UL), GcHugePages.FindRange("", 0x7efe7c400123));
    }

    [Fact]
    public void Advising_a_no_gc_region_marks_the_mapping_of_new_objects_and_leaves_their_contents_alone()
    {
        var available = HugePagesAvailable();
        var kept = Enumerable.Range(0, 1000).Select(i => new int[] { i, i * 7 }).ToList();
        GC.Collect();
        Assert.True(GC.TryStartNoGCRegion(64 << 20), "a no-GC region of 64 MB");
        try
        {
            var advised = GcHugePages.AdviseAhead(64 << 20, collapse: true);
            if (!available)
            {
                Assert.False(advised); // nothing to do where huge pages are off
                return;
            }

            Assert.True(advised, "madvise(MADV_HUGEPAGE) over the reserved space");

            // New small and large objects are in advised mappings ("hg" among their VmFlags).
            Assert.Contains("hg", VmFlagsAt(AddressOf(new byte[64])));
            Assert.Contains("hg", VmFlagsAt(AddressOf(new byte[90_000])));

            // What was there is untouched, and allocation goes on working.
            for (var i = 0; i < kept.Count; i++) Assert.Equal(new[] { i, i * 7 }, kept[i]);
            var more = Enumerable.Range(0, 50_000).Select(i => new string('x', i % 50)).ToList();
            Assert.Equal(49, more[49_999].Length);
        }
        finally
        {
            if (System.Runtime.GCSettings.LatencyMode == System.Runtime.GCLatencyMode.NoGCRegion) GC.EndNoGCRegion();
        }
    }

    [Fact]
    public void A_region_that_will_make_no_large_object_is_advised_without_probing_the_large_object_space()
    {
        if (!HugePagesAvailable()) return; // nothing is advised where huge pages are off
        GC.Collect();
        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.True(GC.TryStartNoGCRegion(64 << 20), "a no-GC region of 64 MB");
        try
        {
            Assert.True(GcHugePages.AdviseAhead(64 << 20, collapse: false, largeObjects: false));
            // No probe of the large-object threshold's size was allocated, and small objects are advised as ever.
            Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < GcHugePages.LargeObjectThreshold(), "no large probe");
            Assert.Contains("hg", VmFlagsAt(AddressOf(new byte[64])));
        }
        finally
        {
            if (System.Runtime.GCSettings.LatencyMode == System.Runtime.GCLatencyMode.NoGCRegion) GC.EndNoGCRegion();
        }
    }

    [Fact]
    public void Every_region_is_advised_again_even_after_the_collector_gave_its_memory_back()
    {
        // The mappings found in /proc/self/maps are remembered from one region to the next, but the advice is given
        // each time: an aggressive collection decommits (unmaps and maps again) what it frees, which drops advice.
        if (!HugePagesAvailable()) return; // nothing is advised where huge pages are off (the test above checks that)
        for (var round = 0; round < 3; round++)
        {
            var garbage = Enumerable.Range(0, 20_000).Select(i => new byte[100 + i % 200]).ToList();
            GC.KeepAlive(garbage);
            garbage = null;
            GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            Assert.True(GC.TryStartNoGCRegion(64 << 20), $"a no-GC region of 64 MB (round {round})");
            try
            {
                Assert.True(GcHugePages.AdviseAhead(64 << 20, collapse: false), $"advised (round {round})");
                Assert.Contains("hg", VmFlagsAt(AddressOf(new byte[64])));
                Assert.Contains("hg", VmFlagsAt(AddressOf(new byte[90_000])));
            }
            finally
            {
                if (System.Runtime.GCSettings.LatencyMode == System.Runtime.GCLatencyMode.NoGCRegion) GC.EndNoGCRegion();
            }
        }
    }

    /// <summary>True where the kernel gives huge pages on request and the variable does not turn them off.</summary>
    private static bool HugePagesAvailable()
    {
        var thp = "/sys/kernel/mm/transparent_hugepage/enabled";
        return OperatingSystem.IsLinux() && File.Exists(thp) && !File.ReadAllText(thp).Contains("[never]", StringComparison.Ordinal)
               && Environment.GetEnvironmentVariable("PROTOTXT_LSP_HUGE_PAGES") != "0";
    }

    [Fact]
    public void The_large_object_probe_follows_the_process_threshold()
    {
        var before = AppContext.GetData("System.GC.LOHThreshold");
        try
        {
            AppContext.SetData("System.GC.LOHThreshold", null);
            Assert.Equal(85_000, GcHugePages.LargeObjectThreshold());
            AppContext.SetData("System.GC.LOHThreshold", "4194304"); // the language server's setting
            Assert.Equal(4_194_304, GcHugePages.LargeObjectThreshold());
            AppContext.SetData("System.GC.LOHThreshold", "not a number");
            Assert.Equal(85_000, GcHugePages.LargeObjectThreshold());
        }
        finally
        {
            AppContext.SetData("System.GC.LOHThreshold", before);
        }
    }

    private static ulong AddressOf(byte[] array)
    {
        var handle = GCHandle.Alloc(array, GCHandleType.Pinned);
        try
        {
            return (ulong)handle.AddrOfPinnedObject();
        }
        finally
        {
            handle.Free();
        }
    }

    /// <summary>The VmFlags of the mapping that holds an address, from /proc/self/smaps.</summary>
    private static string[] VmFlagsAt(ulong address)
    {
        var inside = false;
        foreach (var line in File.ReadLines("/proc/self/smaps"))
        {
            var dash = line.IndexOf('-');
            var space = line.IndexOf(' ');
            if (dash > 0 && space > dash && ulong.TryParse(line.AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var from)
                && ulong.TryParse(line.AsSpan(dash + 1, space - dash - 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var to))
            {
                inside = from <= address && address < to;
            }
            else if (inside && line.StartsWith("VmFlags:", StringComparison.Ordinal))
            {
                return line["VmFlags:".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            }
        }

        return [];
    }
}
