namespace PrototxtLsp.Core.Schema;

public enum FieldLabel
{
    Optional,
    Required,
    Repeated,
}

/// <summary>protobuf scalar and composite field types (numbers as in descriptor.proto).</summary>
public enum FieldType
{
    Double = 1,
    Float = 2,
    Int64 = 3,
    UInt64 = 4,
    Int32 = 5,
    Fixed64 = 6,
    Fixed32 = 7,
    Bool = 8,
    String = 9,
    Group = 10,
    Message = 11,
    Bytes = 12,
    UInt32 = 13,
    Enum = 14,
    SFixed32 = 15,
    SFixed64 = 16,
    SInt32 = 17,
    SInt64 = 18,
}

public sealed class MessageInfo
{
    private readonly Dictionary<string, FieldInfo> _byName = new(StringComparer.Ordinal);

    private readonly DocRef _doc;

    internal MessageInfo(string fullName, DocRef doc)
    {
        FullName = fullName;
        _doc = doc;
    }

    public string FullName { get; }

    public string Name => FullName[(FullName.LastIndexOf('.') + 1)..];

    /// <summary>The doc comment from the .proto (read on first use), or null.</summary>
    public string? Doc => _doc.Text;

    public List<FieldInfo> Fields { get; } = new();

    /// <summary>The <c>required</c> fields (proto2), in declaration order; empty for almost every message.</summary>
    public IReadOnlyList<FieldInfo> RequiredFields => _required;

    private readonly List<FieldInfo> _required = new();

    private readonly Dictionary<string, FieldInfo> _extensions = new(StringComparer.Ordinal);

    /// <summary>
    /// A field by the name text format uses: its own name; a proto2 group also by its type's name
    /// (<c>Legacy { … }</c> or <c>legacy { … }</c> for <c>optional group Legacy = 6</c>, as protoc accepts both).
    /// </summary>
    public FieldInfo? FindField(string name) => _byName.GetValueOrDefault(name);

    /// <summary>Extensions of this message, by full name (<c>[pkg.ext]</c>).</summary>
    public FieldInfo? FindExtension(string fullName) => _extensions.GetValueOrDefault(fullName.TrimStart('.'));

    public IEnumerable<FieldInfo> Extensions => _extensions.Values;

    internal void Add(FieldInfo field)
    {
        Fields.Add(field);
        if (field.Label == FieldLabel.Required) _required.Add(field);
        _byName[field.Name] = field;
        if (field.Type == FieldType.Group && field.TypeName is { } t) _byName.TryAdd(t[(t.LastIndexOf('.') + 1)..], field);
    }

    internal void AddExtension(string fullName, FieldInfo field) => _extensions[fullName] = field;

    public override string ToString() => FullName;
}

public sealed class FieldInfo
{
    private readonly DocRef _doc;

    internal FieldInfo(MessageInfo containingType, string name, int number, FieldLabel label, FieldType type, string? typeName,
        string? defaultValue, bool deprecated, bool packed, DocRef doc)
    {
        ContainingType = containingType;
        Name = name;
        Number = number;
        Label = label;
        Type = type;
        TypeName = typeName;
        DefaultValue = defaultValue;
        Deprecated = deprecated;
        Packed = packed;
        _doc = doc;
    }

    public MessageInfo ContainingType { get; }

    public string Name { get; }

    public int Number { get; }

    public FieldLabel Label { get; }

    public FieldType Type { get; }

    /// <summary>Full name (without leading dot) of the message or enum type, for those kinds.</summary>
    public string? TypeName { get; }

    /// <summary>The declared default as protoc records it ("1.5", "TEST", "constant"), or null.</summary>
    public string? DefaultValue { get; }

    public bool Deprecated { get; }

    /// <summary>
    /// Deprecated by the schema's option or by its documentation (Caffe marks most of its legacy fields only in
    /// comments; our doc comment then starts a sentence with "Deprecated").
    /// </summary>
    public bool IsDeprecated => Deprecated || (Doc is not null && Doc.Contains("Deprecated", StringComparison.Ordinal));

    public bool Packed { get; }

    /// <summary>The doc comment from the .proto (read on first use), or null.</summary>
    public string? Doc => _doc.Text;

    public MessageInfo? MessageType { get; internal set; }

    public EnumInfo? EnumType { get; internal set; }

    public bool IsRepeated => Label == FieldLabel.Repeated;

    /// <summary>The oneof the field belongs to (not proto3's synthetic ones), or null.</summary>
    public string? Oneof { get; internal set; }

    /// <summary>For an extension, its full name (<c>pkg.ext</c>); null for ordinary fields.</summary>
    public string? ExtensionName { get; internal set; }

    public bool IsMessage => Type is FieldType.Message or FieldType.Group;

    /// <summary>The type as a .proto file writes it: "uint32", "caffe.FillerParameter".</summary>
    public string TypeDisplay => TypeName ?? Type.ToString().ToLowerInvariant();

    public override string ToString() => $"{ContainingType.FullName}.{Name}";
}

public sealed class EnumInfo
{
    private readonly DocRef _doc;

    internal EnumInfo(string fullName, DocRef doc)
    {
        FullName = fullName;
        _doc = doc;
    }

    public string FullName { get; }

    public string Name => FullName[(FullName.LastIndexOf('.') + 1)..];

    /// <summary>The doc comment from the .proto (read on first use), or null.</summary>
    public string? Doc => _doc.Text;

    public List<EnumValueInfo> Values { get; } = new();

    public EnumValueInfo? FindValue(string name) => Values.FirstOrDefault(v => v.Name == name);

    public EnumValueInfo? FindValue(long number) => Values.FirstOrDefault(v => v.Number == number);

    public override string ToString() => FullName;
}

public sealed class EnumValueInfo
{
    private readonly DocRef _doc;

    internal EnumValueInfo(EnumInfo @enum, string name, int number, DocRef doc)
    {
        Enum = @enum;
        Name = name;
        Number = number;
        _doc = doc;
    }

    public EnumInfo Enum { get; }

    public string Name { get; }

    public int Number { get; }

    /// <summary>The doc comment from the .proto (read on first use), or null.</summary>
    public string? Doc => _doc.Text;

    public override string ToString() => Name;
}

/// <summary>
/// Where an element's doc comment lives: a file of the schema and a descriptor path. The comments themselves are read
/// only when some element's <c>Doc</c> is first asked for (hover, completion), not when the schema loads.
/// </summary>
internal readonly struct DocRef(DocComments? comments, int file, int[]? path)
{
    public string? Text => comments is null || path is null ? null : comments.Get(file, path);
}

/// <summary>Doc comments of a schema by (file, descriptor path), built from a descriptor set with source info on first use.</summary>
internal sealed class DocComments(Func<Google.Protobuf.Reflection.FileDescriptorSet?> load)
{
    private readonly Lazy<Dictionary<string, string>> _byKey = new(() => Build(load()));

    public string? Get(int file, int[] path) => _byKey.Value.GetValueOrDefault(Key(file, path));

    private static string Key(int file, IEnumerable<int> path) => file.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":" + string.Join(',', path);

    private static Dictionary<string, string> Build(Google.Protobuf.Reflection.FileDescriptorSet? set)
    {
        var byKey = new Dictionary<string, string>(StringComparer.Ordinal);
        if (set is null) return byKey;
        for (var f = 0; f < set.File.Count; f++)
        {
            if (set.File[f].SourceCodeInfo is not { } info) continue;
            foreach (var location in info.Location)
            {
                var text = Normalize(location.LeadingComments);
                var trailing = Normalize(location.TrailingComments);
                if (trailing.Length > 0) text = text.Length > 0 ? text + "\n\n" + trailing : trailing;
                if (text.Length > 0) byKey[Key(f, location.Path)] = text;
            }
        }

        return byKey;
    }

    private static string Normalize(string? comment)
    {
        if (string.IsNullOrWhiteSpace(comment)) return "";
        var lines = comment.Replace("\r\n", "\n").Split('\n').Select(l => l.StartsWith(' ') ? l[1..] : l).Select(l => l.TrimEnd());
        return string.Join('\n', lines).Trim();
    }
}
