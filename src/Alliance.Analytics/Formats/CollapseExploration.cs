using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using Alliance.Analytics.Data;
using Alliance.Analytics.Irt;
using Alliance.Analytics.Presentation;

namespace Alliance.Analytics.Formats;

/// <summary>
/// One collapse of the explorer with the figures it is ranked by.
/// </summary>
public sealed record CollapseCandidate
{
    /// <summary>The map.</summary>
    public required CategoryMap Map { get; init; }

    /// <summary>False for a map that cannot be fitted (a single category, or fewer than the minimum asked for).</summary>
    public required bool Fitted { get; init; }

    /// <summary>Why the map was not fitted, or null.</summary>
    public string? NotFittedReason { get; init; }

    /// <summary>Categories kept.</summary>
    public int Categories => Map.Categories;

    /// <summary>Whether the estimation converged.</summary>
    public bool Converged { get; init; }

    /// <summary>Whether the scale's thresholds advance (rating scale: the Andrich thresholds).</summary>
    public bool ThresholdsOrdered { get; init; }

    /// <summary>Items whose own thresholds advance (all or none for the rating scale model).</summary>
    public int ItemsOrdered { get; init; }

    /// <summary>The scale's thresholds (rating scale: Andrich τ; partial credit: pooled).</summary>
    public ImmutableArray<double> Thresholds { get; init; } = [];

    /// <summary>Person separation (ML measures of non-extreme persons).</summary>
    public double PersonSeparation { get; init; } = double.NaN;

    /// <summary>Person reliability.</summary>
    public double PersonReliability { get; init; } = double.NaN;

    /// <summary>Persons with extreme raw scores (left out of the separation).</summary>
    public int ExtremePersons { get; init; }

    /// <summary>Targeted information: mean I(θ)·σ² where the clients are (see <see cref="ScoringResult.TargetedInformation"/>).</summary>
    public double TargetedInformation { get; init; } = double.NaN;

    /// <summary>Raw α over complete rows.</summary>
    public double Alpha { get; init; } = double.NaN;

    /// <summary>Change of the total-score variance from the original scoring.</summary>
    public double VarianceChange { get; init; } = double.NaN;

    /// <summary>Linacre guidelines not met (numbers).</summary>
    public ImmutableArray<int> GuidelinesFailed { get; init; } = [];

    /// <summary>Rank by the stated criteria (1 = best); 0 when not fitted.</summary>
    public int Rank { get; init; }

    /// <summary>True when no other candidate is at least as good on every criterion and better on one.</summary>
    public bool Pareto { get; init; }

    /// <summary>One entry of <c>candidates</c> (docs/cli/formats.md).</summary>
    public JsonObject ToJson() => new()
    {
        ["map"] = Map.ToString(),
        ["description"] = Map.Describe(),
        ["categories"] = Categories,
        ["fitted"] = Fitted,
        ["not_fitted_reason"] = NotFittedReason,
        ["converged"] = Fitted ? Converged : null,
        ["thresholds_ordered"] = Fitted ? ThresholdsOrdered : null,
        ["items_ordered"] = Fitted ? ItemsOrdered : null,
        ["thresholds"] = JsonOutput.Numbers(Thresholds),
        ["person_separation"] = JsonOutput.Number(PersonSeparation),
        ["person_reliability"] = JsonOutput.Number(PersonReliability),
        ["extreme_persons"] = Fitted ? ExtremePersons : null,
        ["targeted_information"] = JsonOutput.Number(TargetedInformation),
        ["alpha"] = JsonOutput.Number(Alpha),
        ["variance_change"] = JsonOutput.Number(VarianceChange),
        ["guidelines_failed"] = new JsonArray([.. GuidelinesFailed.Select(g => (JsonNode?)JsonValue.Create(g))]),
        ["rank"] = Fitted ? Rank : null,
        ["pareto"] = Pareto,
    };
}

/// <summary>
/// Every merge of adjacent categories of a K-point scale (2^(K−1) maps), each fitted and ranked (made by
/// <see cref="FormatAnalysis.Explore(AnalysisData, FormatOptions?, IProgress{AnalysisProgress}?, CancellationToken)"/>).
/// </summary>
/// <remarks>
/// Criteria, all "more is better": (1) ordered thresholds, (2) person separation, (3) information where the clients are
/// (<see cref="CollapseCandidate.TargetedInformation"/>), (4) categories kept. Rank: lexicographic in that order, with
/// separation compared to two decimals (differences below 0.005 are noise at any realistic n), so information and then
/// categories decide between practically equal separations. The Pareto set: candidates no other candidate dominates
/// on all four criteria.
/// </remarks>
public sealed record CollapseExploration : IAnalysisResult
{
    /// <summary>Every map, in enumeration order (identity first).</summary>
    public required ImmutableArray<CollapseCandidate> Candidates { get; init; }

    /// <summary>The model fitted to each candidate.</summary>
    public required IrtModelType Model { get; init; }

    /// <summary>Scale points.</summary>
    public required int Points { get; init; }

    /// <summary>The options used.</summary>
    public required FormatOptions Options { get; init; }

    /// <inheritdoc/>
    public required DataUsage Usage { get; init; }

    /// <inheritdoc/>
    public required IReadOnlyList<string> Warnings { get; init; }

    /// <summary>The Pareto set, best rank first.</summary>
    public IEnumerable<CollapseCandidate> ParetoSet => Candidates.Where(c => c.Pareto).OrderBy(c => c.Rank);

    /// <summary>Fitted candidates by rank.</summary>
    public IEnumerable<CollapseCandidate> Ranked => Candidates.Where(c => c.Fitted).OrderBy(c => c.Rank);

    /// <summary>The best-ranked candidate.</summary>
    public CollapseCandidate Best => Ranked.First();

    /// <summary>The candidate of a map ("1,2,2,2,3,4,5").</summary>
    /// <exception cref="ArgumentException">When the map is not among the candidates.</exception>
    public CollapseCandidate this[string map] => Candidates.FirstOrDefault(c => c.Map.ToString() == map)
        ?? throw new ArgumentException($"no candidate with map {map}", nameof(map));

    /// <summary>The original (identity) scoring's candidate.</summary>
    public CollapseCandidate Original => Candidates.First(c => c.Map.IsIdentity);

    /// <inheritdoc/>
    public ResultSummary Summary()
    {
        var lines = new List<string>
        {
            Usage.ToString(),
            $"{Candidates.Length} collapses of a {Points}-point scale (2^{Points - 1}); {Candidates.Count(c => c.Fitted)} fitted by the {IrtFit.ModelName(Model)} (conditional ML)",
            $"Original: thresholds {(Original.ThresholdsOrdered ? "ordered" : "DISORDERED")}, separation {F(Original.PersonSeparation, 2)}, reliability {F(Original.PersonReliability, 3)}, α {F(Original.Alpha, 3)}",
            $"Best: {Best.Map} ({Best.Map.Describe()}): thresholds {(Best.ThresholdsOrdered ? "ordered" : "disordered")}, separation {F(Best.PersonSeparation, 2)}, reliability {F(Best.PersonReliability, 3)}, α {F(Best.Alpha, 3)}, variance {(Best.VarianceChange * 100).ToString("+0.0;−0.0", CultureInfo.InvariantCulture)}%",
            $"Pareto set: {ParetoSet.Count()} candidates",
        };
        var columns = new List<TableColumn>
        {
            TableColumn.Integer("rank"), TableColumn.Label("map"), TableColumn.Label("merged"), TableColumn.Integer("cats"), TableColumn.Label("ordered"),
            TableColumn.Number("sep", 2), TableColumn.Number("rel", 3), TableColumn.Number("info", 2), TableColumn.Number("alpha", 3),
            TableColumn.Percent("var chg", 1), TableColumn.Integer("extreme"), TableColumn.Label("pareto"),
        };
        IReadOnlyList<object?> Row(CollapseCandidate c) =>
            [c.Rank, c.Map.ToString(), c.Map.Describe(), c.Categories, c.ThresholdsOrdered ? "yes" : "NO", c.PersonSeparation, c.PersonReliability,
             c.TargetedInformation, c.Alpha, c.VarianceChange, c.ExtremePersons, c.Pareto ? "*" : ""];
        var tables = new List<ResultTable>
        {
            new("Pareto set", columns, [.. ParetoSet.Select(Row)]),
            new("All candidates by rank", columns, [.. Ranked.Select(Row)]),
        };
        var notes = new List<string>
        {
            "Rank: ordered thresholds first, then person separation (to 2 decimals), then information where the clients are, then categories kept.",
            "Pareto set: no other candidate is at least as good on all four criteria and better on one.",
            FormatComparison.TargetNote(Options),
        };
        foreach (var c in Candidates.Where(c => !c.Fitted)) notes.Add($"{c.Map}: not fitted ({c.NotFittedReason}).");
        return new ResultSummary("Response formats: every collapse of adjacent categories", lines, tables, notes, Warnings);
    }

    /// <summary><c>{"n", "data", "warnings", "model", "points", "criteria", "candidates": […], "pareto": [maps], "best": map}</c> (docs/cli/formats.md).</summary>
    public JsonObject ToJson()
    {
        var o = JsonOutput.Document(this);
        o["model"] = IrtFit.ModelKey(Model);
        o["points"] = Points;
        o["criteria"] = JsonOutput.Strings(["thresholds_ordered", "person_separation", "targeted_information", "categories"]);
        o["target"] = Options.TargetFrom is { } a && Options.TargetTo is { } b ? JsonOutput.Interval(a, b) : "persons";
        o["candidates"] = new JsonArray([.. Candidates.Select(c => (JsonNode)c.ToJson())]);
        o["pareto"] = JsonOutput.Strings(ParetoSet.Select(c => c.Map.ToString()));
        o["best"] = Best.Map.ToString();
        return o;
    }

    /// <summary>"64 collapses of a 7-point scale; best 1,2,2,2,3,4,5".</summary>
    public override string ToString() => $"{Candidates.Length} collapses of a {Points}-point scale; best {Best.Map}";

    private static string F(double x, int d) => double.IsNaN(x) ? "—" : x.ToString("F" + d.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    /// <summary>Ranks fitted candidates and marks the Pareto set.</summary>
    internal static ImmutableArray<CollapseCandidate> RankAndMark(IReadOnlyList<CollapseCandidate> candidates)
    {
        var fitted = candidates.Select((c, i) => (c, i)).Where(p => p.c.Fitted).ToList();
        var order = fitted
            .OrderByDescending(p => p.c.Converged)
            .ThenByDescending(p => p.c.ThresholdsOrdered)
            .ThenByDescending(p => Math.Round(p.c.PersonSeparation, 2))
            .ThenByDescending(p => p.c.TargetedInformation)
            .ThenByDescending(p => p.c.Categories)
            .ThenBy(p => p.i)
            .Select(p => p.i).ToList();
        var result = candidates.ToArray();
        for (int r = 0; r < order.Count; r++) result[order[r]] = result[order[r]] with { Rank = r + 1 };
        foreach (var (c, i) in fitted)
        {
            bool dominated = fitted.Any(p => p.i != i && p.c.Converged && Dominates(p.c, c));
            result[i] = result[i] with { Pareto = c.Converged && !dominated };
        }
        return [.. result];
    }

    private static bool Dominates(CollapseCandidate a, CollapseCandidate b)
    {
        var x = Criteria(a);
        var y = Criteria(b);
        bool better = false;
        for (int k = 0; k < x.Length; k++)
        {
            if (x[k] < y[k]) return false;
            if (x[k] > y[k]) better = true;
        }
        return better;
    }

    private static double[] Criteria(CollapseCandidate c) =>
        [c.ThresholdsOrdered ? 1 : 0, c.PersonSeparation, c.TargetedInformation, c.Categories];
}
