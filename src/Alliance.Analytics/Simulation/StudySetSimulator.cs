using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Alliance.Analytics.Data;
using Alliance.Analytics.Numerics;
using Alliance.Analytics.Presentation;
using MathNet.Numerics.Distributions;

namespace Alliance.Analytics.Simulation;

/// <summary>One simulated effect size of a study set: the row of the study table plus its true values.</summary>
/// <param name="Study">Study index (0-based, in publication order).</param>
/// <param name="EffectSize">Effect size number within the study (1-based).</param>
/// <param name="R">Observed correlation (rounded to 3 decimals, as written).</param>
/// <param name="N">Sample size of the study.</param>
/// <param name="Rater">Alliance rater: client, therapist or observer.</param>
/// <param name="Measure">Alliance measure: wai, calpas, haq, vpps or other.</param>
/// <param name="Timing">Alliance timing: early, mid, late or averaged.</param>
/// <param name="Ratio">Patient-to-therapist ratio (rounded to 1 decimal).</param>
/// <param name="Design">Study design: rct or naturalistic.</param>
/// <param name="Year">Publication year.</param>
/// <param name="TrueZ">ζ_sl: the true Fisher z of this effect size.</param>
/// <param name="StudyEffect">u_s: the study's random effect.</param>
/// <param name="WithinEffect">w_sl: this effect size's random effect within the study.</param>
public sealed record SimulatedEffectSize(int Study, int EffectSize, double R, int N, string Rater, string Measure, string Timing,
    double Ratio, string Design, int Year, double TrueZ, double StudyEffect, double WithinEffect);

/// <summary>
/// A simulated meta-analytic study set: the published effect sizes in study order, and how many studies were
/// suppressed by publication bias on the way.
/// </summary>
/// <param name="Options">The generative model.</param>
/// <param name="Seed">The seed.</param>
/// <param name="EffectSizes">Every published effect size, by study then effect size.</param>
/// <param name="SuppressedStudies">Studies simulated but not published (non-significant, suppressed).</param>
public sealed record SimulatedStudySet(StudySetOptions Options, long Seed, ImmutableArray<SimulatedEffectSize> EffectSizes, int SuppressedStudies)
{
    /// <summary>The columns of the study table, in order.</summary>
    public static ImmutableArray<string> Columns { get; } = ["study", "es_id", "r", "n", "rater", "measure", "timing", "ptr", "design", "year"];

    /// <summary>Number of published studies.</summary>
    public int StudyCount => EffectSizes.IsDefaultOrEmpty ? 0 : EffectSizes[^1].Study + 1;

    /// <summary>The id of study <paramref name="study"/> ("s001").</summary>
    public string StudyId(int study) =>
        "s" + (study + 1).ToString("D" + Math.Max(3, StudyCount.ToString(CultureInfo.InvariantCulture).Length), CultureInfo.InvariantCulture);

    /// <summary>Writes the study table as CSV (whole or not at all): study, es_id, r, n, rater, measure, timing, ptr, design, year.</summary>
    public void WriteStudyTable(string path)
    {
        AtomicFile.Write(path, w =>
        {
            w.Write(string.Join(',', Columns));
            w.Write('\n');
            var sb = new StringBuilder(96);
            foreach (var e in EffectSizes)
            {
                sb.Clear();
                sb.Append(StudyId(e.Study)).Append(',').Append(e.EffectSize.ToString(CultureInfo.InvariantCulture))
                  .Append(',').Append(Truth.Fixed(e.R, 3)).Append(',').Append(e.N.ToString(CultureInfo.InvariantCulture))
                  .Append(',').Append(e.Rater).Append(',').Append(e.Measure).Append(',').Append(e.Timing)
                  .Append(',').Append(Truth.Fixed(e.Ratio, 1)).Append(',').Append(e.Design)
                  .Append(',').Append(e.Year.ToString(CultureInfo.InvariantCulture)).Append('\n');
                w.Write(sb);
            }
        });
    }

    /// <summary>Writes the true effects as CSV: study, es_id, true_z, true_r, study_effect, within_effect (6 decimals).</summary>
    public void WriteTrueEffects(string path)
    {
        AtomicFile.Write(path, w =>
        {
            w.Write("study,es_id,true_z,true_r,study_effect,within_effect\n");
            var sb = new StringBuilder(96);
            foreach (var e in EffectSizes)
            {
                sb.Clear();
                sb.Append(StudyId(e.Study)).Append(',').Append(e.EffectSize.ToString(CultureInfo.InvariantCulture))
                  .Append(',').Append(Truth.Fixed(e.TrueZ, 6)).Append(',').Append(Truth.Fixed(Math.Tanh(e.TrueZ), 6))
                  .Append(',').Append(Truth.Fixed(e.StudyEffect, 6)).Append(',').Append(Truth.Fixed(e.WithinEffect, 6)).Append('\n');
                w.Write(sb);
            }
        });
    }

    /// <summary>"295 studies, 520 effect sizes, N = 30,112 (0 suppressed)".</summary>
    public override string ToString() =>
        $"{StudyCount.ToString("N0", CultureInfo.InvariantCulture)} studies, {EffectSizes.Length.ToString("N0", CultureInfo.InvariantCulture)} effect sizes, " +
        $"N = {EffectSizes.Where(e => e.EffectSize == 1).Sum(e => (long)e.N).ToString("N0", CultureInfo.InvariantCulture)} ({SuppressedStudies} suppressed)";
}

/// <summary>
/// Simulates meta-analytic study sets (<see cref="StudySetOptions"/>). Candidate study c draws everything from stream
/// c + 1 of the seed, so a study set is the same on every machine; studies are simulated in candidate order until
/// <see cref="StudySetOptions.Studies"/> are published.
/// </summary>
public static class StudySetSimulator
{
    /// <summary>Simulates a study set.</summary>
    /// <exception cref="AllianceInputException">When a setting is out of range.</exception>
    /// <exception cref="AnalysisFailedException">When publication bias is so strong that the studies cannot be filled (more than 1,000 candidates per published study).</exception>
    public static SimulatedStudySet Simulate(StudySetOptions options, long seed, IProgress<AnalysisProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        options.CheckMemory();
        var perStudy = RandomSampling.Cumulative(options.ResolveEffectsPerStudy());
        var raterShares = options.ResolveRaterShares();
        var measureShares = options.ResolveMeasureShares();
        var timingShares = options.ResolveTimingShares();
        var raterCum = RandomSampling.Cumulative(raterShares);
        var measureCum = RandomSampling.Cumulative(measureShares);
        var timingCum = RandomSampling.Cumulative(timingShares);
        double[] raterFx = options.RaterEffects, measureFx = options.MeasureEffects, timingFx = options.TimingEffects;
        // Centring constants: population means of the moderator terms, so that E ζ = atanh ρ.
        double raterMean = Dot(raterShares, raterFx), measureMean = Dot(measureShares, measureFx), timingMean = Dot(timingShares, timingFx);
        double yearMean = options.YearFirst + (options.YearLast - options.YearFirst) * options.YearShapeA / (options.YearShapeA + options.YearShapeB);
        double meanZ = Math.Atanh(options.Rho);
        double sdBetween = Math.Sqrt(options.Tau2Between), sdWithin = Math.Sqrt(options.Tau2Within);
        double logMedianN = Math.Log(options.SampleSizeMedian), logMedianRatio = Math.Log(options.RatioMedian);
        double log2RatioMean = ExpectedLog2Ratio(logMedianRatio, options.RatioLogSd);

        var rows = ImmutableArray.CreateBuilder<SimulatedEffectSize>();
        int published = 0, suppressed = 0;
        long candidate = 0, limit = 1000L * options.Studies + 1000;
        while (published < options.Studies)
        {
            if (candidate >= limit)
                throw new AnalysisFailedException($"publication bias too strong: {published} of {options.Studies} studies published after {candidate} candidates (raise publish_nonsignificant)");
            if ((candidate & 255) == 255) cancellationToken.ThrowIfCancellationRequested();
            var rng = RandomStream.Create(seed, candidate + 1);
            candidate++;
            int n;
            do n = (int)Math.Round(rng.NextLogNormal(logMedianN, options.SampleSizeLogSd));
            while (n < options.SampleSizeMin || n > options.SampleSizeMax);
            double ratio = Math.Max(1, rng.NextLogNormal(logMedianRatio, options.RatioLogSd));
            bool rct = rng.NextBernoulli(options.RctShare);
            double yearContinuous = options.YearFirst + (options.YearLast - options.YearFirst) * rng.NextBeta(options.YearShapeA, options.YearShapeB);
            int year = (int)Math.Round(yearContinuous, MidpointRounding.AwayFromZero);
            double u = sdBetween * rng.NextNormal();
            double studyTerm = options.EffectRatio * (Math.Log2(ratio) - log2RatioMean)
                               + options.EffectRct * ((rct ? 1 : 0) - options.RctShare)
                               + options.EffectYear * (yearContinuous - yearMean) / 10;
            int count = 1 + rng.NextCategorical(perStudy);
            var study = new SimulatedEffectSize[count];
            for (int l = 0; l < count; l++)
            {
                int rater = rng.NextCategorical(raterCum), measure = rng.NextCategorical(measureCum), timing = rng.NextCategorical(timingCum);
                double w = sdWithin * rng.NextNormal();
                double zeta = meanZ + studyTerm + (raterFx[rater] - raterMean) + (measureFx[measure] - measureMean) + (timingFx[timing] - timingMean) + u + w;
                double r = Math.Round(rng.NextSampleCorrelation(Math.Tanh(zeta), n), 3, MidpointRounding.AwayFromZero);
                study[l] = new SimulatedEffectSize(published, l + 1, r, n, StudySetOptions.Raters[rater], StudySetOptions.Measures[measure],
                    StudySetOptions.Timings[timing], Math.Round(ratio, 1, MidpointRounding.AwayFromZero), rct ? "rct" : "naturalistic", year, zeta, u, w);
            }
            if (options.PublishNonsignificant < 1 && !SignificantlyPositive(study[0].R, n) && !rng.NextBernoulli(options.PublishNonsignificant))
            {
                suppressed++;
                continue;
            }
            rows.AddRange(study);
            published++;
            if (progress is not null && (published & 63) == 0) progress.Report(new AnalysisProgress("simulating studies", (double)published / options.Studies));
        }
        return new SimulatedStudySet(options, seed, rows.ToImmutable(), suppressed);
    }

    /// <summary>True when r &gt; 0 and its two-sided test (t = r √((n − 2)/(1 − r²)), n − 2 df) gives p &lt; .05.</summary>
    internal static bool SignificantlyPositive(double r, int n)
    {
        if (r <= 0) return false;
        if (r >= 1) return true;
        double t = r * Math.Sqrt((n - 2) / (1 - r * r));
        return 2 * (1 - StudentT.CDF(0, 1, n - 2, t)) < 0.05;
    }

    /// <summary>
    /// E[log₂ max(1, X)] for X log-normal with log-median μ and log-SD σ: (μ Φ(μ/σ) + σ φ(μ/σ)) / ln 2, the mean of a
    /// normal censored below at 0 (the ratio is at least 1).
    /// </summary>
    internal static double ExpectedLog2Ratio(double mu, double sigma)
    {
        if (sigma == 0) return Math.Max(0, mu) / Math.Log(2);
        double z = mu / sigma;
        return (mu * Normal.CDF(0, 1, z) + sigma * Normal.PDF(0, 1, z)) / Math.Log(2);
    }

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }
}
