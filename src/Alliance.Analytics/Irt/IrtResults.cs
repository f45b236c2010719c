using System.Globalization;
using System.Collections.Immutable;

namespace Alliance.Analytics.Irt;

/// <summary>
/// One item's fitted parameters, standard errors and fit.
/// </summary>
/// <remarks>
/// Slope–intercept form: divide-by-total models P_c ∝ exp(a·s_c·θ + d_c) (d_0 = 0); graded P(X ≥ c) = logistic(a·θ + d_c).
/// IRT form: graded b_c = −d_c / a; divide-by-total b_c = −(d_c − d_{c−1}) / (a (s_c − s_{c−1})), the step difficulties
/// (for Rasch models Masters' thresholds δ_jc). Location: the mean of b.
/// </remarks>
public sealed record IrtItem
{
    /// <summary>Item name.</summary>
    public required string Name { get; init; }

    /// <summary>The scale values of the item's categories in the model (the categories its respondents used, or all between them when kept).</summary>
    public required ImmutableArray<double> Categories { get; init; }

    /// <summary>The score of each category in the model (0 for the lowest).</summary>
    public required ImmutableArray<int> Scores { get; init; }

    /// <summary>Slope a (1 and fixed for Rasch models).</summary>
    public required double A { get; init; }

    /// <summary>SE of the slope (NaN when fixed).</summary>
    public required double AStandardError { get; init; }

    /// <summary>Intercepts d_1 … d_{m−1} (slope–intercept form, as mirt's d).</summary>
    public required ImmutableArray<double> Intercepts { get; init; }

    /// <summary>SEs of the intercepts.</summary>
    public required ImmutableArray<double> InterceptStandardErrors { get; init; }

    /// <summary>IRT-form thresholds b_1 … b_{m−1} (for CML fits in the fit's normalization).</summary>
    public required ImmutableArray<double> B { get; init; }

    /// <summary>SEs of b.</summary>
    public required ImmutableArray<double> BStandardErrors { get; init; }

    /// <summary>Location: the mean of b.</summary>
    public required double Location { get; init; }

    /// <summary>SE of the location.</summary>
    public required double LocationStandardError { get; init; }

    /// <summary>For Rasch models: the item's absolute thresholds in eRm's convention (<c>eRm::thresholds()</c>); empty otherwise.</summary>
    public required ImmutableArray<double> ErmThresholds { get; init; }

    /// <summary>SEs of <see cref="ErmThresholds"/>.</summary>
    public required ImmutableArray<double> ErmThresholdStandardErrors { get; init; }

    /// <summary>For Rasch models: the item location in eRm's convention (mean of its thresholds); NaN otherwise.</summary>
    public required double ErmLocation { get; init; }

    /// <summary>True when b_1 &lt; b_2 &lt; … (always true for the graded model).</summary>
    public required bool ThresholdsOrdered { get; init; }

    /// <summary>Item fit.</summary>
    public required ItemFitStatistics Fit { get; init; }

    /// <summary>"Comfort: a = 1.04, b = −4.67 −2.53 1.41".</summary>
    public override string ToString() =>
        $"{Name}: a = {A.ToString("F3", CultureInfo.InvariantCulture)}, b = {string.Join(" ", B.Select(b => b.ToString("F3", CultureInfo.InvariantCulture)))}";
}

/// <summary>
/// Infit and outfit mean-squares of an item (or a person) with their standardised values (Wilson–Hilferty cube-root
/// transformation with the model variance of the mean-square: Wright &amp; Masters 1982, as eRm's <c>itemfit</c>).
/// </summary>
/// <param name="N">Responses the statistics used.</param>
/// <param name="Infit">Information-weighted mean-square Σ(x − E)² / ΣV.</param>
/// <param name="Outfit">Unweighted mean-square Σ z² / n.</param>
/// <param name="InfitZ">Standardised infit (ZSTD).</param>
/// <param name="OutfitZ">Standardised outfit (ZSTD).</param>
/// <param name="SX2">Orlando–Thissen S-X² (marginal fits, complete rows; NaN otherwise).</param>
/// <param name="SX2DegreesOfFreedom">Degrees of freedom of S-X².</param>
/// <param name="SX2PValue">p-value of S-X².</param>
/// <param name="SX2N">Persons S-X² used: complete rows whose summed score is neither the lowest nor the highest possible (0 when not computed).</param>
public sealed record ItemFitStatistics(int N, double Infit, double Outfit, double InfitZ, double OutfitZ, double SX2 = double.NaN, int SX2DegreesOfFreedom = 0, double SX2PValue = double.NaN, int SX2N = 0);

/// <summary>
/// One person's (row's) measure and fit.
/// </summary>
/// <param name="Row">Row of the response matrix.</param>
/// <param name="Line">Source line of the row.</param>
/// <param name="Answered">Items answered.</param>
/// <param name="RawScore">Sum of the category scores over the answered items.</param>
/// <param name="Theta">The measure (±∞ for an ML estimate of an extreme score).</param>
/// <param name="StandardError">SE of the measure (posterior SD for EAP).</param>
/// <param name="Extreme">−1 when every answer was the lowest category, +1 the highest, 0 otherwise.</param>
/// <param name="Infit">Person infit mean-square (NaN for extreme scores).</param>
/// <param name="Outfit">Person outfit mean-square.</param>
/// <param name="Lz">Standardised log-likelihood l_z (Drasgow, Levine &amp; Williams 1985); large negative values flag misfit.</param>
public sealed record PersonMeasure(int Row, int Line, int Answered, int RawScore, double Theta, double StandardError, int Extreme, double Infit, double Outfit, double Lz);

/// <summary>
/// Separation statistics in Winsteps' form: observed SD of the measures, root-mean-square error, "true" SD
/// √(SD² − RMSE²), separation G = true SD / RMSE and reliability G² / (1 + G²) = true variance / observed variance.
/// </summary>
/// <param name="N">Measures used.</param>
/// <param name="Sd">Observed SD (denominator n − 1, as eRm's SepRel).</param>
/// <param name="Rmse">√ mean SE².</param>
/// <param name="TrueSd">√ max(0, SD² − RMSE²).</param>
/// <param name="Separation">TrueSd / Rmse.</param>
/// <param name="Reliability">TrueSd² / SD².</param>
public sealed record SeparationStatistics(int N, double Sd, double Rmse, double TrueSd, double Separation, double Reliability)
{
    /// <summary>Why the separation is not available (null when it is): too few measures, or their SEs were not computed or are not finite.</summary>
    public string? Unavailable { get; init; }

    internal static SeparationStatistics From(IReadOnlyList<double> measures, IReadOnlyList<double> se)
    {
        int n = measures.Count;
        if (n < 2) return new SeparationStatistics(n, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN) { Unavailable = $"{n} measure{(n == 1 ? "" : "s")} (at least two are needed)" };
        if (se.Any(v => !double.IsFinite(v)))
            return new SeparationStatistics(n, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN) { Unavailable = "standard errors of the measures are not available (not computed, or the information is singular)" };
        double mean = measures.Average();
        double var = measures.Sum(x => (x - mean) * (x - mean)) / (n - 1);
        double mse = se.Sum(s => s * s) / n;
        double trueVar = Math.Max(0, var - mse);
        return new SeparationStatistics(n, Math.Sqrt(var), Math.Sqrt(mse), Math.Sqrt(trueVar), Math.Sqrt(trueVar / mse), var > 0 ? trueVar / var : double.NaN);
    }

    internal static SeparationStatistics FromReliability(int n, double sd, double reliability)
    {
        double sep = reliability is > 0 and < 1 ? Math.Sqrt(reliability / (1 - reliability)) : double.NaN;
        double trueSd = sd * Math.Sqrt(Math.Max(0, reliability));
        return new SeparationStatistics(n, sd, sd * Math.Sqrt(Math.Max(0, 1 - reliability)), trueSd, sep, reliability)
        {
            Unavailable = double.IsNaN(sep) ? $"the marginal reliability {reliability.ToString("G3", System.Globalization.CultureInfo.InvariantCulture)} is not between 0 and 1" : null,
        };
    }
}

/// <summary>
/// Reliability of a fit: person and item separation (Winsteps' "model" with model SEs and "real" with SEs inflated by
/// √max(1, infit)), and the marginal (empirical EAP) reliability var(EAP) / (var(EAP) + mean PSD²).
/// </summary>
/// <param name="PersonModel">Person separation with model SEs (ML/WLE measures of non-extreme persons; derived from the marginal reliability when persons are measured by EAP).</param>
/// <param name="PersonReal">Person separation with misfit-inflated SEs.</param>
/// <param name="ItemModel">Item separation of the item locations with model SEs.</param>
/// <param name="ItemReal">Item separation with misfit-inflated SEs.</param>
/// <param name="Marginal">Empirical marginal reliability of EAP measures.</param>
public sealed record IrtReliability(SeparationStatistics PersonModel, SeparationStatistics PersonReal, SeparationStatistics ItemModel,
    SeparationStatistics ItemReal, double Marginal);

/// <summary>
/// One row of a category table (Winsteps Table 3.2 style).
/// </summary>
/// <param name="Category">Scale value.</param>
/// <param name="Score">Score in the model.</param>
/// <param name="Count">Responses in the category.</param>
/// <param name="Percent">Share of the responses (0–1).</param>
/// <param name="ObservedAverage">Mean measure of the responses in the category (θ − item location for the pooled table, θ for an item's table).</param>
/// <param name="ExpectedAverage">Model-expected mean measure: Σ φ P_k / Σ P_k over all responses.</param>
/// <param name="Infit">Category infit: Σ_{x=k} (k − E)² / Σ_n P_nk (k − E_n)², observed over model-expected (1 expected).</param>
/// <param name="Outfit">Category outfit: Σ_{x=k} z² / Σ_n P_nk (k − E_n)² / V_n (1 expected).</param>
/// <param name="Threshold">Andrich threshold into this category (relative to the item location; NaN for the lowest category).</param>
/// <param name="ThresholdStandardError">SE of the threshold.</param>
/// <param name="CoherenceMeasureToCategory">M→C: share of the responses whose measure falls in this category's zone that were in this category.</param>
/// <param name="CoherenceCategoryToMeasure">C→M: share of the responses in this category whose measure falls in its zone (zone: where the expected score rounds to this category).</param>
public sealed record CategoryRow(double Category, int Score, long Count, double Percent, double ObservedAverage, double ExpectedAverage,
    double Infit, double Outfit, double Threshold, double ThresholdStandardError, double CoherenceMeasureToCategory, double CoherenceCategoryToMeasure);

/// <summary>One of Linacre's (2002) guidelines for rating-scale categories, checked.</summary>
/// <param name="Number">Guideline number (1–8).</param>
/// <param name="Guideline">The guideline in words.</param>
/// <param name="Passed">Whether the data meet it.</param>
/// <param name="Detail">What was found.</param>
public sealed record LinacreCheck(int Number, string Guideline, bool Passed, string Detail);

/// <summary>
/// A category table for one item or the whole scale, with Linacre's guidelines checked.
/// </summary>
/// <param name="Item">Item name, or "scale" for the pooled table.</param>
/// <param name="Rows">One row per category.</param>
/// <param name="ThresholdsOrdered">Whether the thresholds advance.</param>
/// <param name="Checks">Linacre's guidelines 1–8.</param>
public sealed record CategoryTable(string Item, ImmutableArray<CategoryRow> Rows, bool ThresholdsOrdered, ImmutableArray<LinacreCheck> Checks)
{
    /// <summary>Guidelines not met.</summary>
    public IEnumerable<LinacreCheck> Failed => Checks.Where(c => !c.Passed);
}
