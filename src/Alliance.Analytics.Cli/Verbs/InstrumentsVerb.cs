using System.CommandLine;
using System.Text.Json.Nodes;
using Alliance.Analytics.Instruments;
using Alliance.Analytics.Presentation;

namespace Alliance.Analytics.Cli.Verbs;

/// <summary><c>alliance instruments [ID] [--key FILE]</c>: list the registry, or show one instrument.</summary>
public static class InstrumentsVerb
{
    /// <summary>Builds the verb.</summary>
    public static Command Create(CliContext context)
    {
        var id = new Argument<string?>("instrument") { Description = "Show this instrument (e.g. WAI-SR); without it, list all.", Arity = ArgumentArity.ZeroOrOne };
        var key = SharedOptions.Key();
        var output = new OutputOptions(OutputFormat.Table, OutputFormat.Json, OutputFormat.Markdown);
        var command = new Command("instruments", "List the instrument registry, or show one instrument's items, scale, subscales, keys and status. " +
            "With --format json, one instrument prints in the key-file schema: a template for your own --key file.");
        command.Arguments.Add(id);
        command.Options.Add(key);
        output.AddTo(command);
        command.SetAction(parse =>
        {
            var registry = DataOptions.RegistryFrom(parse.GetValue(key));
            var format = output.Resolve(parse);
            if (parse.GetValue(id) is { } name)
            {
                var instrument = registry.Get(name);
                string text = format switch
                {
                    OutputFormat.Json => JsonOutput.Serialize(WithSchemaVersion(JsonNode.Parse(InstrumentRegistry.ToJson(instrument))!.AsObject())) + "\n",
                    OutputFormat.Markdown => instrument.Summary().ToMarkdown(),
                    _ => instrument.Summary().ToText(),
                };
                output.WriteText(parse, context, format == OutputFormat.Json ? text : FlagNames.ForCli(text, command.Name));
                return ExitCodes.Ok;
            }
            var all = registry.All;
            if (format == OutputFormat.Json)
            {
                var array = new JsonArray([.. all.Select(i => JsonNode.Parse(InstrumentRegistry.ToJson(i)))]);
                output.WriteText(parse, context, JsonOutput.Serialize(new JsonObject { ["schema_version"] = JsonOutput.SchemaVersion, ["instruments"] = array }) + "\n");
                return ExitCodes.Ok;
            }
            var table = new ResultTable("Instruments",
                [TableColumn.Label("id"), TableColumn.Label("name"), TableColumn.Integer("items"), TableColumn.Label("scale"),
                 TableColumn.Label("scores"), TableColumn.Label("status"), TableColumn.Label("key")],
                [.. all.Select(i => (IReadOnlyList<object?>)[i.Id, i.Name, i.ItemCount, i.Scale.ToString(),
                    string.Join(", ", i.Scores().Select(s => s.Key)), i.Status == InstrumentStatus.Confirmed ? "confirmed" : "check",
                    i.RequiresUserKey ? "user key required" : i.Source])]);
            var summary = new ResultSummary("Instrument registry", [], [table],
                ["`alliance instruments ID` shows one; `--key FILE` adds or overrides one (docs/instruments.md). Item wording is never shipped."], []);
            output.WriteText(parse, context, format == OutputFormat.Markdown ? summary.ToMarkdown() : summary.ToText());
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The instrument's key-file object with <c>schema_version</c> first (key files may carry it; it is read and ignored).</summary>
    private static JsonObject WithSchemaVersion(JsonObject instrument)
    {
        var o = new JsonObject { ["schema_version"] = JsonOutput.SchemaVersion };
        foreach (var (key, value) in instrument.ToList())
        {
            instrument.Remove(key);
            o[key] = value;
        }
        return o;
    }
}
