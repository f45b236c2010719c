using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using Alliance.Analytics.Data;
using Alliance.Analytics.Irt;
using Alliance.Analytics.Numerics;
using Alliance.Analytics.Presentation;

namespace Alliance.Analytics.Formats;

/// <summary>Options of <see cref="FormatLinking.Link(ResponseMatrix, ResponseMatrix, LinkingOptions?, string, string, DataUsage?, IProgress{AnalysisProgress}?, CancellationToken)"/>.</summary>
public sealed record LinkingOptions
{
    /// <summary>
    /// Model of the two calibrations. Default: the graded response model by marginal ML, each form's latent
    /// distribution N(0, 1) — with the same respondents that standardisation puts both forms on one θ scale
    /// (equivalent-groups scaling). Rasch models (rating scale, partial credit) are fitted by CML and linked by
    /// common-person mean/sigma instead.
    /// </summary>
    public IrtModelType Model { get; init; } = IrtModelType.GradedResponse;

    /// <summary>Bootstrap resamples of the persons for the equipercentile SEs and the Rasch linking constants (default 500; Kolen &amp; Brennan 2014, §7.1).</summary>
    public int Replicates { get; init; } = 500;

    /// <summary>
    /// Bootstrap resamples with both forms recalibrated, for the SEs of the IRT true-score crosswalk under a marginal
    /// (graded) calibration (default 0: not computed; each costs two fits).
    /// </summary>
    public int CalibrationReplicates { get; init; }

    /// <summary>Seed of the bootstrap (block b uses <c>RandomStream.Create(Seed, b)</c>).</summary>
    public long Seed { get; init; } = Defaults.Seed;


    /// <summary>Threads to use (default all cores). Results are identical for any value.</summary>
    public int? MaxDegreeOfParallelism { get; init; }

    internal int Threads => Math.Max(1, MaxDegreeOfParallelism ?? Environment.ProcessorCount);
}

/// <summary>
/// One row of a crosswalk: a raw score of form X and its equivalents on form Y.
/// </summary>
/// <param name="ScoreX">Raw (summed) score on X, in X's scale units.</param>
/// <param name="Count">Persons (complete on both forms) with this score on X.</param>
/// <param name="Equipercentile">Equipercentile equivalent on Y (single-group design, percentile-rank continuization).</param>
/// <param name="EquipercentileStandardError">Bootstrap SE of the equipercentile equivalent.</param>
/// <param name="ThetaX">θ on X's scale whose expected X score is <paramref name="ScoreX"/> (±∞ at the ends).</param>
/// <param name="ThetaY">The same θ on Y's scale: A θ_X + B.</param>
/// <param name="TrueScore">IRT true-score equivalent on Y: T_Y(A θ_X + B).</param>
/// <param name="TrueScoreStandardError">Bootstrap SE of the true-score equivalent: with recalibration of both forms (<see cref="LinkingOptions.CalibrationReplicates"/>), or for Rasch calibrations from resampling the persons behind the linking constants with the item parameters held; NaN when not computed.</param>
public sealed record CrosswalkRow(int ScoreX, int Count, double Equipercentile, double EquipercentileStandardError, double ThetaX, double ThetaY, double TrueScore, double TrueScoreStandardError);

/// <summary>
/// Two response formats answered by the same respondents, put on one θ scale, with a crosswalk from raw scores of one
/// (X) to the other (Y) and its standard errors (made by <see cref="FormatLinking.Link(ResponseMatrix, ResponseMatrix, LinkingOptions?, string, string, DataUsage?, IProgress{AnalysisProgress}?, CancellationToken)"/>).
/// </summary>
public sealed record FormatLink : IAnalysisResult
{
    /// <summary>Name of form X (e.g. "7-point").</summary>
    public required string NameX { get; init; }

    /// <summary>Name of form Y.</summary>
    public required string NameY { get; init; }

    /// <summary>Calibration of X.</summary>
    public required IrtFit FitX { get; init; }

    /// <summary>Calibration of Y.</summary>
    public required IrtFit FitY { get; init; }

    /// <summary>Slope A of θ_Y = A θ_X + B.</summary>
    public required double A { get; init; }

    /// <summary>Intercept B.</summary>
    public required double B { get; init; }

    /// <summary>Bootstrap SE of A.</summary>
    public required double AStandardError { get; init; }

    /// <summary>Bootstrap SE of B.</summary>
    public required double BStandardError { get; init; }

    /// <summary>Persons measured on both forms (behind A and B).</summary>
    public required int CommonPersons { get; init; }

    /// <summary>Persons complete on both forms (behind the equipercentile crosswalk).</summary>
    public required int CompletePairs { get; init; }

    /// <summary>Pearson correlation of the raw totals of the two forms (persons complete on both).</summary>
    public required double ScoreCorrelation { get; init; }

    /// <summary>How the two θ scales were put on one: equivalent-groups scaling (marginal fits), common-person mean/sigma (Rasch fits) or common-item mean/sigma.</summary>
    public required string LinkMethod { get; init; }

    /// <summary>Anchor items answered in the same format by both groups (common-item design); empty when the same respondents answered both forms.</summary>
    public ImmutableArray<string> Anchors { get; init; } = [];

    /// <summary>The crosswalk, one row per possible raw score of X.</summary>
    public required ImmutableArray<CrosswalkRow> Crosswalk { get; init; }

    /// <summary>The options used.</summary>
    public required LinkingOptions Options { get; init; }

    /// <inheritdoc/>
    public required DataUsage Usage { get; init; }

    /// <inheritdoc/>
    public required IReadOnlyList<string> Warnings { get; init; }

    private static string SeText(double se) => double.IsNaN(se) ? "—" : se.ToString("F4", CultureInfo.InvariantCulture);

    /// <summary>The crosswalk row of raw score <paramref name="scoreX"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When the score is outside X's range.</exception>
    public CrosswalkRow this[int scoreX] => Crosswalk.FirstOrDefault(r => r.ScoreX == scoreX)
        ?? throw new ArgumentOutOfRangeException(nameof(scoreX), scoreX, $"{NameX} scores run from {Crosswalk[0].ScoreX} to {Crosswalk[^1].ScoreX}");

    /// <inheritdoc/>
    public ResultSummary Summary()
    {
        var lines = new List<string>
        {
            Usage.ToString(),
            Anchors.IsDefaultOrEmpty
                ? $"{NameX} ({FitX.Items.Length} items) → {NameY} ({FitY.Items.Length} items), the same respondents (single-group design)"
                : $"{NameX} ({FitX.Items.Length - Anchors.Length} items) → {NameY} ({FitY.Items.Length - Anchors.Length} items), different groups linked through {Anchors.Length} anchor items ({string.Join(", ", Anchors)})",
            $"θ scale link ({LinkMethod}): θ_{NameY} = {A.ToString("F4", CultureInfo.InvariantCulture)} (SE {SeText(AStandardError)}) × θ_{NameX} {(B < 0 ? "−" : "+")} {Math.Abs(B).ToString("F4", CultureInfo.InvariantCulture)} (SE {SeText(BStandardError)}); " +
                (Anchors.IsDefaultOrEmpty ? $"{CommonPersons} persons" : $"groups of {FitX.Usage.RowsUsed.ToString("N0", CultureInfo.InvariantCulture)} ({NameX}) and {FitY.Usage.RowsUsed.ToString("N0", CultureInfo.InvariantCulture)} ({NameY}) persons"),
        };
        if (Anchors.IsDefaultOrEmpty)
        {
            lines.Add($"Raw totals correlate r = {ScoreCorrelation.ToString("F3", CultureInfo.InvariantCulture)} ({CompletePairs} persons complete on both forms)");
            lines.Add($"Equipercentile crosswalk on {CompletePairs} persons complete on both forms; SEs from {Options.Replicates} bootstrap resamples (seed {Options.Seed})");
        }
        else lines.Add("Different groups: only the IRT true-score crosswalk (an equipercentile crosswalk needs the same persons); n is the X group's count at each score");
        var table = Anchors.IsDefaultOrEmpty
            ? new ResultTable($"Crosswalk: {NameX} raw score → {NameY}",
                [TableColumn.Integer(NameX), TableColumn.Integer("n"), TableColumn.Number("equipercentile", 2), TableColumn.Number("se", 2),
                 TableColumn.Number("θ", 2), TableColumn.Number("true score", 2), TableColumn.Number("se", 2)],
                [.. Crosswalk.Select(r => (IReadOnlyList<object?>)[r.ScoreX, r.Count, r.Equipercentile, r.EquipercentileStandardError, r.ThetaX, r.TrueScore, r.TrueScoreStandardError])])
            : new ResultTable($"Crosswalk: {NameX} raw score (own items) → {NameY}",
                [TableColumn.Integer(NameX), TableColumn.Integer("n"), TableColumn.Number("θ", 2), TableColumn.Number("true score", 2), TableColumn.Number("se", 2)],
                [.. Crosswalk.Select(r => (IReadOnlyList<object?>)[r.ScoreX, r.Count, r.ThetaX, r.TrueScore, r.TrueScoreStandardError])]);
        bool commonItems = !Anchors.IsDefaultOrEmpty;
        var notes = new List<string>
        {
            commonItems
                ? "A and B: mean/sigma of the anchors' thresholds in the two calibrations (Marco 1977; Kolen & Brennan 2014, §6.2); the crosswalk sums each form's own items only."
                : "equipercentile: e_Y(x) = Q⁻¹(P(x)), percentile ranks of the continuized (uniform-kernel) score distributions of the same persons (Kolen & Brennan 2014, ch. 2).",
            $"true score: T_{NameY}(A·θ + B) at the θ where T_{NameX}(θ) = x (Lord 1980; Kolen & Brennan 2014, §6.3), each form calibrated by the {IrtFit.ModelName(FitX.Model)} ({(FitX.Estimation == IrtEstimation.Conditional ? "CML" : "MML")}); the ends map to the ends.",
            FitX.Estimation == IrtEstimation.Conditional && !commonItems
                ? "SE of the true-score equivalent: persons resampled for A and B with the item parameters held at their estimates (item-parameter error not included)."
                : Options.CalibrationReplicates > 0
                    ? $"SE of the true-score equivalent: {Options.CalibrationReplicates} bootstrap resamples of the persons, both forms recalibrated each time."
                    : "SE of the true-score equivalent: not computed (ask for calibration resamples; each refits both forms).",
        };
        return new ResultSummary($"Linking {NameX} and {NameY}", lines, [table], notes, Warnings);
    }

    /// <summary><c>{"n", "data", "warnings", "form_x", "form_y", "model", "link": {"a", "b", "a_se", "b_se", "common_persons", "method"}, "complete_pairs", "score_correlation", "replicates", "calibration_replicates", "anchors", "crosswalk": [{"score_x", "count", "equipercentile", "equipercentile_se", "theta_x", "theta_y", "true_score", "true_score_se"}]}</c>.</summary>
    public JsonObject ToJson()
    {
        var o = JsonOutput.Document(this);
        o["form_x"] = NameX;
        o["form_y"] = NameY;
        o["anchors"] = JsonOutput.Strings(Anchors.IsDefault ? [] : Anchors);
        o["model"] = IrtFit.ModelKey(FitX.Model);
        o["link"] = new JsonObject
        {
            ["method"] = LinkMethod,
            ["a"] = JsonOutput.Number(A), ["b"] = JsonOutput.Number(B), ["a_se"] = JsonOutput.Number(AStandardError), ["b_se"] = JsonOutput.Number(BStandardError),
            ["common_persons"] = CommonPersons,
        };
        o["complete_pairs"] = CompletePairs;
        o["score_correlation"] = JsonOutput.Number(ScoreCorrelation);
        o["replicates"] = Options.Replicates;
        o["calibration_replicates"] = Options.CalibrationReplicates;
        o["crosswalk"] = new JsonArray([.. Crosswalk.Select(r => (JsonNode)new JsonObject
        {
            ["score_x"] = r.ScoreX, ["count"] = r.Count,
            ["equipercentile"] = JsonOutput.Number(r.Equipercentile), ["equipercentile_se"] = JsonOutput.Number(r.EquipercentileStandardError),
            ["theta_x"] = JsonOutput.Number(r.ThetaX), ["theta_y"] = JsonOutput.Number(r.ThetaY),
            ["true_score"] = JsonOutput.Number(r.TrueScore), ["true_score_se"] = JsonOutput.Number(r.TrueScoreStandardError),
        })]);
        return o;
    }

    /// <summary>"7-point → 5-point: θ_Y = 1.12 θ_X + 0.03; 217 rows".</summary>
    public override string ToString() =>
        $"{NameX} → {NameY}: θ_Y = {A.ToString("F3", CultureInfo.InvariantCulture)} θ_X {(B < 0 ? "−" : "+")} {Math.Abs(B).ToString("F3", CultureInfo.InvariantCulture)}; {Crosswalk.Length} rows";
}

/// <summary>
/// Links two response formats answered by the same respondents (single-group design): both calibrated, put on one θ
/// scale, and a crosswalk from raw scores of X to Y by two methods side by side.
/// </summary>
/// <remarks>
/// <para><b>θ scale.</b> By default each form is calibrated by the graded response model (Samejima 1969) by marginal ML
/// with θ ~ N(0, 1). The same persons answered both forms, so the two standardisations refer to one population and the
/// two θ scales coincide (A = 1, B = 0): the scaling of separate calibrations in an equivalent-groups design (Kolen &amp;
/// Brennan 2014, §6.2; here the groups are not merely equivalent but identical). With a Rasch model each form is
/// calibrated by CML, whose origin and unit are arbitrary, and the scales are linked through the common persons by
/// mean/sigma (Marco 1977; Kolen &amp; Brennan 2014, §6.2 with persons in place of common items; Wright &amp; Stone
/// 1979): with the persons' WLE measures, μ the mean and σ the error-corrected SD √(var θ̂ − mean SE²),
/// A = σ_Y/σ_X and B = μ_Y − A μ_X. The graded model is the default because a 7-point format with crowded middle
/// categories is not a divide-by-total (Rasch, GPCM) response process: on the simulator's cohort the partial credit
/// true-score crosswalk is up to 4 points off where the clients are, the graded one within a few tenths of the truth.</para>
/// <para><b>Crosswalk.</b> (1) IRT true-score equating (Lord 1980; Kolen &amp; Brennan 2014, §6.3): x ↦ T_Y(A θ + B)
/// where T_X(θ) = x, T the test characteristic curve in scale units; the lowest and highest scores map to each other.
/// (2) Equipercentile equating in the single-group design (Kolen &amp; Brennan 2014, ch. 2): percentile ranks
/// P(x) = 100[F(x* − 1) + (x − x* + ½)(F(x*) − F(x* − 1))] of the continuized distributions, e_Y(x) = P_Y⁻¹(P_X(x)),
/// no presmoothing. SEs: a nonparametric bootstrap over persons (Kolen &amp; Brennan 2014, §7.1), in blocks with one
/// random stream each, so the same for any thread count.</para>
/// </remarks>
public static class FormatLinking
{
    /// <summary>
    /// Links two prepared data sets of the same respondents, row by row (rows are paired by <c>client_id</c> and
    /// <c>session</c> when both files have them, else by position), on their keyed items (each file's reverse keys
    /// were applied when it was prepared). The usage is the first file's, with the rows without a partner counted.
    /// </summary>
    /// <exception cref="AllianceInputException">When the files cannot be paired or either is not on a Likert scale.</exception>
    public static FormatLink Link(AnalysisData x, AnalysisData y, LinkingOptions? options = null, string? nameX = null, string? nameY = null,
        IProgress<AnalysisProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        var keyedX = FormatInput.From(x, new FormatOptions()).Items;
        var keyedY = FormatInput.From(y, new FormatOptions()).Items;
        var (rowsX, rowsY, unpaired) = Pair(x, y);
        var mx = keyedX.SelectRows(rowsX);
        var my = keyedY.SelectRows(rowsY);
        var paired = x.Usage.Exclude($"no matching row (client_id and session) in {Path.GetFileName(y.Source)}", unpaired);
        nameX ??= $"{keyedX.Scale.Points}-point";
        nameY ??= $"{keyedY.Scale.Points}-point";
        if (nameX == nameY) { nameX = Path.GetFileNameWithoutExtension(x.Source); nameY = Path.GetFileNameWithoutExtension(y.Source); }
        return Link(mx, my, options, nameX, nameY, paired, progress, cancellationToken);
    }

    private static (int[] X, int[] Y, int Unpaired) Pair(AnalysisData x, AnalysisData y)
    {
        if (x.ClientId is { } cx && y.ClientId is { } cy && x.Session is { } sx && y.Session is { } sy)
        {
            var index = new Dictionary<(string, double), int>();
            for (int r = 0; r < y.RowCount; r++)
                if (cy[r] is { } id && !index.TryAdd((id, sy[r]), r))
                    throw new AllianceInputException($"{Path.GetFileName(y.Source)}: client {id}, session {sy[r]} appears twice: rows cannot be paired");
            var seen = new HashSet<(string, double)>();
            for (int r = 0; r < x.RowCount; r++)
                if (cx[r] is { } id && !seen.Add((id, sx[r])))
                    throw new AllianceInputException($"{Path.GetFileName(x.Source)}: client {id}, session {sx[r]} appears twice: rows cannot be paired");
            var rx = new List<int>();
            var ry = new List<int>();
            for (int r = 0; r < x.RowCount; r++)
                if (cx[r] is { } id && index.TryGetValue((id, sx[r]), out int m)) { rx.Add(r); ry.Add(m); }
            if (rx.Count < 3) throw new AllianceInputException($"only {rx.Count} rows of {Path.GetFileName(x.Source)} and {Path.GetFileName(y.Source)} share client_id and session: the same respondents must answer both formats");
            return ([.. rx], [.. ry], x.RowCount - rx.Count);
        }
        if (x.RowCount != y.RowCount)
            throw new AllianceInputException($"{Path.GetFileName(x.Source)} has {x.RowCount} rows and {Path.GetFileName(y.Source)} {y.RowCount}: without client_id and session columns the rows are paired by position and must match");
        var all = Enumerable.Range(0, x.RowCount).ToArray();
        return (all, all, 0);
    }

    /// <summary>
    /// Links two keyed response matrices of the same respondents (row i of <paramref name="x"/> and of
    /// <paramref name="y"/> are the same person).
    /// </summary>
    /// <exception cref="AllianceInputException">When the row counts differ, either is not on a Likert scale, or fewer than 3 persons are complete on both.</exception>
    public static FormatLink Link(ResponseMatrix x, ResponseMatrix y, LinkingOptions? options = null, string nameX = "X", string nameY = "Y",
        DataUsage? usage = null, IProgress<AnalysisProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        options ??= new LinkingOptions();
        if (x.RowCount != y.RowCount) throw new AllianceInputException($"forms {nameX} and {nameY} have {x.RowCount} and {y.RowCount} rows: the same respondents must answer both");
        if (options.Replicates < 20) throw new AllianceInputException($"use at least 20 bootstrap resamples (LinkingOptions.Replicates), not {options.Replicates}", "LinkingOptions.Replicates");
        if (options.Replicates > Defaults.MaxResamples) throw new AllianceInputException($"use at most {Defaults.MaxResamples} bootstrap resamples (LinkingOptions.Replicates), not {options.Replicates}", "LinkingOptions.Replicates");
        if (options.CalibrationReplicates < 0) throw new AllianceInputException("the number of calibration resamples (LinkingOptions.CalibrationReplicates) cannot be negative", "LinkingOptions.CalibrationReplicates");
        foreach (var (m, name) in new[] { (x, nameX), (y, nameY) })
            if (!m.Scale.IsInteger) throw new AllianceInputException($"form {name} is not on a Likert scale ({m.Scale})");
        bool rasch = options.Model is IrtModelType.PartialCredit or IrtModelType.RatingScale;

        var irt = rasch
            ? new IrtOptions { Model = options.Model, MaxDegreeOfParallelism = options.MaxDegreeOfParallelism }
            : new IrtOptions { Model = options.Model, StandardErrors = false, Diagnostics = false, MaxDegreeOfParallelism = options.MaxDegreeOfParallelism };
        progress?.Report(new AnalysisProgress($"calibrating {nameX}", double.NaN));
        var fitX = IrtAnalysis.Fit(x, irt, usage, cancellationToken: cancellationToken);
        progress?.Report(new AnalysisProgress($"calibrating {nameY}", double.NaN));
        var fitY = IrtAnalysis.Fit(y, irt, usage, cancellationToken: cancellationToken);
        var warnings = new List<string>();
        foreach (var (f, name) in new[] { (fitX, nameX), (fitY, nameY) })
        {
            if (!f.Convergence.Converged) warnings.Add($"calibration of {name} did not converge: {f.Convergence}");
            if (!f.ExcludedItems.IsDefaultOrEmpty) warnings.Add($"{name}: items left out of the calibration ({string.Join("; ", f.ExcludedItems)}); the crosswalk covers the remaining items only");
        }

        // the θ link: Rasch fits by common-person mean/sigma; marginal fits share the N(0, 1) of the same persons
        (double X, double SeX, double Y, double SeY)[] common = [];
        double a = 1, b = 0;
        if (rasch)
        {
            var byRowY = fitY.Persons.Where(p => double.IsFinite(p.Theta)).ToDictionary(p => p.Row);
            common = [.. fitX.Persons.Where(p => double.IsFinite(p.Theta) && byRowY.ContainsKey(p.Row))
                .Select(p => (p.Theta, p.StandardError, byRowY[p.Row].Theta, byRowY[p.Row].StandardError))];
            if (common.Length < 3) throw new AllianceInputException($"only {common.Length} persons are measured on both forms");
            (a, b) = MeanSigma(common, null);
            if (!double.IsFinite(a))
                throw new AllianceInputException("the persons' measures vary no more than their standard errors on one form: the common-person mean/sigma link is undefined");
        }

        // complete pairs for the equipercentile crosswalk
        var itemsX = fitX.Items.Select(i => x.IndexOf(i.Name)).ToArray();
        var itemsY = fitY.Items.Select(i => y.IndexOf(i.Name)).ToArray();
        var sx = new List<int>();
        var sy = new List<int>();
        for (int r = 0; r < x.RowCount; r++)
        {
            double tx = Sum(x.Row(r), itemsX), ty = Sum(y.Row(r), itemsY);
            if (double.IsNaN(tx) || double.IsNaN(ty)) continue;
            sx.Add((int)Math.Round(tx));
            sy.Add((int)Math.Round(ty));
        }
        if (sx.Count < 3) throw new AllianceInputException($"only {sx.Count} persons answered every item of both forms");
        int minX = (int)Math.Round(fitX.Items.Sum(i => i.Categories[0])), maxX = (int)Math.Round(fitX.Items.Sum(i => i.Categories[^1]));
        int minY = (int)Math.Round(fitY.Items.Sum(i => i.Categories[0])), maxY = (int)Math.Round(fitY.Items.Sum(i => i.Categories[^1]));
        var scoresX = sx.ToArray();
        var scoresY = sy.ToArray();
        var equi = Equipercentile.Equate(scoresX, scoresY, minX, maxX, minY, maxY, null);

        int nx = maxX - minX + 1;
        var thetaX = TrueScoreThetas(fitX, minX, maxX);
        var trueScore = TrueScores(fitY, thetaX, a, b, minY, maxY);

        // bootstrap: persons resampled for the equipercentile crosswalk and the Rasch linking constants
        progress?.Report(new AnalysisProgress("bootstrap", double.NaN));
        int reps = options.Replicates;
        const int block = 25;
        int blocks = (reps + block - 1) / block;
        var eqRep = new double[reps][];
        var tsRep = new double[reps][];
        var abRep = new (double A, double B)[reps];
        Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = options.Threads, CancellationToken = cancellationToken }, blk =>
        {
            var rng = RandomStream.Create(options.Seed, blk);
            var w1 = new int[Math.Max(1, common.Length)];
            var w2 = new int[scoresX.Length];
            for (int rep = blk * block; rep < Math.Min(reps, (blk + 1) * block); rep++)
            {
                if (rasch)
                {
                    Array.Clear(w1);
                    for (int i = 0; i < common.Length; i++) w1[rng.NextInt(common.Length)]++;
                    var (ra, rb) = MeanSigma(common, w1);
                    abRep[rep] = (ra, rb);
                    tsRep[rep] = TrueScores(fitY, thetaX, ra, rb, minY, maxY);
                }
                Array.Clear(w2);
                for (int i = 0; i < scoresX.Length; i++) w2[rng.NextInt(scoresX.Length)]++;
                eqRep[rep] = Equipercentile.Equate(scoresX, scoresY, minX, maxX, minY, maxY, w2);
            }
        });
        double Sd(int count, Func<int, double> f) => Moments.MeanSd(Enumerable.Range(0, count).Select(f).ToArray()).StandardDeviation;
        Func<int, double> trueSe = _ => double.NaN;
        if (rasch) trueSe = i => Sd(reps, r => tsRep[r][i]);
        else if (options.CalibrationReplicates > 0)
        {
            var single = irt with { MaxDegreeOfParallelism = 1 };
            var refit = Recalibrations(options, 1_000_000, warnings, rng =>
            {
                var rows = new int[x.RowCount];
                for (int i = 0; i < rows.Length; i++) rows[i] = rng.NextInt(x.RowCount);
                var fx = IrtAnalysis.Fit(x.SelectRows(rows), single, cancellationToken: cancellationToken);
                var fy = IrtAnalysis.Fit(y.SelectRows(rows), single, cancellationToken: cancellationToken);
                return SameCalibration(fitX, fx) && SameCalibration(fitY, fy)
                    ? new Recalibration(1, 0, TrueScores(fy, TrueScoreThetas(fx, minX, maxX), 1, 0, minY, maxY))
                    : null;
            }, progress, cancellationToken);
            trueSe = i => refit.Length < 2 ? double.NaN : Sd(refit.Length, r => refit[r].TrueScores[i]);
        }
        var counts = new int[nx];
        foreach (int s in scoresX) counts[s - minX]++;
        var rows = Enumerable.Range(0, nx).Select(i => new CrosswalkRow(minX + i, counts[i], equi[i], Sd(reps, r => eqRep[r][i]),
            thetaX[i], a * thetaX[i] + b, trueScore[i], i == 0 || i == nx - 1 ? 0 : trueSe(i))).ToImmutableArray();
        double corr = Outcomes.Correlations.Coefficient(scoresX.Select(v => (double)v).ToArray(), scoresY.Select(v => (double)v).ToArray(), Outcomes.CorrelationMethod.Pearson);
        return new FormatLink
        {
            NameX = nameX, NameY = nameY, FitX = fitX, FitY = fitY,
            A = a, B = b, AStandardError = rasch ? Sd(reps, r => abRep[r].A) : 0, BStandardError = rasch ? Sd(reps, r => abRep[r].B) : 0,
            LinkMethod = rasch ? "common-person mean/sigma" : "equivalent groups: both calibrations standardise the same persons to N(0, 1)",
            CommonPersons = rasch ? common.Length : fitX.PersonCount,
            CompletePairs = scoresX.Length, ScoreCorrelation = corr,
            Crosswalk = rows, Options = options,
            Usage = fitX.Usage,
            Warnings = warnings,
        };
    }

    /// <summary>θ_X at every raw score of X (−∞ and +∞ at the ends).</summary>
    private static double[] TrueScoreThetas(IrtFit fitX, int minX, int maxX, int[]? items = null) =>
        [.. Enumerable.Range(minX, maxX - minX + 1).Select(v => InverseCharacteristic(fitX, v, minX, maxX, items))];

    private static double[] TrueScores(IrtFit fitY, double[] thetaX, double a, double b, int minY, int maxY, int[]? items = null) =>
        [.. thetaX.Select(t => double.IsNegativeInfinity(t) ? minY : double.IsPositiveInfinity(t) ? maxY : Characteristic(fitY, a * t + b, items))];

    /// <summary>One recalibrated resample: its linking constants and true-score crosswalk.</summary>
    private sealed record Recalibration(double A, double B, double[] TrueScores);

    /// <summary>
    /// Bootstrap resamples with both forms recalibrated, in parallel: resample r draws from stream
    /// <paramref name="streamBase"/> + r, so the result does not depend on the thread count. A resample whose
    /// calibrations cannot be used (an input error, no convergence, or items or categories other than the main fits')
    /// is left out and counted in a warning.
    /// </summary>
    private static Recalibration[] Recalibrations(LinkingOptions options, long streamBase, List<string> warnings, Func<RandomStream, Recalibration?> resample,
        IProgress<AnalysisProgress>? progress, CancellationToken token)
    {
        int reps = options.CalibrationReplicates, done = 0;
        var result = new Recalibration?[reps];
        var gate = new object();
        Parallel.For(0, reps, new ParallelOptions { MaxDegreeOfParallelism = options.Threads, CancellationToken = token }, r =>
        {
            try { result[r] = resample(RandomStream.Create(options.Seed, streamBase + r)); }
            catch (AllianceInputException) { result[r] = null; }
            int k = Interlocked.Increment(ref done);
            if (progress is not null) lock (gate) progress.Report(new AnalysisProgress("recalibrating resamples", (double)k / reps));
        });
        var used = result.OfType<Recalibration>().ToArray();
        if (used.Length < reps)
            warnings.Add($"{reps - used.Length} of {reps} recalibrated resamples were left out (a calibration failed, did not converge, or lost an item or category); the true-score SEs rest on {used.Length}");
        return used;
    }

    /// <summary>Whether a resample's calibration converged on the same items with the same categories as the main one.</summary>
    private static bool SameCalibration(IrtFit main, IrtFit resample) =>
        resample.Convergence.Converged && main.Items.Length == resample.Items.Length
        && main.Items.Zip(resample.Items).All(p => p.First.Name == p.Second.Name && p.First.Categories.SequenceEqual(p.Second.Categories));

    /// <summary>
    /// Common-item linking of two files answered by different groups (see the matrix overload): each file holds its
    /// format's items plus the <paramref name="anchors"/>, on the keyed items of each prepared file, with each file's usage.
    /// </summary>
    public static FormatLink LinkCommonItems(AnalysisData x, AnalysisData y, IReadOnlyList<string> anchors, LinkingOptions? options = null,
        string? nameX = null, string? nameY = null, IProgress<AnalysisProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        var keyedX = FormatInput.From(x, new FormatOptions()).Items;
        var keyedY = FormatInput.From(y, new FormatOptions()).Items;
        nameX ??= Path.GetFileNameWithoutExtension(x.Source);
        nameY ??= Path.GetFileNameWithoutExtension(y.Source);
        return LinkCommonItems(keyedX, keyedY, anchors, options, nameX, nameY, x.Usage, y.Usage, progress, cancellationToken);
    }

    /// <summary>
    /// Links two formats answered by different groups through anchor items both groups answered in the same format
    /// (common-item, non-equivalent groups design with an external anchor; Kolen &amp; Brennan 2014, §6.2): each group's
    /// matrix holds its form's items plus the anchors (same column names). Each is calibrated (graded by MML by default,
    /// each group's own N(0, 1)); the Y scale is put on X's by mean/sigma of the anchors' thresholds (Marco 1977):
    /// θ_Y = A θ_X + B with A = SD(b_Y)/SD(b_X), B = mean(b_Y) − A mean(b_X) over every threshold of every anchor. The
    /// crosswalk is IRT true-score equating of the forms' own items (anchors excluded); SEs need
    /// <see cref="LinkingOptions.CalibrationReplicates"/> (each group resampled and recalibrated).
    /// </summary>
    /// <exception cref="AllianceInputException">Fewer than two anchors, an anchor missing from either matrix or with different categories in the two calibrations, or no item besides the anchors.</exception>
    public static FormatLink LinkCommonItems(ResponseMatrix x, ResponseMatrix y, IReadOnlyList<string> anchors, LinkingOptions? options = null,
        string nameX = "X", string nameY = "Y", DataUsage? usageX = null, DataUsage? usageY = null,
        IProgress<AnalysisProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentNullException.ThrowIfNull(anchors);
        options ??= new LinkingOptions();
        if (anchors.Count < 2) throw new AllianceInputException("common-item linking needs at least two anchor items");
        foreach (var anchor in anchors)
            foreach (var (m, name) in new[] { (x, nameX), (y, nameY) })
                if (m.Items.IndexOf(anchor) < 0) throw new AllianceInputException($"anchor item {anchor} is not among the items of form {name}");
        if (x.ItemCount <= anchors.Count || y.ItemCount <= anchors.Count) throw new AllianceInputException("each form needs items besides the anchors");
        if (options.CalibrationReplicates < 0) throw new AllianceInputException("the number of calibration resamples (LinkingOptions.CalibrationReplicates) cannot be negative", "LinkingOptions.CalibrationReplicates");
        bool rasch = options.Model is IrtModelType.PartialCredit or IrtModelType.RatingScale;
        var irt = new IrtOptions { Model = options.Model, StandardErrors = false, Diagnostics = false, MaxDegreeOfParallelism = options.MaxDegreeOfParallelism };
        var warnings = new List<string>();

        (IrtFit X, IrtFit Y, double A, double B, int[] ItemsX, int[] ItemsY) Calibrate(ResponseMatrix mx, ResponseMatrix my, IrtOptions o, DataUsage? ux, DataUsage? uy)
        {
            var fx = IrtAnalysis.Fit(mx, o, ux, cancellationToken: cancellationToken);
            var fy = IrtAnalysis.Fit(my, o, uy, cancellationToken: cancellationToken);
            var bx = new List<double>();
            var by = new List<double>();
            foreach (var anchor in anchors)
            {
                var ix = fx.Items.FirstOrDefault(i => i.Name == anchor) ?? throw new AllianceInputException($"anchor item {anchor} was left out of the calibration of {nameX}");
                var iy = fy.Items.FirstOrDefault(i => i.Name == anchor) ?? throw new AllianceInputException($"anchor item {anchor} was left out of the calibration of {nameY}");
                if (!ix.Categories.SequenceEqual(iy.Categories))
                    throw new AllianceInputException($"anchor item {anchor} has categories {string.Join(",", ix.Categories)} in {nameX} but {string.Join(",", iy.Categories)} in {nameY}: anchors must be answered in the same format");
                bx.AddRange(ix.B);
                by.AddRange(iy.B);
            }
            var (_, mX, sX) = Moments.MeanSd(bx.ToArray());
            var (_, mY, sY) = Moments.MeanSd(by.ToArray());
            double slope = sY / sX;
            var ax = Enumerable.Range(0, fx.Items.Length).Where(j => !anchors.Contains(fx.Items[j].Name)).ToArray();
            var ay = Enumerable.Range(0, fy.Items.Length).Where(j => !anchors.Contains(fy.Items[j].Name)).ToArray();
            return (fx, fy, slope, mY - slope * mX, ax, ay);
        }

        progress?.Report(new AnalysisProgress("calibrating both groups", double.NaN));
        var (fitX, fitY, a, b, itemsX, itemsY) = Calibrate(x, y, irt, usageX, usageY);
        if (!double.IsFinite(a) || a <= 0)
            throw new AllianceInputException("the anchors' thresholds do not vary in one calibration: the mean/sigma link is undefined");
        foreach (var (f, name) in new[] { (fitX, nameX), (fitY, nameY) })
            if (!f.Convergence.Converged) warnings.Add($"calibration of {name} did not converge: {f.Convergence}");
        int minX = (int)Math.Round(itemsX.Sum(j => fitX.Items[j].Categories[0])), maxX = (int)Math.Round(itemsX.Sum(j => fitX.Items[j].Categories[^1]));
        int minY = (int)Math.Round(itemsY.Sum(j => fitY.Items[j].Categories[0])), maxY = (int)Math.Round(itemsY.Sum(j => fitY.Items[j].Categories[^1]));
        var thetaX = TrueScoreThetas(fitX, minX, maxX, itemsX);
        var trueScore = TrueScores(fitY, thetaX, a, b, minY, maxY, itemsY);

        Recalibration[]? reps = null;
        if (options.CalibrationReplicates > 0)
        {
            var single = irt with { MaxDegreeOfParallelism = 1 };
            reps = Recalibrations(options, 2_000_000, warnings, rng =>
            {
                var rx = new int[x.RowCount];
                for (int i = 0; i < rx.Length; i++) rx[i] = rng.NextInt(x.RowCount);
                var ry = new int[y.RowCount];
                for (int i = 0; i < ry.Length; i++) ry[i] = rng.NextInt(y.RowCount);
                var c = Calibrate(x.SelectRows(rx), y.SelectRows(ry), single, null, null);
                return SameCalibration(fitX, c.X) && SameCalibration(fitY, c.Y) && double.IsFinite(c.A)
                    ? new Recalibration(c.A, c.B, TrueScores(c.Y, TrueScoreThetas(c.X, minX, maxX, c.ItemsX), c.A, c.B, minY, maxY, c.ItemsY))
                    : null;
            }, progress, cancellationToken);
            if (reps.Length < 2) reps = null;
        }
        double Sd(IEnumerable<double> v) => Moments.MeanSd(v.ToArray()).StandardDeviation;
        var colsX = itemsX.Select(j => x.IndexOf(fitX.Items[j].Name)).ToArray();
        int nx = maxX - minX + 1;
        var counts = new int[nx];
        for (int r = 0; r < x.RowCount; r++)
        {
            double t = Sum(x.Row(r), colsX);
            if (!double.IsNaN(t)) counts[(int)Math.Round(t) - minX]++;
        }
        var rows = Enumerable.Range(0, nx).Select(i => new CrosswalkRow(minX + i, counts[i], double.NaN, double.NaN, thetaX[i], a * thetaX[i] + b, trueScore[i],
            i == 0 || i == nx - 1 ? 0 : reps is null ? double.NaN : Sd(reps.Select(v => v.TrueScores[i])))).ToImmutableArray();
        if (rasch) warnings.Add("Rasch calibrations fix every slope at 1: the anchors' mean/sigma slope then only rescales the units of the two fits");
        return new FormatLink
        {
            NameX = nameX, NameY = nameY, FitX = fitX, FitY = fitY,
            A = a, B = b, AStandardError = reps is null ? double.NaN : Sd(reps.Select(v => v.A)), BStandardError = reps is null ? double.NaN : Sd(reps.Select(v => v.B)),
            LinkMethod = "common-item mean/sigma of the anchors' thresholds",
            Anchors = [.. anchors],
            CommonPersons = 0, CompletePairs = 0, ScoreCorrelation = double.NaN,
            Crosswalk = rows, Options = options,
            Usage = Combined(fitX.Usage, nameX, fitY.Usage, nameY),
            Warnings = warnings,
        };
    }

    /// <summary>The rows of two groups as one usage, each exclusion named after its group.</summary>
    private static DataUsage Combined(DataUsage x, string nameX, DataUsage y, string nameY)
    {
        var usage = DataUsage.All(x.RowsAvailable + y.RowsAvailable);
        foreach (var (u, name) in new[] { (x, nameX), (y, nameY) })
            foreach (var e in u.Exclusions.IsDefault ? [] : u.Exclusions) usage = usage.Exclude($"{name}: {e.Reason}", e.Count, e.Lines);
        return usage;
    }

    private static double Sum(ReadOnlySpan<double> row, int[] items)
    {
        double s = 0;
        foreach (int j in items) s += row[j];
        return s;
    }

    /// <summary>Mean/sigma constants from the persons' measures (weights: bootstrap counts, null for 1 each); A is NaN when the measures of either form vary no more than their errors.</summary>
    internal static (double A, double B) MeanSigma(IReadOnlyList<(double X, double SeX, double Y, double SeY)> persons, int[]? weights)
    {
        double n = 0, mx = 0, my = 0;
        for (int i = 0; i < persons.Count; i++)
        {
            double w = weights?[i] ?? 1;
            n += w; mx += w * persons[i].X; my += w * persons[i].Y;
        }
        mx /= n; my /= n;
        double vx = 0, vy = 0, ex = 0, ey = 0;
        for (int i = 0; i < persons.Count; i++)
        {
            double w = weights?[i] ?? 1;
            var p = persons[i];
            vx += w * (p.X - mx) * (p.X - mx); vy += w * (p.Y - my) * (p.Y - my);
            ex += w * p.SeX * p.SeX; ey += w * p.SeY * p.SeY;
        }
        vx /= n - 1; vy /= n - 1; ex /= n; ey /= n;
        // true variances (observed minus mean error variance); none left on either form leaves A undefined (NaN)
        double a = vx - ex > 0 && vy - ey > 0 ? Math.Sqrt((vy - ey) / (vx - ex)) : double.NaN;
        return (a, my - a * mx);
    }

    /// <summary>Test characteristic curve in scale units: Σ_j (lowest value of j + expected score of j at θ), over <paramref name="items"/> (all when null).</summary>
    internal static double Characteristic(IrtFit fit, double theta, int[]? items = null)
    {
        double s = 0;
        if (items is null) for (int j = 0; j < fit.Items.Length; j++) s += fit.Items[j].Categories[0] + fit.ExpectedScore(j, theta);
        else foreach (int j in items) s += fit.Items[j].Categories[0] + fit.ExpectedScore(j, theta);
        return s;
    }

    /// <summary>θ with T(θ) = score (bisection on the monotone curve); −∞/+∞ at the lowest/highest score.</summary>
    internal static double InverseCharacteristic(IrtFit fit, double score, double min, double max, int[]? items = null)
    {
        if (score <= min) return double.NegativeInfinity;
        if (score >= max) return double.PositiveInfinity;
        double lo = -30, hi = 30;
        for (int it = 0; it < 200 && hi - lo > 1e-10; it++)
        {
            double mid = 0.5 * (lo + hi);
            if (Characteristic(fit, mid, items) < score) lo = mid; else hi = mid;
        }
        return 0.5 * (lo + hi);
    }
}

/// <summary>
/// Equipercentile equating of integer scores in the single-group design with percentile-rank continuization
/// (Kolen &amp; Brennan 2014, ch. 2, eqs. 2.14–2.18), unsmoothed.
/// </summary>
internal static class Equipercentile
{
    /// <summary>
    /// e_Y(x) for every integer x in [minX, maxX] from paired scores (weights: bootstrap counts per pair, null for 1).
    /// </summary>
    public static double[] Equate(int[] x, int[] y, int minX, int maxX, int minY, int maxY, int[]? weights)
    {
        var fx = Distribution(x, minX, maxX, weights);
        var fy = Distribution(y, minY, maxY, weights);
        var result = new double[maxX - minX + 1];
        for (int i = 0; i < result.Length; i++) result[i] = InversePercentileRank(fy, minY, PercentileRank(fx, i));
        return result;
    }

    /// <summary>Cumulative distribution F(score) at each integer of the range.</summary>
    internal static double[] Distribution(int[] scores, int min, int max, int[]? weights)
    {
        var f = new double[max - min + 1];
        double n = 0;
        for (int i = 0; i < scores.Length; i++)
        {
            double w = weights?[i] ?? 1;
            f[scores[i] - min] += w;
            n += w;
        }
        double c = 0;
        for (int k = 0; k < f.Length; k++) { c += f[k]; f[k] = c / n; }
        return f;
    }

    /// <summary>P(x) = 100[F(x − 1) + ½ f(x)] at an integer x (index into the cumulative distribution).</summary>
    internal static double PercentileRank(double[] cumulative, int index)
    {
        double below = index == 0 ? 0 : cumulative[index - 1];
        return 100 * (below + 0.5 * (cumulative[index] - below));
    }

    /// <summary>
    /// P⁻¹(P*) = (P*/100 − G(y_U* − 1)) / (G(y_U*) − G(y_U* − 1)) + y_U* − ½, y_U* the smallest integer score with
    /// G(y_U*) &gt; P*/100 (K&amp;B eq. 2.18); P* = 100 gives the top score + ½.
    /// </summary>
    internal static double InversePercentileRank(double[] cumulative, int min, double percentile)
    {
        double p = percentile / 100;
        int u = 0;
        while (u < cumulative.Length && !(cumulative[u] > p)) u++;
        if (u >= cumulative.Length) return min + cumulative.Length - 1 + 0.5;
        double below = u == 0 ? 0 : cumulative[u - 1];
        return (p - below) / (cumulative[u] - below) + (min + u) - 0.5;
    }
}
