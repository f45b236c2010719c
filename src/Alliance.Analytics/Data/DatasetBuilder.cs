using System.Collections.Immutable;
using System.Globalization;
using Alliance.Analytics.Instruments;
using Alliance.Analytics.Presentation;

namespace Alliance.Analytics.Data;

/// <summary>
/// Reads tabular sources into an <see cref="AllianceDataset"/>, checking every rule of docs/data-format.md and
/// collecting every finding (not just the first). The data rows may come in several chunks (consecutive parts of
/// one file) that are parsed in parallel and merged in order, so the result is the same whatever the number of
/// chunks. Item fields are parsed straight into the response matrix; other columns are dictionary-coded while
/// reading (one string per distinct value) and typed at the end.
/// </summary>
internal sealed class DatasetBuilder
{
    private readonly string _name;
    private readonly DataSpec _spec;
    private readonly InstrumentRegistry _registry;
    private readonly IssueCollector _issues;
    private readonly string[] _missingCodes;
    private Dictionary<string, ColumnKind> _declared = [];
    private Dictionary<string, ImmutableSortedDictionary<double, string>> _valueLabels = [];

    /// <summary>
    /// Where the item list came from, as messages name it: <c>DataSpec.Items</c> (the caller's, which the CLI calls
    /// --items) unless the file's sidecar gave it, which is then named by path.
    /// </summary>
    internal string ItemsOrigin { get; init; } = "DataSpec.Items";

    public DatasetBuilder(string name, DataSpec spec, InstrumentRegistry registry)
    {
        _name = name;
        _spec = spec;
        _registry = registry;
        _issues = new IssueCollector(name);
        _missingCodes = [.. spec.AllMissingCodes.Where(c => c.Length > 0 && c != "NA")];
    }

    /// <summary>Builds from one source that holds the header and every row.</summary>
    public LoadResult Build(IRecordSource source, CancellationToken cancellationToken) =>
        Build(source.Header, source.HeaderLine, [source], cancellationToken, source.Columns);

    /// <summary>
    /// Builds from a header and consecutive chunks of data rows (parsed in parallel when there are several).
    /// </summary>
    public LoadResult Build(IReadOnlyList<string>? header, int headerLine, IReadOnlyList<IRecordSource> chunks, CancellationToken cancellationToken,
        IReadOnlyList<SourceColumn>? declared = null)
    {
        // Declared types by name; a name declared twice (an SPSS file can hold two variables of one name; found by
        // fuzzing) keeps its first type here and is reported below as a duplicate column, not as .NET's "same key" error.
        _declared = new Dictionary<string, ColumnKind>(StringComparer.Ordinal);
        foreach (var c in declared ?? []) if (c.Kind != ColumnKind.Inferred) _declared.TryAdd(c.Name, c.Kind);
        _valueLabels = new Dictionary<string, ImmutableSortedDictionary<double, string>>(StringComparer.Ordinal);
        foreach (var c in declared ?? []) if (c.ValueLabels.Count > 0) _valueLabels.TryAdd(c.Name, c.ValueLabels);
        Instrument? instrument = null;
        if (_spec.Instrument is { } id)
        {
            instrument = _registry.Find(id);
            if (instrument is null)
                _issues.Add(Severity.Error, "unknown_instrument", null, null, id,
                    $"unknown instrument '{id}' (known: {string.Join(", ", _registry.All.Select(i => i.Id))}; add one with InstrumentRegistry.WithKeyFile)");
        }
        if (header is null)
        {
            // A source that stopped before its header (bad bytes, broken quoting) says why; only a truly empty one is "empty".
            var early = chunks.SelectMany(c => c.TakeFindings()).ToArray();
            foreach (var f in early) _issues.Add(f.Severity, f.Code, f.Line, f.Column, f.Value, f.Message);
            if (early.Any(f => f.Severity == Severity.Error)) return new LoadResult(null, _issues.ToReport(0, 0, _spec.Items ?? [], null, _spec.Instrument));
            _issues.Add(Severity.Error, "empty_file", null, null, null, "the file is empty: expected a header line with column names and at least one data row");
            return new LoadResult(null, _issues.ToReport(0, 0, _spec.Items ?? [], null, _spec.Instrument));
        }

        bool structural = instrument is null && _spec.Instrument is not null;
        var columnIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int j = 0; j < header.Count; j++)
        {
            if (header[j].Length == 0)
            {
                _issues.Add(Severity.Error, "empty_column_name", headerLine, null, null, $"column {j + 1} has no name in the header");
                structural = true;
            }
            else if (!columnIndex.TryAdd(header[j], j))
            {
                _issues.Add(Severity.Error, "duplicate_column", headerLine, header[j], header[j], $"column name '{header[j]}' appears more than once in the header");
                structural = true;
            }
        }

        // Which columns are items.
        var itemNames = new List<string>();
        var itemCols = new List<int>();
        if (_spec.Items is { } named)
        {
            var seenItems = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < named.Length; i++)
            {
                string name = named[i];
                if (!seenItems.Add(name))
                {
                    // Counting an item twice inflates every sum score and reliability (alpha .733 became .893): refuse it.
                    _issues.Add(Severity.Error, "duplicate_item", headerLine, name, name,
                        $"item '{name}' is named more than once in DataSpec.Items (entries {named.IndexOf(name) + 1} and {i + 1}); name each item once");
                    structural = true;
                }
                else if (columnIndex.TryGetValue(name, out int j)) { itemNames.Add(name); itemCols.Add(j); }
                else
                {
                    string hint = NearestNames.Hint(name, header.Where(h => h.Length > 0));
                    _issues.Add(Severity.Error, "missing_item_column", headerLine, name, name,
                        $"item column '{name}' is named in {ItemsOrigin} but not in the file{hint} (columns: {string.Join(", ", header)})");
                    structural = true;
                }
            }
        }
        else
        {
            // Columns the file itself types as text (an SPSS or Stata string variable) are not responses: without
            // DataSpec.Items they are left out of the items, and the report says which.
            var text = new List<string>();
            for (int j = 0; j < header.Count; j++)
                if (header[j].Length > 0 && !DataSpec.IdColumns.Contains(header[j]) && columnIndex[header[j]] == j)
                {
                    if (_declared.TryGetValue(header[j], out var k) && k == ColumnKind.Text) { text.Add(header[j]); continue; }
                    itemNames.Add(header[j]); itemCols.Add(j);
                }
            if (text.Count > 0)
                _issues.Add(Severity.Info, "text_columns", headerLine, null, null,
                    $"{text.Count} column{(text.Count == 1 ? "" : "s")} the file types as text {(text.Count == 1 ? "is" : "are")} not taken as items: {string.Join(", ", text)} (name the items in DataSpec.Items to choose)");
        }
        foreach (string name in _spec.NumericColumns ?? [])
            if (!columnIndex.ContainsKey(name))
            {
                // A numeric column that is not there would check nothing: refuse it rather than ignore it.
                string hint = NearestNames.Hint(name, header.Where(h => h.Length > 0));
                _issues.Add(Severity.Error, "missing_numeric_column", headerLine, name, name,
                    $"column '{name}' is named in DataSpec.NumericColumns but not in the file{hint} (columns: {string.Join(", ", header)})");
                structural = true;
            }
        if (itemCols.Count == 0 && !structural)
        {
            _issues.Add(Severity.Error, "no_items", headerLine, null, null, "no item columns: the file has only id columns; name the items in DataSpec.Items");
            structural = true;
        }
        if (instrument is not null && (_spec.Items?.Length ?? itemCols.Count) != instrument.ItemCount)
        {
            int given = _spec.Items?.Length ?? itemCols.Count;
            _issues.Add(Severity.Error, "item_count_mismatch", headerLine, null, null,
                $"instrument {instrument.Id} has {instrument.ItemCount} items but {given} item column{(given == 1 ? " is" : "s are")} " +
                (_spec.Items is null ? "in the file (every column other than client_id, therapist_id, session, rater); name the items in DataSpec.Items" : $"named in {ItemsOrigin}"));
            structural = true;
        }

        var itemSet = itemCols.ToHashSet();
        var otherCols = Enumerable.Range(0, header.Count).Where(j => !itemSet.Contains(j) && header[j].Length > 0 && columnIndex[header[j]] == j).ToArray();
        var plan = new RowPlan([.. itemCols], [.. itemNames], otherCols, header.Count, _missingCodes);

        // Parse the rows: chunks in parallel, merged in order.
        var parts = new ChunkResult[chunks.Count];
        if (chunks.Count == 1) parts[0] = ParseChunk(chunks[0], plan, cancellationToken);
        else Parallel.For(0, chunks.Count, new ParallelOptions { CancellationToken = cancellationToken }, i => parts[i] = ParseChunk(chunks[i], plan, cancellationToken));

        // A source that stopped at a problem in its text (encoding, quoting) leaves no data set: the rows after it are unread.
        if (parts.Any(p => p.Stopped)) structural = true;
        int m = itemCols.Count;
        int rows = parts.Sum(p => p.Lines.Count);
        int rowsRead = parts.Sum(p => p.RowsRead);
        int blank = parts.Sum(p => p.BlankLines);
        var valueArray = new double[rows * m];
        var lineArray = new int[rows];
        var invalid = new HashSet<int>();
        var tally = new ValueTally(m);
        int offset = 0;
        foreach (var part in parts)
        {
            tally.Merge(part.Tally);
            part.Values.CopyTo(valueArray.AsSpan(offset * m));
            part.Lines.CopyTo(lineArray.AsSpan(offset));
            foreach (int r in part.Invalid) invalid.Add(offset + r);
            _issues.Merge(part.Issues);
            offset += part.Lines.Count;
        }
        var coded = otherCols.Select((j, c) => CodedColumn.Merge(header[j], parts.Select(p => p.Others[c]).ToArray(), rows)).ToArray();

        if (blank > 0)
            _issues.Add(Severity.Info, "blank_lines", null, null, null, $"{blank} blank line{(blank == 1 ? " was" : "s were")} skipped");
        if (rowsRead == 0 && !parts.Any(p => p.Stopped))
            _issues.Add(Severity.Error, "no_data_rows", null, null, null, "the file has a header but no data rows");

        (int Line, string Item)? Locate(double v)
        {
            for (int i = 0; i < valueArray.Length; i++)
                if (valueArray[i] == v) return (lineArray[i / m], itemNames[i % m]);
            return null;
        }
        var scale = ResolveScale(instrument, tally, rows > 0, Locate);
        if (scale is not null)
        {
            // The tallies made while parsing settle most files without another pass: only when a value is off the
            // scale (or the scale's categories are not all tallied) are the responses scanned to name each one.
            if (tally.Covers(scale) && tally.AllOnScale(scale)) ItemWarnings(tally, itemNames, scale, rows);
            else CheckScaleAndItems(valueArray, m, lineArray, itemNames, scale, invalid);
        }

        // Non-item columns: type them and check ids.
        var columns = coded.Select(b => Finish(b, lineArray, invalid)).ToList();
        CheckDuplicates(columns, lineArray, invalid);

        var report = _issues.ToReport(rowsRead, rows - invalid.Count, [.. itemNames], scale, instrument?.Id ?? _spec.Instrument);
        if (structural || scale is null || m == 0)
            return new LoadResult(null, report);
        var matrix = new ResponseMatrix(valueArray, [.. itemNames], scale, lineArray);
        var invalidRows = new bool[rows];
        foreach (int r in invalid) invalidRows[r] = true;
        var dataset = new AllianceDataset(_name, _spec, instrument, matrix, [.. columns], [.. header], invalidRows, report)
        {
            Anchors = Anchors(instrument, itemNames, scale),
        };
        return new LoadResult(dataset, report);
    }

    /// <summary>What every chunk parser needs to know about the columns.</summary>
    /// <summary>
    /// The labels of the response categories: the instrument's anchors, else the value labels the file declares on its
    /// item columns (SPSS or Stata), when every labelled item has the same labels; only labels of values on the scale
    /// (a label of a missing-value code such as 99 "No answer" is not an anchor).
    /// </summary>
    private CategoryAnchors? Anchors(Instrument? instrument, IReadOnlyList<string> items, ItemScale scale)
    {
        if (instrument is not null && instrument.Anchors.Count > 0) return new CategoryAnchors(instrument.Anchors, $"instrument {instrument.Id}");
        var labelled = items.Where(_valueLabels.ContainsKey).Select(i => _valueLabels[i]).ToArray();
        if (labelled.Length == 0 || !scale.IsInteger) return null;
        static ImmutableSortedDictionary<int, string> OnScale(ImmutableSortedDictionary<double, string> labels, ItemScale scale) =>
            labels.Where(l => l.Key >= scale.Min && l.Key <= scale.Max && l.Key == Math.Floor(l.Key))
                .ToImmutableSortedDictionary(l => (int)l.Key, l => l.Value);
        var first = OnScale(labelled[0], scale);
        if (first.Count == 0 || labelled.Skip(1).Any(l => !OnScale(l, scale).SequenceEqual(first))) return null;
        return new CategoryAnchors(first, "the file's value labels");
    }

    private sealed record RowPlan(int[] ItemColumns, string[] ItemNames, int[] OtherColumns, int Width, string[] MissingCodes)
    {
        public bool IsMissing(ReadOnlySpan<char> field)
        {
            if (field.IsEmpty || field.SequenceEqual("NA")) return true;
            foreach (string code in MissingCodes)
                if (field.SequenceEqual(code)) return true;
            return false;
        }
    }

    /// <summary>The rows of one chunk: responses, source lines, coded other columns, invalid rows and findings.</summary>
    private sealed class ChunkResult(string name, int items, int others, int expectedRows)
    {
        /// <summary>
        /// The most rows, and the most responses, buffers are sized for up front: <see cref="IRecordSource.ExpectedRows"/>
        /// is a hint a source may get wrong (a corrupt SPSS header claimed a billion cases, and the buffers took 4 GB
        /// and seconds before the first case was read; found by fuzzing); past these the buffers grow as rows come.
        /// </summary>
        internal const int MaxPresizedRows = 1 << 20, MaxPresizedValues = 1 << 24;

        public GrowableArray<double> ValuesBuffer { get; } = new((int)Math.Min((long)Math.Clamp(expectedRows, 1024, MaxPresizedRows) * Math.Max(items, 1), MaxPresizedValues));
        public GrowableArray<int> Lines { get; } = new(Math.Clamp(expectedRows, 1024, MaxPresizedRows));
        public ValueTally Tally { get; } = new(items);
        public List<int> Invalid { get; } = [];
        public CodedColumn[] Others { get; } = [.. Enumerable.Range(0, others).Select(_ => new CodedColumn("", Math.Clamp(expectedRows, 0, MaxPresizedRows)))];
        public IssueCollector Issues { get; } = new(name);
        public int RowsRead { get; set; }
        public int BlankLines { get; set; }
        public bool Stopped { get; set; }
        public ReadOnlySpan<double> Values => ValuesBuffer.AsSpan();
    }

    private static ChunkResult ParseChunk(IRecordSource source, RowPlan plan, CancellationToken cancellationToken)
    {
        var result = new ChunkResult(source.Name, plan.ItemColumns.Length, plan.OtherColumns.Length, source.ExpectedRows);
        var tally = result.Tally;
        var itemCols = plan.ItemColumns;
        var otherCols = plan.OtherColumns;
        int m = itemCols.Length;
        Span<double> rowValues = m <= 256 ? stackalloc double[m] : new double[m];
        string missingList = plan.MissingCodes.Length > 0 ? ", " + string.Join(", ", plan.MissingCodes) : "";
        while (source.Read())
        {
            foreach (var finding in source.TakeFindings()) result.Issues.Add(finding.Severity, finding.Code, finding.Line, finding.Column, finding.Value, finding.Message);
            result.RowsRead++;
            if ((result.RowsRead & 0xFFFF) == 0) cancellationToken.ThrowIfCancellationRequested();
            int line = source.Line;
            int fields = source.FieldCount;
            if (fields != plan.Width)
            {
                result.Issues.Add(Severity.Error, "field_count", line, null, source.RawRow(),
                    $"the row has {fields} field{(fields == 1 ? "" : "s")}; the header has {plan.Width}");
                continue;
            }
            bool rowInvalid = false;
            for (int k = 0; k < m; k++)
            {
                var field = source.Field(itemCols[k]).Trim();
                if (plan.IsMissing(field)) { rowValues[k] = double.NaN; continue; }
                if (TryParseNumber(field, out double v))
                {
                    rowValues[k] = v;
                    tally.Add(k, v);
                }
                else
                {
                    rowValues[k] = double.NaN;
                    rowInvalid = true;
                    string cell = source.DescribeField(itemCols[k]) is { } at ? $" ({at})" : "";
                    result.Issues.Add(Severity.Error, "not_a_number", line, plan.ItemNames[k], field.ToString(),
                        $"'{field}'{cell} is not a number (item responses must be numbers; missing values are empty, NA{missingList})");
                }
            }
            for (int c = 0; c < otherCols.Length; c++)
            {
                var field = source.Field(otherCols[c]).Trim();
                result.Others[c].Add(field, plan.IsMissing(field));
            }
            if (rowInvalid) result.Invalid.Add(result.Lines.Count);
            result.ValuesBuffer.AddRange(rowValues);
            result.Lines.Add(line);
        }
        result.BlankLines = source.BlankLines;
        foreach (var finding in source.TakeFindings())
        {
            result.Issues.Add(finding.Severity, finding.Code, finding.Line, finding.Column, finding.Value, finding.Message);
            if (finding.Severity == Severity.Error && finding.Code is "encoding" or "quoting" or "record_too_long") result.Stopped = true;
        }
        return result;
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

    /// <summary>
    /// A stated Likert scale, or an error finding (null) when it cannot be one: fewer than 2 points, or a lowest category
    /// so large that the highest one passes <see cref="int.MaxValue"/> (DataSpec.Min = 1e12 was cast to int.MaxValue and
    /// the maximum wrapped round to a negative number; found by fuzzing, tests/fuzz/RESULTS.md).
    /// </summary>
    private ItemScale? Likert(int points, double min)
    {
        if (points < 2)
        {
            _issues.Add(Severity.Error, "scale", null, null, points.ToString(CultureInfo.InvariantCulture),
                $"DataSpec.Points is {points.ToString(CultureInfo.InvariantCulture)}, but a Likert scale needs at least 2 points");
            return null;
        }
        if (min < int.MinValue || min + points - 1 > int.MaxValue)
        {
            string text = min.ToString(CultureInfo.InvariantCulture);
            _issues.Add(Severity.Error, "scale", null, null, text,
                $"DataSpec.Min is {text}: with {points.ToString(CultureInfo.InvariantCulture)} points the scale would run past {int.MaxValue.ToString(CultureInfo.InvariantCulture)}, " +
                $"the largest whole number allowed for a Likert category; give a smaller DataSpec.Min");
            return null;
        }
        return ItemScale.Likert(points, (int)min);
    }

    /// <summary>The widest Likert scale inferred from the data (0–100); a wider range needs the scale stated.</summary>
    internal const int MaxInferredPoints = Limits.MaxInferredCategories;

    private ItemScale? ResolveScale(Instrument? instrument, ValueTally tally, bool anyRows, Func<double, (int Line, string Item)?> locate)
    {
        // A Likert scale starts at a whole number: truncating DataSpec.Min = 1.5 to 1 would shift every category.
        bool likert = _spec.Continuous != true && (_spec.Points is not null || instrument?.Scale.IsInteger == true || (instrument is null && !tally.AnyNonInteger));
        if (likert && _spec.Min is { } fractional && fractional != Math.Floor(fractional))
        {
            string text = fractional.ToString(CultureInfo.InvariantCulture);
            _issues.Add(Severity.Error, "scale", null, null, text,
                $"DataSpec.Min is {text}, but a Likert scale's lowest category is a whole number; give a whole DataSpec.Min, or DataSpec.Continuous with DataSpec.Min and DataSpec.Max for a continuous scale");
            return null;
        }
        if (_spec.Continuous == true)
        {
            double? min = _spec.Min ?? instrument?.Scale.Min, max = _spec.Max ?? instrument?.Scale.Max;
            if (min is null || max is null || !(max > min))
            {
                _issues.Add(Severity.Error, "scale", null, null, null, "a continuous scale needs a minimum and a larger maximum (DataSpec.Min and DataSpec.Max, or an instrument)");
                return null;
            }
            return ItemScale.Continuous(min.Value, max.Value);
        }
        if (_spec.Points is { } points)
            return Likert(points, _spec.Min ?? instrument?.Scale.Min ?? 1);
        if (instrument is not null)
        {
            var s = instrument.Scale;
            if (_spec.Min is { } shifted && s.IsInteger) return Likert(s.Points!.Value, shifted);
            return s;
        }
        // Infer from the data.
        if (!tally.AnyAnswer)
        {
            if (anyRows)
                _issues.Add(Severity.Error, "scale", null, null, null, "no item has any response, so the scale cannot be inferred; give DataSpec.Points (and DataSpec.Min)");
            return null;
        }
        var (lo, hi) = tally.Range();
        bool integer = !tally.AnyNonInteger;
        if (!integer)
        {
            double min = _spec.Min ?? Math.Min(lo, 0);
            var scale = ItemScale.Continuous(min, Math.Max(hi, min + 1));
            _issues.Add(Severity.Warning, "scale_inferred", null, null, null,
                $"responses are not all whole numbers and no scale was given; assumed a continuous {scale} scale from the data (give DataSpec.Points for a Likert scale)");
            return scale;
        }
        double firstValue = _spec.Min ?? (lo <= 0 ? lo : 1);
        if (hi - firstValue + 1 > MaxInferredPoints)
        {
            // One stray value (2e9, or a missing-value code such as -999) must not widen the scale to a billion categories.
            var (where, value) = hi > firstValue + MaxInferredPoints - 1 && hi > MaxInferredPoints - 1 ? (locate(hi), hi) : (locate(lo), lo);
            string text = value.ToString(CultureInfo.InvariantCulture);
            string range = $"{lo.ToString(CultureInfo.InvariantCulture)} to {hi.ToString(CultureInfo.InvariantCulture)}";
            _issues.Add(Severity.Error, "scale_too_wide", where?.Line, where?.Item, text,
                $"no scale given, and the responses run from {range}: too wide to infer a Likert scale (at most {MaxInferredPoints} categories). " +
                $"If {text} is a missing-value code, name it in DataSpec.MissingCodes; otherwise state the scale (DataSpec.Points and DataSpec.Min, " +
                "or DataSpec.Continuous with DataSpec.Min and DataSpec.Max), and values off it are reported one by one");
            return null;
        }
        int first = (int)firstValue;
        var inferred = ItemScale.Likert(Math.Max((int)hi - first + 1, 2), first);
        string hint = inferred.Points > 11 ? $" That is an unusually wide scale: are codes such as {lo.ToString(CultureInfo.InvariantCulture)} missing-value codes (DataSpec.MissingCodes)?" : "";
        _issues.Add(inferred.Points > 11 ? Severity.Warning : Severity.Info, "scale_inferred", null, null, null,
            $"no scale given; inferred {inferred} from the responses (give DataSpec.Points and DataSpec.Min to state it).{hint}");
        return inferred;
    }

    /// <summary>
    /// One pass over the responses (parallel over blocks of rows, merged in order): values off the scale become
    /// errors (and missing); the rest are counted per item and category for the warnings (item nobody answered,
    /// constant item, category never used).
    /// </summary>
    private void CheckScaleAndItems(double[] values, int m, int[] lines, List<string> items, ItemScale scale, HashSet<int> invalid)
    {
        if (m == 0) return;
        string range = $"{scale.Min.ToString(CultureInfo.InvariantCulture)}–{scale.Max.ToString(CultureInfo.InvariantCulture)}";
        int points = scale.Points ?? 0;
        bool countCategories = scale.IsInteger && points <= 30;
        double min = scale.Min, max = scale.Max;
        bool integer = scale.IsInteger;
        const int BlockRows = 1 << 16;
        int blocks = (lines.Length + BlockRows - 1) / BlockRows;
        var tallies = new ItemTally[blocks];
        Parallel.For(0, blocks, b =>
        {
            var t = new ItemTally(m, countCategories ? points : 0, _name);
            int end = Math.Min(lines.Length, (b + 1) * BlockRows);
            for (int r = b * BlockRows; r < end; r++)
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
                            t.Issues.Add(Severity.Error, "out_of_scale", lines[r], items[k], text, $"{text} is outside the {range} scale");
                        else
                            t.Issues.Add(Severity.Error, "not_an_integer", lines[r], items[k], text,
                                $"{text} is not a whole number; the {range} scale is a {scale.Points}-point Likert scale");
                        row[k] = double.NaN;
                        t.Invalid.Add(r);
                        continue;
                    }
                    if (t.Answered[k]++ == 0) t.First[k] = v;
                    else if (v != t.First[k]) t.Varies[k] = true;
                    if (countCategories) t.Counts[k * points + (int)(v - min)]++;
                }
            }
            tallies[b] = t;
        });
        var answered = new int[m];
        var first = new double[m];
        var varies = new bool[m];
        var counts = new int[countCategories ? m * points : 0];
        foreach (var t in tallies)
        {
            _issues.Merge(t.Issues);
            invalid.UnionWith(t.Invalid);
            for (int k = 0; k < m; k++)
            {
                if (t.Answered[k] == 0) continue;
                if (answered[k] == 0) first[k] = t.First[k];
                else if (t.First[k] != first[k]) varies[k] = true;
                varies[k] |= t.Varies[k];
                answered[k] += t.Answered[k];
            }
            for (int i = 0; i < counts.Length; i++) counts[i] += t.Counts[i];
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

    /// <summary>Per-block counts of <see cref="CheckScaleAndItems"/>.</summary>
    private sealed class ItemTally(int items, int points, string name)
    {
        public int[] Answered { get; } = new int[items];
        public double[] First { get; } = new double[items];
        public bool[] Varies { get; } = new bool[items];
        public int[] Counts { get; } = new int[items * points];
        public List<int> Invalid { get; } = [];
        public IssueCollector Issues { get; } = new(name);
    }

    private DataColumn Finish(CodedColumn b, int[] lines, HashSet<int> invalid)
    {
        bool isTextId = b.Name is "client_id" or "therapist_id" or "rater";
        _declared.TryGetValue(b.Name, out var kind);
        if (isTextId || kind == ColumnKind.Text) return TextColumn.Wrap(b.Name, b.Codes, [.. b.Levels]);

        var parsed = new double[b.Levels.Count];
        int numericRows = 0, textRows = 0;
        var levelIsNumber = new bool[b.Levels.Count];
        for (int l = 0; l < parsed.Length; l++)
            levelIsNumber[l] = TryParseNumber(b.Levels[l], out parsed[l]);
        var codes = b.Codes;
        foreach (int c in codes)
        {
            if (c < 0) continue;
            if (levelIsNumber[c]) numericRows++; else textRows++;
        }
        bool mustBeNumeric = b.Name == "session" || kind == ColumnKind.Number || (_spec.NumericColumns?.Contains(b.Name) ?? false);
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

    /// <summary>The warnings of <see cref="CheckScaleAndItems"/> (item nobody answered, constant item, category never used) from the tallies.</summary>
    private void ItemWarnings(ValueTally tally, List<string> items, ItemScale scale, int rows)
    {
        int points = scale.Points ?? 0;
        bool countCategories = scale.IsInteger && points <= 30;
        for (int k = 0; k < items.Count; k++)
        {
            if (tally.Answered(k) == 0)
            {
                if (rows > 0) _issues.Add(Severity.Warning, "item_all_missing", null, items[k], null, "nobody answered this item");
                continue;
            }
            if (tally.Answered(k) > 1 && tally.SingleValue(k) is { } only)
            {
                string text = only.ToString(CultureInfo.InvariantCulture);
                _issues.Add(Severity.Warning, "item_constant", null, items[k], text, $"every answer is {text}: the item does not vary");
            }
            if (!countCategories) continue;
            var unused = Enumerable.Range(0, points).Select(c => scale.Min + c).Where(v => tally.Count(k, (int)v) == 0)
                .Select(v => v.ToString(CultureInfo.InvariantCulture)).ToArray();
            if (unused.Length > 0)
                _issues.Add(Severity.Warning, "category_unused", null, items[k], string.Join(",", unused),
                    $"categor{(unused.Length == 1 ? "y" : "ies")} {string.Join(", ", unused)} of the {scale} scale never used");
        }
    }

    /// <summary>
    /// Per item: how often each whole value −1 … 62 was answered, and the count, range and wholeness of the other
    /// answers. Made while parsing (one per chunk, merged in order), it settles scale inference, the scale check and the
    /// item warnings without another pass over the responses for most files.
    /// </summary>
    private sealed class ValueTally(int items)
    {
        private const int Offset = 1, Slots = 64;
        private readonly int[] _counts = new int[items * Slots];
        private readonly int[] _other = new int[items];
        private readonly double[] _otherMin = Enumerable.Repeat(double.PositiveInfinity, items).ToArray();
        private readonly double[] _otherMax = Enumerable.Repeat(double.NegativeInfinity, items).ToArray();
        private readonly bool[] _otherNonInteger = new bool[items];

        public void Add(int item, double v)
        {
            double slot = v + Offset;
            if (slot >= 0 && slot < Slots && slot == Math.Floor(slot))
            {
                _counts[item * Slots + (int)slot]++;
                return;
            }
            _other[item]++;
            if (v < _otherMin[item]) _otherMin[item] = v;
            if (v > _otherMax[item]) _otherMax[item] = v;
            if (v != Math.Floor(v)) _otherNonInteger[item] = true;
        }

        public void Merge(ValueTally later)
        {
            for (int i = 0; i < _counts.Length; i++) _counts[i] += later._counts[i];
            for (int k = 0; k < _other.Length; k++)
            {
                _other[k] += later._other[k];
                _otherMin[k] = Math.Min(_otherMin[k], later._otherMin[k]);
                _otherMax[k] = Math.Max(_otherMax[k], later._otherMax[k]);
                _otherNonInteger[k] |= later._otherNonInteger[k];
            }
        }

        public int Count(int item, int value) => value + Offset is >= 0 and < Slots ? _counts[item * Slots + value + Offset] : 0;

        public int Answered(int item)
        {
            int n = _other[item];
            for (int s = 0; s < Slots; s++) n += _counts[item * Slots + s];
            return n;
        }

        public bool AnyAnswer => Enumerable.Range(0, _other.Length).Any(k => Answered(k) > 0);

        public bool AnyNonInteger => _otherNonInteger.Any(b => b);

        /// <summary>Smallest and largest answer over all items.</summary>
        public (double Lo, double Hi) Range()
        {
            double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
            for (int k = 0; k < _other.Length; k++)
            {
                lo = Math.Min(lo, _otherMin[k]);
                hi = Math.Max(hi, _otherMax[k]);
                for (int s = 0; s < Slots; s++)
                {
                    if (_counts[k * Slots + s] == 0) continue;
                    lo = Math.Min(lo, s - Offset);
                    hi = Math.Max(hi, s - Offset);
                }
            }
            return (lo, hi);
        }

        /// <summary>True when every category of an integer scale is a tallied slot.</summary>
        public bool Covers(ItemScale scale) => !scale.IsInteger || (scale.Min + Offset >= 0 && scale.Max + Offset < Slots);

        /// <summary>True when no answer is off the scale.</summary>
        public bool AllOnScale(ItemScale scale)
        {
            for (int k = 0; k < _other.Length; k++)
            {
                for (int s = 0; s < Slots; s++)
                    if (_counts[k * Slots + s] > 0 && !scale.Contains(s - Offset)) return false;
                if (_other[k] == 0) continue;
                if (_otherMin[k] < scale.Min || _otherMax[k] > scale.Max || (scale.IsInteger && _otherNonInteger[k])) return false;
            }
            return true;
        }

        /// <summary>The one value an item's answers all take, or null when they vary.</summary>
        public double? SingleValue(int item)
        {
            double? only = null;
            for (int s = 0; s < Slots; s++)
            {
                if (_counts[item * Slots + s] == 0) continue;
                if (only is not null) return null;
                only = s - Offset;
            }
            if (_other[item] == 0) return only;
            if (only is not null || _otherMin[item] != _otherMax[item]) return null;
            return _otherMin[item];
        }
    }

    /// <summary>
    /// Flags a repeated (client, session, rater): rows are grouped by client with a counting sort (client codes are
    /// dense), then compared within each client's rows, so the check is linear in the number of rows.
    /// </summary>
    private void CheckDuplicates(List<DataColumn> columns, int[] lines, HashSet<int> invalid)
    {
        var client = columns.OfType<TextColumn>().FirstOrDefault(c => c.Name == "client_id");
        var session = columns.OfType<NumericColumn>().FirstOrDefault(c => c.Name == "session");
        if (client is null || session is null) return;
        var rater = columns.OfType<TextColumn>().FirstOrDefault(c => c.Name == "rater");
        var codes = client.Codes;
        var start = new int[client.Levels.Length + 1];
        foreach (int c in codes) if (c >= 0) start[c + 1]++;
        for (int c = 0; c < client.Levels.Length; c++) start[c + 1] += start[c];
        var order = new int[start[^1]];
        var next = (int[])start.Clone();
        for (int r = 0; r < codes.Length; r++) if (codes[r] >= 0) order[next[codes[r]]++] = r;
        var seen = new Dictionary<(double Session, int Rater), int>();
        for (int c = 0; c < client.Levels.Length; c++)
        {
            var group = order.AsSpan(start[c], start[c + 1] - start[c]);
            if (group.Length < 2) continue;
            seen.Clear();
            foreach (int r in group)
            {
                double s = session[r];
                if (double.IsNaN(s)) continue;
                int rc = rater is null ? -1 : rater.Codes[r];
                if (seen.TryAdd((s, rc), r)) continue;
                int first = seen[(s, rc)];
                invalid.Add(r);
                string who = $"client '{client.Levels[c]}', session {s.ToString(CultureInfo.InvariantCulture)}" +
                             (rater is null || rc < 0 ? "" : $", rater '{rater.Levels[rc]}'");
                _issues.Add(Severity.Error, "duplicate_administration", lines[r], "client_id", client.Levels[c],
                    $"duplicate administration: {who} already appears on line {lines[first]}");
            }
        }
    }

    /// <summary>
    /// A text column dictionary-coded while reading: a string is allocated only for a new distinct value. Chunks are
    /// merged in order, so levels keep their order of first appearance in the file.
    /// </summary>
    private sealed class CodedColumn
    {
        private readonly Dictionary<string, int> _levels = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
        private readonly GrowableArray<int> _codes;
        private string? _last;
        private int _lastCode;

        public CodedColumn(string name, int expectedRows = 1024)
        {
            Name = name;
            _lookup = _levels.GetAlternateLookup<ReadOnlySpan<char>>();
            _codes = new(Math.Max(expectedRows, 16));
        }

        public string Name { get; private init; }
        public List<string> Levels { get; } = [];
        public int[] Codes { get; private set; } = [];

        public void Add(ReadOnlySpan<char> value, bool missing)
        {
            if (missing) { _codes.Add(-1); return; }
            // Ids repeat on consecutive rows (sessions of one client): compare with the last value before hashing.
            if (_last is not null && value.SequenceEqual(_last)) { _codes.Add(_lastCode); return; }
            if (!_lookup.TryGetValue(value, out int code))
            {
                code = Levels.Count;
                string s = value.ToString();
                _levels[s] = code;
                Levels.Add(s);
            }
            _last = Levels[code];
            _lastCode = code;
            _codes.Add(code);
        }

        /// <summary>Concatenates chunk columns, re-coding each chunk's levels into one table in order of first appearance.</summary>
        public static CodedColumn Merge(string name, CodedColumn[] parts, int rows)
        {
            var merged = new CodedColumn(name, 16) { Codes = new int[rows] };
            int offset = 0;
            foreach (var part in parts)
            {
                var map = new int[part.Levels.Count];
                for (int l = 0; l < map.Length; l++)
                {
                    if (!merged._levels.TryGetValue(part.Levels[l], out int code))
                    {
                        code = merged.Levels.Count;
                        merged._levels[part.Levels[l]] = code;
                        merged.Levels.Add(part.Levels[l]);
                    }
                    map[l] = code;
                }
                var src = part._codes.AsSpan();
                for (int r = 0; r < src.Length; r++) merged.Codes[offset + r] = src[r] < 0 ? -1 : map[src[r]];
                offset += src.Length;
            }
            return merged;
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

    public ReadOnlySpan<T> AsSpan() => _items.AsSpan(0, Count);

    public void CopyTo(Span<T> destination) => AsSpan().CopyTo(destination);

    public T[] ToArray() => AsSpan().ToArray();
}
