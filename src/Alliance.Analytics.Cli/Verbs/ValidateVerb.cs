using System.CommandLine;
using Alliance.Analytics.Data;

namespace Alliance.Analytics.Cli.Verbs;

/// <summary><c>alliance validate &lt;file&gt;</c>: report every problem in a file; exit 2 when any is an error.</summary>
public static class ValidateVerb
{
    /// <summary>Builds the verb.</summary>
    public static Command Create(CliContext context)
    {
        var data = new DataOptions();
        var output = new OutputOptions(OutputFormat.Table, OutputFormat.Json, OutputFormat.Markdown);
        var all = new Option<bool>("--all") { Description = "List every finding in the table (default: the first 200)." };
        var command = new Command("validate", "Check a file of item responses against its description and report every problem with " +
            "file, line, column and value. Exit 2 when any is an error (a value off the scale, a non-integer on a Likert item, text in a " +
            "numeric column, a row with too few or too many fields, a duplicate administration, a named item column that is absent, an " +
            "empty file); warnings (an item nobody answered, a constant item, a category never used) leave the exit code 0.");
        data.AddTo(command, prepared: false);
        command.Options.Add(all);
        output.AddTo(command);
        command.SetAction(parse =>
        {
            var report = data.Read(parse, context.CancellationToken).Report;
            output.Write(parse, context, report, text: () => report.Summary(parse.GetValue(all) ? int.MaxValue : 200).ToText());
            return report.IsValid ? ExitCodes.Ok : ExitCodes.BadInput;
        });
        return command;
    }
}
