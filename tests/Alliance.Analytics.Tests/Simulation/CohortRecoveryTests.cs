using Alliance.Analytics.Simulation;

namespace Alliance.Analytics.Tests.Simulation;

/// <summary>
/// Parameter recovery for the clinic cohort: on large simulated samples the realised figures match the truth implied
/// by the settings within tolerances derived from their sampling error (reference-values.md, "Parameter recovery":
/// |estimate − truth| &lt; 4 SE). The truths are computed here from the model's formulas, independently of the simulator.
/// </summary>
public class CohortRecoveryTests
{
    /// <summary>Sampling-error multiple allowed.</summary>
    private const double Z = 4.0;

    /// <summary>
    /// corr(u_j + v_i, Δ_i) = (ρ_T σ_u σ_w + ρ_C σ_v σ_c) / (√(σ_u² + σ_v²) σ_Δ); with the defaults .2816. SE of r with J
    /// therapists contributing clustered variance: at most (1 − ρ²)/√J_eff; we use the conservative design-effect bound
    /// (1 − ρ²) √(1 + (k̄ − 1) ICC) / √N.
    /// </summary>
    [Fact]
    public void AllianceOutcomeCorrelationIsRecovered()
    {
        var options = new CohortOptions { Therapists = 1000, Clients = 40_000, Sessions = 2, CaseloadShape = 1000 };
        var cohort = CohortSimulator.Simulate(options, seed: 101);
        double su = 0.35, sv = 0.90, sd = 5.5, share = 0.07;
        double expected = (0.5 * su * sd * Math.Sqrt(share) + 0.26 * sv * sd * Math.Sqrt(1 - share)) / (Math.Sqrt(su * su + sv * sv) * sd);
        Assert.Equal(0.2816, expected, 4);
        Assert.Equal(expected, SimulationTruth.AllianceOutcomeCorrelation(options), 12);
        var level = Enumerable.Range(0, cohort.ClientCount).Select(cohort.AllianceLevel).ToArray();
        double r = Reference.Correlation(level, cohort.TrueImprovement);
        double se = (1 - expected * expected) * Math.Sqrt(1 + 39 * 0.13) / Math.Sqrt(cohort.ClientCount);
        Assert.Equal(expected, r, Z * se);
    }

    /// <summary>Between- and within-therapist links separately: slopes of improvement on u_j and on v_i recover ρ_T σ_w/σ_u and ρ_C σ_c/σ_v.</summary>
    [Fact]
    public void TherapistAndClientLinksAreRecoveredSeparately()
    {
        var options = new CohortOptions { Therapists = 4000, Clients = 40_000, Sessions = 2, CaseloadShape = 1000, TherapistLink = 0.8, ClientLink = 0.0 };
        var cohort = CohortSimulator.Simulate(options, seed: 5);
        double sw = 5.5 * Math.Sqrt(0.07), sc = 5.5 * Math.Sqrt(0.93);
        // Between: regress therapist improvement effect w_j on u_j.
        var u = cohort.TherapistAllianceEffects;
        var w = cohort.TherapistImprovementEffects;
        double slope = Reference.Correlation(u, w) * Math.Sqrt(Reference.Variance(w) / Reference.Variance(u));
        double expected = 0.8 * sw / 0.35;
        double seSlope = Math.Sqrt((1 - 0.64) * sw * sw / (0.35 * 0.35) / u.Length);
        Assert.Equal(expected, slope, Z * seSlope);
        // Within: with a zero client link, improvement deviations from the therapist effect are uncorrelated with v_i.
        var dev = Enumerable.Range(0, cohort.ClientCount).Select(i => cohort.TrueImprovement[i] - cohort.TherapistImprovementEffects[cohort.ClientTherapist[i]]).ToArray();
        Assert.Equal(0, Reference.Correlation(cohort.ClientAllianceEffects, dev), Z / Math.Sqrt(cohort.ClientCount));
        Assert.Equal(sc, Math.Sqrt(Reference.Variance(dev)), Z * sc / Math.Sqrt(2.0 * cohort.ClientCount));
    }

    /// <summary>
    /// Therapist ICC of latent alliance at session 1 (no dropout yet): σ_u² / (σ_u² + σ_v² + σ_e²) = .1160 with the
    /// defaults, estimated by one-way ANOVA ICC(1); SE from Fisher's large-sample formula for balanced groups,
    /// √(2 (1 − ρ)² (1 + (k − 1)ρ)² / (k (k − 1)(J − 1))).
    /// </summary>
    [Fact]
    public void LatentTherapistIccIsRecovered()
    {
        var options = new CohortOptions { Therapists = 2000, Clients = 80_000, Sessions = 2, CaseloadShape = 1e6 };
        var cohort = CohortSimulator.Simulate(options, seed: 17);
        double expected = 0.35 * 0.35 / (0.35 * 0.35 + 0.81 + 0.35 * 0.35);
        Assert.Equal(expected, SimulationTruth.TherapistIcc(options, 1), 12);
        var rows = Enumerable.Range(0, cohort.RowCount).Where(r => cohort.RowSession[r] == 1).ToArray();
        double icc = Reference.Icc1([.. rows.Select(r => cohort.Theta[r])], [.. rows.Select(r => cohort.ClientTherapist[cohort.RowClient[r]])]);
        Assert.Equal(expected, icc, Z * IccSe(expected, 40, 2000));
    }

    /// <summary>
    /// The observed WAI-SR total at session 1 has the therapist ICC the model implies for it. Expected value by
    /// Gauss–Hermite quadrature from the GRM: between-therapist variance Var_u(E[X | u]) over total Var(X) =
    /// Var(f(θ)) + E Σ_k Var(x_k | θ), with f(θ) = Σ_k E[x_k | θ]. Checks the chain θ → responses → score.
    /// </summary>
    [Fact]
    public void ObservedScoreTherapistIccMatchesTheModel()
    {
        var options = new CohortOptions { Therapists = 2000, Clients = 80_000, Sessions = 2, CaseloadShape = 1e6, ItemMissingRate = 0 };
        var cohort = CohortSimulator.Simulate(options, seed: 23);
        var model = SimulationInstruments.WaiSr(options);
        var responses = cohort.Render(model, 0, [1]);
        var totals = new double[responses.RowCount];
        var groups = new int[responses.RowCount];
        for (int s = 0; s < responses.RowCount; s++)
        {
            for (int k = 0; k < 12; k++) totals[s] += responses.Codes[s * 12 + k];
            groups[s] = cohort.ClientTherapist[cohort.RowClient[responses.Rows[s]]];
        }
        double su = 0.35, sb = Math.Sqrt(0.81 + 0.35 * 0.35);
        double Mean(double theta) => Enumerable.Range(0, 12).Sum(k => GrmMoments(model, k, theta).Mean);
        double Var(double theta) => Enumerable.Range(0, 12).Sum(k => GrmMoments(model, k, theta).Variance);
        double sTotal = Math.Sqrt(su * su + sb * sb);
        double meanX = Reference.NormalExpectation(Mean, 0, sTotal);
        double varX = Reference.NormalExpectation(t => Math.Pow(Mean(t) - meanX, 2) + Var(t), 0, sTotal);
        double varBetween = Reference.NormalExpectation(u => Math.Pow(Reference.NormalExpectation(b => Mean(u + b), 0, sb, 40) - meanX, 2), 0, su, 40);
        double expected = varBetween / varX;
        Assert.InRange(expected, 0.08, 0.116); // attenuated by measurement error relative to the latent .116
        Assert.Equal(meanX, totals.Average(), Z * Math.Sqrt(varX * (1 + 39 * expected) / totals.Length));
        Assert.Equal(expected, Reference.Icc1(totals, groups), Z * IccSe(expected, 40, 2000));
    }

    /// <summary>
    /// Item category proportions at session 1 equal the model's marginal probabilities ∫ P(X_k = c | θ) φ(θ) dθ (θ normal
    /// with variance σ_v² + σ_e²; therapist effects off so clients are independent); binomial SE √(p(1 − p)/N).
    /// Checked for the WAI-SR and, with crowding, for the 7-point WAI.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CategoryProportionsMatchTheMarginalModel(bool sevenPoint)
    {
        var options = new CohortOptions { Therapists = 100, Clients = 60_000, Sessions = 2, TherapistAllianceSd = 0, ItemMissingRate = 0 };
        var cohort = CohortSimulator.Simulate(options, seed: 31);
        var model = sevenPoint ? SimulationInstruments.Wai36SevenPoint(options) : SimulationInstruments.WaiSr(options);
        var responses = cohort.Render(model, 2, [1]);
        int m = model.ItemCount, kPoints = model.Points, n = responses.RowCount;
        double sd = Math.Sqrt(0.81 + 0.35 * 0.35);
        var reverse = model.ReverseKeyed.ToHashSet();
        foreach (int item in new[] { 0, 2, m - 1 })
        {
            var counts = new int[kPoints];
            for (int s = 0; s < n; s++)
            {
                int code = responses.Codes[s * m + item];
                counts[(reverse.Contains(item + 1) ? kPoints + 1 - code : code) - 1]++;
            }
            for (int c = 0; c < kPoints; c++)
            {
                double p = Reference.NormalExpectation(t => Category(model, item, t, c), 0, sd);
                Assert.Equal(p, (double)counts[c] / n, Z * Math.Sqrt(p * (1 - p) / n) + 1e-9);
            }
        }
    }

    /// <summary>
    /// Dropout after session 1 has the probability the model implies, E[logistic(logit(rate) + β (θ − μ))] over θ at
    /// session 1 (normal, variance σ_u² + σ_v² + σ_e²), and dropouts had lower alliance (missing not at random).
    /// </summary>
    [Fact]
    public void DropoutIsRecoveredAndDependsOnAlliance()
    {
        var options = new CohortOptions { Therapists = 500, Clients = 60_000, Sessions = 3, CaseloadShape = 1e6 };
        var cohort = CohortSimulator.Simulate(options, seed: 41);
        double logit = Math.Log(0.035 / 0.965), sd = Math.Sqrt(0.35 * 0.35 + 0.81 + 0.35 * 0.35);
        double expected = Reference.NormalExpectation(t => 1 / (1 + Math.Exp(-(logit - 0.9 * t))), 0, sd);
        int after1 = Enumerable.Range(0, cohort.ClientCount).Count(i => cohort.SessionsAttended[i] == 1);
        double share = (double)after1 / cohort.ClientCount;
        Assert.Equal(expected, share, Z * Math.Sqrt(expected * (1 - expected) * 3 / cohort.ClientCount)); // design effect ≤ 3
        var dropped = Enumerable.Range(0, cohort.ClientCount).Where(i => cohort.DroppedOut[i]).Select(cohort.AllianceLevel).Average();
        var stayed = Enumerable.Range(0, cohort.ClientCount).Where(i => !cohort.DroppedOut[i]).Select(cohort.AllianceLevel).Average();
        Assert.True(dropped < stayed - 0.3, $"dropouts' alliance level {dropped:F3} should be well below completers' {stayed:F3}");
    }

    /// <summary>
    /// The within-client lagged effect: with the true trajectory removed, next-session symptoms regress on this session's
    /// alliance state with slope λ (default −1.5 PHQ points per θ unit). Rounding and clipping of scores add noise and
    /// a little attenuation near the bounds, so baseline and improvement are set to keep scores inside 0–27.
    /// </summary>
    [Fact]
    public void LaggedWithinClientEffectIsRecovered()
    {
        var options = new CohortOptions
        {
            Therapists = 200, Clients = 20_000, Sessions = 6, DropoutRate = 0, BaselineMean = 14, BaselineSd = 2, ImprovementMean = 3, ImprovementSd = 1,
        };
        var cohort = CohortSimulator.Simulate(options, seed: 43);
        double k = options.ImprovementRate, denominator = 1 - Math.Exp(-k * 6);
        var x = new List<double>();
        var y = new List<double>();
        for (int r = 1; r < cohort.RowCount; r++)
        {
            int i = cohort.RowClient[r];
            if (cohort.RowClient[r - 1] != i) continue;
            int t = cohort.RowSession[r];
            double h = (1 - Math.Exp(-k * (t - 1))) / denominator;
            x.Add(cohort.State[r - 1]);
            y.Add(cohort.Symptoms[r] - (cohort.TrueBaseline[i] - cohort.TrueImprovement[i] * h));
        }
        double slope = Reference.Correlation(x, y) * Math.Sqrt(Reference.Variance(y) / Reference.Variance(x));
        double residualSd = Math.Sqrt(2.2 * 2.2 + 1.0 / 12); // occasion noise plus rounding
        double se = residualSd / Math.Sqrt(Reference.Variance(x) * x.Count);
        Assert.Equal(-1.5, slope, Z * se);
    }

    /// <summary>Latent alliance rises by the set growth on average (session 1 mean μ, no selection yet); survivors of dropout rate higher than the model's mean (selection).</summary>
    [Fact]
    public void AllianceGrowsAndDropoutSelectsHigherAllianceClients()
    {
        var options = new CohortOptions { Therapists = 400, Clients = 40_000, CaseloadShape = 1e6 };
        var cohort = CohortSimulator.Simulate(options, seed: 47);
        var bySession = Enumerable.Range(1, 12).Select(t => Enumerable.Range(0, cohort.RowCount).Where(r => cohort.RowSession[r] == t).Select(r => cohort.Theta[r]).ToArray()).ToArray();
        double sd1 = Math.Sqrt(0.35 * 0.35 + 0.81 + 0.35 * 0.35);
        Assert.Equal(0.0, bySession[0].Average(), Z * sd1 * Math.Sqrt(1 + 99 * 0.116) / Math.Sqrt(bySession[0].Length));
        // Without dropout the mean at session 12 would be g − p·D·(1 + c)… ≈ 0.34; survivors are selected upwards.
        Assert.True(bySession[11].Average() > 0.40 + 0.15, $"session-12 mean {bySession[11].Average():F3} shows no dropout selection");
        var noDropout = CohortSimulator.Simulate(options with { DropoutRate = 0 }, seed: 47);
        double mean12 = Enumerable.Range(0, noDropout.RowCount).Where(r => noDropout.RowSession[r] == 12).Average(r => noDropout.Theta[r]);
        double expected12 = 0.40 - 0.05 * 0.8 * (1 + 0.5);
        Assert.Equal(expected12, mean12, Z * Math.Sqrt(sd1 * sd1 + 0.09) * Math.Sqrt(1 + 99 * 0.116) / Math.Sqrt(noDropout.ClientCount));
    }

    internal static (double Mean, double Variance) GrmMoments(ItemResponseModel model, int item, double theta)
    {
        double mean = 0, second = 0;
        for (int c = 0; c < model.Points; c++)
        {
            double p = Category(model, item, theta, c);
            mean += (c + 1) * p;
            second += (c + 1) * (c + 1) * p;
        }
        return (mean, second - mean * mean);
    }

    /// <summary>P(X = c + 1 | θ) from the GRM written out here (logistic boundaries ℓ + β_c, crowding mixture), not from the library.</summary>
    internal static double Category(ItemResponseModel model, int item, double theta, int c)
    {
        int k = model.Points;
        double a = model.Slopes[item], loc = model.Locations[item];
        double AtLeast(int cat) => cat <= 0 ? 1 : cat >= k ? 0 : 1 / (1 + Math.Exp(-a * (theta - loc - model.CategoryOffsets[cat - 1])));
        double plain = AtLeast(c) - AtLeast(c + 1);
        if (model.Crowding is not { } crowd) return plain;
        int lo = crowd.First - 1, hi = crowd.Last - 1;
        if (c < lo || c > hi) return plain;
        double run = AtLeast(lo) - AtLeast(hi + 1);
        return (1 - crowd.Strength) * plain + crowd.Strength * run * crowd.Weights[c - lo] / crowd.Weights.Sum();
    }

    private static double IccSe(double rho, int k, int groups) =>
        Math.Sqrt(2 * Math.Pow(1 - rho, 2) * Math.Pow(1 + (k - 1) * rho, 2) / (k * (k - 1.0) * (groups - 1)));
}
