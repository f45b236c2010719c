using System.Globalization;

namespace Alliance.Analytics;

/// <summary>
/// A confidence interval: its bounds, its level and (optionally) how it was formed. For a normal-theory interval of an
/// estimate θ̂ with standard error SE, <c>[θ̂ − z_{1−(1−Level)/2} SE, θ̂ + z_{1−(1−Level)/2} SE]</c>; other methods
/// (Fisher z, Feldt's F, bootstrap BCa, profile likelihood, Q-profile) name themselves in <see cref="Method"/>.
/// A bound that could not be formed is NaN.
/// </summary>
/// <param name="Lower">Lower bound.</param>
/// <param name="Upper">Upper bound.</param>
/// <param name="Level">Confidence level as a proportion (0.95 for a 95% interval).</param>
/// <param name="Method">How the interval was formed ("Feldt", "Fisher z", "BCa bootstrap", …); null when it goes without saying.</param>
public sealed record ConfidenceInterval(double Lower, double Upper, double Level, string? Method = null)
{
    /// <summary>An interval of NaNs (not computed) at <paramref name="level"/>.</summary>
    public static ConfidenceInterval Missing(double level) => new(double.NaN, double.NaN, level);

    /// <summary>True when both bounds are numbers.</summary>
    public bool IsKnown => !double.IsNaN(Lower) && !double.IsNaN(Upper);

    /// <summary>Upper − Lower (NaN when a bound is unknown).</summary>
    public double Width => Upper - Lower;

    /// <summary>True when Lower ≤ <paramref name="value"/> ≤ Upper (false when a bound is unknown).</summary>
    public bool Contains(double value) => value >= Lower && value <= Upper;

    /// <summary>Both bounds mapped through <paramref name="map"/>, which must be monotone increasing (e.g. Fisher z → r).</summary>
    public ConfidenceInterval Map(Func<double, double> map) => this with { Lower = map(Lower), Upper = map(Upper) };

    /// <summary>The bounds alone, "[0.2104, 0.3517]", in <paramref name="format"/> (invariant culture): for text that states the level elsewhere.</summary>
    public string BoundsToString(string format) =>
        $"[{Lower.ToString(format, CultureInfo.InvariantCulture)}, {Upper.ToString(format, CultureInfo.InvariantCulture)}]";

    /// <summary>"[0.21, 0.35] 95%" with the bounds in <paramref name="format"/> (invariant culture), then the method when there is one.</summary>
    public string ToString(string format)
    {
        string text = $"{BoundsToString(format)} {(Level * 100).ToString("0.#", CultureInfo.InvariantCulture)}%";
        return Method is null ? text : text + " " + Method;
    }

    /// <summary>"[0.213, 0.352] 95%" (three decimals, as reliability and correlations are reported), then the method when there is one ("[0.694, 0.721] 95% Feldt").</summary>
    public override string ToString() => ToString("F3");
}

/// <summary>
/// A point estimate with its standard error and, when one was formed, its confidence interval.
/// </summary>
/// <param name="Value">The estimate θ̂.</param>
/// <param name="StandardError">SE(θ̂), the estimated standard deviation of its sampling distribution; NaN when not computed.</param>
/// <param name="Interval">Its confidence interval, or null when none was formed.</param>
public sealed record Estimate(double Value, double StandardError, ConfidenceInterval? Interval = null)
{
    /// <summary>
    /// θ̂ with the normal-theory (Wald) interval θ̂ ± z_{1−(1−<paramref name="level"/>)/2} · SE.
    /// </summary>
    public static Estimate Wald(double value, double standardError, double level)
    {
        double z = MathNet.Numerics.Distributions.Normal.InvCDF(0, 1, 1 - (1 - level) / 2);
        return new(value, standardError, new ConfidenceInterval(value - z * standardError, value + z * standardError, level, "Wald"));
    }

    /// <summary>"0.28 (SE 0.04) [0.21, 0.35] 95%".</summary>
    public override string ToString() =>
        $"{Value.ToString("F2", CultureInfo.InvariantCulture)} (SE {StandardError.ToString("F2", CultureInfo.InvariantCulture)})" +
        (Interval is null ? "" : " " + Interval);
}

/// <summary>
/// A significance test: which statistic, its value, its degrees of freedom when it has them, and the p-value (the
/// probability, under the null hypothesis, of a statistic at least as extreme as the one observed). E.g. a
/// likelihood-ratio test LR = 2 (ℓ_general − ℓ_restricted) ~ χ²(df), p = 1 − F_χ²(df)(LR); a Wald z = θ̂ / SE, p = 2 (1 − Φ(|z|)).
/// </summary>
/// <param name="Name">The statistic's symbol: "LR", "χ²", "z", "t", "F", "Q".</param>
/// <param name="Statistic">The statistic's value.</param>
/// <param name="DegreesOfFreedom">Its degrees of freedom (null for z and other statistics without them).</param>
/// <param name="PValue">The p-value; NaN when it could not be computed.</param>
public sealed record TestResult(string Name, double Statistic, double? DegreesOfFreedom, double PValue)
{
    /// <summary>"LR = 12.30, df = 4, p = 0.0152".</summary>
    public override string ToString() =>
        $"{Name} = {Statistic.ToString("F2", CultureInfo.InvariantCulture)}, " +
        (DegreesOfFreedom is { } df ? $"df = {df.ToString("0.##", CultureInfo.InvariantCulture)}, " : "") +
        $"p = {PValue.ToString("F4", CultureInfo.InvariantCulture)}";
}
