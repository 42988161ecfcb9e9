using System.Text.RegularExpressions;
using PrototxtLsp.Core.Diagnostics;
using PrototxtLsp.Core.Semantics;
using PrototxtLsp.Core.Text;
using PrototxtLsp.Tests.Infrastructure;

namespace PrototxtLsp.Tests;

/// <summary>Our verdict on every corpus file equals protoc's recorded one (oracle.tsv), first error on the same line.</summary>
public class CorpusTests
{
    [SkippableFact]
    public void Verdicts_agree_with_the_oracle()
    {
        var shared = TestPaths.RequireShared();
        var rows = File.ReadAllLines(Path.Combine(shared, "corpus", "oracle.tsv")).Skip(1).Select(l => l.Split('\t')).ToList();
        Assert.True(rows.Count >= 150);
        var failures = new List<string>();
        var rejected = 0;
        foreach (var row in rows)
        {
            var (path, kind, verdict) = (row[0], row[1], row[^1]);
            var file = Path.Combine(shared, "corpus", path);
            var analysis = DocumentAnalysis.Analyze(SourceText.FromBytes(File.ReadAllBytes(file)), file);
            if (analysis.RootMessage.FullName != "caffe." + kind) failures.Add($"{path}: bound to {analysis.RootMessage.FullName}, oracle says {kind}");
            var errors = analysis.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            if (verdict == "ok")
            {
                if (errors.Count > 0) failures.Add($"{path}: protoc accepts it but we report {errors[0]}");
                continue;
            }

            rejected++;
            var m = Regex.Match(verdict, @"input:(\d+):(\d+):");
            Assert.True(m.Success, verdict);
            if (errors.Count == 0)
            {
                failures.Add($"{path}: protoc rejects it ({verdict}) but we report no error");
                continue;
            }

            var line = analysis.Text.Lines.GetPosition(errors[0].Span.Start).Line + 1;
            if (line != int.Parse(m.Groups[1].Value)) failures.Add($"{path}: our first error is on line {line}, protoc's on {m.Groups[1].Value}");
        }

        Assert.True(rejected >= 1, "the oracle lists a rejected file");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
