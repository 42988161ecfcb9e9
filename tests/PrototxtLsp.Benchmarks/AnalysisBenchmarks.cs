using BenchmarkDotNet.Attributes;
using PrototxtLsp.Core.Diagnostics;
using PrototxtLsp.Core.Schema;
using PrototxtLsp.Core.Semantics;
using PrototxtLsp.Core.Syntax;
using PrototxtLsp.Core.Text;

namespace PrototxtLsp.Benchmarks;

/// <summary>
/// Each stage of the analysis on its own (its inputs prepared in setup) and the whole analysis, per input, with
/// allocations. Stage benchmarks measure only that stage: bind gets a parsed tree, graph a bound model, shapes a graph.
/// </summary>
[MemoryDiagnoser]
public class AnalysisBenchmarks
{
    private SourceText _text = null!;
    private SyntaxTree _tree = null!;
    private SemanticModel _model = null!;
    private IReadOnlyList<NetGraph> _nets = [];
    private MessageInfo _root = null!;

    [ParamsSource(nameof(Names))]
    public string Input { get; set; } = Inputs.Chain1k;

    /// <summary>ResNet-152 only when ../shared/corpus is beside the repository.</summary>
    public static IEnumerable<string> Names => Inputs.All.Where(n => n != Inputs.ResNet152 || Inputs.ResNet152Path is not null);

    [GlobalSetup]
    public void Setup()
    {
        _text = new SourceText(Inputs.Load(Input)!);
        _tree = SyntaxTree.Parse(_text);
        _root = ProtoSchema.Caffe.FindMessage("caffe.NetParameter")!;
        _model = SchemaBinder.Bind(_tree, ProtoSchema.Caffe, _root);
        _nets = NetAnalyzer.Analyze(_tree, _model, new List<Diagnostic>(), null, null);
    }

    [Benchmark]
    public int Lex() => Lexer.Lex(_text.Text, new List<Diagnostic>()).Count;

    [Benchmark]
    public SyntaxTree Parse() => SyntaxTree.Parse(_text);

    [Benchmark]
    public SemanticModel Bind() => SchemaBinder.Bind(_tree, ProtoSchema.Caffe, _root);

    [Benchmark]
    public IReadOnlyList<NetGraph> Graph() => NetAnalyzer.Analyze(_tree, _model, new List<Diagnostic>(), null, null);

    [Benchmark]
    public int Shapes()
    {
        var n = 0;
        foreach (var net in _nets) n += ShapeInference.Infer(net, new List<Diagnostic>()).Count;
        return n;
    }

    [Benchmark]
    public DocumentAnalysis Full() => DocumentAnalysis.Analyze(_text);
}
