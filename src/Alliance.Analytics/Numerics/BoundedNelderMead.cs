namespace Alliance.Analytics.Numerics;

/// <summary>Options for <see cref="BoundedNelderMead.Minimize"/>.</summary>
public sealed record NelderMeadOptions
{
    /// <summary>
    /// Stop when the spread of function values over the simplex falls below this tolerance relative to the best value,
    /// FunctionTolerance · max(1, |f|) (a deviance of 5·10⁵ from 100,000 rows carries rounding noise near 10⁻⁹, so an
    /// absolute tolerance could never be met there).
    /// </summary>
    public double FunctionTolerance { get; init; } = 1e-12;

    /// <summary>Stop when the simplex's largest coordinate extent falls below this tolerance as well.</summary>
    public double ParameterTolerance { get; init; } = 1e-7;

    /// <summary>Maximum function evaluations, over all restarts.</summary>
    public int MaxEvaluations { get; init; } = 20_000;

    /// <summary>Initial step of the simplex along each coordinate (lme4's Nelder–Mead uses 0.2 on θ).</summary>
    public double InitialStep { get; init; } = 0.2;

    /// <summary>
    /// How many times the search is restarted from its best point with a fresh simplex a tenth the size. The first round
    /// stops at a looser tolerance (10⁴ × <see cref="FunctionTolerance"/>) and the restart polishes to the full one; the
    /// fresh simplex also guards against the premature collapse of the first (Press et al. 2007, §10.5). Restarts stop
    /// early once one cannot improve the best point.
    /// </summary>
    public int Restarts { get; init; } = 1;
}

/// <summary>The result of a minimisation: the minimiser, the minimum, evaluations used and how it ended.</summary>
/// <param name="Minimizer">The best point found.</param>
/// <param name="Minimum">The function value there.</param>
/// <param name="Evaluations">Function evaluations used.</param>
/// <param name="Convergence">Whether the tolerances were met, iterations and exit reason.</param>
public sealed record MinimizationResult(double[] Minimizer, double Minimum, int Evaluations, Convergence Convergence);

/// <summary>
/// Derivative-free minimisation of a smooth function of a few parameters under box constraints by the Nelder–Mead
/// simplex method (Nelder &amp; Mead 1965; coefficients 1, 2, ½, ½), with trial points projected onto the box
/// <c>[lower, upper]</c> and restarts from the best vertex. Used for profiled likelihoods of a handful of variance
/// parameters (lme4's <c>Nelder_Mead</c> and BOBYQA play this role in R). MathNet's <c>NelderMeadSimplex</c> has no
/// bounds, which variance parameters on the boundary (an estimated variance of zero) need.
/// </summary>
public static class BoundedNelderMead
{
    /// <summary>
    /// Minimises <paramref name="f"/> from <paramref name="start"/> within <paramref name="lower"/> ≤ x ≤
    /// <paramref name="upper"/> (use ±∞ for an unbounded coordinate). Non-finite function values are treated as +∞.
    /// </summary>
    /// <exception cref="ArgumentException">When the vectors differ in length or the start lies outside the bounds.</exception>
    public static MinimizationResult Minimize(Func<double[], double> f, double[] start, double[] lower, double[] upper,
        NelderMeadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(start);
        options ??= new NelderMeadOptions();
        int n = start.Length;
        if (lower.Length != n || upper.Length != n) throw new ArgumentException("start, lower and upper must have the same length.", nameof(lower));
        for (int i = 0; i < n; i++)
            if (!(start[i] >= lower[i] && start[i] <= upper[i]))
                throw new ArgumentException($"start[{i}] = {start[i]} lies outside [{lower[i]}, {upper[i]}].", nameof(start));

        int evaluations = 0;
        double Eval(double[] x)
        {
            evaluations++;
            double v = f(x);
            return double.IsFinite(v) ? v : double.PositiveInfinity;
        }

        var best = (double[])start.Clone();
        double bestValue = Eval(best);
        if (n == 0) return new MinimizationResult(best, bestValue, evaluations, Convergence.ClosedForm);
        int iterations = 0;
        double spread = double.NaN;
        bool converged = false;
        string reason = "evaluation limit reached";
        for (int round = 0; round <= options.Restarts; round++)
        {
            // Restarts begin with a smaller simplex: they confirm (or refine) a minimum already found.
            // The first round stops at a looser tolerance (10⁴ × the final one); the restarts polish from there.
            double step = round == 0 ? options.InitialStep : options.InitialStep / 10;
            var roundOptions = round == 0 && options.Restarts > 0 ? options with { FunctionTolerance = options.FunctionTolerance * 1e4, ParameterTolerance = options.ParameterTolerance * 1e2 } : options;
            var (x, fx, ok, its, lastSpread) = Run(Eval, best, bestValue, lower, upper, roundOptions, step, () => evaluations, cancellationToken);
            iterations += its;
            spread = lastSpread;
            bool improved = fx < bestValue - options.FunctionTolerance * Math.Max(1, Math.Abs(bestValue));
            if (fx <= bestValue) { best = x; bestValue = fx; }
            converged = ok;
            if (!ok) { reason = "evaluation limit reached"; break; }
            reason = "simplex smaller than the tolerances";
            // A restart that cannot improve the best point confirms the minimum.
            if (round > 0 && !improved) break;
        }
        return new MinimizationResult(best, bestValue, evaluations,
            new Convergence(converged, iterations, spread, options.FunctionTolerance, reason));
    }

    private static (double[] X, double F, bool Converged, int Iterations, double Spread) Run(Func<double[], double> eval, double[] start, double startValue,
        double[] lower, double[] upper, NelderMeadOptions options, double initialStep, Func<int> used, CancellationToken cancellationToken)
    {
        int n = start.Length;
        var simplex = new double[n + 1][];
        var values = new double[n + 1];
        simplex[0] = (double[])start.Clone();
        values[0] = startValue;
        for (int i = 0; i < n; i++)
        {
            var v = (double[])start.Clone();
            double step = initialStep * Math.Max(1, Math.Abs(start[i]));
            // Step away from a bound rather than across it.
            v[i] = start[i] + step <= upper[i] ? start[i] + step : start[i] - step;
            v[i] = Math.Clamp(v[i], lower[i], upper[i]);
            if (v[i] == start[i]) v[i] = Math.Clamp(start[i] + step * 0.5, lower[i], upper[i]);
            simplex[i + 1] = v;
            values[i + 1] = eval(v);
        }
        var centroid = new double[n];
        var trial = new double[n];
        var trial2 = new double[n];
        var order = new int[n + 1];
        int iterations = 0;
        double spread = double.PositiveInfinity;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            for (int i = 0; i <= n; i++) order[i] = i;
            Array.Sort(order, (a, b) => values[a].CompareTo(values[b]));
            int lo = order[0], hi = order[n], nh = order[n - 1];
            spread = values[hi] - values[lo];
            double extent = 0;
            for (int i = 0; i <= n; i++)
                for (int j = 0; j < n; j++)
                    extent = Math.Max(extent, Math.Abs(simplex[i][j] - simplex[lo][j]));
            double ftol = options.FunctionTolerance * Math.Max(1, Math.Abs(values[lo]));
            if (spread <= ftol && extent <= options.ParameterTolerance || spread == 0 && extent <= options.ParameterTolerance * 1e3)
                return (simplex[lo], values[lo], true, iterations, spread);
            if (used() >= options.MaxEvaluations) return (simplex[lo], values[lo], false, iterations, spread);
            iterations++;

            Array.Clear(centroid);
            for (int i = 0; i <= n; i++)
            {
                if (i == hi) continue;
                for (int j = 0; j < n; j++) centroid[j] += simplex[i][j] / n;
            }
            Point(centroid, simplex[hi], -1.0, trial, lower, upper);   // reflection
            double fr = eval(trial);
            if (fr < values[lo])
            {
                Point(centroid, simplex[hi], -2.0, trial2, lower, upper); // expansion
                double fe = eval(trial2);
                if (fe < fr) Accept(trial2, fe); else Accept(trial, fr);
                continue;
            }
            if (fr < values[nh]) { Accept(trial, fr); continue; }
            bool outside = fr < values[hi];
            Point(centroid, simplex[hi], outside ? -0.5 : 0.5, trial2, lower, upper); // contraction
            double fc = eval(trial2);
            if (fc < (outside ? fr : values[hi])) { Accept(trial2, fc); continue; }
            // Shrink towards the best vertex.
            for (int i = 0; i <= n; i++)
            {
                if (i == lo) continue;
                for (int j = 0; j < n; j++) simplex[i][j] = simplex[lo][j] + 0.5 * (simplex[i][j] - simplex[lo][j]);
                values[i] = eval(simplex[i]);
            }

            void Accept(double[] point, double value)
            {
                Array.Copy(point, simplex[hi], n);
                values[hi] = value;
            }
        }
    }

    // centroid + coefficient · (worst − centroid), projected onto the box.
    private static void Point(double[] centroid, double[] worst, double coefficient, double[] into, double[] lower, double[] upper)
    {
        for (int j = 0; j < centroid.Length; j++)
            into[j] = Math.Clamp(centroid[j] + coefficient * (worst[j] - centroid[j]), lower[j], upper[j]);
    }
}
