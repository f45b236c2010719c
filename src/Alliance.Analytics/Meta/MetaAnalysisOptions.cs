using System.Globalization;
using System.Collections.Immutable;

namespace Alliance.Analytics.Meta;

/// <summary>How the between-study variance τ² is estimated (metafor's <c>method</c> argument).</summary>
public enum TauEstimator
{
    /// <summary>Equal-effects (common-effect) model: τ² = 0. metafor "EE" (formerly "FE").</summary>
    EqualEffects,
    /// <summary>DerSimonian &amp; Laird (1986) method of moments. metafor "DL".</summary>
    DerSimonianLaird,
    /// <summary>Hedges (1983) unweighted method of moments ("Hedges" / variance-component estimator). metafor "HE".</summary>
    Hedges,
    /// <summary>Hunter &amp; Schmidt (2004). metafor "HS".</summary>
    HunterSchmidt,
    /// <summary>Sidik &amp; Jonkman (2005). metafor "SJ".</summary>
    SidikJonkman,
    /// <summary>Maximum likelihood by Fisher scoring. metafor "ML".</summary>
    MaximumLikelihood,
    /// <summary>Restricted maximum likelihood by Fisher scoring (the default). metafor "REML".</summary>
    RestrictedMaximumLikelihood,
    /// <summary>Paule &amp; Mandel (1982): the generalized Q equals its degrees of freedom. metafor "PM".</summary>
    PauleMandel,
    /// <summary>Empirical Bayes (Morris 1983; Berkey et al. 1995), equivalent to PM at convergence. metafor "EB".</summary>
    EmpiricalBayes,
}

/// <summary>How coefficients are tested and their intervals made.</summary>
public enum MetaTest
{
    /// <summary>Wald z tests and normal-quantile intervals; QM as χ². metafor <c>test = "z"</c>.</summary>
    Z,
    /// <summary>Knapp &amp; Hartung (2003): variances scaled by the weighted residual mean square, t(k − p) tests; QM as F. metafor <c>test = "knha"</c>.</summary>
    KnappHartung,
}

/// <summary>
/// How the three-level model counts the degrees of freedom of its t tests (metafor's <c>dfs</c> argument of
/// <c>rma.mv</c>; with z tests there are none).
/// </summary>
public enum DegreesOfFreedomRule
{
    /// <summary>k − p for every coefficient (k effect sizes, p coefficients). metafor <c>dfs = "residual"</c> (its default).</summary>
    Residual,

    /// <summary>
    /// The containment rule: for a coefficient whose column is constant within every cluster (a study-level
    /// moderator, the intercept), the number of clusters minus p; otherwise (it varies within clusters) k − p; at
    /// least 1. The F test of several coefficients takes the smallest of their df. metafor <c>dfs = "contain"</c>.
    /// </summary>
    Containment,
}

/// <summary>Parsing and printing estimator and test names as metafor spells them (REML, DL, …, EE; z, knha).</summary>
public static class MetaNames
{
    /// <summary>The metafor abbreviation of an estimator ("REML").</summary>
    public static string Abbreviation(TauEstimator estimator) => estimator switch
    {
        TauEstimator.EqualEffects => "EE",
        TauEstimator.DerSimonianLaird => "DL",
        TauEstimator.Hedges => "HE",
        TauEstimator.HunterSchmidt => "HS",
        TauEstimator.SidikJonkman => "SJ",
        TauEstimator.MaximumLikelihood => "ML",
        TauEstimator.RestrictedMaximumLikelihood => "REML",
        TauEstimator.PauleMandel => "PM",
        TauEstimator.EmpiricalBayes => "EB",
        _ => estimator.ToString(),
    };

    /// <summary>Parses "REML", "DL", "HE", "HS", "SJ", "ML", "PM", "EB", "EE" (or "FE"), case-insensitive.</summary>
    /// <exception cref="AllianceInputException">For any other name (the message lists the valid ones).</exception>
    public static TauEstimator ParseEstimator(string name) => (name ?? "").Trim().ToUpperInvariant() switch
    {
        "EE" or "FE" or "CE" => TauEstimator.EqualEffects,
        "DL" => TauEstimator.DerSimonianLaird,
        "HE" => TauEstimator.Hedges,
        "HS" => TauEstimator.HunterSchmidt,
        "SJ" => TauEstimator.SidikJonkman,
        "ML" => TauEstimator.MaximumLikelihood,
        "REML" => TauEstimator.RestrictedMaximumLikelihood,
        "PM" => TauEstimator.PauleMandel,
        "EB" => TauEstimator.EmpiricalBayes,
        _ => throw new AllianceInputException($"unknown τ² estimator '{name}': use REML, DL, ML, PM, HS, SJ, HE, EB or EE."),
    };

    /// <summary>metafor's name of a df rule: "residual" or "contain".</summary>
    public static string Name(DegreesOfFreedomRule rule) => rule == DegreesOfFreedomRule.Containment ? "contain" : "residual";

    /// <summary>Parses "residual" or "contain" (also "containment"), case-insensitive.</summary>
    /// <exception cref="AllianceInputException">For any other name.</exception>
    public static DegreesOfFreedomRule ParseDegreesOfFreedomRule(string name) => (name ?? "").Trim().ToLowerInvariant() switch
    {
        "residual" => DegreesOfFreedomRule.Residual,
        "contain" or "containment" => DegreesOfFreedomRule.Containment,
        _ => throw new AllianceInputException($"unknown degrees-of-freedom rule '{name}': use residual or contain."),
    };

    /// <summary>Parses "z" or "knha" (also "kh", "knapp-hartung").</summary>
    /// <exception cref="AllianceInputException">For any other name.</exception>
    public static MetaTest ParseTest(string name) => (name ?? "").Trim().ToLowerInvariant() switch
    {
        "z" => MetaTest.Z,
        "knha" or "kh" or "knapp-hartung" or "t" => MetaTest.KnappHartung,
        _ => throw new AllianceInputException($"unknown test '{name}': use z or knha."),
    };
}

/// <summary>
/// Options of a random-effects meta-analysis or meta-regression (<see cref="MetaAnalysis.Fit"/>). The defaults are
/// metafor's: REML, z tests, 95% intervals, Fisher scoring to a change below 1e-5 in at most 100 iterations.
/// </summary>
public sealed record MetaAnalysisOptions
{
    /// <summary>The τ² estimator (default REML).</summary>
    public TauEstimator Estimator { get; init; } = TauEstimator.RestrictedMaximumLikelihood;

    /// <summary>z or Knapp–Hartung tests (default z).</summary>
    public MetaTest Test { get; init; } = MetaTest.Z;

    /// <summary>Confidence level of every interval (default 0.95).</summary>
    public double Level { get; init; } = Defaults.Level;

    /// <summary>Moderator columns of the study set (<c>factor(name)</c> treats a numeric column as categorical); empty for the random-effects model.</summary>
    public ImmutableArray<string> Moderators { get; init; } = [];

    /// <summary>A fixed τ² instead of an estimate (null: estimate it).</summary>
    public double? FixedTau2 { get; init; }

    /// <summary>Fisher scoring stops when τ² changes by less than this (metafor's <c>threshold</c>, 1e-5).</summary>
    public double Threshold { get; init; } = 1e-5;

    /// <summary>Iteration limit of Fisher scoring (metafor's <c>maxiter</c>, 100).</summary>
    public int MaxIterations { get; init; } = 100;

    /// <summary>Step length factor of Fisher scoring (metafor's <c>stepadj</c>, 1); smaller values help a fit that oscillates.</summary>
    public double StepAdjustment { get; init; } = 1;

    /// <summary>Absolute tolerance of root searches (Paule–Mandel, Q-profile bounds). metafor uses 1.2e-4 by default; 1e-10 here.</summary>
    public double RootTolerance { get; init; } = 1e-10;

    /// <summary>Whether to compute Q-profile intervals for τ², I² and H² (default true).</summary>
    public bool ProfileIntervals { get; init; } = true;

    /// <summary>Checks the options.</summary>
    /// <exception cref="AllianceInputException">When a value is out of range.</exception>
    public void Validate()
    {
        if (!(Level > 0 && Level < 1)) throw new AllianceInputException(string.Create(CultureInfo.InvariantCulture, $"the confidence level must be between 0 and 1, not {Level}."));
        if (FixedTau2 is { } t && !(t >= 0)) throw new AllianceInputException(string.Create(CultureInfo.InvariantCulture, $"a fixed τ² must be non-negative, not {t}."));
        if (!(Threshold > 0)) throw new AllianceInputException("the convergence threshold must be positive.");
        if (MaxIterations < 1) throw new AllianceInputException("the iteration limit must be at least 1.");
        if (!(StepAdjustment > 0 && StepAdjustment <= 1)) throw new AllianceInputException("the step adjustment must be in (0, 1].");
    }
}
