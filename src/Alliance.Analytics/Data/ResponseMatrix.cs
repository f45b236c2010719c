using System.Collections.Immutable;
using System.Globalization;
using Alliance.Analytics.Instruments;

namespace Alliance.Analytics.Data;

/// <summary>
/// Item responses as every analysis takes them: rows (administrations) × items, stored densely row-major as
/// <see cref="double"/> with <see cref="double.NaN"/> for a missing response, together with the item names, the
/// response scale and, when the matrix came from a file, the source line of every row (so an analysis can say which
/// lines it left out). Immutable: every transformation returns a new matrix.
/// </summary>
/// <remarks>
/// Memory: 8 bytes per cell (1,000,000 × 16 items = 128 MB); no per-cell objects. Rows are contiguous, so
/// <see cref="Row"/> is a span and row-parallel kernels read memory in order. Models that want compact category
/// codes (IRT) call <see cref="ToCategoryCodes"/> once (1 byte per cell).
/// </remarks>
public sealed class ResponseMatrix
{
    private readonly double[] _values;
    private readonly int[]? _lines;

    /// <summary>Wraps arrays without copying; callers guarantee the invariants (used by loaders and transformations).</summary>
    internal ResponseMatrix(double[] values, ImmutableArray<string> items, ItemScale scale, int[]? lines)
    {
        if (items.Length == 0) throw new ArgumentException("A response matrix needs at least one item.", nameof(items));
        if (values.Length % items.Length != 0) throw new ArgumentException("Values are not a whole number of rows.", nameof(values));
        _values = values;
        Items = items;
        Scale = scale;
        RowCount = values.Length / items.Length;
        if (lines is not null && lines.Length != RowCount) throw new ArgumentException("One source line per row is needed.", nameof(lines));
        _lines = lines;
    }

    /// <summary>
    /// Creates a matrix from a rectangular array (rows × items); NaN marks a missing response.
    /// </summary>
    /// <exception cref="ArgumentException">When the item names do not match the columns, a name repeats, or a value is off the scale.</exception>
    public static ResponseMatrix Create(double[,] values, IReadOnlyList<string> items, ItemScale scale)
    {
        ArgumentNullException.ThrowIfNull(values);
        int n = values.GetLength(0), m = values.GetLength(1);
        var flat = new double[n * m];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < m; j++)
                flat[i * m + j] = values[i, j];
        return Create(flat, items, scale);
    }

    /// <summary>
    /// Creates a matrix from row-major values (length rows × items); NaN marks a missing response. The array is copied.
    /// </summary>
    /// <exception cref="ArgumentException">When the item names do not match, a name repeats, or a value is off the scale.</exception>
    public static ResponseMatrix Create(ReadOnlySpan<double> rowMajor, IReadOnlyList<string> items, ItemScale scale, IReadOnlyList<int>? sourceLines = null)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(scale);
        if (items.Count == 0) throw new ArgumentException("At least one item is needed.", nameof(items));
        var dup = items.GroupBy(s => s, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new ArgumentException($"Item '{dup.Key}' appears more than once.", nameof(items));
        if (rowMajor.Length % items.Count != 0)
            throw new ArgumentException($"{rowMajor.Length} values are not a whole number of rows of {items.Count} items.", nameof(rowMajor));
        for (int k = 0; k < rowMajor.Length; k++)
        {
            double v = rowMajor[k];
            if (!double.IsNaN(v) && !scale.Contains(v))
                throw new ArgumentException(
                    $"Row {k / items.Count + 1}, item '{items[k % items.Count]}': {v.ToString(CultureInfo.InvariantCulture)} is outside the {scale} scale.",
                    nameof(rowMajor));
        }
        return new ResponseMatrix(rowMajor.ToArray(), [.. items], scale, sourceLines?.ToArray());
    }

    /// <summary>Item names, in column order.</summary>
    public ImmutableArray<string> Items { get; }

    /// <summary>The response scale shared by the items.</summary>
    public ItemScale Scale { get; }

    /// <summary>Number of rows (administrations).</summary>
    public int RowCount { get; }

    /// <summary>Number of items (columns).</summary>
    public int ItemCount => Items.Length;

    /// <summary>All values, row-major (row r, item j at r × <see cref="ItemCount"/> + j); NaN for missing.</summary>
    public ReadOnlySpan<double> Values => _values;

    /// <summary>The response of row <paramref name="row"/> to item <paramref name="item"/> (NaN when missing).</summary>
    public double this[int row, int item] => _values[row * Items.Length + item];

    /// <summary>One row's responses, in item order.</summary>
    public ReadOnlySpan<double> Row(int row) => _values.AsSpan(row * Items.Length, Items.Length);

    /// <summary>True when the matrix knows the source line of each row.</summary>
    public bool HasSourceLines => _lines is not null;

    /// <summary>Source line (1-based; the header is line 1) of <paramref name="row"/>, or row + 1 when unknown.</summary>
    public int SourceLine(int row) => _lines is null ? row + 1 : _lines[row];

    /// <summary>Column index of the item named <paramref name="item"/>.</summary>
    /// <exception cref="ArgumentException">When no item has that name.</exception>
    public int IndexOf(string item)
    {
        int j = Items.IndexOf(item);
        if (j < 0) throw new ArgumentException($"No item '{item}' in the response matrix (items: {string.Join(", ", Items)}).", nameof(item));
        return j;
    }

    /// <summary>Copies one item's responses into a new array (NaN for missing).</summary>
    public double[] Column(int item)
    {
        var col = new double[RowCount];
        CopyColumn(item, col);
        return col;
    }

    /// <summary>Copies one item's responses into <paramref name="destination"/> (length at least <see cref="RowCount"/>).</summary>
    public void CopyColumn(int item, Span<double> destination)
    {
        if ((uint)item >= (uint)Items.Length) throw new ArgumentOutOfRangeException(nameof(item));
        int m = Items.Length;
        for (int i = 0; i < RowCount; i++) destination[i] = _values[i * m + item];
    }

    /// <summary>Number of non-missing responses to each item.</summary>
    public int[] AnsweredCounts()
    {
        var counts = new int[ItemCount];
        int m = ItemCount;
        for (int i = 0; i < RowCount; i++)
        {
            var row = Row(i);
            for (int j = 0; j < m; j++) if (!double.IsNaN(row[j])) counts[j]++;
        }
        return counts;
    }

    /// <summary>A matrix with the named items only, in the order given.</summary>
    public ResponseMatrix SelectItems(IEnumerable<string> items) => SelectItems(items.Select(IndexOf).ToArray());

    /// <summary>A matrix with the items at <paramref name="indexes"/> only, in that order.</summary>
    public ResponseMatrix SelectItems(IReadOnlyList<int> indexes)
    {
        int m = ItemCount, k = indexes.Count;
        var values = new double[RowCount * k];
        for (int i = 0; i < RowCount; i++)
            for (int j = 0; j < k; j++)
                values[i * k + j] = _values[i * m + indexes[j]];
        return new ResponseMatrix(values, [.. indexes.Select(j => Items[j])], Scale, _lines);
    }

    /// <summary>A matrix with the rows at <paramref name="rows"/> only, in that order (their source lines kept).</summary>
    public ResponseMatrix SelectRows(IReadOnlyList<int> rows)
    {
        int m = ItemCount;
        var values = new double[rows.Count * m];
        for (int r = 0; r < rows.Count; r++) Row(rows[r]).CopyTo(values.AsSpan(r * m, m));
        int[]? lines = _lines is null ? null : rows.Select(r => _lines[r]).ToArray();
        return new ResponseMatrix(values, Items, Scale, lines ?? rows.Select(r => r + 1).ToArray());
    }

    /// <summary>
    /// Listwise deletion: the rows with every item answered, and a <see cref="DataUsage"/> that records the rows left
    /// out (with their source lines).
    /// </summary>
    public (ResponseMatrix Complete, DataUsage Usage) CompleteRows()
    {
        var keep = new List<int>(RowCount);
        var dropped = new List<int>();
        for (int i = 0; i < RowCount; i++)
        {
            bool complete = true;
            foreach (double v in Row(i)) if (double.IsNaN(v)) { complete = false; break; }
            if (complete) keep.Add(i); else dropped.Add(SourceLine(i));
        }
        var usage = DataUsage.All(RowCount).Exclude("one or more items missing (listwise deletion)", dropped.Count, dropped);
        return (dropped.Count == 0 ? this : SelectRows(keep), usage);
    }

    /// <summary>
    /// Reverse-keys the named items: x ↦ Min + Max − x on the matrix's scale (missing stays missing).
    /// </summary>
    public ResponseMatrix Reverse(IEnumerable<string> items)
    {
        var idx = items.Select(IndexOf).Distinct().ToArray();
        if (idx.Length == 0) return this;
        var values = (double[])_values.Clone();
        int m = ItemCount;
        double sum = Scale.Min + Scale.Max;
        for (int i = 0; i < RowCount; i++)
            foreach (int j in idx)
                values[i * m + j] = sum - values[i * m + j];
        return new ResponseMatrix(values, Items, Scale, _lines);
    }

    /// <summary>
    /// Compact category codes for models of ordered categories: row-major bytes, code = value − Min (0 … K − 1),
    /// <see cref="MissingCode"/> for a missing response.
    /// </summary>
    /// <exception cref="InvalidOperationException">When the scale is not an integer scale, or has more than 255 points.</exception>
    public byte[] ToCategoryCodes()
    {
        if (!Scale.IsInteger) throw new InvalidOperationException($"Category codes need an integer scale; this matrix is on a {Scale} scale.");
        if (Scale.Points > 255) throw new InvalidOperationException("Category codes allow at most 255 categories.");
        var codes = new byte[_values.Length];
        double min = Scale.Min;
        for (int k = 0; k < codes.Length; k++)
            codes[k] = double.IsNaN(_values[k]) ? MissingCode : (byte)(_values[k] - min);
        return codes;
    }

    /// <summary>The byte <see cref="ToCategoryCodes"/> uses for a missing response.</summary>
    public const byte MissingCode = byte.MaxValue;

    /// <summary>Copies the values into a new rectangular array (rows × items).</summary>
    public double[,] ToArray()
    {
        var a = new double[RowCount, ItemCount];
        for (int i = 0; i < RowCount; i++)
            for (int j = 0; j < ItemCount; j++)
                a[i, j] = _values[i * ItemCount + j];
        return a;
    }

    /// <summary>"1,200 rows × 12 items on a 1–5 (5 points) scale".</summary>
    public override string ToString() =>
        $"{RowCount.ToString("N0", CultureInfo.InvariantCulture)} rows × {ItemCount} items on a {Scale} scale";
}
