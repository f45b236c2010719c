using Alliance.Analytics.Numerics;
using Alliance.Analytics.Outcomes;

namespace Alliance.Analytics.Tests.Outcomes;

/// <summary>
/// Parameter recovery (reference-values.md, "Parameter recovery"): data simulated with <see cref="RandomStream"/> from
/// known between- and within-therapist effects and a known within-patient lagged effect; estimates must lie within
/// 4 SE of the truth.
/// </summary>
public sealed class OutcomeRecoveryTests
{
    private const double Ses = 4;

    [Fact]
    public void Between_and_within_therapist_effects_are_recovered()
    {
        // 150 therapists × 8 clients. Outcome generated from the observed therapist mean and the client's deviation
        // (the model's own parameterisation), a therapist effect τ² = 1.5 and residual σ² = 9.
        const double Between = -3.0, Within = -0.8, Tau2 = 1.5, Sigma2 = 9;
        int therapists = 150, per = 8, n = therapists * per;
        var rng = RandomStream.Create(42);
        var ther = new string?[n];
        var alliance = new double[n];
        var pre = new double[n];
        var post = new double[n];
        for (int t = 0; t < therapists; t++)
        {
            double m = rng.NextNormal(5, 0.6), u = rng.NextNormal(0, Math.Sqrt(Tau2));
            var a = new double[per];
            for (int c = 0; c < per; c++) a[c] = m + rng.NextNormal(0, 0.8);
            double mean = a.Average();
            for (int c = 0; c < per; c++)
            {
                int i = t * per + c;
                ther[i] = "T" + t.ToString(CultureInfo.InvariantCulture);
                alliance[i] = a[c];
                pre[i] = rng.NextNormal(20, 4);
                post[i] = 12 + 0.5 * pre[i] + Between * (mean - 5) + Within * (a[c] - mean) + u + rng.NextNormal(0, Math.Sqrt(Sigma2));
            }
        }
        var r = TherapistEffects.Fit(ther, alliance, post, pre);
        Assert.True(Math.Abs(r.BetweenTherapist.B - Between) < Ses * r.BetweenTherapist.StandardError, $"between {r.BetweenTherapist}");
        Assert.True(Math.Abs(r.WithinTherapist.B - Within) < Ses * r.WithinTherapist.StandardError, $"within {r.WithinTherapist}");
        // Var(τ̂²) ≈ 2(τ² + σ²/m)²/(T − 1) for balanced groups (Searle, Casella & McCulloch 1992, §3.6).
        double seTau2 = Math.Sqrt(2 * Math.Pow(Tau2 + Sigma2 / per, 2) / (therapists - 1));
        Assert.True(Math.Abs(r.TherapistVariance - Tau2) < Ses * seTau2, $"τ² {r.TherapistVariance}");
        Assert.True(Math.Abs(r.ResidualVariance - Sigma2) < Ses * Sigma2 * Math.Sqrt(2.0 / (n - therapists)), $"σ² {r.ResidualVariance}");
        Assert.Equal(therapists, r.Therapists);
    }

    [Fact]
    public void Within_patient_lagged_alliance_effect_is_recovered()
    {
        // 250 clients × 16 sessions: alliance = trait + state; next symptoms depend on this session's symptoms (0.5)
        // and the state part of alliance (−1.2), with a client intercept.
        const double Gamma = -1.2;
        int clients = 250, sessions = 16, n = clients * sessions;
        var rng = RandomStream.Create(7);
        var client = new string?[n];
        var session = new double[n];
        var alliance = new double[n];
        var symptoms = new double[n];
        for (int c = 0; c < clients; c++)
        {
            double trait = rng.NextNormal(5, 0.5), a0 = rng.NextNormal(10, 1.5);
            double y = rng.NextNormal(20, 3);
            for (int s = 0; s < sessions; s++)
            {
                int i = c * sessions + s;
                double state = rng.NextNormal(0, 0.6);
                client[i] = "C" + c.ToString(CultureInfo.InvariantCulture);
                session[i] = s + 1;
                alliance[i] = trait + state;
                symptoms[i] = y;
                y = a0 + 0.5 * y + Gamma * state + rng.NextNormal(0, 2);
            }
        }
        var frame = ModelFrame.Create(n).Factor("client_id", client).Numeric("session", session).Numeric("alliance", alliance).Numeric("symptoms", symptoms).Build();
        var r = WithinPatientModel.Fit(frame, new WithinPatientOptions { Alliance = "alliance", Symptoms = "symptoms" });
        Assert.True(Math.Abs(r.Within.B - Gamma) < Ses * r.Within.StandardError, $"within {r.Within}");
        Assert.Equal(clients * (sessions - 1), r.Pairs);
    }

    [Fact]
    public void Three_level_variance_components_are_recovered()
    {
        // 60 therapists × 8 clients × 6 sessions: τ²_T = 2, τ²_C = 4, σ² = 6, slope −0.5.
        int t = 60, c = 8, s = 6, n = t * c * s;
        var rng = RandomStream.Create(3);
        var ther = new string?[n];
        var cli = new string?[n];
        var sess = new double[n];
        var y = new double[n];
        int i = 0;
        for (int a = 0; a < t; a++)
        {
            double ut = rng.NextNormal(0, Math.Sqrt(2));
            for (int b = 0; b < c; b++)
            {
                double uc = rng.NextNormal(0, 2);
                for (int k = 0; k < s; k++, i++)
                {
                    ther[i] = "T" + a.ToString(CultureInfo.InvariantCulture);
                    cli[i] = $"C{a}-{b}";
                    sess[i] = k + 1;
                    y[i] = 20 + ut + uc - 0.5 * (k + 1) + rng.NextNormal(0, Math.Sqrt(6));
                }
            }
        }
        var frame = ModelFrame.Create(n).Factor("therapist_id", ther).Factor("client_id", cli).Numeric("session", sess).Numeric("y", y).Build();
        var fit = LinearMixedModel.Fit("y ~ session + (1 | therapist_id/client_id)", frame);
        Assert.True(Math.Abs(fit["session"].Estimate + 0.5) < Ses * fit["session"].StandardError);
        Assert.True(Math.Abs(fit.ResidualVariance - 6) < Ses * 6 * Math.Sqrt(2.0 / (n - t * c)));
        Assert.True(Math.Abs(fit.Random("client_id:therapist_id").Variance(0) - 4) < 4 * 0.55, $"client τ² {fit.Random("client_id:therapist_id").Variance(0)}");
        Assert.True(Math.Abs(fit.Random("therapist_id").Variance(0) - 2) < 4 * 0.55, $"therapist τ² {fit.Random("therapist_id").Variance(0)}");
        var icc = fit.IntraclassCorrelations["therapist_id"];
        Assert.Equal(fit.Random("therapist_id").Variance(0) / (fit.Random("therapist_id").Variance(0) + fit.Random("client_id:therapist_id").Variance(0) + fit.ResidualVariance), icc, 12);
    }
}
