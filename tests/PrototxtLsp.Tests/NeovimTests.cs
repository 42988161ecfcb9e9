using System.Diagnostics;
using System.Text.Json;
using PrototxtLsp.Tests.Infrastructure;
using Xunit.Abstractions;

namespace PrototxtLsp.Tests;

/// <summary>
/// A real third-party client: headless Neovim (apt package `neovim`, 0.7+) runs tests/neovim/harness.lua against the
/// server on a corpus net with an injected typo. Skips when nvim or ../shared is absent; .ci/run installs Neovim.
/// </summary>
public class NeovimTests(ITestOutputHelper output)
{
    private static string? FindNvim() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, "nvim")).FirstOrDefault(File.Exists);

    [SkippableFact]
    public void Neovim_shows_the_diagnostic_a_hover_and_the_symbols()
    {
        var shared = TestPaths.RequireShared();
        var nvim = FindNvim();
        Skip.If(nvim is null, "nvim is not installed (apt-get install neovim); .ci/run installs it.");

        var work = Directory.CreateTempSubdirectory("prototxt-nvim-");
        try
        {
            var source = File.ReadAllText(Path.Combine(shared, "corpus", "bvlc", "examples", "mnist", "lenet_train_test.prototxt"));
            var first = source.IndexOf("bottom:", StringComparison.Ordinal);
            var injected = source[..first] + "bottm:" + source[(first + "bottom:".Length)..];
            var injectedLine = injected[..first].Count(c => c == '\n');
            var file = Path.Combine(work.FullName, "lenet_train_test.prototxt");
            File.WriteAllText(file, injected);

            var psi = new ProcessStartInfo(nvim!)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = work.FullName,
            };
            foreach (var a in (string[])["--headless", "--clean", "-n", "-c", "luafile " + Path.Combine(TestPaths.RepoRoot, "tests", "neovim", "harness.lua"), file])
                psi.ArgumentList.Add(a);
            psi.Environment["PROTOTXT_LSP_DLL"] = Path.Combine(AppContext.BaseDirectory, "prototxt-lsp.dll");
            psi.Environment["XDG_CACHE_HOME"] = Path.Combine(work.FullName, "cache");
            psi.Environment["XDG_STATE_HOME"] = Path.Combine(work.FullName, "state");
            using var process = Process.Start(psi)!;
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEnd();
            Assert.True(process.WaitForExit(60_000), "nvim did not finish in 60 s");
            output.WriteLine(stdout);
            var line = stdout.Split('\n').LastOrDefault(l => l.TrimStart().StartsWith('{'));
            Assert.True(line is not null, $"no JSON from nvim (exit {process.ExitCode}): {stdout} {stderr.Result}");
            using var json = JsonDocument.Parse(line!);
            var root = json.RootElement;
            if (process.ExitCode != 0) Assert.Fail($"harness failed (exit {process.ExitCode}): {line}");

            // The typo (PTX2001) and, because conv1 lost its only bottom, the blob count (PTX3004).
            var all = root.GetProperty("diagnostics").EnumerateArray().ToList();
            Assert.Equal(["PTX2001", "PTX3004"], all.Select(d => d.GetProperty("code").GetString()).Order());
            var diagnostic = all.Single(d => d.GetProperty("code").GetString() == "PTX2001");
            Assert.Equal("PTX2001", diagnostic.GetProperty("code").GetString());
            Assert.Equal(injectedLine, diagnostic.GetProperty("line").GetInt32());
            Assert.Contains("bottom", diagnostic.GetProperty("message").GetString());
            Assert.Contains("num_output", root.GetProperty("hover").GetString());
            var symbols = root.GetProperty("symbols").EnumerateArray().Select(s => s.GetString()).ToList();
            // The net's own `name` field, then every layer by its name.
            Assert.Equal(["name", "mnist", "mnist", "conv1", "pool1", "conv2", "pool2", "ip1", "relu1", "ip2", "accuracy", "loss"], symbols);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }
}
