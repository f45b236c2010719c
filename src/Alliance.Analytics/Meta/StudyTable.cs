using System.Collections.Immutable;
using System.Globalization;
using Alliance.Analytics.Data;

namespace Alliance.Analytics.Meta;

/// <summary>
/// How to read a study table: which columns hold the correlation and sample size (or the effect size and its sampling
/// variance), the study labels and clusters, and the scale for correlations. Unset columns are found by name:
/// <c>r</c>/<c>ri</c> and <c>n</c>/<c>ni</c>, else <c>yi</c> and <c>vi</c>; labels from <c>study</c>, <c>author(s)</c>,
/// <c>label</c> or <c>slab</c>.
/// </summary>
public sealed record StudyTableSpec
{
    /// <summary>Correlation column.</summary>
    public string? R { get; init; }

    /// <summary>Sample-size column (with <see cref="R"/>).</summary>
    public string? N { get; init; }

    /// <summary>Effect-size column (with <see cref="Vi"/>).</summary>
    public string? Yi { get; init; }

    /// <summary>Sampling-variance column (with <see cref="Yi"/>).</summary>
    public string? Vi { get; init; }

    /// <summary>Study label column.</summary>
    public string? Study { get; init; }

    /// <summary>Cluster column for three-level models (the study an effect size belongs to).</summary>
    public string? Cluster { get; init; }

    /// <summary>Scale for correlations: Fisher z (default) or raw r.</summary>
    public EffectMeasure Measure { get; init; } = EffectMeasure.FisherZ;

    /// <summary>Field delimiter (default: by extension, .tsv is tab).</summary>
    public char? Delimiter { get; init; }

    /// <summary>Text encoding name, as <see cref="DataSpec.Encoding"/> (default: detected; bytes that are not valid UTF-8 are an error).</summary>
    public string? Encoding { get; init; }

    /// <summary>Extra missing-value codes (empty fields and NA are always missing).</summary>
    public ImmutableArray<string> MissingCodes { get; init; } = [];

    /// <summary>Leave out rows with invalid values (reported) instead of refusing the file.</summary>
    public bool DropInvalidRows { get; init; }
}

/// <summary>A study table read from a file: the studies (null when the file could not be used) and every finding.</summary>
/// <param name="Studies">The studies, or null when the table has errors that stop it (and invalid rows are not dropped) or has no usable effect columns.</param>
/// <param name="Report">Every finding, by line and column.</param>
public sealed record StudyTableReadResult(StudySet? Studies, ValidationReport Report);

/// <summary>
/// Reads study tables: one row per effect size, with a correlation and sample size (<c>r</c>, <c>n</c>) or an effect
/// size and sampling variance (<c>yi</c>, <c>vi</c>), optional study label and cluster columns, and any number of
/// moderator columns. Values that are not numbers or out of range are errors naming the file, line, column and value;
/// rows with a missing r, n, yi or vi are left out and reported in the study set's <see cref="DataUsage"/>.
/// </summary>
public static class StudyTable
{
    private static readonly string[] RNames = ["r", "ri", "cor", "correlation"];
    private static readonly string[] NNames = ["n", "ni", "sample_size"];
    private static readonly string[] LabelNames = ["study", "studlab", "slab", "label", "author", "authors"];

    /// <summary>
    /// True when a header describes a study table: it has r and n columns (r/ri, n/ni) or yi and vi columns.
    /// <c>alliance analyze</c> uses this to run a meta-analysis instead of the item-response analyses.
    /// </summary>
    public static bool IsStudyTable(IReadOnlyList<string> header)
    {
        ArgumentNullException.ThrowIfNull(header);
        return (Find(header, RNames) >= 0 && Find(header, NNames) >= 0) || (Find(header, ["yi"]) >= 0 && Find(header, ["vi"]) >= 0);
    }

    /// <summary>True when the file's header describes a study table (see <see cref="IsStudyTable(IReadOnlyList{string})"/>).</summary>
    /// <param name="path">The file.</param>
    /// <param name="delimiter">Field delimiter, or null to detect.</param>
    /// <param name="encoding">Text encoding name (<see cref="DataSpec.Encoding"/>), or null to detect.</param>
    public static bool IsStudyTable(string path, char? delimiter = null, string? encoding = null)
    {
        // Only a regular file can be looked at before it is read: a FIFO or standard input is read once, as item data.
        if (!TextInput.IsRegularFile(path) || new FileInfo(path).Length == 0) return false;
        using var source = new CsvTableSource(path, delimiter, encoding);
        if (source.Stopped) return false;
        return source.Header is { } h && IsStudyTable(h);
    }

    /// <summary>Reads a study table, refusing it (with every error) when it has errors and invalid rows are not to be dropped.</summary>
    /// <exception cref="DataValidationException">When the table has errors (each names line, column and value).</exception>
    /// <exception cref="FileNotFoundException">When the file does not exist.</exception>
    public static StudySet Load(string path, StudyTableSpec? spec = null)
    {
        var read = Read(path, spec);
        return read.Studies ?? throw new DataValidationException(read.Report);
    }

    /// <summary>Reads a study table and reports every finding.</summary>
    /// <exception cref="FileNotFoundException">When the file does not exist.</exception>
    public static StudyTableReadResult Read(string path, StudyTableSpec? spec = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        spec ??= new StudyTableSpec();
        if (!TextInput.Exists(path)) throw new FileNotFoundException($"{path}: file not found", path);
        var issues = new IssueCollector(path);
        using var source = new CsvTableSource(path, spec.Delimiter, spec.Encoding);
        if (source.Stopped)
        {
            foreach (var f in source.TakeFindings()) issues.Add(f.Severity, f.Code, f.Line, f.Column, f.Value, f.Message);
            return new(null, issues.ToReport(0, 0, [], null, null));
        }
        if (source.Header is not { } header)
        {
            issues.Add(Severity.Error, "empty_file", null, null, null, "the file is empty: a study table needs a header and one row per effect size");
            return new(null, issues.ToReport(0, 0, [], null, null));
        }

        var seenColumns = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (int j = 0; j < header.Count; j++)
        {
            // Columns are found by name without regard to case: two columns named r (or r and R) would make the choice arbitrary.
            if (header[j].Length == 0) continue;
            if (!seenColumns.TryAdd(header[j], j))
                issues.Add(Severity.Error, "duplicate_column", 1, header[j], header[j],
                    $"column name '{header[j]}' appears more than once in the header (columns {seenColumns[header[j]] + 1} and {j + 1})");
        }
        if (issues.Errors > 0) return new(null, issues.ToReport(0, 0, [], null, null));

        bool correlations;
        int c1, c2;
        if (spec.Yi is not null || spec.Vi is not null)
        {
            correlations = false;
            c1 = Column(header, spec.Yi ?? "yi", "StudyTableSpec.Yi", issues);
            c2 = Column(header, spec.Vi ?? "vi", "StudyTableSpec.Vi", issues);
        }
        else if (spec.R is not null || spec.N is not null || (Find(header, RNames) >= 0 && Find(header, NNames) >= 0))
        {
            correlations = true;
            c1 = spec.R is null ? Find(header, RNames) : Column(header, spec.R, "StudyTableSpec.R", issues);
            c2 = spec.N is null ? Find(header, NNames) : Column(header, spec.N, "StudyTableSpec.N", issues);
            if (c1 < 0 && spec.R is null) issues.Add(Severity.Error, "missing_column", 1, null, null, "no correlation column (r or ri); name it in StudyTableSpec.R");
            if (c2 < 0 && spec.N is null) issues.Add(Severity.Error, "missing_column", 1, null, null, "no sample-size column (n or ni); name it in StudyTableSpec.N");
        }
        else
        {
            correlations = false;
            c1 = Find(header, ["yi"]);
            c2 = Find(header, ["vi"]);
            if (c1 < 0 || c2 < 0)
                issues.Add(Severity.Error, "missing_column", 1, null, null,
                    $"no effect-size columns: a study table needs r and n, or yi and vi (columns: {string.Join(", ", header)})");
        }
        if (correlations && spec.Measure == EffectMeasure.Generic)
            issues.Add(Severity.Error, "bad_measure", null, null, null, "correlations need the Fisher z or raw r measure");
        int labelColumn = spec.Study is null ? Find(header, LabelNames) : Column(header, spec.Study, "StudyTableSpec.Study", issues);
        int clusterColumn = spec.Cluster is null ? -1 : Column(header, spec.Cluster, "StudyTableSpec.Cluster", issues);
        if (issues.Errors > 0) return new(null, issues.ToReport(0, 0, [], null, null));

        string name1 = header[c1], name2 = header[c2];
        var effectCols = new HashSet<int> { c1, c2 };
        var moderatorCols = Enumerable.Range(0, header.Count).Where(j => !effectCols.Contains(j) && j != labelColumn && j != clusterColumn).ToArray();
        var missingCodes = spec.MissingCodes.Where(m => m.Length > 0).ToArray();
        bool IsMissing(ReadOnlySpan<char> f)
        {
            f = f.Trim();
            if (f.IsEmpty || f.SequenceEqual("NA")) return true;
            foreach (var m in missingCodes) if (f.SequenceEqual(m)) return true;
            return false;
        }

        var labels = new List<string>();
        var clusters = new List<string?>();
        var y = new List<double>();
        var v = new List<double>();
        var ns = new List<double>();
        var lines = new List<int>();
        var modText = moderatorCols.Select(_ => new List<string?>()).ToArray();
        var modNumbers = moderatorCols.Select(_ => new List<double>()).ToArray();
        var missing1 = new List<int>();
        var missing2 = new List<int>();
        var missingCluster = new List<int>();
        var invalid = new List<int>();
        int rowsRead = 0;
        while (source.Read())
        {
            rowsRead++;
            int line = source.Line;
            if (source.FieldCount != header.Count)
            {
                issues.Add(Severity.Error, "field_count", line, null, source.RawRow(), $"the row has {source.FieldCount} fields, the header has {header.Count}");
                invalid.Add(line);
                continue;
            }
            bool bad = false;
            double a = ParseCell(c1, out bool miss1), b = ParseCell(c2, out bool miss2);
            if (!bad && !miss1 && !miss2)
            {
                if (correlations)
                {
                    if (!(Math.Abs(a) < 1)) Bad(c1, a, "a correlation must lie strictly between −1 and 1");
                    double minN = spec.Measure == EffectMeasure.FisherZ ? 3 : 1;
                    if (b != Math.Floor(b)) Bad(c2, b, "a sample size is a whole number of participants");
                    else if (b > Limits.MaxStudySampleSize) Bad(c2, b, $"a sample size is at most {Limits.MaxStudySampleSize.ToString("N0", CultureInfo.InvariantCulture)} (Limits.MaxStudySampleSize)");
                    else if (!(b > minN)) Bad(c2, b, $"the sample size must be larger than {minN} ({(spec.Measure == EffectMeasure.FisherZ ? "Fisher z has variance 1/(n − 3)" : "raw r has variance (1 − r²)²/(n − 1)")})");
                }
                else if (!(b > 0)) Bad(c2, b, "a sampling variance must be positive");
            }
            string? cluster = clusterColumn >= 0 && !IsMissing(source.Field(clusterColumn)) ? source.Field(clusterColumn).Trim().ToString() : null;
            if (bad) { invalid.Add(line); continue; }
            if (miss1) { missing1.Add(line); continue; }
            if (miss2) { missing2.Add(line); continue; }
            if (clusterColumn >= 0 && cluster is null) { missingCluster.Add(line); continue; }

            var (yi, vi) = correlations ? EffectSizes.FromCorrelation(a, b, spec.Measure) : (a, b);
            y.Add(yi);
            v.Add(vi);
            ns.Add(correlations ? b : double.NaN);
            lines.Add(line);
            clusters.Add(cluster);
            string label = labelColumn >= 0 && !IsMissing(source.Field(labelColumn)) ? source.Field(labelColumn).Trim().ToString() : "Study " + (y.Count).ToString(CultureInfo.InvariantCulture);
            labels.Add(label);
            for (int m = 0; m < moderatorCols.Length; m++)
            {
                var f = source.Field(moderatorCols[m]);
                if (IsMissing(f)) { modText[m].Add(null); modNumbers[m].Add(double.NaN); continue; }
                var t = f.Trim();
                modText[m].Add(t.ToString());
                modNumbers[m].Add(double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? d : double.NaN);
            }
            continue;

            double ParseCell(int column, out bool missing)
            {
                var f = source.Field(column);
                missing = IsMissing(f);
                if (missing) return double.NaN;
                if (double.TryParse(f.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d)) return d;
                issues.Add(Severity.Error, "not_a_number", line, header[column], f.ToString(), $"'{f.ToString()}' is not a number");
                bad = true;
                return double.NaN;
            }

            void Bad(int column, double value, string why)
            {
                issues.Add(Severity.Error, "out_of_range", line, header[column], source.Field(column).ToString(), $"{value.ToString("G", CultureInfo.InvariantCulture)}: {why}");
                bad = true;
            }
        }
        foreach (int l in missing1) issues.Add(Severity.Warning, "missing_effect", l, name1, null, $"{name1} is missing: row left out");
        foreach (int l in missing2) issues.Add(Severity.Warning, "missing_effect", l, name2, null, $"{name2} is missing: row left out");
        foreach (int l in missingCluster) issues.Add(Severity.Warning, "missing_cluster", l, header[clusterColumn], null, "cluster is missing: row left out");
        foreach (var f in source.TakeFindings()) issues.Add(f.Severity, f.Code, f.Line, f.Column, f.Value, f.Message);
        if (source.Stopped) return new(null, issues.ToReport(rowsRead, 0, [name1, name2], null, null));
        if (rowsRead == 0) issues.Add(Severity.Error, "no_rows", null, null, null, "the table has a header but no rows");
        int rowsValid = rowsRead - invalid.Count;
        var report = issues.ToReport(rowsRead, rowsValid, [name1, name2], null, null);
        if (rowsRead == 0 || (invalid.Count > 0 && !spec.DropInvalidRows)) return new(null, report);

        var usage = DataUsage.All(rowsRead)
            .Exclude("invalid values (see validation)", invalid.Count, invalid)
            .Exclude($"missing {name1}", missing1.Count, missing1)
            .Exclude($"missing {name2}", missing2.Count, missing2)
            .Exclude("missing cluster", missingCluster.Count, missingCluster);
        var studies = new StudySet
        {
            Source = path,
            Measure = correlations ? spec.Measure : EffectMeasure.Generic,
            Labels = [.. labels],
            Yi = [.. y],
            Vi = [.. v],
            SampleSizes = correlations ? [.. ns] : [],
            Clusters = clusterColumn >= 0 ? [.. clusters.Select(c => c!)] : [],
            ClusterName = clusterColumn >= 0 ? header[clusterColumn] : null,
            Moderators = [.. moderatorCols.Select((c, m) => new ModeratorColumn(header[c], [.. modText[m]], [.. modNumbers[m]]))],
            Lines = [.. lines],
            Usage = usage,
        };
        return new(studies, report);
    }

    private static int Find(IReadOnlyList<string> header, string[] names)
    {
        foreach (string n in names)
            for (int j = 0; j < header.Count; j++)
                if (string.Equals(header[j], n, StringComparison.OrdinalIgnoreCase)) return j;
        return -1;
    }

    private static int Column(IReadOnlyList<string> header, string name, string property, IssueCollector issues)
    {
        int j = Find(header, [name]);
        if (j < 0) issues.Add(Severity.Error, "missing_column", 1, name, null, $"no column '{name}' ({property}); columns: {string.Join(", ", header)}");
        return j;
    }
}
