using System.Globalization;
using Alliance.Analytics.Numerics;
using MathNet.Numerics.Distributions;

namespace Alliance.Analytics.Irt;

/// <summary>
/// Orlando &amp; Thissen's (2000) S-X² item fit for marginal fits (polytomous form: Kang &amp; Chen 2008): observed and
/// model-expected category proportions of each item within groups of the summed score, the expected ones from the
/// Lord–Wingersky recursion integrated over the latent distribution. Complete rows with a summed score strictly between
/// the lowest and highest possible (the persons used are reported, the rest warned about); summed scores are accumulated
/// forward from the low end into a group that closes once every expected cell count is at least 1, a remainder joining
/// the last group (mirt's <c>mincell = 1</c> instead merges sparse interior cells into the neighbour with fewer
/// observations, so groupings can differ); df = groups × (m − 1) − the item's free parameters.
/// R: <c>mirt::itemfit(fit, "S_X2")</c>.
/// </summary>
internal static class SX2
{
    public static ItemFitStatistics[] Compute(ItemResponseData data, ItemSet items, QuadratureGrid grid, ItemFitStatistics[] fit, IrtOptions options, List<string> warnings)
    {
        int m = data.ItemCount;
        var complete = Enumerable.Range(0, data.PatternCount).Where(u => !data.Pattern(u).Contains(ItemResponseData.Missing)).ToArray();
        long n = complete.Sum(u => (long)data.PatternCounts[u]);
        if (n < 20)
        {
            warnings.Add("S-X² not computed: fewer than 20 complete rows");
            return fit;
        }
        int smax = data.Scores.Sum(s => s[^1]);
        var nodes = grid.Nodes;
        var w = grid.Weights;
        int q = nodes.Length;
        // per node: category probabilities, prefix and suffix score distributions
        var prob = new double[q][][];
        var full = new double[smax + 1];
        var without = new double[m][];
        for (int j = 0; j < m; j++) without[j] = new double[(smax + 1) * m]; // [S − s][c] packed later
        var expectedNum = new double[m][,];
        for (int j = 0; j < m; j++) expectedNum[j] = new double[smax + 1, data.CategoryCount(j)];
        for (int k = 0; k < q; k++)
        {
            var pk = new double[m][];
            for (int j = 0; j < m; j++) { pk[j] = new double[data.CategoryCount(j)]; items.Probabilities(j, nodes[k], pk[j]); }
            prob[k] = pk;
            // Lord–Wingersky: the summed-score distribution at a node is the ESF of the category probabilities
            var (prefix, suffix) = ElementarySymmetricFunctions.PrefixSuffix(pk, data.Scores);
            for (int s = 0; s <= smax; s++) full[s] += w[k] * prefix[m][s];
            for (int j = 0; j < m; j++)
            {
                var rest = ElementarySymmetricFunctions.Convolve(prefix[j], suffix[j + 1]);
                var sc = data.Scores[j];
                for (int s = 0; s <= smax; s++)
                    for (int c = 0; c < sc.Length; c++)
                    {
                        int r = s - sc[c];
                        if (r >= 0 && r < rest.Length) expectedNum[j][s, c] += w[k] * pk[j][c] * rest[r];
                    }
            }
        }
        // observed counts by summed score
        var nS = new double[smax + 1];
        var obs = new double[m][,];
        for (int j = 0; j < m; j++) obs[j] = new double[smax + 1, data.CategoryCount(j)];
        foreach (int u in complete)
        {
            var pat = data.Pattern(u);
            int s = 0;
            for (int j = 0; j < m; j++) s += data.Scores[j][pat[j]];
            nS[s] += data.PatternCounts[u];
            for (int j = 0; j < m; j++) obs[j][s, pat[j]] += data.PatternCounts[u];
        }
        // persons S-X² uses: complete rows with a summed score strictly between the lowest and the highest possible
        long used = 0;
        for (int s = 1; s < smax; s++) used += (long)nS[s];
        long total = data.PatternCounts.Sum(c => (long)c);
        if (used < total)
            warnings.Add($"S-X² used {used.ToString(CultureInfo.InvariantCulture)} of {total.ToString(CultureInfo.InvariantCulture)} persons: " +
                         $"{(total - n).ToString(CultureInfo.InvariantCulture)} with a missing answer and {(n - used).ToString(CultureInfo.InvariantCulture)} with the lowest or highest possible summed score left out");
        var result = (ItemFitStatistics[])fit.Clone();
        for (int j = 0; j < m; j++)
        {
            int mj = data.CategoryCount(j);
            var groups = new List<(double[] O, double[] E)>();
            var curO = new double[mj];
            var curE = new double[mj];
            for (int s = 1; s < smax; s++)
            {
                if (nS[s] == 0) continue;
                for (int c = 0; c < mj; c++)
                {
                    curO[c] += obs[j][s, c];
                    curE[c] += nS[s] * expectedNum[j][s, c] / full[s];
                }
                if (curE.All(e => e >= 1))
                {
                    groups.Add((curO, curE));
                    curO = new double[mj];
                    curE = new double[mj];
                }
            }
            if (curE.Sum() > 0)
            {
                if (groups.Count == 0) groups.Add((curO, curE));
                else
                {
                    var last = groups[^1];
                    for (int c = 0; c < mj; c++) { last.O[c] += curO[c]; last.E[c] += curE[c]; }
                }
            }
            double x2 = 0;
            foreach (var (o, e) in groups)
                for (int c = 0; c < mj; c++) if (e[c] > 0) x2 += (o[c] - e[c]) * (o[c] - e[c]) / e[c];
            int npar = options.Model switch
            {
                IrtModelType.RatingScale => 1,
                IrtModelType.PartialCredit => mj - 1,
                _ => mj,
            };
            int df = groups.Count * (mj - 1) - npar;
            double p = df > 0 ? 1 - ChiSquared.CDF(df, x2) : double.NaN;
            result[j] = fit[j] with { SX2 = x2, SX2DegreesOfFreedom = df, SX2PValue = p, SX2N = (int)used };
        }
        return result;
    }
}
