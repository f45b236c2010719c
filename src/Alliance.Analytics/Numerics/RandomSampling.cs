namespace Alliance.Analytics.Numerics;

/// <summary>
/// Samplers for the distributions simulations need, drawing only from a <see cref="RandomStream"/> so results are
/// reproducible (same seed and stream, same numbers on every machine and thread count). Extension methods:
/// <c>rng.NextGamma(2.0)</c>, <c>rng.NextCategorical(cumulative)</c>.
/// </summary>
/// <remarks>
/// Each sampler documents its algorithm and its domain. Arguments are checked (a sampler with an invalid parameter
/// throws <see cref="ArgumentOutOfRangeException"/>); the draws themselves allocate nothing.
/// </remarks>
public static class RandomSampling
{
    /// <summary>True with probability <paramref name="p"/> (p ≤ 0 never, p ≥ 1 always).</summary>
    public static bool NextBernoulli(this RandomStream rng, double p) => rng.NextDouble() < p;

    /// <summary>
    /// A standard logistic deviate, F(x) = 1 / (1 + e^{−x}), by inversion: ln(U / (1 − U)) with U uniform on (0, 1).
    /// Mean 0, variance π²/3. The latent-response form of logistic ordinal models: X ≥ c iff aθ − a b_c exceeds it.
    /// </summary>
    public static double NextLogistic(this RandomStream rng)
    {
        double u = rng.NextOpenDouble();
        return Math.Log(u / (1 - u));
    }

    /// <summary>
    /// A log-normal deviate: exp(μ + σZ) with Z standard normal, so the median is e^μ. R: <c>rlnorm(1, mu, sigma)</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="sigma"/> is negative.</exception>
    public static double NextLogNormal(this RandomStream rng, double mu, double sigma)
    {
        if (!(sigma >= 0)) throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "The log-scale SD must be zero or positive.");
        return Math.Exp(mu + sigma * rng.NextNormal());
    }

    /// <summary>
    /// A gamma deviate with shape k &gt; 0 and scale θ (mean kθ, variance kθ²), by Marsaglia &amp; Tsang (2000),
    /// "A simple method for generating gamma variables", ACM TOMS 26(3): for k ≥ 1 squeeze-and-reject on
    /// d(1 + cZ)³ with d = k − 1/3, c = 1/√(9d); for k &lt; 1 the boost G(k) = G(k + 1) · U^{1/k}.
    /// R: <c>rgamma(1, shape = k, scale = theta)</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">When the shape or scale is not positive.</exception>
    public static double NextGamma(this RandomStream rng, double shape, double scale = 1.0)
    {
        if (!(shape > 0) || double.IsInfinity(shape)) throw new ArgumentOutOfRangeException(nameof(shape), shape, "The gamma shape must be positive and finite.");
        if (!(scale > 0) || double.IsInfinity(scale)) throw new ArgumentOutOfRangeException(nameof(scale), scale, "The gamma scale must be positive and finite.");
        if (shape < 1)
        {
            double boost = Math.Pow(rng.NextOpenDouble(), 1.0 / shape);
            return GammaAtLeastOne(rng, shape + 1) * boost * scale;
        }
        return GammaAtLeastOne(rng, shape) * scale;
    }

    private static double GammaAtLeastOne(RandomStream rng, double shape)
    {
        double d = shape - 1.0 / 3.0, c = 1.0 / Math.Sqrt(9 * d);
        while (true)
        {
            double z, v;
            do
            {
                z = rng.NextNormal();
                v = 1 + c * z;
            } while (v <= 0);
            v = v * v * v;
            double u = rng.NextOpenDouble();
            double z2 = z * z;
            if (u < 1 - 0.0331 * z2 * z2) return d * v;
            if (Math.Log(u) < 0.5 * z2 + d * (1 - v + Math.Log(v))) return d * v;
        }
    }

    /// <summary>
    /// A beta deviate with shapes α, β &gt; 0 (mean α / (α + β)), as X / (X + Y) with X ~ Gamma(α), Y ~ Gamma(β).
    /// R: <c>rbeta(1, alpha, beta)</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">When a shape is not positive.</exception>
    public static double NextBeta(this RandomStream rng, double alpha, double beta)
    {
        if (!(alpha > 0)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "Beta shapes must be positive.");
        if (!(beta > 0)) throw new ArgumentOutOfRangeException(nameof(beta), beta, "Beta shapes must be positive.");
        double x = rng.NextGamma(alpha), y = rng.NextGamma(beta);
        return x / (x + y);
    }

    /// <summary>
    /// A Poisson deviate with mean λ ≥ 0: for λ &lt; 30 by inversion (one uniform, walking up the CDF: exact); for
    /// larger λ by the normal approximation
    /// round(λ + √λ Z), truncated at 0 (accurate to well under 1% in every probability at λ ≥ 30).
    /// R: <c>rpois(1, lambda)</c> (exactly for λ &lt; 30).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">When λ is negative or not finite.</exception>
    public static int NextPoisson(this RandomStream rng, double lambda)
    {
        if (!(lambda >= 0) || double.IsInfinity(lambda)) throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "The Poisson mean must be zero or positive.");
        if (lambda == 0) return 0;
        if (lambda >= 30) return Math.Max(0, (int)Math.Round(lambda + Math.Sqrt(lambda) * rng.NextNormal()));
        double u = rng.NextDouble();
        double p = Math.Exp(-lambda), cumulative = p;
        int k = 0;
        while (u >= cumulative && k < 1000)
        {
            k++;
            p *= lambda / k;
            cumulative += p;
        }
        return k;
    }

    /// <summary>
    /// A normal deviate with mean μ and SD σ truncated to [<paramref name="lower"/>, <paramref name="upper"/>]
    /// (either bound may be infinite), by inversion of the normal CDF restricted to the interval:
    /// x = μ + σ Φ⁻¹(Φ(a) + U (Φ(b) − Φ(a))) with a, b the standardised bounds. When the interval lies far in the
    /// upper tail the computation is mirrored into the lower tail, where Φ keeps its relative precision; an interval
    /// more than 37 SD from the mean (where Φ underflows) returns the nearer bound.
    /// R: <c>truncnorm::rtruncnorm(1, a, b, mean, sd)</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">When σ is not positive or the bounds are not ordered.</exception>
    public static double NextTruncatedNormal(this RandomStream rng, double mean, double sd, double lower, double upper)
    {
        if (!(sd > 0)) throw new ArgumentOutOfRangeException(nameof(sd), sd, "The SD must be positive.");
        if (!(upper >= lower)) throw new ArgumentOutOfRangeException(nameof(upper), upper, $"The upper bound must not be below the lower bound {lower}.");
        double a = (lower - mean) / sd, b = (upper - mean) / sd;
        bool mirror = a > 0;
        if (mirror) (a, b) = (-b, -a);
        double pa = MathNet.Numerics.Distributions.Normal.CDF(0, 1, a);
        double pb = MathNet.Numerics.Distributions.Normal.CDF(0, 1, b);
        double z;
        if (!(pb > pa)) z = b; // beyond the double range of Φ (the interval now lies in the lower tail): the bound nearest the mean
        else
        {
            double p = pa + rng.NextOpenDouble() * (pb - pa);
            z = Math.Clamp(MathNet.Numerics.Distributions.Normal.InvCDF(0, 1, p), a, b);
        }
        if (mirror) z = -z;
        return mean + sd * z;
    }

    /// <summary>
    /// Draws a category 0 … K − 1 given cumulative weights (non-decreasing, last entry the total, which need not be 1):
    /// the first index whose cumulative weight exceeds U × total (binary search, O(log K)).
    /// Build the cumulative weights once with <see cref="Cumulative"/> and reuse them for every draw.
    /// R: <c>sample.int(K, 1, prob = w)</c> (same distribution, different algorithm).
    /// </summary>
    /// <exception cref="ArgumentException">When there are no categories or the total is not positive.</exception>
    public static int NextCategorical(this RandomStream rng, ReadOnlySpan<double> cumulativeWeights)
    {
        if (cumulativeWeights.IsEmpty) throw new ArgumentException("At least one category is needed.", nameof(cumulativeWeights));
        double total = cumulativeWeights[^1];
        if (!(total > 0)) throw new ArgumentException("The total weight must be positive.", nameof(cumulativeWeights));
        double u = rng.NextDouble() * total;
        int lo = 0, hi = cumulativeWeights.Length - 1;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (cumulativeWeights[mid] > u) hi = mid;
            else lo = mid + 1;
        }
        return lo;
    }

    /// <summary>The running sums of <paramref name="weights"/> (for <see cref="NextCategorical"/>).</summary>
    /// <exception cref="ArgumentException">When a weight is negative or not finite.</exception>
    public static double[] Cumulative(ReadOnlySpan<double> weights)
    {
        var c = new double[weights.Length];
        double s = 0;
        for (int i = 0; i < weights.Length; i++)
        {
            if (!(weights[i] >= 0) || double.IsInfinity(weights[i]))
                throw new ArgumentException($"Weight {i} is {weights[i]}: weights must be finite and not negative.", nameof(weights));
            s += weights[i];
            c[i] = s;
        }
        return c;
    }

    /// <summary>
    /// The Pearson correlation of <paramref name="n"/> pairs drawn from a bivariate normal distribution with
    /// correlation ρ: an exact draw from the sampling distribution of r (Fisher 1915), made by simulating the
    /// sample (x = Z₁, y = ρZ₁ + √(1 − ρ²)Z₂) and accumulating centred sums in one pass (Welford).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">When n &lt; 3 or |ρ| ≥ 1.</exception>
    public static double NextSampleCorrelation(this RandomStream rng, double rho, int n)
    {
        if (n < 3) throw new ArgumentOutOfRangeException(nameof(n), n, "A sample correlation needs at least 3 pairs.");
        if (!(Math.Abs(rho) < 1)) throw new ArgumentOutOfRangeException(nameof(rho), rho, "The correlation must lie strictly between −1 and 1.");
        double s = Math.Sqrt(1 - rho * rho);
        double mx = 0, my = 0, sxx = 0, syy = 0, sxy = 0;
        for (int i = 1; i <= n; i++)
        {
            double x = rng.NextNormal();
            double y = rho * x + s * rng.NextNormal();
            double dx = x - mx, dy = y - my;
            mx += dx / i;
            my += dy / i;
            sxx += dx * (x - mx);
            syy += dy * (y - my);
            sxy += dx * (y - my);
        }
        return sxy / Math.Sqrt(sxx * syy);
    }
}
