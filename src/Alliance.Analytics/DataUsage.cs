using System.Collections.Immutable;
using System.Globalization;

namespace Alliance.Analytics;

/// <summary>
/// Rows left out of an analysis for one reason: the reason in words, how many, and the file lines of the first few.
/// </summary>
/// <param name="Reason">Why the rows were left out, e.g. "invalid values (see validation)" or "missing on item q3 (listwise)".</param>
/// <param name="Count">How many rows were left out for this reason.</param>
/// <param name="Lines">The source lines (1-based; header is line 1) of up to <see cref="DataUsage.MaxLinesListed"/> of them, when known.</param>
public sealed record RowExclusion(string Reason, int Count, ImmutableArray<int> Lines)
{
    /// <summary>One line: "12 rows: missing on q3 (lines 4, 9, 17, …)".</summary>
    public override string ToString()
    {
        string rows = Count == 1 ? "1 row" : Count.ToString("N0", CultureInfo.InvariantCulture) + " rows";
        if (Lines.IsDefaultOrEmpty) return $"{rows}: {Reason}";
        string lines = string.Join(", ", Lines.Select(l => l.ToString(CultureInfo.InvariantCulture)));
        return $"{rows}: {Reason} (line{(Lines.Length == 1 ? "" : "s")} {lines}{(Count > Lines.Length ? ", …" : "")})";
    }
}

/// <summary>
/// The n behind a result: how many rows the analysis was given, how many it used, and every reason rows were left
/// out. Every result record carries one, so nothing is dropped silently.
/// </summary>
/// <param name="RowsAvailable">Rows handed to the analysis (after loading).</param>
/// <param name="Exclusions">Each reason rows were left out, with a count; empty when all rows were used.</param>
public sealed record DataUsage(int RowsAvailable, ImmutableArray<RowExclusion> Exclusions)
{
    /// <summary>How many source lines an exclusion lists at most.</summary>
    public const int MaxLinesListed = 10;

    /// <summary>Rows used: available minus every exclusion.</summary>
    public int RowsUsed => RowsAvailable - (Exclusions.IsDefaultOrEmpty ? 0 : Exclusions.Sum(e => e.Count));

    /// <summary>Rows left out, over all reasons.</summary>
    public int RowsExcluded => RowsAvailable - RowsUsed;

    /// <summary>All <paramref name="rows"/> used.</summary>
    public static DataUsage All(int rows) => new(rows, ImmutableArray<RowExclusion>.Empty);

    /// <summary>
    /// Returns a copy with one more exclusion (ignored when <paramref name="count"/> is zero).
    /// <paramref name="lines"/> are source lines; only the first <see cref="MaxLinesListed"/> are kept.
    /// </summary>
    public DataUsage Exclude(string reason, int count, IEnumerable<int>? lines = null)
    {
        if (count <= 0) return this;
        var listed = lines is null ? ImmutableArray<int>.Empty : lines.Take(MaxLinesListed).ToImmutableArray();
        return this with { Exclusions = (Exclusions.IsDefault ? ImmutableArray<RowExclusion>.Empty : Exclusions).Add(new RowExclusion(reason, count, listed)) };
    }

    /// <summary>Appends the exclusions of <paramref name="later"/>, a usage computed on the rows this one kept.</summary>
    public DataUsage Then(DataUsage later) =>
        this with { Exclusions = (Exclusions.IsDefault ? ImmutableArray<RowExclusion>.Empty : Exclusions).AddRange(later.Exclusions.IsDefault ? [] : later.Exclusions) };

    /// <summary>One line: "n = 1,180 of 1,200 rows (20 left out: …)".</summary>
    public override string ToString()
    {
        string s = $"n = {RowsUsed.ToString("N0", CultureInfo.InvariantCulture)} of {RowsAvailable.ToString("N0", CultureInfo.InvariantCulture)} rows";
        if (RowsExcluded == 0) return s;
        return s + $" ({RowsExcluded.ToString("N0", CultureInfo.InvariantCulture)} left out: " + string.Join("; ", Exclusions.Select(e => e.ToString())) + ")";
    }
}
