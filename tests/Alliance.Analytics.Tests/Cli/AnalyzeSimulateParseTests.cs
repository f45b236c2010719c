using System.Text.Json.Nodes;
using Alliance.Analytics.Cli;
using static Alliance.Analytics.Tests.Cli.CliRun;

namespace Alliance.Analytics.Tests.Cli;

/// <summary><c>alliance analyze</c>: --seed reaches the resampling sections, --skip the sections, and the data options the reading.</summary>
public sealed class AnalyzeParseTests : IDisposable
{
    private readonly CliFiles _files = new();
    private readonly string _clinic;

    public AnalyzeParseTests() => _clinic = _files.Clinic();

    public void Dispose() => _files.Dispose();

    private JsonObject Run(params string[] options) => Json(["analyze", _clinic, "--skip", "irt,formats", .. options]);

    private static string Status(JsonObject doc, string section) => doc["section_status"]![section]!["status"]!.GetValue<string>();

    [Fact]
    public void SkipLeavesOutTheSectionsNamed()
    {
        var doc = Run();
        Assert.Equal(("skipped", "skipped", "ok", "ok"), (Status(doc, "irt"), Status(doc, "formats"), Status(doc, "reliability"), Status(doc, "outcome")));
        Assert.Equal("skipped on request", doc["section_status"]!["irt"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public void SeedReachesTheOutcomeBootstrapAndRepeatsIt()
    {
        JsonNode Outcome(string seed) => Run("--seed", seed)["sections"]!["outcome"]!;
        var seven = Outcome("7");
        Assert.Equal(7, Num(seven["settings"]!["bootstrap_seed"]));
        Assert.NotEqual(Interval(seven["r_bootstrap_ci"]), Interval(Outcome("8")["r_bootstrap_ci"]));
        Assert.Equal(Interval(seven["r_bootstrap_ci"]), Interval(Outcome("7")["r_bootstrap_ci"]));
        Assert.Equal(Defaults.Seed, (long)Num(Run()["sections"]!["outcome"]!["settings"]!["bootstrap_seed"]));
    }

    [Fact]
    public void DataOptionsAndDropInvalidReachTheReading()
    {
        var lines = File.ReadAllLines(_clinic);
        var fields = lines[1].Split(',');
        fields[4] = "9"; // wai1 of line 2 off the 1–5 scale
        lines[1] = string.Join(',', fields);
        string bad = _files.File("bad.csv", string.Join('\n', lines) + "\n");
        File.Copy(_clinic + ".alliance.json", bad + ".alliance.json");
        Assert.Contains("line 2, column 'wai1'", BadInput("analyze", bad));
        var doc = Json("analyze", bad, "--drop-invalid", "--skip", "irt,formats,outcome,reliability");
        Assert.Equal(lines.Length - 2, Num(doc["n"]));
        Assert.Equal(["wai1", "wai2", "wai3", "wai4", "wai5"],
            Strings(Json("analyze", _clinic, "--instrument", "ARM-5", "--items", "wai1,wai2,wai3,wai4,wai5", "--skip", "irt,formats,outcome,reliability")["validation"]!["items"]));
    }
}

/// <summary><c>alliance simulate</c>: --preset, --seed, --set, --threads, --list-settings and --out reach the simulator.</summary>
public sealed class SimulateParseTests : IDisposable
{
    private readonly CliFiles _files = new();

    public void Dispose() => _files.Dispose();

    private JsonObject Run(string dir, params string[] options) =>
        Json(["simulate", "--preset", "studies", "--set", "studies=12", "--out", Path.Combine(_files.Dir, dir), .. options]);

    [Fact]
    public void SeedSetAndOutReachTheRunAndThreadsDoNotChangeIt()
    {
        var seven = Run("a", "--seed", "7", "--threads", "1");
        Assert.Equal(7, Num(seven["seed"]));
        Assert.Equal(12, Num(seven["truth"]!["realised"]!["studies"]));
        Assert.Equal(Path.Combine(_files.Dir, "a"), seven["out"]!.GetValue<string>());
        string first = File.ReadAllText(Path.Combine(_files.Dir, "a", "studies.csv"));
        Run("b", "--seed", "7", "--threads", "2");
        Assert.Equal(first, File.ReadAllText(Path.Combine(_files.Dir, "b", "studies.csv")));
        Run("c", "--seed", "8");
        Assert.NotEqual(first, File.ReadAllText(Path.Combine(_files.Dir, "c", "studies.csv")));
        Assert.Equal(Defaults.Seed, (long)Num(Run("d")["seed"]));
    }

    [Fact]
    public void ListSettingsShowsThePresetsKeys()
    {
        var (exit, output, _) = CliRunner.Run("simulate", "--preset", "clinic", "--list-settings");
        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("clients", output);
        Assert.Contains("Settings of the clinic preset", output);
    }
}
