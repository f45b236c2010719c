using System.Collections.Immutable;
using System.Globalization;
using Alliance.Analytics.Data;
using Alliance.Analytics.Scoring;

namespace Alliance.Analytics.Outcomes;

/// <summary>
/// The variables a model is fitted to, by name: numeric columns (NaN for missing) and grouping factors (integer codes
/// into levels, −1 for missing), all of one length, with the source line of each row so that rows left out can be
/// named. Build one from prepared data (<see cref="From"/>) or from arrays (<see cref="Builder"/>).
/// </summary>
public sealed class ModelFrame
{
    private readonly Dictionary<string, double[]> _numeric;
    private readonly Dictionary<string, (int[] Codes, ImmutableArray<string> Levels)> _factors;
    private readonly int[] _lines;

    private ModelFrame(int rows, Dictionary<string, double[]> numeric, Dictionary<string, (int[], ImmutableArray<string>)> factors, int[] lines, string source)
    {
        RowCount = rows;
        _numeric = numeric;
        _factors = factors;
        _lines = lines;
        Source = source;
    }

    /// <summary>Number of rows.</summary>
    public int RowCount { get; }

    /// <summary>Where the data came from (file name or "arrays").</summary>
    public string Source { get; }

    /// <summary>Names of the numeric variables.</summary>
    public IEnumerable<string> NumericNames => _numeric.Keys;

    /// <summary>Names of the grouping factors.</summary>
    public IEnumerable<string> FactorNames => _factors.Keys;

    /// <summary>Source line of a row (1-based, the header is line 1).</summary>
    public int SourceLine(int row) => _lines[row];

    /// <summary>True when a numeric variable of that name exists.</summary>
    public bool HasNumeric(string name) => _numeric.ContainsKey(name);

    /// <summary>True when a grouping factor of that name exists.</summary>
    public bool HasFactor(string name) => _factors.ContainsKey(name);

    /// <summary>A numeric variable.</summary>
    /// <exception cref="AllianceInputException">When there is none of that name (the message lists those there are).</exception>
    public ReadOnlySpan<double> Numeric(string name) => _numeric.TryGetValue(name, out var v) ? v
        : throw new AllianceInputException($"{Source}: no numeric column '{name}'" +
            (_factors.ContainsKey(name) ? " (it holds text; it can only group)" : "") +
            $" (numeric columns: {string.Join(", ", _numeric.Keys)})");

    /// <summary>A grouping factor: codes (−1 for missing) and levels. A numeric column can group too (its values become levels).</summary>
    /// <exception cref="AllianceInputException">When there is no column of that name.</exception>
    public (int[] Codes, ImmutableArray<string> Levels) Factor(string name)
    {
        if (_factors.TryGetValue(name, out var f)) return f;
        if (_numeric.TryGetValue(name, out var values))
        {
            var levels = new Dictionary<double, int>();
            var codes = new int[values.Length];
            for (int r = 0; r < values.Length; r++)
            {
                if (double.IsNaN(values[r])) { codes[r] = -1; continue; }
                if (!levels.TryGetValue(values[r], out int c)) levels[values[r]] = c = levels.Count;
                codes[r] = c;
            }
            return (codes, [.. levels.OrderBy(kv => kv.Value).Select(kv => kv.Key.ToString("R", CultureInfo.InvariantCulture))]);
        }
        throw new AllianceInputException($"{Source}: no column '{name}' to group by (columns: {string.Join(", ", _numeric.Keys.Concat(_factors.Keys))})");
    }

    /// <summary>This frame with one more (or a replaced) numeric variable.</summary>
    /// <exception cref="ArgumentException">When the length differs from <see cref="RowCount"/>.</exception>
    public ModelFrame WithNumeric(string name, ReadOnlySpan<double> values)
    {
        if (values.Length != RowCount) throw new ArgumentException($"'{name}' has {values.Length} values; the frame has {RowCount} rows.", nameof(values));
        var numeric = new Dictionary<string, double[]>(_numeric, StringComparer.Ordinal) { [name] = values.ToArray() };
        return new ModelFrame(RowCount, numeric, _factors, _lines, Source);
    }

    /// <summary>A frame with the rows at <paramref name="rows"/> only, in that order.</summary>
    public ModelFrame SelectRows(IReadOnlyList<int> rows)
    {
        var numeric = _numeric.ToDictionary(kv => kv.Key, kv => rows.Select(r => kv.Value[r]).ToArray(), StringComparer.Ordinal);
        var factors = _factors.ToDictionary(kv => kv.Key, kv => (rows.Select(r => kv.Value.Codes[r]).ToArray(), kv.Value.Levels), StringComparer.Ordinal);
        return new ModelFrame(rows.Count, numeric, factors, [.. rows.Select(r => _lines[r])], Source);
    }

    /// <summary>
    /// Every column of prepared data: the items in the keyed direction (reverse keys applied when the data were
    /// prepared) and the numeric columns as numeric variables (an item by its column name), text columns (client_id,
    /// therapist_id, rater …) as grouping factors, and, when <paramref name="scores"/> are given, each score under its
    /// key (total, bond …) unless a column of that name exists.
    /// </summary>
    public static ModelFrame From(AnalysisData data, ScoreSet? scores = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        var numeric = new Dictionary<string, double[]>(StringComparer.Ordinal);
        var factors = new Dictionary<string, (int[], ImmutableArray<string>)>(StringComparer.Ordinal);
        for (int j = 0; j < data.Items.ItemCount; j++) numeric[data.Items.Items[j]] = data.Items.Column(j);
        foreach (var column in data.Dataset.Columns)
        {
            switch (column)
            {
                case NumericColumn n: numeric[n.Name] = n.Values.ToArray(); break;
                case TextColumn t: factors[t.Name] = (t.Codes.ToArray(), t.Levels); break;
            }
        }
        if (scores is not null)
            for (int k = 0; k < scores.Definitions.Length; k++)
            {
                string key = scores.Definitions[k].Key;
                if (!numeric.ContainsKey(key) && !factors.ContainsKey(key)) numeric[key] = [.. scores.Values[k]];
            }
        return new ModelFrame(data.RowCount, numeric, factors, [.. Enumerable.Range(0, data.RowCount).Select(data.SourceLine)], data.SourceName);
    }

    /// <summary>Starts a frame of <paramref name="rows"/> rows built from arrays.</summary>
    public static Builder Create(int rows, string source = "arrays") => new(rows, source);

    /// <summary>Builds a <see cref="ModelFrame"/> from arrays.</summary>
    public sealed class Builder
    {
        private readonly int _rows;
        private readonly string _source;
        private readonly Dictionary<string, double[]> _numeric = new(StringComparer.Ordinal);
        private readonly Dictionary<string, (int[], ImmutableArray<string>)> _factors = new(StringComparer.Ordinal);

        internal Builder(int rows, string source)
        {
            if (rows < 0) throw new ArgumentOutOfRangeException(nameof(rows));
            _rows = rows;
            _source = source;
        }

        /// <summary>Adds a numeric variable (NaN for missing).</summary>
        public Builder Numeric(string name, ReadOnlySpan<double> values)
        {
            if (values.Length != _rows) throw new ArgumentException($"'{name}' has {values.Length} values, not {_rows}.", nameof(values));
            _numeric[name] = values.ToArray();
            return this;
        }

        /// <summary>Adds a grouping factor from labels (null for missing).</summary>
        public Builder Factor(string name, IReadOnlyList<string?> labels)
        {
            if (labels.Count != _rows) throw new ArgumentException($"'{name}' has {labels.Count} values, not {_rows}.", nameof(labels));
            var t = new TextColumn(name, labels);
            _factors[name] = (t.Codes.ToArray(), t.Levels);
            return this;
        }

        /// <summary>Adds a grouping factor from integer codes 0 … levels − 1 (−1 for missing); levels are named by their codes.</summary>
        public Builder Factor(string name, ReadOnlySpan<int> codes)
        {
            if (codes.Length != _rows) throw new ArgumentException($"'{name}' has {codes.Length} values, not {_rows}.", nameof(codes));
            int max = -1;
            foreach (int c in codes) max = Math.Max(max, c);
            _factors[name] = (codes.ToArray(), [.. Enumerable.Range(0, max + 1).Select(i => i.ToString(CultureInfo.InvariantCulture))]);
            return this;
        }

        /// <summary>The frame (source lines are row + 2, as if read from a file with a header).</summary>
        public ModelFrame Build() => new(_rows, new(_numeric, StringComparer.Ordinal), new(_factors, StringComparer.Ordinal),
            [.. Enumerable.Range(2, _rows)], _source);
    }
}
