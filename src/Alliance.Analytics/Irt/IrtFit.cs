using System.Globalization;
using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Alliance.Analytics.Data;
using Alliance.Analytics.Numerics;
using Alliance.Analytics.Presentation;

namespace Alliance.Analytics.Irt;

/// <summary>
/// A fitted item response model (made by <see cref="IrtAnalysis.Fit(Data.AnalysisData, IrtOptions?, IProgress{Presentation.AnalysisProgress}?, CancellationToken)"/>): item parameters with SEs in slope–intercept and IRT
/// form, the log-likelihood (conditional for CML, marginal for MML) with AIC and BIC, convergence, person measures,
/// reliability, item and person fit, category tables with Linacre's guidelines, and the curves (category
/// probabilities, expected scores, information) as plain data.
/// </summary>
public sealed record IrtFit : IAnalysisResult
{
    /// <summary>The model fitted.</summary>
    public required IrtModelType Model { get; init; }

    /// <summary>How it was estimated.</summary>
    public required IrtEstimation Estimation { get; init; }

    /// <summary>The options used.</summary>
    public required IrtOptions Options { get; init; }

    /// <summary>The items, in matrix order (items without variance left out, see <see cref="ExcludedItems"/>).</summary>
    public required ImmutableArray<IrtItem> Items { get; init; }

    /// <summary>Items left out, with the reason.</summary>
    public required ImmutableArray<string> ExcludedItems { get; init; }

    /// <summary>Items fitted in the keyed direction (reversed, min + max − x, when the data were prepared); empty when none.
    /// Their categories in the category table are keyed: keyed category k is the answer min + max − k.</summary>
    public ImmutableArray<string> Reversed { get; init; } = [];

    /// <summary>Log-likelihood: conditional (CML) or marginal (MML).</summary>
    public required double LogLikelihood { get; init; }

    /// <summary>Free parameters (items, plus the latent SD when estimated).</summary>
    public required int ParameterCount { get; init; }

    /// <summary>Persons (rows) in the fit.</summary>
    public required int PersonCount { get; init; }

    /// <summary>Persons with an extreme raw score (all lowest or all highest categories); they carry no information in CML.</summary>
    public required int ExtremePersons { get; init; }

    /// <summary>AIC = −2 ℓ + 2k.</summary>
    public double Aic => -2 * LogLikelihood + 2 * ParameterCount;

    /// <summary>BIC = −2 ℓ + k log n (n persons).</summary>
    public double Bic => -2 * LogLikelihood + ParameterCount * Math.Log(PersonCount);

    /// <summary>How the estimation ended.</summary>
    public required Convergence Convergence { get; init; }

    /// <summary>Latent SD (MML; 1 when fixed; for CML the SD of a normal fitted to the persons with the items fixed, used for EAP and MAP).</summary>
    public required double LatentSd { get; init; }

    /// <summary>SE of the latent SD when it was estimated by MML; NaN otherwise.</summary>
    public required double LatentSdStandardError { get; init; }

    /// <summary>Latent mean (0 for MML; for CML the mean of the fitted normal on the CML scale).</summary>
    public required double LatentMean { get; init; }

    /// <summary>Rating scale model: Andrich thresholds τ_k (Σ τ = 0), one per category above the lowest; empty otherwise.</summary>
    public required ImmutableArray<double> AndrichThresholds { get; init; }

    /// <summary>SEs of the Andrich thresholds.</summary>
    public required ImmutableArray<double> AndrichThresholdStandardErrors { get; init; }

    /// <summary>How the SEs were computed, in words.</summary>
    public required string StandardErrorMethod { get; init; }

    /// <summary>The person estimator of <see cref="Persons"/>.</summary>
    public required PersonEstimator PersonEstimator { get; init; }

    /// <summary>Per person: measure, SE, fit (empty when diagnostics were not computed).</summary>
    public required ImmutableArray<PersonMeasure> Persons { get; init; }

    /// <summary>Reliability and separation (null when diagnostics were not computed).</summary>
    public required IrtReliability? Reliability { get; init; }

    /// <summary>Category table of the whole scale (pooled over items, measures relative to the item locations).</summary>
    public required CategoryTable? ScaleCategories { get; init; }

    /// <summary>Category table of each item.</summary>
    public required ImmutableArray<CategoryTable> ItemCategories { get; init; }

    /// <inheritdoc/>
    public required DataUsage Usage { get; init; }

    /// <inheritdoc/>
    public required IReadOnlyList<string> Warnings { get; init; }

    internal ItemSet ItemSet { get; init; } = null!;

    internal ItemResponseData Data { get; init; } = null!;

    /// <summary>True for the rating scale and partial credit models.</summary>
    public bool IsRasch => Model is IrtModelType.RatingScale or IrtModelType.PartialCredit;

    /// <summary>Person separation (model SEs).</summary>
    public double PersonSeparation => Reliability?.PersonModel.Separation ?? double.NaN;

    /// <summary>Person reliability (model SEs).</summary>
    public double PersonReliability => Reliability?.PersonModel.Reliability ?? double.NaN;

    /// <summary>Item separation (model SEs).</summary>
    public double ItemSeparation => Reliability?.ItemModel.Separation ?? double.NaN;

    /// <summary>Item reliability (model SEs).</summary>
    public double ItemReliability => Reliability?.ItemModel.Reliability ?? double.NaN;

    /// <summary>Index of the item named <paramref name="item"/>.</summary>
    /// <exception cref="ArgumentException">When no item has that name.</exception>
    public int IndexOf(string item)
    {
        for (int j = 0; j < Items.Length; j++) if (Items[j].Name == item) return j;
        throw new ArgumentException($"No item '{item}' in the fit (items: {string.Join(", ", Items.Select(i => i.Name))}).", nameof(item));
    }

    /// <summary>Category probabilities of item <paramref name="item"/> at θ, one per category of the item.</summary>
    public double[] CategoryProbabilities(int item, double theta)
    {
        var p = new double[ItemSet.D[item].Length];
        ItemSet.Probabilities(item, theta, p);
        return p;
    }

    /// <summary>Expected score (in the model's scores, 0 = lowest category) of item <paramref name="item"/> at θ.</summary>
    public double ExpectedScore(int item, double theta) => ItemSet.Expected(item, theta);

    /// <summary>Fisher information of item <paramref name="item"/> at θ: Σ_c P'_c(θ)² / P_c(θ).</summary>
    public double ItemInformation(int item, double theta) => ItemSet.Information(item, theta);

    /// <summary>Test information at θ: the sum of the item informations.</summary>
    public double TestInformation(double theta)
    {
        double s = 0;
        for (int j = 0; j < Items.Length; j++) s += ItemSet.Information(j, theta);
        return s;
    }

    /// <summary>Test information and its standard error of measurement 1/√I on a grid of θ (default −4 … 4 by 0.1).</summary>
    public (ImmutableArray<double> Theta, ImmutableArray<double> Information, ImmutableArray<double> StandardError) TestInformationCurve(double from = -4, double to = 4, double step = 0.1)
    {
        int n = (int)Math.Round((to - from) / step) + 1;
        var t = new double[n];
        var info = new double[n];
        var se = new double[n];
        for (int i = 0; i < n; i++)
        {
            t[i] = from + i * step;
            info[i] = TestInformation(t[i]);
            se[i] = 1 / Math.Sqrt(info[i]);
        }
        return ([.. t], [.. info], [.. se]);
    }

    /// <summary>Threshold order per item, and whether every item's thresholds advance.</summary>
    public bool AllThresholdsOrdered => Items.All(i => i.ThresholdsOrdered);

    /// <inheritdoc/>
    public ResultSummary Summary()
    {
        var lines = new List<string>
        {
            Usage.ToString(),
            $"{ModelName(Model)} by {(Estimation == IrtEstimation.Conditional ? "conditional" : "marginal")} ML; {Items.Length} items; {Convergence}",
            $"{(Estimation == IrtEstimation.Conditional ? "Conditional" : "Marginal")} log-likelihood {LogLikelihood.ToString("F3", CultureInfo.InvariantCulture)} ({ParameterCount} parameters); AIC {Aic.ToString("F2", CultureInfo.InvariantCulture)}; BIC {Bic.ToString("F2", CultureInfo.InvariantCulture)}",
        };
        if (Estimation == IrtEstimation.Conditional)
            lines.Add($"Persons with an extreme raw score (all lowest or all highest categories): {ExtremePersons.ToString(CultureInfo.InvariantCulture)} of {PersonCount.ToString(CultureInfo.InvariantCulture)}; they carry no information in CML and do not affect the item estimates");
        if (Estimation == IrtEstimation.Marginal)
            lines.Add($"Latent distribution N(0, {LatentSd.ToString("F3", CultureInfo.InvariantCulture)}²){(double.IsNaN(LatentSdStandardError) ? " (fixed)" : $", SE of SD {LatentSdStandardError.ToString("F3", CultureInfo.InvariantCulture)}")}");
        if (Reliability is { } rel)
            lines.Add($"Person separation {Separation(rel.PersonModel)}; item separation {Separation(rel.ItemModel)}; marginal reliability {(double.IsFinite(rel.Marginal) ? rel.Marginal.ToString("F3", CultureInfo.InvariantCulture) : "not available")}");
        int maxSteps = Items.Max(i => i.B.Length);
        var columns = new List<TableColumn> { TableColumn.Label("item") };
        if (!IsRasch) { columns.Add(TableColumn.Number("a")); columns.Add(TableColumn.Number("se")); }
        columns.Add(TableColumn.Number("location"));
        columns.Add(TableColumn.Number("se"));
        for (int k = 0; k < maxSteps; k++) columns.Add(TableColumn.Number("b" + (k + 1).ToString(CultureInfo.InvariantCulture)));
        columns.Add(TableColumn.Label("ordered"));
        columns.Add(TableColumn.Number("infit", 2));
        columns.Add(TableColumn.Number("outfit", 2));
        columns.Add(TableColumn.Number("infit z", 2));
        columns.Add(TableColumn.Number("outfit z", 2));
        var rows = Items.Select(i =>
        {
            var r = new List<object?> { i.Name };
            if (!IsRasch) { r.Add(i.A); r.Add(i.AStandardError); }
            r.Add(i.Location);
            r.Add(i.LocationStandardError);
            for (int k = 0; k < maxSteps; k++) r.Add(k < i.B.Length ? i.B[k] : null);
            r.Add(i.ThresholdsOrdered ? "yes" : "NO");
            r.Add(i.Fit.Infit);
            r.Add(i.Fit.Outfit);
            r.Add(i.Fit.InfitZ);
            r.Add(i.Fit.OutfitZ);
            return (IReadOnlyList<object?>)r;
        }).ToList();
        var tables = new List<ResultTable> { new("Items (IRT form: b thresholds, location = mean b)", columns, rows) };
        if (!AndrichThresholds.IsDefaultOrEmpty)
            tables.Add(new ResultTable("Andrich thresholds (rating scale, Σ τ = 0)",
                [TableColumn.Label("step"), TableColumn.Number("tau"), TableColumn.Number("se")],
                [.. AndrichThresholds.Select((t, k) => (IReadOnlyList<object?>)[$"{k}→{k + 1}", t, AndrichThresholdStandardErrors[k]])]));
        if (ScaleCategories is { } scale) tables.Add(CategoryResultTable(scale));
        var notes = new List<string>
        {
            $"Standard errors: {StandardErrorMethod}.",
            Estimation == IrtEstimation.Conditional
                ? $"Origin: {(Options.Normalization == RaschNormalization.Erm ? "eRm's sum-0 convention" : "item locations sum to 0")}; item fit uses ML person measures of non-extreme persons (as eRm)."
                : "Item fit uses EAP person measures (as mirt's itemfit).",
            $"Person measures: {EstimatorName(PersonEstimator)}.",
        };
        if (ScaleCategories is { } sc)
            foreach (var c in sc.Failed) notes.Add($"Linacre guideline {c.Number} not met ({c.Guideline}): {c.Detail}");
        return new ResultSummary($"Item response theory: {ModelName(Model)}", lines, tables, notes, Warnings);
    }

    /// <summary>A category table as a result table.</summary>
    public static ResultTable CategoryResultTable(CategoryTable table) => new(
        $"Categories: {table.Item} (Winsteps-style)",
        [TableColumn.Number("category", 0), TableColumn.Integer("count"), TableColumn.Percent("%"), TableColumn.Number("obs avg", 2),
         TableColumn.Number("exp avg", 2), TableColumn.Number("infit", 2), TableColumn.Number("outfit", 2), TableColumn.Number("threshold", 2),
         TableColumn.Number("se", 2), TableColumn.Percent("M→C", 0), TableColumn.Percent("C→M", 0)],
        [.. table.Rows.Select(r => (IReadOnlyList<object?>)[r.Category, r.Count, r.Percent, r.ObservedAverage, r.ExpectedAverage, r.Infit, r.Outfit,
            r.Threshold, r.ThresholdStandardError, r.CoherenceMeasureToCategory, r.CoherenceCategoryToMeasure])]);

    /// <summary>Person estimator name in words ("WLE (Warm)").</summary>
    public static string EstimatorName(PersonEstimator estimator) => estimator switch
    {
        PersonEstimator.Eap => "EAP (posterior mean; SE = posterior SD)",
        PersonEstimator.Map => "MAP",
        PersonEstimator.MaximumLikelihood => "ML (extreme scores infinite)",
        _ => "WLE (Warm 1989)",
    };

    /// <summary>"3.08 (reliability 0.905)", or "not available: why" (never NaN).</summary>
    private static string Separation(SeparationStatistics s) =>
        double.IsFinite(s.Separation)
            ? $"{s.Separation.ToString("F2", CultureInfo.InvariantCulture)} (reliability {s.Reliability.ToString("F3", CultureInfo.InvariantCulture)})"
            : $"not available: {s.Unavailable ?? "no finite value"}";

    /// <summary>Model name in words.</summary>
    public static string ModelName(IrtModelType model) => model switch
    {
        IrtModelType.RatingScale => "rating scale model",
        IrtModelType.PartialCredit => "partial credit model",
        IrtModelType.GeneralizedPartialCredit => "generalized partial credit model",
        _ => "graded response model",
    };

    /// <summary>Model key as the CLI spells it.</summary>
    public static string ModelKey(IrtModelType model) => model switch
    {
        IrtModelType.RatingScale => "rsm",
        IrtModelType.PartialCredit => "pcm",
        IrtModelType.GeneralizedPartialCredit => "gpcm",
        _ => "grm",
    };

    /// <summary>
    /// <c>{"model", "estimation", "loglik", "aic", "bic", "npar", "extreme_persons", "converged", "iterations", "items": [{"item", "a", "b",
    /// "location", "thresholds", "thresholds_ordered", "infit", "outfit", "infit_z", "outfit_z", "se": {…}}],
    /// "person_reliability", "person_separation", "item_reliability", "item_separation", "marginal_reliability",
    /// "categories": {…}}</c> (docs/cli/irt.md).
    /// </summary>
    public JsonObject ToJson()
    {
        var o = JsonOutput.Document(this);
        o["model"] = ModelKey(Model);
        o["estimation"] = Estimation == IrtEstimation.Conditional ? "cml" : "mml";
        o["loglik"] = JsonOutput.Number(LogLikelihood);
        o["npar"] = ParameterCount;
        o["extreme_persons"] = ExtremePersons;
        o["aic"] = JsonOutput.Number(Aic);
        o["bic"] = JsonOutput.Number(Bic);
        o["converged"] = Convergence.Converged;
        o["iterations"] = Convergence.Iterations;
        o["final_change"] = JsonOutput.Number(Convergence.FinalChange);
        o["tolerance"] = JsonOutput.Number(Convergence.Tolerance);
        o["exit_reason"] = Convergence.ExitReason;
        o["se_method"] = StandardErrorMethod;
        if (Estimation == IrtEstimation.Marginal)
        {
            o["quadrature"] = Options.QuadraturePoints;
            o["latent_sd"] = JsonOutput.Number(LatentSd);
            o["latent_sd_se"] = JsonOutput.Number(LatentSdStandardError);
        }
        else o["normalization"] = Options.Normalization == RaschNormalization.Erm ? "erm" : "locations_sum_to_zero";
        o["items"] = new JsonArray([.. Items.Select(i =>
        {
            var item = new JsonObject { ["item"] = i.Name, ["categories"] = JsonOutput.Numbers(i.Categories) };
            if (!IsRasch) item["a"] = JsonOutput.Number(i.A);
            item["d"] = JsonOutput.Numbers(i.Intercepts);
            item["b"] = JsonOutput.Numbers(i.B);
            item["location"] = JsonOutput.Number(i.Location);
            if (IsRasch)
            {
                item["thresholds"] = JsonOutput.Numbers(i.ErmThresholds);
                item["erm_location"] = JsonOutput.Number(i.ErmLocation);
            }
            item["thresholds_ordered"] = i.ThresholdsOrdered;
            item["infit"] = JsonOutput.Number(i.Fit.Infit);
            item["outfit"] = JsonOutput.Number(i.Fit.Outfit);
            item["infit_z"] = JsonOutput.Number(i.Fit.InfitZ);
            item["outfit_z"] = JsonOutput.Number(i.Fit.OutfitZ);
            if (!double.IsNaN(i.Fit.SX2))
            {
                item["s_x2"] = JsonOutput.Number(i.Fit.SX2);
                item["s_x2_df"] = i.Fit.SX2DegreesOfFreedom;
                item["s_x2_p"] = JsonOutput.Number(i.Fit.SX2PValue);
                item["s_x2_n"] = i.Fit.SX2N;
            }
            var se = new JsonObject();
            if (!IsRasch) se["a"] = JsonOutput.Number(i.AStandardError);
            se["d"] = JsonOutput.Numbers(i.InterceptStandardErrors);
            se["b"] = JsonOutput.Numbers(i.BStandardErrors);
            se["location"] = JsonOutput.Number(i.LocationStandardError);
            if (IsRasch) se["thresholds"] = JsonOutput.Numbers(i.ErmThresholdStandardErrors);
            item["se"] = se;
            return (JsonNode?)item;
        })]);
        if (!AndrichThresholds.IsDefaultOrEmpty)
        {
            o["andrich_thresholds"] = JsonOutput.Numbers(AndrichThresholds);
            o["andrich_thresholds_se"] = JsonOutput.Numbers(AndrichThresholdStandardErrors);
        }
        o["person_estimator"] = PersonEstimator.ToString().ToLowerInvariant();
        o["person_reliability"] = JsonOutput.Number(PersonReliability);
        o["person_separation"] = JsonOutput.Number(PersonSeparation);
        o["item_reliability"] = JsonOutput.Number(ItemReliability);
        o["item_separation"] = JsonOutput.Number(ItemSeparation);
        if (Reliability is { } rel)
        {
            o["person_reliability_real"] = JsonOutput.Number(rel.PersonReal.Reliability);
            o["person_separation_real"] = JsonOutput.Number(rel.PersonReal.Separation);
            o["marginal_reliability"] = JsonOutput.Number(rel.Marginal);
        }
        if (ScaleCategories is not null)
            o["categories"] = new JsonObject
            {
                ["scale"] = CategoryJson(ScaleCategories),
                ["items"] = new JsonArray([.. ItemCategories.Select(t => (JsonNode?)CategoryJson(t))]),
            };
        o["excluded_items"] = JsonOutput.Strings(ExcludedItems);
        o["reversed"] = JsonOutput.Strings(Reversed.IsDefault ? [] : Reversed);
        return o;
    }

    private static JsonObject CategoryJson(CategoryTable t) => new()
    {
        ["item"] = t.Item,
        ["thresholds_ordered"] = t.ThresholdsOrdered,
        ["rows"] = new JsonArray([.. t.Rows.Select(r => (JsonNode?)new JsonObject
        {
            ["category"] = r.Category,
            ["count"] = r.Count,
            ["percent"] = JsonOutput.Number(r.Percent * 100),
            ["observed_average"] = JsonOutput.Number(r.ObservedAverage),
            ["expected_average"] = JsonOutput.Number(r.ExpectedAverage),
            ["infit"] = JsonOutput.Number(r.Infit),
            ["outfit"] = JsonOutput.Number(r.Outfit),
            ["andrich_threshold"] = JsonOutput.Number(r.Threshold),
            ["threshold_se"] = JsonOutput.Number(r.ThresholdStandardError),
            ["coherence_m_to_c"] = JsonOutput.Number(r.CoherenceMeasureToCategory),
            ["coherence_c_to_m"] = JsonOutput.Number(r.CoherenceCategoryToMeasure),
        })]),
        ["guidelines"] = new JsonArray([.. t.Checks.Select(c => (JsonNode?)new JsonObject
        {
            ["number"] = c.Number, ["guideline"] = c.Guideline, ["passed"] = c.Passed, ["detail"] = c.Detail,
        })]),
    };

    /// <summary>"Graded response model by marginal ML: 4 items, ℓ = −1608.87".</summary>
    public override string ToString() =>
        $"{ModelName(Model)} by {(Estimation == IrtEstimation.Conditional ? "conditional" : "marginal")} ML: {Items.Length} items, ℓ = {LogLikelihood.ToString("F3", CultureInfo.InvariantCulture)}";
}
