using Alliance.Analytics.Presentation;
using Alliance.Analytics.Scoring;

namespace Alliance.Analytics.Composition;

/// <summary>The descriptives section of the main job: every item (keyed) and every score.</summary>
public sealed class DescriptivesSection : IMainJobSection
{
    /// <inheritdoc/>
    public string Key => "descriptives";

    /// <inheritdoc/>
    public int Order => 10;

    /// <inheritdoc/>
    public bool AppliesTo(MainJobContext context) => true;

    /// <inheritdoc/>
    public IAnalysisResult Run(MainJobContext context, IProgress<AnalysisProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Descriptives.Describe(context.Data, context.Scores);
    }
}
