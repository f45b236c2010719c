using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Alliance.Analytics.Numerics;

/// <summary>
/// Pairwise-complete sums of a data matrix with missing values (NaN), gathered in one pass over the rows: for every
/// pair of variables (i, j) the number of rows where both are observed, the sums of x_i and x_i² over those rows, and
/// the sum of x_i·x_j. Everything R's <c>cov(x, use = "pairwise")</c> and <c>cor(x, use = "pairwise")</c> need, and
/// with optional integer row weights (bootstrap resampling counts) the same for a resample without copying rows.
/// </summary>
/// <remarks>
/// Values are shifted by a constant per variable before summing (the caller passes, e.g., the midpoint of the response
/// scale), which keeps the raw-moment formulas free of cancellation; for integer responses with an integer shift
/// every sum is an exact integer, so the result does not depend on the order rows are added in. Complete rows take a
/// vectorised path (one rank-one update of the cross-product matrix); rows with missing values take the pairwise
/// path. Parallel over row blocks with partial sums added in block order, so the result is the same whatever the
/// thread count.
/// </remarks>
public sealed class PairwiseMoments
{
    private const int BlockRows = 8192;

    /// <summary>Creates empty sums for <paramref name="variables"/> variables with the given shifts.</summary>
    public PairwiseMoments(int variables, ReadOnlySpan<double> shift)
    {
        if (variables < 1) throw new ArgumentOutOfRangeException(nameof(variables));
        if (shift.Length != variables) throw new ArgumentException("One shift per variable is needed.", nameof(shift));
        Variables = variables;
        Shift = shift.ToArray();
        int mm = variables * variables;
        Count = new double[mm];
        Sum = new double[mm];
        SumSquares = new double[mm];
        Cross = new double[mm];
        CompleteSum = new double[variables];
        int width = Vector<double>.Count, padded = (variables + width - 1) / width * width;
        CompleteCross = new double[padded * padded];
    }

    /// <summary>Number of variables m.</summary>
    public int Variables { get; }

    /// <summary>The constant subtracted from each variable before summing.</summary>
    public double[] Shift { get; }

    /// <summary>Rows with every variable observed (weighted).</summary>
    public double CompleteCount { get; private set; }

    /// <summary>m × m: rows with variables i and j both observed (i = j: rows with i observed).</summary>
    public double[] Count { get; }

    /// <summary>m × m: Σ (x_i − shift_i) over rows where i and j are both observed (not symmetric).</summary>
    public double[] Sum { get; }

    /// <summary>m × m: Σ (x_i − shift_i)² over rows where i and j are both observed (not symmetric).</summary>
    public double[] SumSquares { get; }

    /// <summary>m × m: Σ (x_i − shift_i)(x_j − shift_j) over rows where both are observed (symmetric).</summary>
    public double[] Cross { get; }

    // Sums over complete rows, kept apart until Finish so the complete-row path is a plain rank-one update.
    private double[] CompleteSum { get; }
    private double[] CompleteCross { get; }
    private bool _finished;

    /// <summary>
    /// Sums a row-major matrix (rows × <paramref name="variables"/>), in parallel over row blocks.
    /// </summary>
    /// <param name="values">Row-major values, NaN for missing.</param>
    /// <param name="variables">Number of columns.</param>
    /// <param name="shift">Constant subtracted from each column (e.g. the scale midpoint); zeros when null.</param>
    /// <param name="cancellationToken">Cancels between row blocks.</param>
    public static PairwiseMoments Compute(double[] values, int variables, double[]? shift = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        shift ??= new double[variables];
        int rows = values.Length / variables;
        int blocks = Math.Max(1, (rows + BlockRows - 1) / BlockRows);
        var partial = new PairwiseMoments[blocks];
        Parallel.For(0, blocks, new ParallelOptions { CancellationToken = cancellationToken }, b =>
        {
            var acc = new PairwiseMoments(variables, shift);
            int start = b * BlockRows, end = Math.Min(rows, start + BlockRows);
            acc.Add(values.AsSpan(start * variables, (end - start) * variables), default);
            partial[b] = acc;
        });
        var total = partial[0];
        for (int b = 1; b < blocks; b++) total.Merge(partial[b]);
        total.Finish();
        return total;
    }

    /// <summary>
    /// Adds rows (row-major, <see cref="Variables"/> per row); <paramref name="weights"/> (one per row, may be empty for
    /// weight 1) multiplies each row's contribution, as a bootstrap resample that drew the row that many times.
    /// Call <see cref="Finish"/> before reading the sums.
    /// </summary>
    public void Add(ReadOnlySpan<double> rows, ReadOnlySpan<int> weights)
    {
        if (_finished) throw new InvalidOperationException("The sums are finished.");
        int m = Variables, width = Vector<double>.Count;
        int padded = (m + width - 1) / width * width;
        int n = rows.Length / m;
        // Complete rows are shifted (and a weighted copy made) into a small block, then added to the
        // cross-product matrix by a register-blocked kernel; rows with missing values take the pairwise path.
        var block = new double[BlockSize * padded];
        bool unweighted = weights.IsEmpty;
        var weighted = unweighted ? block : new double[BlockSize * padded];
        int filled = 0;
        Span<double> x = stackalloc double[m];
        Span<int> present = stackalloc int[m];
        for (int r = 0; r < n; r++)
        {
            double w = weights.IsEmpty ? 1 : weights[r];
            if (w == 0) continue;
            var row = rows.Slice(r * m, m);
            int q = 0;
            for (int j = 0; j < m; j++)
            {
                double v = row[j];
                if (double.IsNaN(v)) continue;
                x[j] = v - Shift[j];
                present[q++] = j;
            }
            if (q == m)
            {
                x.CopyTo(block.AsSpan(filled * padded, m));
                if (!unweighted)
                {
                    var dw = weighted.AsSpan(filled * padded, m);
                    for (int j = 0; j < m; j++) dw[j] = w * x[j];
                }
                CompleteCount += w;
                if (++filled == BlockSize) { AddCompleteBlock(block, weighted, filled, padded); filled = 0; }
            }
            else if (q > 0) AddPartial(x, present[..q], w);
        }
        if (filled > 0) AddCompleteBlock(block, weighted, filled, padded);
    }

    private const int BlockSize = 64;

    /// <summary>
    /// CompleteCross += Wᵀ X and CompleteSum += Wᵀ 1 over a block of complete rows (W the weighted rows), upper
    /// triangle by vector-wide column chunks with the accumulator held in a register across the block's rows.
    /// </summary>
    private void AddCompleteBlock(double[] block, double[] weighted, int rows, int padded)
    {
        int m = Variables, width = Vector<double>.Count;
        ref double x0 = ref MemoryMarshal.GetArrayDataReference(block);
        ref double w0 = ref MemoryMarshal.GetArrayDataReference(weighted);
        ref double c0 = ref MemoryMarshal.GetArrayDataReference(CompleteCross);
        for (int i = 0; i < m; i++)
        {
            double sum = 0;
            for (int r = 0; r < rows; r++) sum += Unsafe.Add(ref w0, r * padded + i);
            CompleteSum[i] += sum;
            int start = i / width * width;
            for (int j = start; j < padded; j += width)
            {
                var acc = Vector<double>.Zero;
                for (int r = 0; r < rows; r++)
                {
                    int o = r * padded;
                    acc += new Vector<double>(Unsafe.Add(ref w0, o + i)) * Vector.LoadUnsafe(ref x0, (nuint)(o + j));
                }
                // The cross matrix has stride `padded` internally (see CompleteCross's size).
                ref double dst = ref Unsafe.Add(ref c0, i * padded + j);
                (Vector.LoadUnsafe(ref dst) + acc).StoreUnsafe(ref dst);
            }
        }
        // Only the first m columns of each row are written; the padding stays zero, so no clearing is needed.
    }

    private void AddPartial(ReadOnlySpan<double> x, ReadOnlySpan<int> present, double w)
    {
        int m = Variables;
        foreach (int i in present)
        {
            double xi = x[i], wxi = w * xi, wxi2 = wxi * xi;
            int row = i * m;
            foreach (int j in present)
            {
                int k = row + j;
                Count[k] += w;
                Sum[k] += wxi;
                SumSquares[k] += wxi2;
                Cross[k] += wxi * x[j];
            }
        }
    }

    /// <summary>Adds another accumulator's sums (same variables and shifts) to this one.</summary>
    public void Merge(PairwiseMoments other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Variables != Variables) throw new ArgumentException("Different numbers of variables.", nameof(other));
        CompleteCount += other.CompleteCount;
        Add(CompleteSum, other.CompleteSum);
        Add(CompleteCross, other.CompleteCross);
        Add(Count, other.Count);
        Add(Sum, other.Sum);
        Add(SumSquares, other.SumSquares);
        Add(Cross, other.Cross);

        static void Add(double[] a, double[] b)
        {
            for (int i = 0; i < a.Length; i++) a[i] += b[i];
        }
    }

    /// <summary>Folds the complete-row sums into the pairwise sums; call once, after the last <see cref="Add"/>.</summary>
    public void Finish()
    {
        if (_finished) return;
        int m = Variables;
        double nc = CompleteCount;
        int width = Vector<double>.Count, padded = (m + width - 1) / width * width;
        if (nc > 0)
            for (int i = 0; i < m; i++)
                for (int j = 0; j < m; j++)
                {
                    int k = i * m + j;
                    Count[k] += nc;
                    Sum[k] += CompleteSum[i];
                    SumSquares[k] += CompleteCross[i * padded + i];
                    // Only blocks on or above the diagonal were accumulated: read the upper triangle.
                    Cross[k] += i / width <= j / width ? CompleteCross[i * padded + j] : CompleteCross[j * padded + i];
                }
        _finished = true;
    }

    /// <summary>Rows with variable <paramref name="i"/> observed.</summary>
    public double N(int i) => Count[i * Variables + i];

    /// <summary>Mean of variable <paramref name="i"/> over the rows where it is observed.</summary>
    public double Mean(int i) => Sum[i * Variables + i] / N(i) + Shift[i];

    /// <summary>
    /// Pairwise covariance as R's <c>cov(x, use = "pairwise")</c>: for i ≠ j over the rows where both are observed,
    /// centred at the means of those rows, denominator n_ij − 1; on the diagonal the variance over the rows where the
    /// variable is observed. NaN where fewer than two rows.
    /// </summary>
    public double Covariance(int i, int j)
    {
        int m = Variables, k = i * m + j;
        double n = Count[k];
        if (n < 2) return double.NaN;
        return (Cross[k] - Sum[k] * Sum[j * m + i] / n) / (n - 1);
    }

    /// <summary>
    /// Pairwise Pearson correlation as R's <c>cor(x, use = "pairwise")</c>: means and standard deviations of both
    /// variables taken over the rows where both are observed. 1 on the diagonal; NaN where undefined.
    /// </summary>
    public double Correlation(int i, int j)
    {
        if (i == j) return N(i) >= 2 ? 1 : double.NaN;
        int m = Variables, k = i * m + j, t = j * m + i;
        double n = Count[k];
        if (n < 2) return double.NaN;
        double sxy = Cross[k] - Sum[k] * Sum[t] / n;
        double sxx = SumSquares[k] - Sum[k] * Sum[k] / n;
        double syy = SumSquares[t] - Sum[t] * Sum[t] / n;
        return sxy / Math.Sqrt(sxx * syy);
    }

    /// <summary>The m × m pairwise covariance matrix (see <see cref="Covariance"/>).</summary>
    public double[,] CovarianceMatrix() => Matrix(Covariance);

    /// <summary>The m × m pairwise Pearson correlation matrix (see <see cref="Correlation"/>).</summary>
    public double[,] CorrelationMatrix() => Matrix(Correlation);

    private double[,] Matrix(Func<int, int, double> entry)
    {
        int m = Variables;
        var c = new double[m, m];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < m; j++)
                c[i, j] = entry(i, j);
        return c;
    }
}
