using System.Diagnostics;
using PrototxtLsp.Core.Semantics;
using PrototxtLsp.Core.Text;

namespace PrototxtLsp.Benchmarks;

/// <summary>
/// The throughput target of issue 8 measured in pairs: each round times protoc parsing an empty file (its start-up)
/// and the input (`protoc --encode=caffe.NetParameter`, whole process), then the full analysis of the input in this
/// process as the language server runs it. The round's ratio is protoc's parse time net of start-up over ours, so a
/// change in the machine's speed between rounds moves both sides alike. Arguments: [INPUT] [ROUNDS].
/// </summary>
public static class VersusProtoc
{
    public static int Run(string[] args)
    {
        var input = args.Length > 0 ? args[0] : Inputs.Generated;
        var rounds = args.Length > 1 ? int.Parse(args[1]) : 15;
        var text = Inputs.Load(input) ?? throw new InvalidOperationException($"{input} needs ../shared");
        var protoc = FindProtoc();
        if (protoc is null)
        {
            Console.WriteLine("skipped: protoc from the Google.Protobuf.Tools package is not in ~/.nuget/packages (dotnet build restores it)");
            return 0;
        }

        var schemaDir = Path.Combine(Inputs.RepoRoot, "src", "PrototxtLsp.Core", "Schema");
        var file = Path.Combine(Path.GetTempPath(), $"prototxt-vs-protoc-{Environment.ProcessId}.prototxt");
        var empty = file + ".empty";
        File.WriteAllText(file, text);
        File.WriteAllText(empty, "");
        try
        {
            var source = new SourceText(text);
            // Warm up until the JIT has compiled the hot code at its final tier (30 calls and a pause per method).
            var warm = Stopwatch.StartNew();
            for (var i = 0; i < 40 || warm.Elapsed.TotalSeconds < 3; i++) GC.KeepAlive(QuietGc.Run(text.Length, () => DocumentAnalysis.Analyze(source)));
            RunProtoc(protoc, schemaDir, empty);
            var ratios = new List<double>();
            var ours = new List<double>();
            var theirs = new List<double>();
            for (var round = 0; round < rounds; round++)
            {
                var startUp = RunProtoc(protoc, schemaDir, empty);
                var whole = RunProtoc(protoc, schemaDir, file);
                var start = Stopwatch.GetTimestamp();
                GC.KeepAlive(QuietGc.Run(text.Length, () => DocumentAnalysis.Analyze(source)));
                var analysis = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                var parse = whole - startUp;
                ours.Add(analysis);
                theirs.Add(parse);
                ratios.Add(parse / analysis);
            }

            ours.Sort();
            theirs.Sort();
            ratios.Sort();
            var mb = text.Length / 1024.0 / 1024.0;
            Console.WriteLine($"{input} ({text.Length / 1024} KB), {rounds} rounds: full analysis as the server runs it median {ours[rounds / 2]:0.0} ms ({mb / (ours[rounds / 2] / 1000):0.0} MB/s); " +
                              $"protoc parse net of start-up median {theirs[rounds / 2]:0.0} ms ({mb / (theirs[rounds / 2] / 1000):0.0} MB/s); " +
                              $"our throughput ÷ protoc's, paired by round: median {ratios[rounds / 2]:0.00}× (lowest {ratios[0]:0.00}×, highest {ratios[^1]:0.00}×)");
            return 0;
        }
        finally
        {
            File.Delete(file);
            File.Delete(empty);
        }
    }

    private static string? FindProtoc()
    {
        var root = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages", "google.protobuf.tools");
        if (!Directory.Exists(root)) return null;
        return Directory.GetDirectories(root).Order(StringComparer.Ordinal)
            .Select(d => Path.Combine(d, "tools", "linux_x64", "protoc")).LastOrDefault(File.Exists);
    }

    /// <summary>Milliseconds of one whole protoc process reading the file on stdin.</summary>
    private static double RunProtoc(string protoc, string schemaDir, string input)
    {
        var info = new ProcessStartInfo(protoc, ["--proto_path=" + schemaDir, "--encode=caffe.NetParameter", "caffe.proto"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var bytes = File.ReadAllBytes(input);
        var start = Stopwatch.GetTimestamp();
        using var process = Process.Start(info)!;
        var drainOut = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        var drainErr = process.StandardError.BaseStream.CopyToAsync(Stream.Null);
        process.StandardInput.BaseStream.Write(bytes);
        process.StandardInput.Close();
        process.WaitForExit();
        Task.WaitAll(drainOut, drainErr);
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }
}
