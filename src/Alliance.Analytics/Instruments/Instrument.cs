using System.Collections.Immutable;
using System.Globalization;
using Alliance.Analytics.Data;
using Alliance.Analytics.Presentation;

namespace Alliance.Analytics.Instruments;

/// <summary>How an instrument's scores are formed from its items.</summary>
public enum ScoreRule
{
    /// <summary>The score is the sum of the item responses (after reverse keying).</summary>
    Sum,
    /// <summary>The score is the mean of the item responses (after reverse keying), e.g. the ARM-5.</summary>
    Mean,
}

/// <summary>Whether a registry entry's key was confirmed against a primary or scoring source.</summary>
public enum InstrumentStatus
{
    /// <summary>Read in a primary or scoring source.</summary>
    Confirmed,
    /// <summary>Widely used but not confirmed against the manual: check before relying on it, or supply your own key.</summary>
    Check,
}

/// <summary>A subscale: its name and the (1-based) instrument item numbers that form it.</summary>
/// <param name="Name">Name as published (e.g. "Task"); JSON and CSV outputs use it in lower case.</param>
/// <param name="Items">Instrument item numbers; empty when the membership is not confirmed (a user key must supply it).</param>
public sealed record Subscale(string Name, ImmutableArray<int> Items)
{
    /// <summary>True when the item membership is known.</summary>
    public bool HasItems => !Items.IsDefaultOrEmpty;

    /// <summary>The name as output key: lower case, spaces and punctuation as underscores ("goals_topics").</summary>
    public string Key => Instrument.ToKey(Name);
}

/// <summary>Which side of a cut-off value flags a score.</summary>
public enum CutOffDirection
{
    /// <summary>Flag scores at or below the value (e.g. SRS total ≤ 36).</summary>
    AtOrBelow,
    /// <summary>Flag scores at or above the value.</summary>
    AtOrAbove,
}

/// <summary>A clinical cut-off on one score.</summary>
/// <param name="Score">The score it applies to: "total" or a subscale name.</param>
/// <param name="Direction">Which side of <paramref name="Value"/> flags.</param>
/// <param name="Value">The cut-off value.</param>
/// <param name="Flag">The output key of the flag (e.g. "alliance_concern").</param>
/// <param name="Label">What a flagged score means, in words.</param>
public sealed record CutOff(string Score, CutOffDirection Direction, double Value, string Flag, string Label)
{
    /// <summary>True when <paramref name="score"/> is flagged; false for a missing score.</summary>
    public bool Flags(double score) => !double.IsNaN(score) &&
        (Direction == CutOffDirection.AtOrBelow ? score <= Value : score >= Value);

    /// <summary>"total ≤ 36: alliance concern".</summary>
    public override string ToString() =>
        $"{Score} {(Direction == CutOffDirection.AtOrBelow ? "≤" : "≥")} {Value.ToString(CultureInfo.InvariantCulture)}: {Label}";
}

/// <summary>
/// An alliance instrument as data: items, response scale and anchors, subscales, reverse-keyed items, score and
/// prorating rules, cut-offs, citation and key status. Shipped instruments are embedded JSON files
/// (Instruments/Definitions); users add or override one with a key file of the same schema (docs/instruments.md).
/// Never holds item wording (copyrighted): only numbers, keys and anchors.
/// </summary>
public sealed record Instrument
{
    /// <summary>Short identifier used on the command line (e.g. "WAI-SR"); matched case-insensitively.</summary>
    public required string Id { get; init; }

    /// <summary>Full name.</summary>
    public required string Name { get; init; }

    /// <summary>Number of items; the items are numbered 1 … ItemCount.</summary>
    public required int ItemCount { get; init; }

    /// <summary>The response scale of every item.</summary>
    public required ItemScale Scale { get; init; }

    /// <summary>Anchor labels by response value (e.g. 1 → "Never"); may be partial or empty.</summary>
    public ImmutableSortedDictionary<int, string> Anchors { get; init; } = ImmutableSortedDictionary<int, string>.Empty;

    /// <summary>Subscales in published order; empty when the instrument has a total score only.</summary>
    public ImmutableArray<Subscale> Subscales { get; init; } = [];

    /// <summary>Reverse-keyed item numbers (scored as Min + Max − x).</summary>
    public ImmutableArray<int> ReverseKeyed { get; init; } = [];

    /// <summary>Whether scores are sums or means of items.</summary>
    public ScoreRule ScoreRule { get; init; } = ScoreRule.Sum;

    /// <summary>
    /// Prorating rule: a score is computed when at least this fraction of its items is answered (default 0.8), as the
    /// mean of the answered items times the number of items (sum rule) or that mean (mean rule); otherwise missing.
    /// </summary>
    public double ProrateMinimumFraction { get; init; } = 0.8;

    /// <summary>Whether a total over all items is reported (false for instruments whose total is not used).</summary>
    public bool HasTotal { get; init; } = true;

    /// <summary>Clinical cut-offs.</summary>
    public ImmutableArray<CutOff> CutOffs { get; init; } = [];

    /// <summary>
    /// True when the shipped entry gives the structure only and scoring needs a user key (e.g. WAI-S, BR-WAI: which
    /// WAI items they use is not confirmed).
    /// </summary>
    public bool RequiresUserKey { get; init; }

    /// <summary>Who answers it (client, therapist, observer …).</summary>
    public ImmutableArray<string> Forms { get; init; } = [];

    /// <summary>Key status: confirmed or check.</summary>
    public InstrumentStatus Status { get; init; } = InstrumentStatus.Confirmed;

    /// <summary>What is and is not confirmed about the key, in words.</summary>
    public string StatusNote { get; init; } = "";

    /// <summary>Reference for the instrument.</summary>
    public string Citation { get; init; } = "";

    /// <summary>Where the entry came from: "built-in" or the path of a user key file.</summary>
    public string Source { get; init; } = "built-in";

    /// <summary>The lowest and highest possible value of a score over <paramref name="itemCount"/> items under the score rule.</summary>
    public (double Min, double Max) ScoreRange(int itemCount) => ScoreRule == ScoreRule.Sum
        ? (Scale.Min * itemCount, Scale.Max * itemCount)
        : (Scale.Min, Scale.Max);

    /// <summary>The scores this instrument produces, in output order: each subscale with known items, then the total.</summary>
    public ImmutableArray<Subscale> Scores()
    {
        var list = Subscales.Where(s => s.HasItems).ToList();
        if (HasTotal) list.Add(new Subscale("Total", [.. Enumerable.Range(1, ItemCount)]));
        return [.. list];
    }

    /// <summary>Output key for a name: lower case, runs of non-alphanumerics as one underscore.</summary>
    public static string ToKey(string name)
    {
        var chars = new List<char>(name.Length);
        foreach (char c in name.ToLowerInvariant())
        {
            if (char.IsLetterOrDigit(c)) chars.Add(c);
            else if (chars.Count > 0 && chars[^1] != '_') chars.Add('_');
        }
        while (chars.Count > 0 && chars[^1] == '_') chars.RemoveAt(chars.Count - 1);
        return new string([.. chars]);
    }

    /// <summary>A table describing the instrument (the output of <c>alliance instruments NAME</c>).</summary>
    public ResultSummary Summary()
    {
        var lines = new List<string>
        {
            $"Items: {ItemCount}",
            $"Scale: {Scale}" + (Anchors.Count > 0 ? "; anchors " + string.Join(", ", Anchors.Select(a => $"{a.Key} {a.Value}")) : ""),
            $"Score rule: {(ScoreRule == ScoreRule.Sum ? "sum" : "mean")} of items; prorated when at least {ProrateMinimumFraction.ToString("0%", CultureInfo.InvariantCulture)} of a score's items are answered",
            $"Reverse-keyed items: {(ReverseKeyed.IsDefaultOrEmpty ? "none" : string.Join(", ", ReverseKeyed))}",
            $"Forms: {(Forms.IsDefaultOrEmpty ? "—" : string.Join(", ", Forms))}",
            $"Status: {(Status == InstrumentStatus.Confirmed ? "confirmed" : "check")}{(StatusNote.Length > 0 ? " — " + StatusNote : "")}",
            $"Source: {Source}",
        };
        if (RequiresUserKey) lines.Add("Scoring requires a user key (InstrumentRegistry.WithKeyFile) giving the item membership.");
        foreach (var c in CutOffs) lines.Add("Cut-off: " + c);
        if (Citation.Length > 0) lines.Add("Citation: " + Citation);
        var rows = Subscales.Select(s =>
        {
            var range = s.HasItems ? ScoreRange(s.Items.Length) : (double.NaN, double.NaN);
            return (IReadOnlyList<object?>)[s.Name, s.HasItems ? string.Join(", ", s.Items) : "not confirmed (user key required)", s.HasItems ? s.Items.Length : null, range.Item1, range.Item2];
        }).ToList();
        if (HasTotal)
        {
            var (min, max) = ScoreRange(ItemCount);
            rows.Add(["Total", "all", ItemCount, min, max]);
        }
        var table = new ResultTable("Scores",
            [TableColumn.Label("score"), TableColumn.Label("items"), TableColumn.Integer("n items"), TableColumn.Number("min", 1), TableColumn.Number("max", 1)],
            rows);
        return new ResultSummary($"{Id}: {Name}", lines, [table], [], []);
    }

    /// <summary>"WAI-SR: Working Alliance Inventory – Short Revised (12 items, 1–5)".</summary>
    public override string ToString() => $"{Id}: {Name} ({ItemCount} items, {Scale})";
}
