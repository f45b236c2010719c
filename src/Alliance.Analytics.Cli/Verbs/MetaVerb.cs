using System.Globalization;
using System.Collections.Immutable;
using System.CommandLine;
using Alliance.Analytics.Data;
using Alliance.Analytics.Meta;
using Alliance.Analytics.Plotting;

namespace Alliance.Analytics.Cli.Verbs;

/// <summary>
/// <c>alliance meta &lt;file&gt; (--r COL --n COL | --yi COL --vi COL) [--method] [--test] [--mods] [--subgroup COL] [--cluster] [--dfs] [--bias] …</c>:
/// a meta-analysis of a study table (docs/cli/meta.md).
/// </summary>
public static class MetaVerb
{
    /// <summary>Builds the verb.</summary>
    public static Command Create(CliContext context)
    {
        var file = new Argument<string>("file") { Description = "Study table (CSV/TSV): one row per effect size with r and n, or yi and vi, and any moderator columns." };
        var r = new Option<string?>("--r") { Description = "Correlation column (default: r or ri).", HelpName = "COL" };
        var n = new Option<string?>("--n") { Description = "Sample-size column (default: n or ni).", HelpName = "COL" };
        var yi = new Option<string?>("--yi") { Description = "Effect-size column (with --vi), for effect sizes other than correlations.", HelpName = "COL" };
        var vi = new Option<string?>("--vi") { Description = "Sampling-variance column (with --yi).", HelpName = "COL" };
        var study = new Option<string?>("--study") { Description = "Study label column (default: study, author(s), label).", HelpName = "COL" };
        var measure = new Option<string>("--measure") { Description = "Scale for correlations: z (Fisher z, variance 1/(n−3); default) or r (raw r, variance (1−r²)²/(n−1)).", HelpName = "z|r", DefaultValueFactory = _ => "z" };
        measure.AcceptOnlyFromAmong("z", "r");
        var method = new Option<string>("--method") { Description = "τ² estimator: REML (default), DL, ML, PM, HS, SJ, HE, EB, or EE for the equal-effects model.", HelpName = "M", DefaultValueFactory = _ => "REML" };
        method.AcceptOnlyFromAmong("REML", "DL", "ML", "PM", "HS", "SJ", "HE", "EB", "EE", "FE", "reml", "dl", "ml", "pm", "hs", "sj", "he", "eb", "ee", "fe");
        var test = new Option<string>("--test") { Description = "z (default) or knha (Knapp–Hartung t tests; t(k−p) in the three-level model).", HelpName = "z|knha", DefaultValueFactory = _ => "z" };
        test.AcceptOnlyFromAmong("z", "knha");
        var level = SharedOptions.Level("every interval");
        var mods = new Option<string?>("--mods") { Description = "Moderator columns, comma-separated (meta-regression); factor(col) treats a numeric column as categorical.", HelpName = "a,b" };
        var cluster = new Option<string?>("--cluster") { Description = "Study column for the three-level model: effect sizes (rows) within the cluster column's studies, REML.", HelpName = "COL" };
        var subgroup = new Option<string?>("--subgroup") { Description = "Subgroup analysis by this categorical column: pooled effect and τ² per subgroup and the test of subgroup differences.", HelpName = "COL" };
        var subgroupTau2 = new Option<string>("--subgroup-tau2") { Description = "With --subgroup: common (default; one τ², the mixed-effects model rma(yi, vi, mods = ~ factor(COL))) or separate (a τ² per subgroup, fixed-effect Q between).", HelpName = "common|separate", DefaultValueFactory = _ => "common" };
        subgroupTau2.AcceptOnlyFromAmong("common", "separate");
        var dfs = new Option<string>("--dfs") { Description = "With --cluster --test knha: degrees of freedom of the t tests, residual (k − p; default) or contain (clusters − p for study-level terms), as rma.mv's dfs.", HelpName = "residual|contain", DefaultValueFactory = _ => "residual" };
        dfs.AcceptOnlyFromAmong("residual", "contain");
        var robust = new Option<bool>("--robust") { Description = "With --cluster: cluster-robust CR2 tests with Satterthwaite degrees of freedom; with --mods also the HTZ Wald test of all moderators." };
        var bias = new Option<bool>("--bias") { Description = "Bias diagnostics: Egger's test (both ways), rank correlation, trim-and-fill, PET-PEESE." };
        var influence = new Option<bool>("--influence") { Description = "Leave-one-out analysis and influence diagnostics." };
        var permutations = new Option<int>("--permutations") { Description = "Permutation test of the moderators with N permutations (exact when there are fewer distinct ones; default 0, no test).", HelpName = "N" };
        var seed = SharedOptions.Seed("the permutation test");
        var forest = new Option<string?>("--forest") { Description = "Also write a forest plot to FILE (.png or .svg).", HelpName = "FILE" };
        var funnel = new Option<string?>("--funnel") { Description = "Also write a contour-enhanced funnel plot (with trim-and-fill fills under --bias) to FILE.", HelpName = "FILE" };
        var delimiter = SharedOptions.Delimiter();
        var encoding = SharedOptions.Encoding();
        var missing = SharedOptions.MissingCodes();
        var dropInvalid = SharedOptions.DropInvalid();
        var output = new OutputOptions(OutputFormat.Table, OutputFormat.Json, OutputFormat.Markdown);

        var command = new Command("meta", "Meta-analysis of a study table (one row per effect size): random-effects model with a choice of τ² " +
            "estimators, Q, I², H² with Q-profile intervals and the prediction interval; meta-regression with --mods; the three-level model " +
            "with --cluster; bias and influence diagnostics. Correlations are pooled as Fisher z and shown back as r. Agrees with metafor::rma.");
        command.Arguments.Add(file);
        foreach (var o in new Option[] { r, n, yi, vi, study, measure, method, test, level, mods, subgroup, subgroupTau2, cluster, dfs, robust, bias, influence, permutations, seed, forest, funnel, delimiter, encoding, missing, dropInvalid })
            command.Options.Add(o);
        output.AddTo(command);
        command.AddValidator(result =>
        {
            bool hasR = result.GetValue(r) is not null || result.GetValue(n) is not null;
            bool hasY = result.GetValue(yi) is not null || result.GetValue(vi) is not null;
            if (hasR && hasY) result.AddError("use either --r/--n (correlations) or --yi/--vi (effect sizes), not both.");
            if ((result.GetValue(r) is null) != (result.GetValue(n) is null) && !hasY) result.AddError("--r and --n go together.");
            if ((result.GetValue(yi) is null) != (result.GetValue(vi) is null)) result.AddError("--yi and --vi go together.");
            if (result.GetValue(robust) && result.GetValue(cluster) is null) result.AddError("--robust needs --cluster (the clusters of the CR2 estimator).");
            if (result.GetValue(permutations) is < 0 or > Defaults.MaxResamples)
                result.AddError(string.Create(CultureInfo.InvariantCulture, $"--permutations must be between 0 and {Defaults.MaxResamples:N0}, not {result.GetValue(permutations)}."));
            if (result.GetValue(subgroup) is not null && result.GetValue(cluster) is not null) result.AddError("--subgroup is for the univariate model; it cannot go with --cluster.");
            if (result.GetValue(subgroup) is not null && result.GetValue(mods) is not null) result.AddError("--subgroup fits models without moderators; use --mods factor(COL) for the meta-regression, or drop --mods.");
            if (result.IsGiven(subgroupTau2) && result.GetValue(subgroup) is null) result.AddError("--subgroup-tau2 needs --subgroup.");
            if (result.IsGiven(dfs) && (result.GetValue(cluster) is null || result.GetValue(test) != "knha")) result.AddError("--dfs sets the df of the three-level model's t tests: it needs --cluster and --test knha.");
        });
        command.SetAction(parse =>
        {
            char? delim = DataOptions.ParseDelimiter(parse.GetValue(delimiter));
            var spec = new StudyTableSpec
            {
                Encoding = parse.GetValue(encoding),
                R = parse.GetValue(r),
                N = parse.GetValue(n),
                Yi = parse.GetValue(yi),
                Vi = parse.GetValue(vi),
                Study = parse.GetValue(study),
                Cluster = parse.GetValue(cluster),
                Measure = parse.GetValue(measure) == "r" ? EffectMeasure.RawCorrelation : EffectMeasure.FisherZ,
                Delimiter = delim,
                MissingCodes = parse.GetValue(missing) is { } m ? DataSpec.SplitList(m) : [],
                DropInvalidRows = parse.GetValue(dropInvalid),
            };
            var studies = StudyTable.Load(parse.GetValue(file)!, spec);
            if (studies.Usage.RowsExcluded > 0) context.Error.WriteLine("note: " + studies.Usage);
            var options = new MetaReportOptions
            {
                Estimator = MetaNames.ParseEstimator(parse.GetValue(method)!),
                Test = MetaNames.ParseTest(parse.GetValue(test)!),
                Level = parse.GetValue(level),
                Moderators = parse.GetValue(mods) is { } md ? DataSpec.SplitList(md) : ImmutableArray<string>.Empty,
                ThreeLevel = spec.Cluster is not null,
                ClusterRobust = parse.GetValue(robust),
                DegreesOfFreedomRule = MetaNames.ParseDegreesOfFreedomRule(parse.GetValue(dfs)!),
                Subgroup = parse.GetValue(subgroup),
                SubgroupTau2 = parse.GetValue(subgroupTau2) == "separate" ? SubgroupTau2.Separate : SubgroupTau2.Common,
                Bias = parse.GetValue(bias),
                Influence = parse.GetValue(influence),
                Permutations = parse.GetValue(permutations),
                Seed = parse.GetValue(seed),
            };
            var progress = ConsoleProgress.For(context, output.IsJson(parse));
            var report = MetaReport.Run(studies, options, progress, context.CancellationToken);
            (progress as ConsoleProgress)?.Done();
            if (parse.GetValue(forest) is { } forestPath) WritePlot(context, forestPath, report, forest: true);
            if (parse.GetValue(funnel) is { } funnelPath) WritePlot(context, funnelPath, report, forest: false);
            output.Write(parse, context, report);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void WritePlot(CliContext context, string path, MetaReport report, bool forest)
    {
        if (report.Model is not { HasModerators: false } fit)
        {
            context.Error.WriteLine($"note: no {(forest ? "forest" : "funnel")} plot: it shows the univariate model without moderators.");
            return;
        }
        var plot = forest ? MetaPlots.ForestChart(fit) : MetaPlots.FunnelChart(fit, report.Bias?.TrimAndFill);
        int height = forest ? Math.Max(PlotExport.DefaultHeight, 120 + 22 * (fit.K + 3)) : PlotExport.DefaultHeight;
        PlotExport.Save(plot, path, forest ? 1000 : PlotExport.DefaultWidth, height);
        context.Error.WriteLine($"wrote {path}");
    }
}
