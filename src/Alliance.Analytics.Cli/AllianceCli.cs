using System.CommandLine;
using System.CommandLine.Parsing;
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
            "Exit codes: 0 ok, 1 analysis failed, 2 bad input or usage, 130 cancelled (Ctrl+C), 143 terminated (SIGTERM).");
        foreach (var verb in Verbs)
        {
            var command = verb(context);
            command.Description += VerbExamples.For(command.Name);
            root.Subcommands.Add(command);
        }
        return root;
    }

    /// <summary>Parses <paramref name="args"/>, runs the verb and returns its exit code.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, bool interactive = false, CancellationToken cancellationToken = default)
    {
        // Code pages (cp1252 …) for --encoding: registered here, by the host, not by the library (idempotent).
        System.Text.Encoding.RegisterProvider(System.Text.CodePagesEncodingProvider.Instance);
        var context = new CliContext(stdout, stderr, interactive, cancellationToken);
        var root = BuildRoot(context);
        ParseResult parse;
        try { parse = root.Parse(args); }
        catch (Exception e) { return Report(e, stderr); }
        // An unknown option taken as an argument's value (`instruments --kye`, `describe --itmes FILE`) is an unknown
        // option too: a file or an instrument id does not start with "--".
        var stray = parse.CommandResult.Children.OfType<ArgumentResult>().SelectMany(a => a.Tokens).Select(t => t.Value)
            .Where(v => v.Length > 2 && v.StartsWith("--", StringComparison.Ordinal)).ToArray();
        if (parse.Errors.Count > 0 || stray.Length > 0)
        {
            ReportUsageErrors(root, parse, args, stray, stderr);
            return ExitCodes.BadInput;
        }
        var config = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false };
        try
        {
            CheckOutputs(parse);
            int exit = parse.Invoke(config);
            stderr.Write(context.Notes.ToString());
            return exit;
        }
        catch (Exception e)
        {
            return Report(e, stderr, parse.CommandResult.Command.Name);
        }
    }

    /// <summary>Options whose values are files the run writes.</summary>
    public static IReadOnlyList<string> OutputOptionNames { get; } = ["--out", "--persons", "--plot"];

    /// <summary>Options whose values are files the run reads (besides the file argument).</summary>
    public static IReadOnlyList<string> InputOptionNames { get; } = ["--key", "--link", "--connection-file"];

    /// <summary>
    /// Refuses, before anything runs, an output that would overwrite one of the run's inputs (the data file, its
    /// sidecar, a key file, a second data file; compared by device and inode, else by resolved path) or that is not a
    /// regular file (a directory, FIFO, device or symbolic link). One place for every verb and every output option.
    /// </summary>
    /// <exception cref="AllianceInputException">When an output is refused.</exception>
    private static void CheckOutputs(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        if (command.Name == "simulate") return; // its --out is the folder a data set is written into (SimulationRun writes it)
        IEnumerable<string> Values(Symbol symbol) => symbol switch
        {
            Option o => parse.GetResult(o)?.Tokens.Select(t => t.Value) ?? [],
            Argument a => parse.GetResult(a)?.Tokens.Select(t => t.Value) ?? [],
            _ => [],
        };
        var outputs = command.Options.Where(o => OutputOptionNames.Contains(o.Name)).SelectMany(Values).ToArray();
        if (outputs.Length == 0) return;
        var files = command.Arguments.Where(a => a.Name == "file").SelectMany(Values)
            .Concat(command.Options.Where(o => InputOptionNames.Contains(o.Name)).SelectMany(Values)).ToArray();
        var inputs = files.Concat(files.Select(Data.DataSpec.SidecarPath)).ToArray();
        foreach (string output in outputs) Data.AtomicFile.CheckTarget(output, inputs);
    }

    /// <summary>
    /// Prints the parse errors on stderr: an unknown verb or option with the nearest names by edit distance
    /// ("did you mean --items?"), then where to find the usage. Parse errors always exit <see cref="ExitCodes.BadInput"/>.
    /// </summary>
    private static void ReportUsageErrors(RootCommand root, ParseResult parse, string[] args, string[] stray, TextWriter stderr)
    {
        var command = parse.CommandResult.Command;
        var unmatched = parse.UnmatchedTokens;
        if (command == root && args.Length > 0 && !args[0].StartsWith('-') && unmatched.Contains(args[0]))
        {
            var verbs = root.Subcommands.Where(c => !c.Hidden).Select(c => c.Name).ToArray();
            string hint = DidYouMean(args[0], verbs) is { } verb ? $"; did you mean {verb}?" : $" (verbs: {string.Join(", ", verbs)})";
            stderr.WriteLine($"error: unknown verb '{args[0]}'{hint}");
            stderr.WriteLine("Run 'alliance --help' for usage.");
            return;
        }
        var options = command.Options.Where(o => !o.Hidden).SelectMany(o => o.Aliases.Prepend(o.Name)).Append("--help").Distinct().ToArray();
        string where = command == root ? "alliance" : "alliance " + command.Name;
        void Unknown(string token) =>
            stderr.WriteLine($"error: unknown option '{token}' for '{where}'{(DidYouMean(token, options) is { } option ? $"; did you mean {option}?" : "")}");
        foreach (string token in stray) Unknown(token);
        foreach (var error in parse.Errors)
        {
            string? token = unmatched.FirstOrDefault(t => t.StartsWith('-') && error.Message.Contains($"'{t}'", StringComparison.Ordinal));
            if (token is null) stderr.WriteLine("error: " + Readable(error.Message, args));
            else Unknown(token);
        }
        string verbName = command == root ? "" : command.Name + " ";
        stderr.WriteLine($"Run 'alliance {verbName}--help' for usage.");
    }

    /// <summary>
    /// System.CommandLine's conversion error names a .NET type ("Cannot parse argument 'x' for option '--points' as
    /// expected type 'System.Nullable`1[System.Int32]'"); say what the option takes instead.
    /// </summary>
    internal static string Readable(string message, IReadOnlyList<string>? args = null)
    {
        // "Argument 'x' not recognized. Must be one of: 'a' 'b'" names neither the option nor the choices on one line.
        var choice = System.Text.RegularExpressions.Regex.Match(message, @"^Argument '(?<value>.*)' not recognized\. Must be one of:(?<choices>[\s\S]*)$");
        if (choice.Success)
        {
            string value = choice.Groups["value"].Value;
            var choices = System.Text.RegularExpressions.Regex.Matches(choice.Groups["choices"].Value, "'([^']*)'").Select(c => c.Groups[1].Value);
            string? option = null;
            for (int i = 1; args is not null && i < args.Count && option is null; i++)
                if (args[i] == value && args[i - 1].StartsWith('-')) option = args[i - 1];
            for (int i = 0; args is not null && i < args.Count && option is null; i++)
                if (args[i].StartsWith('-') && args[i].EndsWith("=" + value, StringComparison.Ordinal)) option = args[i][..args[i].IndexOf('=')];
            return $"{option ?? "the value"} must be one of {string.Join(", ", choices)}, not '{value}'";
        }
        var m = System.Text.RegularExpressions.Regex.Match(message, @"^Cannot parse argument '(?<value>.*)' for option '(?<option>[^']+)' as expected type '(?<type>[^']+)'\.?$");
        if (!m.Success) return message;
        string type = m.Groups["type"].Value;
        string? expected = type.Contains("Int32", StringComparison.Ordinal) || type.Contains("Int64", StringComparison.Ordinal) ? "a whole number"
            : type.Contains("Double", StringComparison.Ordinal) ? "a number" : null;
        return expected is null ? message : $"{m.Groups["option"].Value} must be {expected}, not '{m.Groups["value"].Value}'";
    }

    /// <summary>
    /// The names nearest to <paramref name="token"/> (the library's <see cref="Presentation.NearestNames"/>: optimal
    /// string alignment, so a swap of two letters counts once), compared without leading dashes and joined with
    /// " or "; null when none is near. A token that begins a single name (--boot) suggests it.
    /// </summary>
    internal static string? DidYouMean(string token, IEnumerable<string> names)
    {
        var byBare = names.GroupBy(n => n.TrimStart('-'), StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var near = Presentation.NearestNames.Suggest(token.TrimStart('-'), byBare.Keys);
        return near.Count == 0 ? null : string.Join(" or ", near.Select(n => byBare[n]));
    }

    /// <summary>
    /// Prints an exception as a message on stderr and maps it to an exit code (the one place this is decided). The
    /// library's names for settings become <paramref name="verb"/>'s flags (<see cref="FlagNames"/>).
    /// </summary>
    public static int Report(Exception e, TextWriter stderr, string? verb = null)
    {
        // A parallel loop wraps what its workers threw: report the cause when they all threw the same kind of thing.
        if (e is AggregateException aggregate && aggregate.Flatten().InnerExceptions is { Count: > 0 } inner
            && inner.All(x => x.GetType() == inner[0].GetType() || (x is OperationCanceledException && inner[0] is OperationCanceledException)))
            return Report(inner[0], stderr, verb);
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
                return ExitCodes.Cancelled;
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
