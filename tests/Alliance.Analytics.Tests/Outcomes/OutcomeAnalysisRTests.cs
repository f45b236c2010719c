using Alliance.Analytics.Outcomes;

namespace Alliance.Analytics.Tests.Outcomes;

/// <summary>
/// Session data to clients, the between/within-therapist model and the lagged within-patient model against R 4.2.2 with
/// lme4 1.1-31 and lmerTest 3.1-3 on clinic_sessions.csv (Fixtures/Outcomes/outcome_fixtures.R → outcome_reference.csv).
/// </summary>
public sealed class OutcomeAnalysisRTests
{
    private const double ClosedForm = 1e-9;
    private const double Lme4 = 1e-4;

    private static readonly Dictionary<string, double> Ref = Load();

    private static Dictionary<string, double> Load()
    {
        var (_, rows) = OutcomeFixtures.ReadCsv("outcome_reference.csv");
        return rows.Where(r => r[1] != "NA").ToDictionary(r => r[0], r => double.Parse(r[1], CultureInfo.InvariantCulture));
    }

    private static ModelFrame Clinic() => OutcomeFixtures.Frame("clinic_sessions.csv", "session", "alliance", "symptoms");

    private static void Close(double expected, double actual, double tolerance, string what) =>
        Assert.True(Math.Abs(expected - actual) <= tolerance * Math.Max(1, Math.Abs(expected)), $"{what}: expected {expected:R}, got {actual:R}");

    private static OutcomeOptions Options => new() { Alliance = "alliance", Outcome = "symptoms", Bootstrap = null };

    [Fact]
    public void Clients_get_mean_alliance_pre_post_change_residualised_gain_and_slope_as_in_R()
    {
        var clients = ClientOutcomes.Summarize(Clinic(), new ClientOutcomeOptions { Alliance = "alliance", Outcome = "symptoms" });
        Assert.Equal((int)Ref["clients"], clients.Length);
        foreach (var id in new[] { "C001", "C050", "C120" })
        {
            var c = clients.Single(x => x.Client == id);
            Close(Ref[$"client:{id}:alliance"], c.Alliance, ClosedForm, $"{id} alliance");
            Close(Ref[$"client:{id}:pre"], c.Pre, ClosedForm, $"{id} pre");
            Close(Ref[$"client:{id}:post"], c.Post, ClosedForm, $"{id} post");
            Close(Ref[$"client:{id}:change"], c.Change, ClosedForm, $"{id} change");
            Close(Ref[$"client:{id}:rgain"], c.ResidualizedGain, ClosedForm, $"{id} residualised gain");
            Close(Ref[$"client:{id}:slope"], c.Slope, ClosedForm, $"{id} slope");
        }
    }

    [Theory]
    [InlineData(OutcomeScore.Post, "r")]
    [InlineData(OutcomeScore.Change, "r_change")]
    [InlineData(OutcomeScore.ResidualizedGain, "r_rgain")]
    [InlineData(OutcomeScore.Slope, "r_slope")]
    public void Correlation_with_each_outcome_score_matches_R(OutcomeScore score, string key)
    {
        var result = OutcomeAnalysis.Analyze(Clinic(), Options with { Score = score });
        Close(Ref[key], result.Pearson.R, ClosedForm, key);
        Assert.Equal((int)Ref["clients"], result.Pearson.N);
    }

    [Fact]
    public void Alliance_at_the_third_session_and_partial_r_and_Spearman_match_R()
    {
        var at3 = OutcomeAnalysis.Analyze(Clinic(), Options with { Timing = AllianceTiming.AtSession, AtSession = 3 });
        Close(Ref["r_session3"], at3.Pearson.R, ClosedForm, "r at session 3");
        Assert.Equal((int)Ref["n_session3"], at3.Pearson.N);
        var all = OutcomeAnalysis.Analyze(Clinic(), Options);
        Close(Ref["r_lower"], all.Pearson.Interval.Lower, ClosedForm, "lower");
        Close(Ref["r_upper"], all.Pearson.Interval.Upper, ClosedForm, "upper");
        Close(Ref["partial_r"], all.Partial!.R, ClosedForm, "partial r given pre");
        Close(Ref["spearman"], all.Spearman.R, ClosedForm, "Spearman");
    }

    [Fact]
    public void Between_and_within_therapist_model_matches_lmerTest_including_a_variance_on_the_boundary()
    {
        var result = OutcomeAnalysis.Analyze(Clinic(), Options);
        var t = result.Therapist!;
        Close(Ref["baldwin:b:ther_mean"], t.BetweenTherapist.B, Lme4, "between b");
        Close(Ref["baldwin:se:ther_mean"], t.BetweenTherapist.StandardError, Lme4, "between SE");
        Close(Ref["baldwin:p:ther_mean"], t.BetweenTherapist.PValue, 1e-3, "between p");
        Close(Ref["baldwin:b:ther_dev"], t.WithinTherapist.B, Lme4, "within b");
        Close(Ref["baldwin:se:ther_dev"], t.WithinTherapist.StandardError, Lme4, "within SE");
        Close(Ref["baldwin:df:ther_mean"], t.BetweenTherapist.DegreesOfFreedom, 1e-3, "between df");
        Close(Ref["baldwin:df:ther_dev"], t.WithinTherapist.DegreesOfFreedom, 1e-3, "within df");
        Close(Ref["baldwin:p:ther_dev"], t.WithinTherapist.PValue, 1e-3, "within p");
        Close(Ref["baldwin:b:pre"], t.Model["baseline"].Estimate, Lme4, "baseline b");
        Assert.True(t.TherapistVariance < 1e-6, $"therapist variance {t.TherapistVariance} should be on the boundary (lme4: {Ref["baldwin:therapist_variance"]})");
        Close(Ref["baldwin:residual_variance"], t.ResidualVariance, Lme4, "residual variance");
        Close(Ref["baldwin:REMLcrit"], t.Model.RemlCriterion, 1e-7, "REML criterion");
        Assert.True(t.Model.IsSingular);
        Assert.Contains(result.Warnings, w => w.Contains("singular", StringComparison.Ordinal));
    }

    [Fact]
    public void Lagged_within_patient_model_matches_lmerTest()
    {
        var r = WithinPatientModel.Fit(Clinic(), new WithinPatientOptions { Alliance = "alliance", Symptoms = "symptoms" });
        Assert.Equal((int)Ref["lag:pairs"], r.Pairs);
        Assert.Equal(r.Pairs, r.Usage.RowsUsed);
        foreach (var (ours, theirs) in new[] { ("(Intercept)", "(Intercept)"), ("alliance_within", "a_within"), ("alliance_mean", "a_mean"), ("symptoms", "y"), ("session", "session") })
        {
            Close(Ref[$"lag:b:{theirs}"], r.Model[ours].Estimate, Lme4, $"b {ours}");
            Close(Ref[$"lag:se:{theirs}"], r.Model[ours].StandardError, Lme4, $"SE {ours}");
            Close(Ref[$"lag:df:{theirs}"], r.Model[ours].DegreesOfFreedom, 1e-3, $"df {ours}");
        }
        Close(Ref["lag:REMLcrit"], r.Model.RemlCriterion, 1e-7, "REML criterion");
    }

    [Fact]
    public void Detrended_and_therapist_nested_lagged_models_match_lmerTest()
    {
        var d = WithinPatientModel.Fit(Clinic(), new WithinPatientOptions { Alliance = "alliance", Symptoms = "symptoms", Detrend = true });
        Close(Ref["lagd:b:a_within"], d.Within.B, Lme4, "detrended within b");
        Close(Ref["lagd:se:a_within"], d.Within.StandardError, Lme4, "detrended within SE");
        Close(Ref["lagd:REMLcrit"], d.Model.RemlCriterion, 1e-7, "detrended REML criterion");
        var t = WithinPatientModel.Fit(Clinic(), new WithinPatientOptions { Alliance = "alliance", Symptoms = "symptoms", Therapist = "therapist_id" });
        Close(Ref["lagt:b:a_within"], t.Within.B, Lme4, "nested within b");
        Close(Ref["lagt:se:a_within"], t.Within.StandardError, Lme4, "nested within SE");
        Close(Ref["lagt:REMLcrit"], t.Model.RemlCriterion, 1e-7, "nested REML criterion");
    }
}
