using System.Text;
using System.Text.Json.Nodes;
using Alliance.Analytics.Cli;
using Alliance.Analytics.Numerics;
using Alliance.Analytics.Outcomes;
using Alliance.Analytics.Plotting;

namespace Alliance.Analytics.Tests.Outcomes;

/// <summary><c>alliance outcome</c>: JSON keys of the issue, the score computed on the fly, errors, plots, and the main-job section.</summary>
public sealed class OutcomeCliTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _file;
    private static readonly string Items = string.Join(',', Enumerable.Range(1, 12).Select(i => "q" + i));

    public OutcomeCliTests()
    {
        // 24 therapists × 6 clients × 5 sessions of WAI-SR items (1–5) and PHQ-9 (0–27), alliance lowering symptoms.
        var rng = RandomStream.Create(2026);
        var sb = new StringBuilder("client_id,therapist_id,session," + Items + ",phq9\n");
        for (int t = 0; t < 24; t++)
        {
            double th = rng.NextNormal(0, 0.4);
            for (int c = 0; c < 6; c++)
            {
                double trait = th + rng.NextNormal(0, 0.6), start = rng.NextNormal(16, 4);
                for (int s = 1; s <= 5; s++)
                {
                    double latent = trait + rng.NextNormal(0, 0.3);
                    var items = Enumerable.Range(0, 12).Select(_ => Math.Clamp(Math.Round(3.8 + latent + rng.NextNormal(0, 0.7)), 1, 5));
                    double phq = Math.Clamp(Math.Round(start - (1.0 + 0.8 * trait) * (s - 1) + rng.NextNormal(0, 2)), 0, 27);
                    sb.Append(CultureInfo.InvariantCulture, $"c{t}-{c},t{t},{s},").Append(string.Join(',', items.Select(v => v.ToString(CultureInfo.InvariantCulture))))
                      .Append(CultureInfo.InvariantCulture, $",{phq}\n");
                }
            }
        }
        _file = _dir.File("sessions.csv", sb.ToString());
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Json_has_the_issue_keys_with_the_total_score_computed_on_the_fly()
    {
        var (exit, output, err) = CliRunner.Run("outcome", _file, "--instrument", "WAI-SR", "--items", Items, "--alliance", "total",
            "--outcome", "phq9", "--baseline", "phq9", "--format", "json", "--bootstrap", "200");
        Assert.True(exit == ExitCodes.Ok, err);
        var doc = JsonNode.Parse(output)!.AsObject();
        foreach (var key in new[] { "n", "r", "r_ci", "spearman", "partial_r", "between_therapist", "within_therapist", "therapist_variance", "residual_variance", "therapist_icc", "benchmark" })
            Assert.True(doc.ContainsKey(key), $"missing key {key}");
        Assert.Equal(144, doc["n"]!.GetValue<int>());
        foreach (var effect in new[] { "between_therapist", "within_therapist" })
            foreach (var key in new[] { "b", "se", "p" })
                Assert.NotNull(doc[effect]![key]);
        Assert.Equal(2, doc["r_ci"]!.AsArray().Count);
        Assert.Equal(4, doc["benchmark"]!["comparisons"]!.AsArray().Count);
        Assert.True(doc["r"]!.GetValue<double>() < 0, "more alliance, fewer symptoms at the end");
    }

    [Fact]
    public void Json_r_equals_the_library_on_the_same_scores()
    {
        var (_, output, _) = CliRunner.Run("outcome", _file, "--instrument", "WAI-SR", "--items", Items, "--alliance", "total",
            "--outcome", "phq9", "--format", "json", "--bootstrap", "0", "--alliance-at", "3");
        var doc = JsonNode.Parse(output)!.AsObject();
        var data = Alliance.Analytics.Data.AnalysisData.Load(_file, new Alliance.Analytics.Data.DataSpec { Instrument = "WAI-SR", Items = [.. Items.Split(',')] });
        var scores = Alliance.Analytics.Scoring.InstrumentScoring.Score(data);
        var frame = ModelFrame.From(data).WithNumeric("total", scores["total"].AsSpan());
        var lib = OutcomeAnalysis.Analyze(frame, new OutcomeOptions { Alliance = "total", Outcome = "phq9", Timing = AllianceTiming.AtSession, AtSession = 3, Bootstrap = null });
        Assert.Equal(lib.Pearson.R, doc["r"]!.GetValue<double>(), 12);
        Assert.Null(doc["r_bootstrap_ci"]);
        Assert.Equal(lib.Pearson.N, doc["n"]!.GetValue<int>());
    }

    [Fact]
    public void Table_output_shows_correlations_therapist_model_and_benchmark_in_words()
    {
        var (exit, output, err) = CliRunner.Run("outcome", _file, "--instrument", "WAI-SR", "--items", Items, "--alliance", "total",
            "--outcome", "phq9", "--baseline", "phq9", "--bootstrap", "200", "--lagged");
        Assert.True(exit == ExitCodes.Ok, err);
        Assert.Contains("Pearson r", output);
        Assert.Contains("between therapists", output);
        Assert.Contains("Flückiger", output);
        Assert.Contains("published studies found a weaker association", output);
        Assert.Contains("Within-patient lagged effect", output);
    }

    [Fact]
    public void Unknown_column_and_missing_required_options_exit_2_with_a_message()
    {
        var (exit, _, err) = CliRunner.Run("outcome", _file, "--instrument", "WAI-SR", "--items", Items, "--alliance", "total", "--outcome", "gaf");
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("gaf", err);
        Assert.Equal(ExitCodes.BadInput, CliRunner.Run("outcome", _file, "--outcome", "phq9").Exit);
        var (exit2, _, err2) = CliRunner.Run("outcome", _file, "--instrument", "WAI-SR", "--items", Items, "--alliance", "total", "--outcome", "phq9", "--alliance-at", "soon");
        Assert.Equal(ExitCodes.BadInput, exit2);
        Assert.Contains("--alliance-at", err2);
    }

    [Fact]
    public void Without_items_the_outcome_column_is_read_as_an_item_and_help_says_to_pass_items()
    {
        var (exit, _, err) = CliRunner.Run("outcome", _file, "--instrument", "WAI-SR", "--alliance", "total", "--outcome", "phq9");
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("--items", err);
        var (_, help, _) = CliRunner.Run("outcome", "--help");
        Assert.Contains("--items", help);
        Assert.Contains("not items", help);
    }

    [Fact]
    public void Rows_dropped_by_drop_invalid_are_in_session_data_and_a_named_missing_column_is_refused()
    {
        var lines = File.ReadAllLines(_file);
        var cells = lines[3].Split(',');
        cells[3] = "9"; // q1 outside 1–5
        lines[3] = string.Join(',', cells);
        string bad = _dir.File("bad.csv", string.Join('\n', lines) + "\n");
        var (exit, output, err) = CliRunner.Run("outcome", bad, "--instrument", "WAI-SR", "--items", Items, "--alliance", "total",
            "--outcome", "phq9", "--format", "json", "--bootstrap", "0", "--drop-invalid");
        Assert.True(exit == ExitCodes.Ok, err);
        var sessions = JsonNode.Parse(output)!["session_data"]!;
        Assert.Equal(720, sessions["rows_available"]!.GetValue<int>());
        Assert.Equal(719, sessions["rows_used"]!.GetValue<int>());
        Assert.Contains(4, sessions["excluded"]![0]!["lines"]!.AsArray().Select(l => l!.GetValue<int>()));

        var (exit2, _, err2) = CliRunner.Run("outcome", _file, "--instrument", "WAI-SR", "--items", Items, "--alliance", "total",
            "--outcome", "phq9", "--bootstrap", "0", "--session", "visit");
        Assert.Equal(ExitCodes.BadInput, exit2);
        Assert.Contains("'visit'", err2);
        var (exit3, _, err3) = CliRunner.Run("outcome", _file, "--instrument", "WAI-SR", "--items", Items, "--alliance", "total",
            "--outcome", "phq9", "--bootstrap", "0", "--client", "client_id", "--therapist", "therapist_id");
        Assert.True(exit3 == ExitCodes.Ok, err3);
    }

    [Fact]
    public void Plot_option_writes_a_png()
    {
        string png = Path.Combine(_dir.Path, "scatter.png");
        var (exit, _, err) = CliRunner.Run("outcome", _file, "--instrument", "WAI-SR", "--items", Items, "--alliance", "total", "--outcome", "phq9",
            "--bootstrap", "0", "--plot", png);
        Assert.True(exit == ExitCodes.Ok, err);
        var bytes = File.ReadAllBytes(png);
        Assert.True(bytes.Length > 1000 && bytes[1] == 'P' && bytes[2] == 'N' && bytes[3] == 'G');
    }

    [Fact]
    public void Caterpillar_and_trajectory_charts_render()
    {
        var data = Alliance.Analytics.Data.AnalysisData.Load(_file, new Alliance.Analytics.Data.DataSpec { Instrument = "WAI-SR", Items = [.. Items.Split(',')] });
        var frame = ModelFrame.From(data);
        var fit = LinearMixedModel.Fit("phq9 ~ session + (1 | therapist_id/client_id)", frame);
        Assert.True(PlotExport.ToPng(OutcomePlots.CaterpillarChart(fit, "therapist_id")).Length > 1000);
        Assert.True(PlotExport.ToPng(OutcomePlots.TrajectoryChart(frame, "phq9")).Length > 1000);
        Assert.Throws<ArgumentException>(() => OutcomePlots.CaterpillarChart(fit, "therapist_id", "session"));
    }

    [Fact]
    public void Main_job_runs_the_outcome_section()
    {
        var (exit, output, err) = CliRunner.Run("analyze", _file, "--instrument", "WAI-SR", "--items", Items, "--format", "json");
        Assert.True(exit == ExitCodes.Ok, err + output);
        var doc = JsonNode.Parse(output)!.AsObject();
        Assert.Equal("ok", doc["section_status"]!["outcome"]!["status"]!.GetValue<string>());
        Assert.NotNull(doc["sections"]!["outcome"]!["r"]);
    }
}
