using PrototxtLsp.Core.Schema;
using PrototxtLsp.Tests.Infrastructure;

namespace PrototxtLsp.Tests;

public class SchemaTests
{
    private static readonly ProtoSchema Schema = ProtoSchema.Caffe;

    private static IEnumerable<Dictionary<string, string>> ReadTsv(string path)
    {
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split('\t');
        return lines.Skip(1).Where(l => l.Length > 0).Select(l =>
        {
            var cells = l.Split('\t');
            return header.Select((h, i) => (h, v: i < cells.Length ? cells[i] : "")).ToDictionary(x => x.h, x => x.v);
        });
    }

    [SkippableFact]
    public void Fields_match_the_facts_row_by_row()
    {
        var shared = TestPaths.RequireShared();
        var rows = ReadTsv(Path.Combine(shared, "facts", "caffe_fields.tsv")).ToList();
        Assert.Equal(423, rows.Count);
        var seen = new HashSet<string>();
        foreach (var row in rows)
        {
            var where = $"{row["message"]}.{row["field"]}";
            var message = Schema.FindMessage(row["message"]);
            Assert.True(message is not null, $"message {row["message"]} missing");
            var field = message!.FindField(row["field"]);
            Assert.True(field is not null, $"field {where} missing");
            Assert.Equal(int.Parse(row["number"]), field!.Number);
            Assert.Equal(row["label"], field.Label.ToString().ToLowerInvariant());
            if (row["type_kind"] == "scalar") Assert.Equal(row["type"], field.Type.ToString().ToLowerInvariant());
            else Assert.Equal(row["type"], field.TypeName);
            Assert.Equal(row["type_kind"], field.Type switch { FieldType.Message => "message", FieldType.Enum => "enum", _ => "scalar" });
            Assert.True(row["default"] == (field.DefaultValue ?? ""), $"{where}: default '{row["default"]}' vs '{field.DefaultValue}'");
            Assert.Equal(row["deprecated_option"] == "true", field.Deprecated);
            Assert.Equal(row["packed"] == "true", field.Packed);
            seen.Add(where);
        }

        var extra = Schema.Messages.SelectMany(m => m.Fields.Select(f => $"{m.FullName}.{f.Name}")).Where(n => !seen.Contains(n)).ToList();
        Assert.Empty(extra);
        Assert.Equal(63, Schema.Messages.Count());
    }

    [SkippableFact]
    public void Enums_match_the_facts_row_by_row()
    {
        var shared = TestPaths.RequireShared();
        var rows = ReadTsv(Path.Combine(shared, "facts", "caffe_enums.tsv")).ToList();
        Assert.Equal(111, rows.Count);
        foreach (var row in rows)
        {
            var e = Schema.FindEnum(row["enum"]);
            Assert.True(e is not null, $"enum {row["enum"]} missing");
            var value = e!.FindValue(row["value"]);
            Assert.True(value is not null, $"{row["enum"]}.{row["value"]} missing");
            Assert.Equal(int.Parse(row["number"]), value!.Number);
        }

        Assert.Equal(26, Schema.Enums.Count());
        Assert.Equal(111, Schema.Enums.Sum(e => e.Values.Count));
    }

    [Fact]
    public void Every_message_field_and_enum_value_has_a_doc_comment()
    {
        var undocumented = new List<string>();
        foreach (var m in Schema.Messages)
        {
            if (!Documented(m.Doc)) undocumented.Add(m.FullName);
            undocumented.AddRange(m.Fields.Where(f => !Documented(f.Doc)).Select(f => f.ToString()));
        }

        foreach (var e in Schema.Enums)
        {
            if (!Documented(e.Doc)) undocumented.Add(e.FullName);
            undocumented.AddRange(e.Values.Where(v => !Documented(v.Doc)).Select(v => $"{e.FullName}.{v.Name}"));
        }

        Assert.True(undocumented.Count == 0, "undocumented: " + string.Join(", ", undocumented.Take(20)) + $" ({undocumented.Count} in all)");
    }

    private static bool Documented(string? doc) => !string.IsNullOrWhiteSpace(doc) && !doc.Contains("TODO") && doc.Length >= 10;

    [Fact]
    public void Field_types_resolve()
    {
        var layer = Schema.FindMessage("caffe.LayerParameter")!;
        Assert.Equal("caffe.ConvolutionParameter", layer.FindField("convolution_param")!.MessageType!.FullName);
        Assert.Equal("caffe.Phase", layer.FindField("phase")!.EnumType!.FullName);
        Assert.All(Schema.Messages.SelectMany(m => m.Fields).Where(f => f.Type is FieldType.Message or FieldType.Enum),
            f => Assert.True(f.MessageType is not null || f.EnumType is not null, $"{f} type unresolved"));
    }
}
