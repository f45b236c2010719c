using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using Alliance.Analytics.Data;
using Alliance.Analytics.Numerics;
using Alliance.Analytics.Presentation;

namespace Alliance.Analytics.Reliability;

/// <summary>One of Shrout and Fleiss's (1979) six intraclass correlations, with its F test and confidence interval.</summary>
/// <param name="Type">psych's label: ICC1, ICC2, ICC3, ICC1k, ICC2k, ICC3k.</param>
/// <param name="ShroutFleiss">Shrout &amp; Fleiss's name: ICC(1,1), ICC(2,1), ICC(3,1), ICC(1,k), ICC(2,k), ICC(3,k).</param>
/// <param name="Description">What it measures ("single rater, absolute agreement, one-way random" …).</param>
/// <param name="Value">The intraclass correlation.</param>
/// <param name="F">The F statistic testing ICC = 0.</param>
/// <param name="Df1">Numerator degrees of freedom.</param>
/// <param name="Df2">Denominator degrees of freedom.</param>
/// <param name="PValue">Upper-tail p-value of F.</param>
/// <param name="Interval">Confidence interval (Shrout &amp; Fleiss 1979; McGraw &amp; Wong 1996 for ICC2).</param>
public sealed record IccEstimate(string Type, string ShroutFleiss, string Description, double Value, double F, double Df1, double Df2, double PValue,
    ConfidenceInterval Interval);

/// <summary>
/// The six Shrout–Fleiss intraclass correlations of n targets (clients) rated by k raters or on k occasions
/// (sessions), from the two-way ANOVA mean squares: between targets MSB, between raters MSJ, residual MSE, and within
/// targets MSW = (SSJ + SSE) / (n(k − 1)). ICC1 = (MSB − MSW)/(MSB + (k − 1)MSW); ICC2 = (MSB − MSE)/(MSB + (k − 1)MSE +
/// k(MSJ − MSE)/n); ICC3 = (MSB − MSE)/(MSB + (k − 1)MSE); the k-rater forms are the Spearman–Brown step-ups.
/// Made by <see cref="ReliabilityAnalysis.IntraclassCorrelation(ResponseMatrix, double)"/>. R: <c>psych::ICC(x, lmer = FALSE)</c>.
/// </summary>
public sealed record IntraclassCorrelationResult : IAnalysisResult
{
    /// <summary>The raters (or sessions): the matrix's columns.</summary>
    public required ImmutableArray<string> Raters { get; init; }

    /// <summary>What was rated, in words ("WAI-SR total; targets are clients, raters are sessions"); empty when not given.</summary>
    public string Ratings { get; init; } = "";

    /// <summary>Targets (rows) used: those rated by every rater.</summary>
    public required int Targets { get; init; }

    /// <summary>Mean square between targets.</summary>
    public required double MeanSquareTargets { get; init; }

    /// <summary>Mean square between raters.</summary>
    public required double MeanSquareRaters { get; init; }

    /// <summary>Residual mean square.</summary>
    public required double MeanSquareError { get; init; }

    /// <summary>Mean square within targets (raters plus residual).</summary>
    public required double MeanSquareWithin { get; init; }

    /// <summary>ICC1, ICC2, ICC3, ICC1k, ICC2k, ICC3k in that order.</summary>
    public required ImmutableArray<IccEstimate> Estimates { get; init; }

    /// <inheritdoc/>
    public required DataUsage Usage { get; init; }

    /// <inheritdoc/>
    public required IReadOnlyList<string> Warnings { get; init; }

    /// <summary>The estimate labelled <paramref name="type"/> ("ICC2k" or "ICC(2,k)").</summary>
    public IccEstimate this[string type] => Estimates.FirstOrDefault(e => e.Type.Equals(type, StringComparison.OrdinalIgnoreCase) || e.ShroutFleiss.Equals(type, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"No ICC '{type}' (ICC1, ICC2, ICC3, ICC1k, ICC2k, ICC3k).", nameof(type));

    /// <inheritdoc/>
    public ResultSummary Summary() => new(
        "Intraclass correlations (Shrout & Fleiss 1979)",
        [Usage.ToString(), $"{Targets.ToString(CultureInfo.InvariantCulture)} targets × {Raters.Length} raters ({string.Join(", ", Raters)})" + (Ratings.Length > 0 ? "; " + Ratings : "")],
        [new ResultTable("", [TableColumn.Label("type"), TableColumn.Label("Shrout-Fleiss"), TableColumn.Label("form"), TableColumn.Number("ICC", 3),
            TableColumn.Number("F", 2), TableColumn.Number("df1", 0), TableColumn.Number("df2", 0), TableColumn.Number("p", 4),
            TableColumn.Number("lower", 3), TableColumn.Number("upper", 3)],
            [.. Estimates.Select(e => (IReadOnlyList<object?>)[e.Type, e.ShroutFleiss, e.Description, e.Value, e.F, e.Df1, e.Df2, e.PValue, e.Interval.Lower, e.Interval.Upper])])],
        [$"Mean squares: targets {F(MeanSquareTargets)}, raters {F(MeanSquareRaters)}, residual {F(MeanSquareError)}, within {F(MeanSquareWithin)}. " +
         "Two-way ANOVA on targets rated by every rater (psych::ICC with lmer = FALSE; with complete data and positive variance components lmer gives the same figures)."],
        Warnings);

    /// <summary><c>{"targets", "raters", "mean_squares": {…}, "icc": [{"type", "shrout_fleiss", "icc", "f", "df1", "df2", "p", "ci"}]}</c>.</summary>
    public JsonObject ToJson()
    {
        var o = JsonOutput.Document(this);
        o["targets"] = Targets;
        o["ratings"] = Ratings;
        o["raters"] = JsonOutput.Strings(Raters);
        o["mean_squares"] = new JsonObject
        {
            ["targets"] = JsonOutput.Number(MeanSquareTargets),
            ["raters"] = JsonOutput.Number(MeanSquareRaters),
            ["residual"] = JsonOutput.Number(MeanSquareError),
            ["within"] = JsonOutput.Number(MeanSquareWithin),
        };
        o["icc"] = new JsonArray([.. Estimates.Select(e => (JsonNode?)new JsonObject
        {
            ["type"] = e.Type,
            ["shrout_fleiss"] = e.ShroutFleiss,
            ["icc"] = JsonOutput.Number(e.Value),
            ["f"] = JsonOutput.Number(e.F),
            ["df1"] = e.Df1,
            ["df2"] = e.Df2,
            ["p"] = JsonOutput.Number(e.PValue),
            ["ci"] = JsonOutput.Interval(e.Interval),
        })]);
        return o;
    }

    /// <summary>"ICC(2,1) = 0.290 …".</summary>
    public override string ToString() => string.Join("; ", Estimates.Select(e => $"{e.ShroutFleiss} = {e.Value.ToString("F3", CultureInfo.InvariantCulture)}"));

    private static string F(double v) => v.ToString("F4", CultureInfo.InvariantCulture);

    /// <summary>Computes the six ICCs from complete ratings (rows targets, columns raters).</summary>
    internal static IntraclassCorrelationResult Compute(ResponseMatrix ratings, double level, DataUsage usage)
    {
        int n = ratings.RowCount, k = ratings.ItemCount;
        double grand = 0;
        var rowMeans = new double[n];
        var colMeans = new double[k];
        for (int i = 0; i < n; i++)
        {
            var row = ratings.Row(i);
            for (int j = 0; j < k; j++) { rowMeans[i] += row[j]; colMeans[j] += row[j]; }
        }
        for (int i = 0; i < n; i++) { grand += rowMeans[i]; rowMeans[i] /= k; }
        for (int j = 0; j < k; j++) colMeans[j] /= n;
        grand /= n * k;
        double ssb = 0, ssj = 0, sse = 0;
        for (int i = 0; i < n; i++) ssb += (rowMeans[i] - grand) * (rowMeans[i] - grand);
        ssb *= k;
        for (int j = 0; j < k; j++) ssj += (colMeans[j] - grand) * (colMeans[j] - grand);
        ssj *= n;
        for (int i = 0; i < n; i++)
        {
            var row = ratings.Row(i);
            for (int j = 0; j < k; j++)
            {
                double e = row[j] - rowMeans[i] - colMeans[j] + grand;
                sse += e * e;
            }
        }
        double dfB = n - 1, dfJ = k - 1, dfE = (n - 1.0) * (k - 1);
        double msb = ssb / dfB, msj = ssj / dfJ, mse = sse / dfE, msw = (ssj + sse) / (dfJ + dfE);
        double icc1 = (msb - msw) / (msb + (k - 1) * msw);
        double icc2 = (msb - mse) / (msb + (k - 1) * mse + k * (msj - mse) / n);
        double icc3 = (msb - mse) / (msb + (k - 1) * mse);
        double icc1k = (msb - msw) / msb, icc2k = (msb - mse) / (msb + (msj - mse) / n), icc3k = (msb - mse) / msb;
        double f11 = msb / msw, df11n = n - 1, df11d = n * (k - 1.0);
        double f21 = msb / mse, df21n = n - 1, df21d = dfE;
        double p11 = FDistribution.UpperTail(f11, df11n, df11d), p21 = FDistribution.UpperTail(f21, df21n, df21d);
        double a = 1 - level, hi = 1 - a / 2;

        // Shrout & Fleiss (1979) intervals, as psych::ICC.
        double f1l = f11 / FDistribution.Quantile(hi, df11n, df11d), f1u = f11 * FDistribution.Quantile(hi, df11d, df11n);
        double f3l = f21 / FDistribution.Quantile(hi, df21n, df21d), f3u = f21 * FDistribution.Quantile(hi, df21d, df21n);
        // ICC2: Satterthwaite degrees of freedom v (Shrout & Fleiss 1979, eq. 12; McGraw & Wong 1996).
        double fj = msj / mse;
        double vn = (k - 1.0) * (n - 1) * Math.Pow(k * icc2 * fj + n * (1 + (k - 1) * icc2) - k * icc2, 2);
        double vd = (n - 1.0) * k * k * icc2 * icc2 * fj * fj + Math.Pow(n * (1 + (k - 1) * icc2) - k * icc2, 2);
        double v = vn / vd;
        double fu = FDistribution.Quantile(hi, n - 1, v), fl = FDistribution.Quantile(hi, v, n - 1);
        double l2 = n * (msb - fu * mse) / (fu * (k * msj + (k * n - k - n) * mse) + n * msb);
        double u2 = n * (fl * msb - mse) / (k * msj + (k * n - k - n) * mse + n * fl * msb);

        ConfidenceInterval Ci(double lo, double up) => new(lo, up, level, "F");
        var estimates = ImmutableArray.Create(
            new IccEstimate("ICC1", "ICC(1,1)", "single rater, absolute agreement (one-way random)", icc1, f11, df11n, df11d, p11,
                Ci((f1l - 1) / (f1l + (k - 1)), (f1u - 1) / (f1u + k - 1))),
            new IccEstimate("ICC2", "ICC(2,1)", "single rater, absolute agreement (two-way random)", icc2, f21, df21n, df21d, p21, Ci(l2, u2)),
            new IccEstimate("ICC3", "ICC(3,1)", "single rater, consistency (two-way mixed)", icc3, f21, df21n, df21d, p21,
                Ci((f3l - 1) / (f3l + k - 1), (f3u - 1) / (f3u + k - 1))),
            new IccEstimate("ICC1k", "ICC(1,k)", "mean of k raters, absolute agreement (one-way random)", icc1k, f11, df11n, df11d, p11,
                Ci(1 - 1 / f1l, 1 - 1 / f1u)),
            new IccEstimate("ICC2k", "ICC(2,k)", "mean of k raters, absolute agreement (two-way random)", icc2k, f21, df21n, df21d, p21,
                Ci(l2 * k / (1 + l2 * (k - 1)), u2 * k / (1 + u2 * (k - 1)))),
            new IccEstimate("ICC3k", "ICC(3,k)", "mean of k raters, consistency (two-way mixed)", icc3k, f21, df21n, df21d, p21,
                Ci(1 - 1 / f3l, 1 - 1 / f3u)));
        var warnings = new List<string>();
        if (msj < mse) warnings.Add("the raters' mean square is below the residual one (a negative rater variance component); psych's default lmer fit would truncate it at zero and give slightly different ICC2 figures");
        return new IntraclassCorrelationResult
        {
            Raters = ratings.Items,
            Targets = n,
            MeanSquareTargets = msb,
            MeanSquareRaters = msj,
            MeanSquareError = mse,
            MeanSquareWithin = msw,
            Estimates = estimates,
            Usage = usage,
            Warnings = warnings,
        };
    }
}
