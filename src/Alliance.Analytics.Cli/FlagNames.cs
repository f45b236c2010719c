using System.Text.RegularExpressions;

namespace Alliance.Analytics.Cli;

/// <summary>
/// The one mapping from the library's names for a setting (an option record's property, qualified by the record:
/// <c>DataSpec.Items</c>, <c>ReliabilityOptions.Missing = MissingData.Listwise</c>) to the flag of the verb that was
/// run (<c>--items</c>, <c>--missing listwise</c>). Library messages name properties, since a C# or notebook user has
/// no flags (issue 13); the CLI translates them here, per verb, before printing an error, a table or a note. A name
/// whose flag the verb lacks becomes the command that has it (<c>`alliance irt --estimation mml`</c>) when the entry
/// names one, and is left as the property otherwise.
/// </summary>
public static partial class FlagNames
{
    /// <summary>One library name and its flag in the verbs that have it.</summary>
    /// <param name="Name">The library's name as it appears in messages; a name ending in "= " is followed by a value
    /// (up to a space, ')' or ';'), which the flag's <c>{0}</c> receives.</param>
    /// <param name="Flag">The verb's flag, with a placeholder or value where that reads better ("--points K").</param>
    /// <param name="Verbs">The verbs that have the flag.</param>
    /// <param name="Home">The verb to point to from verbs without the flag, or null to leave the name as it is there.</param>
    /// <param name="TextToo">False for names that are only exception properties or argument names (too common a
    /// word to replace in running text, e.g. "subscale").</param>
    public sealed record Entry(string Name, string Flag, IReadOnlyList<string> Verbs, string? Home, bool TextToo = true);

    // Verbs that read item responses (DataOptions) and those of them that can drop invalid rows.
    private static readonly string[] DataVerbs = ["analyze", "validate", "score", "outcome", "describe", "irt", "formats", "reliability"];
    private static readonly string[] DropVerbs = ["analyze", "score", "outcome", "describe", "irt", "formats", "reliability", "meta"];
    private static readonly string[] KeyVerbs = [.. DataVerbs, "instruments"];
    private static readonly string[] Irt = ["irt"], Reliability = ["reliability"], Formats = ["formats"], Outcome = ["outcome"], Meta = ["meta"], Simulate = ["simulate"], Validate = ["validate"];

    /// <summary>Every library name the CLI translates, with its flag per verb.</summary>
    public static IReadOnlyList<Entry> Table { get; } =
    [
        // Data description (DataSpec, shared by every verb that reads item responses; meta reads a study table)
        new("DataSpec.Items", "--items", DataVerbs, null),
        new("DataSpec.Instrument", "--instrument", DataVerbs, null),
        new("DataSpec.Points", "--points K", DataVerbs, null),
        new("DataSpec.Min", "--min", DataVerbs, null),
        new("DataSpec.Max", "--max", DataVerbs, null),
        new("DataSpec.Continuous", "--continuous", DataVerbs, null),
        new("DataSpec.MissingCodes", "--missing-codes", [.. DataVerbs, "meta"], null),
        new("DataSpec.Delimiter", "--delimiter", [.. DataVerbs, "meta"], null),
        new("DataSpec.Encoding", "--encoding", [.. DataVerbs, "meta"], null),
        new("DataSpec.Sheet", "--sheet", DataVerbs, null),
        new("InstrumentRegistry.WithKeyFile", "--key FILE", KeyVerbs, null),
        // AllianceDataset.ForAnalysis(dropInvalidRows), MainJobOptions.DropInvalidRows, StudyTableSpec.DropInvalidRows
        new("MainJobOptions.DropInvalidRows", "--drop-invalid", DropVerbs, null),
        new("StudyTableSpec.DropInvalidRows", "--drop-invalid", DropVerbs, null),
        new("DropInvalidRows", "--drop-invalid", DropVerbs, null),
        new("dropInvalidRows", "--drop-invalid", DropVerbs, null, TextToo: false),
        new("in ValidationReport.Issues", "with --all or --format json", Validate, null),
        // The prepared-data stage (PreparationOptions), shared by every verb that analyses item responses
        new("PreparationOptions.AlsoReverse", "--reverse", DropVerbs.Where(v => v != "meta").ToArray(), null),
        new("PreparationOptions.ApplyReverseKeys", "--no-reverse", DropVerbs.Where(v => v != "meta").ToArray(), null),
        new("PreparationOptions.Administrations", "--administration", DropVerbs.Where(v => v != "meta").ToArray(), null),

        // IRT
        new("IrtOptions.Estimation = IrtEstimation.Marginal", "--estimation mml", Irt, "irt"),
        new("IrtOptions.Estimation = IrtEstimation.Conditional", "--estimation cml", Irt, "irt"),
        new("IrtOptions.Estimation", "--estimation", Irt, "irt"),
        new("IrtOptions.QuadraturePoints", "--quadrature", Irt, "irt"),
        new("IrtOptions.Model", "--model", Irt, "irt"),

        // Reliability
        new("ReliabilityOptions.Missing = MissingData.Listwise", "--missing listwise", Reliability, "reliability"),
        new("ReliabilityOptions.Missing = MissingData.Pairwise", "--missing pairwise", Reliability, "reliability"),
        new("ReliabilityOptions.Missing", "--missing", Reliability, "reliability"),
        new("ReliabilityOptions.Reverse = ", "--reverse {0}", Reliability, "reliability"),
        new("ReliabilityOptions.Reverse", "--reverse", Reliability, "reliability"),
        new("ReliabilityOptions.BootstrapReplicates", "--bootstrap", Reliability, "reliability"),
        new("ReliabilityOptions.Level", "--level", Reliability, "reliability"),
        new("BootstrapReplicates", "--bootstrap", Reliability, null, TextToo: false),
        new("Level", "--level", Reliability, null, TextToo: false),
        new("subscale", "--subscale", Reliability, null, TextToo: false),

        // Formats
        new("FormatOptions.ExploreAllRows", "--all-rows", Formats, "formats"),
        new("FormatOptions.TargetFrom and TargetTo", "--target FROM,TO", Formats, "formats"),
        new("FormatOptions.TargetFrom", "--target", Formats, "formats"),
        new("FormatOptions.ChangeSessions, e.g. [3, 8]", "--change-sessions, e.g. 3,8", Formats, "formats"),
        new("FormatOptions.ChangeSessions", "--change-sessions", Formats, "formats"),
        new("FormatOptions.OutcomeBaseline", "--outcome-baseline", Formats, "formats"),
        new("FormatOptions.OutcomeSession", "--outcome-session", Formats, "formats"),
        new("FormatOptions.Outcome", "--outcome", Formats, "formats"),
        new("LinkingOptions.Replicates", "--bootstrap", Formats, "formats"),
        new("LinkingOptions.CalibrationReplicates", "--calibration-bootstrap", Formats, "formats"),

        // Alliance and outcome (OutcomeOptions derives from ClientOutcomeOptions; the lagged model uses WithinPatientOptions)
        new("ClientOutcomeOptions.Alliance", "--alliance", Outcome, "outcome"),
        new("OutcomeOptions.Alliance", "--alliance", Outcome, "outcome"),
        new("WithinPatientOptions.Alliance", "--alliance", Outcome, "outcome"),
        new("ClientOutcomeOptions.Outcome", "--outcome", Outcome, "outcome"),
        new("OutcomeOptions.Outcome", "--outcome", Outcome, "outcome"),
        new("WithinPatientOptions.Symptoms", "--outcome", Outcome, "outcome"),
        new("ClientOutcomeOptions.Baseline", "--baseline", Outcome, "outcome"),
        new("ClientOutcomeOptions.Client", "--client", Outcome, "outcome"),
        new("ClientOutcomeOptions.Therapist", "--therapist", Outcome, "outcome"),
        new("ClientOutcomeOptions.Session", "--session", Outcome, "outcome"),
        new("ClientOutcomeOptions.AtSession", "--alliance-at N", Outcome, "outcome"),
        new("ClientOutcomeOptions.Timing", "--alliance-at", Outcome, "outcome"),
        new("WithinPatientOptions.Rater and RaterValue", "--rater VALUE", Outcome, "outcome"),
        new("ClientOutcomeOptions.RaterValue", "--rater VALUE", Outcome, "outcome"),
        new("WithinPatientOptions.RaterValue", "--rater VALUE", Outcome, "outcome"),
        new("OutcomeOptions.Bootstrap", "--bootstrap", Outcome, "outcome"),
        new("OutcomeOptions.AllianceReliability", "--alliance-reliability", Outcome, "outcome"),
        new("ScoringOptions.ProrateMinimumFraction", "--prorate", ["score"], "score"),
        new("OutcomeOptions.OutcomeReliability", "--outcome-reliability", Outcome, "outcome"),
        new("BootstrapOptions.Replicates", "--bootstrap", Outcome, "outcome"),

        // Meta-analysis
        new("StudyTableSpec.Yi", "--yi", Meta, "meta"),
        new("StudyTableSpec.Vi", "--vi", Meta, "meta"),
        new("StudyTableSpec.R", "--r", Meta, "meta"),
        new("StudyTableSpec.N", "--n", Meta, "meta"),
        new("StudyTableSpec.Study", "--study", Meta, "meta"),
        new("MetaReportOptions.Bias with StudyTableSpec.Cluster = study", "--cluster study --bias", Meta, "meta"),
        new("StudyTableSpec.Cluster", "--cluster", Meta, "meta"),
        new("MetaReportOptions.Estimator = TauEstimator.EqualEffects", "--method EE", Meta, "meta"),
        new("DataSpec.NumericColumns", "the sidecar's numeric_columns", DataVerbs, null),
        new("MetaReportOptions.ThreeLevel", "--cluster", Meta, "meta"),
        new("MetaReportOptions.ClusterRobust", "--robust", Meta, "meta"),
        new("MetaReportOptions.Bias", "--bias", Meta, "meta"),
        new("MetaReportOptions.Subgroup", "--subgroup", Meta, "meta"),
        new("MetaReportOptions.SubgroupTau2", "--subgroup-tau2", Meta, "meta"),
        new("MetaReportOptions.DegreesOfFreedomRule", "--dfs", Meta, "meta"),
        new("MultilevelOptions.DegreesOfFreedomRule", "--dfs", Meta, "meta"),
        new("MetaReportOptions.Moderators", "--mods", Meta, "meta"),

        // Simulation
        new("SimulationSettings.List", "--list-settings", Simulate, "simulate"),
        new("settings", "--set", Simulate, null, TextToo: false),
        new("assignments", "--set", Simulate, null, TextToo: false),
    ];

    private static readonly Entry[] Longest = [.. Table.Where(e => e.TextToo).OrderByDescending(e => e.Name.Length)];

    private static readonly Regex Names = new(
        string.Join("|", Longest.Select(e => @"(?<![\w.])" + Regex.Escape(e.Name) + (e.Name.EndsWith("= ", StringComparison.Ordinal) ? @"[^\s);]+" : @"(?![\w])"))),
        RegexOptions.CultureInvariant);

    /// <summary>True when <paramref name="verb"/> has <paramref name="flag"/> (per <see cref="Table"/>), e.g. whether to advise <c>--drop-invalid</c>.</summary>
    public static bool VerbHas(string? verb, string flag) =>
        verb is not null && Table.Any(e => e.Verbs.Contains(verb) && e.Flag.Split(' ')[0] == flag);

    /// <summary>
    /// The advice after a file's validation errors: leaving the rows out (<c>--drop-invalid</c>) is offered only when
    /// <paramref name="verb"/> has that option and some rows have errors (dropping rows cannot mend a missing column or
    /// an unknown instrument).
    /// </summary>
    public static string DropInvalidAdvice(Data.ValidationReport report, string? verb)
    {
        ArgumentNullException.ThrowIfNull(report);
        return (verb is null || VerbHas(verb, "--drop-invalid")) && report.RowsValid < report.RowsRead
            ? "Fix the file, or pass --drop-invalid to leave those rows out (they will be reported)."
            : "Fix the file.";
    }

    /// <summary>The flag for the library name <paramref name="name"/> in <paramref name="verb"/>, or null when the verb has none.</summary>
    public static string? Flag(string name, string? verb) =>
        Table.FirstOrDefault(e => e.Name == name && verb is not null && e.Verbs.Contains(verb))?.Flag is { } f ? f.Replace(" {0}", "", StringComparison.Ordinal) : null;

    /// <summary>
    /// <paramref name="text"/> with every library name the table knows replaced by the flag of <paramref name="verb"/>
    /// (or the command that has it); unchanged when <paramref name="verb"/> is null.
    /// </summary>
    public static string ForCli(string text, string? verb)
    {
        if (verb is null || string.IsNullOrEmpty(text)) return text;
        return Names.Replace(text, m =>
        {
            var entry = Longest.First(e => m.Value.StartsWith(e.Name, StringComparison.Ordinal) &&
                (e.Name.EndsWith("= ", StringComparison.Ordinal) || m.Value.Length == e.Name.Length));
            string flag = entry.Name.EndsWith("= ", StringComparison.Ordinal)
                ? entry.Flag.Replace("{0}", m.Value[entry.Name.Length..], StringComparison.Ordinal)
                : entry.Flag;
            if (entry.Verbs.Contains(verb)) return flag;
            return entry.Home is { } home ? $"`alliance {home} {flag}`" : m.Value;
        });
    }

    /// <summary>
    /// The message of <paramref name="e"/> for a user of <paramref name="verb"/>: library names replaced by its flags,
    /// and, when the exception names the setting at fault (<see cref="AllianceInputException.Property"/>, or an
    /// <see cref="ArgumentException.ParamName"/>) and the message does not yet show its flag, the flag put first ("--set: …").
    /// </summary>
    public static string ForCli(Exception e, string? verb)
    {
        ArgumentNullException.ThrowIfNull(e);
        string message = e.Message;
        string? property = e switch
        {
            AllianceInputException a => a.Property,
            ArgumentException a => a.ParamName,
            _ => null,
        };
        if (e is ArgumentException { ParamName: { } p } && e is not AllianceInputException)
        {
            // "… (Parameter 'BootstrapReplicates')" becomes "… (--bootstrap)" when the verb has the flag.
            if (Flag(p, verb) is { } paramFlag) return ForCli(message.Replace($"(Parameter '{p}')", $"({paramFlag})", StringComparison.Ordinal), verb);
            return ForCli(message, verb);
        }
        message = ForCli(message, verb);
        if (property is not null && Flag(property, verb) is { } flag && !Regex.IsMatch(message, @"(?<![\w-])" + Regex.Escape(flag.Split(' ')[0]) + @"(?![\w-])"))
            message = $"{flag.Split(' ')[0]}: {message}";
        return message;
    }
}
