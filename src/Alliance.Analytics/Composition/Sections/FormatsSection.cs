using Alliance.Analytics.Formats;
using Alliance.Analytics.Presentation;

namespace Alliance.Analytics.Composition;

/// <summary>
/// The main job's format section (<c>alliance analyze</c>) for 7-point data: the explorer (rating scale model by CML on
/// complete rows) and the original scoring beside the best-ranked collapse (partial credit, all rows).
/// </summary>
public sealed class FormatsSection : IMainJobSection
{
    /// <summary>Fewest rows the section runs on (category diagnostics need persons in every category).</summary>
    public const int MinimumRows = 50;

    /// <inheritdoc/>
    public string Key => "formats";

    /// <inheritdoc/>
    public int Order => 40;

    /// <inheritdoc/>
    public bool AppliesTo(MainJobContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var items = context.Data.Items;
        return items.Scale.IsInteger && items.Scale.Points == 7 && items.ItemCount >= 2 && items.RowCount >= MinimumRows;
    }

    /// <inheritdoc/>
    public IAnalysisResult Run(MainJobContext context, IProgress<AnalysisProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var exploration = FormatAnalysis.Explore(context.Data, new FormatOptions(), progress, cancellationToken);
        var best = exploration.Best.Map;
        var comparison = FormatAnalysis.Compare(context.Data, best.IsIdentity ? [] : [best], new FormatOptions(), progress, cancellationToken);
        return new FormatReport { Exploration = exploration, Comparison = comparison };
    }
}
