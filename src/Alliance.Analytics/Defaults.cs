namespace Alliance.Analytics;

/// <summary>
/// Defaults shared by every analysis, stated once: an options record that resamples or gives intervals starts from
/// these, and the CLI's <c>--seed</c> and <c>--level</c> show them in their help.
/// </summary>
public static class Defaults
{
    /// <summary>Seed of every random stream (bootstrap, permutations, random starts, simulation): fixed, so results are reproducible.</summary>
    public const long Seed = 20261126;

    /// <summary>Confidence level of intervals.</summary>
    public const double Level = 0.95;

    /// <summary>
    /// The most bootstrap or permutation resamples any analysis takes (one million): far beyond what an interval's
    /// Monte Carlo error needs, and small enough that the stored replicates (8 bytes each) never threaten memory.
    /// </summary>
    public const int MaxResamples = 1_000_000;
}
