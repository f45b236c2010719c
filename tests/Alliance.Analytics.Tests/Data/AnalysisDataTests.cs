using System.Collections.Immutable;
using Alliance.Analytics.Composition;
using Alliance.Analytics.Data;
using Alliance.Analytics.Tests.Simulation;
using Microsoft.Data.Analysis;

namespace Alliance.Analytics.Tests.Data;

/// <summary>The prepared-data stage's own rules: administrations, refusals, notes, typed sources and the section registry.</summary>
public sealed class AnalysisDataTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    // Three clients: c1 at sessions 1, 2, 5 (file order 2, 1, 5), c2 at 3 and 1, and a row without a client.
    private string Sessions() => _dir.File("sessions.csv",
        "client_id,session,q1,q2,q3\n" +
        "c1,2,1,2,3\n" +
        "c1,1,2,3,4\n" +
        "c2,3,3,4,5\n" +
        "c1,5,4,5,1\n" +
        ",1,5,1,2\n" +
        "c2,1,1,1,1\n");

    private static readonly DataSpec Likert5 = new() { Points = 5 };

    [Fact]
    public void AllAdministrationsAreTheDefaultEveryRowIsUsedAndRepeatedAdministrationsAreNamed()
    {
        var data = AnalysisData.Load(Sessions(), Likert5);
        Assert.Equal(AdministrationChoice.All, data.Options.Administrations.Choice);
        Assert.Equal(6, data.RowCount);
        Assert.Equal(0, data.Usage.RowsExcluded);
        // c1 has three administrations and c2 two: the report says every row counts as a respondent.
        Assert.Equal(["2 of 2 clients have several administrations (up to 3): every row is analysed as a separate respondent, " +
            "so intervals of cross-sectional figures are too narrow; PreparationOptions.Administrations chooses first, last or one session"], data.Notes.ToArray());
    }

    [Fact]
    public void FirstKeepsEachClientsLowestSessionAndCountsTheRest()
    {
        var data = AnalysisData.Load(Sessions(), Likert5, new PreparationOptions { Administrations = AdministrationSelection.First });
        // c1's session 1 is line 3, c2's session 1 is line 7; the row without a client (line 6) and the later ones are left out.
        Assert.Equal([3, 7], Enumerable.Range(0, data.RowCount).Select(data.SourceLine));
        Assert.Equal(6, data.Usage.RowsAvailable);
        Assert.Equal(2, data.Usage.RowsUsed);
        Assert.Contains(data.Usage.Exclusions, e => e.Count == 1 && e.Reason.Contains("without client_id", StringComparison.Ordinal) && e.Lines.SequenceEqual([6]));
        Assert.Contains(data.Usage.Exclusions, e => e.Count == 3 && e.Reason.Contains("first", StringComparison.Ordinal) && e.Lines.SequenceEqual([2, 4, 5]));
        Assert.Contains(data.Notes, n => n.Contains("first", StringComparison.Ordinal));
    }

    [Fact]
    public void LastKeepsEachClientsHighestSession()
    {
        var data = AnalysisData.Load(Sessions(), Likert5, new PreparationOptions { Administrations = AdministrationSelection.Last });
        Assert.Equal([4, 5], Enumerable.Range(0, data.RowCount).Select(data.SourceLine));
        Assert.Equal([3.0, 5.0], Enumerable.Range(0, data.RowCount).Select(r => data.Session![r]));
    }

    [Fact]
    public void ASessionNumberKeepsTheRowsOfThatSession()
    {
        var data = AnalysisData.Load(Sessions(), Likert5, new PreparationOptions { Administrations = AdministrationSelection.AtSession(1) });
        Assert.Equal([3, 6, 7], Enumerable.Range(0, data.RowCount).Select(data.SourceLine));
        Assert.Equal(3, data.Usage.RowsExcluded);
    }

    [Fact]
    public void AdministrationsThroughTheCliReachEveryVerbAndBadValuesExitTwo()
    {
        string file = Sessions();
        var (exit, output, _) = CliRunner.Run("describe", file, "--points", "5", "--administration", "first", "--format", "json");
        Assert.Equal(0, exit);
        Assert.Equal(2, System.Text.Json.Nodes.JsonNode.Parse(output)!["n"]!.GetValue<int>());
        var bad = CliRunner.Run("describe", file, "--points", "5", "--administration", "second");
        Assert.Equal(2, bad.Exit);
        Assert.Contains("--administration must be all, first, last or a session number, not 'second'", bad.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void AChoicePerClientNeedsClientIds()
    {
        string file = _dir.File("noclients.csv", "q1,q2\n1,2\n2,3\n");
        var e = Assert.Throws<AllianceInputException>(() => AnalysisData.Load(file, Likert5, new PreparationOptions { Administrations = AdministrationSelection.Last }));
        Assert.Contains("no client_id column", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExtraItemsAreReversedOnTheDeclaredScaleAndTheNotesSaySo()
    {
        var data = AnalysisData.Load(Sessions(), Likert5, new PreparationOptions { AlsoReverse = ["q2"] });
        Assert.Equal(["q2"], data.Reversed.ToArray());
        for (int r = 0; r < data.RowCount; r++) Assert.Equal(6 - data.RawItems[r, 1], data.Items[r, 1]);
        Assert.Equal(data.RawItems.Column(0), data.Items.Column(0));
        Assert.Contains(data.Notes, n => n.Contains("q2", StringComparison.Ordinal) && n.Contains("1–5", StringComparison.Ordinal));
    }

    [Fact]
    public void ReversingOnAScaleInferredFromTheResponsesIsRefused()
    {
        // Without --points the scale is inferred (here 1–5 from the values): a reversal on it would depend on the answers given.
        var e = Assert.Throws<AllianceInputException>(() => AnalysisData.Load(Sessions(), options: new PreparationOptions { AlsoReverse = ["q2"] }));
        Assert.Contains("inferred", e.Message, StringComparison.Ordinal);
        Assert.Contains("DataSpec.Points", e.Message, StringComparison.Ordinal);
        var (exit, _, err) = CliRunner.Run("describe", Sessions(), "--reverse", "q2");
        Assert.Equal(2, exit);
        Assert.Contains("--points", err, StringComparison.Ordinal);
    }

    [Fact]
    public void AnItemToReverseMustBeAnItemAndNotOneTheInstrumentAlreadyReverses()
    {
        Assert.Contains("not an item column", Assert.Throws<AllianceInputException>(() =>
            AnalysisData.Load(Sessions(), Likert5, new PreparationOptions { AlsoReverse = ["q9"] })).Message, StringComparison.Ordinal);
        string seven = Repository.Synthetic("formats", "wai36_7point.csv");
        Assert.Contains("reversed twice", Assert.Throws<AllianceInputException>(() =>
            AnalysisData.Load(seven, options: new PreparationOptions { AlsoReverse = ["wai1"] })).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheFivePointWaiIsReversedOnItsOwnDeclaredScaleNotTheSevenPointInstruments()
    {
        // wai_revised_5point.csv names the 36-item WAI (nominally 1–7) and declares points 5 in its sidecar.
        var data = AnalysisData.Load(Repository.Synthetic("formats", "wai_revised_5point.csv"));
        int wai1 = data.Items.IndexOf("wai1");
        for (int r = 0; r < 50; r++)
            if (!double.IsNaN(data.RawItems[r, wai1])) Assert.Equal(6 - data.RawItems[r, wai1], data.Items[r, wai1]);
        Assert.Contains(data.Notes, n => n.Contains("declared scale", StringComparison.Ordinal));
    }

    [Fact]
    public void InvalidRowsAreRefusedUnlessDroppedAndTheDroppedOnesAreCounted()
    {
        string file = _dir.File("bad.csv", "q1,q2\n1,2\n9,3\n2,2\n");
        Assert.Throws<DataValidationException>(() => AnalysisData.Load(file, Likert5));
        var data = AnalysisData.Load(file, Likert5, new PreparationOptions { DropInvalidRows = true });
        Assert.Equal(2, data.RowCount);
        Assert.Contains(data.Usage.Exclusions, e => e.Lines.SequenceEqual([3]));
    }

    [Fact]
    public void ScoreMapAndCategoryRangesFollowTheInstrument()
    {
        var data = AnalysisData.Load(Repository.Synthetic("formats", "wai36_7point.csv"));
        Assert.Equal(4, data.Scores.Length);
        Assert.Equal("total", data.Scores[^1].Key);
        Assert.Equal(["Bond", "Goal", "Task"], data.Scores.Take(3).Select(s => s.Name).Order());
        Assert.Equal(36, data.Scores.Single(s => s.Key == "total").Items.Length);
        Assert.Equal(3, data.Subscales.Length);
        Assert.Equal(36, data.Subscales.Sum(s => s.Items.Length));
        var ranges = data.CategoryRanges();
        Assert.All(ranges, r => Assert.True(r.Lowest >= 1 && r.Highest <= 7 && r.Answered > 0));
        Assert.Equal(data.RowCount * 36, data.CategoryCodes.Length);
        Assert.Equal((byte)(data.Items[0, 0] - 1), data.CategoryCodes.Span[0]);
    }

    [Fact]
    public void ATypedSourceKeepsItsDeclaredTextColumnsAsTextAndHandsOverItsFindings()
    {
        var source = new ListSource(
            [new SourceColumn("site", ColumnKind.Text), new SourceColumn("q1"), new SourceColumn("q2")],
            [["1", "1", "2"], ["2", "3", "4"], ["1", "2", "2"]],
            new ValidationIssue(Severity.Warning, "encoding", "list", 3, null, null, "a replacement character was found"));
        var read = AllianceDataset.Read(source, new DataSpec { Items = ["q1", "q2"], Points = 5 });
        Assert.NotNull(read.Dataset);
        Assert.IsType<TextColumn>(read.Dataset!.Column("site"));
        Assert.Contains(read.Report.Issues, i => i.Code == "encoding" && i.Line == 3);
    }

    [Fact]
    public void ADataFrameDeclaresItsStringColumnsAsText()
    {
        var frame = new DataFrame(new StringDataFrameColumn("site", ["1", "2", "1"]), new DoubleDataFrameColumn("q1", [1.0, 2, 3]), new DoubleDataFrameColumn("q2", [2.0, 3, 1]));
        var read = AllianceDataset.FromDataFrame(frame, new DataSpec { Items = ["q1", "q2"], Points = 3 });
        Assert.IsType<TextColumn>(read.Dataset!.Column("site"));
    }

    [Fact]
    public void AnOutcomeAllianceNamedByItsScoreIsScoredFromTheKeyedItemsUnderTheNameGiven()
    {
        var data = AnalysisData.Load(Repository.Synthetic("formats", "wai36_7point.csv"));
        var scores = Alliance.Analytics.Scoring.InstrumentScoring.Score(data);
        var byName = Alliance.Analytics.Outcomes.OutcomeAnalysis.Analyze(data, new() { Alliance = "Total", Outcome = "symptoms", Bootstrap = null });
        var byFrame = Alliance.Analytics.Outcomes.OutcomeAnalysis.Analyze(
            Alliance.Analytics.Outcomes.ModelFrame.From(data).WithNumeric("alliance", scores["total"].AsSpan()),
            new() { Alliance = "alliance", Outcome = "symptoms", Bootstrap = null });
        Assert.Equal(byFrame.Pearson.R, byName.Pearson.R, 12);
    }

    [Fact]
    public void KeysCannotBeTurnedOffAgainAfterTheDataWerePrepared()
    {
        var data = AnalysisData.Load(Repository.Synthetic("formats", "wai36_7point.csv"));
        var e = Assert.Throws<AllianceInputException>(() => Alliance.Analytics.Scoring.InstrumentScoring.Score(data, new() { ApplyReverseKeys = false }));
        Assert.Equal("PreparationOptions.ApplyReverseKeys", e.Property);
        Assert.Throws<AllianceInputException>(() => Alliance.Analytics.Reliability.ReliabilityAnalysis.Analyze(data, new() { Reverse = ["wai2"] }));
    }

    [Fact]
    public void TheMainJobsSectionsAreFoundInOrderAndKeysAreUnique()
    {
        Assert.Equal(["descriptives", "reliability", "irt", "formats", "outcome"], SectionRegistry.Default.Sections.Select(s => s.Key));
        var extra = SectionRegistry.Default.With(new ExtraSection());
        Assert.Equal("extra", extra.Sections[1].Key);
        Assert.Throws<InvalidOperationException>(() => extra.With(new ExtraSection()));
        var report = MainJob.Run(_dir.File("small.csv", "q1,q2,q3\n1,2,3\n2,3,4\n3,4,5\n4,5,5\n"), new DataSpec { Points = 5 }, null, null, extra);
        Assert.Equal("ok", report.Sections.Single(s => s.Key == "extra").Status);
    }

    private sealed class ExtraSection : IMainJobSection
    {
        public string Key => "extra";
        public int Order => 15;
        public bool AppliesTo(MainJobContext context) => true;
        public Alliance.Analytics.Presentation.IAnalysisResult Run(MainJobContext context, IProgress<Alliance.Analytics.Presentation.AnalysisProgress>? progress, CancellationToken cancellationToken) =>
            Alliance.Analytics.Scoring.Descriptives.Describe(context.Data);
    }

    /// <summary>A typed source over lists of fields, with one finding the source itself made at the second record.</summary>
    private sealed class ListSource(IReadOnlyList<SourceColumn> columns, IReadOnlyList<string[]> rows, ValidationIssue finding) : IRecordSource
    {
        private int _row = -1;
        private bool _handed;
        public string Name => "list";
        public IReadOnlyList<SourceColumn>? Columns => columns;
        public int HeaderLine => 1;
        public bool Read() => ++_row < rows.Count;
        public int Line => _row + 2;
        public int FieldCount => rows[_row].Length;
        public ReadOnlySpan<char> Field(int index) => rows[_row][index];
        public string RawRow() => string.Join(",", rows[_row]);
        public int BlankLines => 0;
        public int ExpectedRows => rows.Count;
        public void Dispose() { }
        public IReadOnlyList<ValidationIssue> TakeFindings()
        {
            if (_row != 1 || _handed) return [];
            _handed = true;
            return [finding];
        }
    }
}
