using PrototxtLsp.Server.Lsp;

namespace PrototxtLsp.Tests;

/// <summary>The language server collects garbage between keystrokes, never while changes keep coming.</summary>
public class IdleCollectorTests
{
    private static void MakeGarbage(int megabytes)
    {
        for (var i = 0; i < megabytes * 16; i++) GC.KeepAlive(new byte[64 * 1024]);
    }

    [Fact]
    public void Collects_once_the_server_has_been_quiet_after_a_publish()
    {
        using var idle = new IdleCollector(TimeSpan.FromMilliseconds(20), minBytes: 1 << 20);
        var before = GC.CollectionCount(0);
        idle.Changed();
        MakeGarbage(4);
        idle.Published();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (idle.Collections == 0 && DateTime.UtcNow < deadline) Thread.Sleep(10);
        Assert.Equal(1, idle.Collections);
        Assert.True(GC.CollectionCount(0) > before);
    }

    [Fact]
    public void Collects_even_when_the_timer_fires_a_little_early()
    {
        // The publish comes right after the change, so the timer is the only clock that counts the quiet time. It
        // counts whole milliseconds and may fire a fraction early by the stopwatch; that must postpone the
        // collection, not skip it. Ten rounds, each with a fresh collector.
        for (var round = 0; round < 10; round++)
        {
            using var idle = new IdleCollector(TimeSpan.FromMilliseconds(15), minBytes: 1);
            MakeGarbage(1);
            idle.Changed();
            idle.Published();
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (idle.Collections == 0 && DateTime.UtcNow < deadline) Thread.Sleep(5);
            Assert.True(idle.Collections == 1, $"round {round}: no collection after the quiet time");
        }
    }

    [Fact]
    public void Does_not_collect_while_changes_keep_coming_nor_without_garbage()
    {
        using var busy = new IdleCollector(TimeSpan.FromMilliseconds(300), minBytes: 1 << 20);
        MakeGarbage(4);
        busy.Published();
        var until = DateTime.UtcNow.AddMilliseconds(900);
        while (DateTime.UtcNow < until)
        {
            busy.Changed(); // a keystroke every few milliseconds: never 300 ms of quiet
            Thread.Sleep(5);
        }

        Assert.Equal(0, busy.Collections);

        // Quiet, but less garbage than the threshold (a threshold no test run reaches in a second).
        using var clean = new IdleCollector(TimeSpan.FromMilliseconds(20), minBytes: long.MaxValue);
        clean.Published();
        Thread.Sleep(300);
        Assert.Equal(0, clean.Collections);
    }
}
