namespace PrototxtLsp.Benchmarks;

/// <summary>The nets the benchmarks run on, by name.</summary>
public static class Inputs
{
    public const string ResNet152 = "ResNet-152-deploy";
    public const string Generated = "generated-1.9MB";
    public const string Chain1k = "chain-1k";
    public const string Chain10k = "chain-10k";
    public const string Chain100k = "chain-100k";

    public static readonly string[] All = [ResNet152, Generated, Chain1k, Chain10k, Chain100k];

    /// <summary>The repository root (the folder with PrototxtLsp.sln), searched upwards from the current folder and the binary.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string? ResNet152Path
    {
        get
        {
            var path = Path.Combine(RepoRoot, "..", "shared", "corpus", "KaimingHe__deep-residual-networks", "prototxt", "ResNet-152-deploy.prototxt");
            return File.Exists(path) ? Path.GetFullPath(path) : null;
        }
    }

    /// <summary>The text of a named input; null when it needs ../shared and that is absent.</summary>
    public static string? Load(string name) => name switch
    {
        ResNet152 => ResNet152Path is { } p ? File.ReadAllText(p) : null,
        Generated => NetGenerator.Realistic(1_900_000),
        Chain1k => NetGenerator.Chain(1_000),
        Chain10k => NetGenerator.Chain(10_000),
        Chain100k => NetGenerator.Chain(100_000),
        _ => throw new ArgumentException($"unknown input '{name}'"),
    };

    private static string FindRepoRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "PrototxtLsp.sln"))) return dir.FullName;
        }

        return Directory.GetCurrentDirectory();
    }
}
