using System.Collections.Concurrent;
using PrototxtLsp.Core.Diagnostics;
using PrototxtLsp.Core.Schema;
using PrototxtLsp.Core.Semantics;
using PrototxtLsp.Core.Syntax;
using PrototxtLsp.Tests.Infrastructure;
using Xunit.Abstractions;

namespace PrototxtLsp.Tests;

/// <summary>
/// Mutates corpus files (fixed seeds) and compares our accept/reject verdict with protoc's on each mutant. protoc
/// is the same C++ text-format parser Caffe uses; every disagreement fails the test and is listed.
/// The count can be raised with PROTOTXT_MUTATIONS=N.
/// </summary>
public class ProtocAgreementTests(ITestOutputHelper output)
{
    private sealed record Mutant(string Source, string Operator, string Kind, string Text);

    [SkippableFact]
    public void Mutated_corpus_files_get_the_same_verdict_as_protoc()
    {
        var shared = TestPaths.RequireShared();
        Skip.IfNot(ProtocRunner.Available, $"protoc not found at {TestPaths.Protoc}");
        var count = int.TryParse(Environment.GetEnvironmentVariable("PROTOTXT_MUTATIONS"), out var n) ? n : 3000;
        var mutants = Generate(shared, count, seed: 1729);

        var disagreements = new ConcurrentBag<string>();
        var rejectedByProtoc = 0;
        var perOperator = new ConcurrentDictionary<string, int>();
        Parallel.ForEach(mutants, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(2, Environment.ProcessorCount) }, m =>
        {
            var root = ProtoSchema.Caffe.FindMessage("caffe." + m.Kind)!;
            var analysis = DocumentAnalysis.Analyze(m.Text, rootMessage: root);
            // protoc checks syntax and schema only (1xxx/2xxx); net-graph errors are beyond it.
            var ours = !analysis.Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error && IsParseOrSchema(d));
            var (theirs, error) = ProtocRunner.Encode(root.FullName, m.Text);
            if (!theirs) Interlocked.Increment(ref rejectedByProtoc);
            perOperator.AddOrUpdate(m.Operator, 1, (_, c) => c + 1);
            if (ours != theirs)
            {
                var first = analysis.Diagnostics.FirstOrDefault(d => d.Severity == DiagnosticSeverity.Error && IsParseOrSchema(d));
                disagreements.Add($"[{m.Operator}] {m.Source}: protoc {(theirs ? "accepts" : "rejects: " + error)}; we {(ours ? "accept" : "reject: " + first)}\n---\n{Excerpt(m.Text, first, error)}\n---");
            }
        });

        output.WriteLine($"{mutants.Count} mutants, protoc rejected {rejectedByProtoc}, disagreements {disagreements.Count}; by operator: " +
                         string.Join(", ", perOperator.OrderBy(p => p.Key).Select(p => $"{p.Key}={p.Value}")));
        Assert.True(rejectedByProtoc > mutants.Count / 4, "the mutations should break most files");
        Assert.True(disagreements.IsEmpty, $"{disagreements.Count} disagreements with protoc:\n" + string.Join("\n", disagreements.Take(15)));
    }

    private static string Excerpt(string text, Diagnostic? ours, string protocError)
    {
        var m = System.Text.RegularExpressions.Regex.Match(protocError, @"input:(\d+):");
        var line = m.Success ? int.Parse(m.Groups[1].Value) - 1 : ours is null ? 0 : new Core.Text.LineMap(text).GetPosition(ours.Span.Start).Line;
        var lines = text.Split('\n');
        return string.Join("\n", lines.Skip(Math.Max(0, line - 2)).Take(5));
    }

    private static bool IsParseOrSchema(Diagnostic d) => d.Code.StartsWith("PTX1", StringComparison.Ordinal) || d.Code.StartsWith("PTX2", StringComparison.Ordinal);

    private static List<Mutant> Generate(string shared, int count, int seed)
    {
        var oracle = File.ReadAllLines(Path.Combine(shared, "corpus", "oracle.tsv")).Skip(1).Select(l => l.Split('\t'))
            .Where(r => r[^1] == "ok").Select(r => (Path: r[0], Kind: r[1])).ToList();
        var random = new Random(seed);
        var sources = oracle.Select(o =>
        {
            var text = File.ReadAllText(Path.Combine(shared, "corpus", o.Path));
            var tokens = Lexer.Tokenize(text, new List<Diagnostic>()).Where(t => t.Kind != SyntaxKind.EndOfFile).ToList();
            return (o.Path, o.Kind, Text: text, Tokens: tokens);
        }).Where(s => s.Tokens.Count > 0).ToList();

        string[] operators = ["delete", "duplicate", "replace", "misspell", "kind", "string", "brace", "junk", "dupline", "swap"];
        string[] kinds = ["\"text\"", "1.5", "-1", "7", "0", "2", "true", "MAX", "SGD", "{ }", "[1, 2]", "[]", "0x10", "010", "1e3", "inf", "-nan", "'q'", "4294967296", "-2147483649", "1f", "t", "False", "{ name: \"x\" }", "< >"];
        var mutants = new List<Mutant>(count);
        while (mutants.Count < count)
        {
            var s = sources[random.Next(sources.Count)];
            var tokens = s.Tokens;
            var t = tokens[random.Next(tokens.Count)];
            var text = s.Text;
            var op = operators[random.Next(operators.Length)];
            string mutated;
            switch (op)
            {
                case "delete":
                    mutated = Splice(text, t.Span.Start, t.Span.Length, "");
                    break;
                case "duplicate":
                    mutated = Splice(text, t.Span.End, 0, " " + t.Text);
                    break;
                case "replace":
                    mutated = Splice(text, t.Span.Start, t.Span.Length, tokens[random.Next(tokens.Count)].Text);
                    break;
                case "misspell":
                {
                    var ids = tokens.Where(x => x.Kind == SyntaxKind.Identifier).ToList();
                    if (ids.Count == 0) continue;
                    t = ids[random.Next(ids.Count)];
                    mutated = Splice(text, t.Span.Start, t.Span.Length, Misspell(t.Text, random));
                    break;
                }
                case "kind":
                {
                    var values = tokens.Where(x => x.Kind is SyntaxKind.StringLiteral or SyntaxKind.IntegerLiteral or SyntaxKind.FloatLiteral
                        || (x.Kind == SyntaxKind.Identifier && x.LeadingTrivia.Count == 1 && tokens.IndexOf(x) > 0 && tokens[tokens.IndexOf(x) - 1].Kind == SyntaxKind.Colon)).ToList();
                    if (values.Count == 0) continue;
                    t = values[random.Next(values.Count)];
                    mutated = Splice(text, t.Span.Start, t.Span.Length, kinds[random.Next(kinds.Length)]);
                    break;
                }
                case "string":
                {
                    var strings = tokens.Where(x => x.Kind == SyntaxKind.StringLiteral).ToList();
                    if (strings.Count == 0) continue;
                    t = strings[random.Next(strings.Count)];
                    mutated = random.Next(3) switch
                    {
                        0 => Splice(text, t.Span.End - 1, 1, ""),
                        1 => Splice(text, t.Span.Start + 1, 0, "\\"),
                        _ => Splice(text, t.Span.Start + 1, 0, "\\x"),
                    };
                    break;
                }
                case "brace":
                {
                    var braces = tokens.Where(x => x.Kind is SyntaxKind.OpenBrace or SyntaxKind.CloseBrace).ToList();
                    if (braces.Count == 0) continue;
                    t = braces[random.Next(braces.Count)];
                    mutated = random.Next(3) switch
                    {
                        0 => Splice(text, t.Span.Start, 1, ""),
                        1 => Splice(text, t.Span.Start, 1, t.Kind == SyntaxKind.OpenBrace ? "<" : ">"),
                        _ => Splice(text, t.Span.Start, 0, t.Text),
                    };
                    break;
                }
                case "junk":
                {
                    string[] junk = ["=", ";", ",", ":", "@", "-", ".", "/", "#", "\t", "\"", "]", "[", "\u00e9"];
                    mutated = Splice(text, random.Next(text.Length + 1), 0, junk[random.Next(junk.Length)]);
                    break;
                }
                case "dupline":
                {
                    var lines = text.Split('\n').ToList();
                    var i = random.Next(lines.Count);
                    lines.Insert(i, lines[i]);
                    mutated = string.Join('\n', lines);
                    break;
                }
                default: // swap two adjacent tokens
                {
                    var i = tokens.IndexOf(t);
                    if (i + 1 >= tokens.Count) continue;
                    var u = tokens[i + 1];
                    mutated = text[..t.Span.Start] + u.Text + text[t.Span.End..u.Span.Start] + t.Text + text[u.Span.End..];
                    break;
                }
            }

            if (mutated == text) continue;
            mutants.Add(new Mutant(s.Path, op, s.Kind, mutated));
        }

        return mutants;
    }

    private static string Splice(string text, int start, int length, string insert) => text[..start] + insert + text[(start + length)..];

    private static string Misspell(string word, Random random)
    {
        var i = random.Next(word.Length);
        return random.Next(4) switch
        {
            0 when word.Length > 1 => word.Remove(i, 1),
            1 => word.Insert(i, "x"),
            2 when i + 1 < word.Length => word[..i] + word[i + 1] + word[i] + word[(i + 2)..],
            _ => word.ToUpperInvariant() == word ? word.ToLowerInvariant() : word.ToUpperInvariant(),
        };
    }
}
