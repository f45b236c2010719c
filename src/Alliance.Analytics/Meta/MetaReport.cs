using System.Globalization;
using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Alliance.Analytics.Data;
using Alliance.Analytics.Presentation;

namespace Alliance.Analytics.Meta;

/// <summary>What <see cref="MetaReport.Run"/> does: the model, and which further analyses to add.</summary>
public sealed record MetaReportOptions
{
    /// <summary>τ² estimator of the univariate model (the three-level model is always REML).</summary>
    public TauEstimator Estimator { get; init; } = TauEstimator.RestrictedMaximumLikelihood;

    /// <summary>z or Knapp–Hartung (t for the three-level model).</summary>
    public MetaTest Test { get; init; } = MetaTest.Z;

    /// <summary>Confidence level.</summary>
    public double Level { get; init; } = Defaults.Level;

    /// <summary>Moderators.</summary>
    public ImmutableArray<string> Moderators { get; init; } = [];

    /// <summary>Fit the three-level model with the studies' clusters (the study set must have them).</summary>
    public bool ThreeLevel { get; init; }

    /// <summary>CR2 cluster-robust tests (three-level model).</summary>
    public bool ClusterRobust { get; init; }

    /// <summary>Degrees of freedom of the three-level model's t tests (<see cref="MultilevelOptions.DegreesOfFreedomRule"/>; default k − p).</summary>
    public DegreesOfFreedomRule DegreesOfFreedomRule { get; init; } = DegreesOfFreedomRule.Residual;

    /// <summary>A categorical moderator column for a subgroup analysis beside the model without moderators (null: none; univariate model only).</summary>
    public string? Subgroup { get; init; }

    /// <summary>Common (default) or separate τ² in the subgroup analysis (<see cref="MetaAnalysis.Subgroups"/>).</summary>
    public SubgroupTau2 SubgroupTau2 { get; init; } = SubgroupTau2.Common;

    /// <summary>Add bias diagnostics (Egger, rank test, trim-and-fill, PET-PEESE).</summary>
    public bool Bias { get; init; }

    /// <summary>Add leave-one-out and influence diagnostics.</summary>
    public bool Influence { get; init; }

    /// <summary>Permutations of a moderator test (0: none).</summary>
    public int Permutations { get; init; }

    /// <summary>Seed of the permutation test.</summary>
    public long Seed { get; init; } = Defaults.Seed;
}

/// <summary>
/// A meta-analysis with the analyses a researcher runs around it: the model (random-effects, meta-regression or
/// three-level), and as asked bias diagnostics, a permutation test of the moderators, leave-one-out and influence
/// diagnostics. What <c>alliance meta</c> prints and <c>alliance analyze</c> runs on a study table.
/// </summary>
public sealed record MetaReport : IAnalysisResult
{
    /// <summary>The univariate model (null for the three-level model).</summary>
    public RandomEffectsFit? Model { get; init; }

    /// <summary>The three-level model (null otherwise).</summary>
    public MultilevelFit? ThreeLevel { get; init; }

    /// <summary>Bias diagnostics of the univariate intercept-only model.</summary>
    public PublicationBiasResult? Bias { get; init; }

    /// <summary>Egger's test in the three-level model (√vᵢ as moderator).</summary>
    public MultilevelFit? ThreeLevelEgger { get; init; }

    /// <summary>Permutation test of the moderators.</summary>
    public PermutationTestResult? Permutation { get; init; }

    /// <summary>Leave-one-out analysis.</summary>
    public LeaveOneOutResult? LeaveOneOut { get; init; }

    /// <summary>Subgroup analysis, when asked for.</summary>
    public SubgroupResult? Subgroups { get; init; }

    /// <summary>Influence diagnostics.</summary>
    public InfluenceResult? Influence { get; init; }

    /// <summary>Notes on analyses that were asked for but do not apply.</summary>
    public ImmutableArray<string> Notes { get; init; } = [];

    private IAnalysisResult Main => (IAnalysisResult?)Model ?? ThreeLevel!;

    /// <inheritdoc/>
    public DataUsage Usage => Main.Usage;

    /// <inheritdoc/>
    public IReadOnlyList<string> Warnings => Main.Warnings;

    /// <summary>Fits the model and the further analyses asked for.</summary>
    /// <exception cref="AllianceInputException">When the studies do not suit the model (see <see cref="MetaAnalysis.Fit"/>).</exception>
    public static MetaReport Run(StudySet studies, MetaReportOptions? options = null, IProgress<AnalysisProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(studies);
        options ??= new MetaReportOptions();
        var notes = new List<string>();
        if (options.ThreeLevel)
        {
            progress?.Report(new AnalysisProgress("three-level REML", double.NaN));
            var ml = MetaAnalysis.FitMultilevel(studies, new MultilevelOptions { Moderators = options.Moderators, Test = options.Test, Level = options.Level, ClusterRobust = options.ClusterRobust, DegreesOfFreedomRule = options.DegreesOfFreedomRule }, cancellationToken);
            MultilevelFit? egger = null;
            if (options.Bias)
            {
                if (!options.Moderators.IsEmpty) notes.Add("bias diagnostics apply to models without moderators.");
                else
                {
                    var withSe = ml.Studies.WithModerator(ModeratorColumn.FromNumbers("sei", ml.Studies.Vi.Select(Math.Sqrt)));
                    egger = MetaAnalysis.FitMultilevel(withSe, new MultilevelOptions { Moderators = ["sei"], Test = options.Test, Level = options.Level, ProfileIntervals = false, DegreesOfFreedomRule = options.DegreesOfFreedomRule }, cancellationToken);
                    notes.Add("Egger's test in the three-level model: √vᵢ as moderator. Trim-and-fill has no three-level form and is not run.");
                }
            }
            if (options.Permutations > 0) notes.Add("the permutation test is available for the univariate model only.");
            if (options.Subgroup is not null) notes.Add("the subgroup analysis (MetaReportOptions.Subgroup) is available for the univariate model only and was not run.");
            if (options.Influence) notes.Add("influence diagnostics are available for the univariate model only.");
            if (options.Estimator != TauEstimator.RestrictedMaximumLikelihood)
                notes.Add($"the three-level model is fitted by REML only: the {MetaNames.Abbreviation(options.Estimator)} estimator asked for was not used.");
            return new MetaReport { ThreeLevel = ml, ThreeLevelEgger = egger, Notes = [.. notes] };
        }
        if (options.ClusterRobust) notes.Add("CR2 tests (MetaReportOptions.ClusterRobust) need the three-level model (MetaReportOptions.ThreeLevel).");
        if (options.DegreesOfFreedomRule != DegreesOfFreedomRule.Residual) notes.Add("the df rule (MetaReportOptions.DegreesOfFreedomRule) applies to the three-level model; Knapp–Hartung tests here use k − p.");
        progress?.Report(new AnalysisProgress("fitting", double.NaN));
        var fit = MetaAnalysis.Fit(studies, new MetaAnalysisOptions { Estimator = options.Estimator, Test = options.Test, Level = options.Level, Moderators = options.Moderators });
        if (fit.K == 1 && options.Estimator != TauEstimator.EqualEffects)
            // metafor fits k = 1 with τ² = 0 and calls it a random-effects model; a report must not present one study's
            // estimate as a pooled random-effects estimate. MetaAnalysis.Fit keeps metafor's behaviour for the library.
            throw new AllianceInputException($"{studies.Source}: only 1 study to pool: a random-effects model cannot estimate τ² from one study. " +
                "Fit the equal-effects (fixed-effect) model (MetaReportOptions.Estimator = TauEstimator.EqualEffects), which reports that study's own estimate, or add studies.");
        if (DependenceWarning(studies) is { } dependent) fit = fit with { Warnings = [.. fit.Warnings, dependent] };
        PublicationBiasResult? bias = null;
        if (options.Bias)
        {
            if (fit.HasModerators) notes.Add("bias diagnostics apply to models without moderators.");
            else if (fit.K < 3) notes.Add("bias diagnostics need at least 3 studies.");
            else bias = PublicationBias.Analyze(fit);
        }
        PermutationTestResult? permutation = null;
        if (options.Permutations > 0)
            permutation = PermutationTest.Run(fit, new PermutationOptions { Iterations = options.Permutations, Seed = options.Seed }, progress, cancellationToken);
        LeaveOneOutResult? loo = null;
        InfluenceResult? influence = null;
        if (options.Influence)
        {
            if (!fit.HasModerators && fit.K >= 2) loo = fit.LeaveOneOut();
            else if (fit.HasModerators) notes.Add("leave-one-out applies to models without moderators and is not run; the influence diagnostics refit the model without each study.");
            if (fit.K > fit.CoefficientCount + 1) influence = fit.Influence();
            else notes.Add("influence diagnostics need more studies than coefficients + 1.");
        }
        SubgroupResult? subgroups = null;
        if (options.Subgroup is { } subgroup)
        {
            progress?.Report(new AnalysisProgress("subgroups", double.NaN));
            subgroups = MetaAnalysis.Subgroups(studies, subgroup, new MetaAnalysisOptions { Estimator = options.Estimator, Test = options.Test, Level = options.Level }, options.SubgroupTau2);
            if (!options.Moderators.IsEmpty) notes.Add("the subgroup analysis pools each subgroup without the moderators (MetaReportOptions.Moderators), which apply to the overall model only.");
        }
        return new MetaReport { Model = fit, Bias = bias, Permutation = permutation, LeaveOneOut = loo, Influence = influence, Subgroups = subgroups, Notes = [.. notes] };
    }

    /// <summary>
    /// A warning when study labels repeat in a model without clusters: several effect sizes of one study are dependent,
    /// so pooling them as independent makes the standard errors too small.
    /// </summary>
    private static string? DependenceWarning(StudySet studies)
    {
        var repeated = studies.Labels.GroupBy(l => l, StringComparer.Ordinal).Where(g => g.Count() > 1).ToArray();
        if (repeated.Length == 0) return null;
        var first = repeated[0];
        string more = repeated.Length > 1 ? $" (and {repeated.Length - 1} more stud{(repeated.Length == 2 ? "y" : "ies")} with several)" : "";
        return $"study '{first.Key}' has {first.Count()} effect sizes{more}: effect sizes from one study are dependent, but this model pools them as independent, " +
               "so its standard errors are too small; give the study column as StudyTableSpec.Cluster to fit the three-level model instead.";
    }

    /// <inheritdoc/>
    public ResultSummary Summary()
    {
        var main = Main.Summary();
        var lines = main.Lines.ToList();
        var tables = main.Tables.ToList();
        var notes = main.Notes.ToList();
        if (ThreeLevelEgger is { } e)
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"Egger's test (three-level, √vᵢ as moderator): {(e.DegreesOfFreedom is null ? "z" : "t")} = {e.Coefficients[1].Statistic:F4}, p {RandomEffectsFit.FormatP(e.Coefficients[1].PValue)}"));
        foreach (IAnalysisResult? extra in new IAnalysisResult?[] { Subgroups, Bias, Permutation, LeaveOneOut, Influence })
        {
            if (extra is null) continue;
            var s = extra.Summary();
            lines.Add("");
            lines.Add(s.Title + ":");
            lines.AddRange(s.Lines);
            tables.AddRange(s.Tables.Select(t => t.Title.Length == 0 ? t with { Title = s.Title } : t));
            if (ReferenceEquals(extra, Subgroups)) { notes.AddRange(s.Notes); lines.AddRange(s.Warnings.Select(w => "warning: " + w)); }
        }
        notes.AddRange(Notes);
        return new ResultSummary(main.Title, lines, tables, notes, main.Warnings);
    }

    /// <summary>
    /// The model's keys (<see cref="RandomEffectsFit.ToJson"/> or <see cref="MultilevelFit.ToJson"/>), plus with bias
    /// <c>egger</c> {z, p, estimate, ci}, <c>egger_lm</c>, <c>rank</c>, <c>trimfill</c> {k0, side, estimate, …}, <c>pet_peese</c>;
    /// with permutations <c>permutation</c>; with influence <c>leave_one_out</c>, <c>influence</c>; with a subgroup
    /// <c>subgroups</c> (<see cref="SubgroupResult.ToJson"/> without its schema_version); and <c>notes</c>.
    /// </summary>
    public JsonObject ToJson()
    {
        var o = Main.ToJson();
        if (Bias is { } b)
        {
            var bj = b.ToJson();
            foreach (var key in new[] { "egger", "egger_lm", "rank", "trimfill", "pet_peese" }) o[key] = bj[key]!.DeepClone();
        }
        if (ThreeLevelEgger is { } e)
        {
            var c = e.Coefficients[1];
            o["egger"] = new JsonObject { [e.DegreesOfFreedom is null ? "z" : "t"] = JsonOutput.Number(c.Statistic), ["df"] = c.DegreesOfFreedom is { } edf ? JsonOutput.Number(edf) : null, ["p"] = JsonOutput.Number(c.PValue), ["estimate"] = JsonOutput.Number(e.Estimate.Estimate), ["ci"] = e.Estimate.Interval.ToJson() };
            o["trimfill"] = null;
        }
        if (Permutation is { } p)
        {
            var pj = p.ToJson();
            pj.Remove("schema_version"); pj.Remove("n"); pj.Remove("data"); pj.Remove("warnings");
            o["permutation"] = pj;
        }
        if (Subgroups is { } sg)
        {
            var sj = sg.ToJson();
            sj.Remove("schema_version");
            o["subgroups"] = sj;
        }
        if (LeaveOneOut is { } l) o["leave_one_out"] = l.ToJson()["leave_one_out"]!.DeepClone();
        if (Influence is { } i) o["influence"] = i.ToJson()["influence"]!.DeepClone();
        o["notes"] = JsonOutput.Strings(Notes);
        return o;
    }

    /// <inheritdoc/>
    public override string ToString() => Main.ToString() ?? "meta-analysis";
}
