using PrototxtLsp.Core.Text;

namespace PrototxtLsp.Core.Diagnostics;

public enum DiagnosticSeverity
{
    Error = 1,
    Warning = 2,
    Information = 3,
    Hint = 4,
}

/// <summary>A location elsewhere in the same document that explains a diagnostic ("first defined here").</summary>
public sealed record RelatedLocation(TextSpan Span, string Message);

/// <summary>A replacement that fixes a diagnostic ("Change to 'bottom'"), offered as a quick fix.</summary>
public sealed record DiagnosticFix(string Title, TextSpan Span, string NewText);

/// <summary>One problem found in a document: a stable code from <see cref="DiagnosticCatalog"/>, a span and a message.</summary>
public sealed record Diagnostic(
    DiagnosticDescriptor Descriptor,
    TextSpan Span,
    string Message,
    IReadOnlyList<RelatedLocation>? Related = null)
{
    public string Code => Descriptor.Code;

    public DiagnosticSeverity Severity => Descriptor.Severity;

    /// <summary>Edits that fix the problem (did-you-mean replacements), if any.</summary>
    public IReadOnlyList<DiagnosticFix>? Fixes { get; init; }

    public override string ToString() => $"{Span} {Code} {Severity}: {Message}";
}

/// <summary>The fixed facts of one diagnostic code: its severity, a short title and the README anchor that documents it.</summary>
public sealed record DiagnosticDescriptor(string Code, DiagnosticSeverity Severity, string Title)
{
    public string DocsAnchor => Code.ToLowerInvariant();
}
