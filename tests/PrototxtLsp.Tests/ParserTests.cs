using PrototxtLsp.Core.Semantics;
using PrototxtLsp.Core.Syntax;
using PrototxtLsp.Core.Text;
using PrototxtLsp.Tests.Infrastructure;

namespace PrototxtLsp.Tests;

public class ParserTests
{
    private static DocumentSyntax ParseOk(string text)
    {
        var tree = SyntaxTree.Parse(text);
        Assert.Empty(tree.Diagnostics);
        Assert.Equal(text, tree.ToFullString());
        return tree.Root;
    }

    [Fact]
    public void Field_forms_build_the_expected_nodes()
    {
        var root = ParseOk("a: 1 b { c: \"x\" 'y' } d: { } e < > f: [1, -2] g [{}, <>]; h: -inf,");
        var fields = root.Fields.ToList();
        Assert.Equal(["a", "b", "d", "e", "f", "g", "h"], fields.Select(f => f.NameText));
        Assert.IsType<ScalarValueSyntax>(fields[0].Value);
        var b = Assert.IsType<MessageValueSyntax>(fields[1].Value);
        Assert.Null(fields[1].Colon);
        var c = Assert.IsType<StringValueSyntax>(b.Fields.Single().Value);
        Assert.Equal("xy", c.Value);
        Assert.NotNull(fields[2].Colon);
        Assert.Equal(SyntaxKind.LessThan, Assert.IsType<MessageValueSyntax>(fields[3].Value).Open.Kind);
        var list = Assert.IsType<ListValueSyntax>(fields[4].Value);
        Assert.Equal(["1", "-2"], list.Elements.Cast<ScalarValueSyntax>().Select(s => s.Text));
        Assert.Equal(2, Assert.IsType<ListValueSyntax>(fields[5].Value).Elements.Count());
        Assert.Equal(SyntaxKind.Semicolon, fields[5].Separator!.Kind);
        Assert.Equal("-inf", Assert.IsType<ScalarValueSyntax>(fields[6].Value).Text);
        Assert.Equal(SyntaxKind.Comma, fields[6].Separator!.Kind);
    }

    [Fact]
    public void Extension_and_any_names_parse()
    {
        var root = ParseOk("[caffe.ext]: 1 [type.googleapis.com/caffe.Foo] { }");
        var names = root.Fields.Select(f => Assert.IsType<ExtensionNameSyntax>(f.Name).Name).ToList();
        Assert.Equal(["caffe.ext", "type.googleapis.com/caffe.Foo"], names);
    }

    [Fact]
    public void Trivia_attaches_comments_to_tokens()
    {
        const string text = "# header\nname: \"x\" # trailing\n\n# leading of layer\nlayer { }\n";
        var root = ParseOk(text);
        var name = root.Fields.First().Name.FirstToken()!;
        Assert.Contains(name.LeadingTrivia, t => t.Kind == SyntaxKind.Comment && t.Text == "# header");
        var value = root.Fields.First().Value.LastToken()!;
        Assert.Contains(value.TrailingTrivia, t => t.Kind == SyntaxKind.Comment && t.Text == "# trailing");
        var layer = root.Fields.Last().Name.FirstToken()!;
        Assert.Contains(layer.LeadingTrivia, t => t.Text == "# leading of layer");
    }

    [Fact]
    public void Missing_tokens_are_explicit()
    {
        var tree = SyntaxTree.Parse("a 1\nb:\nc { d: 1");
        var fields = tree.Root.Fields.ToList();
        Assert.True(fields[0].Colon!.IsMissing);
        Assert.IsType<MissingValueSyntax>(fields[1].Value);
        Assert.True(Assert.IsType<MessageValueSyntax>(fields[2].Value).Close.IsMissing);
        Assert.Equal(["PTX1006", "PTX1007", "PTX1008"], tree.Diagnostics.Select(d => d.Code));
    }

    [Fact]
    public void One_typo_gives_one_error()
    {
        // A missing value before the next field must not swallow that field.
        var tree = SyntaxTree.Parse("layer {\n  type:\n  name: \"x\"\n}\n");
        Assert.Single(tree.Diagnostics);
        var block = Assert.IsType<MessageValueSyntax>(tree.Root.Fields.Single().Value);
        Assert.Equal(["type", "name"], block.Fields.Select(f => f.NameText));
    }

    [Fact]
    public void Deep_nesting_is_a_diagnostic_not_a_stack_overflow()
    {
        var text = string.Concat(Enumerable.Repeat("a { ", 10_000)) + string.Concat(Enumerable.Repeat("} ", 10_000));
        var tree = SyntaxTree.Parse(text);
        Assert.Equal(text, tree.ToFullString());
        Assert.Contains(tree.Diagnostics, d => d.Code == "PTX1011");
        Assert.DoesNotContain(tree.Diagnostics, d => d.Code == "PTX1010");
    }

    [Fact]
    public void Hundred_levels_are_allowed()
    {
        var text = string.Concat(Enumerable.Repeat("a { ", 100)) + string.Concat(Enumerable.Repeat("} ", 100));
        Assert.Empty(SyntaxTree.Parse(text).Diagnostics);
        var deeper = string.Concat(Enumerable.Repeat("a { ", 101)) + string.Concat(Enumerable.Repeat("} ", 101));
        Assert.Single(SyntaxTree.Parse(deeper).Diagnostics, d => d.Code == "PTX1011");
    }

    [Fact]
    public void Random_bytes_always_give_a_lossless_tree()
    {
        var random = new Random(20261129);
        const string alphabet = "abc_xyz019 \t\r\n{}<>[]:;,-./#\"'\\e+xXfF\0\u0001\u00e9\uFEFF";
        for (var i = 0; i < 3000; i++)
        {
            var length = random.Next(0, 120);
            var chars = new char[length];
            for (var k = 0; k < length; k++)
                chars[k] = random.Next(4) == 0 ? (char)random.Next(0, 0x3000) : alphabet[random.Next(alphabet.Length)];
            var text = new string(chars);
            TreeInvariants.Check(text, DocumentAnalysis.Analyze(text));
        }
    }

    [Fact]
    public void Random_utf8_bytes_decode_and_parse()
    {
        var random = new Random(7);
        for (var i = 0; i < 500; i++)
        {
            var bytes = new byte[random.Next(0, 200)];
            random.NextBytes(bytes);
            var text = SourceText.FromBytes(bytes);
            TreeInvariants.Check(text.Text, DocumentAnalysis.Analyze(text));
        }
    }

    [SkippableFact]
    public void Corpus_files_reprint_exactly_and_keep_invariants()
    {
        var shared = TestPaths.RequireShared();
        var count = 0;
        foreach (var file in TestPaths.CorpusFiles(shared))
        {
            var text = SourceText.FromBytes(File.ReadAllBytes(file));
            TreeInvariants.Check(text.Text, DocumentAnalysis.Analyze(text, file));
            count++;
        }

        Assert.True(count >= 150, $"expected the whole corpus, read {count} files");
    }

    [SkippableFact]
    public void Truncated_and_spliced_corpus_files_never_throw()
    {
        var shared = TestPaths.RequireShared();
        var random = new Random(42);
        var files = TestPaths.CorpusFiles(shared).ToList();
        for (var i = 0; i < 400; i++)
        {
            var text = File.ReadAllText(files[random.Next(files.Count)]);
            var cut = random.Next(text.Length + 1);
            var other = File.ReadAllText(files[random.Next(files.Count)]);
            var from = random.Next(other.Length + 1);
            var mutated = text[..cut] + other[from..Math.Min(other.Length, from + random.Next(200))] + text[Math.Min(text.Length, cut + random.Next(50))..];
            TreeInvariants.Check(mutated, DocumentAnalysis.Analyze(mutated));
        }
    }
}
