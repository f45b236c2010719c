using System.CommandLine;
using System.Globalization;
using System.Text;
using Alliance.Analytics.Data;
using Alliance.Analytics.Formats;
using Alliance.Analytics.Irt;
using Alliance.Analytics.Plotting;
using Alliance.Analytics.Presentation;

namespace Alliance.Analytics.Cli.Verbs;

/// <summary>
/// <c>alliance formats &lt;file&gt; [--collapse MAP …] | --explore | --short-form BALANCE | --link FILE2</c>: compares
/// scorings of a rating scale, explores every collapse of adjacent categories, builds a short form, or links two
/// formats of the same respondents with a crosswalk (docs/cli/formats.md).
/// </summary>
public static class FormatsVerb
{
    /// <summary>Builds the verb.</summary>
    public static Command Create(CliContext context)
    {
        var data = new DataOptions();
        var output = new OutputOptions(OutputFormat.Table, OutputFormat.Json, OutputFormat.Markdown);
        var collapse = new Option<string[]>("--collapse") { Description = "A collapse map of the keyed categories, e.g. 1,2,2,2,3,4,5 (2–4 merged); may be repeated. Compared with the original scoring.", HelpName = "MAP", AllowMultipleArgumentsPerToken = false };
        var explore = new Option<bool>("--explore") { Description = "Fit every merge of adjacent categories (2^(K−1) maps), rank them and give the Pareto set." };
        var shortForm = new Option<string?>("--short-form") { Description = "Build a short form with this balance of the instrument's subscales, e.g. Bond=8,Task+Goal=8.", HelpName = "BALANCE" };
        var link = new Option<string?>("--link") { Description = "Link this file's format (X) with FILE2's (Y), answered by the same respondents (rows paired by client_id and session), and print a crosswalk.", HelpName = "FILE2" };
        var anchorItems = new Option<string?>("--anchors") { Description = "--link: the two files were answered by different groups; link them through these items, answered in the same format by both (common-item mean/sigma), e.g. a1,a2,a3.", HelpName = "ITEMS" };
        var model = new Option<string?>("--model") { Description = "Rasch model by CML: pcm (default for comparisons, short forms) or rsm (default for --explore). With --link: grm (default), pcm or rsm.", HelpName = "MODEL" };
        model.AcceptOnlyFromAmong("rsm", "pcm", "grm");
        var target = new Option<string?>("--target") { Description = "Where 'information where the clients are' is taken: FROM,TO in person-SD units around the mean (default: the persons' own measures).", HelpName = "FROM,TO" };
        var outcome = new Option<string?>("--outcome") { Description = "Correlate each scoring's total with this column (one row per client).", HelpName = "COL" };
        var outcomeBaseline = new Option<string?>("--outcome-baseline") { Description = "With --outcome: correlate with the improvement BASELINE − OUTCOME instead (symptom measures).", HelpName = "COL" };
        var outcomeSession = new Option<double?>("--outcome-session") { Description = "Session whose rows are correlated with the outcome (default the earliest).", HelpName = "S" };
        var change = new Option<string?>("--change-sessions") { Description = "Sensitivity to change between two sessions, e.g. 3,8: standardized response mean and share of reliable change.", HelpName = "FROM,TO" };
        var allRows = new Option<bool>("--all-rows") { Description = "--explore: fit every row (default: the rows with every item answered, several times faster)." };
        var theta = new Option<string?>("--theta") { Description = "--short-form: θ range FROM,TO in logits of the full-form calibration (default: 5th to 95th percentile of the persons).", HelpName = "FROM,TO" };
        var spread = new Option<double?>("--spread-weight") { Description = "--short-form: weight of the spread of item locations in the objective (default 1; 0 for information alone).", HelpName = "W" };
        var bootstrap = SharedOptions.Bootstrap(500, "the crosswalk SEs (--link only)", minimum: 20);
        var calibrationBootstrap = new Option<int?>("--calibration-bootstrap") { Description = "--link: resamples with both forms recalibrated, for SEs of the IRT true-score crosswalk (default 0; each refits both forms).", HelpName = "N" };
        var seed = SharedOptions.Seed("the random starts and resamples");
        var plot = new Option<string?>("--plot") { Description = "Write a chart (PNG or SVG by extension): category curves side by side (compare), candidates (--explore), information (--short-form), crosswalk (--link).", HelpName = "FILE" };
        var plotItem = new Option<string?>("--plot-item") { Description = "Item whose category curves are drawn (default the first).", HelpName = "ITEM" };
        var command = new Command("formats",
            "Response formats: the original scoring of a rating scale beside collapses of adjacent categories (threshold order per item and overall, " +
            "Linacre's guidelines, person separation and reliability, alpha and omega, variance change, floor and ceiling, information where the " +
            "clients are, correlation with an outcome, sensitivity to change); --explore fits every collapse and gives the Pareto set; --short-form " +
            "chooses items under subscale quotas; --link puts two formats of the same respondents on one scale with a crosswalk. Reverse-keyed " +
            "items of the instrument are reverse-scored first, so maps refer to the keyed direction.");
        data.AddTo(command);
        foreach (var o in new Option[] { collapse, explore, shortForm, link, anchorItems, model, target, outcome, outcomeBaseline, outcomeSession, change, allRows, theta, spread, bootstrap, calibrationBootstrap, seed, plot, plotItem })
            command.Options.Add(o);
        output.AddTo(command);
        command.AddValidator(result =>
        {
            int modes = (result.GetValue(explore) ? 1 : 0) + (result.GetValue(shortForm) is null ? 0 : 1) + (result.GetValue(link) is null ? 0 : 1);
            if (modes > 1) result.AddError("choose one of --explore, --short-form and --link");
            if (modes == 1 && (result.GetValue(collapse) ?? []).Length > 0) result.AddError("--collapse compares scorings; it cannot be combined with --explore, --short-form or --link");
            bool linking = result.GetValue(link) is not null, building = result.GetValue(shortForm) is not null, exploring = result.GetValue(explore);
            if (result.GetValue(model) == "grm" && !linking) result.AddError("--model grm applies to --link only (scorings are compared with Rasch models)");
            // options that belong to one mode are refused elsewhere rather than ignored
            foreach (var (option, mode, applies) in new (Option Option, string Mode, bool Applies)[]
            {
                (anchorItems, "--link", linking), (bootstrap, "--link", linking), (calibrationBootstrap, "--link", linking),
                (theta, "--short-form", building), (spread, "--short-form", building), (allRows, "--explore", exploring),
                (target, "comparisons and --explore", !linking && !building),
                (outcome, "comparisons", !linking && !building && !exploring), (outcomeBaseline, "comparisons", !linking && !building && !exploring),
                (outcomeSession, "comparisons", !linking && !building && !exploring), (change, "comparisons", !linking && !building && !exploring),
            })
                if (!applies && result.GetResult(option) is { Implicit: false }) result.AddError($"{option.Name} applies to {mode} only");
            if (result.IsGiven(outcomeSession) && result.GetValue(outcome) is null) result.AddError("--outcome-session picks the rows correlated with --outcome; give --outcome too");
            if (result.IsGiven(plotItem) && result.GetValue(plot) is null) result.AddError("--plot-item chooses the item drawn by --plot; give --plot FILE too");
            if (linking && result.GetValue(anchorItems) is null && result.GetValue(model) is "pcm" or "rsm" && result.GetValue(calibrationBootstrap) is > 0)
                result.AddError("--calibration-bootstrap applies to graded links (--model grm) or to --anchors; Rasch links of the same respondents take their SEs from --bootstrap");
        });
        command.SetAction(parse =>
        {
            var prepared = data.Prepare(parse, context);
            bool json = output.IsJson(parse);
            var progress = ConsoleProgress.For(context, json);
            IrtModelType? irtModel = parse.GetValue(model) switch { "rsm" => IrtModelType.RatingScale, "pcm" => IrtModelType.PartialCredit, "grm" => IrtModelType.GradedResponse, _ => null };
            long seedValue = parse.GetValue(seed);
            IAnalysisResult result;
            Func<ScottPlot.Plot>? chart = null;
            if (parse.GetValue(link) is { } other)
            {
                var secondData = data.Prepare(other, null, parse, context);
                var options = new LinkingOptions
                {
                    Model = irtModel ?? IrtModelType.GradedResponse,
                    Replicates = parse.GetValue(bootstrap),
                    CalibrationReplicates = parse.GetValue(calibrationBootstrap) ?? 0,
                    Seed = seedValue,
                };
                var linked = parse.GetValue(anchorItems) is { } anchorList
                    ? FormatLinking.LinkCommonItems(prepared, secondData, anchorList.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries), options,
                        progress: progress, cancellationToken: context.CancellationToken)
                    : FormatLinking.Link(prepared, secondData, options, progress: progress, cancellationToken: context.CancellationToken);
                result = linked;
                chart = () => FormatPlots.CrosswalkChart(linked);
            }
            else if (parse.GetValue(shortForm) is { } balance)
            {
                var (from, to) = Range(parse.GetValue(theta), "--theta");
                var options = new ShortFormOptions
                {
                    Model = irtModel ?? IrtModelType.PartialCredit,
                    ThetaFrom = from, ThetaTo = to,
                    SpreadWeight = parse.GetValue(spread) ?? 1,
                    Seed = seedValue,
                };
                var form = ShortForms.Build(prepared, balance, options, progress, context.CancellationToken);
                result = form;
                chart = () => FormatPlots.ShortFormChart(form);
            }
            else
            {
                var (from, to) = Range(parse.GetValue(target), "--target");
                var options = new FormatOptions
                {
                    Model = irtModel,
                    TargetFrom = from, TargetTo = to,
                    Outcome = parse.GetValue(outcome),
                    OutcomeBaseline = parse.GetValue(outcomeBaseline),
                    OutcomeSession = parse.GetValue(outcomeSession),
                    ChangeSessions = parse.GetValue(change) is { } cs ? Sessions(cs) : [],
                    ExploreAllRows = parse.GetValue(allRows),
                };
                if (parse.GetValue(explore))
                {
                    if (options.Outcome is not null || !options.ChangeSessions.IsDefaultOrEmpty)
                        throw new AllianceInputException("--outcome and --change-sessions apply to comparisons (--collapse), not to --explore");
                    var exploration = FormatAnalysis.Explore(prepared, options, progress, context.CancellationToken);
                    result = exploration;
                    chart = () => FormatPlots.ExplorationChart(exploration);
                }
                else
                {
                    int points = prepared.Scale.Points ?? throw new AllianceInputException($"format comparisons need a Likert scale; {prepared.SourceName} is on a {prepared.Scale} scale");
                    var maps = (parse.GetValue(collapse) ?? []).Select(m => CategoryMap.Parse(m, points)).ToArray();
                    var comparison = FormatAnalysis.Compare(prepared, maps, options, progress, context.CancellationToken);
                    result = comparison;
                    int item = parse.GetValue(plotItem) is { } name ? comparison.Original.Fit.IndexOf(name) : 0;
                    chart = () => FormatPlots.CategoryCurvesChart(comparison, item);
                }
            }
            (progress as ConsoleProgress)?.Done();
            if (parse.GetValue(plot) is { } path && chart is not null)
            {
                var p = chart();
                int width = result is FormatComparison c ? Math.Max(PlotExport.DefaultWidth, 420 * c.Scorings.Length) : PlotExport.DefaultWidth;
                PlotExport.Save(p, path, width);
                context.Error.WriteLine($"wrote {path}");
            }
            output.Write(parse, context, result);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static (double? From, double? To) Range(string? text, string flag)
    {
        if (text is null) return (null, null);
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length != 2 || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double a)
            || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double b))
            throw new AllianceInputException($"{flag} must be FROM,TO (two numbers), not '{text}'");
        if (!(b > a)) throw new AllianceInputException($"{flag} must rise: {text}");
        return (a, b);
    }

    private static System.Collections.Immutable.ImmutableArray<double> Sessions(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var values = new double[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]))
                throw new AllianceInputException($"--change-sessions must be two session numbers FROM,TO, not '{text}'");
        if (values.Length != 2) throw new AllianceInputException($"--change-sessions must be two session numbers FROM,TO, not '{text}'");
        return [.. values];
    }
}
