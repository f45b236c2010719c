using System.Collections.Immutable;
using System.Globalization;
using Alliance.Analytics.Data;
using Alliance.Analytics.Instruments;
using Alliance.Analytics.Irt;
using Alliance.Analytics.Numerics;
using Alliance.Analytics.Outcomes;
using Alliance.Analytics.Presentation;

namespace Alliance.Analytics.Formats;

/// <summary>A quota of a short form: choose <paramref name="Count"/> of the <paramref name="Items"/> (e.g. 8 of the 12 Bond items).</summary>
/// <param name="Name">Name of the group ("Bond", "Task+Goal").</param>
/// <param name="Items">The item columns the group draws from.</param>
/// <param name="Count">How many to choose.</param>
public sealed record ShortFormGroup(string Name, ImmutableArray<string> Items, int Count)
{
    /// <summary>
    /// Parses a balance such as <c>Bond=8,Task+Goal=8</c>: each part names one or more of the instrument's subscales
    /// (joined by <c>+</c>, case-insensitive) and a count.
    /// </summary>
    /// <exception cref="AllianceInputException">When a part is malformed, names an unknown subscale, or asks for more items than it has.</exception>
    public static ImmutableArray<ShortFormGroup> Parse(string balance, Instrument instrument, IReadOnlyList<string> columns)
    {
        ArgumentNullException.ThrowIfNull(balance);
        ArgumentNullException.ThrowIfNull(instrument);
        if (columns.Count != instrument.ItemCount)
            throw new AllianceInputException($"{instrument.Id} has {instrument.ItemCount} items but the data have {columns.Count} item columns: subscales cannot be matched to columns");
        var groups = new List<ShortFormGroup>();
        foreach (var part in balance.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.Split('=', StringSplitOptions.TrimEntries);
            if (eq.Length != 2 || !int.TryParse(eq[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int count))
                throw new AllianceInputException($"balance part '{part}' is not NAME=COUNT (e.g. Bond=8,Task+Goal=8)");
            var items = new List<string>();
            foreach (var name in eq[0].Split('+', StringSplitOptions.TrimEntries))
            {
                var sub = instrument.Subscales.FirstOrDefault(s => s.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
                    ?? throw new AllianceInputException($"{instrument.Id} has no subscale '{name}' (subscales: {string.Join(", ", instrument.Subscales.Select(s => s.Name))})");
                if (!sub.HasItems) throw new AllianceInputException($"{instrument.Id}'s subscale {sub.Name} has no confirmed items (supply a key)");
                items.AddRange(sub.Items.Select(i => columns[i - 1]));
            }
            groups.Add(new ShortFormGroup(eq[0], [.. items.Distinct()], count));
        }
        return [.. groups];
    }
}

/// <summary>How a short form was searched for.</summary>
public enum ShortFormSearch
{
    /// <summary>Every subset meeting the quotas was evaluated (proven best).</summary>
    Exact,
    /// <summary>Greedy forward selection, then best-improvement exchanges within groups, from the greedy start and seeded random starts (documented heuristic; not proven best).</summary>
    Heuristic,
}

/// <summary>Options of <see cref="ShortForms.Build(ResponseMatrix, ImmutableArray{ShortFormGroup}, ShortFormOptions?, DataUsage?, IProgress{AnalysisProgress}?, CancellationToken)"/>.</summary>
public sealed record ShortFormOptions
{
    /// <summary>Model of the calibration of the full form (partial credit by CML by default; rating scale allowed).</summary>
    public IrtModelType Model { get; init; } = IrtModelType.PartialCredit;

    /// <summary>Lower end of the θ range (logits of the full-form calibration); default the 5th percentile of the persons' WLE measures.</summary>
    public double? ThetaFrom { get; init; }

    /// <summary>Upper end of the θ range; default the 95th percentile of the persons' measures (where most clients are).</summary>
    public double? ThetaTo { get; init; }

    /// <summary>Points of the even θ grid on the range (default 41).</summary>
    public int GridPoints { get; init; } = 41;

    /// <summary>Weight w of the spread of item locations in the objective mean ln I(θ) + w·SD(locations) (default 1; 0 for information alone).</summary>
    public double SpreadWeight { get; init; } = 1;

    /// <summary>Exact search when the number of subsets meeting the quotas is at most this (default 2,000,000); heuristic otherwise.</summary>
    public long ExactLimit { get; init; } = 2_000_000;

    /// <summary>Random starts of the heuristic besides the greedy one (default 50).</summary>
    public int Restarts { get; init; } = 50;

    /// <summary>Seed of the random starts (start r uses <c>RandomStream.Create(Seed, r)</c>).</summary>
    public long Seed { get; init; } = Defaults.Seed;


    /// <summary>Threads to use (default all cores). Results are identical for any value.</summary>
    public int? MaxDegreeOfParallelism { get; init; }

    internal int Threads => Math.Max(1, MaxDegreeOfParallelism ?? Environment.ProcessorCount);
}

/// <summary>
/// A short form chosen from a longer instrument (made by <see cref="ShortForms.Build(ResponseMatrix, ImmutableArray{ShortFormGroup}, ShortFormOptions?, DataUsage?, IProgress{AnalysisProgress}?, CancellationToken)"/>):
/// the items, how they were found, the objective, information over the θ range, reliability and the correlation of
/// the short-form score with the full-form score.
/// </summary>
public sealed record ShortForm : IAnalysisResult
{
    /// <summary>The chosen items, in the full form's order.</summary>
    public required ImmutableArray<string> Items { get; init; }

    /// <summary>The quotas.</summary>
    public required ImmutableArray<ShortFormGroup> Groups { get; init; }

    /// <summary>The calibration of the full form the choice was made on.</summary>
    public required IrtFit Calibration { get; init; }

    /// <summary>The options used.</summary>
    public required ShortFormOptions Options { get; init; }

    /// <summary>Exact or heuristic.</summary>
    public required ShortFormSearch Search { get; init; }

    /// <summary>Subsets (exact) or objective evaluations (heuristic) made.</summary>
    public required long Evaluations { get; init; }

    /// <summary>The θ range (logits of the calibration).</summary>
    public required double ThetaFrom { get; init; }

    /// <summary>Upper end of the θ range.</summary>
    public required double ThetaTo { get; init; }

    /// <summary>The objective: mean over the grid of ln I_S(θ) + w · SD of the chosen items' locations.</summary>
    public required double Objective { get; init; }

    /// <summary>Mean test information of the short form over the θ range.</summary>
    public required double MeanInformation { get; init; }

    /// <summary>Smallest test information of the short form on the θ range.</summary>
    public required double MinimumInformation { get; init; }

    /// <summary>Mean test information of the full form over the θ range.</summary>
    public required double FullMeanInformation { get; init; }

    /// <summary>SD (denominator m) of the chosen items' locations.</summary>
    public required double LocationSpread { get; init; }

    /// <summary>Range (max − min) of the chosen items' locations.</summary>
    public required double LocationRange { get; init; }

    /// <summary>IRT reliability of the short form for these persons: σ² / (σ² + mean 1/I_S(θ̂)) over the persons' full-form WLE measures.</summary>
    public required double Reliability { get; init; }

    /// <summary>The same for the full form.</summary>
    public required double FullReliability { get; init; }

    /// <summary>Raw α of the short form (complete rows).</summary>
    public required double Alpha { get; init; }

    /// <summary>Raw α of the full form (complete rows).</summary>
    public required double FullAlpha { get; init; }

    /// <summary>Correlation of the short-form sum with the full-form sum (complete rows; part–whole, so inflated by the shared items).</summary>
    public required CorrelationEstimate CorrelationWithFull { get; init; }

    /// <summary>Correlation of the short-form sum with the sum of the items left out (complete rows; free of part–whole overlap).</summary>
    public required CorrelationEstimate? CorrelationWithRest { get; init; }

    /// <inheritdoc/>
    public required DataUsage Usage { get; init; }

    /// <inheritdoc/>
    public required IReadOnlyList<string> Warnings { get; init; }

    /// <summary>Test information of the short form at θ.</summary>
    public double Information(double theta)
    {
        double s = 0;
        foreach (var item in Items) s += Calibration.ItemInformation(Calibration.IndexOf(item), theta);
        return s;
    }

    /// <inheritdoc/>
    public ResultSummary Summary()
    {
        var lines = new List<string>
        {
            Usage.ToString(),
            $"{Items.Length} of {Calibration.Items.Length} items ({string.Join(" + ", Groups.Select(g => $"{g.Count} {g.Name}"))}), calibrated by the {IrtFit.ModelName(Calibration.Model)} (CML)",
            $"Search: {(Search == ShortFormSearch.Exact ? $"exact, every one of {Evaluations.ToString("N0", CultureInfo.InvariantCulture)} subsets" : $"heuristic (greedy + exchanges, {Options.Restarts} random starts; {Evaluations.ToString("N0", CultureInfo.InvariantCulture)} evaluations)")}",
            $"θ range {ThetaFrom.ToString("F2", CultureInfo.InvariantCulture)} … {ThetaTo.ToString("F2", CultureInfo.InvariantCulture)}; objective mean ln I + {Options.SpreadWeight.ToString(CultureInfo.InvariantCulture)}·SD(locations) = {Objective.ToString("F4", CultureInfo.InvariantCulture)}",
            $"Items: {string.Join(", ", Items)}",
        };
        IReadOnlyList<IReadOnlyList<object?>> rows =
        [
            new object?[] { "short form", Items.Length, MeanInformation, MinimumInformation, Reliability, Alpha, LocationSpread },
            new object?[] { "full form", Calibration.Items.Length, FullMeanInformation, double.NaN, FullReliability, FullAlpha, double.NaN },
        ];
        var table = new ResultTable("Short and full form",
            [TableColumn.Label("form"), TableColumn.Integer("items"), TableColumn.Number("mean info", 2), TableColumn.Number("min info", 2),
             TableColumn.Number("IRT rel", 3), TableColumn.Number("alpha", 3), TableColumn.Number("loc SD", 3)], rows);
        var itemRows = Items.Select(name =>
        {
            int j = Calibration.IndexOf(name);
            var g = Groups.First(gr => gr.Items.Contains(name));
            double mean = 0;
            for (int q = 0; q < Options.GridPoints; q++) mean += Calibration.ItemInformation(j, ThetaFrom + (ThetaTo - ThetaFrom) * q / (Options.GridPoints - 1));
            return (IReadOnlyList<object?>)[name, g.Name, Calibration.Items[j].Location, mean / Options.GridPoints];
        }).ToList();
        var itemTable = new ResultTable("Chosen items",
            [TableColumn.Label("item"), TableColumn.Label("group"), TableColumn.Number("location", 2), TableColumn.Number("mean info", 3)], itemRows);
        var notes = new List<string>
        {
            $"Correlation with the full-form score r = {CorrelationWithFull.R.ToString("F3", CultureInfo.InvariantCulture)} (part–whole); with the items left out {(CorrelationWithRest is { } rest ? "r = " + rest.R.ToString("F3", CultureInfo.InvariantCulture) : "— (none left out)")} (n = {CorrelationWithFull.N}).",
            "IRT rel: σ²/(σ² + mean over persons of 1/I(θ̂)), the persons' full-form WLE measures and the fitted latent SD σ.",
        };
        return new ResultSummary("Short form", lines, [table, itemTable], notes, Warnings);
    }

    /// <summary><c>{"n", "data", "warnings", "items", "groups", "search", "evaluations", "theta_range", "objective", "mean_information", "minimum_information", "full_mean_information", "location_spread", "reliability", "full_reliability", "alpha", "full_alpha", "correlation_with_full", "correlation_with_rest"}</c>.</summary>
    public System.Text.Json.Nodes.JsonObject ToJson()
    {
        var o = JsonOutput.Document(this);
        o["items"] = JsonOutput.Strings(Items);
        o["groups"] = new System.Text.Json.Nodes.JsonArray([.. Groups.Select(g => (System.Text.Json.Nodes.JsonNode)new System.Text.Json.Nodes.JsonObject
        {
            ["name"] = g.Name, ["count"] = g.Count, ["chosen"] = JsonOutput.Strings(Items.Where(i => g.Items.Contains(i))),
        })]);
        o["model"] = IrtFit.ModelKey(Calibration.Model);
        o["search"] = Search == ShortFormSearch.Exact ? "exact" : "heuristic";
        o["evaluations"] = Evaluations;
        o["theta_range"] = JsonOutput.Interval(ThetaFrom, ThetaTo);
        o["spread_weight"] = Options.SpreadWeight;
        o["objective"] = JsonOutput.Number(Objective);
        o["mean_information"] = JsonOutput.Number(MeanInformation);
        o["minimum_information"] = JsonOutput.Number(MinimumInformation);
        o["full_mean_information"] = JsonOutput.Number(FullMeanInformation);
        o["location_spread"] = JsonOutput.Number(LocationSpread);
        o["location_range"] = JsonOutput.Number(LocationRange);
        o["reliability"] = JsonOutput.Number(Reliability);
        o["full_reliability"] = JsonOutput.Number(FullReliability);
        o["alpha"] = JsonOutput.Number(Alpha);
        o["full_alpha"] = JsonOutput.Number(FullAlpha);
        o["correlation_with_full"] = JsonOutput.Number(CorrelationWithFull.R);
        o["correlation_with_rest"] = CorrelationWithRest is { } rest ? JsonOutput.Number(rest.R) : null;
        o["correlation_n"] = CorrelationWithFull.N;
        return o;
    }

    /// <summary>"16 items (exact): wai2, wai5, …".</summary>
    public override string ToString() => $"{Items.Length} items ({(Search == ShortFormSearch.Exact ? "exact" : "heuristic")}): {string.Join(", ", Items)}";
}

/// <summary>
/// Builds short forms: choose m items of a longer instrument under quotas per group of items (e.g. 8 Bond + 8
/// Task/Goal of the WAI's 36) to maximise test information over a θ range and the spread of item locations, as
/// Mallinckrodt &amp; Tekie (2016) built the brief revised WAI.
/// </summary>
/// <remarks>
/// Objective (larger is better): F(S) = (1/Q) Σ_q ln I_S(θ_q) + w · SD_{j∈S}(b_j), with I_S the test information of
/// the subset S from the calibration of the full form, θ_q an even grid on the range, b_j the item locations and w
/// <see cref="ShortFormOptions.SpreadWeight"/>. The mean log information (the log of the geometric mean) favours
/// information spread over the whole range over a peak at one θ; the SD term asks for spread item locations
/// directly. Search: exact enumeration when Π_g C(n_g, k_g) ≤ <see cref="ShortFormOptions.ExactLimit"/>; otherwise greedy
/// forward selection followed by best-improvement exchanges within each group (a Fedorov-type exchange; van der
/// Linden 2005, ch. 4 on heuristics for test assembly), repeated from seeded random starts, keeping the best.
/// Ties are broken towards the subset whose sorted item indices come first, so the answer is the same for any thread count.
/// </remarks>
public static class ShortForms
{
    /// <summary>
    /// Builds a short form from prepared data (keyed items: the instrument's reverse keys were applied when the data
    /// were prepared), the quotas given by <paramref name="balance"/> (e.g. <c>Bond=8,Task+Goal=8</c>).
    /// </summary>
    /// <exception cref="AllianceInputException">When the data name no instrument with subscales, the balance is invalid, or a quota exceeds its group.</exception>
    public static ShortForm Build(AnalysisData data, string balance, ShortFormOptions? options = null,
        IProgress<AnalysisProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        var instrument = data.Instrument ?? throw new AllianceInputException($"{data.SourceName}: a short form by subscale needs an instrument (DataSpec.Instrument)", "DataSpec.Instrument");
        var keyed = FormatInput.From(data, new FormatOptions()).Items;
        return Build(keyed, ShortFormGroup.Parse(balance, instrument, keyed.Items), options, data.Usage, progress, cancellationToken);
    }

    /// <summary>Builds a short form from keyed responses and explicit quotas.</summary>
    /// <exception cref="AllianceInputException">When a group names an unknown item, groups overlap, a quota is not between 1 and the group's size, or the range is empty.</exception>
    public static ShortForm Build(ResponseMatrix keyed, ImmutableArray<ShortFormGroup> groups, ShortFormOptions? options = null, DataUsage? usage = null,
        IProgress<AnalysisProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keyed);
        options ??= new ShortFormOptions();
        Validate(keyed, groups, options);
        progress?.Report(new AnalysisProgress("calibrating the full form", double.NaN));
        var fit = IrtAnalysis.Fit(keyed, new IrtOptions { Model = options.Model, MaxDegreeOfParallelism = options.MaxDegreeOfParallelism }, usage, cancellationToken: cancellationToken);
        var warnings = new List<string>();
        if (!fit.Convergence.Converged) warnings.Add("the calibration of the full form did not converge: " + fit.Convergence);
        foreach (var g in groups)
            foreach (var item in g.Items)
                if (!fit.Items.Any(i => i.Name == item)) throw new AllianceInputException($"item {item} of group {g.Name} was left out of the calibration ({string.Join("; ", fit.ExcludedItems)})");

        var thetas = fit.Persons.Select(p => p.Theta).Where(double.IsFinite).Order().ToArray();
        double from = options.ThetaFrom ?? SampleQuantiles.Type7(thetas, 0.05);
        double to = options.ThetaTo ?? SampleQuantiles.Type7(thetas, 0.95);
        if (!(to > from)) throw new AllianceInputException($"the θ range must rise: {from.ToString(CultureInfo.InvariantCulture)} … {to.ToString(CultureInfo.InvariantCulture)}");
        int q = options.GridPoints;
        var grid = Enumerable.Range(0, q).Select(i => from + (to - from) * i / (q - 1)).ToArray();

        var problem = new SelectionProblem(groups.Select(g => g.Items.Select(fit.IndexOf).ToArray()).ToArray(), groups.Select(g => g.Count).ToArray(),
            fit.Items.Length, (j, t) => fit.ItemInformation(j, grid[t]), q, [.. fit.Items.Select(i => i.Location)], options.SpreadWeight);
        progress?.Report(new AnalysisProgress("searching", double.NaN));
        var (chosen, objective, search, evaluations) = problem.Solve(options.ExactLimit, options.Restarts, options.Seed, options.Threads, cancellationToken);

        var names = chosen.Order().Select(j => fit.Items[j].Name).ToImmutableArray();
        var info = grid.Select(t => chosen.Sum(j => fit.ItemInformation(j, t))).ToArray();
        var fullInfo = grid.Select(fit.TestInformation).ToArray();
        var locs = chosen.Select(j => fit.Items[j].Location).ToArray();
        double locMean = locs.Average();

        double sigma2 = fit.LatentSd * fit.LatentSd;
        double Rel(Func<double, double> information)
        {
            double inv = 0;
            int n = 0;
            var cache = new Dictionary<double, double>();
            foreach (var p in fit.Persons.Where(p => double.IsFinite(p.Theta)))
            {
                if (!cache.TryGetValue(p.Theta, out double i)) cache[p.Theta] = i = information(p.Theta);
                inv += 1 / i;
                n++;
            }
            return sigma2 / (sigma2 + inv / n);
        }

        var (complete, _) = keyed.CompleteRows();
        var shortIdx = names.Select(keyed.IndexOf).ToArray();
        var restIdx = Enumerable.Range(0, keyed.ItemCount).Except(shortIdx).ToArray();
        var shortSum = new double[complete.RowCount];
        var fullSum = new double[complete.RowCount];
        var restSum = new double[complete.RowCount];
        for (int r = 0; r < complete.RowCount; r++)
        {
            var row = complete.Row(r);
            foreach (int j in shortIdx) shortSum[r] += row[j];
            foreach (int j in restIdx) restSum[r] += row[j];
            fullSum[r] = shortSum[r] + restSum[r];
        }
        return new ShortForm
        {
            Items = [.. fit.Items.Select(i => i.Name).Where(names.Contains)],
            Groups = groups,
            Calibration = fit,
            Options = options,
            Search = search,
            Evaluations = evaluations,
            ThetaFrom = from,
            ThetaTo = to,
            Objective = objective,
            MeanInformation = info.Average(),
            MinimumInformation = info.Min(),
            FullMeanInformation = fullInfo.Average(),
            LocationSpread = Math.Sqrt(locs.Sum(l => (l - locMean) * (l - locMean)) / locs.Length),
            LocationRange = locs.Max() - locs.Min(),
            Reliability = Rel(t => chosen.Sum(j => fit.ItemInformation(j, t))),
            FullReliability = Rel(fit.TestInformation),
            Alpha = RawScoreStatistics.AlphaOmega(keyed.SelectItems(shortIdx), omega: false).Alpha,
            FullAlpha = RawScoreStatistics.AlphaOmega(keyed, omega: false).Alpha,
            CorrelationWithFull = Correlations.Correlate(shortSum, fullSum),
            CorrelationWithRest = restIdx.Length > 0 ? Correlations.Correlate(shortSum, restSum) : null,
            Usage = fit.Usage,
            Warnings = warnings,
        };
    }

    private static void Validate(ResponseMatrix keyed, ImmutableArray<ShortFormGroup> groups, ShortFormOptions options)
    {
        if (groups.IsDefaultOrEmpty) throw new AllianceInputException("a short form needs at least one group with a count (e.g. Bond=8,Task+Goal=8)");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var g in groups)
        {
            foreach (var item in g.Items)
            {
                if (keyed.Items.IndexOf(item) < 0) throw new AllianceInputException($"group {g.Name}: no item column '{item}'");
                if (!seen.Add(item)) throw new AllianceInputException($"item {item} is in more than one group");
            }
            if (g.Count < 1 || g.Count > g.Items.Length)
                throw new AllianceInputException($"group {g.Name}: cannot choose {g.Count} of its {g.Items.Length} items");
        }
        if (options.Model is not (IrtModelType.PartialCredit or IrtModelType.RatingScale))
            throw new AllianceInputException("short forms are calibrated with a Rasch model by CML (pcm or rsm)");
        if (options.GridPoints < 2) throw new AllianceInputException("the θ grid needs at least 2 points");
        if (options.SpreadWeight < 0 || !double.IsFinite(options.SpreadWeight)) throw new AllianceInputException("the spread weight must be zero or positive");
        if (options.Restarts < 0) throw new AllianceInputException("the number of random starts cannot be negative");
        if (options.ThetaFrom.HasValue != options.ThetaTo.HasValue) throw new AllianceInputException("give both ends of the θ range or neither");
    }
}

/// <summary>
/// The subset-selection kernel behind <see cref="ShortForms"/>: items with information on a grid and locations,
/// groups with quotas, the objective mean ln I + w·SD(locations), exact enumeration and the exchange heuristic.
/// </summary>
internal sealed class SelectionProblem
{
    private readonly int[][] _groups;
    private readonly int[] _counts;
    private readonly double[] _info; // item × grid
    private readonly int _q;
    private readonly double[] _loc;
    private readonly double _w;

    public SelectionProblem(int[][] groups, int[] counts, int items, Func<int, int, double> information, int gridPoints, double[] locations, double spreadWeight)
    {
        _groups = groups;
        _counts = counts;
        _q = gridPoints;
        _info = new double[items * gridPoints];
        for (int j = 0; j < items; j++) for (int t = 0; t < gridPoints; t++) _info[j * gridPoints + t] = information(j, t);
        _loc = locations;
        _w = spreadWeight;
    }

    /// <summary>Π_g C(n_g, k_g), saturating at long.MaxValue.</summary>
    public long SubsetCount()
    {
        double total = 1;
        for (int g = 0; g < _groups.Length; g++) total *= Binomial(_groups[g].Length, _counts[g]);
        return total >= long.MaxValue ? long.MaxValue : (long)Math.Round(total);
    }

    private static double Binomial(int n, int k)
    {
        double c = 1;
        for (int i = 1; i <= k; i++) c = c * (n - k + i) / i;
        return c;
    }

    /// <summary>The objective of a subset.</summary>
    public double Objective(IReadOnlyList<int> subset)
    {
        Span<double> sum = _q <= 256 ? stackalloc double[_q] : new double[_q];
        sum.Clear();
        double ls = 0, ls2 = 0;
        foreach (int j in subset)
        {
            var row = _info.AsSpan(j * _q, _q);
            for (int t = 0; t < _q; t++) sum[t] += row[t];
            ls += _loc[j];
            ls2 += _loc[j] * _loc[j];
        }
        return Value(sum, ls, ls2, subset.Count);
    }

    private double Value(ReadOnlySpan<double> sum, double ls, double ls2, int m)
    {
        double log = 0;
        for (int t = 0; t < _q; t++) log += Math.Log(sum[t]);
        double mean = ls / m;
        double var = Math.Max(0, ls2 / m - mean * mean);
        return log / _q + _w * Math.Sqrt(var);
    }

    public (int[] Subset, double Objective, ShortFormSearch Search, long Evaluations) Solve(long exactLimit, int restarts, long seed, int threads, CancellationToken token)
    {
        long count = SubsetCount();
        if (count <= exactLimit)
        {
            var (s, f) = Exact(threads, token);
            return (s, f, ShortFormSearch.Exact, count);
        }
        var (h, fh, evals) = Heuristic(restarts, seed, threads, token);
        return (h, fh, ShortFormSearch.Heuristic, evals);
    }

    /// <summary>Is a better than b: higher objective, ties to the lexicographically smaller sorted subset.</summary>
    private static bool Better(double fa, int[] a, double fb, int[]? b)
    {
        if (b is null) return true;
        if (fa > fb) return true;
        if (fa < fb) return false;
        var sa = a.Order().ToArray();
        var sb = b.Order().ToArray();
        for (int i = 0; i < sa.Length; i++) if (sa[i] != sb[i]) return sa[i] < sb[i];
        return false;
    }

    /// <summary>Every combination of k of the group's items, each with its information sums and location sums.</summary>
    private List<(int[] Items, double[] Info, double Ls, double Ls2)> Combinations(int g)
    {
        var items = _groups[g];
        int k = _counts[g], n = items.Length;
        var list = new List<(int[], double[], double, double)>();
        var idx = Enumerable.Range(0, k).ToArray();
        while (true)
        {
            var chosen = idx.Select(i => items[i]).ToArray();
            var info = new double[_q];
            double ls = 0, ls2 = 0;
            foreach (int j in chosen)
            {
                for (int t = 0; t < _q; t++) info[t] += _info[j * _q + t];
                ls += _loc[j];
                ls2 += _loc[j] * _loc[j];
            }
            list.Add((chosen, info, ls, ls2));
            int p = k - 1;
            while (p >= 0 && idx[p] == n - k + p) p--;
            if (p < 0) break;
            idx[p]++;
            for (int i = p + 1; i < k; i++) idx[i] = idx[i - 1] + 1;
        }
        return list;
    }

    private (int[] Subset, double Objective) Exact(int threads, CancellationToken token)
    {
        var combos = Enumerable.Range(0, _groups.Length).Select(Combinations).ToArray();
        int m = _counts.Sum();
        // Parallel over the first group's combinations; every deeper combination is visited in a fixed order, and the
        // per-branch winners are reduced in branch order with a deterministic tie-break.
        var best = new (int[]? Subset, double F)[combos[0].Count];
        Parallel.For(0, combos[0].Count, new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = token }, c0 =>
        {
            var sum = new double[_q];
            int[]? bestSubset = null;
            double bestF = double.NegativeInfinity;
            var stack = new int[_groups.Length];
            stack[0] = c0;
            void Visit(int g)
            {
                if (g == _groups.Length)
                {
                    Array.Clear(sum);
                    double ls = 0, ls2 = 0;
                    for (int h = 0; h < _groups.Length; h++)
                    {
                        var c = combos[h][stack[h]];
                        for (int t = 0; t < _q; t++) sum[t] += c.Info[t];
                        ls += c.Ls;
                        ls2 += c.Ls2;
                    }
                    double f = Value(sum, ls, ls2, m);
                    if (f > bestF || bestSubset is null)
                    {
                        bestF = f;
                        bestSubset = [.. Enumerable.Range(0, _groups.Length).SelectMany(h => combos[h][stack[h]].Items)];
                    }
                    return;
                }
                for (int c = 0; c < combos[g].Count; c++)
                {
                    stack[g] = c;
                    Visit(g + 1);
                }
            }
            Visit(1);
            best[c0] = (bestSubset, bestF);
        });
        int[]? winner = null;
        double wf = double.NegativeInfinity;
        foreach (var (s, f) in best) if (s is not null && Better(f, s, wf, winner)) { winner = s; wf = f; }
        return (winner!, wf);
    }

    private (int[] Subset, double Objective, long Evaluations) Heuristic(int restarts, long seed, int threads, CancellationToken token)
    {
        var results = new (int[] Subset, double F, long Evals)[restarts + 1];
        Parallel.For(0, restarts + 1, new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = token }, r =>
        {
            long evals = 0;
            var start = r == 0 ? Greedy(ref evals) : RandomStart(RandomStream.Create(seed, r));
            results[r] = Exchange(start, ref evals);
            results[r].Evals = evals;
        });
        int[]? winner = null;
        double wf = double.NegativeInfinity;
        foreach (var (s, f, _) in results) if (Better(f, s, wf, winner)) { winner = s; wf = f; }
        return (winner!, wf, results.Sum(x => x.Evals));
    }

    private List<int>[] Greedy(ref long evals)
    {
        var chosen = _groups.Select(_ => new List<int>()).ToArray();
        int m = _counts.Sum();
        for (int step = 0; step < m; step++)
        {
            double bestF = double.NegativeInfinity;
            (int G, int J) pick = (-1, -1);
            for (int g = 0; g < _groups.Length; g++)
            {
                if (chosen[g].Count >= _counts[g]) continue;
                foreach (int j in _groups[g])
                {
                    if (chosen[g].Contains(j)) continue;
                    var trial = chosen.SelectMany(c => c).Append(j).ToArray();
                    double f = Objective(trial);
                    evals++;
                    if (f > bestF) { bestF = f; pick = (g, j); }
                }
            }
            chosen[pick.G].Add(pick.J);
        }
        return chosen;
    }

    private List<int>[] RandomStart(RandomStream rng)
    {
        var chosen = new List<int>[_groups.Length];
        for (int g = 0; g < _groups.Length; g++)
        {
            var items = _groups[g].ToArray();
            rng.Shuffle(items.AsSpan());
            chosen[g] = [.. items.Take(_counts[g])];
        }
        return chosen;
    }

    /// <summary>Best-improvement exchanges (one item out, one item of the same group in) until none improves.</summary>
    private (int[] Subset, double F, long Evals) Exchange(List<int>[] chosen, ref long evals)
    {
        var current = chosen.SelectMany(c => c).ToArray();
        double f = Objective(current);
        evals++;
        while (true)
        {
            double bestF = f;
            int[]? bestSubset = null;
            for (int g = 0; g < _groups.Length; g++)
                for (int a = 0; a < chosen[g].Count; a++)
                    foreach (int j in _groups[g])
                    {
                        if (chosen[g].Contains(j)) continue;
                        int old = chosen[g][a];
                        chosen[g][a] = j;
                        var trial = chosen.SelectMany(c => c).ToArray();
                        chosen[g][a] = old;
                        double ft = Objective(trial);
                        evals++;
                        if (ft > bestF + 1e-12) { bestF = ft; bestSubset = trial; }
                    }
            if (bestSubset is null) break;
            // apply the best exchange
            var set = bestSubset.ToHashSet();
            for (int g = 0; g < _groups.Length; g++) chosen[g] = [.. _groups[g].Where(set.Contains)];
            current = bestSubset;
            f = bestF;
        }
        return (current, f, 0);
    }
}
