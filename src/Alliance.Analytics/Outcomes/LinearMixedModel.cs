using System.Collections.Immutable;
using System.Globalization;
using Alliance.Analytics.Data;
using Alliance.Analytics.Numerics;
using Alliance.Analytics.Presentation;
using MathNet.Numerics.Distributions;
using MathNet.Numerics.LinearAlgebra;

namespace Alliance.Analytics.Outcomes;

/// <summary>How variance parameters are estimated.</summary>
public enum EstimationMethod
{
    /// <summary>Restricted maximum likelihood (lme4's default, <c>REML = TRUE</c>).</summary>
    Reml,
    /// <summary>Maximum likelihood (<c>REML = FALSE</c>), for comparing models that differ in fixed effects.</summary>
    MaximumLikelihood,
}

/// <summary>Denominator degrees of freedom for the t tests of fixed effects.</summary>
public enum DegreesOfFreedomMethod
{
    /// <summary>Satterthwaite's approximation as lmerTest computes it (Kuznetsova, Brockhoff &amp; Christensen 2017).</summary>
    Satterthwaite,
    /// <summary>Residual degrees of freedom n − p (anticonservative when groups are few; the "stated approximation").</summary>
    Residual,
}

/// <summary>Options for <see cref="LinearMixedModel.Fit(string, ModelFrame, MixedModelOptions?, IProgress{AnalysisProgress}?, CancellationToken)"/>.</summary>
public sealed record MixedModelOptions
{
    /// <summary>REML (default) or ML.</summary>
    public EstimationMethod Method { get; init; } = EstimationMethod.Reml;

    /// <summary>Degrees of freedom for fixed-effect tests (default Satterthwaite).</summary>
    public DegreesOfFreedomMethod DegreesOfFreedom { get; init; } = DegreesOfFreedomMethod.Satterthwaite;

    /// <summary>Confidence level of the fixed-effect intervals (Wald, with the t quantile on the chosen df).</summary>
    public double Level { get; init; } = Defaults.Level;

    /// <summary>The optimiser's settings (tolerances on the deviance and on θ, evaluation limit).</summary>
    public NelderMeadOptions Optimizer { get; init; } = new();
}

/// <summary>
/// Linear mixed models fitted by REML or ML with nested random effects — two levels (sessions within clients) or
/// three (sessions within clients within therapists) with random intercepts and slopes — by minimising the profiled
/// deviance of Bates, Mächler, Bolker &amp; Walker (2015) over the relative covariance factors θ. Agrees with
/// <c>lme4::lmer(formula, data, REML = TRUE/FALSE)</c>; Satterthwaite degrees of freedom as
/// <c>lmerTest::lmer</c>. See <see cref="NestedMixedModelKernel"/> for the closed-form per-cluster factorisation.
/// </summary>
/// <example><code>
/// var fit = LinearMixedModel.Fit("phq9 ~ session + (1 + session | client) + (1 | therapist)", ModelFrame.FromDataset(data));
/// Console.WriteLine(fit.Summary().ToText());
/// </code></example>
public static class LinearMixedModel
{
    /// <summary>Fits the model <paramref name="formula"/> (lme4 notation, see <see cref="MixedModelFormula"/>) to <paramref name="frame"/>.</summary>
    /// <exception cref="AllianceInputException">When the formula or data do not suit the model (unknown column, crossed groups, too few rows or groups, collinear fixed effects …).</exception>
    public static MixedModelFit Fit(string formula, ModelFrame frame, MixedModelOptions? options = null,
        IProgress<AnalysisProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Fit(MixedModelFormula.Parse(formula), frame, options, progress, cancellationToken);

    /// <summary>Fits a parsed formula; see <see cref="Fit(string, ModelFrame, MixedModelOptions?, IProgress{AnalysisProgress}?, CancellationToken)"/>.</summary>
    public static MixedModelFit Fit(MixedModelFormula formula, ModelFrame frame, MixedModelOptions? options = null,
        IProgress<AnalysisProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(formula);
        ArgumentNullException.ThrowIfNull(frame);
        options ??= new MixedModelOptions();
        if (!(options.Level > 0 && options.Level < 1))
            throw new ArgumentOutOfRangeException(nameof(options), options.Level, "The confidence level must be in (0, 1).");
        if (formula.Random.Length == 0)
            throw new AllianceInputException($"formula '{formula}': no random-effect term; add e.g. (1 | client), or use ordinary regression");
        if (formula.Random.Length > 2)
            throw new AllianceInputException($"formula '{formula}': at most two nested random-effect terms are supported (two- and three-level models)");
        progress?.Report(new AnalysisProgress("setting up the mixed model", double.NaN));

        // Which rows have every variable.
        var numericNames = formula.Fixed.SelectMany(f => f.Variables).Concat(formula.Random.SelectMany(r => r.Slopes)).Prepend(formula.Response).Distinct().ToArray();
        var groupNames = formula.Random.SelectMany(r => r.Grouping).Distinct().ToArray();
        var numeric = numericNames.Select(n => frame.Numeric(n).ToArray()).ToArray();
        var factors = groupNames.Select(frame.Factor).ToArray();
        var keep = new List<int>(frame.RowCount);
        var dropped = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (int r = 0; r < frame.RowCount; r++)
        {
            string? missing = null;
            for (int v = 0; v < numeric.Length && missing is null; v++) if (double.IsNaN(numeric[v][r])) missing = numericNames[v];
            for (int g = 0; g < factors.Length && missing is null; g++) if (factors[g].Codes[r] < 0) missing = groupNames[g];
            if (missing is null) keep.Add(r);
            else (dropped.TryGetValue(missing, out var l) ? l : dropped[missing] = []).Add(frame.SourceLine(r));
        }
        var usage = DataUsage.All(frame.RowCount);
        foreach (var (name, lines) in dropped) usage = usage.Exclude($"missing {name}", lines.Count, lines);
        int n = keep.Count;
        int p = formula.Fixed.Length;
        if (n <= p + 1) throw new AllianceInputException($"{frame.Source}: {n} complete rows for {p} fixed effects; a mixed model needs more ({usage})");

        // Fixed design and response.
        var x = new double[n * p];
        var y = new double[n];
        var index = numericNames.Select((name, i) => (name, i)).ToDictionary(t => t.name, t => t.i, StringComparer.Ordinal);
        for (int k = 0; k < n; k++)
        {
            int r = keep[k];
            y[k] = numeric[0][r];
            for (int j = 0; j < p; j++)
            {
                double v = 1;
                foreach (var name in formula.Fixed[j].Variables) v *= numeric[index[name]][r];
                x[k * p + j] = v;
            }
        }

        // Group codes of each term (combinations of its factors), dense among the rows kept.
        var terms = formula.Random.Select(term =>
        {
            var map = new Dictionary<(int, int, int), int>();
            var labels = new List<string>();
            var codes = new int[n];
            var gi = term.Grouping.Select(g => Array.IndexOf(groupNames, g)).ToArray();
            if (gi.Length > 3) throw new AllianceInputException($"formula '{formula}': at most three grouping factors in one term");
            // Level labels in the order of the group's name ("C001:T01" for client:therapist), as lme4 labels them.
            var labelOrder = term.GroupName.Split(':').Select(g => Array.IndexOf(term.Grouping.ToArray(), g)).ToArray();
            var key3 = new int[3];
            for (int k = 0; k < n; k++)
            {
                int r = keep[k];
                for (int j = 0; j < 3; j++) key3[j] = j < gi.Length ? factors[gi[j]].Codes[r] : -1;
                var key = (key3[0], key3[1], key3[2]);
                if (!map.TryGetValue(key, out int c))
                {
                    map[key] = c = map.Count;
                    labels.Add(string.Join(":", labelOrder.Select(j => factors[gi[j]].Levels[key3[j]])));
                }
                codes[k] = c;
            }
            return (Term: term, Codes: codes, Levels: labels.ToImmutableArray());
        }).ToArray();
        foreach (var t in terms)
            if (t.Levels.Length >= n)
                throw new AllianceInputException($"{frame.Source}: the grouping factor {t.Term.GroupName} has {t.Levels.Length} levels for {n} rows; " +
                    "each group needs more than one row on average (lme4: number of levels of each grouping factor must be < number of observations)");

        // Inner term: the one with more levels; it must nest in the outer one.
        int innerTerm = terms.Length == 2 && terms[1].Levels.Length > terms[0].Levels.Length ? 1 : 0;
        var inner = terms[innerTerm];
        (RandomTerm Term, int[] Codes, ImmutableArray<string> Levels)? outer = terms.Length == 2 ? terms[1 - innerTerm] : null;
        int[]? outerOfInner = null;
        if (outer is { } o)
        {
            outerOfInner = Enumerable.Repeat(-1, inner.Levels.Length).ToArray();
            for (int k = 0; k < n; k++)
            {
                int i = inner.Codes[k], t = o.Codes[k];
                if (outerOfInner[i] < 0) outerOfInner[i] = t;
                else if (outerOfInner[i] != t)
                    throw new AllianceInputException($"{frame.Source}, line {frame.SourceLine(keep[k])}: {inner.Term.GroupName} '{inner.Levels[i]}' appears under two " +
                        $"{o.Term.GroupName} levels ('{o.Levels[outerOfInner[i]]}' and '{o.Levels[t]}'): the grouping factors are crossed, and only nested " +
                        $"random effects are supported; write (… | {o.Term.GroupName}/{inner.Term.Grouping[^1]}) to nest them");
            }
            if (inner.Levels.Length == o.Levels.Length)
                throw new AllianceInputException($"{frame.Source}: {inner.Term.GroupName} and {o.Term.GroupName} define the same groups; drop one term");
        }

        double[] Design(RandomTerm term)
        {
            int q = term.ColumnNames.Length;
            var z = new double[n * q];
            for (int k = 0; k < n; k++)
            {
                int r = keep[k], c = 0;
                if (term.Intercept) z[k * q + c++] = 1;
                foreach (var s in term.Slopes) z[k * q + c++] = numeric[index[s]][r];
            }
            return z;
        }
        var kernel = new NestedMixedModelKernel(x, p, y, Design(inner.Term), inner.Term.ColumnNames.Length, inner.Codes, inner.Levels.Length,
            outer is { } oo ? Design(oo.Term) : null, outer?.Term.ColumnNames.Length ?? 0, outerOfInner, outer?.Levels.Length ?? 0);

        // Rank of X (lme4 drops collinear columns; we refuse them, naming them).
        var xtx = Matrix<double>.Build.Dense(p, p);
        for (int k = 0; k < n; k++)
            for (int a = 0; a < p; a++)
                for (int b = 0; b < p; b++) xtx[a, b] += x[k * p + a] * x[k * p + b];
        if (xtx.Rank() < p)
            throw new AllianceInputException($"formula '{formula}': the fixed effects {string.Join(", ", formula.Fixed.Select(f => f.Name))} are collinear (or one is constant) in the {n} rows used");

        bool reml = options.Method == EstimationMethod.Reml;
        var (start, lower) = kernel.StartAndBounds();
        var upper = Enumerable.Repeat(double.PositiveInfinity, start.Length).ToArray();
        progress?.Report(new AnalysisProgress("optimising the " + (reml ? "REML" : "ML") + " criterion", double.NaN));
        var opt = BoundedNelderMead.Minimize(th => kernel.Deviance(th, reml), start, lower, upper, options.Optimizer, cancellationToken);
        var theta = opt.Minimizer;
        var state = kernel.Evaluate(theta, keep: true);
        if (!state.Ok) throw new AnalysisFailedException($"formula '{formula}': the mixed model could not be evaluated at its optimum (singular system)");
        double criterion = kernel.Deviance(state, reml);
        int dfResidual = reml ? n - p : n;
        double sigma2 = state.Pwrss / dfResidual;
        double sigma = Math.Sqrt(sigma2);
        var unscaled = kernel.UnscaledCovariance(state);
        var vcov = unscaled.Select(v => v * sigma2).ToArray();

        // Denominator degrees of freedom.
        var warnings = new List<string>();
        var df = new double[p];
        if (options.DegreesOfFreedom == DegreesOfFreedomMethod.Residual) Array.Fill(df, n - p);
        else
        {
            progress?.Report(new AnalysisProgress("Satterthwaite degrees of freedom", double.NaN));
            df = Satterthwaite(kernel, theta, sigma, reml, vcov, warnings);
        }

        // Random-effect covariances, conditional modes and variances.
        var (innerU, outerU, innerCov, outerCov) = kernel.ConditionalModes(state);
        var termFits = new RandomEffectTerm[terms.Length];
        for (int k = 0; k < terms.Length; k++)
        {
            bool isInner = k == innerTerm;
            var t = terms[k];
            int q = t.Term.ColumnNames.Length;
            var th = isInner ? theta.AsSpan(0, kernel.ThetaCount1) : theta.AsSpan(kernel.ThetaCount1);
            var lam = NestedMixedModelKernel.Lambda(th, q);
            var cov = new double[q * q];
            for (int a = 0; a < q; a++)
                for (int b = 0; b < q; b++)
                {
                    double s = 0;
                    for (int c = 0; c < q; c++) s += lam[a * q + c] * lam[b * q + c];
                    cov[a * q + b] = sigma2 * s;
                }
            var u = isInner ? innerU : outerU;
            var uc = isInner ? innerCov : outerCov;
            int m = t.Levels.Length;
            var modes = new double[m * q];
            var condSd = new double[m * q];
            for (int g = 0; g < m; g++)
            {
                for (int a = 0; a < q; a++)
                {
                    double s = 0;
                    for (int c = 0; c < q; c++) s += lam[a * q + c] * u[g * q + c];
                    modes[g * q + a] = s;
                    // Var(b | y) = σ² Λ (LLᵀ)⁻¹ Λᵀ, diagonal element a.
                    double v = 0;
                    for (int c = 0; c < q; c++)
                        for (int d = 0; d < q; d++) v += lam[a * q + c] * uc[(g * q + c) * q + d] * lam[a * q + d];
                    condSd[g * q + a] = Math.Sqrt(Math.Max(sigma2 * v, 0));
                }
            }
            termFits[k] = new RandomEffectTerm(t.Term.GroupName, t.Term.ColumnNames, [.. cov], t.Levels, [.. modes], [.. condSd]);
        }
        // lme4 lists terms by decreasing number of levels.
        var ordered = termFits.OrderByDescending(t => t.Levels.Length).ToImmutableArray();

        bool singular = false;
        {
            var (st, lo) = kernel.StartAndBounds();
            for (int k = 0; k < theta.Length; k++) if (lo[k] == 0 && theta[k] < 1e-4) singular = true;
        }
        if (singular) warnings.Add("boundary (singular) fit: a random-effect variance is estimated as (near) zero or a correlation as ±1; simplify the random effects");
        if (!opt.Convergence.Converged) warnings.Add($"the {(reml ? "REML" : "ML")} optimisation did not converge ({opt.Convergence}); estimates are not reliable");

        double tq = 0;
        var fixedEffects = new FixedEffectEstimate[p];
        for (int j = 0; j < p; j++)
        {
            double se = Math.Sqrt(vcov[j * p + j]);
            double tv = state.Beta[j] / se;
            double d = df[j];
            double pv = double.IsFinite(d) && d > 0 ? 2 * StudentT.CDF(0, 1, d, -Math.Abs(tv)) : double.NaN;
            tq = double.IsFinite(d) && d > 0 ? TailProbabilities.StudentQuantileUpper((1 - options.Level) / 2, d) : double.NaN;
            fixedEffects[j] = new FixedEffectEstimate(formula.Fixed[j].Name, state.Beta[j], se, d, tv, pv,
                new ConfidenceInterval(state.Beta[j] - tq * se, state.Beta[j] + tq * se, options.Level, "Wald t"));
        }
        int parameters = p + theta.Length + 1;
        double minus2LogLik = criterion;
        return new MixedModelFit
        {
            Formula = formula,
            Options = options,
            FixedEffects = [.. fixedEffects],
            FixedEffectCovariance = [.. vcov],
            RandomEffects = ordered,
            ResidualVariance = sigma2,
            Theta = [.. theta],
            Criterion = criterion,
            LogLikelihood = -minus2LogLik / 2,
            Aic = minus2LogLik + 2 * parameters,
            Bic = minus2LogLik + parameters * Math.Log(n),
            Observations = n,
            Convergence = opt.Convergence,
            Evaluations = opt.Evaluations,
            IsSingular = singular,
            Usage = usage,
            Warnings = [.. warnings],
        };
    }

    // lmerTest's Satterthwaite df: A = 2 H⁻¹ (H the Hessian of the deviance in (θ, σ), pseudo-inverse on eigenvalues
    // > 1e-8), g = ∂ Var(β̂ⱼ)/∂(θ, σ) by Richardson differences, df = 2 Var(β̂ⱼ)² / (gᵀ A g).
    private static double[] Satterthwaite(NestedMixedModelKernel kernel, double[] theta, double sigma, bool reml, double[] vcov, List<string> warnings)
    {
        int p = kernel.FixedEffectCount, m = theta.Length + 1;
        var varpar = theta.Append(sigma).ToArray();
        var h = NumericalDerivatives.Hessian(v => kernel.DevianceAtSigma(v.AsSpan(0, m - 1), v[m - 1], reml), varpar);
        var hm = Matrix<double>.Build.DenseOfArray(h);
        if (hm.Enumerate().Any(v => !double.IsFinite(v)))
        {
            warnings.Add("Satterthwaite degrees of freedom could not be computed (the deviance Hessian is not finite); df reported as missing");
            return Enumerable.Repeat(double.NaN, p).ToArray();
        }
        var evd = hm.Evd(MathNet.Numerics.LinearAlgebra.Symmetricity.Symmetric);
        var ainv = Matrix<double>.Build.Dense(m, m);
        int negative = 0, zero = 0;
        for (int k = 0; k < m; k++)
        {
            double ev = evd.EigenValues[k].Real;
            if (ev < -1e-8) negative++;
            else if (ev < 1e-8) zero++;
            if (ev <= 1e-8) continue;
            var vec = evd.EigenVectors.Column(k);
            ainv += vec.OuterProduct(vec) * (2 / ev);
        }
        if (negative > 0) warnings.Add($"the deviance Hessian has {negative} negative eigenvalue(s): the fit may not be at a minimum (Satterthwaite df uses the positive part)");
        if (zero > 0) warnings.Add($"the deviance Hessian has {zero} eigenvalue(s) near zero (a variance on the boundary); Satterthwaite df use the positive part");
        var jac = NumericalDerivatives.Jacobian(v =>
        {
            var s = kernel.Evaluate(v.AsSpan(0, m - 1));
            var inv = kernel.UnscaledCovariance(s);
            double s2 = v[m - 1] * v[m - 1];
            var diag = new double[p];
            for (int j = 0; j < p; j++) diag[j] = s2 * inv[j * p + j];
            return diag;
        }, varpar);
        var df = new double[p];
        for (int j = 0; j < p; j++)
        {
            var g = Vector<double>.Build.Dense(m, k => jac[j, k]);
            double denom = g * (ainv * g);
            double v = vcov[j * p + j];
            df[j] = denom > 0 ? 2 * v * v / denom : double.NaN;
        }
        return df;
    }
}
