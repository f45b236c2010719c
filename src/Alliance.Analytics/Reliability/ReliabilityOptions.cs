using System.Collections.Immutable;
using Alliance.Analytics.Numerics;

namespace Alliance.Analytics.Reliability;

/// <summary>How rows with missing responses enter the analysis.</summary>
public enum MissingData
{
    /// <summary>
    /// Pairwise: each covariance or correlation from the rows where both items are answered, each item's mean and SD
    /// from the rows where it is answered (psych's default, <c>use = "pairwise"</c>). Rows with no item answered are
    /// left out.
    /// </summary>
    Pairwise,

    /// <summary>Listwise: only rows with every item answered (<c>na.omit(x)</c>).</summary>
    Listwise,
}

/// <summary>How the confidence interval of Cronbach's α is formed.</summary>
public enum AlphaIntervalMethod
{
    /// <summary>
    /// Feldt's (1965) F-based interval: 1 − (1 − α) F_{1−p/2} … 1 − (1 − α) F_{p/2} with n − 1 and (n − 1)(k − 1)
    /// degrees of freedom (psych's <c>alpha.ci</c>).
    /// </summary>
    Feldt,

    /// <summary>A seeded nonparametric bootstrap of raw α over rows: percentile and BCa intervals (the BCa is reported).</summary>
    Bootstrap,
}

/// <summary>Which splits of the items into halves <see cref="SplitHalfResult"/> summarises.</summary>
public enum SplitHalfEnumeration
{
    /// <summary>
    /// Every distinct split into halves of ⌊k/2⌋ and ⌈k/2⌉ items (C(k, k/2)/2 for even k, C(k, ⌊k/2⌋) for odd k),
    /// sampled at random (seeded) when there are more than <see cref="ReliabilityOptions.MaximumSplits"/>.
    /// </summary>
    AllSplits,

    /// <summary>
    /// psych::splitHalf's enumeration: the first round(C(k, ⌊k/2⌋))/2 combinations in lexicographic order. For even k
    /// this is every split; for odd k it is only the half of them that contain the first items (and the mean is their
    /// sum divided by C(k, ⌊k/2⌋)/2), so max, min and mean can differ from <see cref="AllSplits"/>.
    /// </summary>
    PsychCompatible,
}

/// <summary>How polychoric thresholds are estimated (the first of the two steps).</summary>
public enum PolychoricThresholds
{
    /// <summary>
    /// From each item's own marginal distribution over all rows where it is answered (psych's <c>global = TRUE</c>,
    /// the default). psych switches to <see cref="PerPair"/> when the items do not all reach the same highest
    /// category; so does this library, with a warning.
    /// </summary>
    Global,

    /// <summary>
    /// From the margins of each pair's contingency table, after dropping empty rows and columns and replacing empty
    /// cells by 0.5 (psych's <c>global = FALSE</c>, <c>correct = 0.5</c>; polycor's two-step estimate when no cell is
    /// empty).
    /// </summary>
    PerPair,
}

/// <summary>
/// Options for <see cref="ReliabilityAnalysis.Analyze(Alliance.Analytics.Data.ResponseMatrix, ReliabilityOptions?, string?, IProgress{Presentation.AnalysisProgress}?, CancellationToken)"/>.
/// The CLI flags of <c>alliance reliability</c> map onto these one to one.
/// </summary>
public sealed record ReliabilityOptions
{
    /// <summary>Pairwise (default, as psych) or listwise handling of missing responses (<c>--missing</c>).</summary>
    public MissingData Missing { get; init; } = MissingData.Pairwise;

    /// <summary>Items to reverse (Min + Max − x on the matrix's scale) before analysis (<c>--reverse</c>).</summary>
    public ImmutableArray<string> Reverse { get; init; } = [];

    /// <summary>Feldt (default) or bootstrap interval for α (<c>--ci</c>).</summary>
    public AlphaIntervalMethod Interval { get; init; } = AlphaIntervalMethod.Feldt;

    /// <summary>Confidence level of intervals (default 0.95).</summary>
    public double Level { get; init; } = Defaults.Level;

    /// <summary>Bootstrap replicates (<c>--bootstrap</c>, default 2000).</summary>
    public int BootstrapReplicates { get; init; } = 2000;

    /// <summary>Seed of every random choice (bootstrap resamples, sampled splits) (<c>--seed</c>).</summary>
    public long Seed { get; init; } = Defaults.Seed;

    /// <summary>Also compute polychoric correlations and ordinal α and ω (<c>--ordinal</c>).</summary>
    public bool Ordinal { get; init; }

    /// <summary>How polychoric thresholds are estimated (default global, as psych).</summary>
    public PolychoricThresholds Thresholds { get; init; } = PolychoricThresholds.Global;

    /// <summary>
    /// With per-pair thresholds, the count given to an empty cell of a pair's table (psych's <c>correct = 0.5</c>; 0 for
    /// none, as polycor).
    /// </summary>
    public double PolychoricCorrection { get; init; } = 0.5;

    /// <summary>Factor extraction behind ω (minres, as psych::omega, by default; maximum likelihood as an option).</summary>
    public FactorMethod OmegaMethod { get; init; } = FactorMethod.MinimumResidual;

    /// <summary>Which splits the split-half summary covers (every distinct split by default).</summary>
    public SplitHalfEnumeration Splits { get; init; } = SplitHalfEnumeration.AllSplits;

    /// <summary>Enumerate every split up to this many; sample this many beyond (psych's <c>n.sample = 10000</c>).</summary>
    public int MaximumSplits { get; init; } = 10_000;

    /// <summary>Compute ω if each item is deleted (one factor fit per item; on by default). Skipped, with a warning, when
    /// there are at least as many items as rows (the correlation matrix is singular) or more than 150 items; λ6 if item
    /// deleted likewise is skipped above 150 items.</summary>
    public bool OmegaIfDeleted { get; init; } = true;

    /// <summary>Checks the options; throws <see cref="ArgumentOutOfRangeException"/> naming the bad one.</summary>
    public void Validate()
    {
        if (!(Level > 0 && Level < 1)) throw new ArgumentOutOfRangeException(nameof(Level), Level, "The confidence level must be in (0, 1).");
        if (BootstrapReplicates < 100) throw new ArgumentOutOfRangeException(nameof(BootstrapReplicates), BootstrapReplicates, "At least 100 bootstrap replicates are needed.");
        if (BootstrapReplicates > Defaults.MaxResamples)
            throw new AllianceInputException($"ReliabilityOptions.BootstrapReplicates is {BootstrapReplicates}: at most {Defaults.MaxResamples} bootstrap resamples are taken (Defaults.MaxResamples)", "ReliabilityOptions.BootstrapReplicates");
        if (!(PolychoricCorrection >= 0 && PolychoricCorrection <= 1)) throw new ArgumentOutOfRangeException(nameof(PolychoricCorrection), PolychoricCorrection, "The continuity correction must be in [0, 1].");
        if (MaximumSplits < 1) throw new ArgumentOutOfRangeException(nameof(MaximumSplits), MaximumSplits, "At least one split is needed.");
    }
}
