using Alliance.Analytics.Data;
using Alliance.Analytics.Instruments;

namespace Alliance.Analytics.Tests.Data;

/// <summary>
/// Each validation rule of docs/data-format.md: the finding has the right severity and code, and its message names
/// the file, the line, the column and the value.
/// </summary>
public sealed class ValidationRuleTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private const string Header = "client_id,therapist_id,session,q1,q2,q3,outcome";

    private ValidationReport Validate(string content, DataSpec? spec = null, string name = "data.csv") =>
        AllianceDataset.Read(_dir.File(name, content), spec ?? new DataSpec { Items = ["q1", "q2", "q3"], Points = 7 }).Report;

    private static ValidationIssue Single(ValidationReport report, string code)
    {
        var found = report.Issues.Where(i => i.Code == code).ToArray();
        Assert.True(found.Length == 1, $"expected one '{code}' finding, got {found.Length}: {string.Join(" | ", report.Issues)}");
        return found[0];
    }

    [Fact]
    public void ValueOutsideTheScaleIsAnErrorNamingLineColumnAndValue()
    {
        var report = Validate($"{Header}\nc1,t1,1,7,6,5,10\nc2,t1,1,8,6,5,12\n");
        var issue = Single(report, "out_of_scale");
        Assert.Equal(Severity.Error, issue.Severity);
        Assert.Equal(3, issue.Line);
        Assert.Equal("q1", issue.Column);
        Assert.Equal("8", issue.Value);
        Assert.EndsWith("data.csv, line 3, column 'q1': 8 is outside the 1–7 scale", issue.ToString());
        Assert.False(report.IsValid);
        Assert.Equal(1, report.RowsValid);
    }

    [Fact]
    public void NonIntegerOnALikertItemIsAnError()
    {
        var issue = Single(Validate($"{Header}\nc1,t1,1,4.5,6,5,10\n"), "not_an_integer");
        Assert.Equal((2, "q1", "4.5"), (issue.Line!.Value, issue.Column!, issue.Value!));
        Assert.Contains("4.5 is not a whole number", issue.Message);
        Assert.Contains("line 2, column 'q1'", issue.ToString());
    }

    [Fact]
    public void TextInAnItemColumnIsAnError()
    {
        var issue = Single(Validate($"{Header}\nc1,t1,1,5,six,5,10\n"), "not_a_number");
        Assert.Equal((2, "q2", "six"), (issue.Line!.Value, issue.Column!, issue.Value!));
        Assert.Contains("'six' is not a number", issue.ToString());
    }

    [Fact]
    public void TextInANumericColumnIsAnError()
    {
        var issue = Single(Validate($"{Header}\nc1,t1,1,5,6,5,10\nc2,t1,1,5,6,5,12\nc3,t1,1,5,6,5,ten\n"), "text_in_numeric_column");
        Assert.Equal((4, "outcome", "ten"), (issue.Line!.Value, issue.Column!, issue.Value!));
        Assert.Contains("line 4, column 'outcome': 'ten' is not a number", issue.ToString());
    }

    [Fact]
    public void SessionMustBeNumericEvenWhenMostValuesAreText()
    {
        var issue = Validate($"{Header}\nc1,t1,first,5,6,5,10\n").Issues.Single(i => i.Code == "text_in_numeric_column");
        Assert.Equal((2, "session", "first"), (issue.Line!.Value, issue.Column!, issue.Value!));
    }

    [Theory]
    [InlineData("c1,t1,1,5,6,5", 6, "the row has 6 fields; the header has 7")]
    [InlineData("c1,t1,1,5,6,5,10,99", 8, "the row has 8 fields; the header has 7")]
    public void RowWithTooFewOrTooManyFieldsIsAnError(string row, int fields, string message)
    {
        var report = Validate($"{Header}\nc0,t1,1,5,6,5,10\n{row}\n");
        var issue = Single(report, "field_count");
        Assert.Equal(3, issue.Line);
        Assert.Equal(row, issue.Value);
        Assert.Equal(message, issue.Message);
        Assert.Equal(2, report.RowsRead);
        Assert.Equal(1, report.RowsValid);
        Assert.True(fields > 0);
    }

    [Fact]
    public void DuplicateAdministrationNamesBothLines()
    {
        var issue = Single(Validate($"{Header}\nc1,t1,1,5,6,5,10\nc1,t1,2,5,6,5,10\nc1,t1,1,4,6,5,10\n"), "duplicate_administration");
        Assert.Equal((4, "client_id", "c1"), (issue.Line!.Value, issue.Column!, issue.Value!));
        Assert.Contains("client 'c1', session 1 already appears on line 2", issue.Message);
    }

    [Fact]
    public void SameClientAndSessionByDifferentRatersIsNotADuplicate()
    {
        var report = Validate("client_id,session,rater,q1,q2,q3\nc1,1,client,5,6,5\nc1,1,therapist,4,6,5\n");
        Assert.DoesNotContain(report.Issues, i => i.Code == "duplicate_administration");
    }

    [Fact]
    public void ItemColumnNamedButAbsentIsAnErrorOnTheHeaderLine()
    {
        var result = AllianceDataset.Read(_dir.File("data.csv", $"{Header}\nc1,t1,1,5,6,5,10\n"), new DataSpec { Items = ["q1", "q2", "q9"], Points = 7 });
        var issue = Single(result.Report, "missing_item_column");
        Assert.Equal((1, "q9"), (issue.Line!.Value, issue.Column!));
        Assert.Contains("item column 'q9' is named in DataSpec.Items but not in the file", issue.Message);
        Assert.Null(result.Dataset);
    }

    [Fact]
    public void EmptyFileIsAnError()
    {
        var result = AllianceDataset.Read(_dir.File("empty.csv", ""));
        var issue = Single(result.Report, "empty_file");
        Assert.Equal(Severity.Error, issue.Severity);
        Assert.EndsWith("empty.csv", issue.File);
        Assert.Null(result.Dataset);
    }

    [Fact]
    public void HeaderWithoutRowsIsAnError()
    {
        Assert.Equal(Severity.Error, Single(Validate($"{Header}\n"), "no_data_rows").Severity);
    }

    [Fact]
    public void EveryProblemIsReportedNotJustTheFirst()
    {
        var report = Validate($"{Header}\nc1,t1,1,9,0,5,10\nc2,t1,1,5,6\nc3,t1,1,x,6,5,10\n");
        Assert.Equal(4, report.ErrorCount);
        Assert.Equal(["field_count", "not_a_number", "out_of_scale"], report.Errors.Select(e => e.Code).Distinct().Order().ToArray());
        Assert.Equal(2, report.CountsByCode["out_of_scale"]);
    }

    [Fact]
    public void ItemNobodyAnsweredIsAWarningNotAnError()
    {
        var report = Validate($"{Header}\nc1,t1,1,5,,5,10\nc2,t1,1,4,NA,3,10\n");
        var issue = Single(report, "item_all_missing");
        Assert.Equal((Severity.Warning, "q2"), (issue.Severity, issue.Column!));
        Assert.True(report.IsValid);
    }

    [Fact]
    public void ConstantItemIsAWarning()
    {
        var issue = Single(Validate($"{Header}\nc1,t1,1,5,6,5,10\nc2,t1,1,5,4,3,10\n"), "item_constant");
        Assert.Equal((Severity.Warning, "q1", "5"), (issue.Severity, issue.Column!, issue.Value!));
    }

    [Fact]
    public void CategoryNeverUsedIsAWarningListingTheCategories()
    {
        var report = Validate("q1,q2\n1,2\n2,3\n3,3\n", new DataSpec { Points = 3 });
        var issue = Single(report, "category_unused");
        Assert.Equal((Severity.Warning, "q2", "1"), (issue.Severity, issue.Column!, issue.Value!));
        Assert.True(report.IsValid);
    }

    [Fact]
    public void MissingCodesEmptyAndNaAreMissingNotErrors()
    {
        var read = AllianceDataset.Read(_dir.File("m.csv", "q1,q2\n1,-99\nNA,2\n,3\n3,1\n"), new DataSpec { Points = 3, MissingCodes = ["-99"] });
        Assert.True(read.Report.IsValid, string.Join(" | ", read.Report.Issues));
        var m = read.Dataset!.Items;
        Assert.True(double.IsNaN(m[0, 1]) && double.IsNaN(m[1, 0]) && double.IsNaN(m[2, 0]));
        Assert.Equal(3, m[3, 0]);
    }

    [Fact]
    public void LinesCountPhysicalLinesAcrossQuotedNewlinesAndBlankLines()
    {
        string csv = "client_id,note,q1\nc1,\"two\nlines\",1\n\nc2,plain,9\n";
        var issue = Single(Validate(csv, new DataSpec { Items = ["q1"], Points = 5 }), "out_of_scale");
        Assert.Equal(5, issue.Line);
    }

    [Fact]
    public void TabSeparatedFilesAreReadByExtension()
    {
        var read = AllianceDataset.Read(_dir.File("data.tsv", "client_id\tq1\tq2\nc1\t1\t2\nc2\t3\t8\n"), new DataSpec { Points = 5 });
        var issue = Single(read.Report, "out_of_scale");
        Assert.Equal((3, "q2", "8"), (issue.Line!.Value, issue.Column!, issue.Value!));
        Assert.Equal(["q1", "q2"], read.Report.Items.ToArray());
    }

    [Fact]
    public void UnstatedScaleIsInferredAndSaidSo()
    {
        var report = AllianceDataset.Read(_dir.File("d.csv", "q1,q2\n1,4\n2,5\n")).Report;
        Assert.Equal(ItemScale.Likert(5), report.Scale);
        Assert.Contains(report.Issues, i => i.Code == "scale_inferred" && i.Severity == Severity.Info);
    }

    [Fact]
    public void WideInferredScaleWarnsAboutUndeclaredMissingCodes()
    {
        var report = AllianceDataset.Read(_dir.File("d.csv", "q1,q2\n1,4\n-9,5\n")).Report;
        var issue = Single(report, "scale_inferred");
        Assert.Equal(Severity.Warning, issue.Severity);
        Assert.Contains("DataSpec.MissingCodes", issue.Message);
    }

    [Fact]
    public void AScaleTooWideToInferIsAnErrorNamingTheStrayValue()
    {
        // −99 on a 1–5 scale used to widen it to 105 categories with a warning (issue 14): now it must be declared.
        var read = AllianceDataset.Read(_dir.File("d.csv", "q1,q2\n1,4\n-99,5\n"));
        var issue = Single(read.Report, "scale_too_wide");
        Assert.Equal(Severity.Error, issue.Severity);
        Assert.Equal((3, "q1", "-99"), (issue.Line!.Value, issue.Column!, issue.Value!));
        Assert.Contains("If -99 is a missing-value code, name it in DataSpec.MissingCodes", issue.Message);
        Assert.Null(read.Dataset);
        Assert.NotNull(AllianceDataset.Read(_dir.File("e.csv", "q1,q2\n1,4\n-99,5\n"), new DataSpec { MissingCodes = ["-99"] }).Dataset);
    }

    [Fact]
    public void InstrumentWithTheWrongNumberOfItemsIsAnError()
    {
        var read = AllianceDataset.Read(_dir.File("d.csv", "client_id,q1,q2\nc1,1,2\n"), new DataSpec { Instrument = "WAI-SR" });
        Assert.Contains("WAI-SR has 12 items but 2 item columns are in the file", Single(read.Report, "item_count_mismatch").Message);
        Assert.Null(read.Dataset);
    }

    [Fact]
    public void UnknownInstrumentIsAnErrorListingKnownOnes()
    {
        var issue = Single(AllianceDataset.Read(_dir.File("d.csv", "q1\n1\n"), new DataSpec { Instrument = "XYZ" }).Report, "unknown_instrument");
        Assert.Contains("WAI-SR", issue.Message);
    }

    [Fact]
    public void DuplicateColumnNameIsAnError()
    {
        var issue = Single(Validate("q1,q2,q1\n1,2,3\n", new DataSpec { Points = 5 }), "duplicate_column");
        Assert.Equal((1, "q1"), (issue.Line!.Value, issue.Column!));
    }

    [Fact]
    public void SidecarDescribesTheFileAndFlagsOverrideIt()
    {
        string path = _dir.File("s.csv", "id2,a,b,phq\nx,1,7,3\n");
        _dir.File("s.csv.alliance.json", """{ "items": ["a", "b"], "points": 5 }""");
        var fromSidecar = AllianceDataset.Read(path).Report;
        Assert.Equal(ItemScale.Likert(5), fromSidecar.Scale);
        Assert.Equal("out_of_scale", fromSidecar.Errors.Single().Code);
        var overridden = AllianceDataset.Read(path, new DataSpec { Points = 7 }).Report;
        Assert.True(overridden.IsValid);
        Assert.Equal(["a", "b"], overridden.Items.ToArray());
    }

    [Fact]
    public void InvalidSidecarNamesTheFileAndField()
    {
        string path = _dir.File("s.csv", "a\n1\n");
        _dir.File("s.csv.alliance.json", """{ "pointz": 5 }""");
        var e = Assert.Throws<DataSpecException>(() => AllianceDataset.Read(path));
        Assert.Contains("s.csv.alliance.json: unknown field 'pointz'", e.Message);
    }

    [Fact]
    public void AnalysesRefuseInvalidRowsUnlessAskedToDropThemAndThenReportThem()
    {
        string path = _dir.File("d.csv", $"{Header}\nc1,t1,1,5,6,5,10\nc2,t1,1,9,6,5,12\nc3,t1,1,5,6\nc4,t1,1,1,2,3,4\n");
        var data = AllianceDataset.Load(path, new DataSpec { Items = ["q1", "q2", "q3"], Points = 7 });
        Assert.Throws<DataValidationException>(() => data.ForAnalysis());
        var (usable, usage) = data.ForAnalysis(dropInvalidRows: true);
        Assert.Equal(2, usable.RowCount);
        Assert.Equal(4, usage.RowsAvailable);
        Assert.Equal(2, usage.RowsUsed);
        Assert.Equal([4], usage.Exclusions.Single(e => e.Reason.Contains("wrong number of fields")).Lines.ToArray());
        Assert.Equal([3], usage.Exclusions.Single(e => e.Reason.Contains("invalid values")).Lines.ToArray());
        Assert.Equal([2, 5], Enumerable.Range(0, usable.RowCount).Select(usable.SourceLine).ToArray());
    }

    [Fact]
    public void InputFilesAreNeverModified()
    {
        string content = $"{Header}\nc1,t1,1,5,6,5,10\nc2,t1,1,9,6,5,12\n";
        string path = _dir.File("d.csv", content);
        var before = File.GetLastWriteTimeUtc(path);
        _ = AllianceDataset.Read(path, new DataSpec { Items = ["q1", "q2", "q3"], Points = 7 });
        Assert.Equal(content, File.ReadAllText(path));
        Assert.Equal(before, File.GetLastWriteTimeUtc(path));
    }
}
