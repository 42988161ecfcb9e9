using System.Collections;

namespace PrototxtLsp.Core.Syntax;

/// <summary>
/// An append-only list kept in fixed segments of 8,192 elements (64 KB of references, below .NET's 85,000-byte
/// large-object threshold) instead of one array, so that it never reaches the large object heap however long the
/// document. A large array of references is collected only with the oldest generation, and until then everything
/// it references counts as alive in every young collection: the parse-order table of a 100,000-layer net's 700,000
/// fields (5.5 MB as one array) kept its whole dead tree alive through the young collection that
/// <see cref="Semantics.QuietGc"/> runs between analyses.
/// </summary>
internal sealed class SegmentedList<T> : IReadOnlyList<T>
{
    private const int Shift = 13;
    private const int SegmentLength = 1 << Shift;
    private const int Mask = SegmentLength - 1;

    private T[][] _segments = new T[4][];
    private T[] _last;
    private int _count;
    private int _capacity;

    /// <param name="expected">How many elements to make room for in the first segment (at most a segment's worth).</param>
    public SegmentedList(int expected = 0)
    {
        _last = _segments[0] = new T[Math.Clamp(expected, 16, SegmentLength)];
        _capacity = _last.Length;
    }

    public int Count => _count;

    public T this[int index]
    {
        get
        {
            if ((uint)index >= (uint)_count) throw new ArgumentOutOfRangeException(nameof(index));
            return _segments[index >> Shift][index & Mask];
        }
    }

    public void Add(T item)
    {
        if (_count == _capacity) Grow();
        _last[_count & Mask] = item;
        _count++;
    }

    private void Grow()
    {
        if (_count < SegmentLength)
        {
            // The first segment grows as a list does (from the size expected), so that a small document does not pay
            // for 8,192 slots.
            var grown = new T[Math.Min(SegmentLength, _last.Length * 2)];
            Array.Copy(_last, grown, _count);
            _last = _segments[0] = grown;
            _capacity = grown.Length;
            return;
        }

        var n = _count >> Shift;
        if (n == _segments.Length) Array.Resize(ref _segments, n * 2);
        _last = _segments[n] = new T[SegmentLength];
        _capacity += SegmentLength;
    }

    public IEnumerator<T> GetEnumerator()
    {
        for (var i = 0; i < _count; i++) yield return _segments[i >> Shift][i & Mask];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
