using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using Alliance.Analytics.Presentation;
using Alliance.Analytics.Instruments;

namespace Alliance.Analytics.Data;

/// <summary>How serious a validation finding is.</summary>
public enum Severity
{
    /// <summary>For information (e.g. the scale was inferred from the data).</summary>
    Info,
    /// <summary>Worth a look, does not stop an analysis (an item nobody answered, a category never used).</summary>
    Warning,
    /// <summary>The data are wrong as described (a value off the scale, a short row): <c>validate</c> exits 2.</summary>
    Error,
}

/// <summary>
/// One validation finding: where (file, line, column), what value, and what is wrong, in words. Lines are 1-based
/// and count physical lines of the file (the header is line 1); <see cref="Line"/> is null for a finding about the
/// whole file or a whole column.
/// </summary>
/// <param name="Severity">Error, warning or info.</param>
/// <param name="Code">Stable machine-readable code (docs/data-format.md lists them), e.g. <c>out_of_scale</c>.</param>
/// <param name="File">The file (or data source) name.</param>
/// <param name="Line">1-based line, or null.</param>
/// <param name="Column">Column name, or null.</param>
/// <param name="Value">The offending value as written in the file, or null.</param>
/// <param name="Message">What is wrong, e.g. "8 is outside the 1–7 scale".</param>
public sealed record ValidationIssue(Severity Severity, string Code, string File, int? Line, string? Column, string? Value, string Message)
{
    /// <summary>"data.csv, line 17, column 'q4': 8 is outside the 1–7 scale".</summary>
    public override string ToString()
    {
        var where = File;
        if (Line is { } l) where += ", line " + l.ToString(CultureInfo.InvariantCulture);
        if (Column is not null) where += $", column '{Column}'";
        return $"{where}: {Message}";
    }
}

/// <summary>
/// Every problem found when a file was loaded, not just the first: errors (exit 2 from <c>alliance validate</c>),
/// warnings and notes, with counts per code. At most <see cref="MaxListedPerCode"/> findings of one code are kept in
/// detail; <see cref="CountsByCode"/> always has the full counts.
/// </summary>
public sealed record ValidationReport : IAnalysisResult
{
    /// <summary>Findings of one code kept in detail; further ones are counted only.</summary>
    public const int MaxListedPerCode = 1000;

    /// <summary>The file (or data source) validated.</summary>
    public required string File { get; init; }

    /// <summary>Findings kept in detail: errors first, then warnings, then notes; each by line and column.</summary>
    public required ImmutableArray<ValidationIssue> Issues { get; init; }

    /// <summary>Full number of findings per code (including those not kept in detail).</summary>
    public required ImmutableSortedDictionary<string, int> CountsByCode { get; init; }

    /// <summary>Number of errors (all of them, not only those listed).</summary>
    public required int ErrorCount { get; init; }

    /// <summary>Number of warnings.</summary>
    public required int WarningCount { get; init; }

    /// <summary>Data rows read (rows with the wrong number of fields included).</summary>
    public required int RowsRead { get; init; }

    /// <summary>Data rows without any error.</summary>
    public required int RowsValid { get; init; }

    /// <summary>The item columns, in order.</summary>
    public required ImmutableArray<string> Items { get; init; }

    /// <summary>The response scale in force (given or inferred).</summary>
    public required ItemScale? Scale { get; init; }

    /// <summary>The instrument id, when one was named.</summary>
    public string? Instrument { get; init; }

    /// <summary>True when there is no error.</summary>
    public bool IsValid => ErrorCount == 0;

    /// <inheritdoc/>
    public DataUsage Usage => DataUsage.All(RowsRead).Exclude("rows with errors (see the validation report)", RowsRead - RowsValid);

    /// <inheritdoc/>
    public IReadOnlyList<string> Warnings => Issues.Where(i => i.Severity == Severity.Warning).Select(i => i.ToString()).ToArray();

    /// <summary>The errors kept in detail.</summary>
    public IEnumerable<ValidationIssue> Errors => Issues.Where(i => i.Severity == Severity.Error);

    /// <inheritdoc/>
    public ResultSummary Summary() => Summary(maxListed: 200);

    /// <summary>The report as tables, listing at most <paramref name="maxListed"/> findings.</summary>
    public ResultSummary Summary(int maxListed)
    {
        var lines = new List<string>
        {
            IsValid ? $"Valid: no errors ({WarningCount} warning{(WarningCount == 1 ? "" : "s")})."
                    : $"INVALID: {ErrorCount} error{(ErrorCount == 1 ? "" : "s")}, {WarningCount} warning{(WarningCount == 1 ? "" : "s")}.",
            $"Rows read: {RowsRead.ToString("N0", CultureInfo.InvariantCulture)}; rows without errors: {RowsValid.ToString("N0", CultureInfo.InvariantCulture)}",
        };
        if (Scale is null && Instrument is null)
            lines.Add($"Columns checked: {string.Join(", ", Items)}");
        else
        {
            lines.Add($"Items ({Items.Length}): {string.Join(", ", Items)}");
            lines.Add($"Scale: {(Scale is null ? "unknown" : Scale.ToString())}" + (Instrument is null ? "" : $"; instrument {Instrument}"));
        }
        var shown = Issues.Take(maxListed).ToArray();
        var table = new ResultTable("Findings",
            [TableColumn.Label("severity"), TableColumn.Integer("line"), TableColumn.Label("column"), TableColumn.Label("value"), TableColumn.Label("problem")],
            [.. shown.Select(i => (IReadOnlyList<object?>)[i.Severity.ToString().ToLowerInvariant(), i.Line, i.Column, i.Value, i.Message])]);
        var counts = new ResultTable("Findings by kind",
            [TableColumn.Label("code"), TableColumn.Integer("count")],
            [.. CountsByCode.Select(kv => (IReadOnlyList<object?>)[kv.Key, kv.Value])]);
        var notes = new List<string>();
        int total = CountsByCode.Values.Sum();
        if (total > shown.Length) notes.Add($"{shown.Length} of {total} findings listed; up to {MaxListedPerCode} of each kind are kept, all of them in ValidationReport.Issues.");
        return new ResultSummary($"Validation of {File}", lines, Issues.IsEmpty ? [] : [table, counts], notes, []);
    }

    /// <inheritdoc/>
    public JsonObject ToJson()
    {
        var o = JsonOutput.Document(this);
        o["file"] = File;
        o["valid"] = IsValid;
        o["error_count"] = ErrorCount;
        o["warning_count"] = WarningCount;
        o["rows_read"] = RowsRead;
        o["rows_valid"] = RowsValid;
        o["items"] = JsonOutput.Strings(Items);
        o["scale"] = Scale is null ? null : new JsonObject { ["min"] = Scale.Min, ["max"] = Scale.Max, ["integer"] = Scale.IsInteger, ["points"] = Scale.Points };
        o["instrument"] = Instrument;
        var counts = new JsonObject();
        foreach (var kv in CountsByCode) counts[kv.Key] = kv.Value;
        o["counts"] = counts;
        o["issues"] = new JsonArray([.. Issues.Select(i => (JsonNode?)new JsonObject
        {
            ["severity"] = i.Severity.ToString().ToLowerInvariant(),
            ["code"] = i.Code,
            ["file"] = i.File,
            ["line"] = i.Line,
            ["column"] = i.Column,
            ["value"] = i.Value,
            ["message"] = i.Message,
        })]);
        return o;
    }

    /// <summary>"data.csv: valid, 1,200 rows" or "data.csv: 3 errors …".</summary>
    public override string ToString() => IsValid
        ? $"{File}: valid, {RowsRead.ToString("N0", CultureInfo.InvariantCulture)} rows, {WarningCount} warnings"
        : $"{File}: {ErrorCount} errors, {WarningCount} warnings in {RowsRead.ToString("N0", CultureInfo.InvariantCulture)} rows";
}

/// <summary>
/// Thrown when an analysis is asked to run on data with validation errors and the caller did not choose to drop the
/// invalid rows. Carries the report, so a caller can print every error.
/// </summary>
public sealed class DataValidationException(ValidationReport report)
    : Exception($"{report.File}: {report.ErrorCount} validation error(s); first: {report.Errors.FirstOrDefault()}")
{
    /// <summary>The full validation report.</summary>
    public ValidationReport Report { get; } = report;
}

/// <summary>
/// Collects findings while a file is read, keeping counts per code and at most
/// <see cref="ValidationReport.MaxListedPerCode"/> per code in detail. Collectors of consecutive chunks are merged in
/// order, so the listed findings are the same whatever the number of chunks.
/// </summary>
internal sealed class IssueCollector(string file)
{
    private readonly List<ValidationIssue> _issues = [];
    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _listed = new(StringComparer.Ordinal);

    public string File { get; } = file;
    public int Errors { get; private set; }
    public int Warnings { get; private set; }

    public void Add(Severity severity, string code, int? line, string? column, string? value, string message)
    {
        Count(code, severity, 1);
        List(new ValidationIssue(severity, code, File, line, column, value, message));
    }

    /// <summary>Appends the findings of a later chunk.</summary>
    public void Merge(IssueCollector later)
    {
        foreach (var (code, n) in later._counts) _counts[code] = _counts.GetValueOrDefault(code) + n;
        Errors += later.Errors;
        Warnings += later.Warnings;
        foreach (var issue in later._issues) List(issue);
    }

    private void Count(string code, Severity severity, int n)
    {
        _counts[code] = _counts.GetValueOrDefault(code) + n;
        if (severity == Severity.Error) Errors += n;
        else if (severity == Severity.Warning) Warnings += n;
    }

    private void List(ValidationIssue issue)
    {
        int listed = _listed.GetValueOrDefault(issue.Code);
        if (listed >= ValidationReport.MaxListedPerCode) return;
        _listed[issue.Code] = listed + 1;
        _issues.Add(issue);
    }

    public ValidationReport ToReport(int rowsRead, int rowsValid, ImmutableArray<string> items, ItemScale? scale, string? instrument) => new()
    {
        File = File,
        Issues = [.. _issues.OrderByDescending(i => i.Severity).ThenBy(i => i.Line ?? int.MaxValue).ThenBy(i => i.Column, StringComparer.Ordinal)],
        CountsByCode = _counts.ToImmutableSortedDictionary(StringComparer.Ordinal),
        ErrorCount = Errors,
        WarningCount = Warnings,
        RowsRead = rowsRead,
        RowsValid = rowsValid,
        Items = items,
        Scale = scale,
        Instrument = instrument,
    };
}
