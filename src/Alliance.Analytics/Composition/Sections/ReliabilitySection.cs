using Alliance.Analytics.Reliability;
using Alliance.Analytics.Presentation;

namespace Alliance.Analytics.Composition;

/// <summary>
/// The main job's reliability section (<c>alliance analyze</c>): α, ω and the rest per subscale and total when the
/// data name an instrument whose items they hold, otherwise on all items; pairwise, Feldt intervals, the main job's
/// seed for sampled splits.
/// </summary>
public sealed class ReliabilitySection : IMainJobSection
{
    /// <inheritdoc/>
    public string Key => "reliability";

    /// <inheritdoc/>
    public int Order => 20;

    /// <inheritdoc/>
    public bool AppliesTo(MainJobContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Data.Items.ItemCount >= 2 && context.Data.Items.RowCount >= 3;
    }

    /// <inheritdoc/>
    public IAnalysisResult Run(MainJobContext context, IProgress<AnalysisProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        return ReliabilityAnalysis.Analyze(context.Data, new ReliabilityOptions { Seed = context.Options.Seed }, progress: progress, cancellationToken: cancellationToken);
    }
}
