using System.Collections.Immutable;
using System.Globalization;
using Alliance.Analytics.Numerics;
using Alliance.Analytics.Presentation;

namespace Alliance.Analytics.Reliability;

/// <summary>
/// psych::alpha's <c>alpha.1</c>: the α family of one covariance matrix C and its correlation matrix R.
/// </summary>
internal readonly record struct AlphaFigures(double Raw, double Standardized, double Lambda6, double AverageR, double SignalToNoise, double Q, double MedianR)
{
    public static AlphaFigures Of(double[,] c, double[,] r, bool lambda6 = true)
    {
        int k = c.GetLength(0);
        double trC = SymmetricMatrices.Trace(c), sumC = SymmetricMatrices.Sum(c), sumR = SymmetricMatrices.Sum(r);
        // λ6 needs the (pseudo-)inverse of R, O(k³): the one costly figure, skipped for the if-deleted rows of very wide scales.
        double smc = lambda6 ? SymmetricMatrices.SquaredMultipleCorrelations(r).Sum() : double.NaN;
        double trC2 = 0, sumC2 = 0;
        for (int i = 0; i < k; i++)
        {
            double col = 0;
            for (int j = 0; j < k; j++) { trC2 += c[i, j] * c[i, j]; col += c[i, j]; }
            sumC2 += col * col;
        }
        var lower = new List<double>();
        for (int i = 0; i < k; i++) for (int j = 0; j < i; j++) lower.Add(r[i, j]);
        return FromSums(k, trC, sumC, sumR, smc, trC2, sumC2, SampleQuantiles.Median(lower));
    }

    /// <summary>
    /// The figures from the sums they depend on: tr C, ΣC, ΣR, Σ smc (λ6), tr C² = Σ c_ij², Σ_i (Σ_j c_ij)² and the median
    /// off-diagonal correlation. Raw α = (1 − tr C/ΣC) k/(k − 1); standardized α = (1 − k/ΣR) k/(k − 1);
    /// λ6 = 1 − (k − Σ smc)/ΣR; average r = (ΣR − k)/(k(k − 1)); S/N = k r̄/(1 − r̄); Q (Duhachek &amp; Iacobucci 2004, as
    /// psych) = 2k²/((k−1)² (ΣC)³) [ΣC (tr C² + (tr C)²) − 2 tr C · Σ_i (Σ_j c_ij)²].
    /// </summary>
    public static AlphaFigures FromSums(int k, double trC, double sumC, double sumR, double smc, double trC2, double sumC2, double medianR)
    {
        double raw = (1 - trC / sumC) * k / (k - 1);
        double std = (1 - k / sumR) * k / (k - 1);
        double g6 = 1 - (k - smc) / sumR;
        double avr = (sumR - k) / (k * (k - 1.0));
        double sn = k * avr / (1 - avr);
        double q = 2.0 * k * k / ((k - 1.0) * (k - 1.0) * sumC * sumC * sumC) * (sumC * (trC2 + trC * trC) - 2 * trC * sumC2);
        return new AlphaFigures(raw, std, g6, avr, sn, q, medianR);
    }

    /// <summary>
    /// The figures of the k − 1 items left when each item in turn is deleted (psych::alpha's <c>alpha.drop</c>), in
    /// O(k²) for all items together rather than O(k³): every sum of the reduced matrix is the full sum less item i's row
    /// and column (ΣC₋ᵢ = ΣC − 2 Σ_j c_ij + c_ii; tr C²₋ᵢ = tr C² − 2 Σ_j c_ij² + c_ii²; the column sums lose c_ai), and the
    /// median of the remaining correlations is found in the sorted list of all of them by skipping item i's k − 1
    /// (their ranks sorted), so nothing is copied or sorted per item. λ6 needs the inverse of each reduced matrix and is
    /// computed only when <paramref name="lambda6"/> (O(k⁴) in all).
    /// </summary>
    public static AlphaFigures[] Dropped(double[,] c, double[,] r, bool lambda6, CancellationToken cancellationToken)
    {
        int k = c.GetLength(0);
        var drop = new AlphaFigures[k];
        if (k <= 2)
        {
            Array.Fill(drop, new AlphaFigures(double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN));
            return drop;
        }
        double trC = SymmetricMatrices.Trace(c), sumC = SymmetricMatrices.Sum(c), sumR = SymmetricMatrices.Sum(r), trC2 = 0;
        var colC = new double[k];
        var colR = new double[k];
        var rowC2 = new double[k];
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
            {
                colC[i] += c[i, j];
                colR[i] += r[i, j];
                rowC2[i] += c[i, j] * c[i, j];
                trC2 += c[i, j] * c[i, j];
            }
        // All off-diagonal correlations (lower triangle) in order, and each pair's rank in that order.
        int m = k * (k - 1) / 2;
        var values = new double[m];
        var pairOf = new int[m];
        for (int i = 1, t = 0; i < k; i++)
            for (int j = 0; j < i; j++, t++) { values[t] = r[i, j]; pairOf[t] = t; }
        Array.Sort(values, pairOf);
        var rank = new int[m];
        for (int t = 0; t < m; t++) rank[pairOf[t]] = t;
        Parallel.For(0, k, new ParallelOptions { CancellationToken = cancellationToken }, i =>
        {
            double sumC2 = 0;
            for (int a = 0; a < k; a++)
                if (a != i) { double col = colC[a] - c[a, i]; sumC2 += col * col; }
            double smc = double.NaN;
            if (lambda6)
            {
                var rest = Enumerable.Range(0, k).Where(j => j != i).ToArray();
                smc = SymmetricMatrices.SquaredMultipleCorrelations(SymmetricMatrices.Submatrix(r, rest)).Sum();
            }
            var removed = new int[k - 1];
            for (int j = 0, u = 0; j < k; j++)
                if (j != i) removed[u++] = rank[i > j ? i * (i - 1) / 2 + j : j * (j - 1) / 2 + i];
            Array.Sort(removed);
            drop[i] = FromSums(k - 1, trC - c[i, i], sumC - 2 * colC[i] + c[i, i], sumR - 2 * colR[i] + r[i, i], smc,
                trC2 - 2 * rowC2[i] + c[i, i] * c[i, i], sumC2, MedianSkipping(values, removed));
        });
        return drop;
    }

    /// <summary>The median (R's type 7 at ½) of the sorted <paramref name="values"/> without the positions in the sorted <paramref name="removed"/>.</summary>
    private static double MedianSkipping(double[] values, int[] removed)
    {
        int left = values.Length - removed.Length;
        if (left == 0) return double.NaN;
        double At(int target)
        {
            // The position in values of the target-th (0-based) value that is not removed.
            int position = target;
            foreach (int skip in removed)
                if (skip <= position) position++;
                else break;
            return values[position];
        }
        if (left % 2 == 1) return At(left / 2);
        double lo = At(left / 2 - 1);
        return lo + 0.5 * (At(left / 2) - lo);
    }
}

/// <summary>Computes a <see cref="ScaleReliability"/> from prepared data (kernel behind <see cref="ReliabilityAnalysis"/>).</summary>
internal static class ScaleAnalysis
{
    /// <summary>The most items for which ω and λ6 if item deleted are computed (k factor fits, or k inverses, of k − 1 items each).</summary>
    internal const int MaxItemsForOmegaIfDeleted = 150;

    public static ScaleReliability Run(ScaleData data, ReliabilityOptions options, string name, ImmutableArray<string> reversed,
        IProgress<AnalysisProgress>? progress, CancellationToken cancellationToken)
    {
        int k = data.ItemCount, s = data.Stride, n = data.Rows;
        var items = data.Items;
        if (k > Limits.MaxReliabilityItems)
            throw new AllianceInputException(string.Create(CultureInfo.InvariantCulture,
                $"reliability of {k:N0} items{(name == "items" ? "" : $" ({name})")} is not computed: a scale may have at most {Limits.MaxReliabilityItems:N0} items (the analysis holds and decomposes k × k matrices, so time grows with the cube of the items); analyse subscales or a selection of items"));
        // Pairwise moments hold about six (k + 1)² arrays of 8 bytes; the covariance, correlation and pairwise matrices three k².
        Limits.CheckMemory(8L * (6L * s * s + 3L * k * k), $"reliability of {k:N0} items", "analyse fewer items");
        progress?.Report(new AnalysisProgress($"{name}: moments", double.NaN));
        var moments = PairwiseMoments.Compute(data.Values, s, Enumerable.Repeat(data.Shift, s).ToArray(), cancellationToken);

        var c = new double[k, k];
        var p = new double[k, k];
        int minPair = int.MaxValue;
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
            {
                int nij = (int)moments.Count[i * s + j];
                if (nij < 3)
                    throw new AllianceInputException(
                        $"Items '{items[i]}' and '{items[j]}' ({name}) are answered together in only {nij} row{(nij == 1 ? "" : "s")}; a covariance needs at least three.");
                minPair = Math.Min(minPair, nij);
                c[i, j] = moments.Covariance(i, j);
                p[i, j] = moments.Correlation(i, j);
                if (double.IsNaN(p[i, j])) throw UndefinedCorrelation(items[i], items[j], name);
            }
        var r = SymmetricMatrices.CovarianceToCorrelation(c);
        var warnings = new List<string>();
        if (options.Missing == MissingData.Pairwise && data.HasMissing && SymmetricMatrices.Eigen(c).Values[^1] < 0)
            warnings.Add("the pairwise covariance matrix is not positive semi-definite (missing data are not missing at random, or too few rows per pair); figures may be distorted — compare with ReliabilityOptions.Missing = MissingData.Listwise");

        var total = AlphaFigures.Of(c, r);
        double sumR = SymmetricMatrices.Sum(r), sumC = SymmetricMatrices.Sum(c);

        // Item statistics (psych::alpha's item.stats and alpha.drop).
        var smc = SymmetricMatrices.SquaredMultipleCorrelations(r);
        double sumRc = sumR - k + smc.Sum();
        var omegaDrop = new double[k];
        Array.Fill(omegaDrop, double.NaN);
        progress?.Report(new AnalysisProgress($"{name}: omega", double.NaN));
        // With no more rows than items the correlation matrix is singular and a factor model is not identified, so
        // ω is not reported (each fit would also decompose a k × k matrix many times: minutes for 500 items).
        bool factorable = k < n;
        var omega = factorable ? Omega.OneFactor(p, options.OmegaMethod, cancellationToken) : Omega.NotFitted(options.OmegaMethod);
        if (!factorable)
            warnings.Add($"omega and omega if item deleted were not computed: {k} items and only {n} rows, so the correlation matrix is singular (a factor model needs more rows than items)");
        // ω if an item is deleted refits the factor model k times, each O(k³) per iteration: with as many items as rows
        // the correlation matrix is singular, the fits crawl towards Heywood cases, and 300 items took minutes. Skip it.
        bool omegaIfDeleted = options.OmegaIfDeleted && k < n && k <= MaxItemsForOmegaIfDeleted;
        // λ6 if an item is deleted inverts k matrices of k − 1 items (k⁴ work): 300 items took most of half a minute.
        bool lambda6IfDeleted = k <= MaxItemsForOmegaIfDeleted;
        if (!lambda6IfDeleted)
            warnings.Add($"lambda 6 if item deleted was not computed: {k} items (it inverts the correlation matrix once per item; computed for at most {MaxItemsForOmegaIfDeleted} items)");
        if (options.OmegaIfDeleted && !omegaIfDeleted && factorable)
            warnings.Add($"omega if item deleted was not computed: {k} items (it refits the factor model once per item; computed for at most {MaxItemsForOmegaIfDeleted} items)");
        var drop = AlphaFigures.Dropped(c, r, lambda6IfDeleted, cancellationToken);
        if (omegaIfDeleted && k > 2)
            Parallel.For(0, k, new ParallelOptions { CancellationToken = cancellationToken }, i =>
            {
                var rest = Enumerable.Range(0, k).Where(j => j != i).ToArray();
                omegaDrop[i] = Omega.OneFactor(SymmetricMatrices.Submatrix(p, rest), options.OmegaMethod, cancellationToken).Total;
            });
        var stats = ImmutableArray.CreateBuilder<ItemAnalysis>(k);
        for (int j = 0; j < k; j++)
        {
            double colR = 0, colC = 0;
            for (int i = 0; i < k; i++) { colR += r[i, j]; colC += c[i, j]; }
            double vDrop = sumC - 2 * colC + c[j, j];
            int nj = (int)moments.N(j);
            stats.Add(new ItemAnalysis(
                items[j], nj, moments.Mean(j), Math.Sqrt(c[j, j]),
                moments.Correlation(k, j), colR / Math.Sqrt(sumR), (colR - 1 + smc[j]) / Math.Sqrt(sumRc),
                (colC - c[j, j]) / Math.Sqrt(c[j, j] * vDrop),
                drop[j].Raw, drop[j].Standardized, drop[j].Lambda6, drop[j].AverageR, omegaDrop[j],
                (double)data.FloorCounts[j] / nj, (double)data.CeilingCounts[j] / nj,
                data.CategoryCounts[j].Length == 0 ? [] : [.. data.CategoryCounts[j]]));
        }

        // Guttman's lambdas on R (psych::splitHalf / guttman); λ4 is the best split.
        progress?.Report(new AnalysisProgress($"{name}: split-half", double.NaN));
        var split = SplitHalf.Compute(r, items, options.Splits, options.MaximumSplits, options.Seed, cancellationToken);
        double sumOff = sumR - k, sumSqOff = 0, maxC = 0;
        for (int j = 0; j < k; j++)
        {
            double cj = 0;
            for (int i = 0; i < k; i++) if (i != j) cj += r[i, j] * r[i, j];
            sumSqOff += cj;
            maxC = Math.Max(maxC, cj);
        }
        double l1 = 1 - k / sumR;
        var lambdas = new GuttmanLambdas(l1, (sumOff + Math.Sqrt(sumSqOff * k / (k - 1.0))) / sumR, k * l1 / (k - 1.0), split.Maximum,
            l1 + 2 * Math.Sqrt(maxC) / sumR, total.Lambda6);

        // Interval: Feldt (1965) as psych::alpha.ci, or the bootstrap.
        double lowP = (1 - options.Level) / 2;
        double df1 = n - 1, df2 = (n - 1.0) * (k - 1);
        var interval = new ConfidenceInterval(
            1 - (1 - total.Raw) * FDistribution.Quantile(1 - lowP, df1, df2),
            1 - (1 - total.Raw) * FDistribution.Quantile(lowP, df1, df2), options.Level, "Feldt");
        AlphaBootstrapResult? bootstrap = null;
        if (options.Interval == AlphaIntervalMethod.Bootstrap)
        {
            bootstrap = AlphaBootstrap.Run(data, total.Raw, options.BootstrapReplicates, options.Seed, options.Level, progress, cancellationToken);
            interval = bootstrap.Bca;
            if (bootstrap.Replicates < bootstrap.Requested)
                warnings.Add($"{bootstrap.Requested - bootstrap.Replicates} of {bootstrap.Requested} bootstrap resamples gave no alpha (two items without a row in common) and were left out; the interval uses the other {bootstrap.Replicates}");
        }

        OrdinalReliability? ordinal = null;
        if (options.Ordinal)
        {
            progress?.Report(new AnalysisProgress($"{name}: polychoric", double.NaN));
            var poly = ReliabilityAnalysis.PolychoricOf(data, options.Thresholds, options.PolychoricCorrection, cancellationToken);
            var rho = poly.Matrix();
            double sumRho = SymmetricMatrices.Sum(rho);
            var ordinalOmega = factorable ? Omega.OneFactor(rho, options.OmegaMethod, cancellationToken) : Omega.NotFitted(options.OmegaMethod);
            ordinal = new OrdinalReliability((1 - k / sumRho) * k / (k - 1.0), ordinalOmega.Total, poly);
            warnings.AddRange(poly.Warnings.Select(w => "polychoric: " + w));
            if (factorable && !ordinalOmega.Convergence.Converged) warnings.Add($"the one-factor fit of the polychoric matrix did not converge ({ordinalOmega.Convergence})");
        }

        if (factorable && !omega.Convergence.Converged) warnings.Add($"the one-factor fit behind omega did not converge ({omega.Convergence})");
        warnings.InsertRange(0, KeyingWarnings(r, items, total.Raw));

        return new ScaleReliability
        {
            Name = name,
            Items = items,
            Scale = data.Scale,
            Options = options,
            Reversed = reversed,
            CompleteRows = (int)moments.CompleteCount,
            MinimumPairN = minPair,
            Alpha = total.Raw,
            AlphaStandardized = total.Standardized,
            AlphaStandardError = Math.Sqrt(total.Q / n),
            AlphaInterval = interval,
            AverageR = total.AverageR,
            MedianR = total.MedianR,
            SignalToNoise = total.SignalToNoise,
            Lambdas = lambdas,
            SplitHalf = split,
            Omega = omega,
            ScoreMean = moments.Mean(k),
            ScoreStandardDeviation = Math.Sqrt(moments.Covariance(k, k)),
            SumStandardDeviation = Math.Sqrt(sumC),
            ItemStatistics = stats.MoveToImmutable(),
            Bootstrap = bootstrap,
            Ordinal = ordinal,
            Usage = data.Usage,
            Warnings = warnings,
            CovarianceMatrix = c,
            CorrelationMatrix = r,
            PairwiseCorrelationMatrix = p,
        };
    }

    /// <summary>A pairwise correlation 0/0: one item of the pair does not vary in the rows where both are answered.</summary>
    internal static AllianceInputException UndefinedCorrelation(string a, string b, string scale) => new(
        $"The correlation of items '{a}' and '{b}'{(scale.Length > 0 ? $" ({scale})" : "")} is undefined: in the rows where both are answered, one of them does not vary. " +
        "Omega and the factor solutions need it; use ReliabilityOptions.Missing = MissingData.Listwise or leave the item out.", "ReliabilityOptions.Missing");

    /// <summary>
    /// psych's check: items with a negative loading on the first principal component (of R, signed so most loadings
    /// are positive) run against the scale and are probably not reverse-keyed. Also the negative-α warning.
    /// </summary>
    private static IEnumerable<string> KeyingWarnings(double[,] r, ImmutableArray<string> items, double alpha)
    {
        var (_, vectors) = SymmetricMatrices.Eigen(r);
        int k = items.Length;
        double sum = 0;
        for (int i = 0; i < k; i++) sum += vectors[i, 0];
        var against = Enumerable.Range(0, k).Where(i => Math.Sign(vectors[i, 0]) == -Math.Sign(sum) && vectors[i, 0] != 0).Select(i => items[i]).ToArray();
        if (alpha < 0)
            yield return $"alpha is negative ({alpha.ToString("F3", CultureInfo.InvariantCulture)}): the items' average covariance is negative" +
                (against.Length > 0 ? $"; {string.Join(", ", against)} run against the other items and are probably not reverse-keyed (ReliabilityOptions.Reverse = {string.Join(",", against)})" : "");
        else if (against.Length > 0)
            yield return $"{string.Join(", ", against)} correlate{(against.Length == 1 ? "s" : "")} negatively with the scale (first principal component) and probably should be reversed (ReliabilityOptions.Reverse = {string.Join(",", against)})";
    }
}
