using System.Diagnostics;
using PrototxtLsp.Core.Semantics;

namespace PrototxtLsp.Benchmarks;

/// <summary>
/// What ten times the working set costs on this machine for a program that does nothing but what an analysis does
/// with memory: allocate a tree of small objects in order (as the parser does, in the server's no-GC region), then
/// walk it three times in the same order (as bind, graph and shapes do), reading each object and writing a number
/// into an array by name (as the graph does). No Caffe, no text: the ratio it prints is the floor any design with
/// that many bytes per layer pays for 10× input, so the analysis' own ratio is read against it.
/// Arguments: [ROUNDS] [BYTES_PER_LAYER] (default 2,450: what the full analysis of chain-10k allocates per layer).
/// </summary>
public static class MemoryFloor
{
    private sealed class Node(Node? next, int id, long a, long b)
    {
        public readonly Node? Next = next;
        public readonly int Id = id;
        public readonly long A = a;
        public readonly long B = b;
        public long Result;
    }

    // 16 bytes of header and method table, 8 + 4 (+4) + 8 + 8 + 8: 56 bytes, about what a field node takes.
    private const int NodeBytes = 56;

    public static int Run(string[] args)
    {
        var rounds = args.Length > 0 ? int.Parse(args[0]) : 11;
        var bytesPerLayer = args.Length > 1 ? int.Parse(args[1]) : 2450;
        var sizes = new[] { 1_000, 10_000, 100_000 };
        foreach (var layers in sizes)
            for (var i = 0; i < 5; i++) Once(layers, bytesPerLayer);

        for (var step = 0; step + 1 < sizes.Length; step++)
        {
            var (small, large) = (sizes[step], sizes[step + 1]);
            Console.WriteLine($"{small:N0} → {large:N0} layers of {bytesPerLayer} bytes ({small * (long)bytesPerLayer / 1e6:0.#} → {large * (long)bytesPerLayer / 1e6:0.#} MB), " +
                              Scaling.Paired(rounds, () => Once(small, bytesPerLayer), () => Once(large, bytesPerLayer)));
        }

        return 0;
    }

    /// <summary>Milliseconds to allocate the layers' nodes in a no-GC region sized as the server sizes it and walk them three times.</summary>
    private static double Once(int layers, int bytesPerLayer)
    {
        var nodesPerLayer = bytesPerLayer / NodeBytes;
        var count = layers * nodesPerLayer;
        // The server reserves from the document's length; a chain layer is about 117 characters.
        var start = Stopwatch.GetTimestamp();
        using (QuietGc.Begin(layers * 117, QuietGc.Threshold))
        {
            Node? head = null;
            for (var i = 0; i < count; i++) head = new Node(head, i / nodesPerLayer, i, i * 3L);
            var latest = new int[layers];
            long sum = 0;
            for (var pass = 0; pass < 3; pass++)
            {
                for (var n = head; n is not null; n = n.Next)
                {
                    n.Result += n.A ^ n.B;
                    latest[n.Id] = pass;
                    sum += n.Result;
                }
            }

            GC.KeepAlive(sum);
        }

        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }
}
