using System.Collections.Immutable;
using System.Globalization;

namespace Alliance.Analytics.Data;

/// <summary>A non-item column of a data set (an id, an outcome, a covariate), kept and available by name.</summary>
public abstract class DataColumn
{
    private protected DataColumn(string name) => Name = name;

    /// <summary>The column's name as in the file header.</summary>
    public string Name { get; }

    /// <summary>Number of rows.</summary>
    public abstract int Length { get; }

    /// <summary>True when row <paramref name="row"/> is missing.</summary>
    public abstract bool IsMissing(int row);

    /// <summary>The value of a row as text (numbers round-trip), or null when missing.</summary>
    public abstract string? Format(int row);

    /// <summary>A column with the rows at <paramref name="rows"/> only, in that order.</summary>
    public abstract DataColumn SelectRows(IReadOnlyList<int> rows);

    /// <summary>"phq9 (numeric)".</summary>
    public override string ToString() => $"{Name} ({(this is NumericColumn ? "numeric" : "text")})";
}

/// <summary>A numeric column; NaN marks a missing value.</summary>
public sealed class NumericColumn : DataColumn
{
    private readonly double[] _values;

    /// <summary>Creates a numeric column (the array is copied).</summary>
    public NumericColumn(string name, ReadOnlySpan<double> values) : base(name) => _values = values.ToArray();

    private NumericColumn(string name, double[] values, bool _) : base(name) => _values = values;

    internal static NumericColumn Wrap(string name, double[] values) => new(name, values, true);

    /// <summary>The values (NaN for missing).</summary>
    public ReadOnlySpan<double> Values => _values;

    /// <summary>The value of one row (NaN for missing).</summary>
    public double this[int row] => _values[row];

    /// <inheritdoc/>
    public override int Length => _values.Length;

    /// <inheritdoc/>
    public override bool IsMissing(int row) => double.IsNaN(_values[row]);

    /// <inheritdoc/>
    public override string? Format(int row) => double.IsNaN(_values[row]) ? null : _values[row].ToString("R", CultureInfo.InvariantCulture);

    /// <inheritdoc/>
    public override DataColumn SelectRows(IReadOnlyList<int> rows) => Wrap(Name, [.. rows.Select(r => _values[r])]);
}

/// <summary>
/// A text column stored as codes into a table of distinct values (levels), in order of first appearance: ids
/// (client, therapist, rater) and labels. Code −1 marks a missing value.
/// </summary>
public sealed class TextColumn : DataColumn
{
    private readonly int[] _codes;

    /// <summary>Creates a text column from values (null for missing).</summary>
    public TextColumn(string name, IEnumerable<string?> values) : base(name)
    {
        var levels = new Dictionary<string, int>(StringComparer.Ordinal);
        var codes = new List<int>();
        foreach (var v in values)
        {
            if (v is null) { codes.Add(-1); continue; }
            if (!levels.TryGetValue(v, out int c)) levels[v] = c = levels.Count;
            codes.Add(c);
        }
        _codes = [.. codes];
        Levels = [.. levels.OrderBy(kv => kv.Value).Select(kv => kv.Key)];
    }

    private TextColumn(string name, int[] codes, ImmutableArray<string> levels) : base(name)
    {
        _codes = codes;
        Levels = levels;
    }

    internal static TextColumn Wrap(string name, int[] codes, ImmutableArray<string> levels) => new(name, codes, levels);

    /// <summary>Distinct values in order of first appearance.</summary>
    public ImmutableArray<string> Levels { get; }

    /// <summary>Per-row codes into <see cref="Levels"/> (−1 for missing).</summary>
    public ReadOnlySpan<int> Codes => _codes;

    /// <summary>The value of one row, or null when missing.</summary>
    public string? this[int row] => _codes[row] < 0 ? null : Levels[_codes[row]];

    /// <inheritdoc/>
    public override int Length => _codes.Length;

    /// <inheritdoc/>
    public override bool IsMissing(int row) => _codes[row] < 0;

    /// <inheritdoc/>
    public override string? Format(int row) => this[row];

    /// <inheritdoc/>
    public override DataColumn SelectRows(IReadOnlyList<int> rows) => Wrap(Name, [.. rows.Select(r => _codes[r])], Levels);
}
