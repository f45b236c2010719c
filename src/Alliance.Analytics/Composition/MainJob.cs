using System.Collections.Immutable;
using System.Text;
using System.Text.Json.Nodes;
using Alliance.Analytics.Data;
using Alliance.Analytics.Instruments;
using Alliance.Analytics.Presentation;
using Alliance.Analytics.Scoring;

namespace Alliance.Analytics.Composition;

/// <summary>Options for the main job (<c>alliance analyze</c>).</summary>
public sealed record MainJobOptions
{
    /// <summary>How the data are prepared for every section: invalid rows, reverse keys, administrations (defaults as <see cref="PreparationOptions"/>).</summary>
    public PreparationOptions Preparation { get; init; } = new();

    /// <summary>Seed for sections that resample (bootstrap, permutation); fixed by default so reports are reproducible.</summary>
    public long Seed { get; init; } = Defaults.Seed;

    /// <summary>Section keys to skip (e.g. "irt" to save time).</summary>
    public ImmutableHashSet<string> Skip { get; init; } = [];

    /// <summary>The file formats the input may be in (CSV/TSV always; <see cref="SourceFormatRegistry.BuiltIn"/> by default).</summary>
    public SourceFormatRegistry Formats { get; init; } = SourceFormatRegistry.BuiltIn;
}

/// <summary>What a section of the main job sees: the prepared data (with their usage), the scores (when an instrument was scored) and the options.</summary>
/// <param name="Data">The prepared data: rows with validation errors dropped or refused, reverse keys applied.</param>
/// <param name="Scores">Instrument scores, or null when no instrument was scored.</param>
/// <param name="Options">The main job's options.</param>
public sealed record MainJobContext(AnalysisData Data, ScoreSet? Scores, MainJobOptions Options)
{
    /// <summary>The rows behind <see cref="Data"/>.</summary>
    public DataUsage Usage => Data.Usage;
}

/// <summary>
/// One section of the main job's report on item data (descriptives, reliability, IRT, formats, outcome). Sections
/// are found by <see cref="SectionRegistry"/>: a class in this assembly that implements the interface and has a
/// public parameterless constructor joins the report at its <see cref="Order"/>; no list is kept by hand.
/// </summary>
public interface IMainJobSection
{
    /// <summary>Key of the section in the JSON report ("descriptives").</summary>
    string Key { get; }

    /// <summary>Position in the report: lower first (descriptives 10, reliability 20, IRT 30, formats 40, outcome 50).</summary>
    int Order { get; }

    /// <summary>Whether the section applies to these data (e.g. IRT needs an integer scale).</summary>
    bool AppliesTo(MainJobContext context);

    /// <summary>Runs the section.</summary>
    IAnalysisResult Run(MainJobContext context, IProgress<AnalysisProgress>? progress, CancellationToken cancellationToken);
}

/// <summary>One section's outcome in the report: its result, or why it was skipped or failed.</summary>
/// <param name="Key">Section key.</param>
/// <param name="Result">The result, when the section ran.</param>
/// <param name="Status">"ok", "skipped" or "failed".</param>
/// <param name="Message">Why it was skipped or failed.</param>
public sealed record MainJobSectionOutcome(string Key, IAnalysisResult? Result, string Status, string? Message);

/// <summary>The main job's report: the validation report, then each section in order.</summary>
public sealed record MainJobReport : IAnalysisResult
{
    /// <summary>The data source.</summary>
    public required string Source { get; init; }

    /// <summary>The validation report of the file.</summary>
    public required ValidationReport Validation { get; init; }

    /// <summary>What preparing the data did (reverse keys applied, administrations chosen …), in words.</summary>
    public ImmutableArray<string> Preparation { get; init; } = [];

    /// <summary>Every section, in order, with its status.</summary>
    public required ImmutableArray<MainJobSectionOutcome> Sections { get; init; }

    /// <inheritdoc/>
    public required DataUsage Usage { get; init; }

    /// <inheritdoc/>
    public IReadOnlyList<string> Warnings =>
        [.. Sections.Where(s => s.Status == "failed").Select(s => $"section '{s.Key}' failed: {s.Message}")];

    /// <summary>The result of a section by key, or null.</summary>
    public IAnalysisResult? this[string key] => Sections.FirstOrDefault(s => s.Key == key)?.Result;

    /// <summary>The validation summary and every section's summary, concatenated (see <see cref="ToText"/>).</summary>
    public ResultSummary Summary()
    {
        var lines = new List<string> { Usage.ToString(), Validation.ToString() };
        lines.AddRange(Preparation.IsDefault ? [] : Preparation.Select(p => "Data: " + p));
        foreach (var s in Sections.Where(s => s.Status != "ok")) lines.Add($"Section {s.Key}: {s.Status}{(s.Message is null ? "" : " — " + s.Message)}");
        var tables = Sections.Where(s => s.Result is not null).SelectMany(s => s.Result!.Summary().Tables).ToArray();
        return new ResultSummary($"Alliance analysis of {Path.GetFileName(Source)}", lines, tables, [], Warnings);
    }

    /// <summary>The whole report as text: a header, then each section's own summary in full.</summary>
    public string ToText()
    {
        var sb = new StringBuilder();
        sb.AppendLine($"ALLIANCE ANALYSIS: {Source}");
        sb.AppendLine(Usage.ToString());
        foreach (var p in Preparation.IsDefault ? [] : Preparation) sb.Append("Data: ").AppendLine(p);
        foreach (var w in Warnings) sb.Append("WARNING: ").AppendLine(w);
        sb.AppendLine();
        sb.AppendLine(Validation.Summary(maxListed: 20).ToText());
        foreach (var s in Sections)
        {
            if (s.Result is not null) sb.AppendLine(s.Result.Summary().ToText());
            else sb.AppendLine($"[{s.Key}] {s.Status}: {s.Message}").AppendLine();
        }
        return sb.ToString();
    }

    /// <summary><c>{"file", "n", "data", "warnings", "validation": {…}, "sections": {"scores": {…}, …}, "section_status": {…}}</c>.</summary>
    public JsonObject ToJson()
    {
        var o = JsonOutput.Document(this);
        o["file"] = Source;
        o["validation"] = Validation.ToJson();
        o["preparation"] = JsonOutput.Strings(Preparation.IsDefault ? [] : Preparation);
        var sections = new JsonObject();
        var status = new JsonObject();
        foreach (var s in Sections)
        {
            status[s.Key] = new JsonObject { ["status"] = s.Status, ["message"] = s.Message };
            if (s.Result is not null) sections[s.Key] = s.Result.ToJson();
        }
        o["sections"] = sections;
        o["section_status"] = status;
        return o;
    }
}

/// <summary>
/// The main job (<c>alliance analyze</c>): validate a file, then run every section that applies and gather one
/// report. A section that fails is reported as failed; the others still run.
/// </summary>
public static class MainJob
{
    /// <summary>The sections of the default registry, in report order (<see cref="SectionRegistry.Default"/>).</summary>
    public static ImmutableArray<IMainJobSection> Sections => SectionRegistry.Default.Sections;

    /// <summary>
    /// Reads, validates and analyses a file.
    /// </summary>
    /// <exception cref="DataValidationException">When the file has errors (or no data set could be built) and invalid rows are not to be dropped.</exception>
    public static MainJobReport Run(string path, DataSpec? spec = null, MainJobOptions? options = null, InstrumentRegistry? registry = null,
        IProgress<AnalysisProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Run(path, spec, options, registry, SectionRegistry.Default, progress, cancellationToken);

    /// <summary>Reads, validates and analyses a file with the sections of <paramref name="sections"/>.</summary>
    /// <exception cref="DataValidationException">When the file has errors (or no data set could be built) and invalid rows are not to be dropped.</exception>
    public static MainJobReport Run(string path, DataSpec? spec, MainJobOptions? options, InstrumentRegistry? registry, SectionRegistry sections,
        IProgress<AnalysisProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sections);
        options ??= new MainJobOptions();
        // A study table (r and n, or yi and vi columns) is meta-analysed, not read as item responses (Meta/MetaMainJob.cs).
        if (MetaMainJob.Applies(path, spec)) return MetaMainJob.Run(path, spec, options, progress, cancellationToken);
        progress?.Report(new AnalysisProgress("reading " + Path.GetFileName(path), double.NaN));
        var read = AllianceDataset.Read(path, spec, registry, options.Formats, cancellationToken);
        return Run(read, options, sections, progress, cancellationToken);
    }

    /// <summary>
    /// Analyses data already read and validated (e.g. <see cref="AllianceDataset.Read(IRecordSource, DataSpec?, InstrumentRegistry?, CancellationToken)"/>
    /// over a database query) with the sections of <paramref name="sections"/> (default <see cref="SectionRegistry.Default"/>).
    /// A study table is not recognised here: only item responses are analysed.
    /// </summary>
    /// <exception cref="DataValidationException">When the data have errors (or no data set could be built) and invalid rows are not to be dropped.</exception>
    public static MainJobReport Run(LoadResult read, MainJobOptions? options = null, SectionRegistry? sections = null,
        IProgress<AnalysisProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(read);
        sections ??= SectionRegistry.Default;
        options ??= new MainJobOptions();
        var dataset = read.Dataset ?? throw new DataValidationException(read.Report);
        var data = AnalysisData.Prepare(dataset, options.Preparation);

        var outcomes = ImmutableArray.CreateBuilder<MainJobSectionOutcome>();
        ScoreSet? scores = null;
        if (data.Instrument is { } instrument)
        {
            if (instrument.RequiresUserKey)
                outcomes.Add(new("scores", null, "skipped", $"{instrument.Id} needs a user key (InstrumentRegistry.WithKeyFile) for scoring"));
            else
            {
                scores = InstrumentScoring.Score(data);
                outcomes.Add(new("scores", scores, "ok", null));
            }
        }
        else outcomes.Add(new("scores", null, "skipped", "no instrument named (DataSpec.Instrument)"));

        var context = new MainJobContext(data, scores, options);
        foreach (var section in sections.Sections)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (options.Skip.Contains(section.Key)) { outcomes.Add(new(section.Key, null, "skipped", "skipped on request")); continue; }
            if (!section.AppliesTo(context)) { outcomes.Add(new(section.Key, null, "skipped", "does not apply to these data")); continue; }
            progress?.Report(new AnalysisProgress(section.Key, double.NaN));
            try
            {
                outcomes.Add(new(section.Key, section.Run(context, progress, cancellationToken), "ok", null));
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or AnalysisFailedException or ArithmeticException)
            {
                outcomes.Add(new(section.Key, null, "failed", e.Message));
            }
        }
        return new MainJobReport { Source = dataset.Source, Validation = read.Report, Sections = outcomes.ToImmutable(), Usage = data.Usage, Preparation = data.Notes };
    }
}
