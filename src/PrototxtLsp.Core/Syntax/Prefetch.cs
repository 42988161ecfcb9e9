using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace PrototxtLsp.Core.Syntax;

/// <summary>
/// Asks the processor to start loading memory a pass over a large document will read a little later. The passes after
/// the parse walk the top-level fields (and the layers made from them) in order, and what each reads lies together:
/// the parser allocates a field's nodes depth first, its value's nodes before the field itself, so a layer's syntax
/// is the kilobyte or two of memory that ends at its <see cref="FieldSyntax"/>; the graph's objects for a layer start
/// at its <see cref="Semantics.LayerNode"/>. On a net of 100,000 layers (160 MB) that memory is no longer in the
/// cache when a later pass comes back to it, and the processor's own prefetchers do not follow a stream across a 4 KB
/// page boundary.
/// A prefetch is only a hint: an address that is stale or not mapped is ignored, and where the instruction does not
/// exist (not x86) this does nothing.
/// </summary>
internal static class Prefetch
{
    private const int Line = 64;

    /// <summary>
    /// Passes prefetch in blocks (or nets) of at least this many members (layers): the top level of a large net. A
    /// smaller net's syntax (1–2 KB a layer) fits a processor's second-level cache, where the hints only cost time
    /// (ResNet-152, 560 layers: 1.011 and 1.027 paired with hints from 64 layers).
    /// </summary>
    public const int LongBlock = 2048;

    /// <summary>How many members (layers) ahead of the one at hand.</summary>
    public const int Distance = 2;

    /// <summary>About what a layer's syntax takes (its fields, blocks and member arrays): 24 lines, 1.5 KB.</summary>
    public const int LayerSyntaxLines = 24;

    /// <summary>About what a layer's graph objects take (its node, blob references and their array): 4 lines.</summary>
    public const int LayerGraphLines = 4;

    /// <summary>The <paramref name="lines"/> cache lines that end at the object's start.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Before(object? node, int lines)
    {
        if (!Sse.IsSupported || node is null) return;
        var at = (byte*)Unsafe.As<object, nint>(ref node);
        for (var i = lines; i >= 1; i--) Sse.Prefetch1(at - i * Line);
    }

    /// <summary>The <paramref name="lines"/> cache lines that start at the object.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void From(object? node, int lines)
    {
        if (!Sse.IsSupported || node is null) return;
        var at = (byte*)Unsafe.As<object, nint>(ref node);
        for (var i = 0; i < lines; i++) Sse.Prefetch1(at + i * Line);
    }
}
