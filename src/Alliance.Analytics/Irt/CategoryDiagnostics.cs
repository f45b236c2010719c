using System.Globalization;
using System.Collections.Immutable;

namespace Alliance.Analytics.Irt;

/// <summary>
/// Category tables in the manner of Winsteps' Table 3.2 (Linacre): per category the count, the observed and expected
/// average measure, category infit and outfit, the Andrich threshold and coherence, and Linacre's (2002) eight
/// guidelines checked for the pooled scale and for each item.
/// </summary>
internal static class CategoryDiagnostics
{
    private sealed class Sums(int k)
    {
        public readonly long[] Count = new long[k];
        public readonly double[] ObsMeasure = new double[k];
        public readonly double[] ExpMeasure = new double[k];
        public readonly double[] ExpProb = new double[k];
        public readonly double[] InfitObs = new double[k];
        public readonly double[] InfitExp = new double[k];
        public readonly double[] OutfitObs = new double[k];
        public readonly double[] OutfitExp = new double[k];
        public readonly long[] Predicted = new long[k];
        public readonly long[] Hit = new long[k];
    }

    public static (CategoryTable Scale, ImmutableArray<CategoryTable> Items) Tables(ItemResponseData data, ItemSet items, IrtModelType model,
        Measure[] measures, int[] group, (double Location, double Se)[] locations, ImmutableArray<double> tau, ImmutableArray<double> tauSe,
        double[][] b, double[][] bSe)
    {
        int m = data.ItemCount;
        int bottom = data.Categories.Min(c => c[0]), top = data.Categories.Max(c => c[^1]);
        int kScale = top - bottom + 1;
        var pooled = new Sums(kScale);
        var perItem = Enumerable.Range(0, m).Select(j => new Sums(data.CategoryCount(j))).ToArray();
        var p = new double[items.MaxCategories];
        for (int u = 0; u < data.PatternCount; u++)
        {
            var meas = measures[group[u]];
            if (!double.IsFinite(meas.Theta)) continue;
            double w = data.PatternCounts[u];
            var pat = data.Pattern(u);
            for (int j = 0; j < m; j++)
            {
                byte x = pat[j];
                if (x == ItemResponseData.Missing) continue;
                var s = data.Scores[j];
                int mj = s.Length;
                items.Probabilities(j, meas.Theta, p);
                double e = 0, v = 0;
                for (int c = 0; c < mj; c++) e += s[c] * p[c];
                for (int c = 0; c < mj; c++) v += (s[c] - e) * (s[c] - e) * p[c];
                int predicted = 0;
                for (int c = 1; c < mj; c++) if (Math.Abs(s[c] - e) < Math.Abs(s[predicted] - e)) predicted = c;
                double phiItem = meas.Theta, phiScale = meas.Theta - locations[j].Location;
                Add(perItem[j], x, predicted, mj, phiItem);
                Add(pooled, data.Categories[j][x] - bottom, data.Categories[j][predicted] - bottom, mj, phiScale, j);

                void Add(Sums t, int obs, int pred, int count, double phi, int item = -1)
                {
                    t.Count[obs] += (long)w;
                    t.ObsMeasure[obs] += w * phi;
                    double y = s[x] - e;
                    t.InfitObs[obs] += w * y * y;
                    t.OutfitObs[obs] += w * y * y / v;
                    t.Predicted[pred] += (long)w;
                    if (pred == obs) t.Hit[obs] += (long)w;
                    for (int c = 0; c < count; c++)
                    {
                        int idx = item < 0 ? c : data.Categories[item][c] - bottom;
                        double dev = s[c] - e;
                        t.ExpMeasure[idx] += w * phi * p[c];
                        t.ExpProb[idx] += w * p[c];
                        t.InfitExp[idx] += w * p[c] * dev * dev;
                        t.OutfitExp[idx] += w * p[c] * dev * dev / v;
                    }
                }
            }
        }

        var itemTables = new CategoryTable[m];
        for (int j = 0; j < m; j++)
        {
            int mj = data.CategoryCount(j);
            var thr = new double[mj];
            var thrSe = new double[mj];
            thr[0] = thrSe[0] = double.NaN;
            for (int c = 1; c < mj; c++) { thr[c] = b[j][c - 1] - locations[j].Location; thrSe[c] = bSe[j][c - 1]; }
            var values = data.Categories[j].Select(c => data.ScaleMin + c).ToArray();
            itemTables[j] = Build(data.ItemNames[j], perItem[j], values, data.Scores[j], thr, thrSe, items.A[j]);
        }

        var scaleThr = new double[kScale];
        var scaleSe = new double[kScale];
        scaleThr[0] = scaleSe[0] = double.NaN;
        for (int k = 1; k < kScale; k++)
        {
            if (model == IrtModelType.RatingScale && tau.Length == kScale - 1) { scaleThr[k] = tau[k - 1]; scaleSe[k] = tauSe[k - 1]; continue; }
            // mean over items of the relative threshold into scale category k (items that have the step k−1 → k)
            var vals = new List<double>();
            for (int j = 0; j < m; j++)
            {
                int c = Array.IndexOf(data.Categories[j], bottom + k);
                if (c > 0 && data.Categories[j][c - 1] == bottom + k - 1) vals.Add(b[j][c - 1] - locations[j].Location);
            }
            scaleThr[k] = vals.Count > 0 ? vals.Average() : double.NaN;
            scaleSe[k] = double.NaN;
        }
        var scaleValues = Enumerable.Range(0, kScale).Select(k => data.ScaleMin + bottom + k).ToArray();
        var scaleScores = Enumerable.Range(0, kScale).ToArray();
        double meanA = items.A.Average();
        var scaleTable = Build("scale", pooled, scaleValues, scaleScores, scaleThr, scaleSe, meanA);
        return (scaleTable, [.. itemTables]);
    }

    private static CategoryTable Build(string name, Sums t, double[] values, int[] scores, double[] thr, double[] thrSe, double slope)
    {
        int k = values.Length;
        long total = t.Count.Sum();
        var rows = new CategoryRow[k];
        for (int c = 0; c < k; c++)
        {
            rows[c] = new CategoryRow(values[c], scores[c], t.Count[c], total == 0 ? double.NaN : (double)t.Count[c] / total,
                t.Count[c] == 0 ? double.NaN : t.ObsMeasure[c] / t.Count[c],
                t.ExpProb[c] > 0 ? t.ExpMeasure[c] / t.ExpProb[c] : double.NaN,
                t.InfitExp[c] > 0 ? t.InfitObs[c] / t.InfitExp[c] : double.NaN,
                t.OutfitExp[c] > 0 ? t.OutfitObs[c] / t.OutfitExp[c] : double.NaN,
                thr[c], thrSe[c],
                t.Predicted[c] == 0 ? double.NaN : (double)t.Hit[c] / t.Predicted[c],
                t.Count[c] == 0 ? double.NaN : (double)t.Hit[c] / t.Count[c]);
        }
        bool ordered = true;
        for (int c = 2; c < k; c++) if (!(thr[c] > thr[c - 1])) ordered = false;
        return new CategoryTable(name, [.. rows], ordered, Checks(rows, slope));
    }

    /// <summary>
    /// Linacre (2002) guidelines. Guideline 7's minimum advance is that of a rating scale behaving as m − 1 binomial
    /// trials (thresholds log(k / (m − k))): 1.39 logits for 3 categories, 1.10 for 4, 0.81 for 5, smaller beyond.
    /// Threshold advances are in the item's logits (a × difference in θ units).
    /// </summary>
    internal static ImmutableArray<LinacreCheck> Checks(CategoryRow[] rows, double slope)
    {
        int k = rows.Length;
        var checks = new List<LinacreCheck>();
        var sparse = rows.Where(r => r.Count < 10).ToArray();
        checks.Add(new(1, "at least 10 observations in each category", sparse.Length == 0,
            sparse.Length == 0 ? $"smallest count {rows.Min(r => r.Count)}" : $"categories with fewer than 10: {string.Join(", ", sparse.Select(r => $"{F(r.Category, 0)} ({r.Count})"))}"));
        int peak = Array.IndexOf(rows, rows.MaxBy(r => r.Count));
        bool unimodal = true;
        for (int c = 1; c <= peak; c++) if (rows[c].Count < rows[c - 1].Count) unimodal = false;
        for (int c = peak + 1; c < k; c++) if (rows[c].Count > rows[c - 1].Count) unimodal = false;
        checks.Add(new(2, "regular (unimodal) distribution of observations", unimodal,
            $"counts {string.Join(", ", rows.Select(r => r.Count.ToString(CultureInfo.InvariantCulture)))}"));
        bool advance = true;
        for (int c = 1; c < k; c++) if (!(rows[c].ObservedAverage > rows[c - 1].ObservedAverage)) advance = false;
        checks.Add(new(3, "average measures advance with the category", advance,
            $"observed averages {string.Join(", ", rows.Select(r => F(r.ObservedAverage, 2)))}"));
        var misfit = rows.Where(r => !(r.Outfit < 2)).ToArray();
        checks.Add(new(4, "outfit mean-square below 2.0 in each category", misfit.Length == 0,
            misfit.Length == 0 ? $"largest {F(rows.Max(r => r.Outfit), 2)}" : $"categories {string.Join(", ", misfit.Select(r => $"{F(r.Category, 0)} ({F(r.Outfit, 2)})"))}"));
        var thr = rows.Skip(1).Select(r => r.Threshold).ToArray();
        bool ordered = true;
        for (int c = 1; c < thr.Length; c++) if (!(thr[c] > thr[c - 1])) ordered = false;
        checks.Add(new(5, "Andrich thresholds advance", ordered, $"thresholds {string.Join(", ", thr.Select(t => F(t, 2)))}"));
        var coherent = rows.Where(r => !(r.CoherenceMeasureToCategory >= 0.4 && r.CoherenceCategoryToMeasure >= 0.4)).ToArray();
        checks.Add(new(6, "ratings imply measures and measures imply ratings (coherence M→C and C→M at least 40%)", coherent.Length == 0,
            coherent.Length == 0 ? "all categories coherent" : $"incoherent: {string.Join(", ", coherent.Select(r => $"{F(r.Category, 0)} ({F(r.CoherenceMeasureToCategory * 100, 0)}%/{F(r.CoherenceCategoryToMeasure * 100, 0)}%)"))}"));
        if (thr.Length < 2)
        {
            checks.Add(new(7, "thresholds advance by at least the binomial-trials spacing", true, "not applicable: one threshold"));
            checks.Add(new(8, "thresholds advance by less than 5 logits", true, "not applicable: one threshold"));
        }
        else
        {
            var gaps = Enumerable.Range(1, thr.Length - 1).Select(c => slope * (thr[c] - thr[c - 1])).ToArray();
            double min = MinimumAdvance(thr.Length);
            checks.Add(new(7, $"thresholds advance by at least {F(min, 2)} logits (binomial-trials spacing for {k} categories)", gaps.All(g => g >= min),
                $"advances {string.Join(", ", gaps.Select(g => F(g, 2)))}"));
            checks.Add(new(8, "thresholds advance by less than 5 logits", gaps.All(g => g < 5), $"largest advance {F(gaps.Max(), 2)}"));
        }
        return [.. checks];
    }

    /// <summary>Smallest adjacent spacing of the thresholds log(k / (S − k + 1)), k = 1 … S, of S binomial trials.</summary>
    internal static double MinimumAdvance(int steps)
    {
        double min = double.PositiveInfinity;
        for (int k = 1; k < steps; k++)
            min = Math.Min(min, Math.Log((k + 1.0) / (steps - k)) - Math.Log((double)k / (steps - k + 1)));
        return min;
    }

    private static string F(double x, int d) => double.IsNaN(x) ? "—" : x.ToString("F" + d.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
