using System.CommandLine;
using System.Globalization;
using Alliance.Analytics.Outcomes;
using Alliance.Analytics.Plotting;
using Alliance.Analytics.Scoring;

namespace Alliance.Analytics.Cli.Verbs;

/// <summary>
/// <c>alliance outcome &lt;file&gt; --alliance COL --outcome COL [--baseline COL] [--therapist COL] [--client COL] [--session COL]</c>:
/// how strongly alliance goes with outcome, whether it is the therapist or the patient, and how the data compare with
/// the published meta-analyses.
/// </summary>
public static class OutcomeVerb
{
    /// <summary>Builds the verb.</summary>
    public static Command Create(CliContext context)
    {
        var data = new DataOptions();
        var output = new OutputOptions(OutputFormat.Table, OutputFormat.Json, OutputFormat.Markdown);
        var alliance = new Option<string>("--alliance") { Description = "Alliance column, or with --instrument a score computed on the fly (total, task, goal, bond …).", HelpName = "COL", Required = true };
        var outcome = new Option<string>("--outcome") { Description = "Outcome column: symptoms per session (the last session's value is the client's outcome) or a client-level outcome.", HelpName = "COL", Required = true };
        var baseline = new Option<string?>("--baseline") { Description = "Baseline severity column (its value at the client's first session); gives the partial r and enters the therapist model. May be the outcome column itself.", HelpName = "COL" };
        var therapist = new Option<string?>("--therapist") { Description = "Therapist id column (default therapist_id when present): fits the between/within-therapist model.", HelpName = "COL" };
        var client = new Option<string?>("--client") { Description = "Client id column (default client_id; without one, each row is a client).", HelpName = "COL" };
        var session = new Option<string?>("--session") { Description = "Session number column (default session).", HelpName = "COL" };
        var timing = new Option<string?>("--alliance-at") { Description = "Which alliance rating stands for a client: mean (default), first, last, or a session number (e.g. 3).", HelpName = "WHEN" };
        var score = new Option<string?>("--outcome-score") { Description = "Client outcome: post (default, last session), change (post − pre), residual-gain, slope (over sessions).", HelpName = "KIND" };
        score.AcceptOnlyFromAmong("post", "change", "residual-gain", "slope");
        var rater = new Option<string?>("--rater") { Description = "Use the alliance ratings of this rater only (value of the rater column, e.g. client).", HelpName = "VALUE" };
        var higher = new Option<bool>("--higher-is-better") { Description = "Higher outcome scores are better (well-being). Default: lower is better (symptoms); sets the sign compared with the literature." };
        var bootstrap = SharedOptions.Bootstrap(2000, "the BCa interval of r", allowZero: true);
        var seed = SharedOptions.Seed("the bootstrap");
        var level = SharedOptions.Level("every interval (r, partial r, the therapist model)");
        var relA = new Option<double?>("--alliance-reliability") { Description = "Reliability of the alliance score (e.g. α), with --outcome-reliability for the disattenuated r.", HelpName = "X" };
        var relO = new Option<double?>("--outcome-reliability") { Description = "Reliability of the outcome measure.", HelpName = "X" };
        var lagged = new Option<bool>("--lagged") { Description = "Also fit the within-patient lagged model: next-session outcome ~ person-mean-centred alliance + this session's outcome (session data)." };
        var detrend = new Option<bool>("--detrend") { Description = "With --lagged: remove each client's linear alliance trend before centring." };
        var plot = new Option<string?>("--plot") { Description = "Write a scatter of client alliance and outcome with the fitted line and its 95% band (PNG or SVG by extension).", HelpName = "FILE" };
        var command = new Command("outcome",
            "Alliance and outcome: session rows are summarised per client (alliance by --alliance-at; outcome at the last session, or change, " +
            "residualised gain, slope), then Pearson r with Fisher-z and bootstrap BCa intervals, Spearman and Kendall, the partial r controlling " +
            "--baseline, the between/within-therapist model (outcome ~ baseline + therapist mean alliance + client deviation + (1 | therapist), REML, " +
            "Satterthwaite df; Baldwin, Wampold & Imel 2007) and the comparison with the published meta-analyses (Flückiger et al. 2018 r = .278). " +
            "Outcome and baseline columns are not items: when the file has such columns, name the item columns with --items (or use a sidecar), " +
            "otherwise every column other than client_id, therapist_id, session and rater is read as an item on one scale.");
        data.AddTo(command);
        foreach (var o in new Option[] { alliance, outcome, baseline, therapist, client, session, timing, score, rater, higher, bootstrap, seed, level, relA, relO, lagged, detrend, plot })
            command.Options.Add(o);
        output.AddTo(command);
        command.AddValidator(result =>
        {
            if (result.GetValue(detrend) && !result.GetValue(lagged)) result.AddError("--detrend applies to the lagged model; give --lagged too.");
        });
        command.SetAction(parse =>
        {
            var prepared = data.Prepare(parse, context);
            string allianceName = parse.GetValue(alliance)!;
            var (when, at) = ParseTiming(parse.GetValue(timing));
            int reps = parse.GetValue(bootstrap);
            string? raterValue = parse.GetValue(rater);
            // A column named on the command line must exist; the defaults (client_id, therapist_id, session) apply only when present.
            foreach (var (flag, name) in new[] { ("--client", parse.GetValue(client)), ("--therapist", parse.GetValue(therapist)), ("--session", parse.GetValue(session)) })
                if (name is not null && prepared.Column(name) is null && !prepared.ItemNames.Contains(name))
                    throw new AllianceInputException($"{prepared.SourceName}: no column '{name}' ({flag})");
            var options = new OutcomeOptions
            {
                Alliance = allianceName,
                Outcome = parse.GetValue(outcome)!,
                Baseline = parse.GetValue(baseline),
                Therapist = parse.GetValue(therapist) ?? "therapist_id",
                Client = parse.GetValue(client) ?? "client_id",
                Session = parse.GetValue(session) ?? "session",
                Rater = raterValue is null ? null : "rater",
                RaterValue = raterValue,
                Timing = when,
                AtSession = at,
                Score = parse.GetValue(score) switch
                {
                    "change" => OutcomeScore.Change,
                    "residual-gain" => OutcomeScore.ResidualizedGain,
                    "slope" => OutcomeScore.Slope,
                    _ => OutcomeScore.Post,
                },
                HigherIsBetter = parse.GetValue(higher),
                Bootstrap = reps == 0 ? null : new BootstrapOptions { Replicates = reps, Seed = parse.GetValue(seed) },
                Level = parse.GetValue(level),
                AllianceReliability = parse.GetValue(relA),
                OutcomeReliability = parse.GetValue(relO),
                Lagged = parse.GetValue(lagged),
                Detrend = parse.GetValue(detrend),
            };
            if (options.AllianceReliability.HasValue != options.OutcomeReliability.HasValue)
                throw new AllianceInputException("give both --alliance-reliability and --outcome-reliability for the disattenuated r");
            var progress = ConsoleProgress.For(context, output.IsJson(parse));
            // With an instrument, --alliance may name a score (total, bond …): the library scores the keyed items.
            var result = OutcomeAnalysis.Analyze(prepared, options, progress, context.CancellationToken);
            (progress as ConsoleProgress)?.Done();
            if (parse.GetValue(plot) is { } plotPath)
            {
                PlotExport.Save(OutcomePlots.ScatterChart(result), plotPath);
                context.Error.WriteLine($"wrote {plotPath}");
            }
            output.Write(parse, context, result);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static (AllianceTiming, double?) ParseTiming(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "mean" or "average" => (AllianceTiming.Mean, null),
        "first" => (AllianceTiming.First, null),
        "last" => (AllianceTiming.Last, null),
        var s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double k) => (AllianceTiming.AtSession, k),
        var s => throw new AllianceInputException($"--alliance-at must be mean, first, last or a session number, not '{s}'"),
    };
}
