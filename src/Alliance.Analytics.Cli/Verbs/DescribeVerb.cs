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
        var asAnswered = new Option<bool>("--as-answered") { Description = "Describe the items as answered; default: in the keyed direction (reverse-keyed items as min + max − x), as every analysis sees them." };
        var command = new Command("describe", "Descriptive statistics: per item n, missing, mean, SD, skewness, category frequencies, " +
            "floor and ceiling %; with --instrument the same for each score.");
        data.AddTo(command);
        command.Options.Add(asAnswered);
        output.AddTo(command);
        command.SetAction(parse =>
        {
            var prepared = data.Prepare(parse, context);
            ScoreSet? scores = prepared.Instrument is { RequiresUserKey: false } ? InstrumentScoring.Score(prepared) : null;
            output.Write(parse, context, Descriptives.Describe(prepared, scores, parse.GetValue(asAnswered)));
            return ExitCodes.Ok;
        });
        return command;
    }
}
