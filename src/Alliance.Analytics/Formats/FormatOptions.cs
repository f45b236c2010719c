using System.Globalization;
using System.Collections.Immutable;
using Alliance.Analytics.Irt;

namespace Alliance.Analytics.Formats;

/// <summary>
/// Options of a response-format comparison (<see cref="FormatAnalysis.Compare(Data.AnalysisData, IReadOnlyList{CategoryMap}, FormatOptions?, IProgress{Presentation.AnalysisProgress}?, CancellationToken)"/>)
/// and of the collapse explorer (<see cref="FormatAnalysis.Explore(Data.AnalysisData, FormatOptions?, IProgress{Presentation.AnalysisProgress}?, CancellationToken)"/>).
/// </summary>
public sealed record FormatOptions
{
    /// <summary>
    /// The Rasch model fitted to each scoring by conditional ML: <see cref="IrtModelType.PartialCredit"/> or
    /// <see cref="IrtModelType.RatingScale"/>. Default (null): partial credit for a comparison (each item has its own
    /// thresholds, so their order per item means something), rating scale for the explorer (one threshold set, the
    /// question a scale-wide collapse asks, at a fraction of the cost).
    /// </summary>
    public IrtModelType? Model { get; init; }

    /// <summary>
    /// Where "information where most clients are" is taken, in person-SD units around the persons' mean
    /// (z = (θ − μ)/σ of each scoring's own fitted latent normal): the harmonic mean of I(μ + σz)·σ² over an even grid on
    /// [<see cref="TargetFrom"/>, <see cref="TargetTo"/>]. Default (both null): the harmonic mean of I(θ̂)·σ² over the
    /// persons' own WLE measures, i.e. weighted by where the clients are (for alliance data: high).
    /// </summary>
    public double? TargetFrom { get; init; }

    /// <summary>Upper end of the target range (see <see cref="TargetFrom"/>).</summary>
    public double? TargetTo { get; init; }


    /// <summary>Outcome column for the correlation with the outcome (e.g. <c>post</c>); none by default.</summary>
    public string? Outcome { get; init; }

    /// <summary>
    /// When given, the outcome is the improvement <c>baseline − outcome</c> (for symptom measures where lower is
    /// better, e.g. <c>--outcome post --outcome-baseline baseline</c>), so a positive correlation means better alliance,
    /// more improvement.
    /// </summary>
    public string? OutcomeBaseline { get; init; }

    /// <summary>Session whose rows are correlated with the outcome (one per client); default: the earliest session in the data (all rows when there is no session column).</summary>
    public double? OutcomeSession { get; init; }

    /// <summary>Two sessions (from, to) for sensitivity to change: standardized response mean and share of reliable change between them, per client. Empty: not computed.</summary>
    public ImmutableArray<double> ChangeSessions { get; init; } = [];

    /// <summary>Level of the reliable-change criterion (default .95: |RCI| &gt; 1.96).</summary>
    public double ReliableChangeLevel { get; init; } = Defaults.Level;

    /// <summary>Fewest categories a candidate of the explorer keeps (default 2: every one of the 2^(K−1) maps but the single-category one, which measures nothing).</summary>
    public int MinimumCategories { get; init; } = 2;

    /// <summary>
    /// The explorer fits every map to all rows (true) or, by default, to the rows with every item answered. With one
    /// missingness pattern the conditional likelihood has one raw-score distribution, which makes each of the 2^(K−1)
    /// fits several times cheaper; the rows left out are reported. Comparisons always use all rows.
    /// </summary>
    public bool ExploreAllRows { get; init; }

    /// <summary>Threads to use (default all cores). Results are identical for any value.</summary>
    public int? MaxDegreeOfParallelism { get; init; }

    /// <summary>The model used for a comparison.</summary>
    public IrtModelType ComparisonModel => Model ?? IrtModelType.PartialCredit;

    /// <summary>The model used by the explorer.</summary>
    public IrtModelType ExplorerModel => Model ?? IrtModelType.RatingScale;

    internal int Threads => Math.Max(1, MaxDegreeOfParallelism ?? Environment.ProcessorCount);

    internal void Validate()
    {
        if (Model is { } m && m is not (IrtModelType.PartialCredit or IrtModelType.RatingScale))
            throw new AllianceInputException($"format comparisons fit Rasch models by conditional ML (rsm or pcm), not the {IrtFit.ModelName(m)}");
        if (TargetFrom.HasValue != TargetTo.HasValue)
            throw new AllianceInputException("give both ends of the target range (FormatOptions.TargetFrom and TargetTo, in person-SD units) or neither", "FormatOptions.TargetFrom");
        if (TargetFrom is { } a && TargetTo is { } b && !(b > a))
            throw new AllianceInputException($"the target range must rise: {a.ToString(CultureInfo.InvariantCulture)} … {b.ToString(CultureInfo.InvariantCulture)}");
        if (!ChangeSessions.IsDefaultOrEmpty && (ChangeSessions.Length != 2 || ChangeSessions[0] == ChangeSessions[1]))
            throw new AllianceInputException("sensitivity to change needs exactly two different sessions (FormatOptions.ChangeSessions, e.g. [3, 8])", "FormatOptions.ChangeSessions");
        if (!(ReliableChangeLevel is > 0 and < 1)) throw new AllianceInputException($"the reliable-change level must be between 0 and 1, not {ReliableChangeLevel.ToString(CultureInfo.InvariantCulture)}");
        if (MinimumCategories < 2) throw new AllianceInputException($"a scoring needs at least 2 categories, not {MinimumCategories}");
        if (MaxDegreeOfParallelism is < 1) throw new AllianceInputException("the thread count must be at least 1");
    }
}
