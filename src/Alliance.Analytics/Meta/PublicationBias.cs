using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using Alliance.Analytics.Data;
using Alliance.Analytics.Numerics;
using Alliance.Analytics.Presentation;

namespace Alliance.Analytics.Meta;

/// <summary>Which side of the funnel trim-and-fill imputes studies on.</summary>
public enum FunnelSide
{
    /// <summary>Missing studies on the left (small or negative effects suppressed).</summary>
    Left,
    /// <summary>Missing studies on the right.</summary>
    Right,
}

/// <summary>
/// A regression test for funnel-plot asymmetry (Egger et al. 1997): the standard error as a moderator. The
/// random-effects version (metafor's <c>regtest</c> default) adds √vᵢ to the model as fitted; the classical one is
/// the weighted regression <c>lm(yi ~ sqrt(vi), weights = 1/vi)</c> with a t test.
/// </summary>
/// <param name="Statistic">z (random-effects version) or t (classical) of the slope on the standard error.</param>
/// <param name="PValue">Two-sided p value.</param>
/// <param name="DegreesOfFreedom">t degrees of freedom (k − 2), or null for z.</param>
/// <param name="LimitEstimate">The intercept: the estimate as the standard error goes to 0.</param>
/// <param name="LimitInterval">Its confidence interval.</param>
public sealed record EggerTest(double Statistic, double PValue, double? DegreesOfFreedom, double LimitEstimate, ConfidenceInterval LimitInterval);

/// <summary>Begg &amp; Mazumdar's (1994) rank correlation test: Kendall's τ between standardized effects and variances.</summary>
/// <param name="Tau">Kendall's τ_b.</param>
/// <param name="PValue">Two-sided p value.</param>
/// <param name="Exact">True when the p value is from the exact distribution (n &lt; 50, no ties).</param>
public sealed record RankCorrelationTest(double Tau, double PValue, bool Exact);

/// <summary>Duval &amp; Tweedie's (2000) trim-and-fill with the L0 estimator, metafor's <c>trimfill</c>.</summary>
/// <param name="MissingStudies">Estimated number of missing studies, k0.</param>
/// <param name="MissingStudiesStandardError">Standard error of k0 (L0).</param>
/// <param name="Side">Side on which studies were imputed.</param>
/// <param name="Filled">The model refitted on the observed plus imputed studies (the imputed ones are last and labelled "Filled i").</param>
public sealed record TrimAndFillResult(int MissingStudies, double MissingStudiesStandardError, FunnelSide Side, RandomEffectsFit Filled)
{
    /// <summary>Per study of <see cref="Filled"/>, whether it was imputed.</summary>
    public IEnumerable<bool> IsFilled => Enumerable.Range(0, Filled.K).Select(i => i >= Filled.K - MissingStudies);
}

/// <summary>
/// PET-PEESE (Stanley &amp; Doucouliagos 2014): weighted least squares of yᵢ on √vᵢ (PET) and on vᵢ (PEESE) with
/// weights 1/vᵢ; the PEESE intercept is taken when the PET intercept differs from zero at the chosen level.
/// </summary>
/// <param name="Pet">The PET intercept (estimate at SE = 0) with its t test.</param>
/// <param name="Peese">The PEESE intercept.</param>
/// <param name="PetSlope">PET's slope on the standard error.</param>
/// <param name="PeeseSlope">PEESE's slope on the variance.</param>
/// <param name="Alpha">Two-sided level of the PET test deciding between them.</param>
/// <param name="UsePeese">True when PET's intercept is significant, so PEESE's is the corrected estimate.</param>
public sealed record PetPeeseResult(MetaCoefficient Pet, MetaCoefficient Peese, double PetSlope, double PeeseSlope, double Alpha, bool UsePeese)
{
    /// <summary>The corrected estimate: PEESE's intercept when <see cref="UsePeese"/>, else PET's.</summary>
    public MetaCoefficient Corrected => UsePeese ? Peese : Pet;
}

/// <summary>Small-study and publication-bias diagnostics of an intercept-only model, together.</summary>
public sealed record PublicationBiasResult : IAnalysisResult
{
    /// <summary>The model examined.</summary>
    public required RandomEffectsFit Model { get; init; }

    /// <summary>Egger's test in the model as fitted (metafor's <c>regtest</c> default).</summary>
    public required EggerTest Egger { get; init; }

    /// <summary>Classical Egger test by weighted regression (<c>regtest(fit, model = "lm")</c>).</summary>
    public required EggerTest EggerClassical { get; init; }

    /// <summary>Rank correlation test.</summary>
    public required RankCorrelationTest RankCorrelation { get; init; }

    /// <summary>Trim-and-fill.</summary>
    public required TrimAndFillResult TrimAndFill { get; init; }

    /// <summary>PET-PEESE.</summary>
    public required PetPeeseResult PetPeese { get; init; }

    /// <inheritdoc/>
    public DataUsage Usage => Model.Usage;

    /// <inheritdoc/>
    public IReadOnlyList<string> Warnings => Model.Warnings;

    /// <inheritdoc/>
    public ResultSummary Summary()
    {
        var inv = CultureInfo.InvariantCulture;
        string F(double v) => v.ToString("F4", inv);
        var tf = TrimAndFill;
        var table = new ResultTable("Bias diagnostics",
            [TableColumn.Label("method"), TableColumn.Number("statistic", 4), TableColumn.Number("p", 4), TableColumn.Number("estimate", 4), TableColumn.Number("ci.lb", 4), TableColumn.Number("ci.ub", 4)],
            [
                ["Egger (" + MetaNames.Abbreviation(Model.Options.Estimator) + ", sei as moderator)", Egger.Statistic, Egger.PValue, Egger.LimitEstimate, Egger.LimitInterval.Lower, Egger.LimitInterval.Upper],
                [string.Create(CultureInfo.InvariantCulture, $"Egger (weighted regression, t({EggerClassical.DegreesOfFreedom}))"), EggerClassical.Statistic, EggerClassical.PValue, EggerClassical.LimitEstimate, EggerClassical.LimitInterval.Lower, EggerClassical.LimitInterval.Upper],
                ["Rank correlation (Kendall τ)", RankCorrelation.Tau, RankCorrelation.PValue, null, null, null],
                [$"Trim-and-fill ({tf.MissingStudies} filled, {tf.Side.ToString().ToLowerInvariant()})", null, tf.Filled.Estimate.PValue, tf.Filled.Estimate.Estimate, tf.Filled.Estimate.Interval.Lower, tf.Filled.Estimate.Interval.Upper],
                ["PET", PetPeese.Pet.Statistic, PetPeese.Pet.PValue, PetPeese.Pet.Estimate, PetPeese.Pet.Interval.Lower, PetPeese.Pet.Interval.Upper],
                ["PEESE", PetPeese.Peese.Statistic, PetPeese.Peese.PValue, PetPeese.Peese.Estimate, PetPeese.Peese.Interval.Lower, PetPeese.Peese.Interval.Upper],
            ]);
        var lines = new List<string>
        {
            $"Model: {Model}",
            $"Trim-and-fill: {tf.MissingStudies} stud{(tf.MissingStudies == 1 ? "y" : "ies")} imputed on the {tf.Side.ToString().ToLowerInvariant()} (SE {F(tf.MissingStudiesStandardError)}); adjusted estimate {F(tf.Filled.Estimate.Estimate)} {tf.Filled.Estimate.Interval.BoundsToString("F4")}, τ² = {F(tf.Filled.Tau2)}",
            $"PET-PEESE: {(PetPeese.UsePeese ? "PEESE" : "PET")} estimate {F(PetPeese.Corrected.Estimate)} {PetPeese.Corrected.Interval.BoundsToString("F4")}",
        };
        if (Model.IsCorrelation)
            lines.Add($"As r: trim-and-fill {F(EffectSizes.ToCorrelation(tf.Filled.Estimate.Estimate, Model.Studies.Measure))}, PET-PEESE {F(EffectSizes.ToCorrelation(PetPeese.Corrected.Estimate, Model.Studies.Measure))}");
        return new ResultSummary("Publication bias and small-study effects", lines, [table],
            ["R: metafor::regtest(fit); regtest(fit, model = \"lm\"); ranktest(fit); trimfill(fit); PET-PEESE by lm(yi ~ sqrt(vi) / vi, weights = 1/vi).",
             "These are tests of funnel asymmetry, which has causes besides publication bias (heterogeneity, small-study differences)."], Warnings);
    }

    /// <summary><c>{…, "egger": {z, p, estimate, ci}, "egger_lm": {t, df, p, estimate, ci}, "rank": {tau, p}, "trimfill": {k0, side, estimate, se, ci, tau2, [estimate_r]}, "pet_peese": {pet, pet_se, pet_p, df (of the PET and PEESE t tests, k − 2), peese, peese_se, selected, estimate, ci}}</c>.</summary>
    public JsonObject ToJson()
    {
        var o = JsonOutput.Document(this);
        o["egger"] = EggerJson(Egger, "z");
        o["egger_lm"] = EggerJson(EggerClassical, "t");
        o["rank"] = new JsonObject { ["tau"] = JsonOutput.Number(RankCorrelation.Tau), ["p"] = JsonOutput.Number(RankCorrelation.PValue), ["exact"] = RankCorrelation.Exact };
        o["trimfill"] = TrimFillJson(TrimAndFill, Model);
        o["pet_peese"] = new JsonObject
        {
            ["pet"] = JsonOutput.Number(PetPeese.Pet.Estimate),
            ["pet_se"] = JsonOutput.Number(PetPeese.Pet.StandardError),
            ["pet_p"] = JsonOutput.Number(PetPeese.Pet.PValue),
            ["df"] = PetPeese.Pet.DegreesOfFreedom is { } pdf ? JsonOutput.Number(pdf) : null,
            ["peese"] = JsonOutput.Number(PetPeese.Peese.Estimate),
            ["peese_se"] = JsonOutput.Number(PetPeese.Peese.StandardError),
            ["selected"] = PetPeese.UsePeese ? "peese" : "pet",
            ["estimate"] = JsonOutput.Number(PetPeese.Corrected.Estimate),
            ["ci"] = PetPeese.Corrected.Interval.ToJson(),
        };
        return o;
    }

    internal static JsonObject EggerJson(EggerTest e, string stat) => new()
    {
        [stat] = JsonOutput.Number(e.Statistic),
        ["df"] = e.DegreesOfFreedom is { } df ? JsonOutput.Number(df) : null,
        ["p"] = JsonOutput.Number(e.PValue),
        ["estimate"] = JsonOutput.Number(e.LimitEstimate),
        ["ci"] = e.LimitInterval.ToJson(),
    };

    internal static JsonObject TrimFillJson(TrimAndFillResult tf, RandomEffectsFit model)
    {
        var o = new JsonObject
        {
            ["k0"] = tf.MissingStudies,
            ["k0_se"] = JsonOutput.Number(tf.MissingStudiesStandardError),
            ["side"] = tf.Side.ToString().ToLowerInvariant(),
            ["estimate"] = JsonOutput.Number(tf.Filled.Estimate.Estimate),
            ["se"] = JsonOutput.Number(tf.Filled.Estimate.StandardError),
            ["ci"] = tf.Filled.Estimate.Interval.ToJson(),
            ["tau2"] = JsonOutput.Number(tf.Filled.Tau2),
        };
        if (model.IsCorrelation) o["estimate_r"] = JsonOutput.Number(EffectSizes.ToCorrelation(tf.Filled.Estimate.Estimate, model.Studies.Measure));
        return o;
    }
}

/// <summary>Tests and adjustments for funnel-plot asymmetry: Egger's regression test, the rank correlation test, trim-and-fill and PET-PEESE.</summary>
public static class PublicationBias
{
    /// <summary>Runs every diagnostic on an intercept-only model.</summary>
    /// <exception cref="AllianceInputException">For a model with moderators or fewer than 3 studies.</exception>
    public static PublicationBiasResult Analyze(RandomEffectsFit fit, double petAlpha = 0.10)
    {
        CheckModel(fit, 3);
        return new PublicationBiasResult
        {
            Model = fit,
            Egger = Egger(fit),
            EggerClassical = EggerClassical(fit),
            RankCorrelation = RankCorrelation(fit),
            TrimAndFill = TrimAndFill(fit),
            PetPeese = PetPeese(fit, petAlpha),
        };
    }

    /// <summary>
    /// Egger's test in the model as fitted: √vᵢ is added as a moderator, the model refitted with the same estimator and
    /// test, and the slope tested; the intercept is the limit estimate. R: <c>metafor::regtest(fit)</c>.
    /// </summary>
    /// <exception cref="AllianceInputException">For a model with moderators or fewer than 3 studies.</exception>
    public static EggerTest Egger(RandomEffectsFit fit)
    {
        CheckModel(fit, 3);
        var f = FitOnPredictor(fit, fit.Studies.Vi.Select(Math.Sqrt).ToArray(), "sei", fit.Options);
        return new EggerTest(f.Coefficients[1].Statistic, f.Coefficients[1].PValue, f.DegreesOfFreedom, f.Estimate.Estimate, f.Estimate.Interval);
    }

    /// <summary>
    /// The classical Egger test: weighted least squares of yᵢ on √vᵢ with weights 1/vᵢ and the residual variance
    /// estimated, t(k − 2) test of the slope. R: <c>metafor::regtest(fit, model = "lm")</c>.
    /// </summary>
    /// <exception cref="AllianceInputException">For a model with moderators or fewer than 3 studies.</exception>
    public static EggerTest EggerClassical(RandomEffectsFit fit)
    {
        CheckModel(fit, 3);
        var f = WeightedRegression(fit, fit.Studies.Vi.Select(Math.Sqrt).ToArray(), "sei");
        return new EggerTest(f.Coefficients[1].Statistic, f.Coefficients[1].PValue, f.DegreesOfFreedom, f.Estimate.Estimate, f.Estimate.Interval);
    }

    /// <summary>
    /// Begg &amp; Mazumdar's test: with θ̂ the equal-effects estimate, Kendall's τ between (yᵢ − θ̂)/√(vᵢ − 1/Σw) and vᵢ.
    /// R: <c>metafor::ranktest(fit)</c>.
    /// </summary>
    /// <exception cref="AllianceInputException">For a model with moderators or fewer than 3 studies.</exception>
    public static RankCorrelationTest RankCorrelation(RandomEffectsFit fit)
    {
        CheckModel(fit, 3);
        var y = fit.Studies.Yi;
        var v = fit.Studies.Vi;
        double sw = 0, swy = 0;
        for (int i = 0; i < y.Length; i++) { sw += 1 / v[i]; swy += y[i] / v[i]; }
        double theta = swy / sw, vb = 1 / sw;
        var star = new double[y.Length];
        for (int i = 0; i < y.Length; i++) star[i] = (y[i] - theta) / Math.Sqrt(v[i] - vb);
        var (tau, p, exact) = KendallTau.Test(star, v.AsSpan());
        return new RankCorrelationTest(tau, p, exact);
    }

    /// <summary>
    /// Trim-and-fill with the L0 estimator (Duval &amp; Tweedie 2000) as metafor does it: the side is chosen from the sign
    /// of the slope on √vᵢ in the model's estimator (negative: studies missing on the right); the most extreme studies
    /// are trimmed until the estimate of k0 is stable, then their mirror images 2θ̂ − yᵢ are added and the model
    /// refitted. R: <c>metafor::trimfill(fit)</c>.
    /// </summary>
    /// <exception cref="AllianceInputException">For a model with moderators or fewer than 3 studies.</exception>
    /// <exception cref="AnalysisFailedException">When k0 does not settle within 100 iterations.</exception>
    public static TrimAndFillResult TrimAndFill(RandomEffectsFit fit, FunnelSide? side = null)
    {
        CheckModel(fit, 3);
        int k = fit.K;
        var options = fit.Options;
        if (side is null)
        {
            var s = FitOnPredictor(fit, fit.Studies.Vi.Select(Math.Sqrt).ToArray(), "sei", options with { Test = MetaTest.Z }, computeIntervals: false);
            side = s.Coefficients[1].Estimate < 0 ? FunnelSide.Right : FunnelSide.Left;
        }
        double sign = side == FunnelSide.Right ? -1 : 1;
        // Sort by (signed) effect size, stable for ties like R's sort(index.return = TRUE).
        int[] ix = [.. Enumerable.Range(0, k).OrderBy(i => sign * fit.Studies.Yi[i])];
        var y = ix.Select(i => sign * fit.Studies.Yi[i]).ToArray();
        var v = ix.Select(i => fit.Studies.Vi[i]).ToArray();
        var settings = KernelSettings.From(options);
        int k0 = 0, previous = -1, iter = 0;
        double beta = 0, seK0 = 0;
        var centred = new double[k];
        while (k0 != previous)
        {
            previous = k0;
            if (++iter > 100) throw new AnalysisFailedException("trim-and-fill did not converge in 100 iterations.");
            int kt = k - k0;
            var kernel = new UnivariateKernel(kt, 1);
            var step = kernel.Fit(y.AsSpan(0, kt), v.AsSpan(0, kt), ModelMatrix.InterceptOnly(kt).Span, settings, FitDetail.Coefficients);
            if (!step.Converged) throw new AnalysisFailedException($"trim-and-fill: τ² of the fit without the {k0} most extreme studies did not converge (metafor's trimfill stops there too).");
            beta = step.Beta[0];
            for (int i = 0; i < k; i++) centred[i] = y[i] - beta;
            // Ranks of |yᵢ − β| with ties in order of appearance (R's ties.method = "first").
            int[] byAbs = [.. Enumerable.Range(0, k).OrderBy(i => Math.Abs(centred[i]))];
            double sr = 0;
            for (int r = 0; r < k; r++) if (centred[byAbs[r]] > 0) sr += r + 1;
            double est = (4 * sr - k * (k + 1.0)) / (2 * k - 1.0);
            double varSr = (k * (k + 1.0) * (2 * k + 1) + 10 * Math.Pow(est, 3) + 27 * est * est + 17 * est - 18 * k * est * est - 18 * k * est + 6.0 * k * k * est) / 24;
            seK0 = Math.Max(0, 4 * Math.Sqrt(varSr) / (2 * k - 1.0));
            k0 = Math.Max(0, (int)Math.Round(est, MidpointRounding.ToEven));
        }
        var labels = fit.Studies.Labels.ToList();
        var yi = fit.Studies.Yi.ToList();
        var vi = fit.Studies.Vi.ToList();
        for (int j = 0; j < k0; j++)
        {
            int i = k - k0 + j;
            // Mirror image about β in the flipped scale, then back: original scale 2θ̂ − yᵢ.
            double filled = sign * (2 * beta - y[i]);
            yi.Add(filled);
            vi.Add(v[i]);
            labels.Add("Filled " + (j + 1).ToString(CultureInfo.InvariantCulture));
        }
        var augmented = fit.Studies with
        {
            Labels = [.. labels],
            Yi = [.. yi],
            Vi = [.. vi],
            SampleSizes = [],
            Clusters = [],
            Moderators = [],
            Lines = [.. fit.Studies.Lines, .. Enumerable.Repeat(0, k0)],
        };
        var refit = k0 == 0 ? fit : MetaAnalysis.FitDesign(augmented, ModelMatrix.InterceptOnly(k + k0), options with { Moderators = [] }, fit.Usage);
        return new TrimAndFillResult(k0, seK0, side.Value, refit);
    }

    /// <summary>
    /// PET and PEESE by weighted least squares with weights 1/vᵢ and the residual variance estimated
    /// (<c>lm(yi ~ sqrt(vi), weights = 1/vi)</c>, <c>lm(yi ~ vi, weights = 1/vi)</c>); PEESE is chosen when PET's intercept has a
    /// two-sided p below <paramref name="alpha"/> (0.10: the one-sided 5% test of Stanley &amp; Doucouliagos 2014).
    /// </summary>
    /// <exception cref="AllianceInputException">For a model with moderators, fewer than 3 studies, or alpha outside (0, 1).</exception>
    public static PetPeeseResult PetPeese(RandomEffectsFit fit, double alpha = 0.10)
    {
        CheckModel(fit, 3);
        if (!(alpha > 0 && alpha < 1)) throw new AllianceInputException(string.Create(CultureInfo.InvariantCulture, $"alpha must be between 0 and 1, not {alpha}."));
        var pet = WeightedRegression(fit, fit.Studies.Vi.Select(Math.Sqrt).ToArray(), "sei");
        var peese = WeightedRegression(fit, [.. fit.Studies.Vi], "vi");
        bool usePeese = pet.Estimate.PValue < alpha;
        return new PetPeeseResult(pet.Estimate, peese.Estimate, pet.Coefficients[1].Estimate, peese.Coefficients[1].Estimate, alpha, usePeese);
    }

    private static RandomEffectsFit FitOnPredictor(RandomEffectsFit fit, double[] predictor, string name, MetaAnalysisOptions options, bool computeIntervals = true)
    {
        var design = ModelMatrix.FromColumns(fit.K, [(name, predictor)]);
        return MetaAnalysis.FitDesign(fit.Studies, design, options with { ProfileIntervals = computeIntervals }, fit.Usage, computeR2: false);
    }

    /// <summary>Weighted least squares with weights 1/vᵢ and estimated residual variance: the equal-effects model with Knapp–Hartung scaling.</summary>
    private static RandomEffectsFit WeightedRegression(RandomEffectsFit fit, double[] predictor, string name) =>
        FitOnPredictor(fit, predictor, name, fit.Options with { Estimator = TauEstimator.EqualEffects, Test = MetaTest.KnappHartung, FixedTau2 = null }, computeIntervals: false);

    private static void CheckModel(RandomEffectsFit fit, int minimum)
    {
        ArgumentNullException.ThrowIfNull(fit);
        if (fit.HasModerators) throw new AllianceInputException("bias diagnostics apply to models without moderators.");
        if (fit.K < minimum) throw new AllianceInputException($"bias diagnostics need at least {minimum} studies (k = {fit.K}).");
    }
}
