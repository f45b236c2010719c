using Alliance.Analytics.Numerics;
using Alliance.Analytics.Outcomes;

namespace Alliance.Analytics.Tests.Outcomes;

/// <summary>
/// Nothing dropped silently and bad session data refused: rows without a client, session rows without alliance or
/// outcome, bootstrap resamples without a coefficient, clients with several therapists, named columns that are missing,
/// missing and repeated session numbers, and the lagged model's rater filter and consecutive-session rule.
/// </summary>
public sealed class OutcomeInputTests
{
    private sealed record Row(string? Client, string Therapist, double Session, double Alliance, double Symptoms, string Rater = "client");

    private static ModelFrame Frame(IReadOnlyList<Row> rows) => ModelFrame.Create(rows.Count, "test.csv")
        .Factor("client_id", [.. rows.Select(r => r.Client)])
        .Factor("therapist_id", [.. rows.Select(r => (string?)r.Therapist)])
        .Factor("rater", [.. rows.Select(r => (string?)r.Rater)])
        .Numeric("session", [.. rows.Select(r => r.Session)])
        .Numeric("alliance", [.. rows.Select(r => r.Alliance)])
        .Numeric("symptoms", [.. rows.Select(r => r.Symptoms)])
        .Build();

    // 40 clients × 6 sessions (10 therapists), symptoms falling faster after better-than-usual alliance.
    private static List<Row> Sessions(int clients = 40, int sessions = 6, long seed = 7)
    {
        var rng = RandomStream.Create(seed);
        var rows = new List<Row>();
        for (int c = 0; c < clients; c++)
        {
            double trait = rng.NextNormal(5, 0.7), y = rng.NextNormal(18, 3);
            for (int s = 1; s <= sessions; s++)
            {
                double a = trait + rng.NextNormal(0, 0.5);
                rows.Add(new Row("C" + c.ToString(CultureInfo.InvariantCulture), "T" + (c % 10).ToString(CultureInfo.InvariantCulture), s, a, y));
                y = 0.8 * y + 2 - 1.5 * (a - trait) + rng.NextNormal(0, 1.5);
            }
        }
        return rows;
    }

    private static OutcomeOptions Options => new() { Alliance = "alliance", Outcome = "symptoms", Bootstrap = null };

    [Fact]
    public void Rows_without_a_client_id_are_counted_with_their_lines()
    {
        var rows = Sessions();
        rows[7] = rows[7] with { Client = null };
        rows[20] = rows[20] with { Client = null };
        var result = OutcomeAnalysis.Analyze(Frame(rows), Options);
        var e = Assert.Single(result.SessionUsage.Exclusions);
        Assert.Equal(2, e.Count);
        Assert.Equal([9, 22], e.Lines.ToArray());
        Assert.Equal(rows.Count - 2, result.SessionUsage.RowsUsed);
        Assert.Equal(2, result.ToJson()["session_data"]!["excluded"]![0]!["count"]!.GetValue<int>());
    }

    [Fact]
    public void Session_rows_without_alliance_or_outcome_are_reported()
    {
        var rows = Sessions();
        rows[3] = rows[3] with { Alliance = double.NaN };
        rows[4] = rows[4] with { Alliance = double.NaN };
        rows[10] = rows[10] with { Symptoms = double.NaN };
        var result = OutcomeAnalysis.Analyze(Frame(rows), Options);
        Assert.Contains(result.Warnings, w => w.StartsWith("2 session rows have no alliance (lines 5, 6)", StringComparison.Ordinal));
        Assert.Contains(result.Warnings, w => w.StartsWith("1 session rows have no symptoms (lines 12)", StringComparison.Ordinal));
    }

    [Fact]
    public void Bootstrap_label_and_count_give_the_resamples_used_when_some_have_a_constant_variable()
    {
        // x constant unless the resample draws the 6th pair: P(constant) = (5/6)^6 ≈ .33.
        double[] x = [1, 1, 1, 1, 1, 2], y = [3, 1, 4, 1.5, 5, 9];
        var b = Correlations.Bootstrap(x, y, CorrelationMethod.Pearson, 0.95, new BootstrapOptions { Replicates = 2000, Interval = BootstrapInterval.Percentile });
        Assert.InRange(b.Resamples, 1100, 1600);
        Assert.Contains($"{b.Resamples.ToString("N0", CultureInfo.InvariantCulture)} of 2,000 resamples", b.Interval.Method);
        var full = Correlations.Bootstrap([1, 2, 3, 4, 5, 6.5], y, CorrelationMethod.Pearson, 0.95, new BootstrapOptions { Replicates = 200 });
        Assert.Equal(200, full.Resamples);
    }

    [Fact]
    public void A_bootstrap_that_fails_is_a_warning_not_the_end_of_the_analysis()
    {
        // x constant unless pair 8 is drawn, y unless pair 1 is: about 60% of resamples have no r, so the interval is refused.
        var frame = ModelFrame.Create(8, "t.csv").Numeric("alliance", [1, 1, 1, 1, 1, 1, 1, 2]).Numeric("symptoms", [5, 3, 3, 3, 3, 3, 3, 3]).Build();
        var result = OutcomeAnalysis.Analyze(frame, Options with { Bootstrap = new BootstrapOptions { Replicates = 200 } });
        Assert.Null(result.BootstrapPearson);
        Assert.Contains(result.Warnings, w => w.StartsWith("bootstrap interval not computed", StringComparison.Ordinal));
    }

    [Fact]
    public void A_client_seen_by_two_therapists_is_refused_with_its_lines()
    {
        var rows = Sessions();
        rows[2] = rows[2] with { Therapist = "T9" };
        var e = Assert.Throws<AllianceInputException>(() => OutcomeAnalysis.Analyze(Frame(rows), Options));
        Assert.Contains("client C0", e.Message);
        Assert.Contains("T0, T9", e.Message);
        Assert.Contains("lines 2, 3", e.Message);
    }

    [Fact]
    public void Named_columns_that_are_missing_are_refused_and_defaults_apply_only_when_present()
    {
        var frame = Frame(Sessions());
        foreach (var options in new[] { Options with { Client = "cid" }, Options with { Session = "visit" }, Options with { Therapist = "clinician" } })
        {
            var e = Assert.Throws<AllianceInputException>(() => OutcomeAnalysis.Analyze(frame, options));
            Assert.Contains($"'{(options.Client != "client_id" ? options.Client : options.Session != "session" ? options.Session : options.Therapist)}'", e.Message);
        }
        var noIds = ModelFrame.Create(6, "t.csv").Numeric("alliance", [1, 2, 3, 4, 5, 6]).Numeric("symptoms", [3, 1, 2, 5, 4, 6]).Build();
        Assert.Equal(6, OutcomeAnalysis.Analyze(noIds, Options).Pearson.N);
    }

    [Fact]
    public void Missing_session_numbers_are_refused_and_repeated_ones_kept_in_file_order_with_a_warning()
    {
        var rows = Sessions();
        rows[5] = rows[5] with { Session = double.NaN };
        var e = Assert.Throws<AllianceInputException>(() => ClientOutcomes.Summarize(Frame(rows), Options));
        Assert.Contains("line", e.Message);
        Assert.Contains("7", e.Message);

        rows = Sessions();
        // Client C0: two rows of session 1, the second one first in sort order if the sort were by value only.
        rows[1] = rows[1] with { Session = 1, Alliance = 1.0 };
        rows[0] = rows[0] with { Alliance = 7.0 };
        var set = ClientOutcomes.SummarizeSessions(Frame(rows), Options with { Timing = AllianceTiming.First });
        Assert.Equal(7.0, set.Clients.Single(c => c.Client == "C0").Alliance);
        Assert.Contains(set.Warnings, w => w.Contains("repeat a client's session", StringComparison.Ordinal) && w.Contains("(lines 3)", StringComparison.Ordinal));
    }

    [Fact]
    public void Alliance_at_a_fractional_session_is_named_in_the_invariant_culture()
    {
        var saved = CultureInfo.CurrentCulture;
        try
        {
            // A culture with a decimal comma (the test host runs globalization-invariant, so one is made by hand).
            var comma = (CultureInfo)CultureInfo.InvariantCulture.Clone();
            comma.NumberFormat.NumberDecimalSeparator = ",";
            CultureInfo.CurrentCulture = comma;
            var e = Assert.Throws<AllianceInputException>(() => OutcomeAnalysis.Analyze(Frame(Sessions()), Options with { Timing = AllianceTiming.AtSession, AtSession = 2.5 }));
            Assert.Contains("no alliance rating at session 2.5", e.Message);
        }
        finally { CultureInfo.CurrentCulture = saved; }
    }

    [Fact]
    public void Baseline_enters_the_therapist_model_only_when_at_least_half_the_clients_have_one()
    {
        // 41 clients, 20 with a baseline: 20 < 41/2, so no baseline (integer division took 20 ≥ 20).
        var rows = Sessions(clients: 41);
        var frame = Frame(rows).WithNumeric("pre", [.. rows.Select((r, i) => i < 20 * 6 ? r.Symptoms + 3 : double.NaN)]);
        var t = OutcomeAnalysis.Analyze(frame, Options with { Baseline = "pre" }).Therapist!;
        Assert.DoesNotContain(t.Model.FixedEffects, f => f.Term == "baseline");
        var frame21 = Frame(rows).WithNumeric("pre", [.. rows.Select((r, i) => i < 21 * 6 ? r.Symptoms + 3 : double.NaN)]);
        Assert.Contains(OutcomeAnalysis.Analyze(frame21, Options with { Baseline = "pre" }).Therapist!.Model.FixedEffects, f => f.Term == "baseline");
    }

    [Fact]
    public void Kendall_z_does_not_overflow_for_large_n()
    {
        // No ties: z = 3τ √(n(n − 1)) / √(2(2n + 5)) (Kendall 1970, eq. 4.4); n(n − 1) overflows int from n = 46,342.
        int n = 50_000;
        var rng = RandomStream.Create(3);
        var x = new double[n];
        var y = new double[n];
        for (int i = 0; i < n; i++) { x[i] = i; y[i] = i + rng.NextNormal(0, 20_000); }
        var k = Correlations.Correlate(x, y, CorrelationMethod.Kendall);
        double expected = 3 * k.R * Math.Sqrt((double)n * (n - 1)) / Math.Sqrt(2.0 * (2 * n + 5));
        Assert.Equal(expected, k.Statistic, 1e-6 * Math.Abs(expected));
    }

    [Fact]
    public void Lagged_model_with_rater_uses_only_that_raters_rows()
    {
        var rows = Sessions();
        var both = rows.Concat(rows.Select(r => r with { Rater = "therapist", Alliance = r.Alliance + 0.3 })).ToList();
        var result = OutcomeAnalysis.Analyze(Frame(both), Options with { Lagged = true, Rater = "rater", RaterValue = "client" });
        var alone = OutcomeAnalysis.Analyze(Frame(rows), Options with { Lagged = true });
        Assert.Equal(alone.WithinPatient!.Pairs, result.WithinPatient!.Pairs);
        Assert.Equal(alone.WithinPatient.Within.B, result.WithinPatient.Within.B, 1e-9);
        Assert.Contains(result.WithinPatient.Usage.Exclusions, e => e.Reason.Contains("raters other than client", StringComparison.Ordinal) && e.Count == rows.Count);
        // Without the rater, two rows per session are refused rather than paired arbitrarily.
        var e = Assert.Throws<AllianceInputException>(() => WithinPatientModel.Fit(Frame(both), new WithinPatientOptions { Alliance = "alliance", Symptoms = "symptoms" }));
        Assert.Contains("two rows for session", e.Message);
        Assert.Contains("WithinPatientOptions.Rater", e.Message);
    }

    [Fact]
    public void Lagged_pairs_need_consecutive_sessions_and_gaps_are_counted()
    {
        var rows = Sessions();
        // Session 3 of the first 10 clients is missing: 2→4 is not a lag of one session.
        var gappy = rows.Where(r => !(r.Session == 3 && int.Parse(r.Client![1..], CultureInfo.InvariantCulture) < 10)).ToList();
        var r = WithinPatientModel.Fit(Frame(gappy), new WithinPatientOptions { Alliance = "alliance", Symptoms = "symptoms" });
        Assert.Equal(10, r.BrokenPairs);
        Assert.Equal(40 * 5 - 10 * 2, r.Pairs);
        Assert.Equal(r.Pairs, r.Usage.RowsUsed);
        Assert.Equal(10, r.ToJson()["broken_pairs"]!.GetValue<int>());
    }
}
