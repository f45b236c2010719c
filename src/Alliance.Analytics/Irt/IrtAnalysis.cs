using System.Globalization;
using System.Collections.Immutable;
using Alliance.Analytics.Data;
using Alliance.Analytics.Numerics;
using Alliance.Analytics.Presentation;
using MathNet.Numerics.LinearAlgebra;

namespace Alliance.Analytics.Irt;

/// <summary>
/// Item response theory: the front door. <see cref="Fit(Data.AnalysisData, IrtOptions?, IProgress{Presentation.AnalysisProgress}?, CancellationToken)"/> fits a rating scale, partial credit, generalized partial
/// credit or graded response model by conditional or marginal ML and returns an <see cref="IrtFit"/> with parameters,
/// SEs, person measures, reliability, fit and category diagnostics. Model comparison, Andersen's LR test and DIF are in
/// <see cref="IrtAnalysis"/>.
/// </summary>
/// <remarks>
/// R equivalents: <c>eRm::RSM(x)</c>, <c>eRm::PCM(x)</c>, <c>psychotools::rsmodel(x)</c> (CML);
/// <c>mirt::mirt(x, 1, "graded")</c>, <c>mirt(x, 1, "gpcm")</c>, <c>mirt(x, 1, "Rasch")</c> (MML, 61 nodes on ±6).
/// </remarks>
public static class IrtAnalysis
{
    /// <summary>
    /// Fits an item response model to <paramref name="matrix"/> (an integer scale; missing responses allowed).
    /// </summary>
    /// <param name="matrix">The responses.</param>
    /// <param name="options">Model, estimation and settings (default: rating scale model by CML).</param>
    /// <param name="usage">The rows behind the matrix (default all).</param>
    /// <param name="progress">Progress of the iterations.</param>
    /// <param name="cancellationToken">Cancels the fit.</param>
    /// <exception cref="AllianceInputException">When the scale is not an integer scale, fewer than two items vary, CML is asked for a non-Rasch model, or an option is out of range.</exception>
    public static IrtFit Fit(ResponseMatrix matrix, IrtOptions? options = null, DataUsage? usage = null,
        IProgress<AnalysisProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        options ??= new IrtOptions();
        Validate(options);
        Limits.CheckModelCategories(matrix.Scale.IsInteger ? matrix.Scale.Points : null, "an IRT model");
        var data = ItemResponseData.Create(matrix, options.UnusedCategories, usage);
        var fit = FitData(data, options, progress, cancellationToken);
        return fit.Persons.IsDefaultOrEmpty ? fit : fit with { Persons = [.. fit.Persons.Select(p => p with { Line = matrix.SourceLine(p.Row) })] };
    }

    /// <summary>
    /// Fits an item response model to prepared data: the keyed items (<see cref="AnalysisData.Items"/>, reverse keys
    /// applied when the data were prepared), with the data's usage; the fit names the reversed items.
    /// R: <c>psychotools::rsmodel</c>/<c>pcmodel</c> (CML) or <c>mirt::mirt</c> (MML) on the keyed matrix.
    /// </summary>
    /// <param name="data">Prepared data on an integer scale.</param>
    /// <param name="options">Model, estimation and settings (default: rating scale model by CML).</param>
    /// <param name="progress">Progress of the iterations.</param>
    /// <param name="cancellationToken">Cancels the fit.</param>
    /// <exception cref="AllianceInputException">As the matrix overload.</exception>
    public static IrtFit Fit(AnalysisData data, IrtOptions? options = null, IProgress<AnalysisProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Fit(data.Items, options, data.Usage, progress, cancellationToken) with { Reversed = data.Reversed };
    }

    internal static void Validate(IrtOptions options)
    {
        if (options.EffectiveEstimation == IrtEstimation.Conditional && !options.IsRasch)
            throw new AllianceInputException($"Conditional ML exists only for Rasch models (rsm, pcm); the {IrtFit.ModelName(options.Model)} needs marginal ML (IrtOptions.Estimation = IrtEstimation.Marginal).", "IrtOptions.Estimation");
        if (options.QuadraturePoints is < 5 or > Limits.MaxQuadraturePoints) throw new AllianceInputException($"Quadrature points (IrtOptions.QuadraturePoints) must be between 5 and 501, not {options.QuadraturePoints}.", "IrtOptions.QuadraturePoints");
        if (!(options.QuadratureBound > 0)) throw new AllianceInputException("The quadrature bound must be positive.");
        if (!(options.Tolerance > 0)) throw new AllianceInputException("The tolerance must be positive.");
        if (options.MaxIterations < 1) throw new AllianceInputException("The iteration limit must be at least 1.");
    }

    internal static IrtFit FitData(ItemResponseData data, IrtOptions options, IProgress<AnalysisProgress>? progress, CancellationToken token) =>
        options.EffectiveEstimation == IrtEstimation.Conditional
            ? FitConditional(data, options, progress, token)
            : FitMarginal(data, options, progress, token);

    /// <summary>Newton tolerance of CML fits (Newton steps are cheap and converge quadratically).</summary>
    internal const double ConditionalTolerance = 1e-8;

    // ------------------------------------------------------------------ CML

    private static IrtFit FitConditional(ItemResponseData data, IrtOptions options, IProgress<AnalysisProgress>? progress, CancellationToken token)
    {
        var warnings = new List<string>(data.Warnings);
        var parallel = options.Parallel(token);
        ConditionalEstimator est;
        bool inestimable = false;
        while (true)
        {
            est = new ConditionalEstimator(data, options.Model, parallel);
            if (options.Model != IrtModelType.PartialCredit)
            {
                // rating scale: a category's parameter is shared by the items, so it is inestimable only when no item's
                // category is used by a non-extreme person; merging it would change every item, so it is flagged instead
                var bad = est.InestimableCategories().Select(b => data.Categories[b.Item][b.Category]).ToHashSet();
                foreach (int c in bad.Order())
                {
                    var withC = Enumerable.Range(0, data.ItemCount).Where(j => Array.IndexOf(data.Categories[j], c) >= 0).ToArray();
                    if (withC.All(j => est.InestimableCategories().Contains((j, Array.IndexOf(data.Categories[j], c)))))
                    {
                        inestimable = true;
                        warnings.Add($"category {(data.ScaleMin + c).ToString(CultureInfo.InvariantCulture)} was used only by persons with extreme raw scores, whose answers carry no " +
                                     "information in CML: its rating scale threshold is not estimable (the fit is reported as not converged; recode the category or use IrtOptions.Estimation = IrtEstimation.Marginal)");
                    }
                }
                break;
            }
            var first = est.InestimableCategories().DefaultIfEmpty((Item: -1, Category: -1)).First();
            if (first.Item < 0) break;
            int into = first.Category == 0 ? 1 : first.Category - 1;
            warnings.Add($"item {data.ItemNames[first.Item]}: category {Value(data, first.Item, first.Category)} was used only by persons with extreme raw scores, " +
                         $"whose answers carry no information in CML; merged into category {Value(data, first.Item, into)}");
            data = data.MergeCategory(first.Item, first.Category);
            if (data.CategoryCount(first.Item) < 2)
                data = data.DropItem(first.Item, "after merging a category used only by persons with extreme raw scores, fewer than two categories remain");
        }
        var (eta, ll, info, convergence) = est.Fit(ConditionalTolerance, Math.Min(options.MaxIterations, 200), progress, token);
        if (inestimable) convergence = convergence with { Converged = false, ExitReason = "a rating scale category is not estimable (used only by persons with extreme raw scores)" };
        if (!convergence.Converged) warnings.Add($"CML did not converge: {convergence.ExitReason} (last change {convergence.FinalChange.ToString("G3", CultureInfo.InvariantCulture)})");
        var covEta = Invert(info);
        if (covEta is null) warnings.Add("the conditional information matrix is singular: standard errors are not available");
        int nl = est.LambdaCount;
        var offsets = est.Offsets.ToArray();
        var lambda = est.Lambda(eta);
        var w = est.Design;
        double[,] covLambda = covEta is null ? Nan(nl) : Sandwich(w, covEta);

        var rasch = new RaschMaps(data, offsets, options.Model);
        var norm = rasch.NormalizeMatrix(options.Normalization);
        var lambdaN = Apply(norm, lambda);
        var covN = Sandwich(norm, covLambda);
        var erm = rasch.NormalizeMatrix(RaschNormalization.Erm);
        var lambdaE = Apply(erm, lambda);
        var covE = Sandwich(erm, covLambda);
        var thr = rasch.ThresholdMatrix();
        var b = Apply(thr, lambdaN);
        var covB = Sandwich(thr, covN);
        var bE = Apply(thr, lambdaE);
        var covBE = Sandwich(thr, covE);
        var loc = rasch.LocationMatrix();
        var locN = Apply(loc, lambdaN);
        var covLoc = Sandwich(loc, covN);
        var locE = Apply(loc, lambdaE);

        int m = data.ItemCount;
        var itemSet = new ItemSet
        {
            Graded = false,
            A = Enumerable.Repeat(1.0, m).ToArray(),
            D = [.. Enumerable.Range(0, m).Select(j => new[] { 0.0 }.Concat(lambdaN.AsSpan(offsets[j], offsets[j + 1] - offsets[j]).ToArray()).ToArray())],
            Scores = data.Scores,
        };
        ImmutableArray<double> tau = [], tauSe = [];
        if (options.Model == IrtModelType.RatingScale)
        {
            var tm = rasch.AndrichMatrix();
            if (tm is null) warnings.Add("no item has every category: Andrich thresholds are not reported");
            else
            {
                tau = [.. Apply(tm, lambdaN)];
                var ct = Sandwich(tm, covN);
                tauSe = [.. Enumerable.Range(0, tau.Length).Select(k => Math.Sqrt(ct[k, k]))];
            }
        }
        var items = new IrtItemDraft[m];
        for (int j = 0; j < m; j++)
        {
            int o = offsets[j], n = offsets[j + 1] - o;
            items[j] = new IrtItemDraft(
                1, double.NaN,
                Slice(lambdaN, o, n), Diag(covN, o, n),
                Slice(b, o, n), Diag(covB, o, n),
                locN[j], Math.Sqrt(covLoc[j, j]),
                Slice(bE, o, n), Diag(covBE, o, n), locE[j]);
        }
        return Assemble(data, options, IrtEstimation.Conditional, items, itemSet, ll, est.ParameterCount, convergence, est.ExtremePersons,
            latentSd: double.NaN, latentSdSe: double.NaN, tau, tauSe,
            covEta is null ? "not available (singular information)" : "inverse of the observed information (analytic Hessian of the conditional log-likelihood)",
            warnings, progress, token);
    }

    private static string Value(ItemResponseData data, int item, int category) =>
        (data.ScaleMin + data.Categories[item][category]).ToString(CultureInfo.InvariantCulture);

    /// <summary>Linear maps of the Rasch λ vector (λ_jc = log ε_jc for c ≥ 1): normalisations, thresholds, locations, Andrich thresholds.</summary>
    private sealed class RaschMaps(ItemResponseData data, int[] offsets, IrtModelType model)
    {
        private int N => offsets[^1];

        private double[,] Matrix(int rows, Func<double[], double[]> f)
        {
            var mat = new double[rows, N];
            var e = new double[N];
            for (int i = 0; i < N; i++)
            {
                e[i] = 1;
                var col = f(e);
                for (int r = 0; r < rows; r++) mat[r, i] = col[r];
                e[i] = 0;
            }
            return mat;
        }

        public double[] Thresholds(double[] lambda)
        {
            var b = new double[N];
            for (int j = 0; j < data.ItemCount; j++)
            {
                var s = data.Scores[j];
                for (int c = 1; c < s.Length; c++)
                {
                    double prev = c == 1 ? 0 : lambda[offsets[j] + c - 2];
                    b[offsets[j] + c - 1] = -(lambda[offsets[j] + c - 1] - prev) / (s[c] - s[c - 1]);
                }
            }
            return b;
        }

        public double[] Locations(double[] lambda)
        {
            var b = Thresholds(lambda);
            var loc = new double[data.ItemCount];
            for (int j = 0; j < data.ItemCount; j++)
            {
                int o = offsets[j], n = offsets[j + 1] - o;
                double s = 0;
                for (int k = 0; k < n; k++) s += b[o + k];
                loc[j] = s / n;
            }
            return loc;
        }

        public double[] Normalize(double[] lambda, RaschNormalization kind)
        {
            double t;
            if (kind == RaschNormalization.LocationsSumToZero) t = Locations(lambda).Average();
            else if (model == IrtModelType.PartialCredit)
            {
                double sl = 0, ss = 0;
                for (int j = 0; j < data.ItemCount; j++)
                    for (int c = 1; c < data.Scores[j].Length; c++) { sl += lambda[offsets[j] + c - 1]; ss += data.Scores[j][c]; }
                t = -sl / ss;
            }
            else
            {
                double sl = 0, ss = 0;
                for (int j = 0; j < data.ItemCount; j++) { sl += lambda[offsets[j]]; ss += data.Scores[j][1]; }
                t = -sl / ss;
            }
            var result = new double[N];
            for (int j = 0; j < data.ItemCount; j++)
                for (int c = 1; c < data.Scores[j].Length; c++) result[offsets[j] + c - 1] = lambda[offsets[j] + c - 1] + data.Scores[j][c] * t;
            return result;
        }

        public double[,] NormalizeMatrix(RaschNormalization kind) => Matrix(N, l => Normalize(l, kind));
        public double[,] ThresholdMatrix() => Matrix(N, Thresholds);
        public double[,] LocationMatrix() => Matrix(data.ItemCount, Locations);

        /// <summary>τ_c = b_jc − location_j of the first item that has every category of the scale's range; null when none has.</summary>
        public double[,]? AndrichMatrix()
        {
            int top = data.Categories.Max(c => c[^1]), bottom = data.Categories.Min(c => c[0]);
            int j = Array.FindIndex(data.Categories, c => c.Length == top - bottom + 1);
            if (j < 0) return null;
            int n = data.Scores[j].Length - 1;
            return Matrix(n, l =>
            {
                var b = Thresholds(l);
                double mean = 0;
                for (int k = 0; k < n; k++) mean += b[offsets[j] + k];
                mean /= n;
                return [.. Enumerable.Range(0, n).Select(k => b[offsets[j] + k] - mean)];
            });
        }
    }

    // ------------------------------------------------------------------ MML

    private static IrtFit FitMarginal(ItemResponseData data, IrtOptions options, IProgress<AnalysisProgress>? progress, CancellationToken token)
    {
        var warnings = new List<string>(data.Warnings);
        var grid = options.Grid();
        bool freeVar = options.IsRasch && options.FreeLatentVarianceForRasch;
        var est = new MarginalEstimator(data, options.Model, grid, freeVar, options.Parallel(token));
        var (x, final, convergence) = est.Fit(options.Tolerance, options.MaxIterations, options.Accelerate, progress, token);
        if (!convergence.Converged)
            warnings.Add($"EM did not converge: {convergence.ExitReason} after {convergence.Iterations} iterations (largest parameter change {convergence.FinalChange.ToString("G3", CultureInfo.InvariantCulture)}, tolerance {convergence.Tolerance.ToString("G2", CultureInfo.InvariantCulture)})");
        int p = est.ParameterCount;
        double[,]? cov = null;
        string seMethod = "not computed";
        if (options.StandardErrors)
        {
            progress?.Report(new AnalysisProgress("standard errors (observed information)", double.NaN));
            var names = est.ParameterNames();
            double[,]? oakes = null, xpd = null;
            // the observed information: Louis' form (one pass over the patterns, pairwise counts by node) while its
            // accumulator fits in 512 MB, else Oakes' posterior term by differences (2 E-steps per parameter)
            bool louis = est.LouisBytes <= 512L << 20;
            if (options.StandardErrorMethod == IrtStandardErrorMethod.CrossProduct) xpd = est.CrossProductInformation(x, token);
            else if (louis) oakes = est.LouisInformation(x, token, out xpd);
            else
            {
                oakes = est.OakesInformation(x, token);
                if (options.StandardErrorMethod == IrtStandardErrorMethod.Sandwich) xpd = est.CrossProductInformation(x, token);
            }
            string observed = louis
                ? "observed information by Oakes' identity, its posterior term Σ_u f_u Cov(S_u) computed analytically from pairwise expected counts by node (Louis 1982)"
                : "observed information by Oakes' identity (analytic complete-data Hessian + central differences of the analytic complete-data gradient in the posterior weights)";
            string? problem;
            switch (options.StandardErrorMethod)
            {
                case IrtStandardErrorMethod.CrossProduct:
                    cov = InvertInformation(xpd!, names, out problem);
                    seMethod = "inverse of the cross-product (XPD) information Σ_u f_u s_u s_uᵀ of the pattern scores";
                    break;
                case IrtStandardErrorMethod.Sandwich:
                    var inv = InvertInformation(oakes!, names, out problem);
                    cov = inv is null ? null : Sandwich(inv, xpd!);
                    seMethod = $"sandwich I⁻¹ (Σ_u f_u s_u s_uᵀ) I⁻¹, I the {observed}";
                    break;
                default:
                    cov = InvertInformation(oakes!, names, out problem);
                    seMethod = $"inverse of the {observed}; as mirt SE.type = \"Oakes\"";
                    break;
            }
            if (cov is null)
            {
                warnings.Add($"standard errors are not available: the information matrix is singular or not positive definite — {problem}");
                seMethod = $"not available ({problem})";
            }
        }
        cov ??= Nan(p);
        bool graded = options.Model == IrtModelType.GradedResponse;
        int m = data.ItemCount;
        var itemSet = new ItemSet { Graded = graded, A = new double[m], D = new double[m][], Scores = data.Scores };
        var drafts = new IrtItemDraft[m];
        for (int j = 0; j < m; j++)
        {
            var (a, d) = est.ItemParameters(x, j);
            itemSet.A[j] = a;
            itemSet.D[j] = d;
            var jac = est.LocalJacobian(j);
            var cl = Sandwich(jac, cov);          // covariance of (a, d_1 … d_{m−1})
            int n = d.Length - 1;
            var s = data.Scores[j];
            // b as a function of (a, d): gradient rows
            var gb = new double[n, n + 1];
            var bvals = new double[n];
            for (int c = 1; c <= n; c++)
            {
                if (graded)
                {
                    bvals[c - 1] = -d[c] / a;
                    gb[c - 1, 0] = d[c] / (a * a);
                    gb[c - 1, c] = -1 / a;
                }
                else
                {
                    double ds = s[c] - s[c - 1];
                    bvals[c - 1] = -(d[c] - d[c - 1]) / (a * ds);
                    gb[c - 1, 0] = (d[c] - d[c - 1]) / (a * a * ds);
                    gb[c - 1, c] = -1 / (a * ds);
                    if (c > 1) gb[c - 1, c - 1] = 1 / (a * ds);
                }
            }
            var covb = Sandwich(gb, cl);
            var gl = new double[1, n + 1];
            for (int c = 0; c < n; c++) for (int k = 0; k <= n; k++) gl[0, k] += gb[c, k] / n;
            var covl = Sandwich(gl, cl);
            bool fixedSlope = options.IsRasch;
            drafts[j] = new IrtItemDraft(a, fixedSlope ? double.NaN : Math.Sqrt(cl[0, 0]),
                d[1..], [.. Enumerable.Range(1, n).Select(c => Math.Sqrt(cl[c, c]))],
                bvals, [.. Enumerable.Range(0, n).Select(c => Math.Sqrt(covb[c, c]))],
                bvals.Average(), Math.Sqrt(covl[0, 0]),
                options.IsRasch ? bvals : [], options.IsRasch ? [.. Enumerable.Range(0, n).Select(c => Math.Sqrt(covb[c, c]))] : [],
                options.IsRasch ? bvals.Average() : double.NaN);
        }
        ImmutableArray<double> tau = [], tauSe = [];
        if (options.Model == IrtModelType.RatingScale)
        {
            int top = data.Categories.Max(c => c[^1]), bottom = data.Categories.Min(c => c[0]);
            int jf = Array.FindIndex(data.Categories, c => c.Length == top - bottom + 1);
            if (jf >= 0)
            {
                tau = [.. drafts[jf].B.Select(v => v - drafts[jf].Location)];
                var jac = est.LocalJacobian(jf);
                var cl = Sandwich(jac, cov);
                int n = tau.Length;
                var g = new double[n, n + 1];
                for (int c = 1; c <= n; c++)
                {
                    // τ_c = b_c − mean b with a = 1: b_c = −(d_c − d_{c−1}) / Δs
                    for (int k = 1; k <= n; k++)
                    {
                        double coef = (k == c ? 1 : 0) - 1.0 / n;
                        double ds = data.Scores[jf][k] - data.Scores[jf][k - 1];
                        g[c - 1, k] += -coef / ds;
                        if (k > 1) g[c - 1, k - 1] += coef / ds;
                    }
                }
                var ct = Sandwich(g, cl);
                tauSe = [.. Enumerable.Range(0, n).Select(k => Math.Sqrt(ct[k, k]))];
            }
        }
        double sigma = est.Sigma(x);
        double sigmaSe = freeVar ? Math.Sqrt(cov[p - 1, p - 1]) : double.NaN;
        var prior = grid.WithNormal(0, sigma);
        return Assemble(data, options, IrtEstimation.Marginal, drafts, itemSet, final.LogLik, p, convergence, extreme: CountExtreme(data, itemSet),
            sigma, sigmaSe, tau, tauSe, seMethod, warnings, progress, token, prior);
    }

    private static int CountExtreme(ItemResponseData data, ItemSet items)
    {
        int n = 0;
        for (int u = 0; u < data.PatternCount; u++) if (items.Extreme(data.Pattern(u)) != 0) n += data.PatternCounts[u];
        return n;
    }

    // ------------------------------------------------------------------ assembly

    private sealed record IrtItemDraft(double A, double AStandardError, double[] D, double[] DSe, double[] B, double[] BStandardErrors, double Location, double LocationStandardError,
        double[] ErmThresholds, double[] ErmThresholdStandardErrors, double ErmLocation);

    private static IrtFit Assemble(ItemResponseData data, IrtOptions options, IrtEstimation estimation, IrtItemDraft[] drafts, ItemSet itemSet,
        double ll, int npar, Convergence convergence, int extreme, double latentSd, double latentSdSe, ImmutableArray<double> tau, ImmutableArray<double> tauSe,
        string seMethod, List<string> warnings, IProgress<AnalysisProgress>? progress, CancellationToken token, QuadratureGrid? prior = null)
    {
        progress?.Report(new AnalysisProgress("person measures and fit", double.NaN));
        var diag = !options.Diagnostics ? IrtDiagnostics.Empty(data, prior) : IrtDiagnostics.Run(data, itemSet, options, estimation, drafts.Select(d => (d.Location, d.LocationStandardError)).ToArray(), [.. drafts.Select(d => d.B)], [.. drafts.Select(d => d.BStandardErrors)], tau, tauSe, prior, token);
        double latentMean = 0;
        if (estimation == IrtEstimation.Conditional) { latentSd = diag.Prior.StandardDeviation; latentMean = diag.Prior.Mean; }
        var items = new IrtItem[drafts.Length];
        for (int j = 0; j < drafts.Length; j++)
        {
            var d = drafts[j];
            bool ordered = true;
            for (int c = 1; c < d.B.Length; c++) if (!(d.B[c] > d.B[c - 1])) ordered = false;
            items[j] = new IrtItem
            {
                Name = data.ItemNames[j],
                Categories = [.. data.Categories[j].Select(c => data.ScaleMin + c)],
                Scores = [.. data.Scores[j]],
                A = d.A, AStandardError = d.AStandardError,
                Intercepts = [.. d.D], InterceptStandardErrors = [.. d.DSe],
                B = [.. d.B], BStandardErrors = [.. d.BStandardErrors],
                Location = d.Location, LocationStandardError = d.LocationStandardError,
                ErmThresholds = [.. d.ErmThresholds], ErmThresholdStandardErrors = [.. d.ErmThresholdStandardErrors], ErmLocation = d.ErmLocation,
                ThresholdsOrdered = ordered,
                Fit = diag.ItemFit[j],
            };
            if (!ordered) warnings.Add($"item {data.ItemNames[j]}: thresholds are disordered ({string.Join(", ", d.B.Select(v => v.ToString("F2", CultureInfo.InvariantCulture)))})");
        }
        warnings.AddRange(diag.Warnings);
        return new IrtFit
        {
            Model = options.Model,
            Estimation = estimation,
            Options = options,
            Items = [.. items],
            ExcludedItems = [.. data.ExcludedItems.Select(e => $"{e.Item}: {e.Reason}")],
            LogLikelihood = ll,
            ParameterCount = npar,
            PersonCount = data.PersonCount,
            ExtremePersons = extreme,
            Convergence = convergence,
            LatentSd = latentSd,
            LatentSdStandardError = latentSdSe,
            LatentMean = latentMean,
            AndrichThresholds = tau,
            AndrichThresholdStandardErrors = tauSe,
            StandardErrorMethod = seMethod,
            PersonEstimator = options.EffectivePersonEstimator,
            Persons = diag.Persons,
            Reliability = diag.Reliability,
            ScaleCategories = diag.Scale,
            ItemCategories = diag.ItemTables,
            Usage = data.Usage,
            Warnings = [.. warnings.Distinct()],
            ItemSet = itemSet,
            Data = data,
        };
    }

    // ------------------------------------------------------------------ small linear algebra

    internal static double[,]? Invert(double[,] information)
    {
        // no determinant test: with many parameters and large n the determinant overflows although the matrix is fine
        var mat = Matrix<double>.Build.DenseOfArray(information);
        for (int i = 0; i < mat.RowCount; i++) if (!double.IsFinite(mat[i, i]) || !(mat[i, i] > 0)) return null;
        try
        {
            var chol = mat.Cholesky();
            var l = chol.Factor;
            for (int i = 0; i < l.RowCount; i++) if (!(l[i, i] > 0) || !double.IsFinite(l[i, i])) return null;
            return chol.Solve(Matrix<double>.Build.DenseIdentity(mat.RowCount)).ToArray();
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>
    /// Inverts an information matrix, or says why it cannot: a parameter with no information (diagonal ≤ 0), or the
    /// parameters that load on the near-null directions of the correlation-scaled information (eigenvalue below
    /// 1e-10 of the largest, eigenvector component ≥ 0.2 in absolute value). A Cholesky inverse is accepted when every
    /// variance-inflation factor (I⁻¹)_ii I_ii is below 1e10.
    /// </summary>
    internal static double[,]? InvertInformation(double[,] information, string[] names, out string? problem)
    {
        problem = null;
        int n = information.GetLength(0);
        var noInfo = Enumerable.Range(0, n).Where(i => !(information[i, i] > 0) || !double.IsFinite(information[i, i])).ToArray();
        if (noInfo.Length > 0)
        {
            problem = "no information about " + string.Join("; ", noInfo.Select(i => names[i])) + " (e.g. a category nobody used, or an item everyone answered alike)";
            return null;
        }
        var cov = Invert(information);
        // a variance-inflation factor cov_ii · I_ii above 1e10 means the parameter is (numerically) a combination of others
        if (cov is not null && Enumerable.Range(0, n).All(i => cov[i, i] > 0 && double.IsFinite(cov[i, i]) && cov[i, i] * information[i, i] < 1e10)) return cov;
        var scaled = Matrix<double>.Build.Dense(n, n, (i, k) => information[i, k] / Math.Sqrt(information[i, i] * information[k, k]));
        var evd = scaled.Evd(MathNet.Numerics.LinearAlgebra.Symmetricity.Symmetric);
        var values = evd.EigenValues.Select(v => v.Real).ToArray();
        double max = values.Max(Math.Abs);
        var bad = new SortedSet<int>();
        for (int e = 0; e < n; e++)
        {
            if (values[e] > 1e-10 * max) continue;
            for (int i = 0; i < n; i++) if (Math.Abs(evd.EigenVectors[i, e]) >= 0.2) bad.Add(i);
        }
        if (bad.Count == 0) bad.Add(Array.IndexOf(values, values.Min()) is var e0 && e0 >= 0 ? Enumerable.Range(0, n).MaxBy(i => Math.Abs(evd.EigenVectors[i, e0])) : 0);
        problem = $"smallest eigenvalue of the correlation-scaled information {values.Min().ToString("G3", CultureInfo.InvariantCulture)}; " +
                  "not identified together: " + string.Join("; ", bad.Select(i => names[i]));
        return null;
    }

    private static double[,] Nan(int n)
    {
        var a = new double[n, n];
        for (int i = 0; i < n; i++) for (int k = 0; k < n; k++) a[i, k] = double.NaN;
        return a;
    }

    /// <summary>A Σ Aᵀ.</summary>
    internal static double[,] Sandwich(double[,] a, double[,] sigma)
    {
        int r = a.GetLength(0), n = a.GetLength(1);
        var tmp = new double[r, n];
        for (int i = 0; i < r; i++)
            for (int k = 0; k < n; k++)
            {
                double aik = a[i, k];
                if (aik == 0) continue;
                for (int l = 0; l < n; l++) tmp[i, l] += aik * sigma[k, l];
            }
        var result = new double[r, r];
        for (int i = 0; i < r; i++)
            for (int i2 = 0; i2 < r; i2++)
            {
                double s = 0;
                for (int l = 0; l < n; l++) if (a[i2, l] != 0) s += tmp[i, l] * a[i2, l];
                result[i, i2] = s;
            }
        return result;
    }

    private static double[] Apply(double[,] a, double[] x)
    {
        int r = a.GetLength(0), n = a.GetLength(1);
        var y = new double[r];
        for (int i = 0; i < r; i++)
        {
            double s = 0;
            for (int k = 0; k < n; k++) s += a[i, k] * x[k];
            y[i] = s;
        }
        return y;
    }

    private static double[] Slice(double[] x, int from, int n) => x.AsSpan(from, n).ToArray();

    private static double[] Diag(double[,] c, int from, int n) => [.. Enumerable.Range(from, n).Select(i => Math.Sqrt(c[i, i]))];
}
