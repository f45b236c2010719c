using Alliance.Analytics.Cli;

namespace Alliance.Analytics.Tests.Cli;

/// <summary>
/// Issue 14, part 3: every option and every file field is checked. Each case used to succeed silently (or crash) and is
/// now refused through the real <see cref="AllianceCli.Run"/> with exit 2 and a message naming the file and the key
/// path, or the line, column and value.
/// </summary>
public sealed class InputCheckTests : IDisposable
{
    private readonly CliFiles _files = new();
    private const string Items = "client_id,q1,q2,q3\nc1,1,2,3\nc2,2,3,4\nc3,5,4,3\nc4,1,1,2\nc5,4,5,5\n";

    public void Dispose() => _files.Dispose();

    private static string Stdout(params string[] args)
    {
        var (exit, output, err) = CliRunner.Run(args);
        Assert.True(exit == ExitCodes.BadInput, $"exit {exit}, expected 2: {err}{output}");
        return output + err;
    }

    [Fact]
    public void ADuplicatedItemIsRefusedRatherThanCountedTwice()
    {
        string data = _files.File("items.csv", Items);
        var err = CliRun.BadInput("reliability", data, "--items", "q1,q1,q2");
        Assert.Contains("items.csv, line 1, column 'q1'", err);
        Assert.Contains("item 'q1' is named more than once in --items (entries 1 and 2)", err);
    }

    [Fact]
    public void AnUnknownItemIsRefusedWithTheNearestNameSuggested()
    {
        string data = _files.File("items.csv", Items);
        var err = CliRun.BadInput("reliability", data, "--items", "q1,qq2,q3");
        Assert.Contains("column 'qq2'", err);
        Assert.Contains("item column 'qq2' is named in --items but not in the file; did you mean 'q2'?", err);
    }

    [Fact]
    public void OneValueFarOutsideTheScaleIsAnErrorNotATwoBillionPointScale()
    {
        string data = _files.File("wide.csv", "client_id,q1,q2,q3\nc1,1,2,3\nc2,2,3,2000000000\nc3,5,4,3\nc4,1,1,2\n");
        string report = Stdout("validate", data);
        Assert.Contains("scale_too_wide", report);
        Assert.Contains("2000000000", report);
        Assert.Contains("too wide to infer a Likert scale (at most 101 categories)", report);
        Assert.Contains("--missing-codes", report);
        Assert.Matches(@"error\s+3\s+q3\s+2000000000", report); // line 3, column q3, the value

        // With the scale stated, the value is an ordinary out-of-scale finding on its line.
        string stated = Stdout("validate", data, "--points", "5");
        Assert.Matches(@"error\s+3\s+q3\s+2000000000\s+2000000000 is outside the 1–5 scale", stated);
        // A 0–100 integer scale is still inferred.
        string hundred = _files.File("hundred.csv", "client_id,q1,q2\nc1,0,100\nc2,50,40\nc3,7,99\n");
        Assert.Equal(ExitCodes.Ok, CliRunner.Run("validate", hundred).Exit);
    }

    [Theory]
    [InlineData("--min", "1.5")]
    [InlineData("--min", "0.5", "--points", "5")]
    public void AFractionalMinimumOfALikertScaleIsRefusedNotTruncated(params string[] flags)
    {
        string data = _files.File("items.csv", Items);
        string report = Stdout(["validate", data, .. flags]);
        Assert.Contains($"--min is {flags[1]}, but a Likert scale's lowest category is a whole number", report);
        var err = CliRun.BadInput(["reliability", data, .. flags]);
        Assert.Contains("items.csv", err);
        Assert.Contains($"--min is {flags[1]}", err);
    }

    [Fact]
    public void AFractionalMinimumOfAContinuousScaleIsFine()
    {
        string data = _files.File("items.csv", Items);
        Assert.Equal(ExitCodes.Ok, CliRunner.Run("validate", data, "--continuous", "--min", "0.5", "--max", "5.5").Exit);
    }

    [Fact]
    public void ASidecarNumericColumnThatIsAbsentIsRefused()
    {
        string data = _files.File("items.csv", Items);
        _files.File("items.csv.alliance.json", """{ "points": 5, "numeric_columns": ["sesion"] }""");
        string report = Stdout("validate", data);
        Assert.Contains("missing_numeric_column", report);
        Assert.Contains("column 'sesion' is named in the sidecar's numeric_columns but not in the file", report);
    }

    [Theory]
    [InlineData("""{ "items": ["q1", "q2", null] }""", "items[2]: null is not a column name")]
    [InlineData("""{ "items": ["q1", 2] }""", "items[1]: 2 is not a column name")]
    [InlineData("""{ "items": ["q1", "q1"] }""", "items[1]: 'q1' is already items[0]")]
    [InlineData("""{ "items": {"a": 1} }""", "items: {\"a\":1} is not a list of column names")]
    [InlineData("""{ "points": 5, "points": 7 }""", "points: the field appears more than once")]
    [InlineData("""{ "points": null }""", "points: null is not a whole number (leave the field out")]
    [InlineData("""{ "points": "5" }""", "points: \"5\" is not a whole number")]
    [InlineData("""{ "points": 4.5 }""", "points: 4.5 is not a whole number")]
    [InlineData("""{ "min": "one" }""", "min: \"one\" is not a number")]
    [InlineData("""{ "continuous": 1 }""", "continuous: 1 is not true or false")]
    [InlineData("""{ "instrument": null }""", "instrument: null is not an instrument id")]
    [InlineData("""{ "missing_codes": [null] }""", "missing_codes[0]: null is not a missing-value code")]
    [InlineData("""{ "missing_codes": {"x": 1} }""", "missing_codes: {\"x\":1} is not a list of missing-value codes")]
    [InlineData("""{ "numeric_columns": [null] }""", "numeric_columns[0]: null is not a column name")]
    [InlineData("""{ "description": 3 }""", "description: 3 is not a description")]
    [InlineData("""{ "delimiter": ";;" }""", "delimiter: must be one character")]
    [InlineData("""{ "itmes": ["q1"] }""", "unknown field 'itmes'; did you mean 'items'?")]
    public void ABadSidecarFieldIsBadInputNamingTheFileAndKeyPath(string sidecar, string message)
    {
        string data = _files.File("clinic.csv", Items);
        _files.File("clinic.csv.alliance.json", sidecar);
        var err = CliRun.BadInput("validate", data);
        Assert.Contains("clinic.csv.alliance.json: " + message, err);
        Assert.DoesNotContain("Exception", err);
    }

    [Theory]
    [InlineData("""[{ "id": "X", "items": 3, "points": 5, "points": 6 }]""", "key.json: [0].points: the field appears more than once")]
    [InlineData("""{ "id": "X", "items": 3, "points": 5, "subscales": [ { "name": "a", "items": [1], "name": "b" } ] }""", "key.json: subscales[0].name: the field appears more than once")]
    [InlineData("""{ "id": "X", "items": 3, "points": 5, "subscales": [ { "name": "a", "items": [1, null] } ] }""", "subscales[0].items (subscale 'a')[1]: null is not an item number")]
    [InlineData("""{ "id": "X", "items": 3, "points": 5, "subscales": [ null ] }""", "subscales[0] is not an object")]
    [InlineData("""{ "id": "X", "items": 3, "points": 5, "reverse": [1, null] }""", "reverse[1]: null is not an item number")]
    [InlineData("""{ "id": "X", "items": 3, "points": 5, "forms": [null] }""", "forms[0]: null is not a label")]
    [InlineData("""{ "id": "X", "items": 3, "points": 5, "anchors": { "1": null } }""", "anchor '1': null is not a label")]
    [InlineData("""[ { "id": "X", "items": 3, "points": 5 }, null ]""", "key.json: element 1 is not an object")]
    public void ABadKeyFileEntryIsBadInputNamingTheFileAndKeyPath(string key, string message)
    {
        string data = _files.File("three.csv", "a,b,c\n1,2,3\n2,3,4\n3,4,5\n");
        string path = _files.File("key.json", key);
        var err = CliRun.BadInput("validate", data, "--key", path, "--instrument", "X");
        Assert.Contains(message, err);
        Assert.Contains("key.json", err);
        Assert.DoesNotContain("Exception", err);
    }

    [Fact]
    public void AFractionalSampleSizeIsRefusedWithLineColumnAndValue()
    {
        string table = _files.File("m.csv", "study,r,n\na,0.3,50\nb,0.2,3.01\nc,0.1,40\n");
        var err = CliRun.BadInput("meta", table);
        Assert.Contains("m.csv, line 3, column 'n': 3.01: a sample size is a whole number of participants", err);
    }

    [Fact]
    public void OneStudyIsRefusedForARandomEffectsModelAndFittedAsEqualEffects()
    {
        string table = _files.File("one.csv", "study,r,n\na,0.3,50\n");
        var err = CliRun.BadInput("meta", table);
        Assert.Contains("one.csv: only 1 study to pool: a random-effects model cannot estimate τ² from one study", err);
        Assert.Contains("--method EE", err);
        var (exit, output, _) = CliRunner.Run("meta", table, "--method", "EE");
        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("Equal-effects model (k = 1", output);
    }

    [Fact]
    public void TwoStudyTableColumnsWithOneNameAreRefused()
    {
        string table = _files.File("twice.csv", "study,r,n,R\na,0.3,50,0.1\nb,0.2,30,0.2\nc,0.1,40,0.3\n");
        var err = CliRun.BadInput("meta", table);
        Assert.Contains("twice.csv, line 1, column 'R': column name 'R' appears more than once in the header (columns 2 and 4)", err);
    }

    [Fact]
    public void RepeatedStudyIdsWithoutAClusterWarnThatTheEffectsAreDependent()
    {
        string table = _files.File("dep.csv", "study,r,n\na,0.3,50\na,0.2,30\nb,0.1,40\nc,0.25,60\n");
        var (exit, output, err) = CliRunner.Run("meta", table);
        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("study 'a' has 2 effect sizes: effect sizes from one study are dependent", output + err);
        Assert.Contains("--cluster", output + err);
        var json = CliRun.Json("meta", table);
        Assert.Contains(CliRun.Strings(json["warnings"]), w => w.Contains("StudyTableSpec.Cluster", StringComparison.Ordinal));
        var clustered = CliRunner.Run("meta", table, "--cluster", "study");
        Assert.DoesNotContain("dependent", clustered.Out + clustered.Err);
    }
}

/// <summary>Issue 14, part 4: work that multiplies has a ceiling, or a pre-flight estimate, and is refused before it starts.</summary>
public sealed class BoundedWorkTests : IDisposable
{
    private readonly CliFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Theory]
    [InlineData("reliability")]
    [InlineData("outcome")]
    public void BootstrapCountsAboveTheCeilingAreRefusedBeforeAnythingRuns(string verb)
    {
        var err = CliRun.BadInput(verb, "file.csv", "--bootstrap", "2000000000");
        Assert.Contains("--bootstrap must be a whole number", err);
        Assert.Contains("to 1,000,000", err);
    }

    [Fact]
    public void PermutationCountsAboveTheCeilingAreRefused()
    {
        var err = CliRun.BadInput("meta", "file.csv", "--permutations", "2000000000");
        Assert.Contains("--permutations must be between 0 and 1,000,000, not 2000000000", err);
    }

    [Fact]
    public void ASimulationThatWouldExhaustMemoryIsRefusedWithTheEstimate()
    {
        var err = CliRun.BadInput("simulate", "--preset", "clinic", "--set", "clients=50000000", "--set", "sessions=200", "--out", Path.Combine(_files.Dir, "sim"));
        Assert.Contains("simulating 50,000,000 clients × 200 sessions needs about", err);
        Assert.Contains("GB of memory", err);
        Assert.False(Directory.Exists(Path.Combine(_files.Dir, "sim")));
    }

    [Fact]
    public void ReliabilityWithMoreItemsThanRowsAnswersAndSaysWhatItSkipped()
    {
        var rng = new Random(7);
        var lines = new List<string> { string.Join(',', Enumerable.Range(1, 160).Select(i => $"q{i}")) };
        for (int r = 0; r < 15; r++) lines.Add(string.Join(',', Enumerable.Range(1, 160).Select(_ => rng.Next(1, 6).ToString(CultureInfo.InvariantCulture))));
        string data = _files.File("wide.csv", string.Join('\n', lines) + "\n");
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var (exit, output, err) = CliRunner.Run("reliability", data, "--points", "5");
        Assert.True(exit == ExitCodes.Ok, err);
        Assert.Contains("omega and omega if item deleted were not computed: 160 items and only 15 rows", output + err);
        Assert.Contains("lambda 6 if item deleted was not computed: 160 items", output + err);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"took {watch.Elapsed}");
    }

    [Fact]
    public void ReliabilityOfMoreItemsThanTheCeilingIsRefusedBeforeAnyWork()
    {
        // 10,000 items × 20 rows: the k × k matrices alone would take gigabytes; refused with the ceiling and the reason.
        var rng = new Random(11);
        var lines = new List<string> { string.Join(',', Enumerable.Range(1, 10_000).Select(i => $"q{i}")) };
        for (int r = 0; r < 20; r++) lines.Add(string.Join(',', Enumerable.Range(1, 10_000).Select(_ => rng.Next(1, 6).ToString(CultureInfo.InvariantCulture))));
        string data = _files.File("wider.csv", string.Join('\n', lines) + "\n");
        var err = CliRun.BadInput("reliability", data, "--points", "5");
        Assert.Contains("reliability of 10,000 items is not computed: a scale may have at most 500 items", err);
        Assert.Contains("analyse subscales or a selection of items", err);
    }
}
