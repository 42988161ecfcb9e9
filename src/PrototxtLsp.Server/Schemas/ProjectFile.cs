using System.Text.Json;
using PrototxtLsp.Core.Semantics;

namespace PrototxtLsp.Server.Schemas;

/// <summary>
/// <c>prototxt-lsp.json</c>, found by walking up from the checked file:
/// <c>{"schema": "path/to/caffe.proto", "imports": ["dir"], "layerTypes": {"Axpy": {"bottoms": 3, "tops": 1}}}</c>.
/// Layer types take exact <c>bottoms</c>/<c>tops</c> or <c>minBottoms</c>/<c>maxBottoms</c>/<c>minTops</c>/<c>maxTops</c>,
/// and optional <c>inPlace</c> (bool) and <c>param</c> (the <c>*_param</c> field it reads). Mistakes are collected
/// as messages, never thrown.
/// </summary>
public sealed record ProjectFile(string Path, string? Schema, IReadOnlyList<string> Imports, IReadOnlyDictionary<string, LayerTypeInfo> LayerTypes, IReadOnlyList<string> Problems)
{
    public const string FileName = "prototxt-lsp.json";

    public static string? Find(string? documentPath)
    {
        if (documentPath is null) return null;
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(documentPath));
        for (var i = 0; dir is not null && i < 32; i++)
        {
            var candidate = System.IO.Path.Combine(dir, FileName);
            if (File.Exists(candidate)) return candidate;
            dir = System.IO.Path.GetDirectoryName(dir);
        }

        return null;
    }

    public static ProjectFile Load(string path)
    {
        var problems = new List<string>();
        var types = new Dictionary<string, LayerTypeInfo>(StringComparer.Ordinal);
        var imports = new List<string>();
        string? schema = null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return new ProjectFile(path, null, imports, types, ["the file must hold one JSON object"]);
            foreach (var p in root.EnumerateObject())
            {
                switch (p.Name)
                {
                    case "schema":
                        if (p.Value.ValueKind == JsonValueKind.String) schema = Resolve(path, p.Value.GetString()!);
                        else problems.Add("\"schema\" must be a string: the path of a caffe.proto, relative to this file");
                        break;
                    case "imports":
                        if (p.Value.ValueKind == JsonValueKind.Array && p.Value.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String))
                            imports.AddRange(p.Value.EnumerateArray().Select(e => Resolve(path, e.GetString()!)));
                        else problems.Add("\"imports\" must be an array of folder paths");
                        break;
                    case "layerTypes":
                        if (p.Value.ValueKind != JsonValueKind.Object)
                        {
                            problems.Add("\"layerTypes\" must be an object: {\"TypeName\": {\"bottoms\": 1, \"tops\": 1}}");
                            break;
                        }

                        foreach (var t in p.Value.EnumerateObject())
                        {
                            if (ReadType(t.Name, t.Value, problems) is { } info) types[t.Name] = info;
                        }

                        break;
                    default:
                        problems.Add($"unknown key \"{p.Name}\" (known: schema, imports, layerTypes)");
                        break;
                }
            }
        }
        catch (JsonException e)
        {
            problems.Add($"not valid JSON: {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Add($"cannot be read: {e.Message}");
        }

        return new ProjectFile(path, schema, imports, types, problems);
    }

    private static string Resolve(string projectFile, string value) =>
        System.IO.Path.GetFullPath(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(projectFile)!, value));

    private static LayerTypeInfo? ReadType(string name, JsonElement spec, List<string> problems)
    {
        if (spec.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"layerTypes.{name} must be an object such as {{\"bottoms\": 1, \"tops\": 1}}");
            return null;
        }

        int? Get(string key)
        {
            if (!spec.TryGetProperty(key, out var v)) return null;
            if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) && n >= 0) return n;
            problems.Add($"layerTypes.{name}.{key} must be a whole number ≥ 0");
            return null;
        }

        foreach (var p in spec.EnumerateObject())
        {
            if (p.Name is not ("bottoms" or "tops" or "minBottoms" or "maxBottoms" or "minTops" or "maxTops" or "inPlace" or "param"))
                problems.Add($"layerTypes.{name}: unknown key \"{p.Name}\" (known: bottoms, tops, minBottoms, maxBottoms, minTops, maxTops, inPlace, param)");
        }

        BlobCountRule Rule(string exact, string min, string max)
        {
            var e = Get(exact);
            var lo = Get(min);
            var hi = Get(max);
            if (e is not null && (lo is not null || hi is not null)) problems.Add($"layerTypes.{name}: give either \"{exact}\" or \"{min}\"/\"{max}\", not both");
            if (lo is { } l && hi is { } h && l > h) problems.Add($"layerTypes.{name}: \"{min}\" ({l}) is larger than \"{max}\" ({h})");
            return new BlobCountRule(e ?? -1, lo ?? -1, hi ?? -1);
        }

        var bottoms = Rule("bottoms", "minBottoms", "maxBottoms");
        var tops = Rule("tops", "minTops", "maxTops");
        var inPlace = true;
        if (spec.TryGetProperty("inPlace", out var ip))
        {
            if (ip.ValueKind is JsonValueKind.True or JsonValueKind.False) inPlace = ip.GetBoolean();
            else problems.Add($"layerTypes.{name}.inPlace must be true or false");
        }

        var param = new List<string>();
        if (spec.TryGetProperty("param", out var pp))
        {
            if (pp.ValueKind == JsonValueKind.String && pp.GetString()!.EndsWith("_param", StringComparison.Ordinal)) param.Add(pp.GetString()!);
            else problems.Add($"layerTypes.{name}.param must name a LayerParameter field ending in _param, e.g. \"axpy_param\"");
        }

        return LayerTypeInfo.Custom(name, bottoms, tops, inPlace, param, "the project file");
    }
}
