using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using Alliance.Analytics.Data;
using Alliance.Analytics.Irt;
using Alliance.Analytics.Presentation;

namespace Alliance.Analytics.Formats;

/// <summary>
/// The original scoring of a rating scale and one or more collapses of it, side by side (made by
/// <see cref="FormatAnalysis.Compare(AnalysisData, IReadOnlyList{CategoryMap}, FormatOptions?, IProgress{AnalysisProgress}?, CancellationToken)"/>):
/// per scoring the threshold order per item and overall, Linacre's guidelines, person separation and reliability,
/// α and ω, the change in score variance, floor and ceiling, targeted information and, when asked for, the
/// correlation with an outcome and sensitivity to change.
/// </summary>
public sealed record FormatComparison : IAnalysisResult
{
    /// <summary>The scorings: the original first, then each collapse in the order given.</summary>
    public required ImmutableArray<ScoringResult> Scorings { get; init; }

    /// <summary>The options used.</summary>
    public required FormatOptions Options { get; init; }

    /// <summary>The Rasch model fitted to every scoring.</summary>
    public required IrtModelType Model { get; init; }

    /// <summary>Scale points of the original scoring.</summary>
    public required int Points { get; init; }

    /// <summary>The outcome correlated with, in words ("baseline − post"), or null.</summary>
    public string? OutcomeLabel { get; init; }

    /// <summary>The session whose rows were correlated with the outcome, when there is a session column.</summary>
    public double? OutcomeSession { get; init; }

    /// <summary>Items reverse-scored before the maps were applied.</summary>
    public required ImmutableArray<string> Reversed { get; init; }

    /// <inheritdoc/>
    public required DataUsage Usage { get; init; }

    /// <inheritdoc/>
    public required IReadOnlyList<string> Warnings { get; init; }

    /// <summary>The original scoring.</summary>
    public ScoringResult Original => Scorings[0];

    /// <summary>The scoring of a map (by its text, "1,2,2,2,3,4,5").</summary>
    /// <exception cref="ArgumentException">When no scoring has that map.</exception>
    public ScoringResult this[string map] => Scorings.FirstOrDefault(s => s.Map.ToString() == map)
        ?? throw new ArgumentException($"no scoring with map {map} (maps: {string.Join("; ", Scorings.Select(s => s.Map.ToString()))})", nameof(map));

    /// <inheritdoc/>
    public ResultSummary Summary()
    {
        var lines = new List<string>
        {
            Usage.ToString(),
            $"{Points}-point scale, {Scorings.Length} scorings; each fitted by the {IrtFit.ModelName(Model)} (conditional ML)" +
                (Reversed.IsDefaultOrEmpty ? "" : $"; reverse-keyed items scored in the keyed direction first ({Reversed.Length})"),
        };
        var columns = new List<TableColumn>
        {
            TableColumn.Label("scoring"), TableColumn.Integer("cats"), TableColumn.Label("ordered"), TableColumn.Label("items ordered"),
            TableColumn.Number("sep", 2), TableColumn.Number("rel", 3), TableColumn.Number("alpha", 3), TableColumn.Number("omega", 3),
            TableColumn.Percent("var chg", 1), TableColumn.Percent("floor", 1), TableColumn.Percent("ceiling", 1), TableColumn.Number("info", 2),
            TableColumn.Label("Linacre failed"),
        };
        bool outcome = Scorings.Any(s => s.OutcomeCorrelation is not null), change = Scorings.Any(s => s.Change is not null);
        if (outcome) columns.Add(TableColumn.Number("r outcome", 3));
        if (change) { columns.Add(TableColumn.Number("SRM", 3)); columns.Add(TableColumn.Percent("reliable chg", 1)); }
        var rows = Scorings.Select(s =>
        {
            var r = new List<object?>
            {
                s.Label, s.Categories, s.ThresholdsOrdered ? "yes" : "NO", $"{s.ItemsOrdered}/{s.ItemThresholdsOrdered.Length}",
                s.PersonSeparation, s.PersonReliability, s.Alpha, s.Omega, s.VarianceChange, s.Floor, s.Ceiling, s.TargetedInformation,
                s.Guidelines.Any(g => !g.Passed) ? string.Join(",", s.Guidelines.Where(g => !g.Passed).Select(g => g.Number.ToString(CultureInfo.InvariantCulture))) : "none",
            };
            if (outcome) r.Add(s.OutcomeCorrelation?.R);
            if (change) { r.Add(s.Change?.StandardizedResponseMean); r.Add(s.Change?.ReliablyChanged); }
            return (IReadOnlyList<object?>)r;
        }).ToList();
        var tables = new List<ResultTable> { new("Scorings side by side", columns, rows) };
        int maxCats = Scorings.Max(s => s.Categories);
        tables.Add(new ResultTable("Share of answers in each category",
            [TableColumn.Label("scoring"), .. Enumerable.Range(1, maxCats).Select(c => TableColumn.Percent(c.ToString(CultureInfo.InvariantCulture), 1))],
            [.. Scorings.Select(s => (IReadOnlyList<object?>)[s.Map.ToString(), .. Enumerable.Range(0, maxCats).Select(c => c < s.CategoryProportions.Length ? (object?)s.CategoryProportions[c] : null)])]));
        tables.Add(new ResultTable("Thresholds (rating scale: Andrich τ; partial credit: pooled, mean over items of b − location)",
            [TableColumn.Label("scoring"), .. Enumerable.Range(1, maxCats - 1).Select(c => TableColumn.Number($"{c}→{c + 1}", 2))],
            [.. Scorings.Select(s => (IReadOnlyList<object?>)[s.Map.ToString(), .. Enumerable.Range(0, maxCats - 1).Select(c => c < s.Categories - 1 ? (object?)Thresholds(s)[c] : null)])]));
        var notes = new List<string>
        {
            "ordered: the scale's thresholds advance (Linacre's guideline 5); items ordered: items whose own thresholds advance.",
            "sep, rel: person separation and reliability (ML measures of non-extreme persons, model SEs); alpha, omega: of the raw sum over complete rows.",
            "var chg: change of the total-score variance from the original scoring; floor/ceiling: complete rows at the lowest/highest possible total.",
            TargetNote(Options),
        };
        if (outcome) notes.Add($"r outcome: Pearson r of the total with {OutcomeLabel}{(OutcomeSession is { } os ? $" at session {os.ToString(CultureInfo.InvariantCulture)}" : "")}, one row per client (n = {Scorings.First(s => s.OutcomeCorrelation is not null).OutcomeCorrelation!.N}{(Scorings[0].OutcomeIncomplete > 0 ? $"; {Scorings[0].OutcomeIncomplete} clients with the outcome left out for an unanswered item" : "")}).");
        if (change && Scorings[0].Change is { } c)
            notes.Add($"SRM: mean change / SD of change from session {c.FromSession.ToString(CultureInfo.InvariantCulture)} to {c.ToSession.ToString(CultureInfo.InvariantCulture)} (n = {c.Clients} clients{(c.Incomplete > 0 ? $"; {c.Incomplete} left out for an unanswered item" : "")}); reliable chg: share with |RCI| above the {Options.ReliableChangeLevel.ToString("0%", CultureInfo.InvariantCulture)} criterion (Jacobson–Truax, the scoring's α).");
        return new ResultSummary("Response formats: scorings compared", lines, tables, notes, Warnings);
    }

    internal static string TargetNote(FormatOptions options) => options.TargetFrom is { } a && options.TargetTo is { } b
        ? $"info: harmonic mean of I(θ)·σ² over θ = μ + σz, z from {a.ToString(CultureInfo.InvariantCulture)} to {b.ToString(CultureInfo.InvariantCulture)} (person-SD units; free of each scoring's logit unit)."
        : "info: harmonic mean of I(θ)·σ² over the persons' WLE measures, i.e. where the clients are (σ: SD of the fitted latent normal; free of each scoring's logit unit; H/(1 + H) is the reliability it implies).";

    internal static ImmutableArray<double> Thresholds(ScoringResult s) => !s.Fit.AndrichThresholds.IsDefaultOrEmpty
        ? s.Fit.AndrichThresholds
        : [.. s.Fit.ScaleCategories?.Rows.Skip(1).Select(r => r.Threshold) ?? []];

    /// <summary>
    /// <c>{"n", "data", "warnings", "model", "points", "reversed", "outcome", "outcome_session", "scorings": [{"map",
    /// "categories", "thresholds_ordered": {"overall", "items_ordered", "items": {…}}, "person_separation",
    /// "person_reliability", "alpha", "omega", "variance_change", "floor", "ceiling", "targeted_information", …}]}</c>
    /// (docs/cli/formats.md).
    /// </summary>
    public JsonObject ToJson()
    {
        var o = JsonOutput.Document(this);
        o["model"] = IrtFit.ModelKey(Model);
        o["points"] = Points;
        o["reversed"] = JsonOutput.Strings(Reversed);
        o["outcome"] = OutcomeLabel;
        o["outcome_session"] = OutcomeSession;
        o["target"] = Options.TargetFrom is { } a && Options.TargetTo is { } b ? JsonOutput.Interval(a, b) : "persons";
        o["scorings"] = new JsonArray([.. Scorings.Select(s => (JsonNode)s.ToJson())]);
        return o;
    }

    /// <summary>"7-point scale, 2 scorings: 1,2,3,4,5,6,7 rel .936; 1,2,2,2,3,4,5 rel .945".</summary>
    public override string ToString() =>
        $"{Points}-point scale, {Scorings.Length} scorings: " + string.Join("; ", Scorings.Select(s => $"{s.Map} rel {s.PersonReliability.ToString("F3", CultureInfo.InvariantCulture)}"));
}
