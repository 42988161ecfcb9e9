using PrototxtLsp.Core.Semantics;

namespace PrototxtLsp.Tests;

/// <summary>
/// Before a large document's analysis, the garbage of earlier analyses is collected young when that pays. Runs with
/// the other tests that measure the process heap, alone: another test allocating meanwhile would blur what a
/// collection freed.
/// </summary>
[Collection("process heap")]
public class QuietGcTests
{
    private const long MB = 1L << 20;

    [Fact]
    public void Collects_only_once_the_heap_has_grown_past_the_bound_since_the_last_collection()
    {
        var young = new QuietGc.YoungCollections();
        Assert.False(young.ShouldCollect(QuietGc.YoungCollections.Bound));
        Assert.True(young.ShouldCollect(QuietGc.YoungCollections.Bound + 1));
        young.Collected(100 * MB, 20 * MB);
        Assert.False(young.ShouldCollect(20 * MB + QuietGc.YoungCollections.Bound));
        Assert.True(young.ShouldCollect(21 * MB + QuietGc.YoungCollections.Bound));
    }

    [Fact]
    public void A_heap_smaller_than_after_the_last_collection_is_the_new_starting_point()
    {
        // Someone else (the idle collector, a full collection at a region's opening) collected in between.
        var young = new QuietGc.YoungCollections();
        young.Collected(100 * MB, 20 * MB);
        Assert.False(young.ShouldCollect(10 * MB));
        Assert.True(young.ShouldCollect(11 * MB + QuietGc.YoungCollections.Bound));
    }

    [Fact]
    public void Backs_off_while_young_collections_free_little_and_resumes_after_one_that_frees()
    {
        var young = new QuietGc.YoungCollections();
        var heap = 0L;

        // Grows by 40 MB per analysis; returns whether a young collection was due.
        bool Next()
        {
            heap += 40 * MB;
            return young.ShouldCollect(heap);
        }

        // 40 MB grown, 10 MB freed: what grew is alive (or held by large arrays), so skip the next chance...
        Assert.True(Next());
        young.Collected(heap, heap - 10 * MB);
        heap -= 10 * MB;
        Assert.False(Next());
        Assert.True(Next());
        // ...and, failing again, the next two.
        young.Collected(heap, heap - 10 * MB);
        heap -= 10 * MB;
        Assert.False(Next());
        Assert.False(Next());
        Assert.True(Next());
        // A collection that frees most of what grew ends the back-off.
        young.Collected(heap, 5 * MB);
        heap = 5 * MB;
        Assert.True(Next());
        young.Collected(heap, heap - 10 * MB);
        heap -= 10 * MB;
        Assert.False(Next());
        Assert.True(Next());
    }

    [Fact]
    public void The_back_off_stops_growing_at_sixty_four_chances()
    {
        var young = new QuietGc.YoungCollections();
        var heap = 0L;
        var skippedInARow = new List<int>();
        var skipped = 0;
        for (var i = 0; i < 400; i++)
        {
            heap += 40 * MB;
            if (!young.ShouldCollect(heap))
            {
                skipped++;
                continue;
            }

            skippedInARow.Add(skipped);
            skipped = 0;
            young.Collected(heap, heap); // frees nothing, ever
        }

        Assert.Equal([0, 1, 2, 4, 8, 16, 32, 64, 64], skippedInARow.Take(9));
    }

    [Fact]
    public void A_young_collection_frees_the_garbage_that_made_the_heap_grow()
    {
        // 48 MB of small arrays that nothing references: young garbage, as a dead analysis is.
        GC.Collect();
        var young = new QuietGc.YoungCollections();
        for (var i = 0; i < 48 * 16; i++) GC.KeepAlive(new byte[64 * 1024 - 64]);
        var before = GC.GetTotalMemory(false);
        Assert.True(QuietGc.CollectYoungGarbage(young));
        Assert.True(before - GC.GetTotalMemory(false) > 24 * MB, $"{before / MB} MB before, {GC.GetTotalMemory(false) / MB} MB after");
    }
}
