using System.Collections.Immutable;
using System.Globalization;
using Alliance.Analytics.Instruments;

namespace Alliance.Analytics.Data;

/// <summary>
/// Reads a tabular source into an <see cref="AllianceDataset"/>, checking every rule of docs/data-format.md and
/// collecting every finding (not just the first). Item fields are parsed straight into the response matrix; other
/// columns are dictionary-coded while reading (one string per distinct value) and typed at the end.
/// </summary>
internal sealed class DatasetBuilder
{
    private readonly ITabularSource _source;
    private readonly DataSpec _spec;
    private readonly InstrumentRegistry _registry;
    private readonly IssueCollector _issues;
    private readonly string[] _missingCodes;

    public DatasetBuilder(ITabularSource source, DataSpec spec, InstrumentRegistry registry)
    {
        _source = source;
        _spec = spec;
        _registry = registry;
        _issues = new IssueCollector(source.Name);
        _missingCodes = [.. spec.AllMissingCodes.Where(c => c.Length > 0 && c != "NA")];
    }

    public LoadResult Build(CancellationToken cancellationToken)
    {
        var header = _source.Header;
        Instrument? instrument = null;
        if (_spec.Instrument is { } id)
        {
            instrument = _registry.Find(id);
            if (instrument is null)
                _issues.Add(Severity.Error, "unknown_instrument", null, null, id,
                    $"unknown instrument '{id}' (known: {string.Join(", ", _registry.All.Select(i => i.Id))}; add one with --key FILE)");
        }
        if (header is null)
        {
            _issues.Add(Severity.Error, "empty_file", null, null, null, "the file is empty: expected a header line with column names and at least one data row");
            return new LoadResult(null, _issues.ToReport(0, 0, _spec.Items ?? [], null, _spec.Instrument));
        }

        bool structural = instrument is null && _spec.Instrument is not null;
        var columnIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int j = 0; j < header.Count; j++)
        {
            if (header[j].Length == 0)
            {
                _issues.Add(Severity.Error, "empty_column_name", _source.HeaderLine, null, null, $"column {j + 1} has no name in the header");
                structural = true;
            }
            else if (!columnIndex.TryAdd(header[j], j))
            {
                _issues.Add(Severity.Error, "duplicate_column", _source.HeaderLine, header[j], header[j], $"column name '{header[j]}' appears more than once in the header");
                structural = true;
            }
        }

        // Which columns are items.
        var itemNames = new List<string>();
        var itemCols = new List<int>();
        if (_spec.Items is { } named)
        {
            foreach (string name in named)
            {
                if (columnIndex.TryGetValue(name, out int j)) { itemNames.Add(name); itemCols.Add(j); }
                else
                {
                    _issues.Add(Severity.Error, "missing_item_column", _source.HeaderLine, name, null,
                        $"item column '{name}' is named but not in the file (columns: {string.Join(", ", header)})");
                    structural = true;
                }
            }
        }
        else
        {
            for (int j = 0; j < header.Count; j++)
                if (header[j].Length > 0 && !DataSpec.IdColumns.Contains(header[j]) && columnIndex[header[j]] == j)
                { itemNames.Add(header[j]); itemCols.Add(j); }
        }
        if (itemCols.Count == 0 && !structural)
        {
            _issues.Add(Severity.Error, "no_items", _source.HeaderLine, null, null, "no item columns: the file has only id columns; name the items with --items");
            structural = true;
        }
        if (instrument is not null && (_spec.Items?.Length ?? itemCols.Count) != instrument.ItemCount)
        {
            int given = _spec.Items?.Length ?? itemCols.Count;
            _issues.Add(Severity.Error, "item_count_mismatch", _source.HeaderLine, null, null,
                $"instrument {instrument.Id} has {instrument.ItemCount} items but {given} item column{(given == 1 ? " is" : "s are")} " +
                (_spec.Items is null ? "in the file (every column other than client_id, therapist_id, session, rater); name the items with --items" : "named with --items"));
            structural = true;
        }

        var itemSet = itemCols.ToHashSet();
        var otherCols = Enumerable.Range(0, header.Count).Where(j => !itemSet.Contains(j) && header[j].Length > 0 && columnIndex[header[j]] == j).ToArray();
        var others = otherCols.Select(j => new CodedColumnBuilder(header[j])).ToArray();

        int m = itemCols.Count;
        var values = new GrowableArray<double>(Math.Max(m, 1) * 1024);
        var lines = new GrowableArray<int>(1024);
        var invalid = new List<int>();
        int rowsRead = 0, shortRows = 0;
        int width = header.Count;
        Span<double> rowValues = m <= 256 ? stackalloc double[m] : new double[m];

        while (_source.Read())
        {
            rowsRead++;
            if ((rowsRead & 0xFFFF) == 0) cancellationToken.ThrowIfCancellationRequested();
            int line = _source.Line;
            int fields = _source.FieldCount;
            if (fields != width)
            {
                _issues.Add(Severity.Error, "field_count", line, null, _source.RawRow(),
                    $"the row has {fields} field{(fields == 1 ? "" : "s")}; the header has {width}");
                shortRows++;
                continue;
            }
            int row = lines.Count;
            bool rowInvalid = false;
            for (int k = 0; k < m; k++)
            {
                var field = _source.Field(itemCols[k]).Trim();
                if (IsMissing(field)) { rowValues[k] = double.NaN; continue; }
                if (TryParseNumber(field, out double v)) rowValues[k] = v;
                else
                {
                    rowValues[k] = double.NaN;
                    rowInvalid = true;
                    _issues.Add(Severity.Error, "not_a_number", line, itemNames[k], field.ToString(),
                        $"'{field}' is not a number (item responses must be numbers; missing values are empty, NA{(_missingCodes.Length > 0 ? ", " + string.Join(", ", _missingCodes) : "")})");
                }
            }
            values.AddRange(rowValues);
            for (int c = 0; c < others.Length; c++)
            {
                var field = _source.Field(otherCols[c]).Trim();
                others[c].Add(IsMissing(field) ? default : field, IsMissing(field));
            }
            lines.Add(line);
            if (rowInvalid) invalid.Add(row);
        }
        if (_source.BlankLines > 0)
            _issues.Add(Severity.Info, "blank_lines", null, null, null, $"{_source.BlankLines} blank line{(_source.BlankLines == 1 ? " was" : "s were")} skipped");
        int rows = lines.Count;
        if (rowsRead == 0)
            _issues.Add(Severity.Error, "no_data_rows", null, null, null, "the file has a header but no data rows");

        var lineArray = lines.ToArray();
        var valueArray = values.ToArray();
        var scale = ResolveScale(instrument, valueArray, itemNames);
        var invalidSet = new SortedSet<int>(invalid);
        if (scale is not null) CheckScaleAndItems(valueArray, m, lineArray, itemNames, scale, invalidSet);

        // Non-item columns: type them and check ids.
        var columns = new List<DataColumn>();
        foreach (var b in others)
        {
            var col = Finish(b, lineArray, invalidSet);
            columns.Add(col);
        }
        CheckDuplicates(columns, lineArray, invalidSet);

        var report = _issues.ToReport(rowsRead, rows - invalidSet.Count, [.. itemNames], scale, instrument?.Id ?? _spec.Instrument);
        if (structural || scale is null || m == 0)
            return new LoadResult(null, report);
        var matrix = new ResponseMatrix(valueArray, [.. itemNames], scale, lineArray);
        var invalidRows = new bool[rows];
        foreach (int r in invalidSet) invalidRows[r] = true;
        var dataset = new AllianceDataset(_source.Name, _spec, instrument, matrix, [.. columns], [.. header], invalidRows, report);
        return new LoadResult(dataset, report);
    }

    private bool IsMissing(ReadOnlySpan<char> field)
    {
        if (field.IsEmpty || field.SequenceEqual("NA")) return true;
        foreach (string code in _missingCodes)
            if (field.SequenceEqual(code)) return true;
        return false;
    }

    /// <summary>Parses a number in invariant culture, with a fast path for short unsigned integers (Likert responses).</summary>
    internal static bool TryParseNumber(ReadOnlySpan<char> s, out double value)
    {
        if (s.Length is > 0 and <= 4)
        {
            int acc = 0;
            bool digits = true;
            foreach (char ch in s)
            {
                uint d = (uint)(ch - '0');
                if (d > 9) { digits = false; break; }
                acc = acc * 10 + (int)d;
            }
            if (digits) { value = acc; return true; }
        }
        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
    }

    private ItemScale? ResolveScale(Instrument? instrument, double[] values, List<string> items)
    {
        if (_spec.Continuous == true)
        {
            double? min = _spec.Min ?? instrument?.Scale.Min, max = _spec.Max ?? instrument?.Scale.Max;
            if (min is null || max is null || !(max > min))
            {
                _issues.Add(Severity.Error, "scale", null, null, null, "a continuous scale needs a minimum and a larger maximum (--min and --max, or an instrument)");
                return null;
            }
            return ItemScale.Continuous(min.Value, max.Value);
        }
        if (_spec.Points is { } points)
            return ItemScale.Likert(points, (int)(_spec.Min ?? instrument?.Scale.Min ?? 1));
        if (instrument is not null)
        {
            var s = instrument.Scale;
            if (_spec.Min is { } shifted && s.IsInteger) return ItemScale.Likert(s.Points!.Value, (int)shifted);
            return s;
        }
        // Infer from the data.
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        bool integer = true;
        foreach (double v in values)
        {
            if (double.IsNaN(v)) continue;
            if (v < lo) lo = v;
            if (v > hi) hi = v;
            if (integer && v != Math.Floor(v)) integer = false;
        }
        if (double.IsInfinity(lo))
        {
            if (values.Length > 0)
                _issues.Add(Severity.Error, "scale", null, null, null, "no item has any response, so the scale cannot be inferred; give --points K (and --min)");
            return null;
        }
        if (!integer)
        {
            double min = _spec.Min ?? Math.Min(lo, 0);
            var scale = ItemScale.Continuous(min, Math.Max(hi, min + 1));
            _issues.Add(Severity.Warning, "scale_inferred", null, null, null,
                $"responses are not all whole numbers and no scale was given; assumed a continuous {scale} scale from the data (give --points K for a Likert scale)");
            return scale;
        }
        int first = (int)(_spec.Min ?? (lo <= 0 ? lo : 1));
        var inferred = ItemScale.Likert(Math.Max((int)hi - first + 1, 2), first);
        string hint = inferred.Points > 11 ? $" That is an unusually wide scale: are codes such as {lo.ToString(CultureInfo.InvariantCulture)} missing-value codes (--missing-codes)?" : "";
        _issues.Add(inferred.Points > 11 ? Severity.Warning : Severity.Info, "scale_inferred", null, null, null,
            $"no scale given; inferred {inferred} from the responses (give --points K and --min to state it).{hint}");
        return inferred;
    }

    /// <summary>
    /// One pass over the responses: values off the scale become errors (and missing); the rest are counted per item
    /// and category for the warnings (item nobody answered, constant item, category never used).
    /// </summary>
    private void CheckScaleAndItems(double[] values, int m, int[] lines, List<string> items, ItemScale scale, SortedSet<int> invalid)
    {
        if (m == 0) return;
        string range = $"{scale.Min.ToString(CultureInfo.InvariantCulture)}–{scale.Max.ToString(CultureInfo.InvariantCulture)}";
        int points = scale.Points ?? 0;
        bool countCategories = scale.IsInteger && points <= 30;
        var counts = new int[countCategories ? m * points : 0];
        var answered = new int[m];
        var first = new double[m];
        var varies = new bool[m];
        double min = scale.Min, max = scale.Max;
        bool integer = scale.IsInteger;
        for (int r = 0; r < lines.Length; r++)
        {
            var row = values.AsSpan(r * m, m);
            for (int k = 0; k < row.Length; k++)
            {
                double v = row[k];
                if (double.IsNaN(v)) continue;
                if (v < min || v > max || (integer && v != Math.Floor(v)))
                {
                    string text = v.ToString(CultureInfo.InvariantCulture);
                    if (v < min || v > max)
                        _issues.Add(Severity.Error, "out_of_scale", lines[r], items[k], text, $"{text} is outside the {range} scale");
                    else
                        _issues.Add(Severity.Error, "not_an_integer", lines[r], items[k], text,
                            $"{text} is not a whole number; the {range} scale is a {scale.Points}-point Likert scale");
                    row[k] = double.NaN;
                    invalid.Add(r);
                    continue;
                }
                if (answered[k]++ == 0) first[k] = v;
                else if (v != first[k]) varies[k] = true;
                if (countCategories) counts[k * points + (int)(v - min)]++;
            }
        }
        for (int k = 0; k < m; k++)
        {
            if (answered[k] == 0)
            {
                if (lines.Length > 0) _issues.Add(Severity.Warning, "item_all_missing", null, items[k], null, "nobody answered this item");
                continue;
            }
            string firstText = first[k].ToString(CultureInfo.InvariantCulture);
            if (!varies[k] && answered[k] > 1)
                _issues.Add(Severity.Warning, "item_constant", null, items[k], firstText, $"every answer is {firstText}: the item does not vary");
            if (!countCategories) continue;
            var unused = Enumerable.Range(0, points).Where(c => counts[k * points + c] == 0).Select(c => (min + c).ToString(CultureInfo.InvariantCulture)).ToArray();
            if (unused.Length > 0)
                _issues.Add(Severity.Warning, "category_unused", null, items[k], string.Join(",", unused),
                    $"categor{(unused.Length == 1 ? "y" : "ies")} {string.Join(", ", unused)} of the {scale} scale never used");
        }
    }


    private DataColumn Finish(CodedColumnBuilder b, int[] lines, SortedSet<int> invalid)
    {
        bool isTextId = b.Name is "client_id" or "therapist_id" or "rater";
        if (isTextId) return TextColumn.Wrap(b.Name, b.Codes.ToArray(), [.. b.Levels]);

        var parsed = new double[b.Levels.Count];
        int numericRows = 0, textRows = 0;
        var levelIsNumber = new bool[b.Levels.Count];
        for (int l = 0; l < parsed.Length; l++)
            levelIsNumber[l] = TryParseNumber(b.Levels[l], out parsed[l]);
        var codes = b.Codes.ToArray();
        foreach (int c in codes)
        {
            if (c < 0) continue;
            if (levelIsNumber[c]) numericRows++; else textRows++;
        }
        bool mustBeNumeric = b.Name == "session" || (_spec.NumericColumns?.Contains(b.Name) ?? false);
        if (textRows == 0 || mustBeNumeric || numericRows > textRows)
        {
            var values = new double[codes.Length];
            for (int r = 0; r < codes.Length; r++)
            {
                int c = codes[r];
                if (c < 0) { values[r] = double.NaN; continue; }
                if (levelIsNumber[c]) { values[r] = parsed[c]; continue; }
                values[r] = double.NaN;
                invalid.Add(r);
                _issues.Add(Severity.Error, "text_in_numeric_column", lines[r], b.Name, b.Levels[c],
                    $"'{b.Levels[c]}' is not a number, but column '{b.Name}' holds numbers" +
                    (mustBeNumeric ? "" : $" ({numericRows} of {numericRows + textRows} values are numbers)"));
            }
            return NumericColumn.Wrap(b.Name, values);
        }
        return TextColumn.Wrap(b.Name, codes, [.. b.Levels]);
    }

    private void CheckDuplicates(List<DataColumn> columns, int[] lines, SortedSet<int> invalid)
    {
        var client = columns.OfType<TextColumn>().FirstOrDefault(c => c.Name == "client_id");
        var session = columns.OfType<NumericColumn>().FirstOrDefault(c => c.Name == "session");
        if (client is null || session is null) return;
        var rater = columns.OfType<TextColumn>().FirstOrDefault(c => c.Name == "rater");
        // Pack (client, session, rater) into one long when sessions are whole numbers in [0, 2^20) and raters fit in
        // 11 bits (the usual case, several times faster than tuple keys); otherwise use tuple keys.
        bool packable = rater is null || rater.Levels.Length < 2047;
        for (int r = 0; r < lines.Length && packable; r++)
        {
            double s = session[r];
            if (!double.IsNaN(s) && (s < 0 || s >= 1 << 20 || s != Math.Floor(s))) packable = false;
        }
        var packed = packable ? new Dictionary<long, int>(lines.Length) : null;
        var tuples = packable ? null : new Dictionary<(int Client, double Session, int Rater), int>(lines.Length);
        for (int r = 0; r < lines.Length; r++)
        {
            int c = client.Codes[r];
            double s = session[r];
            if (c < 0 || double.IsNaN(s)) continue;
            int rc = rater is null ? -1 : rater.Codes[r];
            int first;
            if (packed is not null)
            {
                long key = ((long)c << 31) | ((long)s << 11) | (long)(rc + 1);
                if (packed.TryAdd(key, r)) continue;
                first = packed[key];
            }
            else
            {
                if (tuples!.TryAdd((c, s, rc), r)) continue;
                first = tuples[(c, s, rc)];
            }
            invalid.Add(r);
            string who = $"client '{client.Levels[c]}', session {s.ToString(CultureInfo.InvariantCulture)}" +
                         (rater is null || rc < 0 ? "" : $", rater '{rater.Levels[rc]}'");
            _issues.Add(Severity.Error, "duplicate_administration", lines[r], "client_id", client.Levels[c],
                $"duplicate administration: {who} already appears on line {lines[first]}");
        }
    }


    /// <summary>Dictionary-codes one text column while reading: a string is allocated only for a new distinct value.</summary>
    private sealed class CodedColumnBuilder(string name)
    {
        private readonly Dictionary<string, int> _levels = new(StringComparer.Ordinal);

        public string Name { get; } = name;
        public GrowableArray<int> Codes { get; } = new(1024);
        public List<string> Levels { get; } = [];

        public void Add(ReadOnlySpan<char> value, bool missing)
        {
            if (missing) { Codes.Add(-1); return; }
            var lookup = _levels.GetAlternateLookup<ReadOnlySpan<char>>();
            if (!lookup.TryGetValue(value, out int code))
            {
                code = Levels.Count;
                string s = value.ToString();
                _levels[s] = code;
                Levels.Add(s);
            }
            Codes.Add(code);
        }
    }
}

/// <summary>A minimal growable array (List without per-element bounds checks on bulk adds).</summary>
internal sealed class GrowableArray<T>(int capacity)
{
    private T[] _items = new T[Math.Max(capacity, 4)];

    public int Count { get; private set; }

    public void Add(T item)
    {
        if (Count == _items.Length) Array.Resize(ref _items, _items.Length * 2);
        _items[Count++] = item;
    }

    public void AddRange(ReadOnlySpan<T> items)
    {
        if (Count + items.Length > _items.Length) Array.Resize(ref _items, Math.Max(_items.Length * 2, Count + items.Length));
        items.CopyTo(_items.AsSpan(Count));
        Count += items.Length;
    }

    public T[] ToArray() => _items.AsSpan(0, Count).ToArray();
}
