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
    public bool AppliesTo(MainJobContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Data.Items.ItemCount >= 2 && context.Data.Items.RowCount >= 3;
    }

    /// <inheritdoc/>
    public IAnalysisResult Run(MainJobContext context, IProgress<AnalysisProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var items = context.Data.Items;
        var instrument = context.Data.Instrument is { } i && i.ItemCount == items.ItemCount ? i : null;
        var options = new ReliabilityOptions { Seed = context.Options.Seed };
        var report = ReliabilityAnalysis.Analyze(items, instrument, options, usage: context.Usage, progress: progress, cancellationToken: cancellationToken);
        if (context.Data.Instrument is { } named && instrument is null)
            report = report with
            {
                ReportWarnings = [.. report.ReportWarnings, $"{named.Id} has {named.ItemCount} items but the data have {items.ItemCount} item columns; " +
                    "its keys and subscales were not used (one scale of all items, nothing reversed)"],
            };
        return report;
    }
}
