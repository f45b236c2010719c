using System.Text.Json.Nodes;
using Alliance.Analytics.Numerics;

namespace Alliance.Analytics.Simulation;

/// <summary>A headline figure of a simulation: its true (population) value and the value realised in the simulated sample.</summary>
/// <param name="Quantity">What it is, in words.</param>
/// <param name="True">The population value implied by the settings (NaN when there is none).</param>
/// <param name="Realised">The value in the simulated data.</param>
public sealed record TruthFigure(string Quantity, double True, double Realised);

/// <summary>
/// The true parameters a cohort or study set was simulated from, derived population figures, and the figures realised
/// in the simulated data, as JSON for <c>truth.json</c> (numbers rounded to 8 significant digits).
/// </summary>
public static class SimulationTruth
{
    /// <summary>
    /// The population correlation between a client's alliance level a_i = u_j + v_i and the improvement Δ_i over the full
    /// course: ρ = (ρ_T σ_u σ_w + ρ_C σ_v σ_c) / (√(σ_u² + σ_v²) σ_Δ), with σ_w² = s σ_Δ² and σ_c² = (1 − s) σ_Δ² the
    /// therapist and client parts of the improvement variance (s = outcome therapist share).
    /// </summary>
    public static double AllianceOutcomeCorrelation(CohortOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var o = options.ResolveOutcome();
        double su = options.TherapistAllianceSd, sv = options.ClientAllianceSd;
        double sw = o.ImprovementSd * Math.Sqrt(options.OutcomeTherapistShare), sc = o.ImprovementSd * Math.Sqrt(1 - options.OutcomeTherapistShare);
        double denominator = Math.Sqrt(su * su + sv * sv) * o.ImprovementSd;
        return denominator > 0 ? (options.TherapistLink * su * sw + options.ClientLink * sv * sc) / denominator : double.NaN;
    }

    /// <summary>
    /// The therapist share of the variance of latent alliance at session <paramref name="session"/>, before dropout
    /// selects clients: σ_u² / (σ_u² + σ_v² + σ_s² τ_t² + σ_e² + rupture variance), τ_t = (t − 1)/(T − 1). The rupture
    /// variance counts a dip at t (probability p, depth D) and the carried-over part of one at t − 1 (probability p,
    /// depth cD) as independent Bernoulli terms.
    /// </summary>
    public static double TherapistIcc(CohortOptions options, int session)
    {
        ArgumentNullException.ThrowIfNull(options);
        double tau = (double)(session - 1) / (options.Sessions - 1);
        double p = options.RuptureProbability, d = options.RuptureDepth, c = options.RuptureCarryover * d;
        double rupture = (session >= 2 ? p * (1 - p) * d * d : 0) + (session >= 3 ? p * (1 - p) * c * c : 0);
        double su2 = options.TherapistAllianceSd * options.TherapistAllianceSd;
        double total = su2 + options.ClientAllianceSd * options.ClientAllianceSd + options.GrowthSd * options.GrowthSd * tau * tau
                       + options.SessionAllianceSd * options.SessionAllianceSd + rupture;
        return su2 / total;
    }

    /// <summary>The true parameters of a cohort and its renderings, with derived population figures.</summary>
    public static JsonObject CohortParameters(SimulatedCohort cohort, IEnumerable<SimulatedResponses> renderings)
    {
        ArgumentNullException.ThrowIfNull(cohort);
        var o = cohort.Options;
        var s = cohort.Outcome;
        double su = o.TherapistAllianceSd, sv = o.ClientAllianceSd;
        double sw = s.ImprovementSd * Math.Sqrt(o.OutcomeTherapistShare), sc = s.ImprovementSd * Math.Sqrt(1 - o.OutcomeTherapistShare);
        var curve = new JsonArray();
        double denominator = 1 - Math.Exp(-o.ImprovementRate * o.Sessions);
        for (int t = 1; t <= o.Sessions + 1; t++) curve.Add(Truth.Round((1 - Math.Exp(-o.ImprovementRate * (t - 1))) / denominator));
        return new JsonObject
        {
            ["alliance"] = new JsonObject
            {
                ["model"] = "theta_it = mu + u_j + v_i + (g + s_i) * tau_t + rupture_it + e_it, tau_t = (t - 1)/(T - 1)",
                ["mean_session_1"] = Truth.Round(o.AllianceMean),
                ["mean_growth"] = Truth.Round(o.AllianceGrowth),
                ["therapist_variance"] = Truth.Round(su * su),
                ["client_variance"] = Truth.Round(sv * sv),
                ["growth_variance"] = Truth.Round(o.GrowthSd * o.GrowthSd),
                ["session_variance"] = Truth.Round(o.SessionAllianceSd * o.SessionAllianceSd),
                ["therapist_icc_level"] = Truth.Round(su * su / (su * su + sv * sv)),
                ["therapist_icc_session_1"] = Truth.Round(TherapistIcc(o, 1)),
                ["therapist_icc_by_session"] = Truth.Numbers(Enumerable.Range(1, o.Sessions).Select(t => TherapistIcc(o, t))),
            },
            ["outcome"] = new JsonObject
            {
                ["measure"] = s.Name,
                ["range"] = Truth.Numbers([s.Min, s.Max]),
                ["model"] = "symptoms_it = B_i - Delta_i * h(t) + lag_effect * state_i,t-1 + noise; Delta_i = improvement_mean + w_j + c_i",
                ["baseline_mean"] = Truth.Round(s.BaselineMean),
                ["baseline_sd"] = Truth.Round(s.BaselineSd),
                ["improvement_mean"] = Truth.Round(s.ImprovementMean),
                ["improvement_sd"] = Truth.Round(s.ImprovementSd),
                ["therapist_improvement_sd"] = Truth.Round(sw),
                ["client_improvement_sd"] = Truth.Round(sc),
                ["occasion_sd"] = Truth.Round(s.OccasionSd),
                ["improvement_curve"] = curve,
                ["alliance_outcome_correlation"] = Truth.Round(AllianceOutcomeCorrelation(o)),
                ["between_therapist_slope"] = Truth.Round(su > 0 ? o.TherapistLink * sw / su : double.NaN),
                ["within_therapist_slope"] = Truth.Round(sv > 0 ? o.ClientLink * sc / sv : double.NaN),
                ["lag_effect"] = Truth.Round(s.LagEffect),
                ["baseline_alliance_correlation"] = Truth.Round(o.BaselineAllianceCorrelation),
                ["notes"] = "alliance_outcome_correlation: corr(u_j + v_i, Delta_i) in the population of clients (latent, before dropout). " +
                            "between/within slopes: improvement points per theta unit of u_j and of v_i. lag_effect: symptom points at t+1 per theta unit of state at t.",
            },
            ["dropout"] = new JsonObject
            {
                ["rate_at_expected_alliance"] = Truth.Round(o.DropoutRate),
                ["alliance_effect_log_odds"] = Truth.Round(o.DropoutAllianceEffect),
                ["model"] = "after session t < T: logit P(drop) = logit(rate) + effect * (theta_it - mu - g * tau_t)",
            },
            ["instruments"] = new JsonArray([.. renderings.Select(r => (JsonNode)r.Model.ToJson())]),
        };
    }

    /// <summary>The figures realised in a cohort and its renderings (keyed by file name).</summary>
    public static JsonObject CohortRealised(SimulatedCohort cohort, IReadOnlyList<(string File, SimulatedResponses Responses)> renderings)
    {
        ArgumentNullException.ThrowIfNull(cohort);
        ArgumentNullException.ThrowIfNull(renderings);
        int n = cohort.ClientCount, sessions = cohort.Options.Sessions;
        var level = new double[n];
        for (int i = 0; i < n; i++) level[i] = cohort.AllianceLevel(i);
        var improvement = cohort.TrueImprovement.ToArray();
        var byCount = new int[sessions + 1];
        var thetaSum = new double[sessions + 1];
        var symptomSum = new double[sessions + 1];
        for (int r = 0; r < cohort.RowCount; r++)
        {
            int t = cohort.RowSession[r];
            byCount[t]++;
            thetaSum[t] += cohort.Theta[r];
            symptomSum[t] += cohort.Symptoms[r];
        }
        var session1 = Enumerable.Range(0, cohort.RowCount).Where(r => cohort.RowSession[r] == 1).Select(r => cohort.Theta[r]).ToArray();
        int dropouts = cohort.DroppedOut.Count(d => d);
        var caseloads = cohort.Caseloads.Order().ToArray();
        var realised = new JsonObject
        {
            ["therapists"] = cohort.TherapistCount,
            ["clients"] = n,
            ["sessions"] = cohort.RowCount,
            ["caseload_min"] = caseloads[0],
            ["caseload_median"] = Truth.Round(Median(caseloads.Select(c => (double)c).ToArray())),
            ["caseload_max"] = caseloads[^1],
            ["dropout_share"] = Truth.Round((double)dropouts / n),
            ["mean_sessions_attended"] = Truth.Round(cohort.SessionsAttended.Average()),
            ["clients_by_session"] = new JsonArray([.. Enumerable.Range(1, sessions).Select(t => (JsonNode)byCount[t])]),
            ["alliance"] = new JsonObject
            {
                ["therapist_variance"] = Truth.Round(Variance(cohort.TherapistAllianceEffects.AsSpan())),
                ["client_variance"] = Truth.Round(Variance(cohort.ClientAllianceEffects.AsSpan())),
                ["theta_sd_session_1"] = Truth.Round(Moments.MeanSd(session1).StandardDeviation),
                ["theta_mean_by_session"] = Truth.Numbers(Enumerable.Range(1, sessions).Select(t => byCount[t] > 0 ? thetaSum[t] / byCount[t] : double.NaN)),
                ["level_mean_dropouts"] = Truth.Round(Mean(level, i => cohort.DroppedOut[i])),
                ["level_mean_completers"] = Truth.Round(Mean(level, i => !cohort.DroppedOut[i])),
            },
            ["outcome"] = new JsonObject
            {
                ["alliance_outcome_correlation"] = Truth.Round(Correlation(level, improvement)),
                ["baseline_mean"] = Truth.Round(cohort.Baseline.Average()),
                ["post_mean"] = Truth.Round(cohort.Post.Average()),
                ["post_mean_completers"] = Truth.Round(Mean(cohort.Post.ToArray(), i => !cohort.DroppedOut[i])),
                ["symptoms_mean_by_session"] = Truth.Numbers(Enumerable.Range(1, sessions).Select(t => byCount[t] > 0 ? symptomSum[t] / byCount[t] : double.NaN)),
            },
        };
        var files = new JsonObject();
        foreach (var (file, responses) in renderings) files[file] = RenderingRealised(cohort, responses);
        realised["renderings"] = files;
        return realised;
    }

    /// <summary>
    /// Realised figures of one rendering: rows, missing share, category proportions overall and per item (keyed
    /// direction), item means (keyed), and the keyed total score over complete rows (mean, SD, skewness); for a
    /// crowded rendering also the proportions and total-score variance after merging the crowded run into one category;
    /// and the correlation of the total at session 3 (or the earliest rendered session) with baseline − post.
    /// </summary>
    internal static JsonObject RenderingRealised(SimulatedCohort cohort, SimulatedResponses responses)
    {
        var model = responses.Model;
        int m = model.ItemCount, k = model.Points, rows = responses.RowCount;
        var codes = responses.Codes;
        var reverse = new bool[m];
        foreach (int r in model.ReverseKeyed) reverse[r - 1] = true;
        var counts = new long[m, k];
        long missing = 0;
        var totals = new List<double>(rows);
        var totalRows = new List<int>(rows);
        for (int r = 0; r < rows; r++)
        {
            double total = 0;
            bool complete = true;
            for (int j = 0; j < m; j++)
            {
                int c = codes[r * m + j];
                if (c == 0) { missing++; complete = false; continue; }
                if (reverse[j]) c = k + 1 - c;
                counts[j, c - 1]++;
                total += c;
            }
            if (complete) { totals.Add(total + m * (model.Min - 1)); totalRows.Add(r); }
        }
        var o = new JsonObject
        {
            ["rows"] = rows,
            ["missing_share"] = Truth.Round((double)missing / Math.Max(1, (long)rows * m)),
            ["category_proportions"] = Truth.Numbers(Proportions(counts, m, k)),
            ["category_proportions_by_item"] = new JsonArray([.. Enumerable.Range(0, m).Select(j => (JsonNode)Truth.Numbers(Proportions(counts, j, k)))]),
            ["item_means"] = Truth.Numbers(Enumerable.Range(0, m).Select(j =>
            {
                double s = 0, nn = 0;
                for (int c = 0; c < k; c++) { s += counts[j, c] * (model.Min + c); nn += counts[j, c]; }
                return nn > 0 ? s / nn : double.NaN;
            })),
            ["complete_rows"] = totals.Count,
            ["total_mean"] = Truth.Round(Moments.MeanSd(totals.ToArray()).Mean),
            ["total_sd"] = Truth.Round(Moments.MeanSd(totals.ToArray()).StandardDeviation),
            ["total_skewness"] = Truth.Round(Moments.Skewness(totals.ToArray())),
        };
        // Observed alliance–outcome correlation: total at session 3 (the usual early-alliance timing; else the earliest
        // rendered session) vs baseline − post, one row per client.
        var present = totalRows.Select(r => cohort.RowSession[responses.Rows[r]]).ToHashSet();
        int firstSession = present.Contains(3) ? 3 : present.Count > 0 ? present.Min() : int.MaxValue;
        var x = new List<double>();
        var y = new List<double>();
        for (int i = 0; i < totalRows.Count; i++)
        {
            int row = responses.Rows[totalRows[i]];
            if (cohort.RowSession[row] != firstSession) continue;
            int client = cohort.RowClient[row];
            x.Add(totals[i]);
            y.Add(cohort.Baseline[client] - cohort.Post[client]);
        }
        o["observed_alliance_outcome_session"] = firstSession == int.MaxValue ? null : firstSession;
        o["observed_alliance_outcome_correlation"] = Truth.Round(Correlation(x.ToArray(), y.ToArray()));
        if (model.Crowding is { } crowd)
        {
            // Merge the crowded run into one category: codes below it stay, the run becomes its first code, codes above shift down.
            int lo = crowd.First - model.Min + 1, hi = crowd.Last - model.Min + 1, width = hi - lo;
            var merged = new long[m, k - width];
            for (int j = 0; j < m; j++)
                for (int c = 1; c <= k; c++)
                    merged[j, (c < lo ? c : c <= hi ? lo : c - width) - 1] += counts[j, c - 1];
            var mergedTotals = new List<double>(totalRows.Count);
            foreach (int r in totalRows)
            {
                double total = 0;
                for (int j = 0; j < m; j++)
                {
                    int c = codes[r * m + j];
                    if (reverse[j]) c = k + 1 - c;
                    total += c < lo ? c : c <= hi ? lo : c - width;
                }
                mergedTotals.Add(total + m * (model.Min - 1));
            }
            double before = Math.Pow(Moments.MeanSd(totals.ToArray()).StandardDeviation, 2);
            double after = Math.Pow(Moments.MeanSd(mergedTotals.ToArray()).StandardDeviation, 2);
            o["merged_crowded_categories"] = new JsonObject
            {
                ["map"] = string.Join(",", Enumerable.Range(1, k).Select(c => (c < lo ? c : c <= hi ? lo : c - width).ToString(System.Globalization.CultureInfo.InvariantCulture))),
                ["category_proportions"] = Truth.Numbers(Proportions(merged, m, k - width)),
                ["total_variance_before"] = Truth.Round(before),
                ["total_variance_after"] = Truth.Round(after),
                ["variance_change"] = Truth.Round(after / before - 1),
            };
        }
        return o;
    }

    /// <summary>The true parameters of a study set with the derived centring constants.</summary>
    public static JsonObject StudySetParameters(StudySetOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var raters = options.ResolveRaterShares();
        var measures = options.ResolveMeasureShares();
        var timings = options.ResolveTimingShares();
        return new JsonObject
        {
            ["model"] = "zeta_sl = atanh(rho) + sum_m beta_m (x_m - E x_m) + u_s + w_sl; r_sl = Pearson r of n bivariate-normal pairs with correlation tanh(zeta_sl)",
            ["rho"] = Truth.Round(options.Rho),
            ["mean_z"] = Truth.Round(Math.Atanh(options.Rho)),
            ["tau2_between"] = Truth.Round(options.Tau2Between),
            ["tau2_within"] = Truth.Round(options.Tau2Within),
            ["effects_per_study_probabilities"] = Truth.Numbers(options.ResolveEffectsPerStudy()),
            ["moderators"] = new JsonObject
            {
                ["rater"] = Levels(StudySetOptions.Raters, raters, options.RaterEffects),
                ["measure"] = Levels(StudySetOptions.Measures, measures, options.MeasureEffects),
                ["timing"] = Levels(StudySetOptions.Timings, timings, options.TimingEffects),
                ["design"] = new JsonObject
                {
                    ["rct_share"] = Truth.Round(options.RctShare),
                    ["effect_rct"] = Truth.Round(options.EffectRct),
                },
                ["ptr"] = new JsonObject
                {
                    ["distribution"] = "max(1, lognormal(log median, log sd))",
                    ["median"] = Truth.Round(options.RatioMedian),
                    ["log_sd"] = Truth.Round(options.RatioLogSd),
                    ["effect_per_doubling"] = Truth.Round(options.EffectRatio),
                    ["mean_log2"] = Truth.Round(StudySetSimulator.ExpectedLog2Ratio(Math.Log(options.RatioMedian), options.RatioLogSd)),
                },
                ["year"] = new JsonObject
                {
                    ["first"] = options.YearFirst,
                    ["last"] = options.YearLast,
                    ["beta_shapes"] = Truth.Numbers([options.YearShapeA, options.YearShapeB]),
                    ["effect_per_decade"] = Truth.Round(options.EffectYear),
                    ["mean"] = Truth.Round(options.YearFirst + (options.YearLast - options.YearFirst) * options.YearShapeA / (options.YearShapeA + options.YearShapeB)),
                },
            },
            ["sample_size"] = new JsonObject
            {
                ["distribution"] = "lognormal, truncated to [min, max], rounded",
                ["median"] = Truth.Round(options.SampleSizeMedian),
                ["log_sd"] = Truth.Round(options.SampleSizeLogSd),
                ["min"] = options.SampleSizeMin,
                ["max"] = options.SampleSizeMax,
            },
            ["publish_nonsignificant"] = Truth.Round(options.PublishNonsignificant),
        };

        static JsonObject Levels(IReadOnlyList<string> names, double[] shares, double[] effects)
        {
            var o = new JsonObject();
            for (int i = 0; i < names.Count; i++)
                o[names[i]] = new JsonObject { ["share"] = Truth.Round(shares[i]), ["effect"] = Truth.Round(effects[i]) };
            return o;
        }
    }

    /// <summary>The figures realised in a study set.</summary>
    public static JsonObject StudySetRealised(SimulatedStudySet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        var es = set.EffectSizes;
        var studies = es.Where(e => e.EffectSize == 1).ToArray();
        var ns = studies.Select(e => (double)e.N).Order().ToArray();
        var studyEffects = studies.Select(e => e.StudyEffect).ToArray();
        var within = es.Select(e => e.WithinEffect).ToArray();
        var trueZ = es.Select(e => e.TrueZ).ToArray();
        return new JsonObject
        {
            ["studies"] = set.StudyCount,
            ["effect_sizes"] = es.Length,
            ["suppressed_studies"] = set.SuppressedStudies,
            ["total_n"] = studies.Sum(e => (long)e.N),
            ["n_min"] = (int)ns[0],
            ["n_median"] = Truth.Round(Median(ns)),
            ["n_mean"] = Truth.Round(ns.Average()),
            ["n_max"] = (int)ns[^1],
            ["effect_sizes_per_study"] = new JsonArray([.. Enumerable.Range(1, es.Max(e => e.EffectSize)).Select(c => (JsonNode)es.GroupBy(e => e.Study).Count(g => g.Count() == c))]),
            ["mean_true_z"] = Truth.Round(trueZ.Average()),
            ["mean_true_r"] = Truth.Round(Math.Tanh(trueZ.Average())),
            ["study_effect_variance"] = Truth.Round(Variance(studyEffects)),
            ["within_effect_variance"] = Truth.Round(Variance(within)),
            ["mean_r"] = Truth.Round(es.Average(e => e.R)),
            ["sample_size_weighted_mean_r"] = Truth.Round(es.Sum(e => e.R * e.N) / es.Sum(e => (double)e.N)),
            ["rater_counts"] = Counts(StudySetOptions.Raters, es.Select(e => e.Rater)),
            ["measure_counts"] = Counts(StudySetOptions.Measures, es.Select(e => e.Measure)),
            ["timing_counts"] = Counts(StudySetOptions.Timings, es.Select(e => e.Timing)),
            ["rct_studies"] = studies.Count(e => e.Design == "rct"),
            ["year_range"] = new JsonArray(studies.Min(e => e.Year), studies.Max(e => e.Year)),
        };

        static JsonObject Counts(IReadOnlyList<string> levels, IEnumerable<string> values)
        {
            var list = values.ToList();
            var o = new JsonObject();
            foreach (string level in levels) o[level] = list.Count(v => v == level);
            return o;
        }
    }

    private static double[] Proportions(long[,] counts, int item, int k)
    {
        var p = new double[k];
        double total = 0;
        bool all = item == counts.GetLength(0);
        for (int j = all ? 0 : item; j < (all ? counts.GetLength(0) : item + 1); j++)
            for (int c = 0; c < k; c++) { p[c] += counts[j, c]; total += counts[j, c]; }
        for (int c = 0; c < k; c++) p[c] = total > 0 ? p[c] / total : double.NaN;
        return p;
    }

    internal static double Variance(ReadOnlySpan<double> values)
    {
        var (_, _, sd) = Moments.MeanSd(values);
        return sd * sd;
    }

    internal static double Correlation(double[] x, double[] y)
    {
        var (n, mx, sx) = Moments.MeanSd(x);
        var (_, my, sy) = Moments.MeanSd(y);
        if (n < 3 || !(sx > 0) || !(sy > 0)) return double.NaN;
        double s = 0;
        for (int i = 0; i < x.Length; i++) s += (x[i] - mx) * (y[i] - my);
        return s / ((n - 1) * sx * sy);
    }

    private static double Mean(double[] values, Func<int, bool> include)
    {
        double s = 0;
        int n = 0;
        for (int i = 0; i < values.Length; i++)
            if (include(i)) { s += values[i]; n++; }
        return n > 0 ? s / n : double.NaN;
    }

    private static double Median(double[] sorted) =>
        sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}
