using System.Collections.Immutable;
using System.CommandLine;
using Alliance.Analytics.Presentation;
using Alliance.Analytics.Composition;

namespace Alliance.Analytics.Cli.Verbs;

/// <summary><c>alliance analyze &lt;file&gt;</c>: the main job — everything that applies to a data set, in one report.</summary>
public static class AnalyzeVerb
{
    /// <summary>Builds the verb.</summary>
    public static Command Create(CliContext context)
    {
        var data = new DataOptions();
        var output = new OutputOptions(OutputFormat.Table, OutputFormat.Json, OutputFormat.Markdown);
        var seed = new Option<long?>("--seed") { Description = "Seed for resampling sections (default fixed, so reports are reproducible).", HelpName = "N" };
        var skip = new Option<string?>("--skip") { Description = "Sections to skip, comma-separated (e.g. irt).", HelpName = "a,b" };
        var command = new Command("analyze", "The main job: validate the file, then run every analysis that applies (scores, descriptives, …) " +
            "and print one report.");
        data.AddTo(command);
        command.Options.Add(seed);
        command.Options.Add(skip);
        output.AddTo(command);
        command.SetAction(parse =>
        {
            var options = new MainJobOptions
            {
                Preparation = data.ToPreparation(parse),
                Skip = parse.GetValue(skip) is { } s ? [.. s.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)] : ImmutableHashSet<string>.Empty,
            };
            if (parse.GetValue(seed) is { } sd) options = options with { Seed = sd };
            var progress = ConsoleProgress.For(context, output.IsJson(parse));
            var report = MainJob.Run(parse.GetValue(data.File)!, data.ToSpec(parse), options, data.Registry(parse), progress, context.CancellationToken);
            (progress as ConsoleProgress)?.Done();
            output.Write(parse, context, report, text: report.ToText);
            return report.Sections.Any(x => x.Status == "failed") ? ExitCodes.AnalysisFailed : ExitCodes.Ok;
        });
        return command;
    }
}
