using System.CommandLine;
using System.Globalization;
using Alliance.Analytics.Numerics;
using Alliance.Analytics.Plotting;
using Alliance.Analytics.Reliability;

namespace Alliance.Analytics.Cli.Verbs;

/// <summary>
/// <c>alliance reliability &lt;file&gt;</c>: α (raw, standardized, Feldt or bootstrap interval), λ1–λ6, split-half,
/// ω total and hierarchical, item analysis, ordinal α and ω, per subscale and total; optionally ICCs across sessions
/// and reliable change between two sessions.
/// </summary>
public static class ReliabilityVerb
{
    /// <summary>Builds the verb.</summary>
    public static Command Create(CliContext context)
    {
        var data = new DataOptions();
        var output = new OutputOptions(OutputFormat.Table, OutputFormat.Json, OutputFormat.Markdown);
        var subscale = new Option<string?>("--subscale") { Description = "Analyse only this subscale of the instrument (e.g. Bond).", HelpName = "NAME" };
        var missing = new Option<string>("--missing") { Description = "Missing responses: pairwise (default, as psych) or listwise.", HelpName = "pairwise|listwise", DefaultValueFactory = _ => "pairwise" };
        missing.AcceptOnlyFromAmong("pairwise", "listwise");
        var ci = new Option<string?>("--ci") { Description = "Interval for alpha: feldt (default) or bootstrap (BCa; percentile also reported).", HelpName = "feldt|bootstrap" };
        ci.AcceptOnlyFromAmong("feldt", "bootstrap");
        var bootstrap = SharedOptions.Bootstrap(2000, "the alpha interval", note: "giving it implies --ci bootstrap");
        var seed = SharedOptions.Seed("the bootstrap and of sampled splits");
        var level = SharedOptions.Level();
        var ordinal = new Option<bool>("--ordinal") { Description = "Also polychoric correlations and ordinal alpha and omega (integer scales)." };
        var omega = new Option<string>("--omega") { Description = "Factor extraction behind omega: minres (default, as psych::omega) or ml.", HelpName = "minres|ml", DefaultValueFactory = _ => "minres" };
        omega.AcceptOnlyFromAmong("minres", "ml");
        var splits = new Option<string>("--splits") { Description = "Split-half over every distinct split (all, default) or psych::splitHalf's enumeration (psych).", HelpName = "all|psych", DefaultValueFactory = _ => "all" };
        splits.AcceptOnlyFromAmong("all", "psych");
        var icc = new Option<bool>("--icc") { Description = "Also intraclass correlations of the total score across sessions (needs client_id and session columns)." };
        var change = new Option<string?>("--change") { Description = "Also Jacobson–Truax reliable change of the total between two sessions, e.g. --change 1,8.", HelpName = "S1,S2" };
        var rxx = new Option<double?>("--rxx") { Description = "Reliability behind --change (default: alpha of the total at the first session).", HelpName = "R" };
        var plot = new Option<string?>("--plot") { Description = "Write a chart of item-rest correlations and alpha if deleted (PNG or SVG by extension).", HelpName = "FILE" };

        var command = new Command("reliability", "Internal consistency as psych computes it: alpha raw and standardized with a Feldt or bootstrap interval, " +
            "average r, Guttman's lambda 1-6, split-half (max, min, mean), omega total (one factor) and omega hierarchical (Schmid-Leiman, one group factor per subscale), " +
            "SEM, item analysis (item-rest r, alpha and omega if deleted, floor and ceiling), and with --ordinal polychoric ordinal alpha and omega; " +
            "per subscale and total when the instrument has subscales.");
        data.AddTo(command);
        foreach (var o in new Option[] { subscale, missing, ci, bootstrap, seed, level, ordinal, omega, splits, icc, change, rxx, plot })
            command.Options.Add(o);
        output.AddTo(command);
        command.AddValidator(result =>
        {
            if (result.GetValue(ci) == "feldt" && result.IsGiven(bootstrap))
                result.AddError("--bootstrap asks for a bootstrap interval; it conflicts with --ci feldt.");
            if (result.GetValue(rxx) is not null && result.GetValue(change) is null)
                result.AddError("--rxx is the reliability behind --change; give --change S1,S2 too.");
        });
        command.SetAction(parse =>
        {
            var prepared = data.Prepare(parse, context);
            bool boot = parse.GetValue(ci) == "bootstrap" || parse.IsGiven(bootstrap);
            var options = new ReliabilityOptions
            {
                Missing = parse.GetValue(missing) == "listwise" ? MissingData.Listwise : MissingData.Pairwise,
                Interval = boot ? AlphaIntervalMethod.Bootstrap : AlphaIntervalMethod.Feldt,
                BootstrapReplicates = parse.GetValue(bootstrap),
                Ordinal = parse.GetValue(ordinal),
                OmegaMethod = parse.GetValue(omega) == "ml" ? FactorMethod.MaximumLikelihood : FactorMethod.MinimumResidual,
                Splits = parse.GetValue(splits) == "psych" ? SplitHalfEnumeration.PsychCompatible : SplitHalfEnumeration.AllSplits,
            };
            options = options with { Seed = parse.GetValue(seed), Level = parse.GetValue(level) };

            var progress = ConsoleProgress.For(context, output.IsJson(parse));
            var report = ReliabilityAnalysis.Analyze(prepared, options, parse.GetValue(subscale), progress, context.CancellationToken);
            if (parse.GetValue(icc))
                report = report with { Sessions = ReliabilityAnalysis.IntraclassCorrelation(prepared, level: options.Level) };
            if (parse.GetValue(change) is { } pair)
            {
                var sessions = pair.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                if (sessions.Length != 2 || !double.TryParse(sessions[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double from)
                    || !double.TryParse(sessions[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double to))
                    throw new AllianceInputException($"--change needs two session numbers, e.g. --change 1,8; got '{pair}'.");
                report = report with
                {
                    Change = ReliabilityAnalysis.ReliableChange(prepared, from, to, new ReliableChangeOptions { Reliability = parse.GetValue(rxx), Level = options.Level }, options),
                };
            }
            (progress as ConsoleProgress)?.Done();
            if (parse.GetValue(plot) is { } path)
            {
                PlotExport.Save(ReliabilityPlots.ItemChart(report.Total), path);
                context.Error.WriteLine($"wrote {path}");
            }
            output.Write(parse, context, report);
            return ExitCodes.Ok;
        });
        return command;
    }
}
