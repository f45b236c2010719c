using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using Alliance.Analytics.Data;
using Alliance.Analytics.Instruments;
using Alliance.Analytics.Numerics;
using Alliance.Analytics.Presentation;
using Microsoft.Data.Analysis;

namespace Alliance.Analytics.Scoring;

/// <summary>
/// Instrument scores per administration: each subscale (with known items) and the total, NaN where too few items
/// were answered, cut-off flags, and the id columns of each row. Made by <see cref="InstrumentScoring"/>.
/// </summary>
public sealed record ScoreSet : IAnalysisResult
{
    /// <summary>The instrument scored.</summary>
    public required Instrument Instrument { get; init; }

    /// <summary>The scores, in output order (subscales, then total), with their 1-based item numbers.</summary>
    public required ImmutableArray<Subscale> Definitions { get; init; }

    /// <summary>Per score, one value per row (NaN when missing), parallel to <see cref="Definitions"/>.</summary>
    public required ImmutableArray<ImmutableArray<double>> Values { get; init; }

    /// <summary>The prorating fraction applied.</summary>
    public required double ProrateMinimumFraction { get; init; }

    /// <summary>Whether reverse keys were applied.</summary>
    public required bool ReverseKeysApplied { get; init; }

    /// <summary>The item columns scored in reverse (min + max − x), in item order; empty when none.</summary>
    public ImmutableArray<string> ReversedItems { get; init; } = [];

    /// <summary>The item scale scored on.</summary>
    public required ItemScale Scale { get; init; }

    /// <summary>Source line of every row.</summary>
    public required ImmutableArray<int> SourceLines { get; init; }

    /// <summary>The data set's id columns (client_id, therapist_id, session, rater) that were present, for output.</summary>
    public required ImmutableArray<DataColumn> IdColumns { get; init; }

    /// <inheritdoc/>
    public required DataUsage Usage { get; init; }

    /// <inheritdoc/>
    public required IReadOnlyList<string> Warnings { get; init; }

    /// <summary>Number of rows scored.</summary>
    public int RowCount => SourceLines.Length;

    /// <summary>The output keys of the scores ("task", "goal", "bond", "total").</summary>
    public IEnumerable<string> Keys => Definitions.Select(d => d.Key);

    /// <summary>The values of the score with key or name <paramref name="score"/> ("total", "Bond").</summary>
    /// <exception cref="ArgumentException">When there is no such score.</exception>
    public ImmutableArray<double> this[string score]
    {
        get
        {
            string key = Instrument.ToKey(score);
            int s = Definitions.IndexOf(Definitions.FirstOrDefault(d => d.Key == key)!);
            if (s < 0) throw new ArgumentException($"{Instrument.Id} has no score '{score}' (scores: {string.Join(", ", Keys)}).", nameof(score));
            return Values[s];
        }
    }

    /// <summary>Cut-off flags per row for one cut-off (null where the score is missing).</summary>
    public bool?[] Flags(CutOff cutOff)
    {
        var values = this[cutOff.Score];
        return [.. values.Select(v => double.IsNaN(v) ? (bool?)null : cutOff.Flags(v))];
    }

    /// <summary>Per score: n scored, n missing, mean, SD, range and cut-off counts.</summary>
    public ResultSummary Summary()
    {
        var rows = new List<IReadOnlyList<object?>>();
        for (int s = 0; s < Definitions.Length; s++)
        {
            var v = Values[s].AsSpan();
            var (count, mean, sd) = Moments.MeanSd(v);
            var (min, max) = Instrument.ScoreRange(Definitions[s].Items.Length);
            rows.Add([Definitions[s].Key, Definitions[s].Items.Length, count, RowCount - count, mean, sd, Moments.Min(v), Moments.Max(v), $"{min.ToString(CultureInfo.InvariantCulture)}–{max.ToString(CultureInfo.InvariantCulture)}"]);
        }
        var table = new ResultTable("Scores",
            [TableColumn.Label("score"), TableColumn.Integer("items"), TableColumn.Integer("n"), TableColumn.Integer("missing"),
             TableColumn.Number("mean", 2), TableColumn.Number("sd", 2), TableColumn.Number("min", 2), TableColumn.Number("max", 2), TableColumn.Label("possible")],
            rows);
        var tables = new List<ResultTable> { table };
        if (!Instrument.CutOffs.IsDefaultOrEmpty)
        {
            tables.Add(new ResultTable("Cut-offs",
                [TableColumn.Label("flag"), TableColumn.Label("rule"), TableColumn.Integer("flagged"), TableColumn.Integer("scored"), TableColumn.Percent("share")],
                [.. Instrument.CutOffs.Select(c =>
                {
                    var f = Flags(c);
                    int flagged = f.Count(x => x == true), scored = f.Count(x => x.HasValue);
                    return (IReadOnlyList<object?>)[c.Flag, c.ToString(), flagged, scored, scored == 0 ? double.NaN : (double)flagged / scored];
                })]));
        }
        var lines = new List<string>
        {
            Usage.ToString(),
            $"{(Instrument.ScoreRule == ScoreRule.Sum ? "Sum" : "Mean")} scores; reverse keys {(ReversedItems.IsDefaultOrEmpty ? (ReverseKeysApplied ? "(none)" : "not applied") : string.Join(", ", ReversedItems))}; " +
            $"prorated when at least {ProrateMinimumFraction.ToString("0%", CultureInfo.InvariantCulture)} of a score's items are answered",
        };
        var notes = new List<string>();
        if (Instrument.Status == InstrumentStatus.Check) notes.Add($"{Instrument.Id} key status: check — {Instrument.StatusNote}");
        return new ResultSummary($"Scores: {Instrument.Id}", lines, tables, notes, Warnings);
    }

    /// <summary>
    /// <c>{"instrument", "scores": [...], "rows": [{"client_id": …, "session": …, "task": 17, …, "total": …}]}</c>
    /// with scores in lower case, <c>null</c> for a missing score, and cut-off flags by their flag names.
    /// </summary>
    public JsonObject ToJson()
    {
        var o = JsonOutput.Document(this);
        o["instrument"] = Instrument.Id;
        o["score_rule"] = Instrument.ScoreRule == ScoreRule.Sum ? "sum" : "mean";
        o["prorate_min_fraction"] = ProrateMinimumFraction;
        o["reverse_keys_applied"] = ReverseKeysApplied;
        o["reversed"] = JsonOutput.Strings(ReversedItems.IsDefault ? [] : ReversedItems);
        o["scores"] = JsonOutput.Strings(Keys);
        var flags = Instrument.CutOffs.Select(Flags).ToArray();
        var rows = new JsonArray();
        for (int r = 0; r < RowCount; r++)
        {
            var row = new JsonObject { ["line"] = SourceLines[r] };
            foreach (var id in IdColumns)
                row[id.Name] = id switch
                {
                    NumericColumn n => JsonOutput.Number(n[r]),
                    TextColumn t => t[r],
                    _ => null,
                };
            for (int s = 0; s < Definitions.Length; s++) row[Definitions[s].Key] = JsonOutput.Number(Values[s][r]);
            for (int c = 0; c < flags.Length; c++) row[Instrument.CutOffs[c].Flag] = flags[c][r];
            rows.Add(row);
        }
        o["rows"] = rows;
        return o;
    }

    /// <summary>The id columns, scores and flags as a table (one row per administration), e.g. for CSV output.</summary>
    public ResultTable ToTable()
    {
        var columns = new List<TableColumn>();
        foreach (var id in IdColumns) columns.Add(id is NumericColumn ? TableColumn.Number(id.Name, 0) : TableColumn.Label(id.Name));
        foreach (var d in Definitions) columns.Add(TableColumn.Number(d.Key, 2));
        foreach (var c in Instrument.CutOffs) columns.Add(TableColumn.Label(c.Flag));
        var flags = Instrument.CutOffs.Select(Flags).ToArray();
        var rows = new List<IReadOnlyList<object?>>(RowCount);
        for (int r = 0; r < RowCount; r++)
        {
            var row = new List<object?>(columns.Count);
            foreach (var id in IdColumns) row.Add(id is NumericColumn n ? n[r] : ((TextColumn)id)[r]);
            for (int s = 0; s < Definitions.Length; s++) row.Add(Values[s][r]);
            foreach (var f in flags) row.Add(f[r]);
            rows.Add(row);
        }
        return new ResultTable($"{Instrument.Id} scores", columns, rows);
    }

    /// <summary>The scores (and ids and flags) as a DataFrame.</summary>
    public DataFrame ToDataFrame() => ToTable().ToDataFrame();

    /// <summary>"WAI-SR scores: task, goal, bond, total for 1,200 rows".</summary>
    public override string ToString() => $"{Instrument.Id} scores: {string.Join(", ", Keys)} for {RowCount.ToString("N0", CultureInfo.InvariantCulture)} rows";
}
