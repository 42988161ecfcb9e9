using System.Text.Json;
using PrototxtLsp.Server.Cli;
using PrototxtLsp.Tests.Infrastructure;

namespace PrototxtLsp.Tests;

public class CliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("prototxt-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = CommandLine.Run(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private string Write(string relative, string text)
    {
        var path = Path.Combine(_dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Valid_file_exits_zero()
    {
        var file = Write("ok.prototxt", "name: \"x\"\nlayer { name: \"a\" type: \"Input\" top: \"a\" input_param { shape { dim: 1 } } }\n");
        var (exit, output, err) = Run("check", file);
        Assert.Equal(0, exit);
        Assert.Equal("", err);
        Assert.Contains("Checked 1 file: 0 errors, 0 warnings.", output);
    }

    [Fact]
    public void Text_format_is_one_line_per_diagnostic_with_one_based_positions()
    {
        var file = Write("bad.prototxt", "name: \"x\"\nlayer {\n\tnum_ouput: 3\n\ttype: \"Python\"\n}\n");
        var (exit, output, _) = Run("check", file);
        Assert.Equal(1, exit);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith($"{file}:3:2: error PTX2001: ", lines[0]);
        Assert.Equal("Checked 1 file: 1 error, 0 warnings in 1 file.", lines[1]);
    }

    [Fact]
    public void Folders_are_searched_recursively_for_prototxt_files_only()
    {
        Write("a/net.prototxt", "name: 1\n");
        Write("a/b/solver.prototxt", "base_lr: 0.1\nmax_iter: 1.5\n");
        Write("a/b/notes.txt", "this is not checked");
        var (exit, output, _) = Run("check", "--format", "json", Path.Combine(_dir, "a"));
        Assert.Equal(1, exit);
        using var json = JsonDocument.Parse(output);
        var files = json.RootElement.GetProperty("files").EnumerateArray().ToList();
        Assert.Equal(2, files.Count);
        Assert.Equal(2, json.RootElement.GetProperty("errors").GetInt32());
        Assert.Equal(0, json.RootElement.GetProperty("warnings").GetInt32());
        var solver = files.Single(f => f.GetProperty("path").GetString()!.EndsWith("solver.prototxt"));
        Assert.Equal("caffe.SolverParameter", solver.GetProperty("message").GetString());
        var d = solver.GetProperty("diagnostics").EnumerateArray().Single();
        Assert.Equal("PTX2002", d.GetProperty("code").GetString());
        Assert.Equal("error", d.GetProperty("severity").GetString());
        var start = d.GetProperty("range").GetProperty("start");
        Assert.Equal(1, start.GetProperty("line").GetInt32()); // 0-based, as in LSP
        Assert.Equal(10, start.GetProperty("character").GetInt32());
        var end = d.GetProperty("range").GetProperty("end");
        Assert.Equal(13, end.GetProperty("character").GetInt32());
    }

    [Fact]
    public void Json_counts_utf16_columns_and_includes_related_information()
    {
        var file = Write("u.prototxt", "name: \"😀\" name: \"b\"\n");
        var (_, output, _) = Run("check", "--format=json", file);
        using var json = JsonDocument.Parse(output);
        var d = json.RootElement.GetProperty("files")[0].GetProperty("diagnostics")[0];
        Assert.Equal("PTX2004", d.GetProperty("code").GetString());
        Assert.Equal(11, d.GetProperty("range").GetProperty("start").GetProperty("character").GetInt32());
        Assert.Equal(0, d.GetProperty("related")[0].GetProperty("range").GetProperty("start").GetProperty("character").GetInt32());
    }

    [Fact]
    public void Warnings_alone_exit_zero()
    {
        var file = Write("w.prototxt", "layer { name: \"c\" type: \"Python\" clip_param { min: 0 } }\n");
        var (exit, output, _) = Run("check", file);
        Assert.Equal(0, exit);
        Assert.Contains("warning PTX2006", output);
    }

    [Fact]
    public void Missing_paths_and_bad_usage_exit_two_with_a_message()
    {
        var (exit, _, err) = Run("check", Path.Combine(_dir, "nope.prototxt"));
        Assert.Equal(2, exit);
        Assert.Contains("does not exist", err);

        (exit, _, err) = Run("check");
        Assert.Equal(2, exit);
        Assert.Contains("at least one file", err);

        (exit, _, err) = Run("check", "--format", "xml", _dir);
        Assert.Equal(2, exit);
        Assert.Contains("unknown format", err);

        (exit, _, err) = Run("frobnicate");
        Assert.Equal(2, exit);
        Assert.Contains("unknown command", err);
    }

    [Fact]
    public void Version_and_help()
    {
        var (exit, output, _) = Run("--version");
        Assert.Equal(0, exit);
        Assert.Matches(@"^prototxt-lsp \d+\.\d+\.\d+", output);
        (exit, output, _) = Run("--help");
        Assert.Equal(0, exit);
        Assert.Contains("prototxt-lsp check [--format text|json] [--schema caffe.proto] [--timings] PATH...", output);
        Assert.Contains("prototxt-lsp summary", output);
    }

    [Fact]
    public void Check_timings_go_to_stderr_per_stage_and_leave_stdout_alone()
    {
        var file = Path.Combine(TestPaths.RepoRoot, "examples", "nets", "lenet_deploy.prototxt");
        var (exit, output, error) = Run("check", "--timings", file);
        var (plainExit, plainOutput, _) = Run("check", file);
        Assert.Equal(plainExit, exit);
        Assert.Equal(plainOutput, output);
        foreach (var stage in new[] { "parse", "bind", "graph", "shapes", "analysis total", "whole command" })
            Assert.Matches($@"{stage} \d+\.\d\d ms", error);
    }

    [Fact]
    public void Bundled_examples_check_as_documented()
    {
        var examples = Path.Combine(TestPaths.RepoRoot, "examples");
        var (exit, output, _) = Run("check", Path.Combine(examples, "nets"), Path.Combine(examples, "solvers"));
        Assert.Equal(0, exit);
        Assert.Contains("0 errors", output);
        (exit, output, _) = Run("check", Path.Combine(examples, "errors"));
        Assert.Equal(1, exit);
        Assert.Contains("PTX2001", output);
    }

    [Fact]
    public void Format_rewrites_files_in_place_and_a_second_run_changes_nothing()
    {
        var messy = Write("nets/a.prototxt", "layer {   name: 'a'; type: \"ReLU\" }\n");
        var tidy = Write("nets/b.prototxt", "name: \"b\"\n");
        var (exit, output, err) = Run("format", Path.Combine(_dir, "nets"));
        Assert.Equal(0, exit);
        Assert.Equal($"{messy}: formatted\n", output.ReplaceLineEndings("\n"));
        Assert.Contains("1 of 2 file(s) reformatted.", err);
        Assert.Equal("layer {\n  name: \"a\"\n  type: \"ReLU\"\n}\n", File.ReadAllText(messy));
        Assert.Equal("name: \"b\"\n", File.ReadAllText(tidy));

        (exit, output, _) = Run("format", "--check", messy, tidy);
        Assert.Equal(0, exit);
        Assert.Equal("", output);
    }

    [Fact]
    public void Format_check_lists_unformatted_files_exits_one_and_writes_nothing()
    {
        const string text = "name:'x'\n";
        var file = Write("x.prototxt", text);
        var (exit, output, err) = Run("format", "--check", file);
        Assert.Equal(1, exit);
        Assert.Equal($"{file}: not formatted\n", output.ReplaceLineEndings("\n"));
        Assert.Contains("1 of 1 file(s) would be reformatted.", err);
        Assert.Equal(text, File.ReadAllText(file));
    }

    [Fact]
    public void Format_reads_stdin_and_writes_stdout_with_a_dash()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = FormatCommand.Run(["-"], new StringReader("layer<name:\"a\">"), stdout, stderr);
        Assert.Equal(0, exit);
        Assert.Equal("layer {\n  name: \"a\"\n}\n", stdout.ToString());
    }

    [Fact]
    public void Format_reports_bad_usage_and_missing_paths()
    {
        Assert.Equal(2, Run("format").Exit);
        Assert.Equal(2, Run("format", "--wat", "x").Exit);
        var (exit, _, err) = Run("format", Path.Combine(_dir, "nope.prototxt"));
        Assert.Equal(2, exit);
        Assert.Contains("does not exist", err);
    }

    [Fact]
    public void Format_leaves_invalid_utf8_files_alone()
    {
        var path = Path.Combine(_dir, "bin.prototxt");
        byte[] bytes = [(byte)'n', (byte)'a', (byte)'m', (byte)'e', (byte)':', (byte)'"', 0xff, (byte)'"', (byte)'\n'];
        File.WriteAllBytes(path, bytes);
        var (exit, _, err) = Run("format", path);
        Assert.Equal(2, exit);
        Assert.Contains("not valid UTF-8", err);
        Assert.Equal(bytes, File.ReadAllBytes(path));
    }

    [Fact]
    public void Check_reports_a_file_it_cannot_read_and_still_checks_the_others()
    {
        // .NET on Linux honours FileShare.None with an exclusive lock, so reading the held file fails after it was
        // found: with one file (read inside the reserved heap region) and with two (read one by one).
        var held = Write("held.prototxt", "name: \"held\"\n");
        var good = Write("good.prototxt", "name: \"good\"\n");
        using (new FileStream(held, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            var (exit, output, err) = Run("check", held);
            Assert.Equal(2, exit);
            Assert.Contains($"cannot read '{held}'", err);
            Assert.Contains("Checked 0 files", output);

            (exit, output, err) = Run("check", held, good);
            Assert.Equal(2, exit);
            Assert.Contains($"cannot read '{held}'", err);
            Assert.Contains("Checked 1 file", output);
        }

        Assert.Equal(0, Run("check", held).Exit); // and once released, it checks
    }
}
