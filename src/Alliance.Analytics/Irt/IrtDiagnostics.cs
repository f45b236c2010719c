using System.Globalization;
using System.Collections.Immutable;
using Alliance.Analytics.Numerics;
using MathNet.Numerics.Distributions;

namespace Alliance.Analytics.Irt;

/// <summary>
/// Everything computed from fitted item parameters and the persons' responses: person measures, item and person fit,
/// reliability and separation, category tables with Linacre's guidelines. Works on the unique response patterns and,
/// for Rasch models, on the sufficient statistics (missing-value pattern, raw score) for the measures.
/// </summary>
internal static class IrtDiagnostics
{
    internal sealed record Output(ItemFitStatistics[] ItemFit, ImmutableArray<PersonMeasure> Persons, IrtReliability? Reliability,
        CategoryTable? Scale, ImmutableArray<CategoryTable> ItemTables, List<string> Warnings, QuadratureGrid Prior);

    /// <summary>No diagnostics (estimation only): NaN fit, no persons or tables.</summary>
    public static Output Empty(ItemResponseData data, QuadratureGrid? prior) => new(
        [.. Enumerable.Repeat(new ItemFitStatistics(0, double.NaN, double.NaN, double.NaN, double.NaN), data.ItemCount)],
        [], null, null, [], [], prior ?? QuadratureGrid.Normal());

    public static Output Run(ItemResponseData data, ItemSet items, IrtOptions options, IrtEstimation estimation,
        (double Location, double Se)[] locations, double[][] b, double[][] bSe, ImmutableArray<double> tau, ImmutableArray<double> tauSe, QuadratureGrid? prior, CancellationToken token)
    {
        var warnings = new List<string>();
        int m = data.ItemCount, u = data.PatternCount;
        bool rasch = options.IsRasch;
        bool conditional = estimation == IrtEstimation.Conditional;
        var parallel = options.Parallel(token);

        // groups of patterns with the same measures: Rasch models → (missing pattern, raw score); otherwise each pattern
        var group = new int[u];
        var representatives = new List<int>();
        if (rasch)
        {
            var keys = new Dictionary<string, int>(StringComparer.Ordinal);
            var key = new char[m + 1];
            for (int p = 0; p < u; p++)
            {
                var pat = data.Pattern(p);
                int score = 0;
                for (int j = 0; j < m; j++)
                {
                    key[j] = pat[j] == ItemResponseData.Missing ? '0' : '1';
                    if (pat[j] != ItemResponseData.Missing) score += data.Scores[j][pat[j]];
                }
                string k = new string(key, 0, m) + ":" + score.ToString(CultureInfo.InvariantCulture);
                if (!keys.TryGetValue(k, out int g)) { g = representatives.Count; keys.Add(k, g); representatives.Add(p); }
                group[p] = g;
            }
        }
        else
        {
            for (int p = 0; p < u; p++) { group[p] = p; representatives.Add(p); }
        }
        int ng = representatives.Count;
        var groupCount = new double[ng];
        for (int p = 0; p < u; p++) groupCount[group[p]] += data.PatternCounts[p];

        // the latent distribution: given (MML) or a normal fitted with the items fixed (CML)
        var grid = prior;
        if (grid is null)
        {
            (grid, bool converged) = FitLatentNormal(data, items, representatives, groupCount, options, parallel);
            if (!converged) warnings.Add($"the normal latent distribution fitted for EAP/MAP person measures did not converge in {LatentNormalIterations} iterations; EAP and MAP measures are approximate");
        }

        var eap = new Measure[ng];
        var table = new LogProbabilityTable(items, grid);
        System.Threading.Tasks.Parallel.For(0, ng, parallel, g =>
        {
            var pat = data.Pattern(representatives[g]);
            eap[g] = table.Eap(pat, items.Extreme(pat));
        });
        var reportedEstimator = options.EffectivePersonEstimator;
        var reported = reportedEstimator == PersonEstimator.Eap ? eap : Measures(reportedEstimator);
        var fitEstimator = conditional ? PersonEstimator.MaximumLikelihood : PersonEstimator.Eap;
        var fitMeasures = fitEstimator == reportedEstimator ? reported : fitEstimator == PersonEstimator.Eap ? eap : Measures(fitEstimator);
        foreach (var (set, e) in new[] { (reported, reportedEstimator), (fitMeasures, fitEstimator) }.DistinctBy(x => x.Item2))
        {
            int capped = 0;
            for (int g = 0; g < ng; g++) if (set[g].IterationLimit) capped += (int)groupCount[g];
            if (capped > 0)
                warnings.Add($"{IrtFit.EstimatorName(e)} person measures: the root finder stopped at its limit of {PersonScoring.MaxIterations} iterations for {capped.ToString(CultureInfo.InvariantCulture)} person(s); their measures are approximate");
        }

        Measure[] Measures(PersonEstimator e)
        {
            var r = new Measure[ng];
            System.Threading.Tasks.Parallel.For(0, ng, parallel, g => r[g] = PersonScoring.Estimate(items, data.Pattern(representatives[g]), e, grid));
            return r;
        }

        // item fit sums and person fit per pattern
        var itemSums = new double[m, 6]; // n, Σz², Σy², ΣV, ΣC/V², Σ(C − V²)
        var personFit = new (double Infit, double Outfit, double Lz)[u];
        int mx = items.MaxCategories;
        Span<double> prob = stackalloc double[mx];
        for (int p = 0; p < u; p++)
        {
            var pat = data.Pattern(p);
            var meas = fitMeasures[group[p]];
            double w = data.PatternCounts[p];
            if (!double.IsFinite(meas.Theta) || (conditional && meas.Extreme != 0)) { personFit[p] = (double.NaN, double.NaN, double.NaN); continue; }
            double sy2 = 0, sv = 0, sz2 = 0, l0 = 0, el = 0, vl = 0;
            int n = 0;
            for (int j = 0; j < m; j++)
            {
                byte x = pat[j];
                if (x == ItemResponseData.Missing) continue;
                var s = data.Scores[j];
                int mj = s.Length;
                items.Probabilities(j, meas.Theta, prob);
                double e = 0;
                for (int c = 0; c < mj; c++) e += s[c] * prob[c];
                double v = 0, c4 = 0, lp = 0, lp2 = 0;
                for (int c = 0; c < mj; c++)
                {
                    double dev = s[c] - e;
                    v += dev * dev * prob[c];
                    c4 += dev * dev * dev * dev * prob[c];
                    double lg = Math.Log(Math.Max(prob[c], 1e-300));
                    lp += prob[c] * lg;
                    lp2 += prob[c] * lg * lg;
                }
                double y = s[x] - e;
                double z2 = y * y / v;
                itemSums[j, 0] += w;
                itemSums[j, 1] += w * z2;
                itemSums[j, 2] += w * y * y;
                itemSums[j, 3] += w * v;
                itemSums[j, 4] += w * c4 / (v * v);
                itemSums[j, 5] += w * (c4 - v * v);
                sy2 += y * y; sv += v; sz2 += z2; n++;
                l0 += Math.Log(Math.Max(prob[x], 1e-300));
                el += lp;
                vl += lp2 - lp * lp;
            }
            personFit[p] = (sy2 / sv, sz2 / n, (l0 - el) / Math.Sqrt(vl));
        }
        var itemFit = new ItemFitStatistics[m];
        for (int j = 0; j < m; j++)
        {
            double n = itemSums[j, 0];
            double outfit = itemSums[j, 1] / n, infit = itemSums[j, 2] / itemSums[j, 3];
            double qOut = Math.Sqrt(Math.Max(itemSums[j, 4] / (n * n) - 1 / n, 1e-12));
            double qIn = Math.Sqrt(Math.Max(itemSums[j, 5] / (itemSums[j, 3] * itemSums[j, 3]), 1e-12));
            itemFit[j] = new ItemFitStatistics((int)n, infit, outfit, Zstd(infit, qIn), Zstd(outfit, qOut));
        }
        if (!conditional) itemFit = SX2.Compute(data, items, grid, itemFit, options, warnings);

        // persons
        var persons = new PersonMeasure[data.PersonCount];
        for (int i = 0; i < data.PersonCount; i++)
        {
            int p = data.PersonPattern[i];
            var pat = data.Pattern(p);
            int answered = 0, score = 0;
            for (int j = 0; j < m; j++)
                if (pat[j] != ItemResponseData.Missing) { answered++; score += data.Scores[j][pat[j]]; }
            var meas = reported[group[p]];
            var pf = personFit[p];
            persons[i] = new PersonMeasure(data.Rows[i], 0, answered, score, meas.Theta, meas.StandardError, meas.Extreme, pf.Infit, pf.Outfit, pf.Lz);
        }

        // reliability
        var eapThetas = new List<double>(data.PersonCount);
        double psd2 = 0;
        for (int i = 0; i < data.PersonCount; i++)
        {
            var me = eap[group[data.PersonPattern[i]]];
            eapThetas.Add(me.Theta);
            psd2 += me.StandardError * me.StandardError;
        }
        double eapMean = eapThetas.Average();
        double eapVar = eapThetas.Sum(t => (t - eapMean) * (t - eapMean)) / (eapThetas.Count - 1);
        double marginal = eapVar / (eapVar + psd2 / eapThetas.Count);
        SeparationStatistics personModel, personReal;
        if (fitEstimator == PersonEstimator.Eap && reportedEstimator == PersonEstimator.Eap)
        {
            personModel = SeparationStatistics.FromReliability(eapThetas.Count, Math.Sqrt(eapVar), marginal);
            personReal = personModel;
        }
        else
        {
            var src = fitEstimator == PersonEstimator.MaximumLikelihood ? fitMeasures : reported;
            var th = new List<double>();
            var se = new List<double>();
            var seReal = new List<double>();
            for (int i = 0; i < data.PersonCount; i++)
            {
                int p = data.PersonPattern[i];
                var me = src[group[p]];
                if (me.Extreme != 0 || !double.IsFinite(me.Theta)) continue;
                th.Add(me.Theta);
                se.Add(me.StandardError);
                double inf = personFit[p].Infit;
                seReal.Add(me.StandardError * Math.Sqrt(Math.Max(1, double.IsNaN(inf) ? 1 : inf)));
            }
            personModel = SeparationStatistics.From(th, se);
            personReal = SeparationStatistics.From(th, seReal);
        }
        var locs = locations.Select(l => l.Location).ToList();
        var itemModel = SeparationStatistics.From(locs, [.. locations.Select(l => l.Se)]);
        var itemReal = SeparationStatistics.From(locs, [.. locations.Select((l, j) => l.Se * Math.Sqrt(Math.Max(1, itemFit[j].Infit)))]);
        var reliability = new IrtReliability(personModel, personReal, itemModel, itemReal, marginal);
        if (personModel.Separation < 2) warnings.Add($"person separation {F2(personModel.Separation)} is below 2 (reliability {F2(personModel.Reliability)} < .80): the measure cannot tell high from low alliance well");
        if (itemModel.Separation < 3 && rasch) warnings.Add($"item separation {F2(itemModel.Separation)} is below 3 (reliability {F2(itemModel.Reliability)} < .90): too few persons to confirm the item hierarchy");

        var (scale, tables) = CategoryDiagnostics.Tables(data, items, options.Model, reported, group, locations, tau, tauSe, b, bSe);
        return new Output(itemFit, [.. persons], reliability, scale, tables, warnings, grid);
    }

    private static string F2(double x) => x.ToString("F2", CultureInfo.InvariantCulture);

    /// <summary>Wilson–Hilferty standardisation of a mean-square with model SD q: (MSQ^{1/3} − 1)(3/q) + q/3.</summary>
    internal static double Zstd(double msq, double q) => (Math.Cbrt(msq) - 1) * (3 / q) + q / 3;

    /// <summary>
    /// N(μ, σ²) for the persons of a CML fit with the items fixed, by EM on the posterior moments (nodes μ + σ·z, z on
    /// the option's grid): μ = mean E[θ|x], σ² = mean(Var[θ|x] + (E[θ|x] − μ)²).
    /// </summary>
    private static (QuadratureGrid Grid, bool Converged) FitLatentNormal(ItemResponseData data, ItemSet items, List<int> reps, double[] counts, IrtOptions options, ParallelOptions parallel)
    {
        double mu = 0, sd = 1.5;
        var z = QuadratureGrid.Normal(options.QuadraturePoints, options.QuadratureBound);
        double total = counts.Sum();
        bool converged = false;
        for (int it = 0; it < LatentNormalIterations; it++)
        {
            var table = new LogProbabilityTable(items, Shifted(z, mu, sd));
            var mean = new double[reps.Count];
            var var = new double[reps.Count];
            System.Threading.Tasks.Parallel.For(0, reps.Count, parallel, g =>
            {
                var me = table.Eap(data.Pattern(reps[g]), 0);
                mean[g] = me.Theta;
                var[g] = me.StandardError * me.StandardError;
            });
            double m1 = 0;
            for (int g = 0; g < reps.Count; g++) m1 += counts[g] * mean[g];
            m1 /= total;
            double v = 0;
            for (int g = 0; g < reps.Count; g++) v += counts[g] * (var[g] + (mean[g] - m1) * (mean[g] - m1));
            double sdNew = Math.Sqrt(v / total);
            double change = Math.Max(Math.Abs(m1 - mu), Math.Abs(sdNew - sd));
            mu = m1;
            sd = sdNew;
            if (change < 1e-5) { converged = true; break; }
        }
        return (Shifted(z, mu, sd), converged);
    }

    /// <summary>EM iteration limit of <see cref="FitLatentNormal"/>.</summary>
    internal const int LatentNormalIterations = 200;

    internal static QuadratureGrid Shifted(QuadratureGrid z, double mu, double sd) => QuadratureGrid.Custom(
        [.. z.Nodes.ToArray().Select(t => mu + sd * t)], z.Weights.ToArray(), mu, sd);
}
