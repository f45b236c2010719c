using System.CommandLine;
using Alliance.Analytics.Data;
using Alliance.Analytics.Instruments;
using Alliance.Analytics.Cli.Verbs;

namespace Alliance.Analytics.Cli;

/// <summary>
/// The <c>alliance</c> command: <c>alliance &lt;verb&gt; &lt;file&gt; [options]</c>. Each verb parses its options,
/// builds the library's options record, calls the library and prints the result's summary or JSON. Errors go to
/// stderr; exit codes are <see cref="ExitCodes"/>.
/// </summary>
public static class AllianceCli
{
    /// <summary>Every verb, in the order <c>--help</c> lists them. A new verb adds its factory here.</summary>
    public static IReadOnlyList<Func<CliContext, Command>> Verbs { get; } =
    [
        AnalyzeVerb.Create,
        InstrumentsVerb.Create,
        ValidateVerb.Create,
        ScoreVerb.Create,
        OutcomeVerb.Create,
        DescribeVerb.Create,
        IrtVerb.Create,
        FormatsVerb.Create,
        SimulateVerb.Create,
        MetaVerb.Create,
        ReliabilityVerb.Create,
    ];

    /// <summary>Builds the root command with every verb.</summary>
    public static RootCommand BuildRoot(CliContext context)
    {
        var root = new RootCommand(
            "alliance: psychometrics and meta-analysis for therapeutic alliance research.\n" +
            "Usage: alliance <verb> <file> [options]; `alliance <verb> --help` for a verb's options.\n" +
            "Exit codes: 0 ok, 1 analysis failed, 2 bad input or usage.");
        foreach (var verb in Verbs) root.Subcommands.Add(verb(context));
        return root;
    }

    /// <summary>Parses <paramref name="args"/>, runs the verb and returns its exit code.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, bool interactive = false, CancellationToken cancellationToken = default)
    {
        var context = new CliContext(stdout, stderr, interactive, cancellationToken);
        var root = BuildRoot(context);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors) stderr.WriteLine("error: " + error.Message);
            string verb = parse.CommandResult.Command == root ? "" : parse.CommandResult.Command.Name + " ";
            stderr.WriteLine($"Run 'alliance {verb}--help' for usage.");
            return ExitCodes.BadInput;
        }
        var config = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false };
        try
        {
            return parse.Invoke(config);
        }
        catch (Exception e)
        {
            return Report(e, stderr, parse.CommandResult.Command.Name);
        }
    }

    /// <summary>
    /// Prints an exception as a message on stderr and maps it to an exit code (the one place this is decided). The
    /// library's names for settings become <paramref name="verb"/>'s flags (<see cref="FlagNames"/>).
    /// </summary>
    public static int Report(Exception e, TextWriter stderr, string? verb = null)
    {
        string message = FlagNames.ForCli(e, verb);
        switch (e)
        {
            case DataValidationException v:
                var report = v.Report;
                stderr.WriteLine($"error: {report.File} has {report.ErrorCount} validation error{(report.ErrorCount == 1 ? "" : "s")}:");
                foreach (var issue in report.Errors.Take(20)) stderr.WriteLine("  " + FlagNames.ForCli(issue.ToString(), verb));
                if (report.ErrorCount > 20) stderr.WriteLine($"  … and {report.ErrorCount - 20} more (run `alliance validate` for the full list).");
                stderr.WriteLine(FlagNames.DropInvalidAdvice(report, verb));
                return ExitCodes.BadInput;
            case FileNotFoundException f:
                stderr.WriteLine($"error: {f.FileName ?? f.Message}: file not found");
                return ExitCodes.BadInput;
            case DirectoryNotFoundException d:
                stderr.WriteLine("error: " + message);
                return ExitCodes.BadInput;
            case DataSpecException or InstrumentKeyException or ArgumentException or KeyNotFoundException or FormatException:
                stderr.WriteLine("error: " + message);
                return ExitCodes.BadInput;
            case OperationCanceledException:
                stderr.WriteLine("cancelled");
                return ExitCodes.AnalysisFailed;
            case AnalysisFailedException or InvalidOperationException or ArithmeticException:
                stderr.WriteLine("analysis failed: " + message);
                return ExitCodes.AnalysisFailed;
            case IOException or UnauthorizedAccessException:
                stderr.WriteLine("error: " + message);
                return ExitCodes.BadInput;
            default:
                stderr.WriteLine($"internal error ({e.GetType().Name}): {e.Message}");
                if (Environment.GetEnvironmentVariable("ALLIANCE_DEBUG") == "1") stderr.WriteLine(e);
                return ExitCodes.AnalysisFailed;
        }
    }
}
