using System.Text.Json.Nodes;
using Alliance.Analytics.Cli;
using Alliance.Analytics.Simulation;

namespace Alliance.Analytics.Tests.Simulation;

/// <summary>The <c>alliance simulate</c> verb and the <c>--set</c> settings, in process.</summary>
public class SimulateVerbTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => CliRunner.Run(args);

    [Fact]
    public void WritesAClinicWithSettingsAndReportsIt()
    {
        using var temp = new TempDir();
        var (code, output, err) = Run("simulate", "--preset", "clinic", "--seed", "7", "--out", temp.Path, "--set", "clients=200", "--set", "therapists=10", "--set", "outcome_measure=oq45");
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Contains("clinic.csv", output);
        Assert.Contains("True and realised figures", output);
        foreach (string f in new[] { "clinic.csv", "clinic.csv.alliance.json", "clients.csv", "latent.csv", "truth.json" })
            Assert.True(File.Exists(temp.Sub(f)), f);
        var truth = JsonNode.Parse(File.ReadAllText(temp.Sub("truth.json")))!;
        Assert.Equal("alliance simulate --preset clinic --seed 7 --set clients=200 --set therapists=10 --set outcome_measure=oq45", (string)truth["command"]!);
        Assert.Equal(200, (int)truth["realised"]!["clients"]!);
        Assert.Equal("OQ-45", (string)truth["parameters"]!["outcome"]!["measure"]!);
        Assert.Equal("oq45", (string)truth["settings"]!["outcome_measure"]!);
        Assert.Null(truth["settings"]!["baseline_mean"]);
        // The written file is analysable straight away.
        var (analyzeCode, _, analyzeErr) = Run("validate", temp.Sub("clinic.csv"));
        Assert.True(analyzeCode == ExitCodes.Ok, analyzeErr);
    }

    [Fact]
    public void JsonOutputHasTheDocumentedKeys()
    {
        using var temp = new TempDir();
        var (code, output, err) = Run("simulate", "--preset", "studies", "--out", temp.Path, "--set", "studies=30", "--format", "json");
        Assert.True(code == ExitCodes.Ok, err);
        var o = JsonNode.Parse(output)!.AsObject();
        foreach (string key in new[] { "n", "data", "warnings", "preset", "seed", "command", "out", "files", "headline", "truth" }) Assert.True(o.ContainsKey(key), key);
        Assert.Equal("studies", (string)o["preset"]!);
        Assert.Equal(Simulator.DefaultSeed, (long)o["seed"]!);
        Assert.Equal(30, (int)o["truth"]!["realised"]!["studies"]!);
        Assert.Equal((int)o["n"]!, (int)o["truth"]!["realised"]!["effect_sizes"]!);
    }

    [Theory]
    [InlineData("unknown setting 'foo'", "--set", "foo=1")]
    [InlineData("'abc' is not a whole number", "--set", "clients=abc")]
    [InlineData("clients = 10 is out of range", "--set", "clients=10")]
    [InlineData("expected key=value", "--set", "clients")]
    [InlineData("'x' is not one of phq9, oq45", "--set", "outcome_measure=x")]
    [InlineData("render_sessions", "--set", "render_sessions=0,3")]
    [InlineData("--threads must be at least 1", "--threads", "0")]
    public void BadSettingsExitTwoNamingTheSetting(string message, string option, string value)
    {
        using var temp = new TempDir();
        var (code, _, err) = Run("simulate", "--preset", "clinic", "--out", temp.Path, option, value);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains(message, err);
        Assert.Empty(Directory.GetFiles(temp.Path));
    }

    [Fact]
    public void MissingOutAndUnknownPresetAreUsageErrors()
    {
        Assert.Equal(ExitCodes.BadInput, Run("simulate", "--preset", "clinic").Code);
        Assert.Contains("--out DIR is required", Run("simulate", "--preset", "clinic").Err);
        Assert.Equal(ExitCodes.BadInput, Run("simulate", "--preset", "hospital", "--out", "x").Code);
        Assert.Equal(ExitCodes.BadInput, Run("simulate", "--out", "x").Code);
    }

    [Fact]
    public void ListSettingsShowsEveryKeyWithItsDefault()
    {
        var (code, output, _) = Run("simulate", "--preset", "formats", "--list-settings");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("therapist_alliance_sd", output);
        Assert.Contains("crowding", output);
        Assert.Contains("3,8", output); // formats renders sessions 3 and 8
        Assert.Contains("1800", output);
        var studies = Run("simulate", "--preset", "studies", "--list-settings").Out;
        Assert.Contains("tau2_between", studies);
        Assert.Contains("0.278", studies);
    }

    [Fact]
    public void HelpDescribesTheVerb()
    {
        var (code, output, _) = Run("simulate", "--help");
        Assert.Equal(ExitCodes.Ok, code);
        foreach (string s in new[] { "--preset", "--seed", "--out", "--set", "--threads", "--list-settings", "truth.json" }) Assert.Contains(s, output);
    }

    [Fact]
    public void SettingKeysAreSnakeCaseOfThePropertyNames()
    {
        Assert.Equal("therapist_alliance_sd", SimulationSettings.ToKey("TherapistAllianceSd"));
        Assert.Equal("tau2_between", SimulationSettings.ToKey("Tau2Between"));
        var keys = Simulator.Settings(SimulationPreset.Clinic).Select(s => s.Key).ToArray();
        Assert.Equal(keys.Length, keys.Distinct().Count());
        Assert.Contains("lag_effect", keys);
        Assert.Equal("default", Simulator.Settings(SimulationPreset.Clinic).Single(s => s.Key == "lag_effect").Default);
    }

    [Fact]
    public void ApplyCopiesAndLeavesTheOriginalUntouched()
    {
        var original = new CohortOptions();
        var changed = SimulationSettings.Apply(original, [new("clients", "2_000"), new("lag-effect", "-2.5"), new("baseline_mean", "default"), new("crowding", "0.5")]);
        Assert.Equal(1200, original.Clients);
        Assert.Equal(2000, changed.Clients);
        Assert.Equal(-2.5, changed.LagEffect);
        Assert.Null(changed.BaselineMean);
        Assert.Equal(0.5, changed.Crowding);
        Assert.Equal(-2.5, changed.ResolveOutcome().LagEffect);
    }
}
