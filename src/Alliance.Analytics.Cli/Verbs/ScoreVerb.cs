using System.CommandLine;
using Alliance.Analytics.Scoring;

namespace Alliance.Analytics.Cli.Verbs;

/// <summary><c>alliance score &lt;file&gt; --instrument ID</c>: subscale and total scores per administration.</summary>
public static class ScoreVerb
{
    /// <summary>Builds the verb.</summary>
    public static Command Create(CliContext context)
    {
        var data = new DataOptions();
        var output = new OutputOptions(OutputFormat.Table, OutputFormat.Json, OutputFormat.Csv, OutputFormat.Markdown, OutputFormat.Sav, OutputFormat.Xlsx);
        var csvRaw = new Option<bool>("--csv-raw") { Description = "CSV for machine pipelines: do not protect text cells that begin with = + - @ (default: such ids get a leading ' so a spreadsheet does not run them as formulas)." };
        var prorate = new Option<double?>("--prorate") { Description = "Minimum share of a score's items answered for it to be computed (default the instrument's, 0.8).", HelpName = "F" };
        var command = new Command("score", "Score an instrument: reverse keys (min + max − x), subscale and total scores, prorating " +
            "(a score needs 80% of its items by default: mean of answered items × number of items for sum scores), cut-off flags. " +
            "Table output summarises the scores; --format csv or json (or --out scores.csv) gives one row per administration.");
        data.AddTo(command);
        command.Options.Add(prorate);
        command.Options.Add(csvRaw);
        output.AddTo(command);
        command.SetAction(parse =>
        {
            var prepared = data.Prepare(parse, context);
            var scores = InstrumentScoring.Score(prepared, new ScoringOptions { ProrateMinimumFraction = parse.GetValue(prorate) });
            output.Write(parse, context, scores, csv: () => scores.ToTable().ToCsv(protectFormulas: !parse.GetValue(csvRaw)), rows: scores.ToTable);
            return ExitCodes.Ok;
        });
        return command;
    }
}
