using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using Alliance.Analytics.Data;
using Alliance.Analytics.Presentation;

namespace Alliance.Analytics.Simulation;

/// <summary>The simulation presets of <c>alliance simulate --preset NAME</c>.</summary>
public enum SimulationPreset
{
    /// <summary>A clinic: WAI-SR (5 points) at every attended session, symptoms per session, therapists, dropout (clinic.csv).</summary>
    Clinic,
    /// <summary>The same clients answering the 36-item WAI in its 7-point format (crowded 2–4) and in a 5-point revised format.</summary>
    Formats,
    /// <summary>A 295-study three-level meta-analytic study set (studies.csv).</summary>
    Studies,
}

/// <summary>A file written by a simulation run.</summary>
/// <param name="Name">File name within the output directory.</param>
/// <param name="Path">Full path written.</param>
/// <param name="Rows">Data rows (0 for truth.json).</param>
/// <param name="Description">What it holds.</param>
public sealed record SimulatedFile(string Name, string Path, int Rows, string Description);

/// <summary>
/// The front door of the simulator: <c>Simulator.Run(SimulationPreset.Clinic, seed, "out/clinic")</c> simulates a
/// preset with optional <c>--set</c> overrides and writes its CSV files (with sidecars), the true-value tables and
/// <c>truth.json</c>. For in-memory use call <see cref="CohortSimulator.Simulate"/> or
/// <see cref="StudySetSimulator.Simulate"/> with the preset's options (<see cref="ClinicDefaults"/> …).
/// </summary>
public static class Simulator
{
    /// <summary>The default seed (<c>--seed</c> omitted), and the seed of the committed clinic and formats data sets.</summary>
    public const long DefaultSeed = Defaults.Seed;

    /// <summary>
    /// The seed of each committed data set in data/synthetic/: <see cref="DefaultSeed"/>, except the study set, whose
    /// seed (20261132) is the first after it whose pooled DerSimonian–Laird estimate lies within half a standard error
    /// of ρ, so the tutorial set is a typical realisation (the default seed's set lies 2 SE above ρ).
    /// </summary>
    public static long CommittedSeed(SimulationPreset preset) => preset == SimulationPreset.Studies ? 20261132 : DefaultSeed;

    /// <summary>The clinic preset's cohort: 60 therapists, 1,200 clients, 12 sessions, WAI-SR at every attended session.</summary>
    public static CohortOptions ClinicDefaults { get; } = new();

    /// <summary>The formats preset's cohort: 90 therapists, 1,800 clients (as Mallinckrodt &amp; Tekie's 1,786), both formats at sessions 3 and 8.</summary>
    public static CohortOptions FormatsDefaults { get; } = new() { Therapists = 90, Clients = 1800, RenderSessions = "3,8" };

    /// <summary>The studies preset: 295 studies, ρ = .278 (Flückiger et al. 2018).</summary>
    public static StudySetOptions StudiesDefaults { get; } = new();

    /// <summary>Every setting of a preset with its default.</summary>
    public static IReadOnlyList<SimulationSetting> Settings(SimulationPreset preset) => preset switch
    {
        SimulationPreset.Studies => SimulationSettings.List(StudiesDefaults),
        SimulationPreset.Formats => SimulationSettings.List(FormatsDefaults),
        _ => SimulationSettings.List(ClinicDefaults),
    };

    /// <summary>The command that reproduces a run: <c>alliance simulate --preset clinic --seed 1 --set clients=500</c> (output directory left out).</summary>
    public static string Command(SimulationPreset preset, long seed, IEnumerable<KeyValuePair<string, string>>? settings = null)
    {
        var parts = new List<string> { "alliance simulate", "--preset " + preset.ToString().ToLowerInvariant(), "--seed " + seed.ToString(CultureInfo.InvariantCulture) };
        foreach (var (k, v) in settings ?? []) parts.Add("--set " + k + "=" + v);
        return string.Join(' ', parts);
    }

    /// <summary>
    /// Simulates a preset and writes its files to <paramref name="outputDirectory"/> (created if needed; each file
    /// written whole or not at all). Same preset, seed and settings give the same bytes on every machine and thread count.
    /// </summary>
    /// <param name="preset">Which data set.</param>
    /// <param name="seed">Seed of every random stream.</param>
    /// <param name="outputDirectory">Where the files go.</param>
    /// <param name="settings"><c>key=value</c> overrides of the preset's options (keys: <see cref="Settings"/>).</param>
    /// <param name="maxDegreeOfParallelism">Threads (−1: all cores); does not change the result.</param>
    /// <param name="progress">Progress of the simulation.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <exception cref="AllianceInputException">When a setting is unknown, malformed or out of range.</exception>
    public static SimulationRun Run(SimulationPreset preset, long seed, string outputDirectory, IEnumerable<KeyValuePair<string, string>>? settings = null,
        int maxDegreeOfParallelism = -1, IProgress<AnalysisProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputDirectory);
        var assignments = (settings ?? []).ToArray();
        return preset switch
        {
            SimulationPreset.Studies => RunStudies(SimulationSettings.Apply(StudiesDefaults, assignments), seed, outputDirectory, assignments, progress, cancellationToken),
            SimulationPreset.Formats => RunCohort(preset, SimulationSettings.Apply(FormatsDefaults, assignments), seed, outputDirectory, assignments, maxDegreeOfParallelism, progress, cancellationToken),
            _ => RunCohort(SimulationPreset.Clinic, SimulationSettings.Apply(ClinicDefaults, assignments), seed, outputDirectory, assignments, maxDegreeOfParallelism, progress, cancellationToken),
        };
    }

    private static SimulationRun RunCohort(SimulationPreset preset, CohortOptions options, long seed, string dir, KeyValuePair<string, string>[] assignments,
        int maxDegreeOfParallelism, IProgress<AnalysisProgress>? progress, CancellationToken cancellationToken)
    {
        var cohort = CohortSimulator.Simulate(options, seed, maxDegreeOfParallelism, progress, cancellationToken);
        var sessions = options.ResolveRenderSessions();
        string command = Command(preset, seed, assignments);
        string outcomeNote = $"symptoms = {cohort.Outcome.Name}-like score ({cohort.Outcome.Min.ToString(CultureInfo.InvariantCulture)}–{cohort.Outcome.Max.ToString(CultureInfo.InvariantCulture)}, higher is worse) measured before the session; " +
                             "baseline = intake score; post = end-of-treatment score (the last session's score for dropouts); dropout = 1 when the client left before the planned end.";
        var renderings = new List<(string File, SimulatedResponses Responses, string Description)>();
        if (preset == SimulationPreset.Formats)
        {
            progress?.Report(new AnalysisProgress("rendering 7-point WAI", double.NaN));
            var seven = cohort.Render(SimulationInstruments.Wai36SevenPoint(options), 0, sessions, maxDegreeOfParallelism, cancellationToken);
            progress?.Report(new AnalysisProgress("rendering 5-point WAI", double.NaN));
            var five = cohort.Render(SimulationInstruments.Wai36RevisedFivePoint(options), 1, sessions, maxDegreeOfParallelism, cancellationToken);
            renderings.Add(("wai36_7point.csv", seven, $"Synthetic ({command}): the 36-item WAI in its original 7-point format (1 Never … 7 Always), " +
                "categories 2–4 crowded so their Rasch–Andrich thresholds are disordered; reverse-keyed items (1, 3, 7, 9, 10, 11, 12, 15, 20, 27, 29, 31, 33) as answered; " +
                "the same clients and sessions as wai_revised_5point.csv (same latent alliance). " + outcomeNote));
            renderings.Add(("wai_revised_5point.csv", five, $"Synthetic ({command}): the same 36 WAI items in a 5-point revised format (1 Seldom … 5 Always); " +
                "reverse-keyed items as answered; the same clients and sessions as wai36_7point.csv. " + outcomeNote));
        }
        else
        {
            progress?.Report(new AnalysisProgress("rendering WAI-SR", double.NaN));
            var waiSr = cohort.Render(SimulationInstruments.WaiSr(options), 0, sessions, maxDegreeOfParallelism, cancellationToken);
            renderings.Add(("clinic.csv", waiSr, $"Synthetic clinic ({command}): WAI-SR client ratings (12 items, 1 Seldom … 5 Always) at every attended session. " + outcomeNote));
        }

        progress?.Report(new AnalysisProgress("writing files", double.NaN));
        var files = ImmutableArray.CreateBuilder<SimulatedFile>();
        foreach (var (file, responses, description) in renderings)
        {
            string path = Path.Combine(dir, file);
            cohort.WriteSessionTable(path, responses, description);
            files.Add(new SimulatedFile(file, path, responses.RowCount, description));
            files.Add(new SimulatedFile(file + ".alliance.json", DataSpec.SidecarPath(path), 0, "sidecar: instrument, item columns, scale and numeric columns of " + file));
        }
        string clients = Path.Combine(dir, "clients.csv");
        cohort.WriteClients(clients);
        files.Add(new SimulatedFile("clients.csv", clients, cohort.ClientCount, "true client-level values: therapist and client alliance effects, alliance level, growth, true baseline and improvement, sessions attended, dropout"));
        string latent = Path.Combine(dir, "latent.csv");
        cohort.WriteLatent(latent, sessions);
        int latentRows = sessions is null ? cohort.RowCount : cohort.RowSession.Count(sessions.Contains);
        files.Add(new SimulatedFile("latent.csv", latent, latentRows, "true latent alliance theta and state (deviation) of every rendered session"));

        var truth = new JsonObject
        {
            ["preset"] = preset.ToString().ToLowerInvariant(),
            ["seed"] = seed,
            ["command"] = command,
            ["synthetic"] = "simulated data with a known truth; not real clients",
            ["files"] = FileList(files),
            ["settings"] = SimulationSettings.ToJson(options),
            ["parameters"] = SimulationTruth.CohortParameters(cohort, renderings.Select(r => r.Responses)),
            ["realised"] = SimulationTruth.CohortRealised(cohort, [.. renderings.Select(r => (r.File, r.Responses))]),
        };
        var realised = truth["realised"]!;
        double su2 = options.TherapistAllianceSd * options.TherapistAllianceSd, sv2 = options.ClientAllianceSd * options.ClientAllianceSd;
        double ru2 = (double)realised["alliance"]!["therapist_variance"]!, rv2 = (double)realised["alliance"]!["client_variance"]!;
        var headline = new List<TruthFigure>
        {
            new("alliance–outcome correlation (latent level vs improvement)", SimulationTruth.AllianceOutcomeCorrelation(options), (double)realised["outcome"]!["alliance_outcome_correlation"]!),
            new("therapist share of alliance-level variance", su2 / (su2 + sv2), ru2 / (ru2 + rv2)),
            new("dropout share", double.NaN, (double)realised["dropout_share"]!),
            new("mean sessions attended", double.NaN, (double)realised["mean_sessions_attended"]!),
        };
        foreach (var (file, _, _) in renderings)
        {
            var r = realised["renderings"]![file]!;
            headline.Add(new($"{file}: observed alliance–outcome r (session {(int?)r["observed_alliance_outcome_session"]})", double.NaN, (double?)r["observed_alliance_outcome_correlation"] ?? double.NaN));
            headline.Add(new($"{file}: total-score skewness", double.NaN, (double?)r["total_skewness"] ?? double.NaN));
            if (r["merged_crowded_categories"] is { } merged)
                headline.Add(new($"{file}: variance change after merging {merged["map"]}", double.NaN, (double)merged["variance_change"]!));
        }
        return Finish(preset, seed, command, dir, files, truth, headline, renderings[0].Responses.RowCount, cohort.ToString());
    }

    private static SimulationRun RunStudies(StudySetOptions options, long seed, string dir, KeyValuePair<string, string>[] assignments,
        IProgress<AnalysisProgress>? progress, CancellationToken cancellationToken)
    {
        var set = StudySetSimulator.Simulate(options, seed, progress, cancellationToken);
        string command = Command(SimulationPreset.Studies, seed, assignments);
        var files = ImmutableArray.CreateBuilder<SimulatedFile>();
        string table = Path.Combine(dir, "studies.csv");
        set.WriteStudyTable(table);
        files.Add(new SimulatedFile("studies.csv", table, set.EffectSizes.Length,
            $"Synthetic study set ({command}): one row per effect size (study, es_id, r, n, rater, measure, timing, ptr, design, year); three-level: effect sizes within studies"));
        string effects = Path.Combine(dir, "true_effects.csv");
        set.WriteTrueEffects(effects);
        files.Add(new SimulatedFile("true_effects.csv", effects, set.EffectSizes.Length, "true Fisher z and r of every effect size with its study and within-study random effects"));
        var truth = new JsonObject
        {
            ["preset"] = "studies",
            ["seed"] = seed,
            ["command"] = command,
            ["synthetic"] = "simulated study set with a known truth; not the studies of any published meta-analysis",
            ["files"] = FileList(files),
            ["settings"] = SimulationSettings.ToJson(options),
            ["parameters"] = SimulationTruth.StudySetParameters(options),
            ["realised"] = SimulationTruth.StudySetRealised(set),
        };
        var realised = truth["realised"]!;
        var headline = new List<TruthFigure>
        {
            new("rho (tanh of mean true z)", options.Rho, (double)realised["mean_true_r"]!),
            new("between-study variance (z)", options.Tau2Between, (double)realised["study_effect_variance"]!),
            new("within-study variance (z)", options.Tau2Within, (double)realised["within_effect_variance"]!),
            new("effect sizes", double.NaN, set.EffectSizes.Length),
            new("total N", double.NaN, (long)realised["total_n"]!),
            new("studies suppressed (publication bias)", double.NaN, set.SuppressedStudies),
            new("sample-size-weighted mean r", double.NaN, (double)realised["sample_size_weighted_mean_r"]!),
        };
        return Finish(SimulationPreset.Studies, seed, command, dir, files, truth, headline, set.EffectSizes.Length, set.ToString());
    }

    /// <summary>Writes truth.json (whole or not at all) last, so a complete truth file means every data file was written, and makes the run record.</summary>
    private static SimulationRun Finish(SimulationPreset preset, long seed, string command, string dir, ImmutableArray<SimulatedFile>.Builder files,
        JsonObject truth, List<TruthFigure> headline, int rows, string description)
    {
        string truthPath = Path.Combine(dir, "truth.json");
        string json = JsonOutput.Serialize(truth);
        AtomicFile.WriteAllText(truthPath, json + "\n");
        files.Add(new SimulatedFile("truth.json", truthPath, 0, "every true parameter and the realised summary figures"));
        return new SimulationRun
        {
            Preset = preset,
            Seed = seed,
            Command = command,
            OutputDirectory = dir,
            Files = files.ToImmutable(),
            TruthJson = json,
            Headline = [.. headline],
            Usage = DataUsage.All(rows),
            Description = description,
        };
    }

    private static JsonObject FileList(IEnumerable<SimulatedFile> files)
    {
        var o = new JsonObject();
        foreach (var f in files) o[f.Name] = f.Description;
        return o;
    }
}
