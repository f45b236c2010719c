using MathNet.Numerics;

namespace Alliance.Analytics.Numerics;

/// <summary>
/// The standard bivariate normal distribution with correlation ρ: lower-orthant probabilities Φ₂(h, k; ρ) =
/// P(X ≤ h, Y ≤ k), rectangle probabilities, and the density. Accurate to about 1e-15 absolute.
/// </summary>
/// <remarks>
/// Algorithm: Genz (2004), "Numerical computation of rectangular bivariate and trivariate normal and t
/// probabilities", Statistics and Computing 14, 251–260 — Drezner &amp; Wesolowsky's (1990) integral in sin(θ) for
/// |ρ| &lt; 0.925 with 6, 12 or 20 Gauss–Legendre points, and a series in the transformed variable for |ρ| ≥ 0.925.
/// This is the routine behind R's <c>mnormt::pmnorm</c> (via <c>biv.nt.prob</c>) and <c>mvtnorm::pmvnorm</c> in two
/// dimensions. Infinite limits are allowed.
/// </remarks>
public static class BivariateNormal
{
    private const double TwoPi = 2 * Math.PI;

    private static readonly double[] W6 = [0.1713244923791705, 0.3607615730481384, 0.4679139345726904];
    private static readonly double[] X6 = [0.9324695142031522, 0.6612093864662647, 0.2386191860831970];
    private static readonly double[] W12 = [0.04717533638651177, 0.1069393259953183, 0.1600783285433464, 0.2031674267230659, 0.2334925365383547, 0.2491470458134029];
    private static readonly double[] X12 = [0.9815606342467191, 0.9041172563704750, 0.7699026741943050, 0.5873179542866171, 0.3678314989981802, 0.1252334085114692];
    private static readonly double[] W20 =
    [
        0.01761400713915212, 0.04060142980038694, 0.06267204833410906, 0.08327674157670475, 0.1019301198172404,
        0.1181945319615184, 0.1316886384491766, 0.1420961093183821, 0.1491729864726037, 0.1527533871307259,
    ];
    private static readonly double[] X20 =
    [
        0.9931285991850949, 0.9639719272779138, 0.9122344282513259, 0.8391169718222188, 0.7463319064601508,
        0.6360536807265150, 0.5108670019508271, 0.3737060887154196, 0.2277858511416451, 0.07652652113349733,
    ];

    /// <summary>Φ(x), the standard normal CDF (via erfc, accurate in the tails).</summary>
    public static double Phi(double x) => 0.5 * SpecialFunctions.Erfc(-x / Math.Sqrt(2));

    /// <summary>
    /// Φ₂(h, k; ρ) = P(X ≤ h, Y ≤ k) for standard normals with correlation ρ ∈ [−1, 1]. R:
    /// <c>mnormt::pmnorm(c(h, k), varcov = matrix(c(1, ρ, ρ, 1), 2))</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">When ρ is outside [−1, 1].</exception>
    public static double Cdf(double h, double k, double rho)
    {
        if (!(rho >= -1 && rho <= 1)) throw new ArgumentOutOfRangeException(nameof(rho), rho, "A correlation must be in [-1, 1].");
        return UpperOrthant(-h, -k, rho);
    }

    /// <summary>
    /// P(a1 &lt; X ≤ b1, a2 &lt; Y ≤ b2) for standard normals with correlation ρ (limits may be infinite), by
    /// inclusion–exclusion of four orthant probabilities.
    /// </summary>
    public static double Rectangle(double a1, double b1, double a2, double b2, double rho)
    {
        if (!(b1 > a1) || !(b2 > a2)) return 0;
        double p = Cdf(b1, b2, rho) - Cdf(a1, b2, rho) - Cdf(b1, a2, rho) + Cdf(a1, a2, rho);
        return Math.Max(p, 0);
    }

    /// <summary>
    /// The bivariate normal density φ₂(h, k; ρ) = exp(−(h² − 2ρhk + k²) / (2(1 − ρ²))) / (2π √(1 − ρ²)); it is also
    /// ∂Φ₂(h, k; ρ)/∂ρ (Plackett's identity), which the polychoric likelihood uses. Zero when h or k is infinite.
    /// </summary>
    public static double Density(double h, double k, double rho)
    {
        if (double.IsInfinity(h) || double.IsInfinity(k)) return 0;
        double s = 1 - rho * rho;
        return Math.Exp(-(h * h - 2 * rho * h * k + k * k) / (2 * s)) / (TwoPi * Math.Sqrt(s));
    }

    /// <summary>P(X &gt; dh, Y &gt; dk) (Genz's bvnu).</summary>
    private static double UpperOrthant(double dh, double dk, double r)
    {
        if (double.IsPositiveInfinity(dh) || double.IsPositiveInfinity(dk)) return 0;
        if (double.IsNegativeInfinity(dh)) return double.IsNegativeInfinity(dk) ? 1 : Phi(-dk);
        if (double.IsNegativeInfinity(dk)) return Phi(-dh);
        if (r == 0) return Phi(-dh) * Phi(-dk);
        if (r >= 1) return Phi(-Math.Max(dh, dk));
        if (r <= -1) return Math.Max(0, Phi(-dh) - Phi(dk));

        double[] w, x;
        double ar = Math.Abs(r);
        if (ar < 0.3) { w = W6; x = X6; }
        else if (ar < 0.75) { w = W12; x = X12; }
        else { w = W20; x = X20; }

        double h = dh, k = dk, hk = h * k, bvn = 0;
        if (ar < 0.925)
        {
            double hs = (h * h + k * k) / 2, asr = Math.Asin(r) / 2;
            for (int i = 0; i < x.Length; i++)
            {
                double sn = Math.Sin(asr * (1 - x[i]));
                bvn += w[i] * Math.Exp((sn * hk - hs) / (1 - sn * sn));
                sn = Math.Sin(asr * (1 + x[i]));
                bvn += w[i] * Math.Exp((sn * hk - hs) / (1 - sn * sn));
            }
            bvn = bvn * asr / TwoPi + Phi(-h) * Phi(-k);
        }
        else
        {
            if (r < 0) { k = -k; hk = -hk; }
            double asq = (1 - r) * (1 + r), a = Math.Sqrt(asq), bs = (h - k) * (h - k);
            double c = (4 - hk) / 8, d = (12 - hk) / 80;
            double asr = -(bs / asq + hk) / 2;
            if (asr > -100) bvn = a * Math.Exp(asr) * (1 - c * (bs - asq) * (1 - d * bs) / 3 + c * d * asq * asq);
            if (hk > -100)
            {
                double b = Math.Sqrt(bs);
                double sp = Math.Sqrt(TwoPi) * Phi(-b / a);
                bvn -= Math.Exp(-hk / 2) * sp * b * (1 - c * bs * (1 - d * bs) / 3);
            }
            a /= 2;
            double sum = 0;
            for (int i = 0; i < x.Length; i++)
            {
                for (int sgn = -1; sgn <= 1; sgn += 2)
                {
                    double xs = a * (1 + sgn * x[i]);
                    xs *= xs;
                    double asri = -(bs / xs + hk) / 2;
                    if (asri <= -100) continue;
                    double sp = 1 + c * xs * (1 + 5 * d * xs);
                    double rs = Math.Sqrt(1 - xs);
                    double ep = Math.Exp(-(hk / 2) * xs / ((1 + rs) * (1 + rs))) / rs;
                    sum += w[i] * Math.Exp(asri) * (sp - ep);
                }
            }
            bvn = (a * sum - bvn) / TwoPi;
            if (r > 0) bvn += Phi(-Math.Max(h, k));
            else if (h >= k) bvn = -bvn;
            else
            {
                double l = h < 0 ? Phi(k) - Phi(h) : Phi(-h) - Phi(-k);
                bvn = l - bvn;
            }
        }
        return Math.Max(0, Math.Min(1, bvn));
    }
}
