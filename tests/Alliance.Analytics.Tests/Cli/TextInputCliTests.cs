using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

namespace Alliance.Analytics.Tests.Cli;

/// <summary>
/// Text is read as written through the CLI (issue 14, parts 2 and 5): --encoding on every reading verb, FIFOs read
/// once without a hang, standard input through <c>-</c> and <c>/dev/stdin</c> with its header.
/// </summary>
public sealed class TextInputCliTests : IDisposable
{
    private const string Data = "client_id,q1,q2,q3\nAna,1,2,3\nJosé,2,3,4\nJosè,3,4,5\nLi,4,5,1\n";
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Latin1IsRefusedWithLineAndOffsetAndReadWithEncodingOption()
    {
        string path = Path.Combine(_dir.Path, "latin1.csv");
        File.WriteAllBytes(path, Encoding.Latin1.GetBytes(Data));
        var refused = CliRunner.Run("describe", path);
        Assert.Equal(2, refused.Exit);
        Assert.Contains(path + ", line 3: byte offset 32: byte 0xE9", refused.Err, StringComparison.Ordinal);
        Assert.Contains("--encoding", refused.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("DataSpec", refused.Err, StringComparison.Ordinal);

        foreach (string name in new[] { "latin1", "cp1252" })
        {
            var read = CliRunner.Run("validate", path, "--encoding", name, "--format", "json");
            Assert.Equal(0, read.Exit);
            Assert.Equal(4, (int)JsonNode.Parse(read.Out)!["rows_read"]!);
        }
        var usage = CliRunner.Run("validate", path, "--encoding", "ebcdic-klingon");
        Assert.Equal(2, usage.Exit);
        Assert.Contains("--encoding", usage.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFifoWithoutExtensionIsReadOnceWithoutHanging()
    {
        if (!OperatingSystem.IsLinux()) return;
        string fifo = Path.Combine(_dir.Path, "responses");
        using (var mk = Process.Start("mkfifo", [fifo])) mk.WaitForExit();
        // The writer opens the FIFO once: a reader that opened it a second time (to sniff the delimiter) would block.
        var writer = Task.Run(() =>
        {
            using var w = new FileStream(fifo, FileMode.Open, FileAccess.Write);
            w.Write(Encoding.UTF8.GetBytes(Data.Replace(',', '\t')));
        });
        var run = Task.Run(() => CliRunner.Run("validate", fifo, "--format", "json"));
        var result = await run.WaitAsync(TimeSpan.FromSeconds(20)); // TimeoutException: reading the FIFO hung
        await writer.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(0, result.Exit);
        var report = JsonNode.Parse(result.Out)!;
        Assert.Equal(4, (int)report["rows_read"]!);
        Assert.Equal(["q1", "q2", "q3"], report["items"]!.AsArray().Select(i => (string)i!).ToArray());
    }

    [Theory]
    [InlineData("-")]
    [InlineData("/dev/stdin")]
    public async Task StandardInputIsReadAsAStreamWithItsHeader(string path)
    {
        if (!OperatingSystem.IsLinux()) return;
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "alliance.dll"), "validate", path, "--format", "json" },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardInput.BaseStream.WriteAsync(Encoding.UTF8.GetBytes(Data));
        process.StandardInput.Close();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(stop.Token);
        Assert.True(process.ExitCode == 0, await error);
        var report = JsonNode.Parse(await output)!;
        Assert.Equal(4, (int)report["rows_read"]!);
        Assert.Equal(["q1", "q2", "q3"], report["items"]!.AsArray().Select(i => (string)i!).ToArray());
    }
}
