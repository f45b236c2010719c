using System.CommandLine;
using System.Globalization;
using Alliance.Analytics.Presentation;
using Alliance.Analytics.Simulation;

namespace Alliance.Analytics.Cli.Verbs;

/// <summary>
/// <c>alliance simulate --preset NAME --seed N --out DIR [--set key=value ...]</c>: writes a synthetic data set with a
/// known truth (CSV files with sidecars, true-value tables, truth.json).
/// </summary>
public static class SimulateVerb
{
    /// <summary>Builds the verb.</summary>
    public static Command Create(CliContext context)
    {
        var output = new OutputOptions(OutputFormat.Table, OutputFormat.Json, OutputFormat.Markdown);
        var preset = new Option<string>("--preset")
        {
            Description = "What to simulate: clinic (WAI-SR 5-point sessions, therapists, symptoms, dropout), formats (the same clients answering " +
                          "the 36-item WAI in 7 points with crowded categories 2–4 and in a 5-point revised format), studies (295-study meta-analytic set).",
            HelpName = "NAME",
            Required = true,
        };
        preset.AcceptOnlyFromAmong("clinic", "formats", "studies");
        // Simulator.DefaultSeed is Defaults.Seed, the shared --seed's default; the same seed gives the same bytes on any machine and thread count.
        var seed = SharedOptions.Seed("every random stream (the output does not depend on the machine or thread count)");
        var set = new Option<string[]>("--set")
        {
            Description = "Override a setting of the preset, key=value; may be repeated (e.g. --set clients=500 --set crowding=0). --list-settings shows every key.",
            HelpName = "key=value",
            AllowMultipleArgumentsPerToken = false,
        };
        var threads = new Option<int?>("--threads")
        {
            Description = "Threads to use (default: all cores). The output does not depend on it.",
            HelpName = "N",
        };
        var list = new Option<bool>("--list-settings") { Description = "List the preset's settings with their defaults and exit." };
        var command = new Command("simulate", "Write a synthetic data set with a known truth: CSV files in the data format (with sidecars), " +
            "the true values (clients.csv, latent.csv or true_effects.csv) and truth.json with every parameter and the realised figures. " +
            "Formulas and defaults: docs/methods/simulation.md.");
        command.Options.Add(preset);
        command.Options.Add(seed);
        command.Options.Add(set);
        command.Options.Add(threads);
        command.Options.Add(list);
        // --out is the data directory here (not an output file); the run summary goes to standard output.
        output.Out.Description = "Directory to write the data set to (created if needed). Required unless --list-settings.";
        output.Out.HelpName = "DIR";
        output.AddTo(command);
        command.SetAction(parse =>
        {
            var chosen = Enum.Parse<SimulationPreset>(parse.GetValue(preset)!, ignoreCase: true);
            if (parse.GetValue(list))
            {
                var table = new ResultTable($"Settings of the {chosen.ToString().ToLowerInvariant()} preset (--set key=value)",
                    [TableColumn.Label("key"), TableColumn.Label("type"), TableColumn.Label("default"), TableColumn.Label("sets")],
                    [.. Simulator.Settings(chosen).Select(s => (IReadOnlyList<object?>)[s.Key, s.Type, s.Default, s.Description])]);
                context.Out.Write(table.ToText());
                return ExitCodes.Ok;
            }
            string? dir = parse.GetValue(output.Out);
            if (string.IsNullOrWhiteSpace(dir)) throw new AllianceInputException("--out DIR is required: the directory to write the data set to");
            int? n = parse.GetValue(threads);
            if (n is < 1) throw new AllianceInputException($"--threads must be at least 1, not {n}");
            var settings = SimulationSettings.Parse(parse.GetValue(set) ?? []);
            bool json = output.Resolve(parse) == OutputFormat.Json;
            var progress = ConsoleProgress.For(context, json);
            var run = Simulator.Run(chosen, parse.GetValue(seed), dir, settings, n ?? -1, progress, context.CancellationToken);
            (progress as ConsoleProgress)?.Done();
            string content = output.Resolve(parse) switch
            {
                OutputFormat.Json => JsonOutput.Serialize(run.ToJson()) + "\n",
                OutputFormat.Markdown => run.Summary().ToMarkdown(),
                _ => run.Summary().ToText(),
            };
            context.Out.Write(content);
            return ExitCodes.Ok;
        });
        return command;
    }
}
