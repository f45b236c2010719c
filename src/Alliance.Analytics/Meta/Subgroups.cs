using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using Alliance.Analytics.Data;
using Alliance.Analytics.Numerics;
using Alliance.Analytics.Presentation;

namespace Alliance.Analytics.Meta;

/// <summary>How a subgroup analysis treats the between-study variance (Borenstein et al. 2009, ch. 19).</summary>
public enum SubgroupTau2
{
    /// <summary>
    /// One τ² shared by every subgroup: the mixed-effects model with the subgroup as a factor,
    /// yᵢ = β₀ + Σ_g β_g·[gᵢ = g] + uᵢ + εᵢ, uᵢ ~ N(0, τ²); the between-groups test is its omnibus test QM on G − 1
    /// df (χ², or F(G − 1, k − G) under Knapp–Hartung); a group's estimate is β₀ + β_g with variance
    /// Var(β₀) + Var(β_g) + 2Cov(β₀, β_g). R: <c>rma(yi, vi, mods = ~ factor(g))</c> and <c>rma(yi, vi, mods = ~ 0 + factor(g))</c>.
    /// </summary>
    Common,

    /// <summary>
    /// A τ² per subgroup: a model fitted in each level, then the fixed-effect test of the G estimates,
    /// Q_between = Σ w_g(θ̂_g − θ̄)², w_g = 1/SE_g², θ̄ = Σw_gθ̂_g/Σw_g, χ²(G − 1).
    /// R: <c>rma(yi, vi, subset = g == level)</c> per level, then <c>rma(est, sei = se, mods = ~ group, method = "FE")</c> (its QM).
    /// </summary>
    Separate,
}

/// <summary>The pooled effect of one subgroup.</summary>
/// <param name="Level">The subgroup (a level of the moderator).</param>
/// <param name="K">Number of effect sizes in it.</param>
/// <param name="Estimate">Pooled estimate with its z or t test and interval (<see cref="MetaCoefficient.DegreesOfFreedom"/> set under t tests).</param>
/// <param name="Tau2">τ² of the subgroup (the common τ² under <see cref="SubgroupTau2.Common"/>).</param>
/// <param name="I2">I² in percent of the subgroup's own fit (NaN under <see cref="SubgroupTau2.Common"/>).</param>
/// <param name="Q">Heterogeneity within the subgroup, Q_g = Σwᵢ(yᵢ − ȳ_w)² with wᵢ = 1/vᵢ (metafor's QE of <c>rma(…, subset, method = "EE")</c>).</param>
/// <param name="QDegreesOfFreedom">k_g − 1.</param>
/// <param name="QPValue">p of Q_g against χ²(k_g − 1); 1 when k_g = 1, as metafor.</param>
/// <param name="EstimateR">The estimate back-transformed to r (NaN unless correlations).</param>
public sealed record SubgroupEstimate(string Level, int K, MetaCoefficient Estimate, double Tau2, double I2, double Q, int QDegreesOfFreedom, double QPValue, double EstimateR);

/// <summary>
/// A subgroup analysis by a categorical moderator: the pooled effect and τ² of each subgroup and the test of
/// differences between subgroups, with a common τ² (the mixed-effects model, <see cref="SubgroupTau2.Common"/>) or a
/// τ² per subgroup (<see cref="SubgroupTau2.Separate"/>); and the heterogeneity within subgroups,
/// Q_within = Σ_g Q_g on k − G df (the QE of the moderated equal-effects model). Borenstein, Hedges, Higgins &amp;
/// Rothstein (2009), ch. 19. R: see <see cref="SubgroupTau2"/>.
/// </summary>
public sealed record SubgroupResult : IAnalysisResult
{
    /// <summary>The moderator that defines the subgroups.</summary>
    public required string Moderator { get; init; }

    /// <summary>Common or separate τ².</summary>
    public required SubgroupTau2 Tau2Model { get; init; }

    /// <summary>The subgroup levels, in R's factor order.</summary>
    public required ImmutableArray<string> Levels { get; init; }

    /// <summary>The pooled effect of each subgroup, parallel to <see cref="Levels"/>.</summary>
    public required ImmutableArray<SubgroupEstimate> Groups { get; init; }

    /// <summary>The model of each subgroup under <see cref="SubgroupTau2.Separate"/>, parallel to <see cref="Levels"/>; empty under <see cref="SubgroupTau2.Common"/>.</summary>
    public ImmutableArray<RandomEffectsFit> Fits { get; init; } = [];

    /// <summary>The mixed-effects model <c>rma(yi, vi, mods = ~ factor(g))</c> under <see cref="SubgroupTau2.Common"/>, else null.</summary>
    public RandomEffectsFit? CommonModel { get; init; }

    /// <summary>The common τ² (null under <see cref="SubgroupTau2.Separate"/>).</summary>
    public double? CommonTau2 => CommonModel?.Tau2;

    /// <summary>The test of subgroup differences: Q_between (χ²), or under a common τ² with Knapp–Hartung tests the F statistic QM/(G − 1).</summary>
    public required double QBetween { get; init; }

    /// <summary>Its (numerator) degrees of freedom, G − 1.</summary>
    public int QBetweenDegreesOfFreedom => Levels.Length - 1;

    /// <summary>Denominator degrees of freedom when the test is F (k − G), else null (χ²).</summary>
    public double? QBetweenDenominatorDegreesOfFreedom { get; init; }

    /// <summary>p value of the test of subgroup differences.</summary>
    public required double QBetweenPValue { get; init; }

    /// <summary>Heterogeneity within subgroups, Σ_g Q_g.</summary>
    public required double QWithin { get; init; }

    /// <summary>Its degrees of freedom, k − G.</summary>
    public required int QWithinDegreesOfFreedom { get; init; }

    /// <summary>p value of Q_within against χ²(k − G) (1 when k = G).</summary>
    public required double QWithinPValue { get; init; }

    /// <inheritdoc/>
    public required DataUsage Usage { get; init; }

    /// <inheritdoc/>
    public required IReadOnlyList<string> Warnings { get; init; }

    /// <summary>"F" or "chi2": the reference distribution of the test of subgroup differences.</summary>
    public string BetweenTest => QBetweenDenominatorDegreesOfFreedom is null ? "chi2" : "F";

    private string Tau2ModelName => Tau2Model == SubgroupTau2.Common ? "common" : "separate";

    /// <inheritdoc/>
    public ResultSummary Summary()
    {
        var inv = CultureInfo.InvariantCulture;
        bool r = Groups.Any(g => !double.IsNaN(g.EstimateR));
        bool t = Groups.Any(g => g.Estimate.DegreesOfFreedom is not null);
        bool separate = Tau2Model == SubgroupTau2.Separate;
        var table = new ResultTable($"Subgroups by {Moderator}",
            [TableColumn.Label(Moderator), TableColumn.Integer("k"), TableColumn.Number("estimate", 4), TableColumn.Number("se", 4),
             .. (t ? new[] { TableColumn.Number("df", 0) } : []), TableColumn.Number("ci.lb", 4), TableColumn.Number("ci.ub", 4),
             TableColumn.Number("tau2", 4), .. (separate ? new[] { TableColumn.Number("I2", 2) } : []), TableColumn.Number("Q", 4),
             .. (r ? new[] { TableColumn.Number("r", 4) } : [])],
            [.. Groups.Select(g => (IReadOnlyList<object?>)[g.Level, g.K, g.Estimate.Estimate, g.Estimate.StandardError,
                .. (t ? new object?[] { g.Estimate.DegreesOfFreedom ?? double.NaN } : []), g.Estimate.Interval.Lower, g.Estimate.Interval.Upper, g.Tau2,
                .. (separate ? new object?[] { g.I2 } : []), g.Q, .. (r ? new object?[] { g.EstimateR } : [])])]);
        string between = QBetweenDenominatorDegreesOfFreedom is { } d2
            ? $"F({QBetweenDegreesOfFreedom}, {d2.ToString(inv)})"
            : $"Q_between({QBetweenDegreesOfFreedom})";
        var lines = new List<string>
        {
            $"Test of subgroup differences ({Tau2ModelName} τ²): {between} = {QBetween.ToString("F4", inv)}, p {RandomEffectsFit.FormatP(QBetweenPValue)}",
            $"Heterogeneity within subgroups: Q_within({QWithinDegreesOfFreedom}) = {QWithin.ToString("F4", inv)}, p {RandomEffectsFit.FormatP(QWithinPValue)}",
        };
        if (CommonTau2 is { } c) lines.Add($"Common τ² = {c.ToString("F4", inv)} ({MetaNames.Abbreviation(CommonModel!.Options.Estimator)})");
        lines.Add(Usage.ToString());
        string note = separate
            ? "Separate τ² per subgroup; Q_between from the fixed-effect test of the subgroup estimates. R: rma(yi, vi, subset = g == level) per level, then rma(est, sei = se, mods = ~ level, method = \"FE\")."
            : $"Common τ² from the mixed-effects model; the test of subgroup differences is its QM. R: rma(yi, vi, mods = ~ factor({Moderator})), estimates from mods = ~ 0 + factor({Moderator}).";
        return new ResultSummary($"Subgroup analysis by {Moderator} ({Tau2ModelName} τ²)", lines, [table], [note], Warnings);
    }

    /// <summary>
    /// <c>{…, "moderator", "tau2_model": "common"|"separate", "tau2" (common τ² or null), "groups": [{level, k, estimate, se,
    /// statistic, df, p, ci, tau2, i2, q, q_df, q_p, [estimate_r]}], "q_between", "q_between_test": "chi2"|"F",
    /// "q_between_df", "q_between_df2", "q_between_p", "q_within", "q_within_df", "q_within_p"}</c>.
    /// </summary>
    public JsonObject ToJson()
    {
        var o = JsonOutput.Document(this);
        o["moderator"] = Moderator;
        o["tau2_model"] = Tau2ModelName;
        o["tau2"] = CommonTau2 is { } c ? JsonOutput.Number(c) : null;
        o["groups"] = new JsonArray([.. Groups.Select(g =>
        {
            var s = new JsonObject
            {
                ["level"] = g.Level, ["k"] = g.K, ["estimate"] = JsonOutput.Number(g.Estimate.Estimate), ["se"] = JsonOutput.Number(g.Estimate.StandardError),
                ["statistic"] = JsonOutput.Number(g.Estimate.Statistic), ["df"] = g.Estimate.DegreesOfFreedom is { } df ? JsonOutput.Number(df) : null,
                ["p"] = JsonOutput.Number(g.Estimate.PValue), ["ci"] = g.Estimate.Interval.ToJson(), ["tau2"] = JsonOutput.Number(g.Tau2),
                ["i2"] = JsonOutput.Number(g.I2), ["q"] = JsonOutput.Number(g.Q), ["q_df"] = g.QDegreesOfFreedom, ["q_p"] = JsonOutput.Number(g.QPValue),
            };
            if (!double.IsNaN(g.EstimateR)) s["estimate_r"] = JsonOutput.Number(g.EstimateR);
            return (JsonNode?)s;
        })]);
        o["q_between"] = JsonOutput.Number(QBetween);
        o["q_between_test"] = BetweenTest;
        o["q_between_df"] = QBetweenDegreesOfFreedom;
        o["q_between_df2"] = QBetweenDenominatorDegreesOfFreedom is { } d2 ? JsonOutput.Number(d2) : null;
        o["q_between_p"] = JsonOutput.Number(QBetweenPValue);
        o["q_within"] = JsonOutput.Number(QWithin);
        o["q_within_df"] = QWithinDegreesOfFreedom;
        o["q_within_p"] = JsonOutput.Number(QWithinPValue);
        return o;
    }
}

public static partial class MetaAnalysis
{
    /// <summary>
    /// A subgroup analysis by <paramref name="moderator"/> (see <see cref="SubgroupResult"/>): with
    /// <see cref="SubgroupTau2.Common"/> (the default) the mixed-effects model with the moderator as a factor, with
    /// <see cref="SubgroupTau2.Separate"/> a model per level and the fixed-effect test of their estimates. The
    /// estimator and test of <paramref name="options"/> apply to every fit (its moderators are not used). Rows missing
    /// the moderator are left out and reported.
    /// R: <c>rma(yi, vi, mods = ~ factor(g))</c>; or <c>rma(yi, vi, subset = g == level)</c> then <c>rma(est, sei = se, mods = ~ level, method = "FE")</c>.
    /// </summary>
    /// <exception cref="AllianceInputException">When the moderator has fewer than two levels, there are no more studies than levels (common τ²), or a model cannot be fitted in a level.</exception>
    public static SubgroupResult Subgroups(StudySet studies, string moderator, MetaAnalysisOptions? options = null, SubgroupTau2 tau2 = SubgroupTau2.Common)
    {
        ArgumentNullException.ThrowIfNull(studies);
        ArgumentNullException.ThrowIfNull(moderator);
        options ??= new MetaAnalysisOptions();
        options.Validate();
        var column = studies.Moderator(moderator);
        var missing = Enumerable.Range(0, studies.Count).Where(i => column.Text[i] is null).ToArray();
        var usage = studies.Usage.Then(DataUsage.All(studies.Count).Exclude($"missing moderator '{column.Name}'", missing.Length, missing.Select(i => studies.Lines[i])));
        var levels = ModelMatrix.SortLevels(Enumerable.Range(0, studies.Count).Where(i => column.Text[i] is not null).Select(i => column.Text[i]!).Distinct(StringComparer.Ordinal));
        if (levels.Count < 2) throw new AllianceInputException($"{studies.Source}: moderator '{column.Name}' has fewer than two levels; there are no subgroups to compare.");
        var members = levels.Select(level => Enumerable.Range(0, studies.Count).Where(i => string.Equals(column.Text[i], level, StringComparison.Ordinal)).ToArray()).ToArray();
        var warnings = new List<string>();
        for (int g = 0; g < levels.Count; g++)
            if (members[g].Length == 1) warnings.Add(tau2 == SubgroupTau2.Separate ? $"subgroup '{levels[g]}' has a single study (τ² = 0 there)." : $"subgroup '{levels[g]}' has a single study.");

        // Heterogeneity within each subgroup, with equal-effects weights 1/vᵢ.
        var within = members.Select(rows =>
        {
            double sw = 0, swy = 0;
            foreach (int i in rows) { sw += 1 / studies.Vi[i]; swy += studies.Yi[i] / studies.Vi[i]; }
            double mean = swy / sw, q = 0;
            foreach (int i in rows) q += (studies.Yi[i] - mean) * (studies.Yi[i] - mean) / studies.Vi[i];
            int df = rows.Length - 1;
            return (Q: q, Df: df, P: df >= 1 ? TailProbabilities.ChiSquareUpper(q, df) : 1.0);
        }).ToArray();
        double qWithin = within.Sum(w => w.Q);
        int used = members.Sum(m => m.Length), qWithinDf = used - levels.Count;
        double qWithinP = qWithinDf >= 1 ? TailProbabilities.ChiSquareUpper(qWithin, qWithinDf) : 1.0;
        double ToR(double z) => studies.Measure == EffectMeasure.Generic ? double.NaN : EffectSizes.ToCorrelation(z, studies.Measure);

        if (tau2 == SubgroupTau2.Common)
        {
            var model = Fit(studies, options with { Moderators = [$"factor({column.Name})"] });
            int p = model.CoefficientCount;
            var cov = model.Covariance;
            double crit = model.Critical(options.Level);
            var groups = new List<SubgroupEstimate>();
            for (int g = 0; g < levels.Count; g++)
            {
                // β₀ for the reference level, β₀ + β_g for the others.
                double est = model.Coefficients[0].Estimate + (g > 0 ? model.Coefficients[g].Estimate : 0);
                double var = cov[0] + (g > 0 ? cov[g * p + g] + 2 * cov[g] : 0);
                double se = Math.Sqrt(var), stat = est / se;
                double pv = model.DegreesOfFreedom is { } df ? TailProbabilities.StudentTwoSided(stat, df) : TailProbabilities.NormalTwoSided(stat);
                var coefficient = new MetaCoefficient(levels[g], est, se, stat, pv, new ConfidenceInterval(est - crit * se, est + crit * se, options.Level)) { DegreesOfFreedom = model.DegreesOfFreedom };
                groups.Add(new SubgroupEstimate(levels[g], members[g].Length, coefficient, model.Tau2, double.NaN, within[g].Q, within[g].Df, within[g].P, ToR(est)));
            }
            warnings.AddRange(model.Warnings.Where(w => !w.StartsWith("studies left out", StringComparison.Ordinal)));
            return new SubgroupResult
            {
                Moderator = column.Name,
                Tau2Model = tau2,
                Levels = [.. levels],
                Groups = [.. groups],
                CommonModel = model,
                QBetween = model.QM,
                QBetweenDenominatorDegreesOfFreedom = model.DegreesOfFreedom,
                QBetweenPValue = model.QMPValue,
                QWithin = qWithin,
                QWithinDegreesOfFreedom = qWithinDf,
                QWithinPValue = qWithinP,
                Usage = usage,
                Warnings = warnings,
            };
        }

        var fits = new List<RandomEffectsFit>();
        var estimates = new List<SubgroupEstimate>();
        for (int g = 0; g < levels.Count; g++)
        {
            var rows = members[g];
            var fit = Fit(studies.Take(rows) with { Usage = DataUsage.All(rows.Length) }, options with { Moderators = [] });
            fits.Add(fit);
            var e = fit.Estimate with { Name = levels[g] };
            estimates.Add(new SubgroupEstimate(levels[g], fit.K, e, fit.Tau2, fit.I2, within[g].Q, within[g].Df, within[g].P, ToR(e.Estimate)));
            warnings.AddRange(fit.Warnings.Select(w => $"subgroup '{levels[g]}': {w}"));
        }
        double sumW = 0, sumWy = 0;
        foreach (var f in fits) { double w = 1 / (f.Estimate.StandardError * f.Estimate.StandardError); sumW += w; sumWy += w * f.Estimate.Estimate; }
        double mu = sumWy / sumW, qb = 0;
        foreach (var f in fits) { double d = f.Estimate.Estimate - mu; qb += d * d / (f.Estimate.StandardError * f.Estimate.StandardError); }
        return new SubgroupResult
        {
            Moderator = column.Name,
            Tau2Model = tau2,
            Levels = [.. levels],
            Groups = [.. estimates],
            Fits = [.. fits],
            QBetween = qb,
            QBetweenPValue = TailProbabilities.ChiSquareUpper(qb, levels.Count - 1),
            QWithin = qWithin,
            QWithinDegreesOfFreedom = qWithinDf,
            QWithinPValue = qWithinP,
            Usage = usage,
            Warnings = warnings,
        };
    }
}
