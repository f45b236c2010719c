using System.Text.Json.Nodes;
using Alliance.Analytics.Meta;

namespace Alliance.Analytics.Tests.Meta;

/// <summary>
/// The metafor reference data sets and the R results made by Fixtures/Meta/meta-fixtures.R (metafor 3.8-1,
/// metadat 1.2-0, clubSandwich 0.5.8, R 4.2.2; versions are printed into each JSON file).
/// </summary>
internal static class MetaFixtures
{
    /// <summary>Estimates and τ²: 1e-5 (the bar); intervals 1e-4.</summary>
    public const double Estimate = 1e-5, IntervalTolerance = 1e-4;

    /// <summary>Where metafor's own algorithm is reproduced step for step, agreement is to rounding.</summary>
    public const double Rounding = 1e-9;

    public static string Path(string file) => System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", "Meta", file);

    public static JsonNode Json(string name) => JsonNode.Parse(File.ReadAllText(Path(name + ".json")))!;

    /// <summary>Edge cases and unprinted statistics made by Fixtures/Meta/meta-edge-fixtures.R.</summary>
    public static JsonNode Edge(string key) => Json("meta-edge")[key]!;

    public static StudySet Bcg() => StudyTable.Load(Path("bcg.csv"));
    public static StudySet Raudenbush() => StudyTable.Load(Path("raudenbush1985.csv"));
    public static StudySet Molloy(EffectMeasure measure = EffectMeasure.FisherZ) => StudyTable.Load(Path("molloy2014.csv"), new StudyTableSpec { Measure = measure });
    public static StudySet Egger2001() => StudyTable.Load(Path("egger2001.csv"));
    public static StudySet Konstantopoulos() => StudyTable.Load(Path("konstantopoulos2011.csv"), new StudyTableSpec { Cluster = "district" });

    public static double D(this JsonNode? node) => node is null ? double.NaN : node.GetValue<double>();
    public static double D(this JsonNode node, int i) => node.AsArray()[i].D();
    public static double[] Array(this JsonNode? node) => node is JsonArray a ? [.. a.Select(x => x.D())] : [node.D()];

    public static void Near(double expected, double actual, double tolerance, string what)
    {
        if (double.IsNaN(expected) && double.IsNaN(actual)) return;
        Assert.True(Math.Abs(expected - actual) <= tolerance, $"{what}: expected {expected:R}, got {actual:R} (difference {Math.Abs(expected - actual):G3} > {tolerance:G2})");
    }

    public static void Near(IReadOnlyList<double> expected, IReadOnlyList<double> actual, double tolerance, string what)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++) Near(expected[i], actual[i], tolerance, $"{what}[{i}]");
    }

    /// <summary>Compares a fit with the fit_list() of meta-fixtures.R: coefficients, τ² and its SE, I², H², Q, QM, intervals.</summary>
    public static void AssertMatches(JsonNode r, RandomEffectsFit fit, double estimateTol = Estimate, double intervalTol = IntervalTolerance)
    {
        string m = r["method"]!.GetValue<string>();
        Assert.Equal((int)r["k"].D(), fit.K);
        Near(r["beta"].Array(), [.. fit.Coefficients.Select(c => c.Estimate)], estimateTol, m + " beta");
        Near(r["se"].Array(), [.. fit.Coefficients.Select(c => c.StandardError)], estimateTol, m + " se");
        Near(r["zval"].Array(), [.. fit.Coefficients.Select(c => c.Statistic)], estimateTol * 10, m + " z");
        Near(r["pval"].Array(), [.. fit.Coefficients.Select(c => c.PValue)], estimateTol, m + " p");
        Near(r["ci_lb"].Array(), [.. fit.Coefficients.Select(c => c.Interval.Lower)], intervalTol, m + " ci.lb");
        Near(r["ci_ub"].Array(), [.. fit.Coefficients.Select(c => c.Interval.Upper)], intervalTol, m + " ci.ub");
        Near(r["tau2"].D(), fit.Tau2, estimateTol, m + " tau2");
        if (m != "EE") Near(r["se_tau2"].D(), fit.Tau2StandardError, estimateTol, m + " se.tau2");
        Near(r["I2"].D(), fit.I2, estimateTol * 100, m + " I2");
        Near(r["H2"].D(), fit.H2, estimateTol * 10, m + " H2");
        Near(r["QE"].D(), fit.Q, estimateTol, m + " QE");
        Near(r["QEp"].D(), fit.QPValue, estimateTol, m + " QEp");
        Near(r["QM"].D(), fit.QM, estimateTol * 10, m + " QM");
        Near(r["QMp"].D(), fit.QMPValue, estimateTol, m + " QMp");
        Near(r["ll_ml"].D(), fit.LogLikelihoodML, estimateTol, m + " logLik ML");
        Near(r["ll_reml"].D(), fit.LogLikelihoodREML, estimateTol, m + " logLik REML");
        Near(r["weights"].Array(), [.. fit.Weights], estimateTol * 10, m + " weights");
        if (r["pi_lb"] is JsonArray { Count: 0 }) Assert.False(fit.PredictionInterval.IsKnown, m + ": no prediction interval without τ²");
        if (r["R2"] is { } r2)
        {
            Assert.True(fit.R2.HasValue, m + ": metafor reports R², we do not");
            Near(r2.D(), fit.R2!.Value, estimateTol * 100, m + " R2");
        }
        if (r["pi_lb"] is JsonValue pl)
        {
            Near(pl.D(), fit.PredictionInterval.Lower, intervalTol, m + " pi.lb");
            Near(r["pi_ub"].D(), fit.PredictionInterval.Upper, intervalTol, m + " pi.ub");
        }
        if (r["tau2_ci"] is JsonArray tci)
        {
            Near(tci.D(0), fit.Tau2Interval.Lower, intervalTol, m + " tau2 ci.lb");
            Near(tci.D(1), fit.Tau2Interval.Upper, intervalTol, m + " tau2 ci.ub");
            Near(r["I2_ci"]!.D(0), fit.I2Interval.Lower, intervalTol * 100, m + " I2 ci.lb");
            Near(r["I2_ci"]!.D(1), fit.I2Interval.Upper, intervalTol * 100, m + " I2 ci.ub");
            Near(r["H2_ci"]!.D(0), fit.H2Interval.Lower, intervalTol * 10, m + " H2 ci.lb");
            Near(r["H2_ci"]!.D(1), fit.H2Interval.Upper, intervalTol * 10, m + " H2 ci.ub");
        }
    }

    public static MetaAnalysisOptions Options(string method, string test = "z", params string[] mods) => new()
    {
        Estimator = MetaNames.ParseEstimator(method),
        Test = MetaNames.ParseTest(test),
        Moderators = [.. mods],
    };
}
