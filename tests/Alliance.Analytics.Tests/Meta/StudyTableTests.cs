using Alliance.Analytics.Data;
using Alliance.Analytics.Meta;

namespace Alliance.Analytics.Tests.Meta;

/// <summary>Reading study tables: detection, errors that name file, line, column and value, rows left out and reported.</summary>
public class StudyTableTests
{
    [Fact]
    public void Reads_correlations_labels_and_moderators()
    {
        var studies = MetaFixtures.Molloy();
        Assert.Equal(16, studies.Count);
        Assert.Equal(EffectMeasure.FisherZ, studies.Measure);
        Assert.Equal("Axelsson et al. 2009", studies.Labels[0]);
        Assert.Equal(2, studies.Lines[0]);
        Assert.True(studies.Moderator("meanage").IsNumeric);
        Assert.False(studies.Moderator("design").IsNumeric);
        Assert.Equal(109, studies.SampleSizes[0]);
    }

    [Fact]
    public void Detects_study_tables_by_their_header()
    {
        Assert.True(StudyTable.IsStudyTable(["study", "r", "n"]));
        Assert.True(StudyTable.IsStudyTable(["ri", "ni", "rater"]));
        Assert.True(StudyTable.IsStudyTable(["yi", "vi"]));
        Assert.False(StudyTable.IsStudyTable(["client_id", "q1", "q2", "n"]));
        Assert.True(StudyTable.IsStudyTable(MetaFixtures.Path("bcg.csv")));
    }

    [Fact]
    public void An_out_of_range_correlation_is_an_error_naming_line_column_and_value()
    {
        using var dir = new TempDir();
        string path = dir.File("studies.csv", "study,r,n\nA,0.2,50\nB,1.2,40\nC,abc,30\nD,0.3,3\n");
        var e = Assert.Throws<DataValidationException>(() => StudyTable.Load(path));
        var errors = e.Report.Errors.ToArray();
        Assert.Equal(3, errors.Length);
        Assert.Contains(errors, i => i.Line == 3 && i.Column == "r" && i.Value == "1.2" && i.ToString().Contains("line 3, column 'r'"));
        Assert.Contains(errors, i => i.Line == 4 && i.Code == "not_a_number" && i.Value == "abc");
        Assert.Contains(errors, i => i.Line == 5 && i.Column == "n" && i.Message.Contains("larger than 3"));
        // With invalid rows dropped the rest is used, and the usage says which lines were left out.
        var kept = StudyTable.Load(path, new StudyTableSpec { DropInvalidRows = true });
        Assert.Equal(1, kept.Count);
        Assert.Equal(3, kept.Usage.RowsExcluded);
        Assert.Equal([3, 4, 5], kept.Usage.Exclusions[0].Lines.ToArray());
    }

    [Fact]
    public void Rows_with_a_missing_r_or_n_are_left_out_and_reported_never_silently()
    {
        using var dir = new TempDir();
        string path = dir.File("studies.csv", "study,r,n,rater\nA,0.2,50,client\nB,,40,client\nC,0.3,NA,therapist\nD,0.25,80,\nE,0.1,120,therapist\nF,0.3,90,client\nG,0.15,60,therapist\n");
        var read = StudyTable.Read(path);
        var studies = read.Studies!;
        Assert.Equal(5, studies.Count);
        Assert.Equal(2, studies.Usage.RowsExcluded);
        Assert.Contains(studies.Usage.Exclusions, x => x.Reason == "missing r" && x.Lines.SequenceEqual([3]));
        Assert.Contains(studies.Usage.Exclusions, x => x.Reason == "missing n" && x.Lines.SequenceEqual([4]));
        Assert.Equal(2, read.Report.WarningCount);
        var fit = MetaAnalysis.Fit(studies);
        Assert.Equal(5, fit.Usage.RowsUsed);
        Assert.Contains(fit.Warnings, w => w.Contains("missing r"));
        // A moderator missing in a row leaves that row out of the meta-regression, reported as well.
        var reg = MetaAnalysis.Fit(studies, new MetaAnalysisOptions { Moderators = ["rater"] });
        Assert.Equal(4, reg.K);
        Assert.Contains(reg.Usage.Exclusions, x => x.Reason == "missing moderator 'rater'" && x.Lines.SequenceEqual([5]));
    }

    [Fact]
    public void A_table_without_effect_columns_is_refused_with_the_columns_it_has()
    {
        using var dir = new TempDir();
        string path = dir.File("studies.csv", "study,effect,size\nA,0.2,50\n");
        var e = Assert.Throws<DataValidationException>(() => StudyTable.Load(path));
        Assert.Contains("r and n, or yi and vi", e.Report.Errors.First().Message);
        var named = StudyTable.Load(path, new StudyTableSpec { R = "effect", N = "size" });
        Assert.Equal(1, named.Count);
    }

    [Fact]
    public void Collinear_moderators_and_unknown_columns_are_input_errors()
    {
        var studies = MetaFixtures.Bcg();
        studies = studies.WithModerator(ModeratorColumn.FromNumbers("ablat2", studies.Moderator("ablat").Numbers.Select(a => 2 * a)));
        Assert.Throws<AllianceInputException>(() => MetaAnalysis.Fit(studies, new MetaAnalysisOptions { Moderators = ["ablat", "ablat2"] }));
        var e = Assert.Throws<AllianceInputException>(() => MetaAnalysis.Fit(studies, new MetaAnalysisOptions { Moderators = ["latitude"] }));
        Assert.Contains("ablat", e.Message);
    }
}
