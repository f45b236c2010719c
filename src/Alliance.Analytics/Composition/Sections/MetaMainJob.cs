using System.Collections.Immutable;
using Alliance.Analytics.Data;
using Alliance.Analytics.Meta;
using Alliance.Analytics.Presentation;

namespace Alliance.Analytics.Composition;

/// <summary>
/// The main job (<c>alliance analyze</c>) on a study table: a file whose header has r and n (or yi and vi) columns is
/// meta-analysed instead of being read as item responses. The report has three sections: <c>meta</c> (REML random
/// effects, or the three-level model when the table has <c>study</c> and <c>es_id</c> columns), <c>meta_bias</c> and
/// <c>meta_influence</c>; a section that fails is reported as failed and the others still run.
/// </summary>
public static class MetaMainJob
{
    /// <summary>True when <paramref name="path"/> is a study table (see <see cref="StudyTable.IsStudyTable(string, char?, string?)"/>).</summary>
    public static bool Applies(string path, DataSpec? spec) => StudyTable.IsStudyTable(path, spec?.Delimiter, spec?.Encoding);

    /// <summary>Reads the study table and runs the meta-analysis sections.</summary>
    /// <exception cref="DataValidationException">When the table has errors and invalid rows are not to be dropped.</exception>
    public static MainJobReport Run(string path, DataSpec? spec, MainJobOptions options, IProgress<AnalysisProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        progress?.Report(new AnalysisProgress("reading study table " + Path.GetFileName(path), double.NaN));
        bool threeLevel = HasStudyAndEffectIds(path, spec?.Delimiter, spec?.Encoding);
        var tableSpec = new StudyTableSpec
        {
            Delimiter = spec?.Delimiter,
            Encoding = spec?.Encoding,
            MissingCodes = spec?.MissingCodes ?? [],
            DropInvalidRows = options.Preparation.DropInvalidRows,
            Cluster = threeLevel ? "study" : null,
        };
        var read = StudyTable.Read(path, tableSpec);
        var studies = read.Studies ?? throw new DataValidationException(read.Report);
        var outcomes = ImmutableArray.CreateBuilder<MainJobSectionOutcome>();
        MetaReport? report = null;
        Section("meta", () => report = MetaReport.Run(studies, new MetaReportOptions { ThreeLevel = threeLevel, Seed = options.Seed }, progress, cancellationToken));
        var fit = report?.Model;
        if (fit is null) outcomes.Add(new("meta_bias", null, "skipped", threeLevel ? "three-level model: the bias test needs MetaReportOptions.Bias with StudyTableSpec.Cluster = study" : "the model could not be fitted"));
        else if (fit.K < 3) outcomes.Add(new("meta_bias", null, "skipped", "fewer than 3 studies"));
        else Section("meta_bias", () => PublicationBias.Analyze(fit));
        if (fit is null || fit.K <= fit.CoefficientCount + 1) outcomes.Add(new("meta_influence", null, "skipped", fit is null ? "univariate model only" : "too few studies"));
        else Section("meta_influence", () => fit.Influence());
        return new MainJobReport { Source = path, Validation = read.Report, Sections = outcomes.ToImmutable(), Usage = studies.Usage };

        void Section(string key, Func<IAnalysisResult> run)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (options.Skip.Contains(key)) { outcomes.Add(new(key, null, "skipped", "skipped on request")); return; }
            progress?.Report(new AnalysisProgress(key, double.NaN));
            try { outcomes.Add(new(key, run(), "ok", null)); }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or AnalysisFailedException or ArithmeticException)
            {
                outcomes.Add(new(key, null, "failed", e.Message));
            }
        }
    }

    private static bool HasStudyAndEffectIds(string path, char? delimiter, string? encoding)
    {
        using var source = new CsvTableSource(path, delimiter, encoding);
        return source.Header is { } h
            && h.Any(c => string.Equals(c, "study", StringComparison.OrdinalIgnoreCase))
            && h.Any(c => string.Equals(c, "es_id", StringComparison.OrdinalIgnoreCase));
    }
}
