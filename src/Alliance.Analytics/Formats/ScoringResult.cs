using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Alliance.Analytics.Irt;
using Alliance.Analytics.Outcomes;
using Alliance.Analytics.Presentation;

namespace Alliance.Analytics.Formats;

/// <summary>
/// Sensitivity to change of one scoring between two sessions, per client: the standardized response mean and the
/// share of clients whose change is reliable (Jacobson &amp; Truax 1991).
/// </summary>
/// <param name="FromSession">First session.</param>
/// <param name="ToSession">Second session.</param>
/// <param name="Clients">Clients with a complete row at both sessions.</param>
/// <param name="MeanChange">Mean of the change d = score(to) − score(from).</param>
/// <param name="StandardizedResponseMean">SRM = mean d / SD d (Liang, Fossel &amp; Larson 1990).</param>
/// <param name="ReliableChangeIndexCritical">The smallest change that is reliable: z_{1−α/2} · √2 · SD_from · √(1 − α_scale).</param>
/// <param name="ReliablyImproved">Share of clients whose RCI exceeds +z (alliance rose reliably).</param>
/// <param name="ReliablyDeteriorated">Share whose RCI is below −z.</param>
/// <param name="Incomplete">Clients with rows at both sessions left out because an item was unanswered at one of them.</param>
public sealed record ChangeSensitivity(double FromSession, double ToSession, int Clients, double MeanChange, double StandardizedResponseMean,
    double ReliableChangeIndexCritical, double ReliablyImproved, double ReliablyDeteriorated, int Incomplete = 0)
{
    /// <summary>Share of clients with reliable change in either direction.</summary>
    public double ReliablyChanged => ReliablyImproved + ReliablyDeteriorated;
}

/// <summary>
/// One scoring of a rating scale (the original or a collapse) and how well it works: threshold order per item and
/// overall, Linacre's guidelines, person separation and reliability, α and ω, score variance and its change from the
/// original, floor and ceiling, targeted information, and (when asked for) the correlation with an outcome and
/// sensitivity to change.
/// </summary>
public sealed record ScoringResult
{
    /// <summary>The collapse map (the identity for the original scoring).</summary>
    public required CategoryMap Map { get; init; }

    /// <summary>The Rasch fit of the collapsed responses (partial credit or rating scale by CML).</summary>
    public required IrtFit Fit { get; init; }

    /// <summary>Categories of the scoring.</summary>
    public int Categories => Map.Categories;

    /// <summary>Per item, whether its thresholds advance (<see cref="IrtItem.ThresholdsOrdered"/>), in item order.</summary>
    public required ImmutableArray<bool> ItemThresholdsOrdered { get; init; }

    /// <summary>Overall: the scale's thresholds advance (rating scale: the Andrich thresholds; partial credit: the pooled thresholds of the scale's category table, Linacre's guideline 5).</summary>
    public required bool ThresholdsOrdered { get; init; }

    /// <summary>Items whose thresholds advance.</summary>
    public int ItemsOrdered => ItemThresholdsOrdered.Count(o => o);

    /// <summary>Linacre's (2002) eight guidelines on the pooled category table.</summary>
    public required ImmutableArray<LinacreCheck> Guidelines { get; init; }

    /// <summary>Person separation G (ML measures of non-extreme persons, model SEs; Winsteps/eRm).</summary>
    public required double PersonSeparation { get; init; }

    /// <summary>Person reliability G²/(1 + G²).</summary>
    public required double PersonReliability { get; init; }

    /// <summary>Persons with an extreme raw score (all lowest or all highest categories), left out of the separation.</summary>
    public required int ExtremePersons { get; init; }

    /// <summary>Cronbach's α of the scoring's raw scores (complete rows).</summary>
    public required double Alpha { get; init; }

    /// <summary>McDonald's ω (total, one factor) of the raw scores (complete rows); NaN when not computed.</summary>
    public required double Omega { get; init; }

    /// <summary>Rows with every item answered: the rows behind α, ω, the score moments, floor and ceiling.</summary>
    public required int CompleteRows { get; init; }

    /// <summary>Mean total score (sum of the scoring's categories, numbered from the scale's lowest value).</summary>
    public required double ScoreMean { get; init; }

    /// <summary>Variance of the total score (denominator n − 1).</summary>
    public required double ScoreVariance { get; init; }

    /// <summary>Relative change of the score variance from the original scoring: var / var_original − 1 (−0.32 is a 32% cut).</summary>
    public required double VarianceChange { get; init; }

    /// <summary>Share of complete rows at the lowest possible total (every item in the lowest category).</summary>
    public required double Floor { get; init; }

    /// <summary>Share of complete rows at the highest possible total.</summary>
    public required double Ceiling { get; init; }

    /// <summary>Share of all answers in each category of the scoring.</summary>
    public required ImmutableArray<double> CategoryProportions { get; init; }

    /// <summary>
    /// Information where the clients are, free of each scoring's logit unit: the harmonic mean of I(θ)·σ² over the
    /// persons' WLE measures (or over the target range in person-SD units), σ the SD of the fitted latent normal. I·σ²
    /// is a signal-to-noise ratio (the conditional reliability at θ is I·σ²/(1 + I·σ²)); its harmonic mean is the
    /// reciprocal of the mean error variance in person-variance units, so a spike of information cannot mask a
    /// poorly measured region.
    /// </summary>
    public required double TargetedInformation { get; init; }

    /// <summary>Correlation of the total score with the outcome (one row per client), when asked for.</summary>
    public CorrelationEstimate? OutcomeCorrelation { get; init; }

    /// <summary>Clients with the outcome left out of <see cref="OutcomeCorrelation"/> because an item was unanswered (no total).</summary>
    public int OutcomeIncomplete { get; init; }

    /// <summary>Sensitivity to change between two sessions, when asked for.</summary>
    public ChangeSensitivity? Change { get; init; }

    /// <summary>
    /// Test information across θ in person-SD units: z = −3 … 3 by 0.25 and I(μ + σz)·σ² (μ, σ of the fitted latent
    /// normal), so scorings with different logit units share one axis.
    /// </summary>
    public (ImmutableArray<double> Z, ImmutableArray<double> Information) InformationCurve()
    {
        var z = Enumerable.Range(0, 25).Select(i => -3 + 0.25 * i).ToImmutableArray();
        double mu = Fit.LatentMean, sd = Fit.LatentSd;
        return (z, [.. z.Select(v => Fit.TestInformation(mu + sd * v) * sd * sd)]);
    }

    private JsonObject InformationCurveJson()
    {
        var (z, info) = InformationCurve();
        return new JsonObject { ["z"] = JsonOutput.Numbers(z), ["information"] = JsonOutput.Numbers(info) };
    }

    /// <summary>"1,2,2,2,3,4,5 (2–4 merged)" or "1,…,7 (original)".</summary>
    public string Label => $"{Map} ({Map.Describe()})";

    /// <summary>The scoring as JSON (docs/cli/formats.md: one entry of <c>scorings</c>).</summary>
    public JsonObject ToJson()
    {
        var o = new JsonObject
        {
            ["map"] = Map.ToString(),
            ["description"] = Map.Describe(),
            ["categories"] = Categories,
            ["model"] = IrtFit.ModelKey(Fit.Model),
            ["converged"] = Fit.Convergence.Converged,
            ["thresholds_ordered"] = new JsonObject
            {
                ["overall"] = ThresholdsOrdered,
                ["items_ordered"] = ItemsOrdered,
                ["items"] = new JsonObject([.. Fit.Items.Select((it, j) => KeyValuePair.Create(it.Name, (JsonNode?)JsonValue.Create(ItemThresholdsOrdered[j])))]),
            },
            ["thresholds"] = Fit.AndrichThresholds.IsDefaultOrEmpty
                ? JsonOutput.Numbers(Fit.ScaleCategories?.Rows.Skip(1).Select(r => r.Threshold) ?? [])
                : JsonOutput.Numbers(Fit.AndrichThresholds),
            ["guidelines"] = new JsonArray([.. Guidelines.Select(g => (JsonNode)new JsonObject
            {
                ["number"] = g.Number, ["guideline"] = g.Guideline, ["passed"] = g.Passed, ["detail"] = g.Detail,
            })]),
            ["person_separation"] = JsonOutput.Number(PersonSeparation),
            ["person_reliability"] = JsonOutput.Number(PersonReliability),
            ["extreme_persons"] = ExtremePersons,
            ["alpha"] = JsonOutput.Number(Alpha),
            ["omega"] = JsonOutput.Number(Omega),
            ["complete_rows"] = CompleteRows,
            ["score_mean"] = JsonOutput.Number(ScoreMean),
            ["score_variance"] = JsonOutput.Number(ScoreVariance),
            ["variance_change"] = JsonOutput.Number(VarianceChange),
            ["floor"] = JsonOutput.Number(Floor),
            ["ceiling"] = JsonOutput.Number(Ceiling),
            ["category_proportions"] = JsonOutput.Numbers(CategoryProportions),
            ["targeted_information"] = JsonOutput.Number(TargetedInformation),
            ["information_curve"] = InformationCurveJson(),
        };
        if (OutcomeCorrelation is { } r)
            o["outcome_correlation"] = new JsonObject
            {
                ["r"] = JsonOutput.Number(r.R), ["n"] = r.N, ["incomplete_left_out"] = OutcomeIncomplete, ["p"] = JsonOutput.Number(r.PValue),
                ["ci"] = JsonOutput.Interval(r.Interval), ["level"] = r.Interval.Level,
            };
        if (Change is { } c)
            o["change"] = new JsonObject
            {
                ["from_session"] = c.FromSession, ["to_session"] = c.ToSession, ["clients"] = c.Clients, ["incomplete_left_out"] = c.Incomplete,
                ["mean_change"] = JsonOutput.Number(c.MeanChange), ["srm"] = JsonOutput.Number(c.StandardizedResponseMean),
                ["reliable_change_critical"] = JsonOutput.Number(c.ReliableChangeIndexCritical),
                ["reliably_improved"] = JsonOutput.Number(c.ReliablyImproved), ["reliably_deteriorated"] = JsonOutput.Number(c.ReliablyDeteriorated),
                ["reliably_changed"] = JsonOutput.Number(c.ReliablyChanged),
            };
        return o;
    }
}
