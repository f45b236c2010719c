using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Alliance.Analytics.Tests.Cli;

/// <summary>
/// The generated corpus of bad inputs (tests/corpus/make_corpus.py, issue 14): every case runs through the CLI and
/// must exit with its code and name what it should (file, line, column, value). For every case also: its input files
/// (and sidecars) are byte-identical afterwards (SHA-256), a failed run leaves no <c>--out</c> file and no
/// <c>.NAME.*.tmp</c>, no message shows a .NET type, parameter name or stack frame, and the run ends within 60 s.
/// The files are written once per test run into a temporary directory. tests/corpus/run_corpus.py runs the same
/// cases through the built CLI and writes tests/corpus/RESULTS.md.
/// </summary>
public sealed class BadInputCorpusTests
{
    private static readonly Lazy<string> Corpus = new(Generate);
    private static readonly Lazy<JsonArray> ManifestCache = new(() => JsonNode.Parse(File.ReadAllText(Path.Combine(Corpus.Value, "manifest.json")))!.AsArray());

    /// <summary>What no message may show: .NET types, exception names, parameter names, stack frames.</summary>
    private static readonly string[] Leaks = ["System.", "Exception", "Parameter '", "at Alliance."];

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static string Generate()
    {
        string dir = Path.Combine(Path.GetTempPath(), "alliance-tests", "corpus-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(Fixtures.RepositoryRoot(), "tests", "corpus", "make_corpus.py"));
        start.ArgumentList.Add(dir);
        using var p = Process.Start(start)!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException("make_corpus.py failed: " + err);
        return dir;
    }

    private static JsonArray Manifest() => ManifestCache.Value;

    /// <summary>The case names (the data of the theory).</summary>
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var c in Manifest()) data.Add((string)c!["name"]!);
        return data;
    }

    private static string Sha256(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    [Fact]
    public void TheCorpusCoversEveryVerbThatReadsAFile()
    {
        var verbs = Manifest().Select(c => (string)c!["args"]![0]!).ToHashSet();
        foreach (string verb in new[] { "validate", "score", "describe", "reliability", "irt", "formats", "outcome", "meta", "analyze", "instruments", "simulate" })
            Assert.Contains(verb, verbs);
        Assert.True(Manifest().Count >= 200, $"{Manifest().Count} cases");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task CaseExitsWithItsCodeAndNamesWhatItShould(string name)
    {
        var c = Manifest().Single(x => (string)x!["name"]! == name)!;
        string dir = Corpus.Value;
        string[] args = [.. c["args"]!.AsArray().Select(a => ((string)a!).Replace("{dir}", dir, StringComparison.Ordinal))];
        string[] inputs = [.. c["inputs"]!.AsArray().Select(f => Path.Combine(dir, (string)f!)).Where(File.Exists).Distinct()];
        var before = inputs.ToDictionary(f => f, Sha256);

        var run = Task.Run(() => CliRunner.Run(args));
        Assert.True(await Task.WhenAny(run, Task.Delay(Timeout)) == run, $"no exit within {Timeout.TotalSeconds} s (a hang)");
        var (exit, stdout, stderr) = await run;
        string all = stdout + stderr;

        Assert.True((int)c["exit"]! == exit, $"exit {exit}, expected {c["exit"]}:\n{all}");
        foreach (var f in c["contains"]!.AsArray()) Assert.Contains((string)f!, all, StringComparison.Ordinal);
        foreach (var f in c["absent"]!.AsArray()) Assert.DoesNotContain((string)f!, all, StringComparison.Ordinal);
        foreach (string leak in Leaks) Assert.DoesNotContain(leak, all, StringComparison.Ordinal);
        foreach (var (file, hash) in before)
            Assert.True(File.Exists(file) && Sha256(file) == hash, $"{Path.GetFileName(file)} changed by the run");
        if (exit != 0 && (string?)c["out"] is { } outName)
        {
            string outPath = Path.Combine(dir, outName);
            Assert.False(File.Exists(outPath) || Directory.Exists(outPath), $"--out {outName} written by a run that failed");
            Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(outPath)!, "." + Path.GetFileName(outPath) + ".*.tmp"));
        }

        var findings = c["findings"]!.AsArray();
        if (findings.Count == 0) return;
        var issues = JsonNode.Parse(stdout)!["issues"]!.AsArray();
        foreach (var f in findings)
        {
            bool found = issues.Any(i =>
                (string?)i!["code"] == (string?)f!["code"] && (int?)i["line"] == (int?)f["line"]
                && (f["column"] is null || (string?)i["column"] == (string?)f["column"])
                && (f["value"] is null || (string?)i["value"] == (string?)f["value"])
                && f["message"]!.AsArray().All(m => ((string?)i["message"] ?? "").Contains((string)m!, StringComparison.Ordinal)));
            Assert.True(found, $"no finding {f!.ToJsonString()} in:\n{issues.ToJsonString()}");
        }
    }
}
