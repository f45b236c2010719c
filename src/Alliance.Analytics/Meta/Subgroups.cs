using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using Alliance.Analytics.Data;
using Alliance.Analytics.Numerics;
using Alliance.Analytics.Presentation;

namespace Alliance.Analytics.Meta;

/// <summary>
/// A subgroup analysis: a separate model per level of a categorical moderator (each with its own τ²) and the test of
/// differences between subgroups, Q_between = Σ w_g(θ̂_g − θ̄)² with w_g = 1/SE_g², on G − 1 degrees of freedom
/// (Borenstein et al. 2009, ch. 19, "separate estimates of τ²"). The mixed-effects alternative with a common τ² is the
/// meta-regression on the moderator (<see cref="MetaAnalysis.Fit"/> with it in <see cref="MetaAnalysisOptions.Moderators"/>, test QM).
/// R: <c>rma(yi, vi, subset = g == level)</c> per level, then <c>rma(est, sei = se, method = "EE")</c> on the estimates.
/// </summary>
public sealed record SubgroupResult : IAnalysisResult
{
    /// <summary>The moderator that defines the subgroups.</summary>
    public required string Moderator { get; init; }

    /// <summary>The subgroup levels, in R's factor order.</summary>
    public required ImmutableArray<string> Levels { get; init; }

    /// <summary>The model of each subgroup, parallel to <see cref="Levels"/>.</summary>
    public required ImmutableArray<RandomEffectsFit> Fits { get; init; }

    /// <summary>Q between subgroups.</summary>
    public required double QBetween { get; init; }

    /// <summary>Its degrees of freedom, G − 1.</summary>
    public int QBetweenDegreesOfFreedom => Levels.Length - 1;

    /// <summary>p value of Q between against χ²(G − 1).</summary>
    public required double QBetweenPValue { get; init; }

    /// <inheritdoc/>
    public required DataUsage Usage { get; init; }

    /// <inheritdoc/>
    public required IReadOnlyList<string> Warnings { get; init; }

    /// <inheritdoc/>
    public ResultSummary Summary()
    {
        bool r = Fits[0].Studies.Measure == EffectMeasure.FisherZ;
        var table = new ResultTable($"Subgroups by {Moderator}",
            [TableColumn.Label(Moderator), TableColumn.Integer("k"), TableColumn.Number("estimate", 4), TableColumn.Number("se", 4), TableColumn.Number("ci.lb", 4), TableColumn.Number("ci.ub", 4),
             TableColumn.Number("tau2", 4), TableColumn.Number("I2", 2), .. (r ? new[] { TableColumn.Number("r", 4) } : [])],
            [.. Fits.Select((f, g) => (IReadOnlyList<object?>)[Levels[g], f.K, f.Estimate.Estimate, f.Estimate.StandardError, f.Estimate.Interval.Lower, f.Estimate.Interval.Upper, f.Tau2, f.I2, .. (r ? new object?[] { f.EstimateR } : [])])]);
        return new ResultSummary($"Subgroup analysis by {Moderator}",
            [$"Test of subgroup differences: Q_between({QBetweenDegreesOfFreedom}) = {QBetween.ToString("F4", CultureInfo.InvariantCulture)}, p {RandomEffectsFit.FormatP(QBetweenPValue)}", Usage.ToString()],
            [table], ["Separate τ² per subgroup; Q_between from the equal-effects test of the subgroup estimates."], Warnings);
    }

    /// <summary><c>{…, "moderator", "subgroups": [{level, k, estimate, se, ci, tau2, i2, [estimate_r]}], "q_between", "q_between_df", "q_between_p"}</c>.</summary>
    public JsonObject ToJson()
    {
        var o = JsonOutput.Document(this);
        o["moderator"] = Moderator;
        o["subgroups"] = new JsonArray([.. Fits.Select((f, g) =>
        {
            var s = new JsonObject
            {
                ["level"] = Levels[g], ["k"] = f.K, ["estimate"] = JsonOutput.Number(f.Estimate.Estimate), ["se"] = JsonOutput.Number(f.Estimate.StandardError),
                ["ci"] = f.Estimate.Interval.ToJson(), ["tau2"] = JsonOutput.Number(f.Tau2), ["i2"] = JsonOutput.Number(f.I2),
            };
            if (f.IsCorrelation) s["estimate_r"] = JsonOutput.Number(f.EstimateR);
            return (JsonNode?)s;
        })]);
        o["q_between"] = JsonOutput.Number(QBetween);
        o["q_between_df"] = QBetweenDegreesOfFreedom;
        o["q_between_p"] = JsonOutput.Number(QBetweenPValue);
        return o;
    }
}

public static partial class MetaAnalysis
{
    /// <summary>
    /// Fits the model separately in each level of <paramref name="moderator"/> and tests the differences (see
    /// <see cref="SubgroupResult"/>). Rows missing the moderator are left out and reported.
    /// </summary>
    /// <exception cref="AllianceInputException">When the moderator has fewer than two levels, or a model cannot be fitted in a level.</exception>
    public static SubgroupResult Subgroups(StudySet studies, string moderator, MetaAnalysisOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(studies);
        ArgumentNullException.ThrowIfNull(moderator);
        options ??= new MetaAnalysisOptions();
        var column = studies.Moderator(moderator);
        var missing = Enumerable.Range(0, studies.Count).Where(i => column.Text[i] is null).ToArray();
        var usage = studies.Usage.Then(DataUsage.All(studies.Count).Exclude($"missing moderator '{column.Name}'", missing.Length, missing.Select(i => studies.Lines[i])));
        var levels = ModelMatrix.SortLevels(Enumerable.Range(0, studies.Count).Where(i => column.Text[i] is not null).Select(i => column.Text[i]!).Distinct(StringComparer.Ordinal));
        if (levels.Count < 2) throw new AllianceInputException($"{studies.Source}: moderator '{column.Name}' has fewer than two levels; there are no subgroups to compare.");
        var fits = new List<RandomEffectsFit>();
        var warnings = new List<string>();
        foreach (string level in levels)
        {
            var rows = Enumerable.Range(0, studies.Count).Where(i => string.Equals(column.Text[i], level, StringComparison.Ordinal)).ToArray();
            var fit = Fit(studies.Take(rows) with { Usage = DataUsage.All(rows.Length) }, options with { Moderators = [] });
            if (fit.K == 1) warnings.Add($"subgroup '{level}' has a single study (τ² = 0 there).");
            fits.Add(fit);
        }
        double sw = 0, swy = 0;
        foreach (var f in fits) { double w = 1 / (f.Estimate.StandardError * f.Estimate.StandardError); sw += w; swy += w * f.Estimate.Estimate; }
        double mean = swy / sw, q = 0;
        foreach (var f in fits) { double d = f.Estimate.Estimate - mean; q += d * d / (f.Estimate.StandardError * f.Estimate.StandardError); }
        return new SubgroupResult
        {
            Moderator = column.Name,
            Levels = [.. levels],
            Fits = [.. fits],
            QBetween = q,
            QBetweenPValue = TailProbabilities.ChiSquareUpper(q, levels.Count - 1),
            Usage = usage,
            Warnings = warnings,
        };
    }
}
