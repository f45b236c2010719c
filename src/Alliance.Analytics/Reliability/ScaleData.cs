using System.Collections.Immutable;
using System.Globalization;
using Alliance.Analytics.Data;
using Alliance.Analytics.Instruments;

namespace Alliance.Analytics.Reliability;

/// <summary>
/// The rows and items one scale's reliability is computed from, prepared once: items reversed as asked, rows kept
/// under the missing-data rule (with the usage saying which were left out and why), the values copied row-major with
/// psych's "total" (the mean of the answered items) appended as an extra column, and the bad-input checks done.
/// </summary>
internal sealed class ScaleData
{
    private const int BlockRows = 16384;

    private readonly Lazy<ResponseMatrix> _matrix;

    private ScaleData(ImmutableArray<string> items, ItemScale scale, double[] values, int rows, bool hasMissing, DataUsage usage, Func<ResponseMatrix> matrix,
        int[][] categoryCounts, int[] floor, int[] ceiling)
    {
        CategoryCounts = categoryCounts;
        FloorCounts = floor;
        CeilingCounts = ceiling;
        Items = items;
        Scale = scale;
        Values = values;
        Rows = rows;
        HasMissing = hasMissing;
        Usage = usage;
        _matrix = new Lazy<ResponseMatrix>(matrix);
    }

    /// <summary>Item names in analysis order.</summary>
    public ImmutableArray<string> Items { get; }

    /// <summary>Number of items k.</summary>
    public int ItemCount => Items.Length;

    /// <summary>Columns per row in <see cref="Values"/>: the k items, then the row mean.</summary>
    public int Stride => Items.Length + 1;

    /// <summary>The response scale.</summary>
    public ItemScale Scale { get; }

    /// <summary>Row-major values of the kept rows, <see cref="Stride"/> per row; NaN for a missing response.</summary>
    public double[] Values { get; }

    /// <summary>Rows kept.</summary>
    public int Rows { get; }

    /// <summary>True when some kept row has a missing response (pairwise data).</summary>
    public bool HasMissing { get; }

    /// <summary>The rows behind the figures and why others were left out.</summary>
    public DataUsage Usage { get; }

    /// <summary>The kept rows and items (reversed as asked) as a response matrix, for kernels that want one.</summary>
    public ResponseMatrix Matrix => _matrix.Value;

    /// <summary>Per item, the count of each category Min … Max (integer scales of up to 101 points); empty arrays otherwise.</summary>
    public int[][] CategoryCounts { get; }

    /// <summary>Per item, answers at the scale minimum.</summary>
    public int[] FloorCounts { get; }

    /// <summary>Per item, answers at the scale maximum.</summary>
    public int[] CeilingCounts { get; }

    /// <summary>The value the moment kernels subtract before summing: the scale midpoint, rounded down on integer scales.</summary>
    public double Shift => Scale.IsInteger ? Math.Floor((Scale.Min + Scale.Max) / 2) : (Scale.Min + Scale.Max) / 2;

    /// <summary>
    /// Prepares <paramref name="matrix"/> for analysis.
    /// </summary>
    /// <exception cref="AllianceInputException">Fewer than two items, an unknown item to reverse, an item nobody
    /// answered, a constant item, or fewer than three rows.</exception>
    public static ScaleData Prepare(ResponseMatrix matrix, IReadOnlyCollection<string> reverse, MissingData missing, string scaleName, DataUsage? prior = null)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        string where = scaleName.Length == 0 ? "" : $" ({scaleName})";
        if (matrix.ItemCount < 2)
            throw new AllianceInputException($"Reliability needs at least two items{where}; got {matrix.ItemCount} ({string.Join(", ", matrix.Items)}).");
        foreach (string r in reverse)
            if (!matrix.Items.Contains(r))
                throw new AllianceInputException($"ReliabilityOptions.Reverse names '{r}', which is not an item{where} (items: {string.Join(", ", matrix.Items)}).", "ReliabilityOptions.Reverse");
        if (reverse.Count > 0) matrix = matrix.Reverse(reverse);

        int n = matrix.RowCount, m = matrix.ItemCount, stride = m + 1;
        var scale = matrix.Scale;
        int points = scale.IsInteger && scale.Points <= 101 ? scale.Points!.Value : 0;
        // The values are copied once (a span cannot cross threads); rows are then classified and copied in parallel.
        var all = matrix.Values.ToArray();
        var present = new int[n];
        var sums = new double[n];
        Parallel.For(0, (n + BlockRows - 1) / BlockRows, b =>
        {
            int end = Math.Min(n, (b + 1) * BlockRows);
            for (int i = b * BlockRows; i < end; i++)
            {
                int count = 0;
                double sum = 0;
                foreach (double v in all.AsSpan(i * m, m))
                    if (!double.IsNaN(v)) { count++; sum += v; }
                present[i] = count;
                sums[i] = sum;
            }
        });
        var keep = new List<int>(n);
        var dropped = new List<int>();
        bool hasMissing = false;
        for (int i = 0; i < n; i++)
        {
            bool ok = missing == MissingData.Listwise ? present[i] == m : present[i] > 0;
            if (!ok) { dropped.Add(matrix.SourceLine(i)); continue; }
            keep.Add(i);
            if (present[i] < m) hasMissing = true;
        }
        var values = new double[keep.Count * stride];
        Parallel.For(0, (keep.Count + BlockRows - 1) / BlockRows, b =>
        {
            int end = Math.Min(keep.Count, (b + 1) * BlockRows);
            for (int r = b * BlockRows; r < end; r++)
            {
                int i = keep[r];
                all.AsSpan(i * m, m).CopyTo(values.AsSpan(r * stride, m));
                values[r * stride + m] = sums[i] / present[i];
            }
        });
        var (min, max, counts, floor, ceiling) = CountResponses(values, keep.Count, m, scale, points);
        for (int j = 0; j < m; j++)
            if (double.IsPositiveInfinity(min[j]) && matrix.Column(j).All(double.IsNaN))
                throw new AllianceInputException($"Item '{matrix.Items[j]}'{where} is missing in every row; drop it from DataSpec.Items.", "DataSpec.Items");
        var usage = DataUsage.All(n).Exclude(missing == MissingData.Listwise
            ? "one or more items missing (listwise deletion)"
            : "no item answered", dropped.Count, dropped);
        if (prior is not null) usage = prior.Then(usage);
        if (keep.Count < 3)
            throw new AllianceInputException(missing == MissingData.Listwise
                ? $"Only {keep.Count} row{(keep.Count == 1 ? "" : "s")}{where} have every item answered; reliability needs at least three (try ReliabilityOptions.Missing = MissingData.Pairwise)."
                : $"Only {keep.Count} row{(keep.Count == 1 ? "" : "s")}{where} have any item answered; reliability needs at least three.");
        var categories = Enumerable.Range(0, m).Select(j => points == 0 ? [] : counts.AsSpan(j * points, points).ToArray()).ToArray();
        for (int j = 0; j < m; j++)
            if (min[j] == max[j])
                throw new AllianceInputException(
                    $"Item '{matrix.Items[j]}'{where} has the same response ({min[j].ToString(CultureInfo.InvariantCulture)}) in every row used; a constant item has no variance, so α and the correlations are undefined. Drop it from DataSpec.Items.", "DataSpec.Items");

        return new ScaleData(matrix.Items, matrix.Scale, values, keep.Count, hasMissing, usage,
            () => keep.Count == n ? matrix : matrix.SelectRows(keep), categories, floor, ceiling);
    }

    /// <summary>Per item: smallest and largest response, category counts, floor and ceiling counts; parallel over row blocks.</summary>
    private static (double[] Min, double[] Max, int[] Counts, int[] Floor, int[] Ceiling) CountResponses(double[] values, int rows, int m, ItemScale scale, int points)
    {
        int stride = m + 1, blocks = Math.Max(1, (rows + BlockRows - 1) / BlockRows), width = Math.Max(points, 1);
        var partial = new (double[] Min, double[] Max, int[] Counts, int[] Floor, int[] Ceiling)[blocks];
        double lo = scale.Min, hi = scale.Max;
        Parallel.For(0, blocks, b =>
        {
            var min = Enumerable.Repeat(double.PositiveInfinity, m).ToArray();
            var max = Enumerable.Repeat(double.NegativeInfinity, m).ToArray();
            var counts = new int[m * width];
            var floor = new int[m];
            var ceiling = new int[m];
            int end = Math.Min(rows, (b + 1) * BlockRows);
            for (int r = b * BlockRows; r < end; r++)
            {
                var row = values.AsSpan(r * stride, m);
                for (int j = 0; j < m; j++)
                {
                    double v = row[j];
                    if (double.IsNaN(v)) continue;
                    if (v < min[j]) min[j] = v;
                    if (v > max[j]) max[j] = v;
                    if (v == lo) floor[j]++;
                    else if (v == hi) ceiling[j]++;
                    if (points > 0) counts[j * points + (int)(v - lo)]++;
                }
            }
            partial[b] = (min, max, counts, floor, ceiling);
        });
        var total = partial[0];
        for (int b = 1; b < blocks; b++)
        {
            var p = partial[b];
            for (int j = 0; j < m; j++)
            {
                total.Min[j] = Math.Min(total.Min[j], p.Min[j]);
                total.Max[j] = Math.Max(total.Max[j], p.Max[j]);
                total.Floor[j] += p.Floor[j];
                total.Ceiling[j] += p.Ceiling[j];
            }
            for (int c = 0; c < total.Counts.Length; c++) total.Counts[c] += p.Counts[c];
        }
        return total;
    }

    /// <summary>The items-only values (without the row-mean column), row-major k per row.</summary>
    public double[] ItemValues()
    {
        int m = ItemCount, s = Stride;
        var v = new double[Rows * m];
        for (int r = 0; r < Rows; r++) Values.AsSpan(r * s, m).CopyTo(v.AsSpan(r * m, m));
        return v;
    }
}
