using Alliance.Analytics.Meta;

namespace Alliance.Analytics.Tests.Meta;

/// <summary>
/// Printed reference values, to the digits printed (half a unit in the last place). Each data set ships with
/// metadat/metafor. Sources: dat.raudenbush1985 from Raudenbush (2009), Table 16.3, in Cooper, Hedges &amp; Valentine
/// (eds.), The Handbook of Research Synthesis and Meta-Analysis, 2nd ed.; dat.bcg from Viechtbauer (2010), J. Stat.
/// Softw. 36(3), sections 3–4, and the examples of metafor's dat.bcg help page; dat.molloy2014, dat.egger2001 and
/// dat.konstantopoulos2011 are metafor's own documented output (the examples of their help pages), not a book table.
/// </summary>
public class PublishedValueTests
{
    private const double FourDecimals = 0.5e-4 + 1e-9, TwoDecimals = 0.5e-2 + 1e-9, ThreeDecimals = 0.5e-3 + 1e-9;

    private static void Near(double expected, double actual, double tolerance, string what) => MetaFixtures.Near(expected, actual, tolerance, what);

    /// <summary>
    /// dat.bcg, BCG vaccine trials (Colditz et al. 1994), log risk ratios; metafor documentation of dat.bcg and
    /// Viechtbauer (2010), J. Stat. Softw. 36(3), sections 3–4.
    /// </summary>
    [Fact]
    public void Bcg_random_effects_REML_with_Q_profile_intervals()
    {
        var fit = MetaAnalysis.Fit(MetaFixtures.Bcg());
        Near(0.3132, fit.Tau2, FourDecimals, "tau2");
        Near(0.1664, fit.Tau2StandardError, FourDecimals, "se tau2");
        Near(0.5597, fit.Tau, FourDecimals, "tau");
        Near(92.22, fit.I2, TwoDecimals, "I2");
        Near(12.86, fit.H2, TwoDecimals, "H2");
        Near(152.2330, fit.Q, FourDecimals, "Q");
        Assert.Equal(12, fit.QDegreesOfFreedom);
        Near(-0.7145, fit.Estimate.Estimate, FourDecimals, "mu");
        Near(0.1798, fit.Estimate.StandardError, FourDecimals, "se");
        Near(-3.9744, fit.Estimate.Statistic, FourDecimals, "z");
        Near(-1.0669, fit.Estimate.Interval.Lower, FourDecimals, "ci.lb");
        Near(-0.3622, fit.Estimate.Interval.Upper, FourDecimals, "ci.ub");
        Near(0.1197, fit.Tau2Interval.Lower, FourDecimals, "tau2 ci.lb");
        Near(1.1115, fit.Tau2Interval.Upper, FourDecimals, "tau2 ci.ub");
        Near(81.92, fit.I2Interval.Lower, TwoDecimals, "I2 ci.lb");
        Near(97.68, fit.I2Interval.Upper, TwoDecimals, "I2 ci.ub");
        Near(5.53, fit.H2Interval.Lower, TwoDecimals, "H2 ci.lb");
        Near(43.07, fit.H2Interval.Upper, TwoDecimals, "H2 ci.ub");
    }

    /// <summary>dat.bcg with Knapp–Hartung, DL and equal effects (metafor's own documented output: the dat.bcg help-page examples).</summary>
    [Fact]
    public void Bcg_Knapp_Hartung_DL_and_equal_effects()
    {
        var kh = MetaAnalysis.Fit(MetaFixtures.Bcg(), new MetaAnalysisOptions { Test = MetaTest.KnappHartung });
        Near(0.1808, kh.Estimate.StandardError, FourDecimals, "KH se");
        Near(-3.9522, kh.Estimate.Statistic, FourDecimals, "KH t");
        Assert.Equal(12, kh.DegreesOfFreedom);
        Near(-1.1084, kh.Estimate.Interval.Lower, FourDecimals, "KH ci.lb");
        Near(-0.3206, kh.Estimate.Interval.Upper, FourDecimals, "KH ci.ub");
        var dl = MetaAnalysis.Fit(MetaFixtures.Bcg(), new MetaAnalysisOptions { Estimator = TauEstimator.DerSimonianLaird });
        Near(0.3088, dl.Tau2, FourDecimals, "DL tau2");
        Near(-0.7141, dl.Estimate.Estimate, FourDecimals, "DL mu");
        var ee = MetaAnalysis.Fit(MetaFixtures.Bcg(), new MetaAnalysisOptions { Estimator = TauEstimator.EqualEffects });
        Near(-0.4303, ee.Estimate.Estimate, FourDecimals, "EE mu");
        Near(-0.5097, ee.Estimate.Interval.Lower, FourDecimals, "EE ci.lb");
        Near(-0.3509, ee.Estimate.Interval.Upper, FourDecimals, "EE ci.ub");
    }

    /// <summary>dat.bcg: trim-and-fill adds one study, μ̂ −.6571; latitude meta-regression with Knapp–Hartung: τ² .0764, R² 75.62%, QE(11) 30.7331.</summary>
    [Fact]
    public void Bcg_trim_and_fill_and_latitude_meta_regression()
    {
        var fit = MetaAnalysis.Fit(MetaFixtures.Bcg());
        var tf = PublicationBias.TrimAndFill(fit);
        Assert.Equal(1, tf.MissingStudies);
        Near(-0.6571, tf.Filled.Estimate.Estimate, FourDecimals, "trim-and-fill mu");
        var reg = MetaAnalysis.Fit(MetaFixtures.Bcg(), new MetaAnalysisOptions { Moderators = ["ablat"], Test = MetaTest.KnappHartung });
        Near(0.0764, reg.Tau2, FourDecimals, "tau2");
        Near(75.62, reg.R2!.Value, TwoDecimals, "R2");
        Near(30.7331, reg.Q, FourDecimals, "QE");
        Assert.Equal(11, reg.QDegreesOfFreedom);
    }

    /// <summary>
    /// dat.raudenbush1985 (teacher expectancy; Raudenbush 2009, Table 16.3, in Cooper, Hedges &amp; Valentine, The Handbook
    /// of Research Synthesis and Meta-Analysis, 2nd ed.): τ², μ̂ and SE by EE, ML, REML, DL and HE; REML prediction
    /// interval; QE.
    /// </summary>
    [Theory]
    [InlineData("EE", 0, 0.0604, 0.0365)]
    [InlineData("ML", 0.0126, 0.0777, 0.0475)]
    [InlineData("REML", 0.0188, 0.0837, 0.0516)]
    [InlineData("DL", 0.0259, 0.0893, 0.0558)]
    [InlineData("HE", 0.0804, 0.1143, 0.0792)]
    public void Raudenbush_table_16_3(string method, double tau2, double mu, double se)
    {
        var fit = MetaAnalysis.Fit(MetaFixtures.Raudenbush(), MetaFixtures.Options(method));
        Near(tau2, fit.Tau2, FourDecimals, method + " tau2");
        Near(mu, fit.Estimate.Estimate, FourDecimals, method + " mu");
        Near(se, fit.Estimate.StandardError, FourDecimals, method + " se");
        Near(35.8295, fit.Q, FourDecimals, "QE");
        if (method == "REML")
        {
            Near(-0.2036, fit.PredictionInterval.Lower, FourDecimals, "pi.lb");
            Near(0.3711, fit.PredictionInterval.Upper, FourDecimals, "pi.ub");
        }
    }

    /// <summary>
    /// dat.molloy2014 (conscientiousness and medication adherence; Molloy, O'Carroll &amp; Ferguson 2014), Fisher z, REML:
    /// the closest public analogue of an alliance–outcome meta-analysis (metafor's dat.molloy2014 example).
    /// </summary>
    [Fact]
    public void Molloy_fisher_z_REML_with_back_transformation()
    {
        var fit = MetaAnalysis.Fit(MetaFixtures.Molloy());
        Near(0.0081, fit.Tau2, FourDecimals, "tau2");
        Near(0.0055, fit.Tau2StandardError, FourDecimals, "se tau2");
        Near(61.73, fit.I2, TwoDecimals, "I2");
        Near(2.61, fit.H2, TwoDecimals, "H2");
        Near(38.1595, fit.Q, FourDecimals, "Q");
        Near(0.0009, fit.QPValue, FourDecimals, "Qp");
        Near(0.1499, fit.Estimate.Estimate, FourDecimals, "z");
        Near(0.0316, fit.Estimate.StandardError, FourDecimals, "se");
        Near(4.7501, fit.Estimate.Statistic, FourDecimals, "zval");
        Near(0.0881, fit.Estimate.Interval.Lower, FourDecimals, "ci.lb");
        Near(0.2118, fit.Estimate.Interval.Upper, FourDecimals, "ci.ub");
        Near(0.1488, fit.EstimateR, FourDecimals, "r");
        Near(0.0878, fit.IntervalR.Lower, FourDecimals, "r ci.lb");
        Near(0.2087, fit.IntervalR.Upper, FourDecimals, "r ci.ub");
        Near(-0.0371, fit.PredictionIntervalR.Lower, FourDecimals, "r pi.lb");
        Near(0.3248, fit.PredictionIntervalR.Upper, FourDecimals, "r pi.ub");
        Near(0.0017, fit.Tau2Interval.Lower, FourDecimals, "tau2 ci.lb");
        Near(0.0378, fit.Tau2Interval.Upper, FourDecimals, "tau2 ci.ub");
    }

    /// <summary>dat.molloy2014: τ² by DL, HS, SJ, ML, PM, HE; Knapp–Hartung CI; Egger z; trim-and-fill; raw-correlation REML.</summary>
    [Fact]
    public void Molloy_estimators_bias_and_raw_correlations()
    {
        var studies = MetaFixtures.Molloy();
        Near(0.00776, MetaAnalysis.Fit(studies, MetaFixtures.Options("DL")).Tau2, 0.5e-5, "DL");
        Near(0.0064, MetaAnalysis.Fit(studies, MetaFixtures.Options("HS")).Tau2, FourDecimals, "HS");
        Near(0.0130, MetaAnalysis.Fit(studies, MetaFixtures.Options("SJ")).Tau2, FourDecimals, "SJ");
        Near(0.00693, MetaAnalysis.Fit(studies, MetaFixtures.Options("ML")).Tau2, 0.5e-5, "ML");
        Near(0.00948, MetaAnalysis.Fit(studies, MetaFixtures.Options("PM")).Tau2, 0.5e-5, "PM");
        Near(0.01089, MetaAnalysis.Fit(studies, MetaFixtures.Options("HE")).Tau2, 0.5e-5, "HE");
        var kh = MetaAnalysis.Fit(studies, MetaFixtures.Options("REML", "knha"));
        Near(0.0801, kh.Estimate.Interval.Lower, FourDecimals, "KH ci.lb");
        Near(0.2198, kh.Estimate.Interval.Upper, FourDecimals, "KH ci.ub");
        var fit = MetaAnalysis.Fit(studies);
        var egger = PublicationBias.Egger(fit);
        Near(1.0216, egger.Statistic, FourDecimals, "Egger z");
        Near(0.307, egger.PValue, ThreeDecimals, "Egger p");
        var tf = PublicationBias.TrimAndFill(fit);
        Assert.Equal(2, tf.MissingStudies);
        Assert.Equal(FunnelSide.Left, tf.Side);
        Near(0.1288, tf.Filled.Estimate.Estimate, FourDecimals, "trim-and-fill estimate");
        var raw = MetaAnalysis.Fit(MetaFixtures.Molloy(EffectMeasure.RawCorrelation));
        Near(0.1524, raw.Estimate.Estimate, FourDecimals, "raw r");
    }

    /// <summary>dat.egger2001 (magnesium trials, ISIS-4 excluded; Egger, Davey Smith &amp; Altman 2001): REML, classical and random-effects Egger tests.</summary>
    [Fact]
    public void Egger2001_regression_tests()
    {
        var fit = MetaAnalysis.Fit(MetaFixtures.Egger2001());
        Assert.Equal(15, fit.K);
        Near(0.1911, fit.Tau2, FourDecimals, "tau2");
        Near(-0.8745, fit.Estimate.Estimate, FourDecimals, "mu");
        var lm = PublicationBias.EggerClassical(fit);
        Near(-3.1783, lm.Statistic, FourDecimals, "t");
        Assert.Equal(13, lm.DegreesOfFreedom);
        Near(0.0073, lm.PValue, FourDecimals, "p (lm)");
        var re = PublicationBias.Egger(fit);
        Near(-2.8062, re.Statistic, FourDecimals, "z");
        Near(0.0050, re.PValue, FourDecimals, "p (rma)");
    }

    /// <summary>dat.konstantopoulos2011 (schools within districts; Konstantopoulos 2011, Res. Synth. Methods 2, 61–76): three-level REML with profile intervals.</summary>
    [Fact]
    public void Konstantopoulos_three_level_variance_components()
    {
        var fit = MetaAnalysis.FitMultilevel(MetaFixtures.Konstantopoulos());
        Assert.Equal(56, fit.K);
        Assert.Equal(11, fit.Clusters);
        Near(0.0651, fit.Sigma2[0], FourDecimals, "sigma2 district");
        Near(0.0327, fit.Sigma2[1], FourDecimals, "sigma2 school");
        Near(0.0222, fit.Sigma2Intervals[0].Lower, FourDecimals, "district ci.lb");
        Near(0.2072, fit.Sigma2Intervals[0].Upper, FourDecimals, "district ci.ub");
        Near(0.0163, fit.Sigma2Intervals[1].Lower, FourDecimals, "school ci.lb");
        Near(0.0628, fit.Sigma2Intervals[1].Upper, FourDecimals, "school ci.ub");
    }
}
