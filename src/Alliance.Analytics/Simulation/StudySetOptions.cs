using System.ComponentModel;
using System.Globalization;

namespace Alliance.Analytics.Simulation;

/// <summary>
/// The generative model of a meta-analytic study set like the alliance–outcome meta-analyses (Flückiger et al. 2018:
/// 295 studies): per study a sample size, one or more effect sizes (three-level: effect sizes within studies),
/// moderators with settable effects, a true mean correlation ρ with between- and within-study heterogeneity on the
/// Fisher-z scale, and optional suppression of non-significant studies (publication bias). Every property is a
/// setting of <c>alliance simulate --preset studies --set key=value</c>. Formulas: docs/methods/simulation.md.
/// </summary>
/// <remarks>
/// True Fisher z of effect size l in study s: ζ_sl = atanh(ρ) + Σ_m β_m (x_m,sl − E x_m) + u_s + w_sl with
/// u_s ~ N(0, σ²_between), w_sl ~ N(0, σ²_within); moderators are centred at their population means, so ρ = tanh(E ζ)
/// is what an intercept-only three-level model estimates. The observed r is the Pearson correlation of n pairs drawn
/// from a bivariate normal with correlation tanh(ζ_sl): an exact draw from r's sampling distribution.
/// </remarks>
public sealed record StudySetOptions
{
    /// <summary>Number of (published) studies k.</summary>
    [Description("number of published studies")]
    public int Studies { get; init; } = 295;

    /// <summary>ρ: the true mean alliance–outcome correlation, tanh of the mean true Fisher z.</summary>
    [Description("true mean correlation rho = tanh(mean Fisher z)")]
    public double Rho { get; init; } = 0.278;

    /// <summary>σ²_between: variance of true study effects (Fisher z).</summary>
    [Description("between-study variance of true Fisher z")]
    public double Tau2Between { get; init; } = 0.010;

    /// <summary>σ²_within: variance of true effect sizes within a study (Fisher z).</summary>
    [Description("within-study variance of true Fisher z")]
    public double Tau2Within { get; init; } = 0.004;

    /// <summary>Median sample size (log-normal distribution of n).</summary>
    [Description("median sample size (log-normal)")]
    public double SampleSizeMedian { get; init; } = 65;

    /// <summary>SD of log sample size.</summary>
    [Description("SD of log sample size")]
    public double SampleSizeLogSd { get; init; } = 0.95;

    /// <summary>Smallest sample size (smaller draws are redrawn: a truncated log-normal).</summary>
    [Description("smallest sample size (truncation)")]
    public int SampleSizeMin { get; init; } = 12;

    /// <summary>Largest sample size (larger draws are redrawn).</summary>
    [Description("largest sample size (truncation)")]
    public int SampleSizeMax { get; init; } = 3000;

    /// <summary>Probabilities of 1, 2, 3 … effect sizes per study (comma-separated; normalised).</summary>
    [Description("probabilities of 1, 2, 3 ... effect sizes per study")]
    public string EffectsPerStudy { get; init; } = "0.55,0.25,0.12,0.05,0.03";

    /// <summary>Shares of alliance raters client, therapist, observer (per effect size).</summary>
    [Description("shares of rater client,therapist,observer")]
    public string RaterShares { get; init; } = "0.60,0.20,0.20";

    /// <summary>Shares of alliance measures WAI, CALPAS, HAq, VPPS, other (per effect size).</summary>
    [Description("shares of measure wai,calpas,haq,vpps,other")]
    public string MeasureShares { get; init; } = "0.45,0.12,0.12,0.06,0.25";

    /// <summary>Shares of alliance timing early, mid, late, averaged (per effect size).</summary>
    [Description("shares of timing early,mid,late,averaged")]
    public string TimingShares { get; init; } = "0.45,0.15,0.15,0.25";

    /// <summary>Share of randomised controlled trials (per study).</summary>
    [Description("share of RCTs among studies")]
    public double RctShare { get; init; } = 0.45;

    /// <summary>Median patient-to-therapist ratio (log-normal).</summary>
    [Description("median patient-to-therapist ratio (log-normal)")]
    public double RatioMedian { get; init; } = 6;

    /// <summary>SD of the log patient-to-therapist ratio.</summary>
    [Description("SD of log patient-to-therapist ratio")]
    public double RatioLogSd { get; init; } = 0.8;

    /// <summary>First publication year.</summary>
    [Description("first publication year")]
    public int YearFirst { get; init; } = 1978;

    /// <summary>Last publication year.</summary>
    [Description("last publication year")]
    public int YearLast { get; init; } = 2017;

    /// <summary>Beta shape a of the publication-year distribution on [first, last] (a &gt; b: more recent studies).</summary>
    [Description("beta shape a of the year distribution")]
    public double YearShapeA { get; init; } = 2.2;

    /// <summary>Beta shape b of the publication-year distribution.</summary>
    [Description("beta shape b of the year distribution")]
    public double YearShapeB { get; init; } = 1.2;

    /// <summary>β: effect on Fisher z of a therapist rater (reference: client).</summary>
    [Description("effect on z of therapist rater (vs client)")]
    public double EffectRaterTherapist { get; init; } = -0.03;

    /// <summary>β: effect on Fisher z of an observer rater (reference: client).</summary>
    [Description("effect on z of observer rater (vs client)")]
    public double EffectRaterObserver { get; init; }

    /// <summary>β: effect on Fisher z of the CALPAS (reference: WAI).</summary>
    [Description("effect on z of CALPAS (vs WAI)")]
    public double EffectMeasureCalpas { get; init; }

    /// <summary>β: effect on Fisher z of the HAq (reference: WAI).</summary>
    [Description("effect on z of HAq (vs WAI)")]
    public double EffectMeasureHaq { get; init; } = 0.02;

    /// <summary>β: effect on Fisher z of the VPPS (reference: WAI).</summary>
    [Description("effect on z of VPPS (vs WAI)")]
    public double EffectMeasureVpps { get; init; } = -0.02;

    /// <summary>β: effect on Fisher z of another measure (reference: WAI).</summary>
    [Description("effect on z of other measures (vs WAI)")]
    public double EffectMeasureOther { get; init; } = -0.02;

    /// <summary>β: effect on Fisher z of alliance measured mid-treatment (reference: early).</summary>
    [Description("effect on z of mid timing (vs early)")]
    public double EffectTimingMid { get; init; }

    /// <summary>β: effect on Fisher z of alliance measured late (reference: early).</summary>
    [Description("effect on z of late timing (vs early)")]
    public double EffectTimingLate { get; init; } = 0.03;

    /// <summary>β: effect on Fisher z of alliance averaged over treatment (reference: early).</summary>
    [Description("effect on z of averaged timing (vs early)")]
    public double EffectTimingAveraged { get; init; } = 0.01;

    /// <summary>β: effect on Fisher z per doubling of the patient-to-therapist ratio (log2 ratio).</summary>
    [Description("effect on z per doubling of patient-to-therapist ratio")]
    public double EffectRatio { get; init; } = 0.03;

    /// <summary>β: effect on Fisher z of an RCT (reference: other designs).</summary>
    [Description("effect on z of RCT design (vs naturalistic)")]
    public double EffectRct { get; init; } = -0.02;

    /// <summary>β: effect on Fisher z per decade of publication year.</summary>
    [Description("effect on z per decade of publication year")]
    public double EffectYear { get; init; }

    /// <summary>
    /// Probability that a study whose first effect size is not significantly positive (two-sided p ≥ .05 or r ≤ 0) is
    /// published; 1 means no publication bias. Suppressed studies are replaced until <see cref="Studies"/> are published.
    /// </summary>
    [Description("probability a non-significant study is published (1 = no publication bias)")]
    public double PublishNonsignificant { get; init; } = 1;

    /// <summary>Rater levels, in order of <see cref="RaterShares"/>.</summary>
    public static IReadOnlyList<string> Raters { get; } = ["client", "therapist", "observer"];

    /// <summary>Measure levels, in order of <see cref="MeasureShares"/>.</summary>
    public static IReadOnlyList<string> Measures { get; } = ["wai", "calpas", "haq", "vpps", "other"];

    /// <summary>Timing levels, in order of <see cref="TimingShares"/>.</summary>
    public static IReadOnlyList<string> Timings { get; } = ["early", "mid", "late", "averaged"];

    /// <summary>The effect-size count probabilities, normalised.</summary>
    public double[] ResolveEffectsPerStudy() => Shares(EffectsPerStudy, "effects_per_study", null);

    /// <summary>The rater shares, normalised.</summary>
    public double[] ResolveRaterShares() => Shares(RaterShares, "rater_shares", Raters.Count);

    /// <summary>The measure shares, normalised.</summary>
    public double[] ResolveMeasureShares() => Shares(MeasureShares, "measure_shares", Measures.Count);

    /// <summary>The timing shares, normalised.</summary>
    public double[] ResolveTimingShares() => Shares(TimingShares, "timing_shares", Timings.Count);

    /// <summary>Effects of the rater levels (reference first, 0).</summary>
    public double[] RaterEffects => [0, EffectRaterTherapist, EffectRaterObserver];

    /// <summary>Effects of the measure levels (reference first, 0).</summary>
    public double[] MeasureEffects => [0, EffectMeasureCalpas, EffectMeasureHaq, EffectMeasureVpps, EffectMeasureOther];

    /// <summary>Effects of the timing levels (reference first, 0).</summary>
    public double[] TimingEffects => [0, EffectTimingMid, EffectTimingLate, EffectTimingAveraged];

    /// <summary>
    /// A pre-flight estimate of the memory the study set needs, in bytes: about 160 bytes an effect size (the record, its
    /// strings shared) at the largest number of effect sizes a study may have, five times that for a table's rows.
    /// </summary>
    public long EstimatedMemoryBytes => (long)Studies * ResolveEffectsPerStudy().Length * 160 * 5;

    /// <summary>Refuses a study set whose <see cref="EstimatedMemoryBytes"/> exceed the memory available to the process.</summary>
    /// <exception cref="AllianceInputException">When the estimate exceeds the memory available, naming both.</exception>
    public void CheckMemory() => Limits.CheckMemory(EstimatedMemoryBytes,
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"simulating {Studies:N0} studies"), "lower the setting studies");

    /// <summary>Checks every setting's range.</summary>
    /// <exception cref="AllianceInputException">When a setting is out of range, naming it by its --set key.</exception>
    public void Validate()
    {
        CohortOptions.Require(Studies is >= 1 and <= Limits.MaxSimulatedStudies, "studies", Studies, "between 1 and 1,000,000");
        CohortOptions.Require(Rho is > -1 and < 1, "rho", Rho, "strictly between −1 and 1");
        CohortOptions.Require(Tau2Between >= 0 && double.IsFinite(Tau2Between), "tau2_between", Tau2Between, "zero or positive");
        CohortOptions.Require(Tau2Within >= 0 && double.IsFinite(Tau2Within), "tau2_within", Tau2Within, "zero or positive");
        CohortOptions.Require(SampleSizeMedian >= 4 && double.IsFinite(SampleSizeMedian), "sample_size_median", SampleSizeMedian, "at least 4");
        CohortOptions.Require(SampleSizeLogSd >= 0 && double.IsFinite(SampleSizeLogSd), "sample_size_log_sd", SampleSizeLogSd, "zero or positive");
        CohortOptions.Require(SampleSizeMin >= 4, "sample_size_min", SampleSizeMin, "at least 4");
        CohortOptions.Require(SampleSizeMax >= SampleSizeMin && SampleSizeMax <= 1_000_000, "sample_size_max", SampleSizeMax, $"between sample_size_min ({SampleSizeMin}) and 1,000,000");
        CohortOptions.Require(SampleSizeMedian <= SampleSizeMax && SampleSizeMedian >= SampleSizeMin, "sample_size_median", SampleSizeMedian, "between sample_size_min and sample_size_max");
        CohortOptions.Require(RctShare is >= 0 and <= 1, "rct_share", RctShare, "between 0 and 1");
        CohortOptions.Require(RatioMedian >= 1 && double.IsFinite(RatioMedian), "ratio_median", RatioMedian, "at least 1");
        CohortOptions.Require(RatioLogSd >= 0 && double.IsFinite(RatioLogSd), "ratio_log_sd", RatioLogSd, "zero or positive");
        CohortOptions.Require(YearLast >= YearFirst, "year_last", YearLast, $"at least year_first ({YearFirst})");
        CohortOptions.Require(YearShapeA > 0, "year_shape_a", YearShapeA, "positive");
        CohortOptions.Require(YearShapeB > 0, "year_shape_b", YearShapeB, "positive");
        CohortOptions.Require(PublishNonsignificant is > 0 and <= 1, "publish_nonsignificant", PublishNonsignificant, "in (0, 1]");
        foreach (var (key, v) in new[] { ("effect_rater_therapist", EffectRaterTherapist), ("effect_rater_observer", EffectRaterObserver),
                     ("effect_measure_calpas", EffectMeasureCalpas), ("effect_measure_haq", EffectMeasureHaq), ("effect_measure_vpps", EffectMeasureVpps),
                     ("effect_measure_other", EffectMeasureOther), ("effect_timing_mid", EffectTimingMid), ("effect_timing_late", EffectTimingLate),
                     ("effect_timing_averaged", EffectTimingAveraged), ("effect_ratio", EffectRatio), ("effect_rct", EffectRct), ("effect_year", EffectYear) })
            CohortOptions.Require(double.IsFinite(v) && Math.Abs(v) < 5, key, v, "a finite number of modest size (|β| < 5 on the Fisher-z scale)");
        ResolveEffectsPerStudy();
        ResolveRaterShares();
        ResolveMeasureShares();
        ResolveTimingShares();
    }

    private static double[] Shares(string text, string key, int? count)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var values = new double[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !(values[i] >= 0) || double.IsInfinity(values[i]))
                throw new AllianceInputException($"setting {key}: '{parts[i]}' is not a non-negative number (give comma-separated shares such as {text})");
        if (count is { } c && values.Length != c)
            throw new AllianceInputException($"setting {key}: expected {c} comma-separated shares, got {values.Length}");
        if (values.Length == 0) throw new AllianceInputException($"setting {key}: give at least one share");
        double total = values.Sum();
        if (!(total > 0)) throw new AllianceInputException($"setting {key}: the shares must not all be zero");
        for (int i = 0; i < values.Length; i++) values[i] /= total;
        return values;
    }
}
