using PrototxtLsp.Core.Schema;
using PrototxtLsp.Core.Semantics;
using PrototxtLsp.Core.Syntax;
using PrototxtLsp.Core.Text;
using PrototxtLsp.Tests.Infrastructure;

namespace PrototxtLsp.Tests;

/// <summary>
/// The binder accepts a one-literal value kept in its field (<c>name: value</c>) with a fast check and sends anything
/// else through the full check, which has the messages. The fast check must never accept what the full check reports.
/// </summary>
public class SchemaBinderTests
{
    // Spellings of every kind of scalar, valid and not, for every field type.
    private static readonly string[] Literals =
    [
        "0", "1", "2", "7", "010", "0x10", "0X1f", "1.5", "1e3", ".5", "1f", "2147483647", "2147483648", "4294967295", "4294967296",
        "9223372036854775807", "9223372036854775808", "18446744073709551615", "18446744073709551616", "99999999999999999999999",
        "true", "True", "t", "false", "False", "f", "yes", "inf", "-inf", "nan", "infinity", "MAX", "AVE", "STOCHASTIC", "CAFFE",
        "TRAIN", "TEST", "xavier", "abc", "\"s\"", "'s'", "\"\"", "\"a\" \"b\"", "-1", "-0x10", "- 3", "0xZZ", "1.2.3", "é",
    ];

    [Fact]
    public void The_fast_check_accepts_only_values_the_full_check_accepts()
    {
        var schema = ProtoSchema.Caffe;
        var accepted = 0;
        var sentOn = 0;
        foreach (var message in schema.Messages)
        {
            var text = new System.Text.StringBuilder();
            foreach (var field in message.Fields)
            {
                if (field.IsMessage) continue;
                foreach (var literal in Literals) text.Append(field.Name).Append(": ").Append(literal).Append('\n');
            }

            if (text.Length == 0) continue;
            Check(SyntaxTree.Parse(text.ToString()), message, ref accepted, ref sentOn);
        }

        foreach (var file in Directory.EnumerateFiles(TestPaths.BaselineDir("Diagnostics"), "*.prototxt"))
        {
            var tree = SyntaxTree.Parse(SourceText.FromBytes(File.ReadAllBytes(file)));
            Check(tree, schema.FindMessage("caffe.NetParameter")!, ref accepted, ref sentOn);
        }

        // Both sides are exercised: most values pass the fast check, and every kind of problem is sent on.
        Assert.True(accepted > 1000, $"{accepted} values accepted by the fast check");
        Assert.True(sentOn > 1000, $"{sentOn} values sent to the full check");
    }

    private static void Check(SyntaxTree tree, MessageInfo root, ref int accepted, ref int sentOn)
    {
        var model = SchemaBinder.Bind(tree, ProtoSchema.Caffe, root);
        foreach (var field in tree.Fields)
        {
            if (!field.HasInlineValue || model.GetField(field) is not { } info) continue;
            if (SchemaBinder.InlineValueIsValid(field, info))
            {
                accepted++;
                var reports = SchemaBinder.FullValueCheck(tree, field, info);
                Assert.True(reports.Count == 0, $"'{field.NameText}: {field.Value.ToFullString().Trim()}' ({info.TypeDisplay}) passed the fast check, but the full check says: {string.Join("; ", reports.Select(d => d.Message))}");
            }
            else
            {
                sentOn++;
            }
        }
    }
}
