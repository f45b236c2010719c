using System.Globalization;
using Alliance.Analytics.Numerics;
using MathNet.Numerics.RootFinding;

namespace Alliance.Analytics.Meta;

/// <summary>What a kernel fit computes beyond the coefficients.</summary>
internal enum FitDetail
{
    /// <summary>τ², β, their covariance, tests and QM (enough for permutation tests and leave-one-out loops).</summary>
    Coefficients,
    /// <summary>Everything: also QE, I², H², log-likelihoods.</summary>
    Full,
}

/// <summary>The settings a kernel fit needs (the numeric part of <see cref="MetaAnalysisOptions"/>).</summary>
internal readonly record struct KernelSettings(TauEstimator Estimator, MetaTest Test, double Level, double? FixedTau2, double Threshold, int MaxIterations, double StepAdjustment, double RootTolerance)
{
    public static KernelSettings From(MetaAnalysisOptions o) =>
        new(o.Estimator, o.Test, o.Level, o.FixedTau2, o.Threshold, o.MaxIterations, o.StepAdjustment, o.RootTolerance);
}

/// <summary>One fit of the univariate model yᵢ = xᵢ′β + uᵢ + εᵢ, uᵢ ~ N(0, τ²), εᵢ ~ N(0, vᵢ): the raw numbers.</summary>
internal sealed class KernelFit
{
    public required int K;
    public required int CoefficientCount;
    public double Tau2;
    public double Tau2StandardError = double.NaN;
    public int Iterations;
    public double FinalChange = double.NaN;
    public bool Converged = true;
    public string ExitReason = "closed form";
    public bool ResetToZero;
    public double Tau2Initial = double.NaN;
    public required double[] Beta;
    public required double[] Covariance;
    public required double[] StandardError;
    public required double[] Statistic;
    public required double[] PValue;
    public required double[] CiLower;
    public required double[] CiUpper;
    public double Critical;
    public double Df = double.NaN;
    public double S2w = 1;
    public double QM = double.NaN, QMp = double.NaN;
    public int QMdf;
    public double QE = double.NaN, QEp = double.NaN, Vt = double.NaN, I2 = double.NaN, H2 = double.NaN;
    public double LogLikML = double.NaN, LogLikREML = double.NaN;
    public required double[] Weights;
}

/// <summary>
/// The computational core of <c>metafor::rma.uni</c>: τ² by the nine estimators (metafor's algorithms step for step,
/// so fits agree to rounding), weighted least squares for β, z or Knapp–Hartung tests, Q, I², H² and the Q-profile
/// interval. One instance holds scratch space for k studies and p coefficients and is reused across refits (leave-one-
/// out, permutations); it is not thread-safe. Designs must contain an intercept column.
/// </summary>
/// <remarks>
/// With W = diag(wᵢ), C = (X′WX)⁻¹ and P = W − WXCX′W, every trace the estimators need is computed in O(kp²) without
/// forming P: Pᵢᵢ = wᵢ − qᵢ with qᵢ = wᵢ²xᵢ′Cxᵢ, and for diagonal A = diag(a), B = diag(b)
/// tr(PAPB) = Σ wᵢ²aᵢbᵢ − 2Σ wᵢaᵢbᵢqᵢ + tr(C G_b C G_a) with G_a = X′ diag(a w²) X.
/// </remarks>
internal sealed class UnivariateKernel
{
    private readonly int _p;
    private readonly double[] _w, _q, _ones, _beta, _c, _l, _ga, _gb, _t1, _t2, _e;
    private bool _inverseReady;
    private readonly int[] _nzIndex, _nzCount;
    private readonly double[] _rhs;

    public UnivariateKernel(int k, int p)
    {
        _p = p;
        _w = new double[k];
        _q = new double[k];
        _e = new double[k];
        _ones = new double[k];
        Array.Fill(_ones, 1.0);
        _beta = new double[p];
        _c = new double[p * p];
        _l = new double[p * p];
        _nzIndex = new int[k * p];
        _nzCount = new int[k];
        _rhs = new double[p];
        _ga = new double[p * p];
        _gb = new double[p * p];
        _t1 = new double[p * p];
        _t2 = new double[p * p];
    }

    /// <summary>Fits the model to (y, v, X) with the given settings.</summary>
    /// <exception cref="AllianceInputException">When the design is singular (collinear moderators) or k ≤ p.</exception>
    /// <exception cref="AnalysisFailedException">When Paule–Mandel finds no root below its upper bound.</exception>
    public KernelFit Fit(ReadOnlySpan<double> y, ReadOnlySpan<double> v, ReadOnlySpan<double> x, in KernelSettings s, FitDetail detail)
    {
        int k = y.Length, p = _p;
        var w = _w.AsSpan(0, k);
        var fit = new KernelFit
        {
            K = k, CoefficientCount = p,
            Beta = new double[p], Covariance = new double[p * p], StandardError = new double[p], Statistic = new double[p],
            PValue = new double[p], CiLower = new double[p], CiUpper = new double[p], Weights = new double[k],
        };
        if (k < p) throw new AllianceInputException($"{k} studies cannot support {p} coefficients.");
        IndexNonzeros(x, k);

        // ---- τ²
        if (s.Estimator == TauEstimator.EqualEffects) fit.Tau2 = 0;
        else if (k == 1) fit.Tau2 = s.FixedTau2 ?? 0;
        else EstimateTau2(y, v, x, s, fit, detail == FitDetail.Full);

        // ---- β and its covariance
        double tau2 = fit.Tau2;
        for (int i = 0; i < k; i++) w[i] = 1 / (v[i] + tau2);
        w.CopyTo(fit.Weights);
        if (!WeightedLeastSquares.Fit(x, p, y, w, fit.Beta, fit.Covariance))
            throw new AllianceInputException("the moderators are collinear (or a moderator does not vary): the model matrix is singular.");
        double rss = WeightedLeastSquares.WeightedRss(x, p, y, w, fit.Beta);
        // metafor (rma.uni) sets test = "z" when k = 1: the Knapp–Hartung scale has no degrees of freedom there.
        bool knha = s.Test == MetaTest.KnappHartung && k > 1;
        if (knha)
        {
            fit.S2w = rss <= 2.220446049250313e-16 ? 0 : rss / (k - p);
            for (int j = 0; j < p * p; j++) fit.Covariance[j] *= fit.S2w;
            fit.Df = k - p;
        }
        double upper = (1 - s.Level) / 2;
        fit.Critical = knha ? (fit.Df > 0 ? TailProbabilities.StudentQuantileUpper(upper, fit.Df) : double.NaN) : TailProbabilities.NormalQuantileUpper(upper);
        for (int j = 0; j < p; j++)
        {
            double se = Math.Sqrt(fit.Covariance[j * p + j]);
            fit.StandardError[j] = se;
            fit.Statistic[j] = fit.Beta[j] / se;
            fit.PValue[j] = knha ? TailProbabilities.StudentTwoSided(fit.Statistic[j], fit.Df) : TailProbabilities.NormalTwoSided(fit.Statistic[j]);
            fit.CiLower[j] = fit.Beta[j] - fit.Critical * se;
            fit.CiUpper[j] = fit.Beta[j] + fit.Critical * se;
        }
        OmnibusTest(fit, knha);
        if (detail == FitDetail.Coefficients) return fit;

        // ---- heterogeneity (always with equal-effects weights 1/v, as metafor)
        if (k > p)
        {
            for (int i = 0; i < k; i++) w[i] = 1 / v[i];
            Project(x, y, w);
            fit.QE = Math.Max(0, Rss(x, y, w));
            fit.QEp = TailProbabilities.ChiSquareUpper(fit.QE, k - p);
            double trP = TraceP(w);
            fit.Vt = (k - p) / trP;
            if (s.Estimator == TauEstimator.EqualEffects)
            {
                fit.I2 = Math.Max(0, 100 * (fit.QE - (k - p)) / fit.QE);
                fit.H2 = fit.QE / (k - p);
            }
            else
            {
                fit.I2 = 100 * tau2 / (fit.Vt + tau2);
                fit.H2 = tau2 / fit.Vt + 1;
            }
        }
        else
        {
            fit.QE = 0; fit.QEp = 1; fit.I2 = 0; fit.H2 = 1; fit.Vt = 0;
        }

        // ---- log-likelihoods (metafor's fit.stats; REML with the ½ log|X′X| term)
        double sumLog = 0;
        for (int i = 0; i < k; i++) sumLog += Math.Log(v[i] + tau2);
        for (int i = 0; i < k; i++) w[i] = 1 / (v[i] + tau2);
        double logDetXWX = LogDetCrossProduct(x, w);
        double logDetXX = LogDetCrossProduct(x, _ones.AsSpan(0, k));
        fit.LogLikML = -0.5 * k * Math.Log(2 * Math.PI) - 0.5 * sumLog - 0.5 * rss;
        fit.LogLikREML = -0.5 * (k - p) * Math.Log(2 * Math.PI) + 0.5 * logDetXX - 0.5 * sumLog - 0.5 * logDetXWX - 0.5 * rss;
        return fit;
    }

    private void OmnibusTest(KernelFit fit, bool knha)
    {
        int p = _p;
        int first = p == 1 ? 0 : 1;
        int m = p - first;
        fit.QMdf = m;
        if (m == 1)
        {
            double b = fit.Beta[first];
            fit.QM = b * b / fit.Covariance[first * p + first];
        }
        else
        {
            Span<double> sub = stackalloc double[m * m];
            Span<double> bb = stackalloc double[m];
            for (int a = 0; a < m; a++)
            {
                bb[a] = fit.Beta[first + a];
                for (int c = 0; c < m; c++) sub[a * m + c] = fit.Covariance[(first + a) * p + first + c];
            }
            fit.QM = WeightedLeastSquares.InvertSymmetric(sub, m) ? WeightedLeastSquares.Quadratic(sub, bb, m) : double.NaN;
        }
        if (knha)
        {
            fit.QM /= m;
            fit.QMp = fit.Df > 0 ? TailProbabilities.FUpper(fit.QM, m, fit.Df) : double.NaN;
        }
        else fit.QMp = TailProbabilities.ChiSquareUpper(fit.QM, m);
    }

    // ------------------------------------------------------------------ τ² estimators

    private void EstimateTau2(ReadOnlySpan<double> y, ReadOnlySpan<double> v, ReadOnlySpan<double> x, in KernelSettings s, KernelFit fit, bool standardError)
    {
        int k = y.Length, p = _p;
        var w = _w.AsSpan(0, k);
        double kp = k - p;
        if (s.FixedTau2 is { } fixedTau2)
        {
            fit.Tau2 = fixedTau2;
            fit.ExitReason = "τ² fixed";
            return;
        }
        double tau2;
        switch (s.Estimator)
        {
            case TauEstimator.DerSimonianLaird:
            case TauEstimator.HunterSchmidt:
            {
                for (int i = 0; i < k; i++) w[i] = 1 / v[i];
                Project(x, y, w);
                double rss = Rss(x, y, w), trP = TraceP(w), sumW = Sum(w);
                double sumPP = TracePAPB(x, w, _ones, _ones);
                if (s.Estimator == TauEstimator.DerSimonianLaird)
                {
                    tau2 = (rss - kp) / trP;
                    double t = Math.Max(tau2, 0);
                    fit.Tau2StandardError = Math.Sqrt(1 / (trP * trP) * (2 * kp + 4 * t * trP + 2 * t * t * sumPP));
                }
                else
                {
                    tau2 = (rss - k) / sumW;
                    double t = Math.Max(tau2, 0);
                    fit.Tau2StandardError = Math.Sqrt(1 / (sumW * sumW) * (2 * kp + 4 * t * trP + 2 * t * t * sumPP));
                }
                break;
            }
            case TauEstimator.Hedges:
            {
                tau2 = Hedges(y, v, x, out double trPV, out double trPVPV);
                double t = Math.Max(tau2, 0);
                fit.Tau2StandardError = Math.Sqrt(1 / (kp * kp) * (2 * trPVPV + 4 * t * trPV + 2 * t * t * kp));
                break;
            }
            case TauEstimator.SidikJonkman:
            {
                double mean = 0;
                for (int i = 0; i < k; i++) mean += y[i];
                mean /= k;
                double tau0 = 0;
                for (int i = 0; i < k; i++) tau0 += (y[i] - mean) * (y[i] - mean);
                tau0 /= k;
                for (int i = 0; i < k; i++) w[i] = 1 / (v[i] + tau0);
                Project(x, y, w);
                double rss = Rss(x, y, w);
                tau2 = tau0 * rss / kp;
                fit.Tau2Initial = tau0;
                double t = Math.Max(tau2, 0);
                double pvpv = TracePAPB(x, w, v, v), pvp = TracePAPB(x, w, _ones, v), pp = TracePAPB(x, w, _ones, _ones);
                fit.Tau2StandardError = Math.Sqrt(tau0 * tau0 / (kp * kp) * (2 * pvpv + 4 * t * pvp + 2 * t * t * pp));
                break;
            }
            case TauEstimator.PauleMandel:
                tau2 = PauleMandel(y, v, x, s, fit);
                for (int i = 0; i < k; i++) w[i] = 1 / (v[i] + Math.Max(tau2, 0));
                fit.Tau2StandardError = Math.Sqrt(2.0 * k * k / kp / (Sum(w) * Sum(w)));
                break;
            default:
                tau2 = FisherScoring(y, v, x, s, fit, standardError);
                break;
        }
        fit.Tau2 = Math.Max(0, tau2);
    }

    /// <summary>Hedges' estimator from OLS residuals: τ² = (RSS − tr(PV))/(k − p) with P = I − X(X′X)⁻¹X′.</summary>
    private double Hedges(ReadOnlySpan<double> y, ReadOnlySpan<double> v, ReadOnlySpan<double> x, out double trPV, out double trPVPV, bool traces = true)
    {
        int k = y.Length;
        var ones = _ones.AsSpan(0, k);
        Project(x, y, ones);
        double rss = Rss(x, y, ones);
        trPV = 0;
        for (int i = 0; i < k; i++) trPV += v[i] * (1 - _q[i]);
        trPVPV = traces ? TracePAPB(x, ones, v, v) : double.NaN;
        return (rss - trPV) / (k - _p);
    }

    /// <summary>
    /// ML, REML and EB by Fisher scoring from the Hedges estimate (truncated at 0), halving a step that would make τ²
    /// negative, until τ² changes by less than the threshold — metafor's algorithm, including its check that
    /// the likelihood at τ² = 0 is not higher (then τ² is set to 0 with a warning).
    /// </summary>
    private double FisherScoring(ReadOnlySpan<double> y, ReadOnlySpan<double> v, ReadOnlySpan<double> x, in KernelSettings s, KernelFit fit, bool standardError)
    {
        int k = y.Length, p = _p;
        var w = _w.AsSpan(0, k);
        double tau2 = Math.Max(0, Hedges(y, v, x, out _, out _, traces: false));
        fit.Tau2Initial = tau2;
        double change = s.Threshold + 1;
        int iter = 0;
        bool converged = true;
        while (change > s.Threshold)
        {
            iter++;
            double old = tau2;
            for (int i = 0; i < k; i++) w[i] = 1 / (v[i] + tau2);
            Project(x, y, w);
            double adj;
            switch (s.Estimator)
            {
                case TauEstimator.MaximumLikelihood:
                {
                    double yPPy = YPPy(x, y, w), sumW = 0, sumW2 = 0;
                    for (int i = 0; i < k; i++) { sumW += w[i]; sumW2 += w[i] * w[i]; }
                    adj = (yPPy - sumW) / sumW2;
                    break;
                }
                case TauEstimator.RestrictedMaximumLikelihood:
                    adj = (YPPy(x, y, w) - TraceP(w)) / TracePAPB(x, w, _ones, _ones);
                    break;
                default: // empirical Bayes
                    adj = (Rss(x, y, w) * k / (k - p) - k) / Sum(w);
                    break;
            }
            adj *= s.StepAdjustment;
            if (double.IsNaN(adj)) adj = 0;
            while (tau2 + adj < 0) adj /= 2;
            tau2 += adj;
            change = Math.Abs(old - tau2);
            if (iter > s.MaxIterations) { converged = false; break; }
        }
        fit.Iterations = iter;
        fit.FinalChange = change;
        fit.Converged = converged;
        fit.ExitReason = converged ? "τ² change below threshold" : "iteration limit reached";
        if (converged && s.Estimator != TauEstimator.EmpiricalBayes)
        {
            // metafor's ll0check: the likelihood at τ² = 0 must not beat the estimate.
            double ll0 = ProfileLogLik(y, v, x, 0, s.Estimator == TauEstimator.RestrictedMaximumLikelihood);
            double ll = ProfileLogLik(y, v, x, tau2, s.Estimator == TauEstimator.RestrictedMaximumLikelihood);
            if (ll0 - ll > 1.220703125e-4 && tau2 > s.Threshold)
            {
                tau2 = 0;
                fit.ResetToZero = true;
            }
        }
        tau2 = Math.Max(0, tau2);
        if (!standardError) return tau2;
        for (int i = 0; i < k; i++) w[i] = 1 / (v[i] + tau2);
        Project(x, y, w);
        fit.Tau2StandardError = s.Estimator switch
        {
            TauEstimator.MaximumLikelihood => Math.Sqrt(2 / SumSquares(w)),
            TauEstimator.RestrictedMaximumLikelihood => Math.Sqrt(2 / TracePAPB(x, w, _ones, _ones)),
            _ => Math.Sqrt(2.0 * k * k / (k - p) / (Sum(w) * Sum(w))),
        };
        return tau2;
    }

    /// <summary>ML or REML log-likelihood at a given τ² (without the constant ½ log|X′X| term, which cancels in differences).</summary>
    private double ProfileLogLik(ReadOnlySpan<double> y, ReadOnlySpan<double> v, ReadOnlySpan<double> x, double tau2, bool reml)
    {
        int k = y.Length;
        var w = _w.AsSpan(0, k);
        double sumLog = 0;
        for (int i = 0; i < k; i++) { w[i] = 1 / (v[i] + tau2); sumLog += Math.Log(v[i] + tau2); }
        Project(x, y, w);
        double rss = Rss(x, y, w);
        return reml
            ? -0.5 * (k - _p) * Math.Log(2 * Math.PI) - 0.5 * sumLog - 0.5 * LogDeterminantFromFactor() - 0.5 * rss
            : -0.5 * k * Math.Log(2 * Math.PI) - 0.5 * sumLog - 0.5 * rss;
    }

    private double PauleMandel(ReadOnlySpan<double> y, ReadOnlySpan<double> v, ReadOnlySpan<double> x, in KernelSettings s, KernelFit fit)
    {
        int k = y.Length;
        double target = k - _p;
        double max = Math.Max(100, 10 * MedianAbsoluteDeviation(y) * MedianAbsoluteDeviation(y));
        if (GeneralizedQ(y, v, x, 0) < target)
        {
            fit.ExitReason = "Q(0) below its degrees of freedom: τ² = 0";
            return 0;
        }
        if (GeneralizedQ(y, v, x, max) > target)
            throw new AnalysisFailedException(string.Create(CultureInfo.InvariantCulture, $"Paule–Mandel: Q(τ²) stays above k − p = {target} up to τ² = {max}; use another estimator."));
        fit.ExitReason = "root of Q(τ²) = k − p";
        return FindRoot(y, v, x, target, 0, max, s.RootTolerance);
    }

    /// <summary>The generalized Q statistic Σ wᵢ(yᵢ − xᵢ′β̂)² with wᵢ = 1/(vᵢ + τ²).</summary>
    public double GeneralizedQ(ReadOnlySpan<double> y, ReadOnlySpan<double> v, ReadOnlySpan<double> x, double tau2)
    {
        int k = y.Length;
        var w = _w.AsSpan(0, k);
        for (int i = 0; i < k; i++) w[i] = 1 / (v[i] + tau2);
        _inverseReady = false;
        if (!WeightedLeastSquares.FitCholesky(x, _p, y, w, _beta, _l)) return double.NaN;
        return WeightedLeastSquares.WeightedRss(x, _p, y, w, _beta);
    }

    /// <summary>
    /// τ² in [lower, upper] where the generalized Q equals <paramref name="target"/>, with Q(lower) &gt; target. Q(τ²)
    /// is convex and decreasing (dQ/dτ² = −y′PPy, d²Q/dτ⁴ = 2y′PPPy ≥ 0), so Newton's method from the left climbs to
    /// the root monotonically and converges quadratically; Brent's method is the fallback.
    /// </summary>
    public double FindRoot(ReadOnlySpan<double> y, ReadOnlySpan<double> v, ReadOnlySpan<double> x, double target, double lower, double upper, double tolerance)
    {
        int k = y.Length;
        var w = _w.AsSpan(0, k);
        double t = lower;
        for (int iter = 0; iter < 100; iter++)
        {
            for (int i = 0; i < k; i++) w[i] = 1 / (v[i] + t);
            _inverseReady = false;
            if (!WeightedLeastSquares.FitCholesky(x, _p, y, w, _beta, _l)) break;
            double q = 0, slope = 0;
            for (int i = 0; i < k; i++)
            {
                double e = y[i] - WeightedLeastSquares.Fitted(x, _p, i, _beta);
                double we = w[i] * e;
                q += we * e;
                slope += we * we;
            }
            if (!(slope > 0)) break;
            double step = (q - target) / slope;
            t += step;
            if (!(t <= upper) || !double.IsFinite(t)) break;
            if (Math.Abs(step) <= tolerance * Math.Max(1, t)) return t;
        }
        // Brent.FindRoot takes a delegate, which cannot capture spans: copy once (k doubles) per root search.
        double[] yc = y.ToArray(), vc = v.ToArray(), xc = x.ToArray();
        return Brent.FindRoot(tau => GeneralizedQ(yc, vc, xc, tau) - target, lower, upper, tolerance, 200);
    }

    /// <summary>
    /// The Q-profile interval of τ² (Viechtbauer 2007): the τ² values where the generalized Q equals the χ²(k − p)
    /// quantiles, metafor's <c>confint(fit, type = "QP")</c>. A bound is 0 when Q(0) is already below its quantile,
    /// and the upper search limit is max(100, 10τ̂²). Returns (lower, upper, lowerAtLimit, upperAtLimit).
    /// </summary>
    public (double Lower, double Upper, bool UpperTruncated) QProfile(ReadOnlySpan<double> y, ReadOnlySpan<double> v, ReadOnlySpan<double> x, double tau2, double level, double tolerance)
    {
        int k = y.Length;
        double df = k - _p;
        double alpha = 1 - level;
        double critUpper = TailProbabilities.ChiSquareQuantile(1 - alpha / 2, df);
        double critLower = TailProbabilities.ChiSquareQuantile(alpha / 2, df);
        double max = Math.Max(100, tau2 * 10);
        double qMax = GeneralizedQ(y, v, x, max), qMin = GeneralizedQ(y, v, x, 0);
        double lo, hi;
        bool truncated = false;
        if (qMin < critLower) return (0, 0, false);
        if (qMax > critUpper) return (max, max, true);
        lo = qMin < critUpper ? 0 : FindRoot(y, v, x, critUpper, 0, max, tolerance);
        // Q(lo) ≥ the upper quantile > the lower one, so the search for the upper bound starts at lo.
        if (qMax > critLower) { hi = max; truncated = true; }
        else hi = FindRoot(y, v, x, critLower, lo, max, tolerance);
        return (lo, hi, truncated);
    }

    // ------------------------------------------------------------------ projections and traces

    /// <summary>
    /// Computes β̂ and the Cholesky factor L of X′WX for weights w, the residuals e, and qᵢ = wᵢ²xᵢ′(X′WX)⁻¹xᵢ;
    /// C = (X′WX)⁻¹ is formed only when a trace needs it (<see cref="Inverse"/>).
    /// </summary>
    private void Project(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> w)
    {
        int k = y.Length, p = _p;
        if (p == 1)
        {
            double sw = 0, swy = 0;
            for (int i = 0; i < k; i++) { double wx = w[i] * x[i]; sw += wx * x[i]; swy += wx * y[i]; }
            if (!(sw > 0)) throw new AllianceInputException("the model matrix is singular.");
            double c = 1 / sw, b0 = swy * c;
            _beta[0] = b0;
            _l[0] = Math.Sqrt(sw);
            _c[0] = c;
            _inverseReady = true;
            for (int i = 0; i < k; i++)
            {
                double xi = x[i];
                _e[i] = y[i] - xi * b0;
                _q[i] = w[i] * w[i] * xi * xi * c;
            }
            return;
        }
        // X′WX and X′Wy over the nonzero cells of each row (moderator indicators are mostly zero).
        var xtwx = _l.AsSpan(0, p * p);
        var rhs = _rhs.AsSpan(0, p);
        xtwx.Clear();
        rhs.Clear();
        for (int i = 0; i < k; i++)
        {
            int n = _nzCount[i], off = i * p;
            double wi = w[i], wy = wi * y[i];
            for (int u = 0; u < n; u++)
            {
                int a = _nzIndex[off + u];
                double wa = wi * x[off + a];
                rhs[a] += x[off + a] * wy;
                for (int t = 0; t <= u; t++)
                {
                    int b = _nzIndex[off + t];
                    xtwx[a * p + b] += wa * x[off + b];   // indices ascend, so b ≤ a: lower triangle
                }
            }
        }
        if (!WeightedLeastSquares.Cholesky(xtwx, p))
            throw new AllianceInputException("the moderators are collinear (or a moderator does not vary): the model matrix is singular.");
        DenseCholesky.SolveLower(xtwx, p, rhs);
        DenseCholesky.SolveLowerTranspose(xtwx, p, rhs);
        rhs.CopyTo(_beta);
        DenseCholesky.Inverse(_l, p, _c);
        _inverseReady = true;
        for (int i = 0; i < k; i++)
        {
            int n = _nzCount[i], off = i * p;
            double fitted = 0, quad = 0;
            for (int u = 0; u < n; u++)
            {
                int a = _nzIndex[off + u];
                double xa = x[off + a];
                fitted += xa * _beta[a];
                double inner = 0;
                for (int t = 0; t < u; t++)
                {
                    int b = _nzIndex[off + t];
                    inner += _c[a * p + b] * x[off + b];
                }
                quad += xa * (2 * inner + _c[a * p + a] * xa);
            }
            _e[i] = y[i] - fitted;
            _q[i] = w[i] * w[i] * quad;
        }
    }

    /// <summary>Records the nonzero columns of each design row (ascending), so projections skip the zeros of indicator columns.</summary>
    private void IndexNonzeros(ReadOnlySpan<double> x, int k)
    {
        int p = _p;
        for (int i = 0; i < k; i++)
        {
            int n = 0;
            for (int a = 0; a < p; a++)
                if (x[i * p + a] != 0) _nzIndex[i * p + n++] = a;
            _nzCount[i] = n;
        }
    }

    /// <summary>log det(X′WX) = 2 Σ log Lᵢᵢ from the factor of the last projection.</summary>
    private double LogDeterminantFromFactor()
    {
        double s = 0;
        for (int i = 0; i < _p; i++) s += Math.Log(_l[i * _p + i]);
        return 2 * s;
    }

    /// <summary>C = (X′WX)⁻¹ of the last <see cref="Project"/>.</summary>
    private double[] Inverse()
    {
        if (!_inverseReady)
        {
            DenseCholesky.Inverse(_l, _p, _c);
            _inverseReady = true;
        }
        return _c;
    }

    /// <summary>y′Py = Σ wᵢeᵢ² (after <see cref="Project"/>).</summary>
    private double Rss(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> w)
    {
        double s = 0;
        for (int i = 0; i < y.Length; i++) s += w[i] * _e[i] * _e[i];
        return s;
    }

    /// <summary>y′PPy = Σ (wᵢeᵢ)² (after <see cref="Project"/>).</summary>
    private double YPPy(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> w)
    {
        double s = 0;
        for (int i = 0; i < y.Length; i++) { double we = w[i] * _e[i]; s += we * we; }
        return s;
    }

    /// <summary>tr(P) = Σ (wᵢ − qᵢ) (after <see cref="Project"/>).</summary>
    private double TraceP(ReadOnlySpan<double> w)
    {
        double s = 0;
        for (int i = 0; i < w.Length; i++) s += w[i] - _q[i];
        return s;
    }

    /// <summary>tr(P diag(a) P diag(b)) = Σᵢⱼ Pᵢⱼ² aᵢ bⱼ (after <see cref="Project"/>); pass the same span twice when a = b.</summary>
    private double TracePAPB(ReadOnlySpan<double> x, ReadOnlySpan<double> w, ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        int k = w.Length, p = _p;
        double s = 0;
        for (int i = 0; i < k; i++) s += w[i] * w[i] * a[i] * b[i] - 2 * w[i] * a[i] * b[i] * _q[i];
        var c = Inverse();
        if (p == 1)
        {
            double ga = 0, gb = 0;
            for (int i = 0; i < k; i++) { double f = w[i] * w[i] * x[i] * x[i]; ga += a[i] * f; gb += b[i] * f; }
            return s + c[0] * c[0] * ga * gb;
        }
        // G_a = X′ diag(a w²) X, G_b likewise; add tr(C G_b C G_a).
        bool same = a == b;
        Gram(x, w, a, _ga);
        if (!same) Gram(x, w, b, _gb);
        MatMul(c, same ? _ga : _gb, _t1, p);
        if (!same) MatMul(c, _ga, _t2, p);
        var t2 = same ? _t1 : _t2;
        return s + WeightedLeastSquares.TraceOfProduct(_t1, t2, p);
    }

    private void Gram(ReadOnlySpan<double> x, ReadOnlySpan<double> w, ReadOnlySpan<double> a, Span<double> g)
    {
        int k = w.Length, p = _p;
        g[..(p * p)].Clear();
        for (int i = 0; i < k; i++)
        {
            double f = a[i] * w[i] * w[i];
            int n = _nzCount[i], off = i * p;
            for (int u = 0; u < n; u++)
            {
                int r = _nzIndex[off + u];
                double fr = f * x[off + r];
                for (int t = 0; t <= u; t++)
                {
                    int c = _nzIndex[off + t];
                    g[r * p + c] += fr * x[off + c];
                }
            }
        }
        for (int r = 0; r < p; r++)
            for (int c = 0; c < r; c++) g[c * p + r] = g[r * p + c];
    }

    private static void MatMul(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> c, int p) => WeightedLeastSquares.MultiplySquare(a, b, c, p);

    /// <summary>log det(X′ diag(w) X) by Cholesky.</summary>
    private double LogDetCrossProduct(ReadOnlySpan<double> x, ReadOnlySpan<double> w)
    {
        int p = _p;
        WeightedLeastSquares.CrossProduct(x, p, w, _t1);
        return DenseCholesky.Factor(_t1, p);
    }

    private static double Sum(ReadOnlySpan<double> w)
    {
        double s = 0;
        foreach (double d in w) s += d;
        return s;
    }

    private static double SumSquares(ReadOnlySpan<double> w)
    {
        double s = 0;
        foreach (double d in w) s += d * d;
        return s;
    }

    /// <summary>R's <c>mad()</c>: 1.4826 × the median absolute deviation from the median.</summary>
    internal static double MedianAbsoluteDeviation(ReadOnlySpan<double> y)
    {
        var sorted = y.ToArray();
        double median = Median(sorted);
        for (int i = 0; i < sorted.Length; i++) sorted[i] = Math.Abs(sorted[i] - median);
        return 1.4826 * Median(sorted);
    }

    private static double Median(double[] values)
    {
        Array.Sort(values);
        int n = values.Length;
        return n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
    }
}
