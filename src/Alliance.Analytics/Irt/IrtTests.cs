using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using Alliance.Analytics.Data;
using Alliance.Analytics.Presentation;
using MathNet.Numerics.Distributions;

namespace Alliance.Analytics.Irt;

/// <summary>Likelihood-ratio tests: LR = 2(ℓ_general − ℓ_restricted) against χ²(df), as <see cref="TestResult"/>s named "LR".</summary>
public static class LikelihoodRatioTest
{
    /// <summary>
    /// The test of <paramref name="restricted"/> against <paramref name="general"/> (log-likelihoods), p = 1 − F_χ²(df)(LR).
    /// A negative statistic (the general fit's log-likelihood below the restricted one's: a fit short of its maximum) is
    /// kept as it is, its p-value is 1, and a warning naming <paramref name="label"/> is added to <paramref name="warnings"/>.
    /// </summary>
    internal static TestResult Of(string label, double restricted, double general, int df, List<string> warnings)
    {
        double lr = 2 * (general - restricted);
        if (lr < 0)
            warnings.Add($"{label}: the likelihood-ratio statistic is negative ({lr.ToString("G4", CultureInfo.InvariantCulture)}): the more general fit did not reach the restricted fit's likelihood (a fit short of its maximum); p set to 1");
        return new TestResult("LR", lr, df, df > 0 ? 1 - ChiSquared.CDF(df, Math.Max(0, lr)) : double.NaN);
    }

    /// <summary>Degrees of freedom of an LR test as a JSON integer.</summary>
    internal static JsonNode? Df(TestResult test) => test.DegreesOfFreedom is { } df ? JsonValue.Create((int)df) : null;
}

/// <summary>
/// Andersen's (1973) likelihood-ratio test of a Rasch model: the conditional likelihood of separate fits in groups of
/// persons against one fit to all, LR = 2(Σ_g ℓ_g − ℓ), df = Σ_g k_g − k. R: <c>eRm::LRtest(fit, splitcr = "median")</c>.
/// </summary>
public sealed record AndersenTest : IAnalysisResult
{
    /// <summary>The test: LR = 2(Σ_g ℓ_g − ℓ) on Σ_g k_g − k degrees of freedom.</summary>
    public required TestResult Test { get; init; }

    /// <summary>How persons were split ("median raw score" or the grouping's name).</summary>
    public required string Split { get; init; }

    /// <summary>Per group: label, persons, conditional log-likelihood, parameters.</summary>
    public required ImmutableArray<(string Group, int Persons, double LogLikelihood, int Parameters)> Groups { get; init; }

    /// <summary>Conditional log-likelihood of the fit to all persons.</summary>
    public required double LogLikelihood { get; init; }

    /// <summary>Items the fit to all persons left out, with the reason.</summary>
    public required ImmutableArray<string> ExcludedItems { get; init; }

    /// <inheritdoc/>
    public required DataUsage Usage { get; init; }

    /// <inheritdoc/>
    public required IReadOnlyList<string> Warnings { get; init; }

    /// <inheritdoc/>
    public ResultSummary Summary() => new("Andersen likelihood-ratio test",
        [Usage.ToString(), $"Split: {Split}", $"LR = {Test.Statistic.ToString("F3", CultureInfo.InvariantCulture)} on {Test.DegreesOfFreedom} df, p = {Test.PValue.ToString("F4", CultureInfo.InvariantCulture)}"],
        [new ResultTable("Groups", [TableColumn.Label("group"), TableColumn.Integer("persons"), TableColumn.Number("cond. loglik"), TableColumn.Integer("parameters")],
            [.. Groups.Select(g => (IReadOnlyList<object?>)[g.Group, g.Persons, g.LogLikelihood, g.Parameters])])],
        ["Persons with extreme raw scores carry no conditional information and do not affect the test."], Warnings);

    /// <summary><c>{"split", "lr", "df", "p", "groups": [...]}</c>.</summary>
    public JsonObject ToJson()
    {
        var o = JsonOutput.Document(this);
        o["split"] = Split;
        o["lr"] = JsonOutput.Number(Test.Statistic);
        o["df"] = LikelihoodRatioTest.Df(Test);
        o["p"] = JsonOutput.Number(Test.PValue);
        o["loglik"] = JsonOutput.Number(LogLikelihood);
        o["groups"] = new JsonArray([.. Groups.Select(g => (JsonNode?)new JsonObject { ["group"] = g.Group, ["persons"] = g.Persons, ["loglik"] = JsonOutput.Number(g.LogLikelihood), ["npar"] = g.Parameters })]);
        o["excluded_items"] = JsonOutput.Strings(ExcludedItems);
        return o;
    }
}

/// <summary>
/// Differential item functioning by likelihood ratio (CML): for each item, a fit in which the item has separate
/// parameters in each group (the item split into one virtual item per group, answered only by that group) against
/// the common fit. Conditioning on the raw score makes the test free of assumptions about the groups' ability
/// distributions.
/// </summary>
public sealed record DifResult : IAnalysisResult
{
    /// <summary>The groups, in order.</summary>
    public required ImmutableArray<string> Groups { get; init; }

    /// <summary>Per item: the LR test and the item's location in each group (in the common fit's origin).</summary>
    public required ImmutableArray<(string Item, TestResult Test, ImmutableArray<double> Locations)> Items { get; init; }

    /// <summary>Items the common fit left out, with the reason (they are not tested).</summary>
    public required ImmutableArray<string> ExcludedItems { get; init; }

    /// <inheritdoc/>
    public required DataUsage Usage { get; init; }

    /// <inheritdoc/>
    public required IReadOnlyList<string> Warnings { get; init; }

    /// <inheritdoc/>
    public ResultSummary Summary()
    {
        var cols = new List<TableColumn> { TableColumn.Label("item"), TableColumn.Number("LR", 3), TableColumn.Integer("df"), TableColumn.Number("p", 4) };
        cols.AddRange(Groups.Select(g => TableColumn.Number("location " + g, 3)));
        return new ResultSummary("DIF by likelihood ratio (CML)", [Usage.ToString(), $"Groups: {string.Join(", ", Groups)}"],
            [new ResultTable("Items", cols, [.. Items.Select(i => (IReadOnlyList<object?>)[i.Item, i.Test.Statistic, (int?)i.Test.DegreesOfFreedom, i.Test.PValue, .. i.Locations.Cast<object?>()])])],
            ["Each item is tested with the other items as anchors; p-values are not adjusted for multiple testing."], Warnings);
    }

    /// <summary><c>{"groups", "items": [{"item", "lr", "df", "p", "locations"}]}</c>.</summary>
    public JsonObject ToJson()
    {
        var o = JsonOutput.Document(this);
        o["groups"] = JsonOutput.Strings(Groups);
        o["items"] = new JsonArray([.. Items.Select(i => (JsonNode?)new JsonObject
        {
            ["item"] = i.Item, ["lr"] = JsonOutput.Number(i.Test.Statistic), ["df"] = LikelihoodRatioTest.Df(i.Test), ["p"] = JsonOutput.Number(i.Test.PValue), ["locations"] = JsonOutput.Numbers(i.Locations),
        })]);
        o["excluded_items"] = JsonOutput.Strings(ExcludedItems);
        return o;
    }
}

/// <summary>Log-likelihood, AIC and BIC of several fits to the same data, with LR tests between nested neighbours.</summary>
public sealed record ModelComparison : IAnalysisResult
{
    /// <summary>The fits compared, in the order given.</summary>
    public required ImmutableArray<IrtFit> Fits { get; init; }

    /// <summary>LR tests between nested pairs (rating scale ⊂ partial credit ⊂ generalized partial credit, same estimation), labelled "rsm vs pcm".</summary>
    public required ImmutableArray<(string Label, TestResult Test)> Tests { get; init; }

    /// <inheritdoc/>
    public DataUsage Usage => Fits[0].Usage;

    /// <inheritdoc/>
    public required IReadOnlyList<string> Warnings { get; init; }

    /// <inheritdoc/>
    public ResultSummary Summary() => new("Model comparison", [Usage.ToString()],
        [new ResultTable("Fits", [TableColumn.Label("model"), TableColumn.Label("estimation"), TableColumn.Number("loglik"), TableColumn.Integer("npar"), TableColumn.Number("AIC", 2), TableColumn.Number("BIC", 2)],
            [.. Fits.Select(f => (IReadOnlyList<object?>)[IrtFit.ModelKey(f.Model), f.Estimation == IrtEstimation.Conditional ? "cml" : "mml", f.LogLikelihood, f.ParameterCount, f.Aic, f.Bic])]),
         new ResultTable("Likelihood-ratio tests", [TableColumn.Label("test"), TableColumn.Number("LR"), TableColumn.Integer("df"), TableColumn.Number("p", 4)],
            [.. Tests.Select(t => (IReadOnlyList<object?>)[t.Label, t.Test.Statistic, (int?)t.Test.DegreesOfFreedom, t.Test.PValue])])],
        ["Conditional and marginal log-likelihoods are not comparable with each other; the graded model is not nested in the divide-by-total models (compare by AIC/BIC)."], Warnings);

    /// <summary><c>{"fits": [{"model", "estimation", "loglik", "npar", "aic", "bic"}], "tests": [...]}</c>.</summary>
    public JsonObject ToJson()
    {
        var o = JsonOutput.Document(this);
        o["fits"] = new JsonArray([.. Fits.Select(f => (JsonNode?)new JsonObject
        {
            ["model"] = IrtFit.ModelKey(f.Model), ["estimation"] = f.Estimation == IrtEstimation.Conditional ? "cml" : "mml",
            ["loglik"] = JsonOutput.Number(f.LogLikelihood), ["npar"] = f.ParameterCount, ["aic"] = JsonOutput.Number(f.Aic), ["bic"] = JsonOutput.Number(f.Bic),
        })]);
        o["tests"] = new JsonArray([.. Tests.Select(t => (JsonNode?)new JsonObject { ["test"] = t.Label, ["lr"] = JsonOutput.Number(t.Test.Statistic), ["df"] = LikelihoodRatioTest.Df(t.Test), ["p"] = JsonOutput.Number(t.Test.PValue) })]);
        return o;
    }
}

/// <summary>Tests of Rasch and IRT models: Andersen's LR test, DIF by likelihood ratio, model comparison.</summary>
public static class IrtTests
{
    /// <summary>
    /// Andersen's LR test for a Rasch model by CML: persons split at the median raw score (≤ median vs above, as eRm)
    /// or by <paramref name="groups"/> (one label per row; rows with a null or empty label are left out of every fit,
    /// the one to all persons included, and counted in the usage as "no group label").
    /// </summary>
    /// <param name="matrix">The responses.</param>
    /// <param name="options">Model and settings (estimation is always CML).</param>
    /// <param name="groups">One label per row, or null for the median raw-score split.</param>
    /// <param name="groupName">Name of the grouping, for the report.</param>
    /// <param name="usage">The rows behind the matrix (default all).</param>
    /// <param name="cancellationToken">Cancels the fits.</param>
    /// <exception cref="AllianceInputException">When the model is not a Rasch model, a group has fewer than 2 persons, or an item has no variance in a group.</exception>
    public static AndersenTest Andersen(ResponseMatrix matrix, IrtOptions? options = null, IReadOnlyList<string?>? groups = null, string? groupName = null,
        CancellationToken cancellationToken = default, DataUsage? usage = null)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        options = (options ?? new IrtOptions()) with { Estimation = IrtEstimation.Conditional, Diagnostics = false };
        IrtAnalysis.Validate(options);
        string split;
        string?[] labels;
        if (groups is null)
        {
            var raw = new double[matrix.RowCount];
            for (int i = 0; i < matrix.RowCount; i++) { double s = 0; foreach (double v in matrix.Row(i)) if (!double.IsNaN(v)) s += v - matrix.Scale.Min; raw[i] = s; }
            double median = MathNet.Numerics.Statistics.Statistics.Median(raw);
            labels = [.. raw.Select(r => r <= median ? "raw score ≤ median" : "raw score > median")];
            split = $"median raw score ({median.ToString(CultureInfo.InvariantCulture)})";
        }
        else
        {
            if (groups.Count != matrix.RowCount) throw new AllianceInputException($"The grouping has {groups.Count} labels for {matrix.RowCount} rows.");
            labels = [.. groups];
            split = groupName ?? "groups";
        }
        var (x, xLabels, xUsage) = Labelled(matrix, labels, usage);
        var all = IrtAnalysis.Fit(x, options, xUsage, cancellationToken: cancellationToken);
        var fits = new List<(string, int, double, int)>();
        var warnings = new List<string>(all.Warnings);
        foreach (var g in xLabels.Distinct().Order(StringComparer.Ordinal))
        {
            var rows = Enumerable.Range(0, x.RowCount).Where(i => xLabels[i] == g).ToArray();
            if (rows.Length < 2) throw new AllianceInputException($"Group '{g}' has {rows.Length} person(s); Andersen's test needs at least 2 per group.");
            var sub = x.SelectRows(rows);
            var fit = IrtAnalysis.Fit(sub, options, cancellationToken: cancellationToken);
            if (fit.Items.Length != all.Items.Length)
                throw new AllianceInputException($"In group '{g}' item(s) {string.Join(", ", fit.ExcludedItems)}: the item must vary in every group for Andersen's test.");
            foreach (var w in fit.Warnings) warnings.Add($"group '{g}': {w}");
            fits.Add((g, fit.PersonCount, fit.LogLikelihood, fit.ParameterCount));
        }
        if (fits.Count < 2) throw new AllianceInputException("Andersen's test needs at least two groups.");
        int df = fits.Sum(f => f.Item4) - all.ParameterCount;
        var test = LikelihoodRatioTest.Of("Andersen LR", all.LogLikelihood, fits.Sum(f => f.Item3), df, warnings);
        return new AndersenTest
        {
            Test = test, Split = split, Groups = [.. fits], LogLikelihood = all.LogLikelihood, ExcludedItems = all.ExcludedItems,
            Usage = all.Usage, Warnings = [.. warnings.Distinct()],
        };
    }

    /// <summary>
    /// Andersen's LR test on prepared data (keyed items): split at the median raw score, or by the groups of
    /// <paramref name="groupColumn"/> (rows without a value are left out and counted).
    /// </summary>
    /// <exception cref="AllianceInputException">As the matrix overload, or when the column does not exist.</exception>
    public static AndersenTest Andersen(AnalysisData data, IrtOptions? options = null, string? groupColumn = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Andersen(data.Items, options, groupColumn is null ? null : data.Labels(groupColumn), groupColumn, cancellationToken, data.Usage);
    }

    /// <summary>DIF of every item between the groups of <paramref name="groupColumn"/> on prepared data (keyed items).</summary>
    /// <exception cref="AllianceInputException">As the matrix overload, or when the column does not exist.</exception>
    public static DifResult Dif(AnalysisData data, string groupColumn, IrtOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Dif(data.Items, data.Labels(groupColumn), options, cancellationToken, data.Usage);
    }

    /// <summary>The rows with a label, their labels, and the usage with the unlabelled rows counted as "no group label".</summary>
    private static (ResponseMatrix Matrix, string[] Labels, DataUsage Usage) Labelled(ResponseMatrix matrix, IReadOnlyList<string?> labels, DataUsage? usage)
    {
        var keep = Enumerable.Range(0, matrix.RowCount).Where(i => !string.IsNullOrEmpty(labels[i])).ToArray();
        var u = (usage ?? DataUsage.All(matrix.RowCount)).Then(DataUsage.All(matrix.RowCount).Exclude("no group label", matrix.RowCount - keep.Length,
            Enumerable.Range(0, matrix.RowCount).Where(i => string.IsNullOrEmpty(labels[i])).Select(matrix.SourceLine)));
        var x = keep.Length == matrix.RowCount ? matrix : matrix.SelectRows(keep);
        return (x, [.. keep.Select(i => labels[i]!)], u);
    }

    /// <summary>
    /// DIF of every item between <paramref name="groups"/> (one label per row) by conditional likelihood ratio, for a
    /// Rasch model. Rows without a label are left out; items the common fit leaves out are not tested.
    /// </summary>
    /// <param name="matrix">The responses.</param>
    /// <param name="groups">One label per row.</param>
    /// <param name="options">Model and settings (estimation is always CML).</param>
    /// <param name="cancellationToken">Cancels the fits.</param>
    /// <param name="usage">The rows behind the matrix (default all).</param>
    /// <exception cref="AllianceInputException">When the model is not a Rasch model, fewer than two groups are given, or the labels do not match the rows.</exception>
    public static DifResult Dif(ResponseMatrix matrix, IReadOnlyList<string?> groups, IrtOptions? options = null, CancellationToken cancellationToken = default,
        DataUsage? usage = null)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentNullException.ThrowIfNull(groups);
        options = (options ?? new IrtOptions()) with { Estimation = IrtEstimation.Conditional, Diagnostics = false };
        IrtAnalysis.Validate(options);
        if (groups.Count != matrix.RowCount) throw new AllianceInputException($"The grouping has {groups.Count} labels for {matrix.RowCount} rows.");
        var (x, labels, xUsage) = Labelled(matrix, groups, usage);
        var levels = labels.Distinct().Order(StringComparer.Ordinal).ToArray();
        if (levels.Length < 2) throw new AllianceInputException("DIF needs at least two groups.");
        var common = IrtAnalysis.Fit(x, options, xUsage, cancellationToken: cancellationToken);
        var results = new List<(string, TestResult, ImmutableArray<double>)>();
        var warnings = new List<string>(common.Warnings);
        // the items of the common fit (items it left out are not in any split fit either)
        var itemIndex = common.Items.Select(i => x.IndexOf(i.Name)).ToArray();
        int m = itemIndex.Length;
        foreach (var item in common.Items)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int j = x.IndexOf(item.Name);
            var anchors = itemIndex.Where(k => k != j).ToArray();
            var names = new List<string>(anchors.Select(k => x.Items[k]));
            names.AddRange(levels.Select(l => $"{item.Name}[{l}]"));
            var values = new double[x.RowCount * names.Count];
            for (int i = 0; i < x.RowCount; i++)
            {
                var row = x.Row(i);
                int c = 0;
                foreach (int k in anchors) values[i * names.Count + c++] = row[k];
                for (int g = 0; g < levels.Length; g++) values[i * names.Count + c++] = labels[i] == levels[g] ? row[j] : double.NaN;
            }
            var split = ResponseMatrix.Create(values, names, x.Scale);
            var fit = IrtAnalysis.Fit(split, options with { Normalization = RaschNormalization.LocationsSumToZero }, cancellationToken: cancellationToken);
            if (fit.Items.Length != names.Count) { warnings.Add($"item {item.Name}: no variance in some group ({string.Join("; ", fit.ExcludedItems)}); not tested"); continue; }
            if (!fit.Convergence.Converged) warnings.Add($"item {item.Name}: the fit with separate group parameters did not converge ({fit.Convergence.ExitReason}); its test is unreliable");
            // locations of the virtual items, shifted so that the anchor items have the common fit's mean location
            double anchorShift = fit.Items.Take(m - 1).Average(i => i.Location) - common.Items.Where(i => i.Name != item.Name).Average(i => i.Location);
            var locs = fit.Items.Skip(m - 1).Select(i => i.Location - anchorShift).ToImmutableArray();
            results.Add((item.Name, LikelihoodRatioTest.Of($"DIF {item.Name}", common.LogLikelihood, fit.LogLikelihood, fit.ParameterCount - common.ParameterCount, warnings), locs));
        }
        return new DifResult { Groups = [.. levels], Items = [.. results], ExcludedItems = common.ExcludedItems, Usage = common.Usage, Warnings = [.. warnings.Distinct()] };
    }

    /// <summary>
    /// Compares fits to the same data: log-likelihood, AIC, BIC, and LR tests for each nested pair (rating scale ⊂
    /// partial credit ⊂ generalized partial credit, with the same estimation).
    /// </summary>
    /// <exception cref="ArgumentException">When fewer than two fits are given or they used different numbers of persons.</exception>
    public static ModelComparison Compare(params IrtFit[] fits)
    {
        ArgumentNullException.ThrowIfNull(fits);
        if (fits.Length < 2) throw new ArgumentException("Compare needs at least two fits.", nameof(fits));
        if (fits.Select(f => f.PersonCount).Distinct().Count() > 1) throw new ArgumentException("The fits used different numbers of persons.", nameof(fits));
        static int Rank(IrtModelType m) => m switch { IrtModelType.RatingScale => 0, IrtModelType.PartialCredit => 1, IrtModelType.GeneralizedPartialCredit => 2, _ => -1 };
        var tests = new List<(string, TestResult)>();
        var warnings = new List<string>();
        foreach (var f in fits)
            if (!f.Convergence.Converged) warnings.Add($"the {IrtFit.ModelKey(f.Model)} fit did not converge ({f.Convergence.ExitReason}): its log-likelihood, AIC, BIC and tests are unreliable");
        for (int a = 0; a < fits.Length; a++)
            for (int b = 0; b < fits.Length; b++)
            {
                var r = fits[a];
                var g = fits[b];
                if (r.Estimation != g.Estimation || Rank(r.Model) < 0 || Rank(g.Model) <= Rank(r.Model)) continue;
                if (r.Estimation == IrtEstimation.Conditional && g.Model == IrtModelType.GeneralizedPartialCredit) continue;
                string label = $"{IrtFit.ModelKey(r.Model)} vs {IrtFit.ModelKey(g.Model)}";
                tests.Add((label, LikelihoodRatioTest.Of(label, r.LogLikelihood, g.LogLikelihood, g.ParameterCount - r.ParameterCount, warnings)));
            }
        return new ModelComparison { Fits = [.. fits], Tests = [.. tests], Warnings = warnings };
    }
}
