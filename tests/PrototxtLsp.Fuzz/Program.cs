using System.Diagnostics;
using System.Text;
using PrototxtLsp.Core.Text;
using PrototxtLsp.Tests.Infrastructure;
using SharpFuzz;

namespace PrototxtLsp.Fuzz;

/// <summary>
/// Fuzzes the whole pipeline (<see cref="FullPipeline.Run"/>: analysis, syntax invariants, every feature at a few
/// offsets, formatting with idempotence). Modes:
/// <list type="bullet">
/// <item><c>afl</c>: the SharpFuzz harness for afl++ (see run-afl.sh): an exception or a broken invariant is a crash.</item>
/// <item><c>random [--seconds N] [--seed S] [--seeds DIR]... [--out DIR] [--budget-ms N]</c>: a self-contained mutation
/// fuzzer over seed files (byte flips, dictionary tokens, splices, line operations, lone surrogates), guided by the set of
/// diagnostic codes an input produces. Crashes are minimised and saved to OUT as NNN.prototxt (one per distinct
/// exception and place); an input over the time budget is saved as a hang and the process exits with code 3.</item>
/// <item><c>repro FILE...</c>: runs files through the pipeline and prints what happens.</item>
/// <item><c>minimize FILE</c>: shrinks a crashing file while it fails the same way, prints the result.</item>
/// </list>
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var mode = args.Length > 0 ? args[0] : "help";
        switch (mode)
        {
            case "afl":
                Fuzzer.OutOfProcess.Run(stream =>
                {
                    using var ms = new MemoryStream();
                    stream.CopyTo(ms);
                    var bytes = ms.ToArray();
                    FullPipeline.Run(SourceText.FromBytes(bytes), FullPipeline.PathFor(bytes), new Random(bytes.Length), Offsets.Random, Offsets.Tokens);
                });
                return 0;
            case "random":
                return RandomFuzzer.Run(args[1..]);
            case "repro":
            {
                var failed = 0;
                foreach (var file in args[1..])
                {
                    var bytes = File.ReadAllBytes(file);
                    var start = Stopwatch.GetTimestamp();
                    var failure = Harness.Check(bytes);
                    Console.WriteLine($"{file}: {bytes.Length} bytes, {Stopwatch.GetElapsedTime(start).TotalMilliseconds:F0} ms: {failure?.ToString() ?? "ok"}");
                    if (failure is not null) failed++;
                }

                return failed == 0 ? 0 : 1;
            }
            case "minimize":
            {
                var bytes = File.ReadAllBytes(args[1]);
                var failure = Harness.Check(bytes);
                if (failure is null)
                {
                    Console.WriteLine("the input does not fail");
                    return 1;
                }

                var small = Minimizer.Minimize(bytes, b => Harness.Check(b)?.Signature == failure.Signature);
                Console.WriteLine($"{failure.Signature}: {bytes.Length} → {small.Length} bytes");
                Console.WriteLine(Convert.ToBase64String(small));
                Console.WriteLine(Encoding.UTF8.GetString(small));
                return 0;
            }
            default:
                Console.Error.WriteLine("usage: PrototxtLsp.Fuzz afl | random [--seconds N] [--seed S] [--seeds DIR]... [--out DIR] [--budget-ms N] | repro FILE... | minimize FILE");
                return 2;
        }
    }

}

/// <summary>
/// How many offsets each mode asks features about: start, end, middle, 2 random ones and both edges and the middle of 2
/// random tokens (fewer than the property tests: executions per second matter more here). Seeded by the input's length,
/// so repro and minimize see what the fuzzer saw.
/// </summary>
public static class Offsets
{
    public const int Random = 2;
    public const int Tokens = 2;
}

/// <summary>One failure: what was thrown, where; the signature groups inputs that fail the same way.</summary>
public sealed record Failure(string Type, string Message, string Where, string Stack)
{
    public string Signature => $"{Type} at {Where}";

    public override string ToString() => $"{Type}: {Message}\n  at {Where}";

    public static Failure From(Exception e)
    {
        // The innermost frame in our code names the place; invariant violations are told apart by their message.
        var frames = new StackTrace(e, fNeedFileInfo: false).GetFrames();
        var where = frames.Select(f => f.GetMethod()).FirstOrDefault(m => m?.DeclaringType?.Namespace?.StartsWith("PrototxtLsp", StringComparison.Ordinal) == true);
        var place = where is null ? "?" : $"{where.DeclaringType!.FullName}.{where.Name}";
        if (e is FullPipeline.InvariantViolation) place = "invariant: " + new string(e.Message.TakeWhile(c => c != ':' && !char.IsDigit(c)).ToArray()).Trim();
        return new Failure(e.GetType().Name, e.Message.Length > 500 ? e.Message[..500] + "…" : e.Message, place, e.ToString());
    }
}

public static class Harness
{
    /// <summary>Runs the pipeline on one input; null when everything held.</summary>
    public static Failure? Check(byte[] bytes) => Check(SourceText.FromBytes(bytes), FullPipeline.PathFor(bytes), bytes.Length);

    public static Failure? Check(SourceText text, string? path, int seed)
    {
        try
        {
            FullPipeline.Run(text, path, new Random(seed), Offsets.Random, Offsets.Tokens);
            return null;
        }
        catch (Exception e)
        {
            return Failure.From(e);
        }
    }
}

/// <summary>Delta debugging: drops chunks (halving their size) while the predicate still holds.</summary>
public static class Minimizer
{
    public static byte[] Minimize(byte[] input, Func<byte[], bool> stillFails, TimeSpan? limit = null)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)((limit ?? TimeSpan.FromMinutes(2)).TotalSeconds * Stopwatch.Frequency);
        var current = input;
        for (var chunk = Math.Max(1, current.Length / 2); chunk >= 1; chunk /= 2)
        {
            var progress = true;
            while (progress && Stopwatch.GetTimestamp() < deadline)
            {
                progress = false;
                for (var start = 0; start < current.Length && Stopwatch.GetTimestamp() < deadline;)
                {
                    var len = Math.Min(chunk, current.Length - start);
                    var candidate = new byte[current.Length - len];
                    Array.Copy(current, 0, candidate, 0, start);
                    Array.Copy(current, start + len, candidate, start, current.Length - start - len);
                    if (stillFails(candidate))
                    {
                        current = candidate;
                        progress = true;
                    }
                    else
                    {
                        start += len;
                    }
                }
            }
        }

        return current;
    }
}
