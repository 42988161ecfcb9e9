using PrototxtLsp.Core.Diagnostics;
using PrototxtLsp.Core.Schema;
using PrototxtLsp.Core.Syntax;

namespace PrototxtLsp.Core.Semantics;

/// <summary>The result of binding a tree to a schema: what each field and block means, and the schema diagnostics.</summary>
public sealed class SemanticModel
{
    private readonly FieldInfo?[] _fields;
    private readonly MessageInfo?[] _blocks;

    internal SemanticModel(SyntaxTree tree, ProtoSchema schema, MessageInfo root, FieldInfo?[] fields, MessageInfo?[] blocks,
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

    /// <summary>The schema field a field of this model's tree binds to; null when unknown or not of this tree.</summary>
    public FieldInfo? GetField(FieldSyntax field) => Tree.Contains(field) ? _fields[field.Ordinal] : null;

    /// <summary>The message a block of this model's tree is; null when unknown or not of this tree.</summary>
    public MessageInfo? GetMessage(MessageValueSyntax block) => Tree.Contains(block) ? _blocks[block.Ordinal] : null;
}
