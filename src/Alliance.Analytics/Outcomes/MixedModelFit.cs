using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using Alliance.Analytics.Data;
using Alliance.Analytics.Numerics;
using Alliance.Analytics.Presentation;

namespace Alliance.Analytics.Outcomes;

/// <summary>A fixed effect: estimate, standard error, denominator df, t, two-sided p and Wald interval.</summary>
/// <param name="Term">Term name as lme4 prints it ("(Intercept)", "session").</param>
/// <param name="Estimate">β̂.</param>
/// <param name="StandardError">√ of the diagonal of σ̂²(R_XᵀR_X)⁻¹ (lme4's <c>vcov</c>).</param>
/// <param name="DegreesOfFreedom">Satterthwaite or residual df.</param>
/// <param name="T">β̂ / SE.</param>
/// <param name="PValue">Two-sided p from the t distribution on <paramref name="DegreesOfFreedom"/>.</param>
/// <param name="Interval">Wald interval β̂ ± t_{1−α/2, df} SE at the model's confidence level.</param>
public sealed record FixedEffectEstimate(string Term, double Estimate, double StandardError, double DegreesOfFreedom, double T, double PValue, ConfidenceInterval Interval);

/// <summary>
/// One random-effect term: its covariance matrix Σ = σ² ΛΛᵀ, and per group the conditional mode b̂ (lme4's
/// <c>ranef</c>) and conditional SD (<c>attr(ranef(fit, condVar = TRUE), "postVar")</c>, given θ̂ and β̂).
/// </summary>
/// <param name="Group">Grouping factor as lme4 names it ("client:therapist" for therapist/client).</param>
/// <param name="Columns">Column names ("(Intercept)", "session").</param>
/// <param name="Covariance">q × q covariance, row-major.</param>
/// <param name="Levels">Group labels.</param>
/// <param name="ConditionalModes">Per group, q values (row-major levels × q).</param>
/// <param name="ConditionalStandardDeviations">Per group, q conditional SDs.</param>
public sealed record RandomEffectTerm(string Group, ImmutableArray<string> Columns, ImmutableArray<double> Covariance,
    ImmutableArray<string> Levels, ImmutableArray<double> ConditionalModes, ImmutableArray<double> ConditionalStandardDeviations)
{
    /// <summary>Variance of column <paramref name="a"/>.</summary>
    public double Variance(int a) => Covariance[a * Columns.Length + a];

    /// <summary>Standard deviation of column <paramref name="a"/>.</summary>
    public double StandardDeviation(int a) => Math.Sqrt(Variance(a));

    /// <summary>Correlation of columns <paramref name="a"/> and <paramref name="b"/> (NaN when a variance is zero).</summary>
    public double Correlation(int a, int b)
    {
        double d = StandardDeviation(a) * StandardDeviation(b);
        return d > 0 ? Covariance[a * Columns.Length + b] / d : double.NaN;
    }

    /// <summary>The index of the intercept column, or −1.</summary>
    public int InterceptIndex => Columns.IndexOf("(Intercept)");
}

/// <summary>
/// A fitted linear mixed model (<see cref="LinearMixedModel"/>): fixed effects with SE, df and p; variance components
/// and intraclass correlations; conditional modes of the random effects; the REML criterion (or ML deviance),
/// log-likelihood, AIC, BIC; and convergence as data. R: <c>lmerTest::lmer(formula, data, REML = …)</c>, then
/// <c>summary()</c>, <c>VarCorr()</c>, <c>ranef(condVar = TRUE)</c>, <c>REMLcrit()</c>.
/// </summary>
public sealed record MixedModelFit : IAnalysisResult
{
    /// <summary>The model fitted.</summary>
    public required MixedModelFormula Formula { get; init; }

    /// <summary>The options used.</summary>
    public required MixedModelOptions Options { get; init; }

    /// <summary>Fixed effects in formula order.</summary>
    public required ImmutableArray<FixedEffectEstimate> FixedEffects { get; init; }

    /// <summary>The fixed effects' covariance σ̂²(R_XᵀR_X)⁻¹, p × p row-major (lme4's <c>vcov</c>).</summary>
    public required ImmutableArray<double> FixedEffectCovariance { get; init; }

    /// <summary>Random-effect terms, by decreasing number of groups (lme4's order).</summary>
    public required ImmutableArray<RandomEffectTerm> RandomEffects { get; init; }

    /// <summary>σ̂², the residual variance.</summary>
    public required double ResidualVariance { get; init; }

    /// <summary>The relative covariance factors θ̂ at the optimum (lme4's <c>getME(fit, "theta")</c>, inner term first).</summary>
    public required ImmutableArray<double> Theta { get; init; }

    /// <summary>The minimised criterion: the REML criterion (<c>REMLcrit</c>) for REML, the deviance −2 log L for ML.</summary>
    public required double Criterion { get; init; }

    /// <summary>Log-likelihood (REML log restricted likelihood for REML fits, as lme4's <c>logLik</c>).</summary>
    public required double LogLikelihood { get; init; }

    /// <summary>AIC = −2 log L + 2k with k = fixed effects + θ + 1.</summary>
    public required double Aic { get; init; }

    /// <summary>BIC = −2 log L + k log n.</summary>
    public required double Bic { get; init; }

    /// <summary>Observations used.</summary>
    public required int Observations { get; init; }

    /// <summary>How the optimisation ended.</summary>
    public required Convergence Convergence { get; init; }

    /// <summary>Deviance evaluations used by the optimiser.</summary>
    public required int Evaluations { get; init; }

    /// <summary>True when a variance is (near) zero: lme4's "boundary (singular) fit".</summary>
    public required bool IsSingular { get; init; }

    /// <inheritdoc/>
    public required DataUsage Usage { get; init; }

    /// <inheritdoc/>
    public required IReadOnlyList<string> Warnings { get; init; }

    /// <summary>True for a REML fit.</summary>
    public bool IsReml => Options.Method == EstimationMethod.Reml;

    /// <summary>σ̂, the residual standard deviation (lme4's <c>sigma</c>).</summary>
    public double ResidualStandardDeviation => Math.Sqrt(ResidualVariance);

    /// <summary>The REML criterion (NaN for an ML fit).</summary>
    public double RemlCriterion => IsReml ? Criterion : double.NaN;

    /// <summary>The fixed effect named <paramref name="term"/>.</summary>
    /// <exception cref="ArgumentException">When there is no such term.</exception>
    public FixedEffectEstimate this[string term] => FixedEffects.FirstOrDefault(f => f.Term == term)
        ?? throw new ArgumentException($"No fixed effect '{term}' (terms: {string.Join(", ", FixedEffects.Select(f => f.Term))}).", nameof(term));

    /// <summary>The random-effect term grouped by <paramref name="group"/>.</summary>
    /// <exception cref="ArgumentException">When there is no such term.</exception>
    public RandomEffectTerm Random(string group) => RandomEffects.FirstOrDefault(r => r.Group == group)
        ?? throw new ArgumentException($"No random effect grouped by '{group}' (groups: {string.Join(", ", RandomEffects.Select(r => r.Group))}).", nameof(group));

    /// <summary>
    /// Intraclass correlation of each term with a random intercept: its intercept variance over the sum of every
    /// intercept variance and σ² (the share of variance at covariate values zero; with random slopes it changes with
    /// the covariate). For sessions in clients in therapists, the therapist ICC is τ²_T / (τ²_T + τ²_C + σ²).
    /// </summary>
    public ImmutableDictionary<string, double> IntraclassCorrelations
    {
        get
        {
            double total = ResidualVariance + RandomEffects.Where(r => r.InterceptIndex >= 0).Sum(r => r.Variance(r.InterceptIndex));
            return RandomEffects.Where(r => r.InterceptIndex >= 0).ToImmutableDictionary(r => r.Group, r => r.Variance(r.InterceptIndex) / total);
        }
    }

    /// <inheritdoc/>
    public ResultSummary Summary()
    {
        var fixedTable = new ResultTable("Fixed effects",
            [TableColumn.Label("term"), TableColumn.Number("estimate", 4), TableColumn.Number("SE", 4), TableColumn.Number("df", 1),
             TableColumn.Number("t", 3), TableColumn.Number("p", 4), TableColumn.Number("lower", 4), TableColumn.Number("upper", 4)],
            [.. FixedEffects.Select(f => (IReadOnlyList<object?>)[f.Term, f.Estimate, f.StandardError, f.DegreesOfFreedom, f.T, f.PValue, f.Interval.Lower, f.Interval.Upper])]);
        var rows = new List<IReadOnlyList<object?>>();
        foreach (var r in RandomEffects)
            for (int a = 0; a < r.Columns.Length; a++)
            {
                string corr = string.Join(" ", Enumerable.Range(0, a).Select(b => r.Correlation(a, b).ToString("F3", CultureInfo.InvariantCulture)));
                rows.Add([a == 0 ? r.Group : "", r.Columns[a], r.Variance(a), r.StandardDeviation(a), corr, a == 0 ? r.Levels.Length : null]);
            }
        rows.Add(["Residual", "", ResidualVariance, ResidualStandardDeviation, "", null]);
        var randomTable = new ResultTable("Random effects",
            [TableColumn.Label("group"), TableColumn.Label("name"), TableColumn.Number("variance", 4), TableColumn.Number("SD", 4), TableColumn.Label("corr"), TableColumn.Integer("groups")],
            rows);
        var lines = new List<string>
        {
            $"Formula: {Formula}",
            Usage.ToString(),
            $"{(IsReml ? "REML criterion" : "Deviance (ML)")} {Criterion.ToString("F4", CultureInfo.InvariantCulture)}; log-likelihood {LogLikelihood.ToString("F4", CultureInfo.InvariantCulture)}; " +
            $"AIC {Aic.ToString("F2", CultureInfo.InvariantCulture)}; BIC {Bic.ToString("F2", CultureInfo.InvariantCulture)}",
            "ICC: " + (IntraclassCorrelations.Count == 0 ? "—" : string.Join("; ", IntraclassCorrelations.Select(kv => $"{kv.Key} {kv.Value.ToString("F3", CultureInfo.InvariantCulture)}"))),
            $"Optimiser: {Convergence} ({Evaluations} deviance evaluations)",
        };
        var notes = new List<string>
        {
            $"Fitted by {(IsReml ? "REML" : "ML")} on the profiled deviance (Bates et al. 2015), as lme4::lmer. " +
            (Options.DegreesOfFreedom == DegreesOfFreedomMethod.Satterthwaite ? "t tests with Satterthwaite df (as lmerTest)." : "t tests with residual df n − p."),
            $"Intervals: Wald {Options.Level.ToString("P0", CultureInfo.InvariantCulture)} with the t quantile on the same df.",
        };
        return new ResultSummary($"Linear mixed model ({(IsReml ? "REML" : "ML")})", lines, [fixedTable, randomTable], notes, Warnings);
    }

    /// <summary>
    /// <c>{"formula", "method", "fixed_effects": [{"term", "estimate", "se", "df", "t", "p", "ci"}], "random_effects":
    /// [{"group", "columns", "variances", "sds", "correlations", "groups"}], "residual_variance", "icc", "reml_criterion",
    /// "deviance", "log_likelihood", "aic", "bic", "theta", "singular", "convergence"}</c>.
    /// </summary>
    public JsonObject ToJson()
    {
        var o = JsonOutput.Document(this);
        o["formula"] = Formula.Text;
        o["method"] = IsReml ? "REML" : "ML";
        o["df_method"] = Options.DegreesOfFreedom == DegreesOfFreedomMethod.Satterthwaite ? "satterthwaite" : "residual";
        o["fixed_effects"] = new JsonArray([.. FixedEffects.Select(f => (JsonNode?)new JsonObject
        {
            ["term"] = f.Term,
            ["estimate"] = JsonOutput.Number(f.Estimate),
            ["se"] = JsonOutput.Number(f.StandardError),
            ["df"] = JsonOutput.Number(f.DegreesOfFreedom),
            ["t"] = JsonOutput.Number(f.T),
            ["p"] = JsonOutput.Number(f.PValue),
            ["ci"] = JsonOutput.Interval(f.Interval),
        })]);
        o["random_effects"] = new JsonArray([.. RandomEffects.Select(r => (JsonNode?)new JsonObject
        {
            ["group"] = r.Group,
            ["columns"] = JsonOutput.Strings(r.Columns),
            ["variances"] = JsonOutput.Numbers(Enumerable.Range(0, r.Columns.Length).Select(r.Variance)),
            ["sds"] = JsonOutput.Numbers(Enumerable.Range(0, r.Columns.Length).Select(r.StandardDeviation)),
            ["correlations"] = JsonOutput.Numbers(Enumerable.Range(0, r.Columns.Length).SelectMany(a => Enumerable.Range(0, a).Select(b => r.Correlation(a, b)))),
            ["groups"] = r.Levels.Length,
        })]);
        o["residual_variance"] = JsonOutput.Number(ResidualVariance);
        var icc = new JsonObject();
        foreach (var (k, v) in IntraclassCorrelations) icc[k] = JsonOutput.Number(v);
        o["icc"] = icc;
        o["reml_criterion"] = JsonOutput.Number(RemlCriterion);
        o["deviance"] = IsReml ? null : JsonOutput.Number(Criterion);
        o["log_likelihood"] = JsonOutput.Number(LogLikelihood);
        o["aic"] = JsonOutput.Number(Aic);
        o["bic"] = JsonOutput.Number(Bic);
        o["theta"] = JsonOutput.Numbers(Theta);
        o["singular"] = IsSingular;
        o["convergence"] = OutcomeJson.Convergence(Convergence, Evaluations);
        return o;
    }

    /// <summary>"LMM (REML) y ~ …: n = 180, REML criterion 1743.628".</summary>
    public override string ToString() =>
        $"LMM ({(IsReml ? "REML" : "ML")}) {Formula}: n = {Observations}, {(IsReml ? "REML criterion" : "deviance")} {Criterion.ToString("F3", CultureInfo.InvariantCulture)}";
}
