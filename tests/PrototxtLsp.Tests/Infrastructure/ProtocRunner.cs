using System.Diagnostics;
using System.Text;

namespace PrototxtLsp.Tests.Infrastructure;

/// <summary>Runs the protoc from the Google.Protobuf.Tools package as the reference text-format parser.</summary>
public static class ProtocRunner
{
    public static bool Available => File.Exists(TestPaths.Protoc);

    /// <summary>protoc --encode=MESSAGE on the text; returns (accepted, first line of its error output).</summary>
    /// <param name="proto">The .proto to encode against; our caffe.proto when null.</param>
    public static (bool Accepted, string Error) Encode(string messageFullName, string text, string? proto = null)
    {
        proto ??= TestPaths.CaffeProto;
        var psi = new ProcessStartInfo(TestPaths.Protoc)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("--proto_path=" + Path.GetDirectoryName(proto));
        psi.ArgumentList.Add("--encode=" + messageFullName);
        psi.ArgumentList.Add(Path.GetFileName(proto));
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            using var stdin = process.StandardInput.BaseStream;
            stdin.Write(new UTF8Encoding(false).GetBytes(text));
        }
        catch (IOException)
        {
            // protoc stops reading at its first error and closes the pipe; its verdict is already made.
        }

        if (!process.WaitForExit(30_000))
        {
            process.Kill();
            throw new TimeoutException("protoc did not finish in 30 s");
        }

        stdout.Wait();
        var error = stderr.Result.Split('\n').FirstOrDefault() ?? "";
        return (process.ExitCode == 0, error);
    }
}
