using Alliance.Analytics.Cli;

namespace Alliance.Analytics.Tests.Cli;

/// <summary>
/// Exit codes of bad usage and bad input through the real <see cref="AllianceCli.Run"/>: every one is 2 with a message on
/// stderr; an unknown verb or option suggests the nearest names; cancellation is 130.
/// </summary>
public sealed class UsageErrorTests : IDisposable
{
    private readonly CliFiles _files = new();
    private readonly string _clinic;
    private readonly string _studies;
    private readonly string _wai7;

    public UsageErrorTests()
    {
        _clinic = _files.Clinic();
        _studies = _files.Studies();
        _wai7 = _files.Formats(sevenPoint: true, rows: 40);
    }

    public void Dispose() => _files.Dispose();

    [Theory]
    [InlineData("analyze", "--sed", "--seed")]
    [InlineData("instruments", "--kye", "--key")]
    [InlineData("validate", "--itmes", "--items")]
    [InlineData("score", "--prorat", "--prorate")]
    [InlineData("outcome", "--baselin", "--baseline")]
    [InlineData("describe", "--missing-code", "--missing-codes")]
    [InlineData("irt", "--modle", "--model")]
    [InlineData("formats", "--colapse", "--collapse")]
    [InlineData("simulate", "--preest", "--preset")]
    [InlineData("meta", "--levle", "--level")]
    [InlineData("reliability", "--boostrap", "--bootstrap")]
    public void UnknownOptionExitsTwoSuggestingTheNearestOptionOfThatVerb(string verb, string typo, string meant)
    {
        string[] args = verb is "instruments" or "simulate" ? [verb, typo, "x"] : [verb, "file.csv", typo, "x"];
        var (exit, output, err) = CliRunner.Run(args);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Equal("", output);
        Assert.Contains($"unknown option '{typo}' for 'alliance {verb}'; did you mean {meant}?", err);
        Assert.Contains($"Run 'alliance {verb} --help' for usage.", err);
    }

    [Theory]
    [InlineData("reliabilty", "reliability")]
    [InlineData("analyse", "analyze")]
    [InlineData("scroe", "score")]
    [InlineData("instrument", "instruments")]
    [InlineData("valid", "validate")]
    public void UnknownVerbExitsTwoSuggestingTheNearestVerb(string typo, string meant)
    {
        var (exit, output, err) = CliRunner.Run(typo, "file.csv");
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Equal("", output);
        Assert.StartsWith($"error: unknown verb '{typo}'; did you mean {meant}?", err);
    }

    [Fact]
    public void AVerbFarFromEveryNameListsTheVerbs()
    {
        var err = CliRun.BadInput("frobnicate");
        Assert.Contains("unknown verb 'frobnicate' (verbs: analyze, instruments, validate, score", err);
    }

    [Fact]
    public void AnOptionFarFromEveryNameIsStillAnError()
    {
        var err = CliRun.BadInput("describe", _clinic, "--zzzzzzzz");
        Assert.Contains("unknown option '--zzzzzzzz' for 'alliance describe'", err);
        Assert.DoesNotContain("did you mean", err);
    }

    [Theory]
    [InlineData("--itmes", "--items")]
    [InlineData("--items", "--items")]
    [InlineData("--ITEMS", "--items")]
    [InlineData("--boot", "--bootstrap")]
    [InlineData("--sed", "--seed")]
    [InlineData("--levl", "--level")]
    [InlineData("--xyzzy", null)]
    public void DidYouMeanTakesTheNearestNamesByEditDistance(string token, string? expected) =>
        Assert.Equal(expected, AllianceCli.DidYouMean(token, ["--items", "--instrument", "--bootstrap", "--seed", "--level", "--delimiter"]));

    [Theory]
    [InlineData("Cannot parse argument 'x' for option '--points' as expected type 'System.Nullable`1[System.Int32]'.", "--points must be a whole number, not 'x'")]
    [InlineData("Cannot parse argument '1,5' for option '--rxx' as expected type 'System.Nullable`1[System.Double]'.", "--rxx must be a number, not '1,5'")]
    [InlineData("Option '--alliance' is required.", "Option '--alliance' is required.")]
    public void ConversionErrorsSayWhatTheOptionTakes(string message, string readable) =>
        Assert.Equal(readable, AllianceCli.Readable(message));

    [Theory]
    [InlineData("itmes", "items", 1)] // a swap counts once
    [InlineData("reliabilty", "reliability", 1)]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("", "abc", 3)]
    public void EditDistanceIsOptimalStringAlignment(string a, string b, int distance) =>
        Assert.Equal(distance, Alliance.Analytics.Presentation.NearestNames.Distance(a, b));

    [Fact]
    public void ScoringAFileThatNamesNoInstrumentIsBadInputSayingToNameOne()
    {
        string file = _files.File("plain.csv", "client_id,session,a,b,c\nc1,1,1,2,3\nc2,1,2,2,3\nc3,1,3,3,1\n");
        var err = CliRun.BadInput("score", file);
        Assert.Contains("plain.csv: no instrument named", err);
        Assert.Contains("name one", err);
    }

    [Theory]
    [InlineData("\"anchors\": {\"1\": 5}", "anchor '1' must be a string, not 5")]
    [InlineData("\"forms\": [3]", "forms[0] must be a string, not 3")]
    [InlineData("\"forms\": \"short\"", "'forms' must be an array of strings")]
    [InlineData("\"points\": \"five\"", "'points' must be a whole number, not \"five\"")]
    [InlineData("\"reverse\": [\"one\"]", "reverse[0]: \"one\" is not an item number")]
    [InlineData("\"total\": 1", "'total' must be true or false, not 1")]
    public void AKeyFileFieldOfTheWrongTypeIsBadInputNamingFileAndField(string field, string message)
    {
        string body = field.StartsWith("\"points\"", StringComparison.Ordinal) ? field : "\"points\": 5, " + field;
        string key = _files.File("bad-key.json", "{\"id\": \"MINE\", \"items\": 3, " + body + "}");
        string data = _files.File("three.csv", "a,b,c\n1,2,3\n2,3,4\n");
        var err = CliRun.BadInput("score", data, "--key", key, "--instrument", "MINE");
        Assert.Contains("bad-key.json, instrument 'MINE'", err);
        Assert.Contains(message, err);
    }

    [Fact]
    public void CancellationExits130AndSaysCancelled()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = AllianceCli.Run(["reliability", _clinic], stdout, stderr, cancellationToken: cancelled.Token);
        Assert.Equal(ExitCodes.Cancelled, exit);
        Assert.Equal(130, ExitCodes.Cancelled);
        Assert.Equal("cancelled", stderr.ToString().Trim());
        Assert.Equal("", stdout.ToString());
    }

    [Fact]
    public void ReportIsTheOneMappingOfExceptionsToExitCodes()
    {
        Assert.Equal(ExitCodes.Cancelled, AllianceCli.Report(new OperationCanceledException(), TextWriter.Null));
        Assert.Equal(ExitCodes.Cancelled, AllianceCli.Report(new AggregateException(new TaskCanceledException(), new OperationCanceledException()), TextWriter.Null));
        Assert.Equal(ExitCodes.BadInput, AllianceCli.Report(new AggregateException(new AllianceInputException("x")), TextWriter.Null));
        Assert.Equal(ExitCodes.AnalysisFailed, AllianceCli.Report(new AnalysisFailedException("x"), TextWriter.Null));
        Assert.Equal(ExitCodes.BadInput, AllianceCli.Report(new AllianceInputException("x"), TextWriter.Null));
        Assert.Equal(ExitCodes.BadInput, AllianceCli.Report(new FileNotFoundException("gone", "gone.csv"), TextWriter.Null));
    }

    /// <summary>Bad usage of every verb: missing or conflicting options, bad values, absent columns. Each exits 2 with the message.</summary>
    public static TheoryData<string, string[]> BadUsage() => new()
    {
        // analyze
        { "--skip: no section 'nope'", ["analyze", "{clinic}", "--skip", "irt,nope"] },
        { "--seed must be a whole number, not 'x'", ["analyze", "{clinic}", "--seed", "x"] },
        { "give a data file, or --sql QUERY with --provider and --connection-env or --connection-file", ["analyze"] },
        // instruments
        { "Unknown instrument 'NOPE'", ["instruments", "NOPE"] },
        { "--format must be one of", ["instruments", "--format", "csv"] },
        { "nokey.json: cannot read the key file", ["instruments", "--key", "nokey.json"] },
        // validate
        { "--format must be one of", ["validate", "{clinic}", "--format", "csv"] },
        { "--delimiter must be one character or 'tab', not 'xx'", ["validate", "{clinic}", "--delimiter", "xx"] },
        // score
        { "--prorate must be in (0, 1] (the share of a score's items answered), not 2", ["score", "{clinic}", "--prorate", "2"] },
        { "--prorate must be a number, not 'x'", ["score", "{clinic}", "--prorate", "x"] },
        // describe
        { "unknown instrument 'NOPE'", ["describe", "{clinic}", "--instrument", "NOPE"] },
        { "--points must be at least 2, not 1", ["describe", "{clinic}", "--points", "1"] },
        { "--min must be a number, not 'x'", ["describe", "{clinic}", "--min", "x"] },
        { "--points must be a whole number, not '5.5'", ["describe", "{clinic}", "--points", "5.5"] },
        { "item column 'zz' is named in --items but not in the file", ["describe", "{clinic}", "--instrument", "ARM-5", "--items", "wai1,wai2,wai3,wai4,zz"] },
        { "nope.csv: file not found", ["describe", "nope.csv"] },
        // reliability
        { "--level must be a number between 0 and 1 (e.g. 0.9), not '1.5'", ["reliability", "{clinic}", "--level", "1.5"] },
        { "--level must be a number between 0 and 1 (e.g. 0.9), not 'abc'", ["reliability", "{clinic}", "--level", "abc"] },
        { "--bootstrap must be a whole number, 100 to 1,000,000, not '50'", ["reliability", "{clinic}", "--bootstrap", "50"] },
        { "--bootstrap asks for a bootstrap interval; it conflicts with --ci feldt", ["reliability", "{clinic}", "--ci", "feldt", "--bootstrap", "200"] },
        { "--seed must be a whole number, not '1.5'", ["reliability", "{clinic}", "--seed", "1.5"] },
        { "--omega must be one of", ["reliability", "{clinic}", "--omega", "pca"] },
        { "--rxx is the reliability behind --change", ["reliability", "{clinic}", "--rxx", "0.8"] },
        { "--change needs two session numbers", ["reliability", "{clinic}", "--change", "1"] },
        { "no session 99", ["reliability", "{clinic}", "--change", "1,99"] },
        { "WAI-SR has no subscale 'nope'", ["reliability", "{clinic}", "--subscale", "nope"] },
        { "item 'nope' is to be reversed but is not an item column", ["reliability", "{clinic}", "--reverse", "nope"] },
        // outcome
        { "Option '--alliance' is required", ["outcome", "{clinic}", "--outcome", "symptoms"] },
        { "--level must be a number between 0 and 1 (e.g. 0.9), not '0'", ["outcome", "{clinic}", "--alliance", "total", "--outcome", "symptoms", "--level", "0"] },
        { "--bootstrap must be a whole number, 0 (none) or 100 to 1,000,000, not '50'", ["outcome", "{clinic}", "--alliance", "total", "--outcome", "symptoms", "--bootstrap", "50"] },
        { "--detrend applies to the lagged model; give --lagged too", ["outcome", "{clinic}", "--alliance", "total", "--outcome", "symptoms", "--detrend"] },
        { "--alliance-at must be mean, first, last or a session number", ["outcome", "{clinic}", "--alliance", "total", "--outcome", "symptoms", "--alliance-at", "soon"] },
        { "--outcome-score must be one of", ["outcome", "{clinic}", "--alliance", "total", "--outcome", "symptoms", "--outcome-score", "delta"] },
        { "no column 'nope' (--client)", ["outcome", "{clinic}", "--alliance", "total", "--outcome", "symptoms", "--client", "nope"] },
        { "no numeric column 'nope'", ["outcome", "{clinic}", "--alliance", "total", "--outcome", "nope"] },
        { "no rater 'nobody'", ["outcome", "{clinic}", "--alliance", "total", "--outcome", "symptoms", "--rater", "nobody"] },
        { "give both --alliance-reliability and --outcome-reliability", ["outcome", "{clinic}", "--alliance", "total", "--outcome", "symptoms", "--alliance-reliability", "0.8"] },
        // irt
        { "--model must be one of", ["irt", "{clinic}", "--model", "xx"] },
        { "Conditional ML exists only for Rasch models", ["irt", "{clinic}", "--model", "grm", "--estimation", "cml"] },
        { "must be between 5 and 501, not 1", ["irt", "{clinic}", "--model", "grm", "--quadrature", "1"] },
        { "no column 'nope'", ["irt", "{clinic}", "--dif", "nope"] },
        { "no column 'nope'", ["irt", "{clinic}", "--andersen", "nope"] },
        // formats
        { "choose one of --explore, --short-form and --link", ["formats", "{wai7}", "--explore", "--short-form", "Bond=4"] },
        { "--collapse compares scorings", ["formats", "{wai7}", "--explore", "--collapse", "1,2,2,3,4,5,6"] },
        { "--bootstrap applies to --link only", ["formats", "{wai7}", "--bootstrap", "100"] },
        { "--bootstrap must be a whole number, 20 to 1,000,000, not '5'", ["formats", "{wai7}", "--link", "{wai7}", "--bootstrap", "5"] },
        { "--model grm applies to --link only", ["formats", "{wai7}", "--model", "grm"] },
        { "--theta applies to --short-form only", ["formats", "{wai7}", "--theta", "-1,1"] },
        { "--target must be FROM,TO", ["formats", "{wai7}", "--target", "1"] },
        { "collapse map '1,2,3' has 3 entries", ["formats", "{wai7}", "--collapse", "1,2,3"] },
        { "WAI has no subscale 'Nope'", ["formats", "{wai7}", "--short-form", "Nope=3"] },
        { "nope.csv: file not found", ["formats", "{wai7}", "--link", "nope.csv"] },
        { "--outcome applies to comparisons only", ["formats", "{wai7}", "--short-form", "Bond=2", "--outcome", "post"] },
        { "--change-sessions applies to comparisons only", ["formats", "{wai7}", "--link", "{wai7}", "--change-sessions", "3,8"] },
        { "--outcome-session picks the rows correlated with --outcome", ["formats", "{wai7}", "--outcome-session", "3"] },
        { "--plot-item chooses the item drawn by --plot", ["formats", "{wai7}", "--plot-item", "wai2"] },
        { "--quadrature must be a whole number, not 'many'", ["irt", "{clinic}", "--quadrature", "many"] },
        // meta
        { "--level must be a number between 0 and 1 (e.g. 0.9), not '2'", ["meta", "{studies}", "--level", "2"] },
        { "--seed must be a whole number, not 'x'", ["meta", "{studies}", "--seed", "x"] },
        { "--r and --n go together", ["meta", "{studies}", "--r", "r"] },
        { "use either --r/--n (correlations) or --yi/--vi", ["meta", "{studies}", "--r", "r", "--n", "n", "--yi", "r", "--vi", "n"] },
        { "--robust needs --cluster", ["meta", "{studies}", "--robust"] },
        { "--permutations must be between 0 and 1,000,000, not -1", ["meta", "{studies}", "--permutations", "-1"] },
        { "no moderator column 'nope'", ["meta", "{studies}", "--mods", "nope"] },
        { "no column 'nope' (--cluster)", ["meta", "{studies}", "--cluster", "nope"] },
        { "--method must be one of", ["meta", "{studies}", "--method", "XX"] },
        { "--delimiter must be one character or 'tab', not 'xx'", ["meta", "{studies}", "--delimiter", "xx"] },
        // simulate
        { "Option '--preset' is required", ["simulate", "--out", "{dir}"] },
        { "--out DIR is required", ["simulate", "--preset", "studies"] },
        { "unknown setting 'nope'", ["simulate", "--preset", "studies", "--out", "{dir}", "--set", "nope=1"] },
        { "--threads must be at least 1, not 0", ["simulate", "--preset", "studies", "--out", "{dir}", "--threads", "0"] },
        { "--seed must be a whole number, not 'x'", ["simulate", "--preset", "studies", "--out", "{dir}", "--seed", "x"] },
    };

    [Theory]
    [MemberData(nameof(BadUsage))]
    public void BadUsageOfEveryVerbExitsTwoWithTheMessage(string message, string[] args)
    {
        string[] resolved = [.. args.Select(a => a.Replace("{clinic}", _clinic).Replace("{studies}", _studies).Replace("{wai7}", _wai7)
            .Replace("{dir}", Path.Combine(_files.Dir, "sim")))];
        var err = CliRun.BadInput(resolved);
        Assert.Contains(message, err);
    }

    [Theory]
    [InlineData("reliability", "--seed <N>", "[default: 20261126]")]
    [InlineData("reliability", "--level <P>", "[default: 0.95]")]
    [InlineData("reliability", "--bootstrap <N>", "[default: 2000]")]
    [InlineData("outcome", "--bootstrap <N>", "[default: 2000]")]
    [InlineData("outcome", "--level <P>", "[default: 0.95]")]
    [InlineData("formats", "--bootstrap <N>", "[default: 500]")]
    [InlineData("formats", "--seed <N>", "[default: 20261126]")]
    [InlineData("meta", "--seed <N>", "[default: 20261126]")]
    [InlineData("meta", "--level <P>", "[default: 0.95]")]
    [InlineData("analyze", "--seed <N>", "[default: 20261126]")]
    [InlineData("simulate", "--seed <N>", "[default: 20261126]")]
    public void HelpStatesTheSharedDefaults(string verb, string option, string stated)
    {
        var (exit, output, _) = CliRunner.Run(verb, "--help");
        Assert.Equal(ExitCodes.Ok, exit);
        // System.CommandLine wraps long descriptions; the default closes the option's paragraph.
        string paragraph = output[output.IndexOf(option, StringComparison.Ordinal)..];
        paragraph = paragraph[..(paragraph.IndexOf("\n  -", StringComparison.Ordinal) is var end and > 0 ? end : paragraph.Length)];
        Assert.Contains(stated, paragraph);
    }

    [Fact]
    public void TheSharedDefaultsAreTheLibrarys()
    {
        Assert.Equal(20261126, Defaults.Seed);
        Assert.Equal(0.95, Defaults.Level);
        Assert.Equal(Defaults.Seed, new Alliance.Analytics.Reliability.ReliabilityOptions().Seed);
        Assert.Equal(Defaults.Seed, new Alliance.Analytics.Meta.MetaReportOptions().Seed);
        Assert.Equal(Defaults.Seed, new Alliance.Analytics.Outcomes.BootstrapOptions().Seed);
        Assert.Equal(Defaults.Seed, new Alliance.Analytics.Formats.LinkingOptions().Seed);
        Assert.Equal(Defaults.Seed, new Alliance.Analytics.Formats.ShortFormOptions().Seed);
        Assert.Equal(Defaults.Seed, new Alliance.Analytics.Composition.MainJobOptions().Seed);
        Assert.Equal(Defaults.Seed, Alliance.Analytics.Simulation.Simulator.DefaultSeed);
        Assert.Equal(Defaults.Level, new Alliance.Analytics.Reliability.ReliabilityOptions().Level);
        Assert.Equal(Defaults.Level, new Alliance.Analytics.Meta.MetaReportOptions().Level);
        Assert.Equal(Defaults.Level, new Alliance.Analytics.Outcomes.OutcomeOptions { Alliance = "a", Outcome = "o" }.Level);
    }
}
