using Alliance.Analytics.Irt;
using Alliance.Analytics.Presentation;

namespace Alliance.Analytics.Composition;

/// <summary>
/// The main job's IRT section: the rating scale model by CML on the items (integer scales only), with its category
/// table, Linacre's guidelines and reliability. It applies to integer scales with at least two items and
/// <see cref="MinimumRows"/> rows (a Rasch fit on fewer persons says nothing about the categories).
/// </summary>
public sealed class IrtSection : IMainJobSection
{
    /// <inheritdoc/>
    public string Key => "irt";

    /// <inheritdoc/>
    public int Order => 30;

    /// <inheritdoc/>
    public bool AppliesTo(MainJobContext context) =>
        context.Data.Items.Scale.IsInteger && context.Data.Items.ItemCount >= 2 && context.Data.Items.RowCount >= MinimumRows;

    /// <summary>Fewest rows the section runs on.</summary>
    public const int MinimumRows = 20;

    /// <inheritdoc/>
    public IAnalysisResult Run(MainJobContext context, IProgress<AnalysisProgress>? progress, CancellationToken cancellationToken) =>
        IrtAnalysis.Fit(context.Data, new IrtOptions { Model = IrtModelType.RatingScale }, progress, cancellationToken);
}
