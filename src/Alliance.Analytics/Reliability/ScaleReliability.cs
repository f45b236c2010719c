using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using Alliance.Analytics.Data;
using Alliance.Analytics.Numerics;
using Alliance.Analytics.Presentation;
using Alliance.Analytics.Instruments;

namespace Alliance.Analytics.Reliability;

/// <summary>
/// Guttman's (1945) six lower bounds to reliability, computed on the correlation matrix R (as psych does), with
/// V_t = Σ R and C_j = Σ_{i≠j} r²_ij:
/// λ1 = 1 − tr R / V_t; λ2 = λ1 + √(k/(k−1) Σ_{i≠j} r²_ij) / V_t; λ3 = k/(k−1) λ1 (standardized α);
/// λ4 = the largest split-half reliability; λ5 = λ1 + 2 √(max_j C_j) / V_t; λ6 = 1 − Σ (1 − SMC_j) / V_t.
/// R: <c>psych::splitHalf</c> (λ2, λ4, λ6) and <c>psych::guttman</c>.
/// </summary>
/// <param name="Lambda1">λ1.</param>
/// <param name="Lambda2">λ2.</param>
/// <param name="Lambda3">λ3 (standardized α).</param>
/// <param name="Lambda4">λ4 (maximum split-half).</param>
/// <param name="Lambda5">λ5.</param>
/// <param name="Lambda6">λ6 (psych's G6(smc)).</param>
public sealed record GuttmanLambdas(double Lambda1, double Lambda2, double Lambda3, double Lambda4, double Lambda5, double Lambda6);

/// <summary>
/// Item analysis of one item (psych::alpha's <c>item.stats</c> and <c>alpha.drop</c>, plus ω if deleted, floor and
/// ceiling).
/// </summary>
/// <param name="Item">Item name.</param>
/// <param name="N">Rows with the item answered.</param>
/// <param name="Mean">Mean response (after reversal).</param>
/// <param name="StandardDeviation">SD (n − 1).</param>
/// <param name="TotalCorrelation">Correlation with the total (psych's raw.r; the total is the mean of the answered items).</param>
/// <param name="StandardizedTotalCorrelation">Correlation with the standardized total, Σ_i r_ij / √V_t (std.r).</param>
/// <param name="CorrectedTotalCorrelation">std.r with the item's own SMC on the diagonal instead of 1 (r.cor).</param>
/// <param name="RestCorrelation">Correlation with the sum of the other items, from the covariances (r.drop, item–rest r).</param>
/// <param name="AlphaIfDeleted">Raw α of the other items.</param>
/// <param name="StandardizedAlphaIfDeleted">Standardized α of the other items.</param>
/// <param name="Lambda6IfDeleted">λ6 of the other items.</param>
/// <param name="AverageRIfDeleted">Average inter-item r of the other items.</param>
/// <param name="OmegaIfDeleted">ω total of the other items (one-factor fit); NaN when not computed.</param>
/// <param name="Floor">Share of answers at the scale minimum.</param>
/// <param name="Ceiling">Share of answers at the scale maximum.</param>
/// <param name="CategoryCounts">Count of each category Min … Max (integer scales); empty otherwise.</param>
public sealed record ItemAnalysis(
    string Item, int N, double Mean, double StandardDeviation,
    double TotalCorrelation, double StandardizedTotalCorrelation, double CorrectedTotalCorrelation, double RestCorrelation,
    double AlphaIfDeleted, double StandardizedAlphaIfDeleted, double Lambda6IfDeleted, double AverageRIfDeleted, double OmegaIfDeleted,
    double Floor, double Ceiling, ImmutableArray<int> CategoryCounts);

/// <summary>Ordinal reliability: α and ω on the polychoric correlations (Zumbo, Gadermann &amp; Zeisser 2007).</summary>
/// <param name="Alpha">Ordinal α: standardized α of the polychoric matrix. R: <c>psych::alpha(polychoric(x)$rho)</c>.</param>
/// <param name="Omega">Ordinal ω: one-factor ω total of the polychoric matrix. R: <c>psych::omega(polychoric(x)$rho, 1)</c>.</param>
/// <param name="Polychoric">The polychoric correlations behind them.</param>
public sealed record OrdinalReliability(double Alpha, double Omega, PolychoricResult Polychoric);

/// <summary>
/// The internal consistency of one scale: Cronbach's α raw and standardized with an interval, average inter-item r
/// and signal-to-noise, Guttman's λ1–λ6, split-half reliabilities, McDonald's ω total, the standard error of
/// measurement, item analysis, and (on request) ordinal α and ω and a bootstrap of α. Every figure agrees with
/// psych (alpha, splitHalf, omega with one factor, polychoric) on the same data and missing-data rule. Made by
/// <see cref="ReliabilityAnalysis.Analyze(ResponseMatrix, ReliabilityOptions?, string?, IProgress{AnalysisProgress}?, CancellationToken)"/>.
/// </summary>
/// <remarks>
/// Raw α = k/(k−1) (1 − tr C / Σ C) from the covariance matrix C; standardized α = k/(k−1) (1 − k / Σ R) from the
/// correlations R (Cronbach 1951). Average r = (Σ R − k)/(k(k−1)); signal-to-noise = k r̄ / (1 − r̄). The standard error
/// of α is psych's <c>ase</c>, √(Q/n) with Q the asymptotic variance of Duhachek &amp; Iacobucci (2004). With pairwise data,
/// C is R's <c>cov(x, use = "pairwise")</c> and R = cov2cor(C), as psych::alpha; ω uses <c>cor(x, use = "pairwise")</c>, as
/// psych::omega.
/// </remarks>
public sealed record ScaleReliability : IAnalysisResult
{
    /// <summary>The scale's name ("Total", "Bond", or "items").</summary>
    public required string Name { get; init; }

    /// <summary>Item names, in analysis order.</summary>
    public required ImmutableArray<string> Items { get; init; }

    /// <summary>The response scale.</summary>
    public required ItemScale Scale { get; init; }

    /// <summary>The options the figures were computed with.</summary>
    public required ReliabilityOptions Options { get; init; }

    /// <summary>Items that were reversed (Min + Max − x) before analysis, by the instrument's key or <c>--reverse</c>.</summary>
    public required ImmutableArray<string> Reversed { get; init; }

    /// <summary>Rows with every item answered.</summary>
    public required int CompleteRows { get; init; }

    /// <summary>The fewest rows behind any covariance (pairwise n); equals n for listwise data.</summary>
    public required int MinimumPairN { get; init; }

    /// <summary>Cronbach's α from the covariances (psych's raw_alpha).</summary>
    public required double Alpha { get; init; }

    /// <summary>Cronbach's α from the correlations (std.alpha; also Guttman's λ3).</summary>
    public required double AlphaStandardized { get; init; }

    /// <summary>Asymptotic standard error of raw α (psych's <c>ase</c>).</summary>
    public required double AlphaStandardError { get; init; }

    /// <summary>The confidence interval of raw α (Feldt, or BCa bootstrap).</summary>
    public required ConfidenceInterval AlphaInterval { get; init; }

    /// <summary>Average inter-item correlation r̄.</summary>
    public required double AverageR { get; init; }

    /// <summary>Median inter-item correlation.</summary>
    public required double MedianR { get; init; }

    /// <summary>Signal-to-noise ratio k r̄ / (1 − r̄).</summary>
    public required double SignalToNoise { get; init; }

    /// <summary>Guttman's λ1–λ6.</summary>
    public required GuttmanLambdas Lambdas { get; init; }

    /// <summary>Split-half reliabilities.</summary>
    public required SplitHalfResult SplitHalf { get; init; }

    /// <summary>McDonald's ω total from one factor.</summary>
    public required OmegaResult Omega { get; init; }

    /// <summary>Mean of the per-row item means (psych's total "mean").</summary>
    public required double ScoreMean { get; init; }

    /// <summary>SD of the per-row item means (psych's total "sd").</summary>
    public required double ScoreStandardDeviation { get; init; }

    /// <summary>SD of the sum score, √(Σ C).</summary>
    public required double SumStandardDeviation { get; init; }

    /// <summary>Standard error of measurement of the sum score: SD_sum √(1 − α) (NaN when α ≤ 0).</summary>
    public double StandardErrorOfMeasurement => Alpha > 0 ? SumStandardDeviation * Math.Sqrt(1 - Alpha) : double.NaN;

    /// <summary>Item analysis, in item order.</summary>
    public required ImmutableArray<ItemAnalysis> ItemStatistics { get; init; }

    /// <summary>The bootstrap of α, when asked for (<see cref="AlphaIntervalMethod.Bootstrap"/>).</summary>
    public AlphaBootstrapResult? Bootstrap { get; init; }

    /// <summary>Ordinal α and ω, when asked for (<see cref="ReliabilityOptions.Ordinal"/>).</summary>
    public OrdinalReliability? Ordinal { get; init; }

    /// <inheritdoc/>
    public required DataUsage Usage { get; init; }

    /// <inheritdoc/>
    public required IReadOnlyList<string> Warnings { get; init; }

    internal double[,] CovarianceMatrix { get; init; } = new double[0, 0];

    internal double[,] CorrelationMatrix { get; init; } = new double[0, 0];

    /// <summary>Pearson correlations over pairwise-complete rows (R's <c>cor(x, use = "pairwise")</c>), behind ω.</summary>
    internal double[,] PairwiseCorrelationMatrix { get; init; } = new double[0, 0];

    /// <summary>A copy of the covariance matrix behind raw α.</summary>
    public double[,] Covariances() => (double[,])CovarianceMatrix.Clone();

    /// <summary>A copy of the correlation matrix behind standardized α, λ and split-half.</summary>
    public double[,] Correlations() => (double[,])CorrelationMatrix.Clone();

    /// <summary>A copy of the pairwise Pearson correlations behind ω (R's <c>cor(x, use = "pairwise")</c>).</summary>
    public double[,] PairwiseCorrelations() => (double[,])PairwiseCorrelationMatrix.Clone();

    /// <summary>The n behind the figures, in words ("n = 2,800 … pairwise n 2,755–2,784").</summary>
    public string NLine() =>
        Usage + (Options.Missing == MissingData.Pairwise
            ? $"; pairwise: each covariance from at least {MinimumPairN.ToString("N0", CultureInfo.InvariantCulture)} rows, {CompleteRows.ToString("N0", CultureInfo.InvariantCulture)} rows complete"
            : "; listwise");

    /// <inheritdoc/>
    public ResultSummary Summary()
    {
        var lines = new List<string>
        {
            NLine(),
            $"{Items.Length} items on a {Scale} scale" + (Reversed.IsDefaultOrEmpty ? "" : $"; reversed: {string.Join(", ", Reversed)}"),
        };
        var alpha = new ResultTable("Reliability",
            [TableColumn.Label("statistic"), TableColumn.Number("value", 3), TableColumn.Label("note")],
            [
                ["alpha (raw)", Alpha, $"{AlphaInterval.ToString("F3")}; SE {F(AlphaStandardError)}"],
                ["alpha (standardized)", AlphaStandardized, "= lambda 3"],
                ["average inter-item r", AverageR, $"median {F(MedianR)}; S/N {F(SignalToNoise)}"],
                ["lambda 1", Lambdas.Lambda1, ""],
                ["lambda 2", Lambdas.Lambda2, ""],
                ["lambda 4 (max split-half)", Lambdas.Lambda4, ""],
                ["lambda 5", Lambdas.Lambda5, ""],
                ["lambda 6 (smc)", Lambdas.Lambda6, ""],
                ["split-half max", SplitHalf.Maximum, $"{SplitHalf.SplitsEvaluated.ToString("N0", CultureInfo.InvariantCulture)} splits{(SplitHalf.Sampled ? " sampled" : "")}"],
                ["split-half mean", SplitHalf.Mean, ""],
                ["split-half min", SplitHalf.Minimum, ""],
                [$"omega total ({(Omega.Method == FactorMethod.MinimumResidual ? "minres" : "ML")}, 1 factor)", Omega.Total, Omega.Convergence.Converged ? "" : double.IsNaN(Omega.Total) ? "not fitted (singular)" : "NOT converged"],
                ["SEM (sum score)", StandardErrorOfMeasurement, $"SD of sum {F(SumStandardDeviation)}"],
                .. Ordinal is null ? Array.Empty<IReadOnlyList<object?>>() :
                [
                    ["ordinal alpha", Ordinal.Alpha, "polychoric"],
                    ["ordinal omega", Ordinal.Omega, Ordinal.Polychoric.Smoothed ? "polychoric (smoothed)" : "polychoric"],
                ],
                .. Bootstrap is null ? Array.Empty<IReadOnlyList<object?>>() :
                [
                    ["bootstrap SE of alpha", Bootstrap.StandardError, $"{Bootstrap.Replicates.ToString("N0", CultureInfo.InvariantCulture)} replicates, seed {Bootstrap.Seed.ToString(CultureInfo.InvariantCulture)}"],
                    ["alpha percentile CI", double.NaN, Bootstrap.Percentile.ToString()],
                    ["alpha BCa CI", double.NaN, Bootstrap.Bca.ToString()],
                ],
            ]);
        bool categories = Scale.IsInteger && Scale.Points <= 11;
        var itemColumns = new List<TableColumn>
        {
            TableColumn.Label("item"), TableColumn.Integer("n"), TableColumn.Number("mean", 2), TableColumn.Number("sd", 2),
            TableColumn.Number("r.drop", 3), TableColumn.Number("r.total", 3), TableColumn.Number("alpha if del", 3), TableColumn.Number("omega if del", 3),
            TableColumn.Percent("floor"), TableColumn.Percent("ceiling"),
        };
        var items = new ResultTable("Items (r.drop: item-rest correlation)", itemColumns,
            [.. ItemStatistics.Select(s => (IReadOnlyList<object?>)[s.Item, s.N, s.Mean, s.StandardDeviation, s.RestCorrelation, s.TotalCorrelation,
                s.AlphaIfDeleted, s.OmegaIfDeleted, s.Floor, s.Ceiling])]);
        var tables = new List<ResultTable> { alpha, items };
        if (categories)
        {
            var freq = new List<TableColumn> { TableColumn.Label("item") };
            for (int c = 0; c < Scale.Points; c++) freq.Add(TableColumn.Percent(((int)Scale.Min + c).ToString(CultureInfo.InvariantCulture), 0));
            tables.Add(new ResultTable("Category frequencies (% of answers)", freq,
                [.. ItemStatistics.Select(s => (IReadOnlyList<object?>)[s.Item, .. s.CategoryCounts.Select(c => (object?)(s.N == 0 ? double.NaN : (double)c / s.N))])]));
        }
        var notes = new List<string>
        {
            $"Missing data: {(Options.Missing == MissingData.Pairwise ? "pairwise (psych's default)" : "listwise")}. Lambdas, split-half and standardized alpha are computed on correlations, as psych.",
            SplitHalf.Enumeration == SplitHalfEnumeration.AllSplits
                ? $"Split-half over {(SplitHalf.Sampled ? $"{SplitHalf.SplitsEvaluated.ToString("N0", CultureInfo.InvariantCulture)} sampled of " : "all ")}{SplitHalf.DistinctSplits.ToString("N0", CultureInfo.InvariantCulture)} distinct splits; best half: {string.Join(", ", SplitHalf.BestHalf)}."
                : "Split-half over psych::splitHalf's enumeration (for an odd number of items, half of the splits).",
            "Omega total = (Vt - sum of uniquenesses) / Vt from a one-factor fit of the pairwise correlations (psych::omega, nfactors = 1).",
        };
        return new ResultSummary($"Reliability: {Name}", lines, tables, notes, Warnings);

        static string F(double v) => double.IsNaN(v) ? "—" : v.ToString("F3", CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The scale's figures with the keys of docs/cli/reliability.md: <c>n</c>, <c>alpha</c>, <c>alpha_standardized</c>,
    /// <c>alpha_ci</c>, <c>lambda2</c>, <c>lambda6</c>, <c>average_r</c>, <c>split_half</c>, <c>omega_total</c>,
    /// <c>ordinal_alpha</c>/<c>ordinal_omega</c> (with --ordinal), <c>items</c>, and more.
    /// </summary>
    public JsonObject ToJson()
    {
        var o = JsonOutput.Document(this);
        o["scale"] = Name;
        o["missing"] = Options.Missing == MissingData.Pairwise ? "pairwise" : "listwise";
        o["complete_rows"] = CompleteRows;
        o["min_pair_n"] = MinimumPairN;
        o["item_names"] = JsonOutput.Strings(Items);
        o["reversed"] = JsonOutput.Strings(Reversed.IsDefault ? [] : Reversed);
        o["alpha"] = JsonOutput.Number(Alpha);
        o["alpha_standardized"] = JsonOutput.Number(AlphaStandardized);
        o["alpha_ci"] = JsonOutput.Interval(AlphaInterval);
        o["alpha_ci_method"] = AlphaInterval.Method;
        o["alpha_ci_level"] = AlphaInterval.Level;
        o["alpha_se"] = JsonOutput.Number(AlphaStandardError);
        o["lambda1"] = JsonOutput.Number(Lambdas.Lambda1);
        o["lambda2"] = JsonOutput.Number(Lambdas.Lambda2);
        o["lambda3"] = JsonOutput.Number(Lambdas.Lambda3);
        o["lambda4"] = JsonOutput.Number(Lambdas.Lambda4);
        o["lambda5"] = JsonOutput.Number(Lambdas.Lambda5);
        o["lambda6"] = JsonOutput.Number(Lambdas.Lambda6);
        o["average_r"] = JsonOutput.Number(AverageR);
        o["median_r"] = JsonOutput.Number(MedianR);
        o["signal_to_noise"] = JsonOutput.Number(SignalToNoise);
        o["split_half"] = new JsonObject
        {
            ["max"] = JsonOutput.Number(SplitHalf.Maximum),
            ["min"] = JsonOutput.Number(SplitHalf.Minimum),
            ["mean"] = JsonOutput.Number(SplitHalf.Mean),
            ["splits"] = SplitHalf.SplitsEvaluated,
            ["distinct_splits"] = SplitHalf.DistinctSplits,
            ["sampled"] = SplitHalf.Sampled,
            ["best_half"] = JsonOutput.Strings(SplitHalf.BestHalf),
        };
        o["omega_total"] = JsonOutput.Number(Omega.Total);
        o["omega_method"] = Omega.Method == FactorMethod.MinimumResidual ? "minres" : "ml";
        o["omega_converged"] = Omega.Convergence.Converged;
        o["omega_loadings"] = JsonOutput.Numbers(Omega.Loadings);
        o["score_mean"] = JsonOutput.Number(ScoreMean);
        o["score_sd"] = JsonOutput.Number(ScoreStandardDeviation);
        o["sum_sd"] = JsonOutput.Number(SumStandardDeviation);
        o["sem"] = JsonOutput.Number(StandardErrorOfMeasurement);
        if (Ordinal is not null)
        {
            o["ordinal_alpha"] = JsonOutput.Number(Ordinal.Alpha);
            o["ordinal_omega"] = JsonOutput.Number(Ordinal.Omega);
            o["polychoric_smoothed"] = Ordinal.Polychoric.Smoothed;
        }
        if (Bootstrap is not null)
            o["bootstrap"] = new JsonObject
            {
                ["replicates"] = Bootstrap.Replicates,
                ["replicates_requested"] = Bootstrap.Requested,
                ["seed"] = Bootstrap.Seed,
                ["se"] = JsonOutput.Number(Bootstrap.StandardError),
                ["bias"] = JsonOutput.Number(Bootstrap.Bias),
                ["percentile_ci"] = JsonOutput.Interval(Bootstrap.Percentile),
                ["bca_ci"] = JsonOutput.Interval(Bootstrap.Bca),
                ["z0"] = JsonOutput.Number(Bootstrap.BiasCorrection),
                ["acceleration"] = JsonOutput.Number(Bootstrap.Acceleration),
            };
        o["items"] = new JsonArray([.. ItemStatistics.Select(s =>
        {
            var item = new JsonObject
            {
                ["item"] = s.Item,
                ["n"] = s.N,
                ["r_drop"] = JsonOutput.Number(s.RestCorrelation),
                ["r_total"] = JsonOutput.Number(s.TotalCorrelation),
                ["r_std"] = JsonOutput.Number(s.StandardizedTotalCorrelation),
                ["r_cor"] = JsonOutput.Number(s.CorrectedTotalCorrelation),
                ["alpha_if_deleted"] = JsonOutput.Number(s.AlphaIfDeleted),
                ["alpha_std_if_deleted"] = JsonOutput.Number(s.StandardizedAlphaIfDeleted),
                ["lambda6_if_deleted"] = JsonOutput.Number(s.Lambda6IfDeleted),
                ["average_r_if_deleted"] = JsonOutput.Number(s.AverageRIfDeleted),
                ["omega_if_deleted"] = JsonOutput.Number(s.OmegaIfDeleted),
                ["mean"] = JsonOutput.Number(s.Mean),
                ["sd"] = JsonOutput.Number(s.StandardDeviation),
                ["floor"] = JsonOutput.Number(s.Floor),
                ["ceiling"] = JsonOutput.Number(s.Ceiling),
            };
            if (!s.CategoryCounts.IsDefaultOrEmpty) item["categories"] = JsonOutput.CategoryCounts(s.CategoryCounts, Scale.Min);
            return (JsonNode?)item;
        })]);
        return o;
    }

    /// <summary>"Bond: α = 0.812 [0.79, 0.83], ω = 0.826 (n = 600)".</summary>
    public override string ToString() =>
        $"{Name}: α = {Alpha.ToString("F3", CultureInfo.InvariantCulture)} {AlphaInterval.ToString("F3")}, ω = {Omega.Total.ToString("F3", CultureInfo.InvariantCulture)} (n = {Usage.RowsUsed.ToString("N0", CultureInfo.InvariantCulture)})";
}
