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
        var seed = SharedOptions.Seed("the sections that resample (bootstrap, permutations)");
        var skip = new Option<string?>("--skip") { Description = $"Sections to skip, comma-separated, of {string.Join(", ", SectionKeys)} (default none).", HelpName = "a,b" };
        skip.Validators.Add(result =>
        {
            foreach (string key in (result.Tokens.Count == 1 ? result.Tokens[0].Value : "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                if (!SectionKeys.Contains(key)) result.AddError($"--skip: no section '{key}' (sections: {string.Join(", ", SectionKeys)})");
        });
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
                Formats = InputFormats.Registry,
                Skip = parse.GetValue(skip) is { } s ? [.. s.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)] : ImmutableHashSet<string>.Empty,
            };
            options = options with { Seed = parse.GetValue(seed) };
            var progress = ConsoleProgress.For(context, output.IsJson(parse));
            var report = data.ReadsSql(parse)
                ? MainJob.Run(data.Read(parse, context.CancellationToken), options, progress: progress, cancellationToken: context.CancellationToken)
                : MainJob.Run(parse.GetValue(data.File)!, data.ToSpec(parse), options, data.Registry(parse), progress, context.CancellationToken);
            (progress as ConsoleProgress)?.Done();
            output.Write(parse, context, report, text: report.ToText);
            return report.Sections.Any(x => x.Status == "failed") ? ExitCodes.AnalysisFailed : ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Keys <c>--skip</c> accepts: the main job's sections, and those of a study table's meta-analysis (MetaMainJob).</summary>
    private static readonly ImmutableArray<string> SectionKeys = [.. MainJob.Sections.Select(s => s.Key), "meta", "meta_bias", "meta_influence"];
}
