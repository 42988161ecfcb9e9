using System.Diagnostics;
using System.Reflection;
using System.Runtime.Loader;

namespace PrototxtLsp.Benchmarks;

/// <summary>
/// Two builds of PrototxtLsp.Core in one process, run in alternation on the same input: on a machine whose speed
/// drifts (a shared virtual machine), runs in separate processes minutes apart differ by more than most changes do,
/// while two runs a few milliseconds apart see the same machine. Prints each build's median and minimum, and the
/// median of the paired ratios (new run ÷ the old run beside it). Arguments: OLD_CORE_DLL NEW_CORE_DLL [INPUT]
/// [SECONDS] [lex|parse|full|full+q].
/// </summary>
public static class AbCompare
{
    public static int Run(string[] args)
    {
        if (args.Length < 2)
        {
            Console.Error.WriteLine("usage: ab OLD/PrototxtLsp.Core.dll NEW/PrototxtLsp.Core.dll [INPUT] [SECONDS] [lex|parse|full|full+q]");
            return 2;
        }

        var input = args.Length > 2 ? args[2] : Inputs.Generated;
        var seconds = args.Length > 3 ? double.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 10;
        var stage = args.Length > 4 ? args[4] : "full+q";
        var text = Inputs.Load(input) ?? throw new InvalidOperationException($"{input} needs ../shared");
        var old = Load(args[0], stage, text);
        var @new = Load(args[1], stage, text);
        for (var i = 0; i < 3; i++) { old(); @new(); }

        var oldTimes = new List<double>();
        var newTimes = new List<double>();
        var ratios = new List<double>();
        var clock = Stopwatch.StartNew();
        for (var round = 0; clock.Elapsed.TotalSeconds < seconds || round < 6; round++)
        {
            // Alternate which goes first, so neither always runs right after the other's garbage.
            double a, b;
            if (round % 2 == 0) { a = Time(old); b = Time(@new); }
            else { b = Time(@new); a = Time(old); }
            oldTimes.Add(a);
            newTimes.Add(b);
            ratios.Add(b / a);
        }

        oldTimes.Sort();
        newTimes.Sort();
        ratios.Sort();
        Console.WriteLine($"{stage} on {input}, {ratios.Count} pairs: old median {oldTimes[oldTimes.Count / 2]:0.000} min {oldTimes[0]:0.000} ms; new median {newTimes[newTimes.Count / 2]:0.000} min {newTimes[0]:0.000} ms; new/old paired median {ratios[ratios.Count / 2]:0.000} (middle half {ratios[ratios.Count / 4]:0.000}–{ratios[ratios.Count * 3 / 4]:0.000})");
        return 0;
    }

    private static double Time(Action body)
    {
        var start = Stopwatch.GetTimestamp();
        body();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    /// <summary>The stage of one build as a delegate (the build loaded in a context of its own; its dependencies shared).</summary>
    private static Action Load(string coreDll, string stage, string text)
    {
        var path = Path.GetFullPath(coreDll);
        var context = new BuildContext(path);
        var core = context.LoadFromAssemblyPath(path);
        var sourceTextType = core.GetType("PrototxtLsp.Core.Text.SourceText", throwOnError: true)!;
        var sourceText = Activator.CreateInstance(sourceTextType, text)!;
        MethodInfo Method(string type, string method, Type[] parameterTypes) =>
            core.GetType(type, throwOnError: true)!.GetMethod(method, BindingFlags.Public | BindingFlags.Static, parameterTypes)!;

        var listType = typeof(List<>).MakeGenericType(core.GetType("PrototxtLsp.Core.Diagnostics.Diagnostic", throwOnError: true)!);
        switch (stage)
        {
            case "lex":
            {
                var lex = Method("PrototxtLsp.Core.Syntax.Lexer", "Lex", [typeof(string), listType]);
                return () => lex.Invoke(null, [text, Activator.CreateInstance(listType)]);
            }
            case "parse":
            {
                var parse = Method("PrototxtLsp.Core.Syntax.SyntaxTree", "Parse", [sourceTextType]);
                return () => parse.Invoke(null, [sourceText]);
            }
            case "full" or "full+q":
            {
                var analyze = core.GetType("PrototxtLsp.Core.Semantics.DocumentAnalysis", throwOnError: true)!.GetMethods(BindingFlags.Public | BindingFlags.Static)
                    .First(m => m.Name == "Analyze" && m.GetParameters()[0].ParameterType == sourceTextType && m.GetParameters().Length == 5);
                Func<object> body = () => analyze.Invoke(null, [sourceText, null, null, null, null])!;
                if (stage == "full") return () => body();
                var run = core.GetType("PrototxtLsp.Core.Semantics.QuietGc", throwOnError: true)!.GetMethods(BindingFlags.Public | BindingFlags.Static)
                    .First(m => m.Name == "Run" && m.GetParameters().Length == 2).MakeGenericMethod(typeof(object));
                return () => run.Invoke(null, [text.Length, body]);
            }
            default:
                throw new ArgumentException($"unknown stage '{stage}': use lex, parse, full or full+q");
        }
    }

    private sealed class BuildContext(string corePath) : AssemblyLoadContext(Path.GetFileName(Path.GetDirectoryName(corePath)), isCollectible: false)
    {
        protected override Assembly? Load(AssemblyName name) =>
            name.Name == "PrototxtLsp.Core" ? LoadFromAssemblyPath(corePath) : null; // everything else from the default context
    }
}
