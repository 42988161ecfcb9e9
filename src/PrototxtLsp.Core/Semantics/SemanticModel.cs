using PrototxtLsp.Core.Diagnostics;
using PrototxtLsp.Core.Schema;
using PrototxtLsp.Core.Syntax;

namespace PrototxtLsp.Core.Semantics;

/// <summary>The result of binding a tree to a schema: what each field and block means, and the schema diagnostics.</summary>
public sealed class SemanticModel
{
    private readonly IReadOnlyDictionary<FieldSyntax, FieldInfo> _fields;
    private readonly IReadOnlyDictionary<MessageValueSyntax, MessageInfo> _blocks;

    internal SemanticModel(SyntaxTree tree, ProtoSchema schema, MessageInfo root,
        IReadOnlyDictionary<FieldSyntax, FieldInfo> fields, IReadOnlyDictionary<MessageValueSyntax, MessageInfo> blocks,
        IReadOnlyList<Diagnostic> diagnostics)
    {
        Tree = tree;
        Schema = schema;
        RootMessage = root;
        _fields = fields;
        _blocks = blocks;
        Diagnostics = diagnostics;
    }

    public SyntaxTree Tree { get; }

    public ProtoSchema Schema { get; }

    public MessageInfo RootMessage { get; }

    public IReadOnlyList<Diagnostic> Diagnostics { get; }

    public FieldInfo? GetField(FieldSyntax field) => _fields.GetValueOrDefault(field);

    public MessageInfo? GetMessage(MessageValueSyntax block) => _blocks.GetValueOrDefault(block);
}
