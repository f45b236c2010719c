using System.Diagnostics;
using System.Security.Cryptography;
using Alliance.Analytics.Cli;
using Alliance.Analytics.Tests.Simulation;

namespace Alliance.Analytics.Tests.Cli;

/// <summary>
/// Outputs are safe by construction (issue 14, part 1 and 5): `--out` (and `--persons`, `--plot`) never overwrite an
/// input of the run or something that is not a regular file, temporaries of killed runs are cleaned up, CSV for
/// spreadsheets cannot carry formulas, and SIGINT/SIGTERM cancel a run with 130/143 and leave no output behind.
/// </summary>
public sealed class OutputSafetyTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _data;

    public OutputSafetyTests()
    {
        _data = Path.Combine(_dir.Path, "clinic.csv");
        File.Copy(Repository.Synthetic("clinic", "clinic.csv"), _data);
        File.Copy(Repository.Synthetic("clinic", "clinic.csv.alliance.json"), _data + ".alliance.json");
    }

    public void Dispose() => _dir.Dispose();

    private string Hash() => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(_data))) + Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(_data + ".alliance.json")));

    [Fact]
    public void OutputsOntoAnInputOrItsSidecarOrAHardLinkToItAreRefusedAndTheInputsStayAsTheyWere()
    {
        string before = Hash();
        string hardLink = Path.Combine(_dir.Path, "same.csv");
        if (OperatingSystem.IsLinux()) Assert.Equal(0, Run("ln", _data, hardLink));
        foreach (string target in new[] { _data, _data + ".alliance.json", Path.Combine(_dir.Path, ".", "clinic.csv") }.Concat(File.Exists(hardLink) ? [hardLink] : []))
        {
            var (exit, output, err) = CliRunner.Run("describe", _data, "--out", target);
            Assert.Equal(ExitCodes.BadInput, exit);
            Assert.Contains("is an input of this run", err, StringComparison.Ordinal);
            Assert.Empty(output);
        }
        var plot = CliRunner.Run("reliability", _data, "--plot", _data);
        Assert.Equal(ExitCodes.BadInput, plot.Exit);
        Assert.Equal(before, Hash());
        Assert.Empty(Directory.EnumerateFiles(_dir.Path, "*.tmp"));
    }

    [Fact]
    public void OutputsOntoADirectoryAFifoADeviceOrASymbolicLinkAreRefused()
    {
        string dir = Directory.CreateDirectory(Path.Combine(_dir.Path, "folder")).FullName;
        string link = Path.Combine(_dir.Path, "link.txt");
        File.WriteAllText(Path.Combine(_dir.Path, "target.txt"), "keep");
        File.CreateSymbolicLink(link, Path.Combine(_dir.Path, "target.txt"));
        var targets = new List<(string Path, string Why)> { (dir, "is a directory"), (link, "is a symbolic link") };
        if (OperatingSystem.IsLinux())
        {
            string fifo = Path.Combine(_dir.Path, "pipe");
            Assert.Equal(0, Run("mkfifo", fifo));
            targets.Add((fifo, "is a named pipe"));
            targets.Add(("/dev/null", "is a device"));
        }
        foreach (var (target, why) in targets)
        {
            var (exit, _, err) = CliRunner.Run("describe", _data, "--out", target);
            Assert.Equal(ExitCodes.BadInput, exit);
            Assert.Contains(why, err, StringComparison.Ordinal);
        }
        Assert.Equal("keep", File.ReadAllText(Path.Combine(_dir.Path, "target.txt")));
        Assert.Equal(FileAttributes.ReparsePoint, File.GetAttributes(link) & FileAttributes.ReparsePoint);
    }

    [Fact]
    public void TemporariesOfARunThatWasKilledAreRemovedByTheNextRunAndThoseOfLiveRunsKept()
    {
        string output = Path.Combine(_dir.Path, "out.txt");
        string stale = Path.Combine(_dir.Path, ".out.txt.2147483600.0123abcd.tmp");
        string live = Path.Combine(_dir.Path, $".out.txt.{Environment.ProcessId}.0123abcd.tmp");
        File.WriteAllText(stale, "half");
        File.WriteAllText(live, "being written");
        var (exit, _, _) = CliRunner.Run("describe", _data, "--out", output);
        Assert.Equal(0, exit);
        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(live));
        Assert.True(new FileInfo(output).Length > 100);
    }

    [Fact]
    public void ScoreCsvProtectsTextThatWouldRunAsAFormulaButNotNumbersUnlessRawIsAsked()
    {
        string file = _dir.File("ids.csv", "client_id,q1,q2,q3,q4,q5\n" +
            "=HYPERLINK(\"http://x\"),3,3,3,3,3\n-12,4,4,4,4,4\n@sum,2,2,2,2,2\n+3.5,1,1,1,1,1\n");
        string key = _dir.File("five.json", """
            { "id": "FIVE", "name": "five items", "items": 5, "points": 5, "min": 1 }
            """);
        var (exit, csv, err) = CliRunner.Run("score", file, "--instrument", "FIVE", "--key", key, "--format", "csv");
        Assert.True(exit == 0, err);
        var ids = csv.Split('\n').Skip(1).Where(l => l.Length > 0).Select(l => l.StartsWith('"') ? l[..(l.IndexOf("\",", 1, StringComparison.Ordinal) + 1)] : l.Split(',')[0]).ToArray();
        Assert.Equal("\"'=HYPERLINK(\"\"http://x\"\")\"", ids[0]);
        Assert.Equal("-12", ids[1]);
        Assert.Equal("'@sum", ids[2]);
        Assert.Equal("+3.5", ids[3]);
        var raw = CliRunner.Run("score", file, "--instrument", "FIVE", "--key", key, "--format", "csv", "--csv-raw");
        Assert.StartsWith("\"=HYPERLINK", raw.Out.Split('\n')[1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("INT", ExitCodes.Cancelled)]
    [InlineData("TERM", ExitCodes.Terminated)]
    public async Task ASignalCancelsALongRunWithItsExitCodeAndLeavesNoOutput(string signal, int expected)
    {
        if (!OperatingSystem.IsLinux()) return;
        string output = Path.Combine(_dir.Path, "boot.json");
        string cli = Path.Combine(AppContext.BaseDirectory, "alliance.dll");
        // python3 resets SIGINT to its default: a shell running the tests in the background would have it ignored.
        var start = new ProcessStartInfo("python3")
        {
            ArgumentList = { "-c", "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])",
                "dotnet", cli, "reliability", _data, "--bootstrap", "100000", "--format", "json", "--out", output },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var process = Process.Start(start)!;
        var err = process.StandardError.ReadToEndAsync();
        await Task.Delay(TimeSpan.FromSeconds(4));
        Assert.False(process.HasExited, "the run ended before the signal");
        Assert.Equal(0, Run("kill", "-" + signal, process.Id.ToString(CultureInfo.InvariantCulture)));
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await process.WaitForExitAsync(stop.Token);
        Assert.Equal(expected, process.ExitCode);
        Assert.Contains("cancelled", await err, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
        Assert.Empty(Directory.EnumerateFiles(_dir.Path, ".boot.json.*"));
    }

    private static int Run(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string a in args) start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        p.WaitForExit();
        return p.ExitCode;
    }
}
