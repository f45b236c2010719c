using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Alliance.Analytics.Tests.Cli;

/// <summary>
/// The generated corpus of bad inputs (tests/corpus/make_corpus.py, issue 14): every case runs through the CLI and
/// must exit with its code and name what it should (file, line, column, value). The files are written once per test
/// run into a temporary directory.
/// </summary>
public sealed class BadInputCorpusTests
{
    private static readonly Lazy<string> Corpus = new(Generate);

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

    private static JsonArray Manifest() => JsonNode.Parse(File.ReadAllText(Path.Combine(Corpus.Value, "manifest.json")))!.AsArray();

    /// <summary>The case names (the data of the theory).</summary>
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var c in Manifest()) data.Add((string)c!["name"]!);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void CaseExitsWithItsCodeAndNamesWhatItShould(string name)
    {
        var c = Manifest().Single(x => (string)x!["name"]! == name)!;
        string[] args = [.. c["args"]!.AsArray().Select(a => ((string)a!).Replace("{dir}", Corpus.Value, StringComparison.Ordinal))];
        var (exit, stdout, stderr) = CliRunner.Run(args);
        string all = stdout + stderr;
        Assert.True((int)c["exit"]! == exit, $"exit {exit}, expected {c["exit"]}:\n{all}");
        foreach (var f in c["contains"]!.AsArray()) Assert.Contains((string)f!, all, StringComparison.Ordinal);
        foreach (var f in c["absent"]!.AsArray()) Assert.DoesNotContain((string)f!, all, StringComparison.Ordinal);
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
