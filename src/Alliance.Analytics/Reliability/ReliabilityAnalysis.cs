using System.Collections.Immutable;
using Alliance.Analytics.Data;
using Alliance.Analytics.Instruments;
using Alliance.Analytics.Numerics;
using Alliance.Analytics.Presentation;

namespace Alliance.Analytics.Reliability;

/// <summary>
/// The front door of the reliability domain: internal consistency of a scale or of an instrument's scales
/// (<see cref="Analyze(ResponseMatrix, ReliabilityOptions?, string?, IProgress{AnalysisProgress}?, CancellationToken)"/>),
/// polychoric correlations, ω hierarchical, intraclass correlations, and the standard error of measurement with
/// Jacobson–Truax reliable change. Each returns an immutable result record that presents itself
/// (<c>Summary()</c>, <c>ToJson()</c>). Numbers agree with R's psych package; the R call is named on each method.
/// </summary>
public static class ReliabilityAnalysis
{
    /// <summary>
    /// Internal consistency of one scale made of every item of <paramref name="items"/>: α (raw, standardized, Feldt
    /// or bootstrap interval), average r, λ1–λ6, split-half, ω total, SEM, item analysis and, with
    /// <see cref="ReliabilityOptions.Ordinal"/>, ordinal α and ω.
    /// R: <c>psych::alpha(x)</c>, <c>psych::splitHalf(x)</c>, <c>psych::omega(x, nfactors = 1)</c>.
    /// </summary>
    /// <param name="items">Rows × items (NaN for missing); reversed items must be named in the options.</param>
    /// <param name="options">Missing-data rule, reversals, interval, ordinal …; defaults as psych.</param>
    /// <param name="name">Name of the scale in output (default "items").</param>
    /// <param name="progress">Progress of the bootstrap and of the stages.</param>
    /// <param name="cancellationToken">Cancels a long run (bootstrap).</param>
    /// <exception cref="AllianceInputException">Fewer than two items, an item nobody answered, a constant item, fewer
    /// than three rows, or two items answered together in fewer than three rows.</exception>
    public static ScaleReliability Analyze(ResponseMatrix items, ReliabilityOptions? options = null, string? name = null,
        IProgress<AnalysisProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        options ??= new ReliabilityOptions();
        options.Validate();
        name ??= "items";
        var reverse = options.Reverse.IsDefault ? [] : options.Reverse;
        var data = ScaleData.Prepare(items, reverse, options.Missing, name);
        return ScaleAnalysis.Run(data, options, name, [.. reverse], progress, cancellationToken);
    }

    /// <summary>
    /// Reliability of an instrument's scales: the total and each subscale (the instrument's reverse keys applied, plus
    /// <see cref="ReliabilityOptions.Reverse"/>), and ω hierarchical with one group factor per subscale when there are
    /// at least two. Without an instrument, one scale of all items. The columns of <paramref name="items"/> are the
    /// instrument's items 1 … k in order.
    /// R: <c>psych::alpha</c> per scale, <c>psych::omega(x, nfactors = number of subscales)</c>.
    /// </summary>
    /// <param name="items">Rows × items.</param>
    /// <param name="instrument">The instrument, or null.</param>
    /// <param name="options">Options (see <see cref="ReliabilityOptions"/>).</param>
    /// <param name="subscale">Analyse only this subscale (name, case-insensitive), as the main scale.</param>
    /// <param name="usage">The rows behind <paramref name="items"/> (e.g. after dropping invalid rows), to report with the result.</param>
    /// <param name="progress">Progress.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <exception cref="AllianceInputException">Bad input (see the other overload), an unknown subscale, or a matrix
    /// whose item count differs from the instrument's.</exception>
    public static ReliabilityReport Analyze(ResponseMatrix items, Instrument? instrument, ReliabilityOptions? options = null, string? subscale = null,
        DataUsage? usage = null, IProgress<AnalysisProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        options ??= new ReliabilityOptions();
        options.Validate();
        var extra = options.Reverse.IsDefault ? [] : options.Reverse;
        foreach (string r in extra)
            if (!items.Items.Contains(r))
                throw new AllianceInputException($"ReliabilityOptions.Reverse names '{r}', which is not an item (items: {string.Join(", ", items.Items)}).", "ReliabilityOptions.Reverse");
        if (instrument is not null && items.ItemCount != instrument.ItemCount)
            throw new AllianceInputException($"{instrument.Id} has {instrument.ItemCount} items; the data have {items.ItemCount} item columns ({string.Join(", ", items.Items)}).");
        var also = instrument is null ? extra : [.. extra.Where(r => !instrument.ReverseKeyed.Any(i => items.Items[i - 1] == r))];
        var (keyed, reversed) = Keying.Apply(items, instrument, new PreparationOptions { AlsoReverse = also }, "the response matrix");
        return AnalyzeKeyed(keyed, instrument, reversed, options, subscale, usage, progress, cancellationToken);
    }

    /// <summary>
    /// Reliability of prepared data's scales, on the keyed items (<see cref="AnalysisData.Items"/>): the total and each
    /// subscale of the instrument, ω hierarchical with one group factor per subscale when there are at least two; one
    /// scale of all items without an instrument. The report names the items reversed when the data were prepared.
    /// R: <c>psych::alpha</c> per scale on the keyed items, <c>psych::omega(x, nfactors = number of subscales)</c>.
    /// </summary>
    /// <param name="data">Prepared data (reverse keys applied there).</param>
    /// <param name="options">Options; <see cref="ReliabilityOptions.Reverse"/> must be empty (reverse items in <see cref="PreparationOptions.AlsoReverse"/>).</param>
    /// <param name="subscale">Analyse only this subscale (name, case-insensitive), as the main scale.</param>
    /// <param name="progress">Progress.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <exception cref="AllianceInputException">Bad input (see the matrix overload), an unknown subscale, or items to reverse named in the options.</exception>
    public static ReliabilityReport Analyze(AnalysisData data, ReliabilityOptions? options = null, string? subscale = null,
        IProgress<AnalysisProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= new ReliabilityOptions();
        options.Validate();
        RequireNoReverse(options);
        return AnalyzeKeyed(data.Items, data.Instrument, data.Reversed, options, subscale, data.Usage, progress, cancellationToken);
    }

    private static void RequireNoReverse(ReliabilityOptions? options)
    {
        if (options is { Reverse.IsDefaultOrEmpty: false })
            throw new AllianceInputException("prepared data are keyed when they are prepared: name the items to reverse in PreparationOptions.AlsoReverse, not ReliabilityOptions.Reverse", "ReliabilityOptions.Reverse");
    }

    /// <summary>The scales of an instrument on items already keyed; <paramref name="reversed"/> names the items that were reversed (for the report).</summary>
    private static ReliabilityReport AnalyzeKeyed(ResponseMatrix items, Instrument? instrument, ImmutableArray<string> reversed, ReliabilityOptions options,
        string? subscale, DataUsage? usage, IProgress<AnalysisProgress>? progress, CancellationToken cancellationToken)
    {
        var scales = new List<(string Name, int[] Columns)>();
        var reverse = new HashSet<string>(reversed.IsDefault ? [] : reversed, StringComparer.Ordinal);
        var subscaleOf = new Dictionary<string, string>(StringComparer.Ordinal);
        if (instrument is not null)
        {
            if (items.ItemCount != instrument.ItemCount)
                throw new AllianceInputException($"{instrument.Id} has {instrument.ItemCount} items; the data have {items.ItemCount} item columns ({string.Join(", ", items.Items)}).");
            var known = instrument.Subscales.Where(s => s.HasItems).ToList();
            foreach (var s in known)
                foreach (int i in s.Items) subscaleOf[items.Items[i - 1]] = s.Name;
            if (subscale is not null)
            {
                var match = known.FirstOrDefault(s => string.Equals(s.Name, subscale, StringComparison.OrdinalIgnoreCase) || s.Key == Instrument.ToKey(subscale))
                    ?? throw new AllianceInputException($"{instrument.Id} has no subscale '{subscale}' with known items (subscales: {string.Join(", ", known.Select(s => s.Name))}).");
                scales.Add((match.Name, [.. match.Items.Select(i => i - 1)]));
            }
            else
            {
                scales.Add(("Total", [.. Enumerable.Range(0, items.ItemCount)]));
                foreach (var s in known) scales.Add((s.Name, [.. s.Items.Select(i => i - 1)]));
            }
        }
        else
        {
            if (subscale is not null) throw new AllianceInputException($"subscale '{subscale}' asked for, but no instrument that defines subscales is named (DataSpec.Instrument).", "subscale");
            scales.Add(("items", [.. Enumerable.Range(0, items.ItemCount)]));
        }

        var results = new List<ScaleReliability>();
        foreach (var (name, columns) in scales)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var matrix = columns.Length == items.ItemCount && columns.Select((c, i) => c == i).All(b => b) ? items : items.SelectItems(columns);
            var rev = matrix.Items.Where(reverse.Contains).ToArray();
            var data = ScaleData.Prepare(matrix, [], options.Missing, name, usage);
            results.Add(ScaleAnalysis.Run(data, options, name, [.. rev], progress, cancellationToken));
        }

        SchmidLeimanResult? hierarchical = null;
        var reportWarnings = new List<string>();
        int groups = instrument?.Subscales.Count(s => s.HasItems) ?? 0;
        if (subscale is null && groups >= 2)
        {
            var total = results[0];
            if (total.Items.Length >= 2 * groups + 1)
            {
                try
                {
                    hierarchical = Omega.SchmidLeiman(total.PairwiseCorrelationMatrix, total.Items, groups, options.OmegaMethod, subscaleOf) with { Usage = total.Usage };
                    if (!hierarchical.Convergence.Converged) reportWarnings.Add($"the Schmid-Leiman solution did not converge ({hierarchical.Convergence})");
                    var negative = hierarchical.Items.Where((_, i) => hierarchical.GeneralLoadings[i] < 0).ToArray();
                    if (negative.Length > 0)
                        reportWarnings.Add($"{string.Join(", ", negative)} load negatively on the general factor; omega hierarchical is for the scale as keyed (psych::omega would flip them)");
                }
                catch (ArgumentException e)
                {
                    reportWarnings.Add("omega hierarchical could not be computed: " + e.Message);
                }
            }
            else reportWarnings.Add($"omega hierarchical needs more than {2 * groups} items for {groups} group factors; not computed");
        }

        return new ReliabilityReport
        {
            Instrument = instrument,
            Total = results[0],
            Subscales = [.. results.Skip(1)],
            Hierarchical = hierarchical,
            ReportWarnings = reportWarnings,
        };
    }

    /// <summary>
    /// Polychoric correlations of ordered-category items by the two-step method (thresholds, then maximum likelihood
    /// per pair from its contingency table), smoothed when not positive definite. Pairwise: each correlation from the
    /// rows where both items are answered. R: <c>psych::polychoric(x)</c> (<c>global = FALSE</c> for per-pair thresholds).
    /// </summary>
    /// <exception cref="AllianceInputException">When the items are not on an integer (Likert) scale, fewer than two
    /// items, or an item is constant or never answered.</exception>
    /// <param name="items">Rows × items on an integer scale.</param>
    /// <param name="thresholds">Global thresholds (psych's default) or per pair.</param>
    /// <param name="missing">Pairwise (default) or listwise rows.</param>
    /// <param name="correction">With per-pair thresholds, the count given to empty cells (psych 0.5; 0 as polycor).</param>
    /// <param name="cancellationToken">Cancellation.</param>
    public static PolychoricResult Polychoric(ResponseMatrix items, PolychoricThresholds thresholds = PolychoricThresholds.Global,
        MissingData missing = MissingData.Pairwise, double correction = 0.5, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (!(correction >= 0 && correction <= 1)) throw new ArgumentOutOfRangeException(nameof(correction), correction, "The continuity correction must be in [0, 1].");
        var data = ScaleData.Prepare(items, [], missing, "");
        return PolychoricOf(data, thresholds, correction, cancellationToken);
    }

    internal static PolychoricResult PolychoricOf(ScaleData data, PolychoricThresholds thresholds, double correction, CancellationToken cancellationToken)
    {
        if (!data.Scale.IsInteger || data.Scale.Points > 255)
            throw new AllianceInputException($"Polychoric correlations need ordered categories (an integer scale); these items are on a {data.Scale} scale.");
        return PolychoricEstimator.Estimate(data.Matrix, thresholds, correction, data.Usage, cancellationToken);
    }

    /// <summary>
    /// ω hierarchical from an exploratory Schmid–Leiman solution with <paramref name="groupFactors"/> group factors
    /// on the pairwise Pearson correlations. R: <c>psych::omega(x, nfactors = groupFactors)</c>.
    /// </summary>
    /// <exception cref="AllianceInputException">Bad input, or too few items for the number of factors.</exception>
    public static SchmidLeimanResult OmegaHierarchical(ResponseMatrix items, int groupFactors, FactorMethod method = FactorMethod.MinimumResidual,
        MissingData missing = MissingData.Pairwise)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (groupFactors < 2) throw new ArgumentOutOfRangeException(nameof(groupFactors), groupFactors, "ω hierarchical needs at least two group factors.");
        if (items.ItemCount <= 2 * groupFactors)
            throw new AllianceInputException($"{groupFactors} group factors need more than {2 * groupFactors} items; there are {items.ItemCount}.");
        var data = ScaleData.Prepare(items, [], missing, "");
        var moments = PairwiseMoments.Compute(data.Values, data.Stride, Enumerable.Repeat(data.Shift, data.Stride).ToArray());
        int k = data.ItemCount;
        var p = new double[k, k];
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
            {
                p[i, j] = moments.Correlation(i, j);
                if (double.IsNaN(p[i, j])) throw ScaleAnalysis.UndefinedCorrelation(data.Items[i], data.Items[j], "");
            }
        return Omega.SchmidLeiman(p, data.Items, groupFactors, method) with { Usage = data.Usage };
    }

    /// <summary>
    /// The six Shrout–Fleiss intraclass correlations of targets (rows) rated by several raters or on several occasions
    /// (columns), from the rows with every rating present. R: <c>psych::ICC(x, lmer = FALSE)</c>.
    /// </summary>
    /// <exception cref="AllianceInputException">Fewer than two raters, or fewer than two targets with every rating.</exception>
    public static IntraclassCorrelationResult IntraclassCorrelation(ResponseMatrix ratings, double level = Defaults.Level)
    {
        ArgumentNullException.ThrowIfNull(ratings);
        if (!(level > 0 && level < 1)) throw new ArgumentOutOfRangeException(nameof(level), level, "The confidence level must be in (0, 1).");
        if (ratings.ItemCount < 2) throw new AllianceInputException($"Intraclass correlations need at least two raters or occasions; got {ratings.ItemCount}.");
        var (complete, usage) = ratings.CompleteRows();
        if (complete.RowCount < 2) throw new AllianceInputException($"Intraclass correlations need at least two targets rated by every rater; {complete.RowCount} are.");
        return IntraclassCorrelationResult.Compute(complete, level, usage);
    }

    /// <summary>
    /// Intraclass correlations of a data set's total score across sessions: clients (rows) × the given sessions (all
    /// sessions by default), clients with a score at every session. The score is the instrument's total, or the sum
    /// of the items.
    /// </summary>
    /// <remarks>The usage counts clients; rows that never reached a client (left out when the data were prepared, or
    /// without client_id/session) are counted among those left out, one per row.</remarks>
    /// <param name="data">Prepared data (client_id and session columns; items keyed).</param>
    /// <param name="sessions">Sessions to compare (default all).</param>
    /// <param name="level">Confidence level of the intervals.</param>
    /// <exception cref="AllianceInputException">No client_id or session column, a duplicate client–session row, or too few clients.</exception>
    public static IntraclassCorrelationResult IntraclassCorrelation(AnalysisData data, IReadOnlyList<double>? sessions = null, double level = Defaults.Level)
    {
        ArgumentNullException.ThrowIfNull(data);
        var scores = SessionScores.From(data);
        var chosen = sessions?.ToArray() ?? scores.Sessions;
        var clients = scores.ByClient.Keys.Order(StringComparer.Ordinal).ToArray();
        var values = new double[clients.Length * chosen.Length];
        for (int c = 0; c < clients.Length; c++)
            for (int s = 0; s < chosen.Length; s++)
                values[c * chosen.Length + s] = scores.ByClient[clients[c]].TryGetValue(chosen[s], out var v) ? v.Score : double.NaN;
        var names = chosen.Select(s => "session " + s.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var observed = values.Where(v => !double.IsNaN(v)).ToArray();
        if (observed.Length == 0 || observed.Min() == observed.Max())
            throw new AllianceInputException($"{data.Source}: the session scores do not vary; intraclass correlations are undefined.");
        var matrix = ResponseMatrix.Create(values, names, ItemScale.Continuous(observed.Min(), observed.Max()));
        var result = IntraclassCorrelation(matrix, level);
        return result with
        {
            Usage = scores.ClientUsage().Exclude("clients not scored at every session", result.Usage.RowsExcluded),
            Ratings = $"{scores.ScoreName}; targets are clients, raters are sessions",
        };
    }

    /// <summary>
    /// The Jacobson–Truax reliable change index for pairs of scores (<paramref name="before"/>[i], <paramref name="after"/>[i]),
    /// with the proportions of reliable improvement, deterioration and no change. No R twin in psych; the formula is
    /// Jacobson &amp; Truax (1991), eq. 1–2.
    /// </summary>
    /// <exception cref="AllianceInputException">No reliability given, a reliability or level outside (0, 1), a given SD that is not positive, lists of different lengths, or constant first scores.</exception>
    public static ReliableChangeResult ReliableChange(IReadOnlyList<double> before, IReadOnlyList<double> after, ReliableChangeOptions options, IReadOnlyList<string>? ids = null)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        ArgumentNullException.ThrowIfNull(options);
        return ReliableChangeResult.Compute(before, after, options, ids, null);
    }

    /// <summary>
    /// Reliable change of a data set's total score between two sessions, client by client. Without a reliability in
    /// the options, raw α of the total over the rows of the first session is used, computed with
    /// <paramref name="reliabilityOptions"/> (missing-data rule and reversed items; pairwise by default, as psych);
    /// its n and exclusions are named in <see cref="ReliableChangeResult.Source"/>.
    /// </summary>
    /// <remarks>The usage counts clients; rows that never reached a client (left out when the data were prepared, or
    /// without client_id/session) are counted among those left out, one per row.</remarks>
    /// <param name="data">Prepared data (client_id and session columns; items keyed).</param>
    /// <param name="fromSession">The first session.</param>
    /// <param name="toSession">The second session.</param>
    /// <param name="options">Reliability, SD, level and direction.</param>
    /// <param name="reliabilityOptions">Missing-data rule of the default α.</param>
    /// <exception cref="AllianceInputException">No client_id or session column, an unknown session, the same session twice, or no client seen at both.</exception>
    public static ReliableChangeResult ReliableChange(AnalysisData data, double fromSession, double toSession, ReliableChangeOptions? options = null,
        ReliabilityOptions? reliabilityOptions = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        RequireNoReverse(reliabilityOptions);
        if (fromSession == toSession)
            throw new AllianceInputException($"Reliable change needs two different sessions; got {fromSession.ToString(System.Globalization.CultureInfo.InvariantCulture)} twice.");
        var scores = SessionScores.From(data);
        foreach (double s in new[] { fromSession, toSession })
            if (!scores.Sessions.Contains(s))
                throw new AllianceInputException($"{data.Source}: no session {s.ToString(System.Globalization.CultureInfo.InvariantCulture)} (sessions: {string.Join(", ", scores.Sessions.Select(x => x.ToString(System.Globalization.CultureInfo.InvariantCulture)))}).");
        var ids = new List<string>();
        var before = new List<double>();
        var after = new List<double>();
        var firstRows = new List<int>();
        int unpaired = 0;
        foreach (var (id, sessions) in scores.ByClient.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            bool a = sessions.TryGetValue(fromSession, out var x), b = sessions.TryGetValue(toSession, out var y);
            if (a) firstRows.Add(x.Row);
            if (!(a && b)) { unpaired++; continue; }
            ids.Add(id);
            before.Add(x.Score);
            after.Add(y.Score);
        }
        if (ids.Count == 0) throw new AllianceInputException($"{data.Source}: no client has a score at both sessions {fromSession.ToString(System.Globalization.CultureInfo.InvariantCulture)} and {toSession.ToString(System.Globalization.CultureInfo.InvariantCulture)}.");
        options ??= new ReliableChangeOptions();
        string source = $"scores: {scores.ScoreName}, sessions {fromSession.ToString(System.Globalization.CultureInfo.InvariantCulture)} and {toSession.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
        if (options.Reliability is null)
        {
            var first = data.Items.SelectRows(firstRows);
            var alphaOptions = (reliabilityOptions ?? new ReliabilityOptions()) with
            {
                Interval = AlphaIntervalMethod.Feldt, Ordinal = false, OmegaIfDeleted = false,
            };
            var total = AnalyzeKeyed(first, data.Instrument, data.Reversed, alphaOptions, null, null, null, default).Total;
            options = options with { Reliability = total.Alpha };
            source += $"; reliability: raw alpha of the total at session {fromSession.ToString(System.Globalization.CultureInfo.InvariantCulture)} " +
                $"({(alphaOptions.Missing == MissingData.Pairwise ? "pairwise" : "listwise")}, {total.Usage}; a test-retest reliability is better when known)";
        }
        var result = ReliableChangeResult.Compute(before, after, options, ids, null);
        int missing = result.Indexes.Count(double.IsNaN);
        var clientUsage = scores.ClientUsage().Exclude("clients not seen at both sessions", unpaired).Exclude("clients with a score missing at either session", missing);
        return result with { Usage = clientUsage, Source = source };
    }
}
