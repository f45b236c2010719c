using System.CommandLine;
using Alliance.Analytics.Cli;

namespace Alliance.Analytics.Tests.Cli;

/// <summary>
/// The library names settings by their option properties; the CLI shows the flag of the verb that was run
/// (<see cref="FlagNames"/>, issue 13). Each case checks the flag appears and the property name does not.
/// </summary>
public sealed class FlagNameTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _invalid;
    private readonly string _sessions;

    public FlagNameTests()
    {
        // Line 3 has 9 on a 5-point scale: a row-level validation error.
        _invalid = _dir.File("invalid.csv", "client_id,session,q1,q2,q3\nc1,1,1,2,3\nc2,1,2,9,3\nc3,1,4,4,5\nc4,1,3,3,2\n");
        var rows = Enumerable.Range(1, 8).Select(i => $"c{i},1,{1 + i % 5},{1 + (i + 1) % 5},{1 + (i + 2) % 5},{10 + i}");
        _sessions = _dir.File("sessions.csv", "client_id,session,q1,q2,q3,phq9\n" + string.Join("\n", rows) + "\n");
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_verb_with_drop_invalid_advises_it_for_row_errors()
    {
        var (exit, _, err) = CliRunner.Run("describe", _invalid, "--points", "5");
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("validation error", err);
        Assert.Contains("pass --drop-invalid", err);
    }

    [Fact]
    public void Validate_which_has_no_drop_invalid_does_not_advise_it()
    {
        var (exit, output, err) = CliRunner.Run("validate", _invalid, "--points", "5");
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.DoesNotContain("--drop-invalid", output + err);
        Assert.DoesNotContain("DropInvalidRows", output + err);
    }

    [Fact]
    public void A_bad_item_list_names_items_in_validate_and_in_an_analysis_verb()
    {
        var (exit, output, _) = CliRunner.Run("validate", _invalid, "--points", "5", "--items", "q1,q2,q9");
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("item column 'q9' is named in --items but not in the file", output);
        Assert.DoesNotContain("DataSpec", output);
        Assert.DoesNotContain("--drop-invalid", output);

        // Every row is fine here: leaving rows out would not mend a missing column, so --drop-invalid is not offered.
        var (exit2, _, err) = CliRunner.Run("reliability", _sessions, "--points", "5", "--items", "q1,q2,q9");
        Assert.Equal(ExitCodes.BadInput, exit2);
        Assert.Contains("item column 'q9' is named in --items but not in the file", err);
        Assert.DoesNotContain("DataSpec", err);
        Assert.DoesNotContain("--drop-invalid", err);
    }

    [Fact]
    public void Instrument_notes_name_the_key_flag()
    {
        var (exit, output, _) = CliRunner.Run("instruments", "WAI-S");
        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("Scoring requires a user key (--key FILE)", output);
        Assert.DoesNotContain("InstrumentRegistry", output);
        var (exit2, _, err) = CliRunner.Run("describe", _sessions, "--points", "5", "--items", "q1,q2,q3", "--instrument", "NOPE");
        Assert.Equal(ExitCodes.BadInput, exit2);
        Assert.Contains("add one with --key FILE", err);
        Assert.Contains("Fix the file.", err);
        Assert.DoesNotContain("--drop-invalid", err);
    }

    [Fact]
    public void Only_id_columns_tells_to_name_the_items_with_the_flag()
    {
        string ids = _dir.File("ids.csv", "client_id,session\nc1,1\n");
        var (_, output, _) = CliRunner.Run("validate", ids);
        Assert.Contains("name the items in --items", output);
    }

    [Fact]
    public void An_outcome_column_that_does_not_exist_names_the_flag()
    {
        var (exit, _, err) = CliRunner.Run("outcome", _sessions, "--points", "5", "--items", "q1,q2,q3", "--alliance", "wai_total", "--outcome", "phq9", "--bootstrap", "0");
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("no numeric column 'wai_total' for --alliance", err);
        Assert.DoesNotContain("OutcomeOptions", err);

        (exit, _, err) = CliRunner.Run("outcome", _sessions, "--points", "5", "--items", "q1,q2,q3", "--alliance", "q1", "--outcome", "gaf", "--bootstrap", "0");
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("no numeric column 'gaf' for --outcome", err);
    }

    [Fact]
    public void A_bootstrap_count_out_of_range_names_the_verbs_flag()
    {
        string second = _dir.File("second.csv", File.ReadAllText(_sessions));
        var (exit, _, err) = CliRunner.Run("formats", _sessions, "--points", "5", "--items", "q1,q2,q3", "--link", second, "--bootstrap", "10");
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("--bootstrap must be a whole number, 20 to 1,000,000, not '10'", err); // refused by the parser; the library's own check is mapped below
        Assert.DoesNotContain("LinkingOptions", err);

        // The same library check seen from another verb (none has the flag) keeps the property name.
        var e = new AllianceInputException("use at least 20 bootstrap resamples (LinkingOptions.Replicates), not 10", "LinkingOptions.Replicates");
        Assert.Equal("use at least 20 bootstrap resamples (`alliance formats --bootstrap`), not 10", FlagNames.ForCli(e, "analyze"));
        // An options record's own check (ArgumentOutOfRangeException naming the property) shows the flag instead of "(Parameter …)".
        var range = new ArgumentOutOfRangeException("BootstrapReplicates", 50, "At least 100 bootstrap replicates are needed.");
        Assert.StartsWith("At least 100 bootstrap replicates are needed. (--bootstrap)", FlagNames.ForCli(range, "reliability"));
    }

    [Fact]
    public void Text_is_translated_per_verb_and_pointed_to_the_verb_that_has_the_flag()
    {
        const string warning = "n1, n2 correlate negatively with the scale and probably should be reversed (ReliabilityOptions.Reverse = n1,n2)";
        Assert.EndsWith("(--reverse n1,n2)", FlagNames.ForCli(warning, "reliability"));
        Assert.EndsWith("(`alliance reliability --reverse n1,n2`)", FlagNames.ForCli(warning, "analyze"));
        Assert.Equal("use --missing listwise or leave the item out.", FlagNames.ForCli("use ReliabilityOptions.Missing = MissingData.Listwise or leave the item out.", "reliability"));
        Assert.Equal("needs marginal ML (`alliance irt --estimation mml`)", FlagNames.ForCli("needs marginal ML (IrtOptions.Estimation = IrtEstimation.Marginal)", "analyze"));
        Assert.Equal("three-level model: the bias test needs `alliance meta --cluster study --bias`",
            FlagNames.ForCli("three-level model: the bias test needs MetaReportOptions.Bias with StudyTableSpec.Cluster = study", "analyze"));
        // Names without a flag in the verb and without a verb to point to stay as the library wrote them; no verb, no change.
        Assert.Equal("rows with invalid values (DropInvalidRows)", FlagNames.ForCli("rows with invalid values (DropInvalidRows)", "validate"));
        Assert.Equal("rows with invalid values (--drop-invalid)", FlagNames.ForCli("rows with invalid values (DropInvalidRows)", "describe"));
        Assert.Equal("DataSpec.Items", FlagNames.ForCli("DataSpec.Items", null));
        // Only whole names: a longer identifier is left alone.
        Assert.Equal("DataSpec.ItemsX and MyDataSpec.Items", FlagNames.ForCli("DataSpec.ItemsX and MyDataSpec.Items", "describe"));
    }

    [Fact]
    public void Every_flag_in_the_table_is_an_option_of_every_verb_it_lists()
    {
        var root = AllianceCli.BuildRoot(new CliContext(TextWriter.Null, TextWriter.Null, false, default));
        var verbs = root.Subcommands.ToDictionary(c => c.Name);
        foreach (var entry in FlagNames.Table)
        {
            Assert.True(entry.Home is null || entry.Verbs.Contains(entry.Home), $"{entry.Name}: points to {entry.Home}, which lacks the flag");
            foreach (string verb in entry.Verbs)
            {
                Assert.True(verbs.TryGetValue(verb, out var command), $"{entry.Name}: no verb '{verb}'");
                foreach (string flag in entry.Flag.Split(' ', ',').Where(t => t.StartsWith("--", StringComparison.Ordinal)))
                    Assert.True(command!.Options.Any(o => o.Name == flag || o.Aliases.Contains(flag)), $"{entry.Name}: '{verb}' has no {flag}");
            }
        }
        Assert.False(FlagNames.VerbHas("validate", "--drop-invalid"));
        Assert.True(FlagNames.VerbHas("meta", "--drop-invalid"));
    }
}
