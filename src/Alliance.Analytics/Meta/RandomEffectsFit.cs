using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using Alliance.Analytics.Data;
using Alliance.Analytics.Numerics;
using Alliance.Analytics.Presentation;

namespace Alliance.Analytics.Meta;

/// <summary>JSON of the meta-analysis intervals.</summary>
internal static class IntervalJson
{
    /// <summary>The interval as a JSON pair <c>[lower, upper]</c>.</summary>
    internal static JsonArray ToJson(this ConfidenceInterval interval) => JsonOutput.Interval(interval);
}

/// <summary>One model coefficient with its test and interval.</summary>
/// <param name="Name">"intrcpt", a moderator, or "moderator=level".</param>
/// <param name="Estimate">β̂.</param>
/// <param name="StandardError">SE(β̂) (Knapp–Hartung-scaled under that test).</param>
/// <param name="Statistic">z or t.</param>
/// <param name="PValue">Two-sided p value.</param>
/// <param name="Interval">Confidence interval.</param>
public sealed record MetaCoefficient(string Name, double Estimate, double StandardError, double Statistic, double PValue, ConfidenceInterval Interval)
{
    /// <summary>
    /// Degrees of freedom of the t test and interval (Knapp–Hartung or t tests), null for z tests: k − p in the
    /// univariate model (metafor's <c>ddf</c>), k − p or the containment df in the three-level model (<see cref="DegreesOfFreedomRule"/>).
    /// </summary>
    public double? DegreesOfFreedom { get; init; }
}

/// <summary>
/// A fitted equal-effects, random-effects or mixed-effects (meta-regression) model: metafor's <c>rma.uni</c> object.
/// Holds the coefficients with their tests, τ² with its standard error and Q-profile interval, I², H², the Q test
/// of heterogeneity, the omnibus test of moderators QM and R², the prediction interval, the weights, convergence, and
/// what it was made from (studies, design, options) so that leave-one-out, influence, cumulative, bias and
/// permutation analyses can refit it. Made by <see cref="MetaAnalysis.Fit"/>.
/// </summary>
public sealed record RandomEffectsFit : IAnalysisResult
{
    /// <summary>The studies used (rows with missing moderators already left out).</summary>
    public required StudySet Studies { get; init; }

    /// <summary>The design matrix (intercept first).</summary>
    public required ModelMatrix Design { get; init; }

    /// <summary>The options the model was fitted with.</summary>
    public required MetaAnalysisOptions Options { get; init; }

    /// <summary>Number of effect sizes, k.</summary>
    public int K => Studies.Count;

    /// <summary>Number of coefficients, p.</summary>
    public int CoefficientCount => Design.Columns;

    /// <summary>The coefficients, intercept first.</summary>
    public required ImmutableArray<MetaCoefficient> Coefficients { get; init; }

    /// <summary>Covariance matrix of β̂ (p × p, row-major; Knapp–Hartung-scaled under that test).</summary>
    public required ImmutableArray<double> Covariance { get; init; }

    /// <summary>The intercept (the pooled estimate of an intercept-only model).</summary>
    public MetaCoefficient Estimate => Coefficients[0];

    /// <summary>Estimated (or fixed) between-study variance τ².</summary>
    public required double Tau2 { get; init; }

    /// <summary>τ = √τ².</summary>
    public double Tau => Math.Sqrt(Tau2);

    /// <summary>Standard error of τ² (metafor's formula for the estimator; NaN for equal effects).</summary>
    public required double Tau2StandardError { get; init; }

    /// <summary>Q-profile interval of τ² (Viechtbauer 2007); missing for equal effects or when not asked for.</summary>
    public required ConfidenceInterval Tau2Interval { get; init; }

    /// <summary>True when the upper Q-profile bound hit its search limit max(100, 10τ̂²) (the bound is then "&gt;").</summary>
    public bool Tau2IntervalTruncated { get; init; }

    /// <summary>I² in percent: 100·τ²/(τ² + ṽ) with ṽ = (k − p)/tr(P) the typical sampling variance (equal effects: 100·(Q − df)/Q).</summary>
    public required double I2 { get; init; }

    /// <summary>ConfidenceInterval of I² from the τ² interval.</summary>
    public required ConfidenceInterval I2Interval { get; init; }

    /// <summary>H² = τ²/ṽ + 1 (equal effects: Q/df).</summary>
    public required double H2 { get; init; }

    /// <summary>ConfidenceInterval of H² from the τ² interval.</summary>
    public required ConfidenceInterval H2Interval { get; init; }

    /// <summary>The typical within-study variance ṽ = (k − p)/tr(P) with P from weights 1/vᵢ.</summary>
    public required double TypicalVariance { get; init; }

    /// <summary>Cochran's Q (QE for meta-regression: residual heterogeneity), with weights 1/vᵢ.</summary>
    public required double Q { get; init; }

    /// <summary>Degrees of freedom of Q, k − p.</summary>
    public int QDegreesOfFreedom => K - CoefficientCount;

    /// <summary>p value of Q against χ²(k − p).</summary>
    public required double QPValue { get; init; }

    /// <summary>Omnibus test of the moderators (of the intercept in an intercept-only model): χ² (z test) or F (Knapp–Hartung).</summary>
    public required double QM { get; init; }

    /// <summary>Numerator degrees of freedom of QM (number of coefficients tested).</summary>
    public required int QMDegreesOfFreedom { get; init; }

    /// <summary>p value of QM.</summary>
    public required double QMPValue { get; init; }

    /// <summary>R² in percent: (τ²₀ − τ²)/τ²₀ with τ²₀ from the intercept-only model (truncated at 0); null without moderators.</summary>
    public double? R2 { get; init; }

    /// <summary>τ² of the intercept-only model, the base of R²; null without moderators.</summary>
    public double? Tau2WithoutModerators { get; init; }

    /// <summary>Residual degrees of freedom of the t tests (Knapp–Hartung), or null for z tests.</summary>
    public required double? DegreesOfFreedom { get; init; }

    /// <summary>Prediction interval of a new true effect, β̂₀ ± crit·√(SE² + τ²) (intercept-only models; missing otherwise).</summary>
    public required ConfidenceInterval PredictionInterval { get; init; }

    /// <summary>Weights of the studies in percent (100·wᵢ/Σw, wᵢ = 1/(vᵢ + τ²)).</summary>
    public required ImmutableArray<double> Weights { get; init; }

    /// <summary>Log-likelihood under ML.</summary>
    public required double LogLikelihoodML { get; init; }

    /// <summary>Restricted log-likelihood (metafor's, with the ½ log|X′X| term).</summary>
    public required double LogLikelihoodREML { get; init; }

    /// <summary>How the τ² estimate was reached (iterations for ML/REML/EB).</summary>
    public required Convergence Convergence { get; init; }

    /// <summary>Knapp–Hartung scale factor s² (1 under z tests).</summary>
    public required double KnappHartungScale { get; init; }

    /// <inheritdoc/>
    public required DataUsage Usage { get; init; }

    /// <inheritdoc/>
    public required IReadOnlyList<string> Warnings { get; init; }

    /// <summary>True for correlations (Fisher z or raw r): estimates are also shown as r.</summary>
    public bool IsCorrelation => Studies.Measure != EffectMeasure.Generic;

    /// <summary>True when the model has moderators.</summary>
    public bool HasModerators => CoefficientCount > 1;

    /// <summary>The pooled estimate back-transformed to r (NaN unless correlations).</summary>
    public double EstimateR => IsCorrelation ? EffectSizes.ToCorrelation(Estimate.Estimate, Studies.Measure) : double.NaN;

    /// <summary>The confidence interval back-transformed to r.</summary>
    public ConfidenceInterval IntervalR => IsCorrelation ? Estimate.Interval.Map(z => EffectSizes.ToCorrelation(z, Studies.Measure)) : ConfidenceInterval.Missing(Options.Level);

    /// <summary>The prediction interval back-transformed to r.</summary>
    public ConfidenceInterval PredictionIntervalR => IsCorrelation ? PredictionInterval.Map(z => EffectSizes.ToCorrelation(z, Studies.Measure)) : ConfidenceInterval.Missing(Options.Level);

    /// <summary>Leave-one-out analysis (metafor's <c>leave1out</c>).</summary>
    public LeaveOneOutResult LeaveOneOut() => Diagnostics.LeaveOneOut(this);

    /// <summary>Influence diagnostics (metafor's <c>influence</c>).</summary>
    public InfluenceResult Influence() => Diagnostics.Influence(this);

    /// <summary>Cumulative meta-analysis in the order of <paramref name="order"/> (one key per study, ascending; null: the table order).</summary>
    public CumulativeResult Cumulative(IReadOnlyList<double>? order = null) => Diagnostics.Cumulative(this, order);

    /// <summary>
    /// The predicted mean effect at moderator values <paramref name="x"/> (without the intercept; empty for intercept-only):
    /// μ̂(x) = x′β̂ with SE √(x′ Cov(β̂) x) and interval μ̂ ± crit · SE, and the prediction interval μ̂ ± crit · √(SE² + τ̂²)
    /// for the true effect of a new study (metafor's <c>predict.rma</c>).
    /// </summary>
    /// <exception cref="ArgumentException">When the number of values is not p − 1.</exception>
    public (Estimate Mean, ConfidenceInterval PredictionInterval) Predict(ReadOnlySpan<double> x)
    {
        if (x.Length != CoefficientCount - 1) throw new ArgumentException($"The model has {CoefficientCount - 1} moderator column(s); {x.Length} values were given.", nameof(x));
        Span<double> row = stackalloc double[CoefficientCount];
        row[0] = 1;
        x.CopyTo(row[1..]);
        double pred = 0;
        for (int j = 0; j < CoefficientCount; j++) pred += row[j] * Coefficients[j].Estimate;
        double vpred = WeightedLeastSquares.Quadratic(Covariance.AsSpan(), row, CoefficientCount);
        double crit = Critical(Options.Level);
        double se = Math.Sqrt(vpred);
        return (new Estimate(pred, se, new ConfidenceInterval(pred - crit * se, pred + crit * se, Options.Level)), new ConfidenceInterval(pred - crit * Math.Sqrt(vpred + Tau2), pred + crit * Math.Sqrt(vpred + Tau2), Options.Level, "prediction"));
    }

    /// <summary>The critical value of intervals at <paramref name="level"/> (z, or t(k − p) under Knapp–Hartung).</summary>
    internal double Critical(double level) => DegreesOfFreedom is { } df
        ? TailProbabilities.StudentQuantileUpper((1 - level) / 2, df)
        : TailProbabilities.NormalQuantileUpper((1 - level) / 2);

    /// <summary>Title of the model.</summary>
    public string ModelName => Options.Estimator == TauEstimator.EqualEffects
        ? (HasModerators ? "Equal-effects meta-regression" : "Equal-effects model")
        : (HasModerators ? "Mixed-effects meta-regression" : "Random-effects model");

    /// <inheritdoc/>
    public ResultSummary Summary()
    {
        var inv = CultureInfo.InvariantCulture;
        string method = MetaNames.Abbreviation(Options.Estimator);
        var lines = new List<string>
        {
            $"{Studies.Source}: k = {K} {SummaryUnit()} ({StudySet.MeasureName(Studies.Measure)}); {Usage}",
            $"τ² estimator: {method}; tests: {(DegreesOfFreedom is { } tdf ? $"Knapp–Hartung t({tdf.ToString(inv)})" : "z")}; {Convergence}",
        };
        if (Options.Estimator != TauEstimator.EqualEffects)
        {
            lines.Add($"τ² = {Tau2.ToString("F4", inv)} (SE {Tau2StandardError.ToString("F4", inv)})" + (Tau2Interval.IsKnown ? $", {Level()}% CI {Tau2Interval.BoundsToString("F4")}{(Tau2IntervalTruncated ? " (upper bound at search limit)" : "")}" : "") + $"; τ = {Tau.ToString("F4", inv)}");
            lines.Add($"I² = {I2.ToString("F2", inv)}%" + (I2Interval.IsKnown ? $" {I2Interval.BoundsToString("F2")}" : "") + $"; H² = {H2.ToString("F2", inv)}" + (H2Interval.IsKnown ? $" {H2Interval.BoundsToString("F2")}" : ""));
        }
        else lines.Add($"I² = {I2.ToString("F2", inv)}%; H² = {H2.ToString("F2", inv)}");
        lines.Add($"{(HasModerators ? "Residual heterogeneity QE" : "Heterogeneity Q")}({QDegreesOfFreedom}) = {Q.ToString("F4", inv)}, p {FormatP(QPValue)}");
        if (HasModerators)
        {
            string qm = DegreesOfFreedom is { } df ? $"F({QMDegreesOfFreedom}, {df.ToString(inv)})" : $"QM({QMDegreesOfFreedom})";
            lines.Add($"Test of moderators: {qm} = {QM.ToString("F4", inv)}, p {FormatP(QMPValue)}" + (R2 is { } r2 ? $"; R² = {r2.ToString("F2", inv)}%" : ""));
        }
        string stat = DegreesOfFreedom is null ? "z" : "t";
        var coef = new ResultTable("Coefficients",
            [TableColumn.Label("term"), TableColumn.Number("estimate", 4), TableColumn.Number("se", 4), TableColumn.Number(stat, 4), TableColumn.Number("p", 4), TableColumn.Number("ci.lb", 4), TableColumn.Number("ci.ub", 4)],
            [.. Coefficients.Select(c => (IReadOnlyList<object?>)[c.Name, c.Estimate, c.StandardError, c.Statistic, c.PValue, c.Interval.Lower, c.Interval.Upper])]);
        var tables = new List<ResultTable> { coef };
        if (!HasModerators)
        {
            var rows = new List<IReadOnlyList<object?>> { new object?[] { StudySet.MeasureName(Studies.Measure), Estimate.Estimate, Estimate.Interval.Lower, Estimate.Interval.Upper, PredictionInterval.Lower, PredictionInterval.Upper } };
            if (Studies.Measure == EffectMeasure.FisherZ)
                rows.Add(["r (back-transformed)", EstimateR, IntervalR.Lower, IntervalR.Upper, PredictionIntervalR.Lower, PredictionIntervalR.Upper]);
            tables.Add(new ResultTable("Pooled estimate",
                [TableColumn.Label("scale"), TableColumn.Number("estimate", 4), TableColumn.Number("ci.lb", 4), TableColumn.Number("ci.ub", 4), TableColumn.Number("pi.lb", 4), TableColumn.Number("pi.ub", 4)], rows));
        }
        var notes = new List<string>
        {
            $"R: metafor::rma(yi, vi{(HasModerators ? ", mods = ~ " + string.Join(" + ", Design.Moderators) : "")}, method = \"{method}\"{(Options.Test == MetaTest.KnappHartung ? ", test = \"knha\"" : "")}).",
        };
        if (Tau2Interval.IsKnown) notes.Add("τ², I² and H² intervals by the Q-profile method (Viechtbauer 2007).");
        return new ResultSummary($"{ModelName} (k = {K}; τ² by {method})", lines, tables, notes, Warnings);
    }

    private string SummaryUnit() => Studies.Measure == EffectMeasure.Generic ? "effect sizes" : "correlations";

    private string Level() => (Options.Level * 100).ToString("G4", CultureInfo.InvariantCulture);

    internal static string FormatP(double p) => double.IsNaN(p) ? "= —" : p < 0.0001 ? "< .0001" : "= " + p.ToString("F4", CultureInfo.InvariantCulture);

    /// <summary>
    /// <c>{k, method, test, estimate, se, ci, pi, df, dfs, tau2, tau2_se, tau2_ci, tau, i2, i2_ci, h2, h2_ci, q, q_df, q_p,
    /// [estimate_r, ci_r, pi_r], [coefficients (each with df), qm, qm_df, qm_df2, qm_p, r2], convergence, …}</c>; I² in percent;
    /// df (k − p), dfs ("residual") and qm_df2 are null under z tests.
    /// </summary>
    public JsonObject ToJson()
    {
        var o = JsonOutput.Document(this);
        o["model"] = ModelName;
        o["k"] = K;
        o["measure"] = Studies.Measure switch { EffectMeasure.FisherZ => "fisher_z", EffectMeasure.RawCorrelation => "r", _ => "generic" };
        o["method"] = MetaNames.Abbreviation(Options.Estimator);
        o["test"] = DegreesOfFreedom is null ? "z" : "knha";
        o["level"] = Options.Level;
        o["estimate"] = JsonOutput.Number(Estimate.Estimate);
        o["se"] = JsonOutput.Number(Estimate.StandardError);
        o["statistic"] = JsonOutput.Number(Estimate.Statistic);
        o["p"] = JsonOutput.Number(Estimate.PValue);
        o["ci"] = Estimate.Interval.ToJson();
        o["pi"] = PredictionInterval.ToJson();
        o["df"] = DegreesOfFreedom is { } df ? JsonOutput.Number(df) : null;
        o["dfs"] = DegreesOfFreedom is null ? null : "residual";
        o["tau2"] = JsonOutput.Number(Tau2);
        o["tau2_se"] = JsonOutput.Number(Tau2StandardError);
        o["tau2_ci"] = Tau2Interval.ToJson();
        o["tau"] = JsonOutput.Number(Tau);
        o["i2"] = JsonOutput.Number(I2);
        o["i2_ci"] = I2Interval.ToJson();
        o["h2"] = JsonOutput.Number(H2);
        o["h2_ci"] = H2Interval.ToJson();
        o["q"] = JsonOutput.Number(Q);
        o["q_df"] = QDegreesOfFreedom;
        o["q_p"] = JsonOutput.Number(QPValue);
        if (IsCorrelation)
        {
            o["estimate_r"] = JsonOutput.Number(EstimateR);
            o["ci_r"] = IntervalR.ToJson();
            o["pi_r"] = PredictionIntervalR.ToJson();
        }
        if (HasModerators)
        {
            o["coefficients"] = new JsonArray([.. Coefficients.Select(c => (JsonNode?)new JsonObject
            {
                ["name"] = c.Name,
                ["estimate"] = JsonOutput.Number(c.Estimate),
                ["se"] = JsonOutput.Number(c.StandardError),
                ["statistic"] = JsonOutput.Number(c.Statistic),
                ["p"] = JsonOutput.Number(c.PValue),
                ["df"] = c.DegreesOfFreedom is { } cdf ? JsonOutput.Number(cdf) : null,
                ["ci"] = c.Interval.ToJson(),
            })]);
            o["qm"] = JsonOutput.Number(QM);
            o["qm_df"] = QMDegreesOfFreedom;
            o["qm_df2"] = DegreesOfFreedom is { } qdf ? JsonOutput.Number(qdf) : null;
            o["qm_p"] = JsonOutput.Number(QMPValue);
            o["r2"] = R2 is { } r2 ? JsonOutput.Number(r2) : null;
        }
        o["convergence"] = new JsonObject
        {
            ["converged"] = Convergence.Converged,
            ["iterations"] = Convergence.Iterations,
            ["exit_reason"] = Convergence.ExitReason,
        };
        return o;
    }

    /// <summary>"REML: μ̂ = 0.1499 [0.0881, 0.2118], τ² = 0.0081, I² = 61.7% (k = 16)".</summary>
    public override string ToString() =>
        $"{MetaNames.Abbreviation(Options.Estimator)}: {(HasModerators ? "β₀" : "μ̂")} = {Estimate.Estimate.ToString("F4", CultureInfo.InvariantCulture)} {Estimate.Interval.BoundsToString("F4")}, τ² = {Tau2.ToString("F4", CultureInfo.InvariantCulture)}, I² = {I2.ToString("F1", CultureInfo.InvariantCulture)}% (k = {K})";
}
