using System.CommandLine;
using Alliance.Analytics.Scoring;

namespace Alliance.Analytics.Cli.Verbs;

/// <summary><c>alliance describe &lt;file&gt;</c>: per item and per score n, mean, SD, skew, category frequencies, floor and ceiling.</summary>
public static class DescribeVerb
{
    /// <summary>Builds the verb.</summary>
    public static Command Create(CliContext context)
    {
        var data = new DataOptions();
        var output = new OutputOptions(OutputFormat.Table, OutputFormat.Json, OutputFormat.Markdown);
        var command = new Command("describe", "Descriptive statistics: per item n, missing, mean, SD, skewness, category frequencies, " +
            "floor and ceiling %; with --instrument the same for each score.");
        data.AddTo(command);
        output.AddTo(command);
        command.SetAction(parse =>
        {
            var (dataset, usage) = data.Load(parse, context);
            ScoreSet? scores = dataset.Instrument is { RequiresUserKey: false } ? InstrumentScoring.Score(dataset, usage: usage) : null;
            output.Write(parse, context, Descriptives.Describe(dataset.Items, scores, usage));
            return ExitCodes.Ok;
        });
        return command;
    }
}
