using System.Text.Json.Nodes;
using static Alliance.Analytics.Tests.Cli.CliRun;

namespace Alliance.Analytics.Tests.Cli;

/// <summary><c>alliance outcome</c>: every option reaches <c>OutcomeOptions</c>, seen in the JSON's settings or in its effect.</summary>
public sealed class OutcomeParseTests : IDisposable
{
    private readonly CliFiles _files = new();
    private readonly string _clinic;

    public OutcomeParseTests() => _clinic = _files.Clinic();

    public void Dispose() => _files.Dispose();

    /// <summary>Total WAI-SR against symptoms, with few bootstrap resamples unless the test asks for more.</summary>
    private JsonObject Run(params string[] options) =>
        Json(["outcome", _clinic, "--alliance", "total", "--outcome", "symptoms", .. options.Contains("--bootstrap") ? options : [.. options, "--bootstrap", "100"]]);

    [Fact]
    public void DefaultsAreEchoedInTheSettings()
    {
        var s = Run()["settings"]!;
        Assert.Equal("total", s["alliance"]!.GetValue<string>());
        Assert.Equal("symptoms", s["outcome"]!.GetValue<string>());
        Assert.Null(s["baseline"]);
        Assert.Equal("mean", s["alliance_timing"]!.GetValue<string>());
        Assert.Equal("post", s["outcome_score"]!.GetValue<string>());
        Assert.False(s["higher_is_better"]!.GetValue<bool>());
        Assert.Null(s["rater"]);
        Assert.Equal(Defaults.Level, Num(s["level"]));
        Assert.Equal(Defaults.Seed, (long)Num(s["bootstrap_seed"]));
        Assert.Equal(("client_id", "therapist_id", "session"), (s["client"]!.GetValue<string>(), s["therapist"]!.GetValue<string>(), s["session"]!.GetValue<string>()));
    }

    [Fact]
    public void SettingsOptionsReachTheOptions()
    {
        var s = Run("--baseline", "baseline", "--alliance-at", "3", "--outcome-score", "residual-gain", "--rater", "client", "--higher-is-better", "--level", "0.9")["settings"]!;
        Assert.Equal("baseline", s["baseline"]!.GetValue<string>());
        Assert.Equal("atsession", s["alliance_timing"]!.GetValue<string>());
        Assert.Equal(3, Num(s["at_session"]));
        Assert.Equal("residualized_gain", s["outcome_score"]!.GetValue<string>());
        Assert.Equal("client", s["rater"]!.GetValue<string>());
        Assert.True(s["higher_is_better"]!.GetValue<bool>());
        Assert.Equal(0.9, Num(s["level"]));
        Assert.Equal("first", Run("--alliance-at", "first")["settings"]!["alliance_timing"]!.GetValue<string>());
        Assert.Equal("change", Run("--outcome-score", "change")["settings"]!["outcome_score"]!.GetValue<string>());
    }

    [Fact]
    public void LevelNarrowsTheIntervals()
    {
        var (lo90, hi90) = Interval(Run("--level", "0.9")["r_ci"]);
        var (lo95, hi95) = Interval(Run()["r_ci"]);
        Assert.True(hi90 - lo90 < hi95 - lo95);
    }

    [Fact]
    public void SeedAndBootstrapReachTheBootstrap()
    {
        var seven = Run("--seed", "7");
        Assert.Equal(100, Num(seven["r_bootstrap_resamples"]));
        Assert.Equal(7, Num(seven["settings"]!["bootstrap_seed"]));
        Assert.NotEqual(Interval(seven["r_bootstrap_ci"]), Interval(Run("--seed", "8")["r_bootstrap_ci"]));
        Assert.Equal(Interval(seven["r_bootstrap_ci"]), Interval(Run("--seed", "7")["r_bootstrap_ci"]));
        var none = Run("--bootstrap", "0");
        Assert.Null(none["r_bootstrap_ci"]);
        Assert.Null(none["settings"]!["bootstrap_seed"]);
    }

    [Fact]
    public void BaselineControlsThePartialR()
    {
        // Without --baseline, pre is the outcome at the client's first session.
        Assert.NotEqual(Num(Run()["partial_r"]), Num(Run("--baseline", "baseline")["partial_r"]));
        Assert.Equal("baseline", Run("--baseline", "baseline")["settings"]!["baseline"]!.GetValue<string>());
    }

    [Fact]
    public void ColumnOptionsChooseTheColumns()
    {
        var byTherapist = Run();
        Assert.NotNull(byTherapist["between_therapist"]);
        Assert.Equal(8, Num(byTherapist["therapists"]));
        // Each therapist as "client": eight rows after summarising.
        var s = Run("--client", "therapist_id", "--therapist", "rater");
        Assert.Equal(8, Num(s["n"]));
        Assert.Equal("therapist_id", s["settings"]!["client"]!.GetValue<string>());
        Assert.Equal("rater", s["settings"]!["therapist"]!.GetValue<string>());
        Assert.Null(s["between_therapist"]);
        Assert.Equal("baseline", Run("--session", "baseline")["settings"]!["session"]!.GetValue<string>());
    }

    [Fact]
    public void ReliabilitiesGiveTheDisattenuatedR()
    {
        var doc = Run("--alliance-reliability", "0.8", "--outcome-reliability", "0.9");
        Assert.Equal(Num(doc["r"]) / Math.Sqrt(0.72), Num(doc["disattenuated_r"]), 12);
        Assert.Null(Run()["disattenuated_r"]);
    }

    [Fact]
    public void LaggedAndDetrendFitTheWithinPatientModel()
    {
        Assert.Null(Run()["within_patient"]);
        var lagged = Run("--lagged")["within_patient"]!;
        Assert.False(lagged["detrended"]!.GetValue<bool>());
        Assert.True(Run("--lagged", "--detrend")["within_patient"]!["detrended"]!.GetValue<bool>());
    }

    [Fact]
    public void PlotWritesTheScatter()
    {
        string plot = Path.Combine(_files.Dir, "scatter.svg");
        Run("--plot", plot);
        Assert.Contains("<svg", File.ReadAllText(plot));
    }
}
