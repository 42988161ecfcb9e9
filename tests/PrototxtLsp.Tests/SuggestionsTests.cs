using PrototxtLsp.Core.Semantics;

namespace PrototxtLsp.Tests;

public class SuggestionsTests
{
    [Theory]
    [InlineData("conv1x", new[] { "data", "conv1", "conv2" }, "conv1")]          // one edit
    [InlineData("CONV1", new[] { "conv2", "conv1" }, "conv1")]                  // a case-insensitive match wins outright
    [InlineData("cnov1", new[] { "conv1", "data" }, "conv1")]                   // a transposition is one edit
    [InlineData("conv9", new[] { "conv1", "conv2" }, "conv1")]                  // ties: the first candidate
    [InlineData("Conv_1", new[] { "conv-1", "xx" }, "conv-1")]                 // case ignored inside the distance too
    [InlineData("abc", new[] { "xyz", "abcdefg" }, null)]                      // nothing within the limit (1 for 3 letters)
    [InlineData("num_outptu", new[] { "num_output", "bias_term" }, "num_output")]
    [InlineData("kernel_size", new[] { "kernel_sizes_and_more" }, null)]       // lengths too far apart
    public void Best_is_the_closest_within_the_limit(string name, string[] candidates, string? expected) =>
        Assert.Equal(expected, Suggestions.Best(name, candidates));

    [Fact]
    public void Best_agrees_with_the_plain_distance()
    {
        // The ranking runs without allocating per candidate; it must pick what the plain distance over lower-cased
        // strings picks (the first candidate at the smallest distance within the limit).
        var random = new Random(8);
        const string letters = "abcAB_1";
        string Word() => new(Enumerable.Range(0, random.Next(1, 9)).Select(_ => letters[random.Next(letters.Length)]).ToArray());
        for (var round = 0; round < 2_000; round++)
        {
            var name = Word();
            var candidates = Enumerable.Range(0, random.Next(0, 12)).Select(_ => Word()).ToList();
            var limit = Math.Max(1, Math.Min(3, name.Length / 3));
            var exact = candidates.FirstOrDefault(c => string.Equals(c, name, StringComparison.OrdinalIgnoreCase));
            string? expected = exact;
            if (exact is null)
            {
                var scored = candidates.Select(c => (c, d: Suggestions.Distance(name.ToLowerInvariant(), c.ToLowerInvariant(), limit))).ToList();
                var best = scored.Where(x => x.d <= limit).OrderBy(x => x.d).Select(x => x.c).FirstOrDefault(); // OrderBy is stable
                expected = best;
            }

            Assert.True(expected == Suggestions.Best(name, candidates), $"'{name}' among [{string.Join(", ", candidates)}]: expected {expected ?? "none"}");
        }
    }
}
