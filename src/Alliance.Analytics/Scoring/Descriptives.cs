using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using Alliance.Analytics.Data;
using Alliance.Analytics.Numerics;
using Alliance.Analytics.Presentation;
using Alliance.Analytics.Instruments;

namespace Alliance.Analytics.Scoring;

/// <summary>
/// Descriptive statistics of one variable (an item or a score).
/// </summary>
/// <param name="Name">Item or score name.</param>
/// <param name="N">Non-missing values.</param>
/// <param name="Missing">Missing values.</param>
/// <param name="Mean">Mean (NaN when N = 0).</param>
/// <param name="StandardDeviation">Sample SD, denominator N − 1 (NaN when N &lt; 2).</param>
/// <param name="Skewness">Skewness as psych::describe (type 3); negative for the ceiling skew of alliance ratings.</param>
/// <param name="Min">Smallest value observed.</param>
/// <param name="Max">Largest value observed.</param>
/// <param name="Floor">Share of answers at the lowest possible value (scale or score minimum).</param>
/// <param name="Ceiling">Share of answers at the highest possible value.</param>
/// <param name="CategoryCounts">For items on an integer scale: count of each category Min … Max; empty otherwise.</param>
public sealed record VariableStatistics(
    string Name, int N, int Missing, double Mean, double StandardDeviation, double Skewness,
    double Min, double Max, double Floor, double Ceiling, ImmutableArray<int> CategoryCounts);

/// <summary>
/// Per item: n, mean, SD, skewness, category frequencies, floor and ceiling %; and per score the same. Made by
/// <see cref="Descriptives.Describe(ResponseMatrix, ScoreSet?, DataUsage?)"/>. R: <c>psych::describe(x)</c> for n, mean, sd, skew; <c>table(x)</c> for
/// the frequencies.
/// </summary>
public sealed record DescriptiveResult : IAnalysisResult
{
    /// <summary>The item scale.</summary>
    public required ItemScale Scale { get; init; }

    /// <summary>One entry per item, in matrix order.</summary>
    public required ImmutableArray<VariableStatistics> Items { get; init; }

    /// <summary>One entry per score (empty when no instrument was scored).</summary>
    public required ImmutableArray<VariableStatistics> Scores { get; init; }

    /// <inheritdoc/>
    public required DataUsage Usage { get; init; }

    /// <inheritdoc/>
    public required IReadOnlyList<string> Warnings { get; init; }

    /// <summary>Labels of the response categories (the instrument's anchors or the file's value labels), or null.</summary>
    public CategoryAnchors? Anchors { get; init; }

    /// <summary>Items described in the keyed direction (reversed when the data were prepared); empty when none, or when described as answered.</summary>
    public ImmutableArray<string> Reversed { get; init; } = [];

    /// <inheritdoc/>
    public ResultSummary Summary()
    {
        var tables = new List<ResultTable>();
        var itemColumns = new List<TableColumn>
        {
            TableColumn.Label("item"), TableColumn.Integer("n"), TableColumn.Integer("missing"), TableColumn.Number("mean", 2),
            TableColumn.Number("sd", 2), TableColumn.Number("skew", 2), TableColumn.Percent("floor"), TableColumn.Percent("ceiling"),
        };
        bool categories = Scale.IsInteger && Scale.Points <= 11;
        if (categories)
            for (int c = 0; c < Scale.Points; c++)
                itemColumns.Add(TableColumn.Percent(((int)Scale.Min + c).ToString(CultureInfo.InvariantCulture), 0));
        tables.Add(new ResultTable(categories ? "Items (category columns: % of answers)" : "Items", itemColumns,
            [.. Items.Select(s =>
            {
                var row = new List<object?> { s.Name, s.N, s.Missing, s.Mean, s.StandardDeviation, s.Skewness, s.Floor, s.Ceiling };
                if (categories) row.AddRange(s.CategoryCounts.Select(c => (object?)(s.N == 0 ? double.NaN : (double)c / s.N)));
                return (IReadOnlyList<object?>)row;
            })]));
        if (!Scores.IsDefaultOrEmpty)
            tables.Add(new ResultTable("Scores",
                [TableColumn.Label("score"), TableColumn.Integer("n"), TableColumn.Integer("missing"), TableColumn.Number("mean", 2), TableColumn.Number("sd", 2),
                 TableColumn.Number("skew", 2), TableColumn.Number("min", 2), TableColumn.Number("max", 2), TableColumn.Percent("floor"), TableColumn.Percent("ceiling")],
                [.. Scores.Select(s => (IReadOnlyList<object?>)[s.Name, s.N, s.Missing, s.Mean, s.StandardDeviation, s.Skewness, s.Min, s.Max, s.Floor, s.Ceiling])]));
        var lines = new List<string> { Usage.ToString(), $"Scale: {Scale}" };
        if (Anchors is not null) lines.Add($"Anchors ({Anchors.Source}): {Anchors}");
        if (!Reversed.IsDefaultOrEmpty) lines.Add($"Items in the keyed direction; reversed (min + max − x): {string.Join(", ", Reversed)}");
        return new ResultSummary("Descriptive statistics", lines, tables,
            ["SD with denominator n − 1; skewness as psych::describe (type 3); floor and ceiling: share of answers at the lowest and highest possible value."],
            Warnings);
    }

    /// <summary>
    /// <c>{"anchors": {"source", "labels": {"1": "Seldom", …}} or null, "items": [{"item", "n", "missing", "mean", "sd", "skew", "min", "max", "floor", "ceiling", "categories": {"1": count, …}}],
    /// "scores": [{"score", …}]}</c>.
    /// </summary>
    public JsonObject ToJson()
    {
        var o = JsonOutput.Document(this);
        o["scale"] = new JsonObject { ["min"] = Scale.Min, ["max"] = Scale.Max, ["integer"] = Scale.IsInteger };
        o["reversed"] = JsonOutput.Strings(Reversed.IsDefault ? [] : Reversed);
        o["anchors"] = Anchors is null ? null : new JsonObject
        {
            ["source"] = Anchors.Source,
            ["labels"] = new JsonObject(Anchors.Labels.Select(l => KeyValuePair.Create(l.Key.ToString(CultureInfo.InvariantCulture), (JsonNode?)l.Value))),
        };
        o["items"] = new JsonArray([.. Items.Select(s => (JsonNode?)Node(s, "item"))]);
        o["scores"] = new JsonArray([.. Scores.Select(s => (JsonNode?)Node(s, "score"))]);
        return o;

        JsonObject Node(VariableStatistics s, string nameKey)
        {
            var n = new JsonObject
            {
                [nameKey] = s.Name,
                ["n"] = s.N,
                ["missing"] = s.Missing,
                ["mean"] = JsonOutput.Number(s.Mean),
                ["sd"] = JsonOutput.Number(s.StandardDeviation),
                ["skew"] = JsonOutput.Number(s.Skewness),
                ["min"] = JsonOutput.Number(s.Min),
                ["max"] = JsonOutput.Number(s.Max),
                ["floor"] = JsonOutput.Number(s.Floor),
                ["ceiling"] = JsonOutput.Number(s.Ceiling),
            };
            if (!s.CategoryCounts.IsDefaultOrEmpty) n["categories"] = JsonOutput.CategoryCounts(s.CategoryCounts, Scale.Min);
            return n;
        }
    }

    /// <summary>"Descriptives of 12 items and 4 scores (n = …)".</summary>
    public override string ToString() => $"Descriptives of {Items.Length} items and {Scores.Length} scores ({Usage})";
}

/// <summary>Descriptive statistics of items and scores: the first look at any alliance data set.</summary>
public static class Descriptives
{
    /// <summary>
    /// Describes prepared data: every item in the keyed direction (the view every analysis sees; the reversed items
    /// are named in the result) or, with <paramref name="asAnswered"/>, as answered; and every score of
    /// <paramref name="scores"/> when given. The usage is the data's.
    /// </summary>
    /// <param name="data">Prepared data.</param>
    /// <param name="scores">Instrument scores of the same rows, or null.</param>
    /// <param name="asAnswered">Describe the items as answered (before reverse keying) instead of keyed.</param>
    public static DescriptiveResult Describe(AnalysisData data, ScoreSet? scores = null, bool asAnswered = false)
    {
        ArgumentNullException.ThrowIfNull(data);
        var result = Describe(asAnswered ? data.RawItems : data.Items, scores, data.Usage) with { Anchors = data.Dataset.Anchors };
        return asAnswered ? result : result with { Reversed = data.Reversed };
    }

    /// <summary>
    /// Describes every item of <paramref name="items"/> and, when given, every score of <paramref name="scores"/>.
    /// Missing values are left out per variable (each statistic reports its own n).
    /// </summary>
    /// <param name="items">The responses.</param>
    /// <param name="scores">Instrument scores for the same rows, or null.</param>
    /// <param name="usage">The rows behind the data (default: all rows of <paramref name="items"/>).</param>
    public static DescriptiveResult Describe(ResponseMatrix items, ScoreSet? scores = null, DataUsage? usage = null)
    {
        ArgumentNullException.ThrowIfNull(items);
        var scale = items.Scale;
        var stats = new VariableStatistics[items.ItemCount];
        Parallel.For(0, items.ItemCount, j =>
        {
            var column = items.Column(j);
            stats[j] = Describe(items.Items[j], column, scale.Min, scale.Max, scale.IsInteger && scale.Points <= 100 ? scale.Points : null);
        });
        var scoreStats = scores is null
            ? []
            : scores.Definitions.Select((d, s) =>
            {
                var (min, max) = scores.Instrument.ScoreRange(d.Items.Length);
                return Describe(d.Key, scores.Values[s].AsSpan(), min, max, null);
            }).ToImmutableArray();
        var warnings = new List<string>();
        foreach (var s in stats)
            if (s.N == 0) warnings.Add($"item {s.Name}: nobody answered it");
        return new DescriptiveResult
        {
            Scale = scale,
            Items = [.. stats],
            Scores = scoreStats,
            Usage = usage ?? DataUsage.All(items.RowCount),
            Warnings = [.. warnings, .. scores?.Warnings ?? []],
        };
    }

    /// <summary>Describes one variable: moments, range, floor/ceiling shares and (when <paramref name="categories"/> is given) category counts.</summary>
    public static VariableStatistics Describe(string name, ReadOnlySpan<double> values, double lowest, double highest, int? categories)
    {
        var (n, mean, sd) = Moments.MeanSd(values);
        int floor = 0, ceiling = 0;
        var counts = categories is { } k ? new int[k] : null;
        foreach (double v in values)
        {
            if (double.IsNaN(v)) continue;
            if (v <= lowest) floor++;
            if (v >= highest) ceiling++;
            if (counts is not null)
            {
                int c = (int)(v - lowest);
                if ((uint)c < (uint)counts.Length) counts[c]++;
            }
        }
        return new VariableStatistics(name, n, values.Length - n, mean, sd, Moments.Skewness(values), Moments.Min(values), Moments.Max(values),
            n == 0 ? double.NaN : (double)floor / n, n == 0 ? double.NaN : (double)ceiling / n,
            counts is null ? [] : [.. counts]);
    }
}
