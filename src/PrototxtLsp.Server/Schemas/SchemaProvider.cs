using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Google.Protobuf.Reflection;
using PrototxtLsp.Core.Diagnostics;
using PrototxtLsp.Core.Schema;
using PrototxtLsp.Core.Semantics;
using PrototxtLsp.Core.Text;

namespace PrototxtLsp.Server.Schemas;

/// <summary>
/// Chooses and loads the schema for a file, first match wins: a <c># proto-file:</c> header; the
/// <c>prototxt.schema.path</c> setting or the CLI's <c>--schema</c>; the project file's <c>schema</c>; a
/// <c>src/caffe/proto/caffe.proto</c> in a folder above the file or in a workspace root; else the embedded schema.
/// A user's proto is compiled by the protoc shipped beside the server (argument list, no shell, 30 s timeout) into a
/// descriptor set; results are cached by content hash, so an unchanged proto is compiled once.
/// </summary>
public sealed class SchemaProvider
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<string, (ProtoSchema? Schema, string? Error)> _cache = new(StringComparer.Ordinal);
    private readonly Serilog.ILogger? _log;

    public SchemaProvider(Serilog.ILogger? log = null) => _log = log;

    /// <summary>From the setting or <c>--schema</c>; relative paths are taken against the first workspace root (or the current folder).</summary>
    public string? SettingPath { get; set; }

    public IReadOnlyList<string> Roots { get; set; } = [];

    /// <summary>Proto files and project files in use, so a host can watch them.</summary>
    public ConcurrentDictionary<string, byte> WatchedFiles { get; } = new(StringComparer.Ordinal);

    /// <summary>Forgets cached compilations (after a watched file changed).</summary>
    public void Invalidate()
    {
        _cache.Clear();
        _lookups.Clear();
    }

    /// <summary>
    /// Per document folder: the project file (parsed) and the conventional proto found by walking up. Kept until
    /// <see cref="Invalidate"/> so that a keystroke does not walk the file system again.
    /// </summary>
    private readonly ConcurrentDictionary<string, (ProjectFile? Project, string? Conventional)> _lookups = new(StringComparer.Ordinal);

    public static string? BundledProtoc()
    {
        var rid = OperatingSystem.IsWindows() ? "windows_x64" : OperatingSystem.IsMacOS() ? "macosx_x64" : "linux_x64";
        var path = Path.Combine(AppContext.BaseDirectory, "protoc", rid, OperatingSystem.IsWindows() ? "protoc.exe" : "protoc");
        return File.Exists(path) ? path : null;
    }

    private static string IncludeDir => Path.Combine(AppContext.BaseDirectory, "protoc", "include");

    public AnalysisOptions OptionsFor(string? documentPath, string text, WorkspaceContext workspace)
    {
        var diagnostics = new List<Diagnostic>();
        var header = SchemaHeader.Read(text);
        var docDir = documentPath is null ? Directory.GetCurrentDirectory() : Path.GetDirectoryName(Path.GetFullPath(documentPath))!;
        var (project, conventional) = _lookups.GetOrAdd(docDir, _ =>
            (ProjectFile.Find(documentPath) is { } found ? ProjectFile.Load(found) : null, Conventional(docDir)));
        if (project is not null)
        {
            WatchedFiles.TryAdd(project.Path, 0);
            foreach (var problem in project.Problems) diagnostics.Add(DiagnosticCatalog.ProjectFileInvalid(new TextSpan(0, 0), project.Path, problem));
        }

        string? proto = null;
        string origin;
        var imports = new List<string>();
        var span = new TextSpan(0, 0);
        if (header.ProtoFile is { } headerFile)
        {
            proto = Path.GetFullPath(Path.Combine(docDir, headerFile));
            imports.AddRange(header.Imports.Select(i => Path.GetFullPath(Path.Combine(docDir, i))));
            origin = $"the proto-file header ({headerFile})";
            span = header.ProtoFileSpan;
        }
        else if (!string.IsNullOrWhiteSpace(SettingPath))
        {
            proto = Path.GetFullPath(Path.Combine(Roots.FirstOrDefault() ?? Directory.GetCurrentDirectory(), SettingPath));
            origin = $"the schema setting ({SettingPath})";
        }
        else if (project?.Schema is { } projectSchema)
        {
            proto = projectSchema;
            imports.AddRange(project.Imports);
            origin = $"{ProjectFile.FileName} ({projectSchema})";
        }
        else if (conventional is not null)
        {
            proto = conventional;
            origin = $"the workspace's {Path.Combine("src", "caffe", "proto", "caffe.proto")}";
        }
        else
        {
            origin = "the embedded BVLC caffe.proto";
        }

        var layerTypes = project?.LayerTypes ?? new Dictionary<string, LayerTypeInfo>();
        if (proto is null)
            return new AnalysisOptions { Workspace = workspace, LayerTypes = layerTypes, Diagnostics = diagnostics, SchemaDescription = origin };

        WatchedFiles.TryAdd(proto, 0);
        var (schema, error) = Load(proto, imports);
        if (schema is null)
        {
            // The message adds its own full stop after the reason (protoc's and .NET's messages end with one).
            diagnostics.Add(DiagnosticCatalog.SchemaLoadFailed(span, proto, (error ?? "unknown error").TrimEnd('.')));
            return new AnalysisOptions { Workspace = workspace, LayerTypes = layerTypes, Diagnostics = diagnostics, SchemaDescription = "the embedded BVLC caffe.proto (the custom schema failed to load)" };
        }

        return new AnalysisOptions
        {
            Schema = schema,
            IsCustomSchema = true,
            SchemaDescription = $"{proto}, chosen by {origin}",
            LayerTypes = layerTypes,
            Workspace = workspace,
            Diagnostics = diagnostics,
        };
    }

    /// <summary>A conventional Caffe checkout: src/caffe/proto/caffe.proto in a folder above the file or a workspace root.</summary>
    private string? Conventional(string docDir)
    {
        var dir = docDir;
        for (var i = 0; dir is not null && i < 16; i++)
        {
            var candidate = Path.Combine(dir, "src", "caffe", "proto", "caffe.proto");
            if (File.Exists(candidate)) return candidate;
            dir = Path.GetDirectoryName(dir);
        }

        return Roots.Select(r => Path.Combine(r, "src", "caffe", "proto", "caffe.proto")).FirstOrDefault(File.Exists);
    }

    /// <summary>Compiles a .proto (cached by the hash of its text and the import folders).</summary>
    public (ProtoSchema? Schema, string? Error) Load(string proto, IReadOnlyList<string> imports)
    {
        byte[] content;
        if (Directory.Exists(proto)) return (null, "it is a folder; name the .proto file itself");
        try
        {
            content = File.ReadAllBytes(proto);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, e is FileNotFoundException or DirectoryNotFoundException ? "the file does not exist" : e.Message);
        }

        var key = Convert.ToHexString(SHA256.HashData([.. content, .. Encoding.UTF8.GetBytes(proto + "\n" + string.Join("\n", imports))]));
        return _cache.GetOrAdd(key, _ => Compile(proto, imports));
    }

    private (ProtoSchema? Schema, string? Error) Compile(string proto, IReadOnlyList<string> imports)
    {
        var protoc = BundledProtoc();
        if (protoc is null) return (null, "the protoc that ships with prototxt-lsp is missing from " + Path.Combine(AppContext.BaseDirectory, "protoc"));
        // protoc reads an argument starting with '-' as an option and one starting with '@' as a file of more
        // arguments (which could name a plugin to run): a document must not be able to pass either.
        if (Path.GetFileName(proto) is ['-' or '@', ..] unsafeName)
            return (null, $"the file name '{unsafeName}' starts with '{unsafeName[0]}', which protoc would read as an option; rename the file");
        if (!OperatingSystem.IsWindows()) EnsureExecutable(protoc);
        var output = Path.Combine(Path.GetTempPath(), $"prototxt-lsp-{Guid.NewGuid():N}.protoset");
        var psi = new ProcessStartInfo(protoc)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("--proto_path=" + Path.GetDirectoryName(proto));
        foreach (var i in imports) psi.ArgumentList.Add("--proto_path=" + i);
        if (Directory.Exists(IncludeDir)) psi.ArgumentList.Add("--proto_path=" + IncludeDir);
        psi.ArgumentList.Add("--include_source_info");
        psi.ArgumentList.Add("--include_imports");
        psi.ArgumentList.Add("--descriptor_set_out=" + output);
        psi.ArgumentList.Add(Path.GetFileName(proto));
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var process = Process.Start(psi)!;
            var stderr = process.StandardError.ReadToEndAsync();
            _ = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                return (null, $"protoc did not finish within {Timeout.TotalSeconds:0} s");
            }

            if (process.ExitCode != 0)
            {
                var message = stderr.Result.Trim().Replace('\n', ' ');
                return (null, "protoc: " + (message.Length > 500 ? message[..500] + "…" : message));
            }

            var set = FileDescriptorSet.Parser.ParseFrom(File.ReadAllBytes(output));
            var schema = ProtoSchema.FromDescriptorSet(set);
            _log?.Information("Compiled schema {Proto} in {Ms:F0} ms", proto, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return (schema, null);
        }
        catch (Exception e) when (e is IOException or System.ComponentModel.Win32Exception or Google.Protobuf.InvalidProtocolBufferException or InvalidOperationException)
        {
            return (null, e.Message);
        }
        finally
        {
            try
            {
                File.Delete(output);
            }
            catch (IOException)
            {
            }
        }
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void EnsureExecutable(string path)
    {
        try
        {
            var mode = File.GetUnixFileMode(path);
            if ((mode & UnixFileMode.UserExecute) == 0) File.SetUnixFileMode(path, mode | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not ours to change; Process.Start reports the failure.
        }
    }
}
