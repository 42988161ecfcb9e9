using Google.Protobuf.Reflection;

namespace PrototxtLsp.Core.Schema;

/// <summary>
/// The schema a document is checked against: messages, fields, enums and their doc comments, read from a
/// protobuf descriptor set (the embedded one compiled from our caffe.proto, or later a user's own).
/// </summary>
public sealed class ProtoSchema
{
    private readonly Dictionary<string, MessageInfo> _messages = new(StringComparer.Ordinal);
    private readonly Dictionary<string, EnumInfo> _enums = new(StringComparer.Ordinal);

    private static readonly Lazy<ProtoSchema> EmbeddedCaffe = new(LoadEmbedded);

    private ProtoSchema()
    {
    }

    /// <summary>Our caffe.proto (BVLC Caffe's schema with our own documentation), compiled at build time.</summary>
    public static ProtoSchema Caffe => EmbeddedCaffe.Value;

    /// <summary>
    /// Starts loading the embedded schema on a worker thread, so that it is ready (or nearly) when the first
    /// analysis needs it: reading and parsing the file meanwhile does not need the schema.
    /// </summary>
    public static void PreloadCaffe()
    {
        // A thread of its own rather than the thread pool: a command-line run would otherwise start the pool (its
        // workers and gate thread) for this one job.
        if (!EmbeddedCaffe.IsValueCreated) new Thread(() => _ = EmbeddedCaffe.Value, 256 * 1024) { IsBackground = true, Name = "schema preload" }.Start();
    }

    public IEnumerable<MessageInfo> Messages => _messages.Values;

    public IEnumerable<EnumInfo> Enums => _enums.Values;

    public MessageInfo? FindMessage(string fullName) => _messages.GetValueOrDefault(fullName.TrimStart('.'));

    public EnumInfo? FindEnum(string fullName) => _enums.GetValueOrDefault(fullName.TrimStart('.'));

    /// <summary>
    /// Two descriptor sets are embedded: the structure without source info (small, parsed at start-up) and the same
    /// schema with source info, parsed only when a doc comment is first wanted (hover, completion), so that a
    /// command-line check never pays for documentation it does not print.
    /// </summary>
    private static ProtoSchema LoadEmbedded() =>
        FromDescriptorSet(ReadEmbedded("caffe.protoset")!, new DocComments(() => ReadEmbedded("caffe.docs.protoset")));

    private static FileDescriptorSet? ReadEmbedded(string name)
    {
        using var stream = typeof(ProtoSchema).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The embedded {name} is missing from the build.");
        return FileDescriptorSet.Parser.ParseFrom(stream);
    }

    /// <summary>A schema from a descriptor set; doc comments come from the set's own source info, when it has any.</summary>
    public static ProtoSchema FromDescriptorSet(FileDescriptorSet set) => FromDescriptorSet(set, new DocComments(() => set));

    private static ProtoSchema FromDescriptorSet(FileDescriptorSet set, DocComments comments)
    {
        var schema = new ProtoSchema();
        var pendingFields = new List<FieldInfo>();
        for (var f = 0; f < set.File.Count; f++)
        {
            var file = set.File[f];
            var docs = new FileDocs(comments, f);
            var prefix = string.IsNullOrEmpty(file.Package) ? "" : file.Package + ".";
            for (var e = 0; e < file.EnumType.Count; e++)
                schema.AddEnum(file.EnumType[e], prefix, docs, [5, e]);
            for (var m = 0; m < file.MessageType.Count; m++)
                schema.AddMessage(file.MessageType[m], prefix, docs, [4, m], pendingFields);
        }

        // Extensions, declared at file level or inside messages, attach to their extendee.
        foreach (var file in set.File)
        {
            var prefix = string.IsNullOrEmpty(file.Package) ? "" : file.Package + ".";
            foreach (var ext in file.Extension) schema.AddExtension(ext, prefix, pendingFields);
            foreach (var m in file.MessageType) schema.AddNestedExtensions(m, prefix, pendingFields);
        }

        foreach (var field in pendingFields)
        {
            if (field.TypeName is null) continue;
            field.MessageType = schema.FindMessage(field.TypeName);
            field.EnumType = schema.FindEnum(field.TypeName);
        }

        return schema;
    }

    private void AddNestedExtensions(DescriptorProto message, string prefix, List<FieldInfo> pending)
    {
        var scope = prefix + message.Name + ".";
        foreach (var ext in message.Extension) AddExtension(ext, scope, pending);
        foreach (var nested in message.NestedType) AddNestedExtensions(nested, scope, pending);
    }

    private void AddExtension(FieldDescriptorProto field, string scope, List<FieldInfo> pending)
    {
        if (FindMessage(field.Extendee) is not { } extendee) return;
        var info = NewField(extendee, field, default);
        info.ExtensionName = scope + field.Name;
        extendee.AddExtension(info.ExtensionName, info);
        pending.Add(info);
    }

    private static FieldInfo NewField(MessageInfo owner, FieldDescriptorProto field, DocRef doc) =>
        new(owner,
            field.Name,
            field.Number,
            field.Label switch
            {
                FieldDescriptorProto.Types.Label.Required => FieldLabel.Required,
                FieldDescriptorProto.Types.Label.Repeated => FieldLabel.Repeated,
                _ => FieldLabel.Optional,
            },
            (FieldType)(int)field.Type,
            string.IsNullOrEmpty(field.TypeName) ? null : field.TypeName.TrimStart('.'),
            field.HasDefaultValue ? field.DefaultValue : null,
            field.Options?.Deprecated ?? false,
            field.Options?.Packed ?? false,
            doc);

    private void AddEnum(EnumDescriptorProto proto, string prefix, FileDocs comments, int[] path)
    {
        var info = new EnumInfo(prefix + proto.Name, comments.At(path));
        for (var v = 0; v < proto.Value.Count; v++)
        {
            var value = proto.Value[v];
            info.Values.Add(new EnumValueInfo(info, value.Name, value.Number, comments.At([.. path, 2, v])));
        }

        _enums[info.FullName] = info;
    }

    private void AddMessage(DescriptorProto proto, string prefix, FileDocs comments, int[] path, List<FieldInfo> pending)
    {
        var info = new MessageInfo(prefix + proto.Name, comments.At(path));
        _messages[info.FullName] = info;
        var nested = info.FullName + ".";
        for (var e = 0; e < proto.EnumType.Count; e++) AddEnum(proto.EnumType[e], nested, comments, [.. path, 4, e]);
        for (var n = 0; n < proto.NestedType.Count; n++) AddMessage(proto.NestedType[n], nested, comments, [.. path, 3, n], pending);
        for (var f = 0; f < proto.Field.Count; f++)
        {
            var field = proto.Field[f];
            var fieldInfo = NewField(info, field, comments.At([.. path, 2, f]));
            if (field.HasOneofIndex && !field.Proto3Optional && field.OneofIndex < proto.OneofDecl.Count) fieldInfo.Oneof = proto.OneofDecl[field.OneofIndex].Name;
            info.Add(fieldInfo);
            pending.Add(fieldInfo);
        }
    }

    /// <summary>The doc comments of one file of the set.</summary>
    private readonly record struct FileDocs(DocComments Comments, int File)
    {
        public DocRef At(int[] path) => new(Comments, File, path);
    }
}
