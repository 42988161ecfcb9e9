using System.Reflection;

namespace PrototxtLsp.Tests.Infrastructure;

public static class TestPaths
{
    private static string Metadata(string key) =>
        typeof(TestPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().First(a => a.Key == key).Value!;

    public static string RepoRoot => Metadata("RepoRoot");

    public static string Protoc => Metadata("ProtocPath");

    public static string CaffeProto => Path.Combine(RepoRoot, "src", "PrototxtLsp.Core", "Schema", "caffe.proto");

    public static string BaselineDir(string kind) => Path.Combine(RepoRoot, "tests", "PrototxtLsp.Tests", "Baselines", kind);

    /// <summary>The read-only shared material (corpus, facts) beside the repository, or null on a bare clone.</summary>
    public static string? Shared
    {
        get
        {
            var dir = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));
            return Directory.Exists(Path.Combine(dir, "corpus")) ? dir : null;
        }
    }

    public const string SharedMissing = "../shared is absent (a bare clone): corpus and facts tests need it beside the repository.";

    public static string RequireShared()
    {
        Skip.If(Shared is null, SharedMissing);
        return Shared!;
    }

    public static bool UpdateBaselines => Environment.GetEnvironmentVariable("UPDATE_BASELINES") == "1";

    public static IEnumerable<string> CorpusFiles(string shared) =>
        Directory.EnumerateFiles(Path.Combine(shared, "corpus"), "*.prototxt", SearchOption.AllDirectories).Order(StringComparer.Ordinal);
}
