using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using Alliance.Analytics.Data;
using Alliance.Analytics.Numerics;
using Alliance.Analytics.Presentation;
using MathNet.Numerics.LinearAlgebra;

namespace Alliance.Analytics.Meta;

/// <summary>Options of the three-level model (<see cref="MetaAnalysis.FitMultilevel"/>).</summary>
public sealed record MultilevelOptions
{
    /// <summary>Moderator columns (as for <see cref="MetaAnalysisOptions.Moderators"/>).</summary>
    public ImmutableArray<string> Moderators { get; init; } = [];

    /// <summary>z tests (default) or t(k − p) tests (<see cref="MetaTest.KnappHartung"/> maps to rma.mv's <c>test = "t"</c>).</summary>
    public MetaTest Test { get; init; } = MetaTest.Z;

    /// <summary>Confidence level (default 0.95).</summary>
    public double Level { get; init; } = Defaults.Level;

    /// <summary>Degrees of freedom of the t tests: k − p (default) or the containment rule; unused under z tests. metafor's <c>dfs</c>.</summary>
    public DegreesOfFreedomRule DegreesOfFreedomRule { get; init; } = DegreesOfFreedomRule.Residual;

    /// <summary>Profile-likelihood intervals for σ²₁ and σ²₂ (default true).</summary>
    public bool ProfileIntervals { get; init; } = true;

    /// <summary>Also compute cluster-robust (CR2) tests with clusters = the studies (default false).</summary>
    public bool ClusterRobust { get; init; }

    /// <summary>Relative convergence tolerance on σ² (default 1e-10).</summary>
    public double Tolerance { get; init; } = 1e-10;

    /// <summary>Iteration limit of Fisher scoring (default 500).</summary>
    public int MaxIterations { get; init; } = 500;
}

/// <summary>
/// A fitted three-level model: effect sizes within studies (clusters), a variance component per level, fitted by REML —
/// metafor's <c>rma.mv(yi, vi, random = ~ 1 | study/es_id)</c> (Konstantopoulos 2011; Cheung 2014; Assink &amp;
/// Wibbelink 2016). Carries profile-likelihood intervals for σ²₁ and σ²₂, the prediction interval, I² per level and
/// optionally CR2 cluster-robust tests.
/// </summary>
public sealed record MultilevelFit : IAnalysisResult
{
    /// <summary>The effect sizes used, with their clusters.</summary>
    public required StudySet Studies { get; init; }

    /// <summary>The design.</summary>
    public required ModelMatrix Design { get; init; }

    /// <summary>The options.</summary>
    public required MultilevelOptions Options { get; init; }

    /// <summary>Number of effect sizes, k.</summary>
    public int K => Studies.Count;

    /// <summary>Number of clusters (studies).</summary>
    public required int Clusters { get; init; }

    /// <summary>Coefficients (intercept first).</summary>
    public required ImmutableArray<MetaCoefficient> Coefficients { get; init; }

    /// <summary>Covariance of β̂ (p × p, row-major).</summary>
    public required ImmutableArray<double> Covariance { get; init; }

    /// <summary>The intercept.</summary>
    public MetaCoefficient Estimate => Coefficients[0];

    /// <summary>σ²: between clusters (level 3), then within clusters (level 2).</summary>
    public required ImmutableArray<double> Sigma2 { get; init; }

    /// <summary>Profile-likelihood intervals of σ² (same order); missing when not computed, an upper bound NaN when the profile never dropped enough within the search range.</summary>
    public required ImmutableArray<ConfidenceInterval> Sigma2Intervals { get; init; }

    /// <summary>Heterogeneity Q with weights 1/vᵢ (residual heterogeneity with moderators).</summary>
    public required double Q { get; init; }

    /// <summary>p value of Q on k − p degrees of freedom.</summary>
    public required double QPValue { get; init; }

    /// <summary>Omnibus test of the moderators (of the intercept without moderators).</summary>
    public required double QM { get; init; }

    /// <summary>p value of QM.</summary>
    public required double QMPValue { get; init; }

    /// <summary>t degrees of freedom of the intercept (of the pooled estimate and its prediction interval) under t tests, else null; each coefficient's in <see cref="MetaCoefficient.DegreesOfFreedom"/>.</summary>
    public required double? DegreesOfFreedom { get; init; }

    /// <summary>The df rule of the t tests (<see cref="MultilevelOptions.DegreesOfFreedomRule"/>), null under z tests.</summary>
    public DegreesOfFreedomRule? DegreesOfFreedomRule => DegreesOfFreedom is null ? null : Options.DegreesOfFreedomRule;

    /// <summary>Numerator df of QM (the number of coefficients tested).</summary>
    public required int QMDegreesOfFreedom { get; init; }

    /// <summary>Denominator df of QM as F under t tests (the smallest df of the coefficients tested, as metafor), else null.</summary>
    public required double? QMDenominatorDegreesOfFreedom { get; init; }

    /// <summary>Prediction interval of a new effect size, β̂₀ ± crit·√(SE² + σ²₁ + σ²₂) (intercept-only models).</summary>
    public required ConfidenceInterval PredictionInterval { get; init; }

    /// <summary>I² in percent: total, between clusters, within clusters, 100·σ²/(Σσ² + ṽ) with ṽ = (k − p)/tr(P) (Cheung 2014).</summary>
    public required ImmutableArray<double> I2 { get; init; }

    /// <summary>Restricted log-likelihood (metafor's, with ½log|X′X|).</summary>
    public required double LogLikelihoodREML { get; init; }

    /// <summary>How REML ended.</summary>
    public required Convergence Convergence { get; init; }

    /// <summary>Cluster-robust CR2 tests (clusters = studies), when asked for.</summary>
    public ImmutableArray<RobustCoefficient> Robust { get; init; } = [];

    /// <summary>The CR2 HTZ Wald test that every moderator coefficient is zero (with CR2 tests and moderators), else null.</summary>
    public RobustWaldTest? RobustWald { get; init; }

    /// <inheritdoc/>
    public required DataUsage Usage { get; init; }

    /// <inheritdoc/>
    public required IReadOnlyList<string> Warnings { get; init; }

    /// <summary>True for correlations.</summary>
    public bool IsCorrelation => Studies.Measure != EffectMeasure.Generic;

    /// <summary>The intercept back-transformed to r.</summary>
    public double EstimateR => IsCorrelation ? EffectSizes.ToCorrelation(Estimate.Estimate, Studies.Measure) : double.NaN;

    /// <summary>The confidence interval as r.</summary>
    public ConfidenceInterval IntervalR => IsCorrelation ? Estimate.Interval.Map(z => EffectSizes.ToCorrelation(z, Studies.Measure)) : ConfidenceInterval.Missing(Options.Level);

    /// <summary>The prediction interval as r.</summary>
    public ConfidenceInterval PredictionIntervalR => IsCorrelation ? PredictionInterval.Map(z => EffectSizes.ToCorrelation(z, Studies.Measure)) : ConfidenceInterval.Missing(Options.Level);

    /// <inheritdoc/>
    public ResultSummary Summary()
    {
        var inv = CultureInfo.InvariantCulture;
        string cluster = Studies.ClusterName ?? "cluster";
        string clusters = Plural(cluster);
        var lines = new List<string>
        {
            $"{Studies.Source}: k = {K} effect sizes in {Clusters} {clusters} ({StudySet.MeasureName(Studies.Measure)}); {Usage}",
            $"REML; tests: {(DegreesOfFreedom is { } df ? $"t({df.ToString(inv)}), df rule {MetaNames.Name(Options.DegreesOfFreedomRule)}" : "z")}; {Convergence}",
            $"Q({K - Design.Columns}) = {Q.ToString("F4", inv)}, p {RandomEffectsFit.FormatP(QPValue)}; I² total {I2[0].ToString("F2", inv)}% (between {clusters} {I2[1].ToString("F2", inv)}%, within {I2[2].ToString("F2", inv)}%)",
        };
        if (Design.Columns > 1) lines.Add($"Test of moderators: {(QMDenominatorDegreesOfFreedom is { } d2 ? $"F({QMDegreesOfFreedom}, {d2.ToString(inv)})" : $"QM({QMDegreesOfFreedom})")} = {QM.ToString("F4", inv)}, p {RandomEffectsFit.FormatP(QMPValue)}");
        var variance = new ResultTable("Variance components",
            [TableColumn.Label("level"), TableColumn.Number("sigma2", 4), TableColumn.Number("sigma", 4), TableColumn.Number("ci.lb", 4), TableColumn.Number("ci.ub", 4)],
            [
                [$"between {clusters} (σ²₁)", Sigma2[0], Math.Sqrt(Sigma2[0]), Sigma2Intervals[0].Lower, Sigma2Intervals[0].Upper],
                [$"within {clusters} (σ²₂)", Sigma2[1], Math.Sqrt(Sigma2[1]), Sigma2Intervals[1].Lower, Sigma2Intervals[1].Upper],
            ]);
        string stat = DegreesOfFreedom is null ? "z" : "t";
        bool t = DegreesOfFreedom is not null;
        var coef = new ResultTable("Coefficients",
            [TableColumn.Label("term"), TableColumn.Number("estimate", 4), TableColumn.Number("se", 4), TableColumn.Number(stat, 4), .. (t ? new[] { TableColumn.Number("df", 0) } : []), TableColumn.Number("p", 4), TableColumn.Number("ci.lb", 4), TableColumn.Number("ci.ub", 4)],
            [.. Coefficients.Select(c => (IReadOnlyList<object?>)[c.Name, c.Estimate, c.StandardError, c.Statistic, .. (t ? new object?[] { c.DegreesOfFreedom ?? double.NaN } : []), c.PValue, c.Interval.Lower, c.Interval.Upper])]);
        var tables = new List<ResultTable> { variance, coef };
        if (!Robust.IsDefaultOrEmpty)
            tables.Add(new ResultTable($"Cluster-robust (CR2) tests, clusters = {clusters}",
                [TableColumn.Label("term"), TableColumn.Number("estimate", 4), TableColumn.Number("se", 4), TableColumn.Number("t", 4), TableColumn.Number("df", 2), TableColumn.Number("p", 4), TableColumn.Number("ci.lb", 4), TableColumn.Number("ci.ub", 4)],
                [.. Robust.Select(c => (IReadOnlyList<object?>)[c.Name, c.Estimate, c.StandardError, c.Statistic, c.DegreesOfFreedom, c.PValue, c.Interval.Lower, c.Interval.Upper])]));
        if (RobustWald is { } w)
            lines.Add($"CR2 test of moderators (HTZ): F({w.NumeratorDegreesOfFreedom}, {w.DenominatorDegreesOfFreedom.ToString("F2", inv)}) = {w.F.ToString("F4", inv)}, p {RandomEffectsFit.FormatP(w.PValue)}");
        if (Design.Columns == 1)
        {
            var rows = new List<IReadOnlyList<object?>> { new object?[] { StudySet.MeasureName(Studies.Measure), Estimate.Estimate, Estimate.Interval.Lower, Estimate.Interval.Upper, PredictionInterval.Lower, PredictionInterval.Upper } };
            if (Studies.Measure == EffectMeasure.FisherZ) rows.Add(["r (back-transformed)", EstimateR, IntervalR.Lower, IntervalR.Upper, PredictionIntervalR.Lower, PredictionIntervalR.Upper]);
            tables.Add(new ResultTable("Pooled estimate",
                [TableColumn.Label("scale"), TableColumn.Number("estimate", 4), TableColumn.Number("ci.lb", 4), TableColumn.Number("ci.ub", 4), TableColumn.Number("pi.lb", 4), TableColumn.Number("pi.ub", 4)], rows));
        }
        return new ResultSummary($"Three-level random-effects model (k = {K}, {Clusters} {clusters})", lines, tables,
            [$"R: metafor::rma.mv(yi, vi, {(Design.Columns > 1 ? "mods = ~ " + string.Join(" + ", Design.Moderators) + ", " : "")}random = ~ 1 | {cluster}/es_id, method = \"REML\"{(t ? $", test = \"t\", dfs = \"{MetaNames.Name(Options.DegreesOfFreedomRule)}\"" : "")}). σ² intervals by profile likelihood."], Warnings);
    }

    private static string Plural(string noun) =>
        noun.EndsWith('y') && !noun.EndsWith("ey", StringComparison.Ordinal) ? noun[..^1] + "ies" : noun.EndsWith('s') ? noun : noun + "s";

    /// <summary>
    /// <c>{k, clusters, method, test, estimate, se, statistic, p, ci, pi, df, dfs, sigma2: [between, within], sigma2_ci, i2, q, q_df, q_p,
    /// [estimate_r, ci_r, pi_r], [coefficients (each with df), qm, qm_df, qm_df2, qm_p], [robust], [robust_wald {test: "HTZ", terms, q, f,
    /// df_num, df_denom, p}], tau2: null, …}</c>; df and dfs
    /// (the rule: "residual" or "contain") are null under z tests.
    /// </summary>
    public JsonObject ToJson()
    {
        var o = JsonOutput.Document(this);
        o["model"] = "three-level";
        o["k"] = K;
        o["clusters"] = Clusters;
        o["method"] = "REML";
        o["test"] = DegreesOfFreedom is null ? "z" : "t";
        o["estimate"] = JsonOutput.Number(Estimate.Estimate);
        o["se"] = JsonOutput.Number(Estimate.StandardError);
        o["statistic"] = JsonOutput.Number(Estimate.Statistic);
        o["p"] = JsonOutput.Number(Estimate.PValue);
        o["ci"] = Estimate.Interval.ToJson();
        o["pi"] = PredictionInterval.ToJson();
        o["df"] = DegreesOfFreedom is { } df ? JsonOutput.Number(df) : null;
        o["dfs"] = DegreesOfFreedomRule is { } rule ? MetaNames.Name(rule) : null;
        o["sigma2"] = JsonOutput.Numbers(Sigma2);
        o["sigma2_ci"] = new JsonArray([.. Sigma2Intervals.Select(i => (JsonNode?)i.ToJson())]);
        o["tau2"] = null;
        o["tau2_ci"] = null;
        o["i2"] = JsonOutput.Number(I2[0]);
        o["i2_levels"] = JsonOutput.Numbers(I2.Skip(1));
        o["q"] = JsonOutput.Number(Q);
        o["q_df"] = K - Design.Columns;
        o["q_p"] = JsonOutput.Number(QPValue);
        if (IsCorrelation)
        {
            o["estimate_r"] = JsonOutput.Number(EstimateR);
            o["ci_r"] = IntervalR.ToJson();
            o["pi_r"] = PredictionIntervalR.ToJson();
        }
        if (Design.Columns > 1)
        {
            o["coefficients"] = new JsonArray([.. Coefficients.Select(c => (JsonNode?)new JsonObject
            {
                ["name"] = c.Name, ["estimate"] = JsonOutput.Number(c.Estimate), ["se"] = JsonOutput.Number(c.StandardError),
                ["statistic"] = JsonOutput.Number(c.Statistic), ["df"] = c.DegreesOfFreedom is { } cdf ? JsonOutput.Number(cdf) : null,
                ["p"] = JsonOutput.Number(c.PValue), ["ci"] = c.Interval.ToJson(),
            })]);
            o["qm"] = JsonOutput.Number(QM);
            o["qm_df"] = QMDegreesOfFreedom;
            o["qm_df2"] = QMDenominatorDegreesOfFreedom is { } d2 ? JsonOutput.Number(d2) : null;
            o["qm_p"] = JsonOutput.Number(QMPValue);
        }
        if (!Robust.IsDefaultOrEmpty)
            o["robust"] = new JsonArray([.. Robust.Select(c => (JsonNode?)new JsonObject
            {
                ["name"] = c.Name, ["se"] = JsonOutput.Number(c.StandardError), ["t"] = JsonOutput.Number(c.Statistic),
                ["df"] = JsonOutput.Number(c.DegreesOfFreedom), ["p"] = JsonOutput.Number(c.PValue), ["ci"] = c.Interval.ToJson(),
            })]);
        if (RobustWald is { } rw)
            o["robust_wald"] = new JsonObject
            {
                ["test"] = "HTZ", ["terms"] = JsonOutput.Strings(rw.Terms), ["q"] = JsonOutput.Number(rw.Q), ["f"] = JsonOutput.Number(rw.F),
                ["df_num"] = rw.NumeratorDegreesOfFreedom, ["df_denom"] = JsonOutput.Number(rw.DenominatorDegreesOfFreedom), ["p"] = JsonOutput.Number(rw.PValue),
            };
        o["convergence"] = new JsonObject { ["converged"] = Convergence.Converged, ["iterations"] = Convergence.Iterations, ["exit_reason"] = Convergence.ExitReason };
        return o;
    }

    /// <summary>"three-level REML: μ̂ = 0.1847 [0.0190, 0.3504], σ² = 0.0651, 0.0327 (k = 56, 11 clusters)".</summary>
    public override string ToString() =>
        $"three-level REML: μ̂ = {Estimate.Estimate.ToString("F4", CultureInfo.InvariantCulture)} {Estimate.Interval.BoundsToString("F4")}, σ² = {Sigma2[0].ToString("F4", CultureInfo.InvariantCulture)}, {Sigma2[1].ToString("F4", CultureInfo.InvariantCulture)} (k = {K}, {Clusters} clusters)";
}

public static partial class MetaAnalysis
{
    /// <summary>
    /// Fits the three-level model by REML: effect sizes nested in the studies of <see cref="StudySet.Clusters"/>, a
    /// variance between studies (σ²₁) and one between effect sizes within studies (σ²₂). Each row is taken as its own
    /// effect size (es_id). Profile-likelihood intervals for each σ², prediction interval, I² per level
    /// (Cheung 2014), and CR2 cluster-robust tests when asked for.
    /// R: <c>metafor::rma.mv(yi, vi, random = ~ 1 | study/es_id)</c>; <c>confint()</c>; <c>robust(fit, cluster = study, clubSandwich = TRUE)</c>.
    /// </summary>
    /// <exception cref="AllianceInputException">When the studies have no clusters, fewer than 3 effect sizes, or collinear moderators.</exception>
    public static MultilevelFit FitMultilevel(StudySet studies, MultilevelOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(studies);
        options ??= new MultilevelOptions();
        if (studies.Clusters.IsDefaultOrEmpty) throw new AllianceInputException($"{studies.Source}: a three-level model needs a cluster (study) column.");
        if (!(options.Level > 0 && options.Level < 1)) throw new AllianceInputException(string.Create(CultureInfo.InvariantCulture, $"the confidence level must be between 0 and 1, not {options.Level}."));
        var (design, rows, usage) = ModelMatrix.Build(studies, options.Moderators);
        var used = rows.Length == studies.Count ? studies : studies.Take(rows);
        int k = used.Count, p = design.Columns;
        if (k < 3 || k <= p) throw new AllianceInputException($"{studies.Source}: {k} effect sizes are too few for a three-level model with {p} coefficient(s).");
        var clusterIds = used.Clusters.Distinct(StringComparer.Ordinal).ToArray();
        var index = clusterIds.Select((c, i) => (c, i)).ToDictionary(t => t.c, t => t.i, StringComparer.Ordinal);
        var blocks = clusterIds.Select(_ => new List<int>()).ToArray();
        for (int i = 0; i < k; i++) blocks[index[used.Clusters[i]]].Add(i);
        int[][] blockArrays = [.. blocks.Select(b => b.ToArray())];
        var y = used.Yi.ToArray();
        var v = used.Vi.ToArray();
        var x = design.Span.ToArray();
        var kernel = new ThreeLevelKernel(y, v, x, p, blockArrays);

        // Start from the univariate REML τ² split evenly between the levels.
        double tau2 = new UnivariateKernel(k, p).Fit(y, v, x, KernelSettings.From(new MetaAnalysisOptions()), FitDetail.Coefficients).Tau2;
        double start = Math.Max(tau2 / 2, 1e-4);
        var best = kernel.Maximize((start, start), tolerance: options.Tolerance, maxIterations: options.MaxIterations);
        // A second start guards against a poor local solution near a boundary.
        foreach (var alt in new[] { (tau2, 0.0), (0.0, tau2) })
        {
            cancellationToken.ThrowIfCancellationRequested();
            var other = kernel.Maximize((Math.Max(alt.Item1, 1e-4), Math.Max(alt.Item2, 1e-4)), tolerance: options.Tolerance, maxIterations: options.MaxIterations);
            if (other.Eval.LogLik > best.Eval.LogLik + 1e-9) best = other;
        }
        var e = best.Eval;
        bool t = options.Test == MetaTest.KnappHartung;
        var dfs = new double[p];
        for (int j = 0; j < p; j++) dfs[j] = ContainmentOrResidual(options.DegreesOfFreedomRule, x, p, j, k, blockArrays);
        var coefficients = new MetaCoefficient[p];
        for (int j = 0; j < p; j++)
        {
            double se = Math.Sqrt(e.Covariance[j * p + j]);
            double stat = e.Beta[j] / se;
            double cj = t ? TailProbabilities.StudentQuantileUpper((1 - options.Level) / 2, dfs[j]) : TailProbabilities.NormalQuantileUpper((1 - options.Level) / 2);
            double pv = t ? TailProbabilities.StudentTwoSided(stat, dfs[j]) : TailProbabilities.NormalTwoSided(stat);
            coefficients[j] = new MetaCoefficient(design.ColumnNames[j], e.Beta[j], se, stat, pv, new ConfidenceInterval(e.Beta[j] - cj * se, e.Beta[j] + cj * se, options.Level))
            {
                DegreesOfFreedom = t ? dfs[j] : null,
            };
        }
        double? df = t ? dfs[0] : null;
        double crit = t ? TailProbabilities.StudentQuantileUpper((1 - options.Level) / 2, dfs[0]) : TailProbabilities.NormalQuantileUpper((1 - options.Level) / 2);
        // QM over the moderators (the intercept when there are none).
        int first = p == 1 ? 0 : 1, m = p - first;
        var sub = new double[m * m];
        var bb = new double[m];
        for (int a = 0; a < m; a++)
        {
            bb[a] = e.Beta[first + a];
            for (int c = 0; c < m; c++) sub[a * m + c] = e.Covariance[(first + a) * p + first + c];
        }
        double qm = WeightedLeastSquares.InvertSymmetric(sub, m) ? WeightedLeastSquares.Quadratic(sub, bb, m) : double.NaN;
        double? qmDf2 = t ? Enumerable.Range(first, m).Min(j => dfs[j]) : null;
        double qmp = t ? TailProbabilities.FUpper(qm / m, m, qmDf2!.Value) : TailProbabilities.ChiSquareUpper(qm, m);
        if (t) qm /= m;

        // Q and the typical sampling variance with weights 1/v.
        var ee = new UnivariateKernel(k, p).Fit(y, v, x, KernelSettings.From(new MetaAnalysisOptions { Estimator = TauEstimator.EqualEffects }), FitDetail.Full);
        double total = best.S1 + best.S2;
        var i2 = ImmutableArray.Create(100 * total / (total + ee.Vt), 100 * best.S1 / (total + ee.Vt), 100 * best.S2 / (total + ee.Vt));

        var intervals = ImmutableArray.Create(ConfidenceInterval.Missing(options.Level), ConfidenceInterval.Missing(options.Level));
        var warnings = new List<string>();
        if (usage.RowsExcluded > 0 || studies.Usage.RowsExcluded > 0) warnings.Add("effect sizes left out: " + studies.Usage.Then(usage));
        if (!best.Converged) warnings.Add($"REML did not converge in {options.MaxIterations} iterations.");
        if (options.ProfileIntervals)
        {
            var built = new ConfidenceInterval[2];
            for (int comp = 0; comp < 2; comp++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                built[comp] = ProfileInterval(kernel, best, comp, options, out string? note);
                if (note is not null) warnings.Add(note);
            }
            intervals = [.. built];
        }
        var pi = ConfidenceInterval.Missing(options.Level);
        if (p == 1)
        {
            double sd = Math.Sqrt(e.Covariance[0] + total);
            pi = new ConfidenceInterval(e.Beta[0] - crit * sd, e.Beta[0] + crit * sd, options.Level, "prediction");
        }
        var robust = ImmutableArray<RobustCoefficient>.Empty;
        RobustWaldTest? robustWald = null;
        if (options.ClusterRobust)
        {
            var phi = Matrix<double>.Build.Dense(k, k);
            for (int i = 0; i < k; i++) phi[i, i] = v[i] + best.S2;
            foreach (var block in blockArrays) foreach (int i in block) foreach (int j in block) phi[i, j] += best.S1;
            var residuals = Enumerable.Range(0, k).Select(i => y[i] - WeightedLeastSquares.Fitted(x, p, i, e.Beta)).ToArray();
            var cr2 = ClusterRobust.Compute(x, p, residuals, phi, blockArrays, e.Beta, design.ColumnNames, options.Level, p > 1 ? Enumerable.Range(1, p - 1).ToArray() : null);
            robust = [.. cr2.Coefficients];
            robustWald = cr2.Wald;
            if (blockArrays.Length < 10) warnings.Add($"only {blockArrays.Length} clusters: even CR2 tests are unreliable with so few.");
        }
        return new MultilevelFit
        {
            Studies = used,
            Design = design,
            Options = options,
            Clusters = blockArrays.Length,
            Coefficients = [.. coefficients],
            Covariance = [.. e.Covariance],
            Sigma2 = [best.S1, best.S2],
            Sigma2Intervals = intervals,
            Q = ee.QE,
            QPValue = ee.QEp,
            QM = qm,
            QMPValue = qmp,
            QMDegreesOfFreedom = m,
            QMDenominatorDegreesOfFreedom = qmDf2,
            DegreesOfFreedom = df,
            PredictionInterval = pi,
            I2 = i2,
            LogLikelihoodREML = e.LogLik,
            Convergence = new Convergence(best.Converged, best.Iterations, best.Change, options.Tolerance, best.Converged ? "σ² change below tolerance" : "iteration limit reached"),
            Robust = robust,
            RobustWald = robustWald,
            Usage = studies.Usage.Then(usage),
            Warnings = warnings,
        };
    }

    /// <summary>
    /// The t df of coefficient <paramref name="j"/>: k − p under <see cref="DegreesOfFreedomRule.Residual"/>; under
    /// <see cref="DegreesOfFreedomRule.Containment"/> (metafor's <c>.ddf.calc(dfs = "contain")</c> for
    /// <c>random = ~ 1 | cluster/es_id</c>) the number of clusters minus p when column j is constant within every
    /// cluster, else k − p (the es_id level contains it); at least 1.
    /// </summary>
    private static double ContainmentOrResidual(DegreesOfFreedomRule rule, ReadOnlySpan<double> x, int p, int j, int k, int[][] blocks)
    {
        if (rule == DegreesOfFreedomRule.Residual) return Math.Max(1, k - p);
        bool constant = true;
        foreach (var block in blocks)
        {
            for (int a = 1; a < block.Length && constant; a++) constant = x[block[a] * p + j] == x[block[0] * p + j];
            if (!constant) break;
        }
        return Math.Max(1, (constant ? Math.Min(blocks.Length, k) : k) - p);
    }

    /// <summary>
    /// Profile-likelihood interval of one variance component: the values c where 2(ℓ̂ − ℓₚ(c)) = χ²₁(level), ℓₚ(c)
    /// maximizing over the other component; searched in [0, σ̂²] and [σ̂², max(10, 100σ̂²)] as metafor's confint.
    /// </summary>
    private static ConfidenceInterval ProfileInterval(ThreeLevelKernel kernel, (double S1, double S2, ThreeLevelKernel.Evaluation Eval, int Iterations, bool Converged, double Change) best, int comp, MultilevelOptions options, out string? note)
    {
        note = null;
        double hat = comp == 0 ? best.S1 : best.S2;
        double target = TailProbabilities.ChiSquareQuantile(options.Level, 1) / 2;
        double llMax = best.Eval.LogLik;
        (double, double) warm = (best.S1, best.S2);
        double Drop(double c)
        {
            var start = comp == 0 ? (c, Math.Max(warm.Item2, 1e-6)) : (Math.Max(warm.Item1, 1e-6), c);
            var r = kernel.Maximize(start, fixedComponent: comp, tolerance: 1e-12, maxIterations: options.MaxIterations);
            return llMax - r.Eval.LogLik - target;
        }
        double max = Math.Max(10, hat * 100);
        double lower, upper;
        if (hat <= 0 || Drop(0) < 0) lower = 0;
        else lower = MathNet.Numerics.RootFinding.Brent.FindRoot(Drop, 0, hat, 1e-12, 200);
        if (Drop(max) < 0)
        {
            upper = double.NaN;
            note = $"the upper profile bound of σ²{(comp == 0 ? "₁" : "₂")} lies beyond {max.ToString("G4", CultureInfo.InvariantCulture)}.";
        }
        else upper = MathNet.Numerics.RootFinding.Brent.FindRoot(Drop, hat, max, 1e-12, 200);
        return new ConfidenceInterval(lower, upper, options.Level, "profile likelihood");
    }
}
