using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Alliance.Analytics.Data;
using Alliance.Analytics.Numerics;
using Alliance.Analytics.Presentation;

namespace Alliance.Analytics.Meta;

/// <summary>One refit of a model on a subset of studies (a row of a leave-one-out or cumulative analysis).</summary>
/// <param name="Label">The study left out (leave-one-out) or added last (cumulative).</param>
/// <param name="Estimate">Pooled estimate.</param>
/// <param name="StandardError">Its standard error.</param>
/// <param name="Statistic">z or t.</param>
/// <param name="PValue">Two-sided p value.</param>
/// <param name="Interval">Confidence interval.</param>
/// <param name="Q">Cochran's Q.</param>
/// <param name="QPValue">p value of Q.</param>
/// <param name="Tau2">τ².</param>
/// <param name="I2">I² (%).</param>
/// <param name="H2">H².</param>
public sealed record SubsetFit(string Label, double Estimate, double StandardError, double Statistic, double PValue, ConfidenceInterval Interval, double Q, double QPValue, double Tau2, double I2, double H2)
{
    /// <summary>Degrees of freedom of the t test under Knapp–Hartung (k − 1 of the subset, as metafor's refit), null for z tests.</summary>
    public double? DegreesOfFreedom { get; init; }
}

/// <summary>Shared rendering of a list of subset fits.</summary>
internal static class SubsetFitTable
{
    public static ResultTable Table(string title, string labelHeader, IEnumerable<SubsetFit> rows, bool t) => new(title,
        [TableColumn.Label(labelHeader), TableColumn.Number("estimate", 4), TableColumn.Number("se", 4), TableColumn.Number(t ? "t" : "z", 4), TableColumn.Number("p", 4),
         TableColumn.Number("ci.lb", 4), TableColumn.Number("ci.ub", 4), TableColumn.Number("Q", 4), TableColumn.Number("Qp", 4), TableColumn.Number("tau2", 4), TableColumn.Number("I2", 2), TableColumn.Number("H2", 4)],
        [.. rows.Select(r => (IReadOnlyList<object?>)[r.Label, r.Estimate, r.StandardError, r.Statistic, r.PValue, r.Interval.Lower, r.Interval.Upper, r.Q, r.QPValue, r.Tau2, r.I2, r.H2])]);

    public static IReadOnlyList<string> WithFailures(IReadOnlyList<string> warnings, int failed) => failed == 0 ? warnings
        : [.. warnings, $"{failed} refit{(failed == 1 ? "" : "s")} failed or did not converge; {(failed == 1 ? "its row is" : "their rows are")} left empty (NaN, metafor's NA)."];

    public static JsonArray Json(IEnumerable<SubsetFit> rows) => new([.. rows.Select(r => (JsonNode?)new JsonObject
    {
        ["label"] = r.Label,
        ["estimate"] = JsonOutput.Number(r.Estimate),
        ["se"] = JsonOutput.Number(r.StandardError),
        ["statistic"] = JsonOutput.Number(r.Statistic),
        ["df"] = r.DegreesOfFreedom is { } df ? JsonOutput.Number(df) : null,
        ["p"] = JsonOutput.Number(r.PValue),
        ["ci"] = r.Interval.ToJson(),
        ["q"] = JsonOutput.Number(r.Q),
        ["q_p"] = JsonOutput.Number(r.QPValue),
        ["tau2"] = JsonOutput.Number(r.Tau2),
        ["i2"] = JsonOutput.Number(r.I2),
        ["h2"] = JsonOutput.Number(r.H2),
    })]);

    public static SubsetFit Missing(string label, double level) =>
        new(label, double.NaN, double.NaN, double.NaN, double.NaN, ConfidenceInterval.Missing(level), double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);

    public static SubsetFit From(string label, KernelFit? f, double level) => f is null ? Missing(label, level) :
        new(label, f.Beta[0], f.StandardError[0], f.Statistic[0], f.PValue[0], new ConfidenceInterval(f.CiLower[0], f.CiUpper[0], level), f.QE, f.QEp, f.Tau2, f.I2, f.H2)
        {
            DegreesOfFreedom = double.IsNaN(f.Df) ? null : f.Df,
        };
}

/// <summary>The model refitted with each study left out in turn (metafor's <c>leave1out</c>).</summary>
public sealed record LeaveOneOutResult : IAnalysisResult
{
    /// <summary>The full model.</summary>
    public required RandomEffectsFit Model { get; init; }

    /// <summary>Refits that failed or whose τ² did not converge (their rows are NaN, metafor's NA).</summary>
    public int FailedRefits { get; init; }

    /// <summary>One row per study, in table order: the fit without that study.</summary>
    public required ImmutableArray<SubsetFit> Rows { get; init; }

    /// <inheritdoc/>
    public DataUsage Usage => Model.Usage;

    /// <inheritdoc/>
    public IReadOnlyList<string> Warnings => SubsetFitTable.WithFailures(Model.Warnings, FailedRefits);

    /// <inheritdoc/>
    public ResultSummary Summary() => new($"Leave-one-out ({MetaNames.Abbreviation(Model.Options.Estimator)}, k = {Model.K})",
        [$"Full model: {Model}"], [SubsetFitTable.Table("", "left out", Rows, Model.DegreesOfFreedom is not null)], ["R: metafor::leave1out(fit)."], Warnings);

    /// <summary><c>{…, "leave_one_out": [{label, estimate, se, statistic, df, p, ci, q, q_p, tau2, i2, h2}]}</c>.</summary>
    public JsonObject ToJson()
    {
        var o = JsonOutput.Document(this);
        o["leave_one_out"] = SubsetFitTable.Json(Rows);
        return o;
    }
}

/// <summary>The model refitted on the first 1, 2, …, k studies in a chosen order (metafor's <c>cumul</c>).</summary>
public sealed record CumulativeResult : IAnalysisResult
{
    /// <summary>Studies without an order key (NaN): added last, in table order.</summary>
    public int MissingOrderKeys { get; init; }

    /// <summary>The full model.</summary>
    public required RandomEffectsFit Model { get; init; }

    /// <summary>Refits that failed or whose τ² did not converge (their rows are NaN, metafor's NA).</summary>
    public int FailedRefits { get; init; }

    /// <summary>The study order (0-based indices into the model's studies).</summary>
    public required ImmutableArray<int> Order { get; init; }

    /// <summary>Row j: the fit of the first j + 1 studies in <see cref="Order"/>, labelled by the study added.</summary>
    public required ImmutableArray<SubsetFit> Rows { get; init; }

    /// <inheritdoc/>
    public DataUsage Usage => Model.Usage;

    /// <inheritdoc/>
    public IReadOnlyList<string> Warnings => MissingOrderKeys == 0 ? SubsetFitTable.WithFailures(Model.Warnings, FailedRefits)
        : [.. SubsetFitTable.WithFailures(Model.Warnings, FailedRefits), $"{MissingOrderKeys} stud{(MissingOrderKeys == 1 ? "y has" : "ies have")} no order key and {(MissingOrderKeys == 1 ? "was" : "were")} added last, in table order."];

    /// <inheritdoc/>
    public ResultSummary Summary() => new($"Cumulative meta-analysis ({MetaNames.Abbreviation(Model.Options.Estimator)}, k = {Model.K})",
        [], [SubsetFitTable.Table("", "adding", Rows, Model.DegreesOfFreedom is not null)], ["R: metafor::cumul(fit, order = …)."], Warnings);

    /// <summary><c>{…, "cumulative": [{label, estimate, …}]}</c>.</summary>
    public JsonObject ToJson()
    {
        var o = JsonOutput.Document(this);
        o["cumulative"] = SubsetFitTable.Json(Rows);
        return o;
    }
}

/// <summary>Case-deletion diagnostics of one study (metafor's <c>influence</c>).</summary>
/// <param name="Label">The study.</param>
/// <param name="StudentizedResidual">Externally studentized residual (yᵢ − xᵢ′β̂₍₋ᵢ₎)/√(vᵢ + τ̂²₍₋ᵢ₎ + Var(xᵢ′β̂₍₋ᵢ₎)).</param>
/// <param name="Dffits">DFFITS: change of the fitted value when the study is left out, standardized.</param>
/// <param name="CooksDistance">Cook's distance (β̂ − β̂₍₋ᵢ₎)′ Var(β̂)⁻¹ (β̂ − β̂₍₋ᵢ₎).</param>
/// <param name="CovarianceRatio">det Var(β̂₍₋ᵢ₎)/det Var(β̂).</param>
/// <param name="Tau2Deleted">τ² without the study.</param>
/// <param name="QDeleted">QE without the study.</param>
/// <param name="Hat">Hat value (leverage) wᵢxᵢ′(X′WX)⁻¹xᵢ.</param>
/// <param name="Weight">Weight in percent.</param>
/// <param name="Dfbetas">Standardized change of each coefficient.</param>
/// <param name="Influential">metafor's flag: |DFFITS| &gt; 3√(p/(k − p)), P(χ²ₚ ≤ Cook's D) &gt; .5, hat &gt; 3p/k, or any |DFBETAS| &gt; 1.</param>
public sealed record StudyInfluence(string Label, double StudentizedResidual, double Dffits, double CooksDistance, double CovarianceRatio,
    double Tau2Deleted, double QDeleted, double Hat, double Weight, ImmutableArray<double> Dfbetas, bool Influential);

/// <summary>Influence diagnostics of every study (Viechtbauer &amp; Cheung 2010; metafor's <c>influence</c>).</summary>
public sealed record InfluenceResult : IAnalysisResult
{
    /// <summary>The full model.</summary>
    public required RandomEffectsFit Model { get; init; }

    /// <summary>Refits that failed or whose τ² did not converge (their rows are NaN, metafor's NA).</summary>
    public int FailedRefits { get; init; }

    /// <summary>One row per study, in table order.</summary>
    public required ImmutableArray<StudyInfluence> Studies { get; init; }

    /// <inheritdoc/>
    public DataUsage Usage => Model.Usage;

    /// <inheritdoc/>
    public IReadOnlyList<string> Warnings => SubsetFitTable.WithFailures(Model.Warnings, FailedRefits);

    /// <inheritdoc/>
    public ResultSummary Summary()
    {
        var names = Model.Design.ColumnNames;
        var table = new ResultTable("",
            [TableColumn.Label("study"), TableColumn.Number("rstudent", 4), TableColumn.Number("dffits", 4), TableColumn.Number("cook.d", 4), TableColumn.Number("cov.r", 4),
             TableColumn.Number("tau2.del", 4), TableColumn.Number("QE.del", 4), TableColumn.Number("hat", 4), TableColumn.Number("weight", 2),
             .. names.Select(n => TableColumn.Number("dfbs " + n, 4)), TableColumn.Label("inf")],
            [.. Studies.Select(s => (IReadOnlyList<object?>)[s.Label, s.StudentizedResidual, s.Dffits, s.CooksDistance, s.CovarianceRatio, s.Tau2Deleted, s.QDeleted, s.Hat, s.Weight,
                .. s.Dfbetas.Select(d => (object?)d), s.Influential ? "*" : ""])]);
        int flagged = Studies.Count(s => s.Influential);
        return new ResultSummary($"Influence diagnostics ({MetaNames.Abbreviation(Model.Options.Estimator)}, k = {Model.K})",
            [$"{flagged} influential stud{(flagged == 1 ? "y" : "ies")} (marked *)"], [table], ["R: metafor::influence(fit)."], Warnings);
    }

    /// <summary><c>{…, "influence": [{label, rstudent, dffits, cook_d, cov_r, tau2_del, qe_del, hat, weight, dfbetas, influential}]}</c>.</summary>
    public JsonObject ToJson()
    {
        var o = JsonOutput.Document(this);
        o["influence"] = new JsonArray([.. Studies.Select(s => (JsonNode?)new JsonObject
        {
            ["label"] = s.Label,
            ["rstudent"] = JsonOutput.Number(s.StudentizedResidual),
            ["dffits"] = JsonOutput.Number(s.Dffits),
            ["cook_d"] = JsonOutput.Number(s.CooksDistance),
            ["cov_r"] = JsonOutput.Number(s.CovarianceRatio),
            ["tau2_del"] = JsonOutput.Number(s.Tau2Deleted),
            ["qe_del"] = JsonOutput.Number(s.QDeleted),
            ["hat"] = JsonOutput.Number(s.Hat),
            ["weight"] = JsonOutput.Number(s.Weight),
            ["dfbetas"] = JsonOutput.Numbers(s.Dfbetas),
            ["influential"] = s.Influential,
        })]);
        return o;
    }
}

/// <summary>Leave-one-out, influence and cumulative analyses of a fitted model.</summary>
public static class Diagnostics
{
    /// <summary>
    /// Refits the intercept-only model k times, each time without one study. R: <c>metafor::leave1out(fit)</c>.
    /// </summary>
    /// <exception cref="AllianceInputException">For a model with moderators, or k &lt; 2.</exception>
    public static LeaveOneOutResult LeaveOneOut(RandomEffectsFit fit)
    {
        ArgumentNullException.ThrowIfNull(fit);
        if (fit.HasModerators) throw new AllianceInputException("leave-one-out applies to models without moderators (use influence diagnostics for meta-regressions).");
        if (fit.K < 2) throw new AllianceInputException("leave-one-out needs at least two studies.");
        var rows = new SubsetFit[fit.K];
        int failed = 0;
        for (int i = 0; i < fit.K; i++)
        {
            var keep = Enumerable.Range(0, fit.K).Where(j => j != i).ToArray();
            var del = MetaAnalysis.TryRefit(fit, keep);
            if (del is null) failed++;
            rows[i] = SubsetFitTable.From(fit.Studies.Labels[i], del, fit.Options.Level);
        }
        return new LeaveOneOutResult { Model = fit, Rows = [.. rows], FailedRefits = failed };
    }

    /// <summary>
    /// Cumulative meta-analysis: the intercept-only model refitted on the first 1, 2, …, k studies, ordered by
    /// <paramref name="order"/> ascending (ties keep table order; null: table order). R: <c>metafor::cumul(fit, order = year)</c>.
    /// </summary>
    /// <exception cref="AllianceInputException">For a model with moderators or an order of the wrong length.</exception>
    public static CumulativeResult Cumulative(RandomEffectsFit fit, IReadOnlyList<double>? order = null)
    {
        ArgumentNullException.ThrowIfNull(fit);
        if (fit.HasModerators) throw new AllianceInputException("a cumulative meta-analysis applies to models without moderators.");
        if (order is not null && order.Count != fit.K) throw new AllianceInputException($"the order has {order.Count} keys for {fit.K} studies.");
        int[] idx = [.. Enumerable.Range(0, fit.K)];
        // Studies without an order key (NaN) go last, in table order, and are reported.
        if (order is not null) idx = [.. idx.OrderBy(i => double.IsNaN(order[i]) ? 1 : 0).ThenBy(i => double.IsNaN(order[i]) ? 0 : order[i])];
        int missingKeys = order is null ? 0 : order.Count(double.IsNaN);
        var rows = new SubsetFit[fit.K];
        int failed = 0;
        for (int j = 0; j < fit.K; j++)
        {
            var sub = MetaAnalysis.TryRefit(fit, idx[..(j + 1)]);
            if (sub is null) failed++;
            rows[j] = SubsetFitTable.From(fit.Studies.Labels[idx[j]], sub, fit.Options.Level);
        }
        return new CumulativeResult { Model = fit, Order = [.. idx], Rows = [.. rows], FailedRefits = failed, MissingOrderKeys = missingKeys };
    }

    /// <summary>
    /// Case-deletion diagnostics (Viechtbauer &amp; Cheung 2010): for each study the model is refitted without it
    /// (τ² re-estimated) and the studentized deleted residual, DFFITS, Cook's distance, covariance ratio, τ² and QE
    /// without it, hat value, weight and DFBETAS are computed as metafor does. R: <c>metafor::influence(fit)</c>.
    /// </summary>
    /// <exception cref="AllianceInputException">When k ≤ p + 1 (a deletion fit would have no residual degrees of freedom).</exception>
    public static InfluenceResult Influence(RandomEffectsFit fit)
    {
        ArgumentNullException.ThrowIfNull(fit);
        int k = fit.K, p = fit.CoefficientCount;
        if (k <= p + 1) throw new AllianceInputException($"influence diagnostics need more than {p + 1} studies.");
        var x = fit.Design.Span;
        var vi = fit.Studies.Vi;
        var yi = fit.Studies.Yi;
        var beta = fit.Coefficients.Select(c => c.Estimate).ToArray();
        var vb = fit.Covariance.ToArray();
        var svb = (double[])vb.Clone();
        WeightedLeastSquares.InvertSymmetric(svb, p);
        double detFull = Determinant(vb, p);

        // Hat values with w = 1/(v + τ²) (unscaled), weights in percent.
        var w = vi.Select(v => 1 / (v + fit.Tau2)).ToArray();
        var c = new double[p * p];
        WeightedLeastSquares.CrossProduct(x, p, w, c);
        WeightedLeastSquares.InvertSymmetric(c, p);
        var result = new StudyInfluence[k];
        var wDel = new double[k];
        var cDel = new double[p * p];
        int failed = 0;
        for (int i = 0; i < k; i++)
        {
            var row = x.Slice(i * p, p);
            double hat = w[i] * WeightedLeastSquares.Quadratic(c, row, p);
            var keep = Enumerable.Range(0, k).Where(j => j != i).ToArray();
            var del = MetaAnalysis.TryRefit(fit, keep);
            if (del is null)
            {
                failed++;
                result[i] = new StudyInfluence(fit.Studies.Labels[i], double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, hat, fit.Weights[i],
                    [.. Enumerable.Repeat(double.NaN, p)], hat > 3.0 * p / k);
                continue;
            }
            double predFull = WeightedLeastSquares.Fitted(x, p, i, beta);
            double delPred = WeightedLeastSquares.Fitted(x, p, i, del.Beta);
            double vDelPred = WeightedLeastSquares.Quadratic(del.Covariance, row, p);
            double resid = yi[i] - delPred;
            if (Math.Abs(resid) < 100 * 2.220446049250313e-16) resid = 0;
            double rstudent = resid / Math.Sqrt(vi[i] * del.S2w + vDelPred + del.Tau2 * del.S2w);
            double dffits = (predFull - delPred) / Math.Sqrt(del.S2w * hat * (del.Tau2 + vi[i]));
            for (int j = 0; j < k; j++) wDel[j] = 1 / (vi[j] + del.Tau2);
            WeightedLeastSquares.CrossProduct(x, p, wDel, cDel);
            WeightedLeastSquares.InvertSymmetric(cDel, p);
            var diff = new double[p];
            var dfbs = new double[p];
            for (int j = 0; j < p; j++)
            {
                diff[j] = beta[j] - del.Beta[j];
                dfbs[j] = diff[j] / Math.Sqrt(del.S2w * cDel[j * p + j]);
            }
            double cook = WeightedLeastSquares.Quadratic(svb, diff, p);
            double covRatio = Determinant(del.Covariance, p) / detFull;
            bool influential = Math.Abs(dffits) > 3 * Math.Sqrt((double)p / (k - p))
                || (1 - TailProbabilities.ChiSquareUpper(cook, p)) > 0.5
                || hat > 3.0 * p / k
                || dfbs.Any(d => Math.Abs(d) > 1);
            result[i] = new StudyInfluence(fit.Studies.Labels[i], rstudent, dffits, cook, covRatio, del.Tau2, del.QE, hat, fit.Weights[i], [.. dfbs], influential);
        }
        return new InfluenceResult { Model = fit, Studies = [.. result], FailedRefits = failed };
    }

    private static double Determinant(ReadOnlySpan<double> a, int p)
    {
        var copy = a.ToArray();
        return Math.Exp(DenseCholesky.Factor(copy, p));
    }
}
