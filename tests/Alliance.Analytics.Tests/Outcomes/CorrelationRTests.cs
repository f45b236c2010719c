using Alliance.Analytics.Outcomes;

namespace Alliance.Analytics.Tests.Outcomes;

/// <summary>
/// Correlations against R 4.2.2 (Fixtures/Outcomes/correlation_fixtures.R → correlation_reference.csv) on 300 simulated
/// clients with a ceiling-skewed, tied alliance score, a 5-category item, baseline and end-of-treatment symptoms:
/// <c>cor.test</c> (Pearson, Spearman and Kendall, exact = FALSE), <c>polycor::polyserial(std.err = TRUE)</c>,
/// <c>psych::r.test</c> (Williams's T₂), <c>psych::partial.r</c>, <c>boot::boot.ci</c>; Steiger's Z₁* and the
/// Bonett–Wright and partial-correlation intervals computed by hand in the same script.
/// </summary>
public sealed class CorrelationRTests
{
    private const double ClosedForm = 1e-10;
    private const double Optimised = 1e-5;       // polycor's optim (BFGS, reltol 1e-8)
    private const double OptimHessian = 1e-3;    // R's optimHess uses plain central differences with step 1e-3
    private const double MonteCarlo = 0.01;      // 20,000 bootstrap resamples on each side, different generators

    private static readonly Dictionary<string, double> Ref = Load();

    private static Dictionary<string, double> Load()
    {
        var (_, rows) = OutcomeFixtures.ReadCsv("correlation_reference.csv");
        return rows.Where(r => r[1] != "NA").ToDictionary(r => r[0], r => double.Parse(r[1], CultureInfo.InvariantCulture));
    }

    private static double[] Column(string name)
    {
        var (header, rows) = OutcomeFixtures.ReadCsv("correlation_data.csv");
        int j = Array.IndexOf(header, name);
        return [.. rows.Select(r => r[j] == "NA" ? double.NaN : double.Parse(r[j], CultureInfo.InvariantCulture))];
    }

    private static void Close(double expected, double actual, double tolerance, string what) =>
        Assert.True(Math.Abs(expected - actual) <= tolerance * Math.Max(1, Math.Abs(expected)), $"{what}: expected {expected:R}, got {actual:R}");

    [Fact]
    public void Pearson_estimate_test_and_Fisher_interval_match_cor_test()
    {
        var r = Correlations.Correlate(Column("alliance_client"), Column("outcome"));
        Assert.Equal((int)Ref["n"], r.N);
        Close(Ref["pearson:r"], r.R, ClosedForm, "r");
        Close(Ref["pearson:t"], r.Statistic, ClosedForm, "t");
        Close(Ref["pearson:p"], r.PValue, 1e-9, "p");
        Close(Ref["pearson:lower"], r.Interval.Lower, ClosedForm, "lower");
        Close(Ref["pearson:upper"], r.Interval.Upper, ClosedForm, "upper");
    }

    [Fact]
    public void Spearman_with_ties_matches_cor_test_and_the_Bonett_Wright_interval()
    {
        var r = Correlations.Correlate(Column("alliance_client"), Column("outcome"), CorrelationMethod.Spearman);
        Close(Ref["spearman:r"], r.R, ClosedForm, "rho");
        Close(Ref["spearman:p"], r.PValue, 1e-9, "p");
        Close(Ref["spearman:lower"], r.Interval.Lower, ClosedForm, "lower");
        Close(Ref["spearman:upper"], r.Interval.Upper, ClosedForm, "upper");
    }

    [Fact]
    public void Kendall_tau_b_with_ties_matches_cor_test()
    {
        var r = Correlations.Correlate(Column("alliance_client"), Column("outcome"), CorrelationMethod.Kendall);
        Close(Ref["kendall:r"], r.R, ClosedForm, "tau-b");
        Close(Ref["kendall:z"], r.Statistic, ClosedForm, "z");
        Close(Ref["kendall:p"], r.PValue, 1e-9, "p");
    }

    [Fact]
    public void Partial_correlation_controlling_baseline_matches_residual_correlation_and_psych()
    {
        var r = Correlations.Partial(Column("alliance_client"), Column("outcome"), [Column("baseline")]);
        Close(Ref["partial:r"], r.R, ClosedForm, "partial r");
        Close(Ref["partial:psych"], r.R, ClosedForm, "psych::partial.r");
        Close(Ref["partial:t"], r.Statistic, ClosedForm, "t");
        Close(Ref["partial:p"], r.PValue, 1e-9, "p");
        Close(Ref["partial:lower"], r.Interval.Lower, ClosedForm, "lower");
        Close(Ref["partial:upper"], r.Interval.Upper, ClosedForm, "upper");
    }

    [Fact]
    public void Polyserial_two_step_matches_polycor()
    {
        var r = Correlations.Polyserial(Column("outcome"), Column("item"));
        Close(Ref["polyserial:rho"], r.Rho, Optimised, "rho");
        Close(Ref["polyserial:se"], r.StandardError, OptimHessian, "SE");
        for (int i = 0; i < r.Thresholds.Length; i++) Close(Ref[$"polyserial:cut{i + 1}"], r.Thresholds[i], ClosedForm, $"threshold {i + 1}");
        Assert.True(r.Convergence.Converged);
    }

    [Fact]
    public void Dependent_correlations_Williams_T2_matches_psych_r_test_and_Steiger_Z_the_hand_value()
    {
        var t = Correlations.CompareDependent(Ref["dep:r12"], Ref["dep:r13"], Ref["dep:r23"], (int)Ref["n"]);
        Close(Ref["dep:williams_t"], t.Williams.Statistic, ClosedForm, "Williams T2");
        Close(Ref["dep:williams_p"], t.Williams.PValue, 1e-9, "Williams p");
        Close(Ref["dep:steiger_z"], t.Steiger.Statistic, ClosedForm, "Steiger Z");
        Close(Ref["dep:steiger_p"], t.Steiger.PValue, 1e-9, "Steiger p");
    }

    [Fact]
    public void Bootstrap_percentile_and_BCa_intervals_agree_with_boot_to_Monte_Carlo_error()
    {
        var x = Column("alliance_client");
        var y = Column("outcome");
        var bca = Correlations.Bootstrap(x, y, options: new BootstrapOptions { Replicates = 20000, Seed = 1 });
        var perc = Correlations.Bootstrap(x, y, options: new BootstrapOptions { Replicates = 20000, Seed = 1, Interval = BootstrapInterval.Percentile });
        Close(Ref["boot:bca_lower"], bca.Interval.Lower, MonteCarlo, "BCa lower");
        Close(Ref["boot:bca_upper"], bca.Interval.Upper, MonteCarlo, "BCa upper");
        Close(Ref["boot:perc_lower"], perc.Interval.Lower, MonteCarlo, "percentile lower");
        Close(Ref["boot:perc_upper"], perc.Interval.Upper, MonteCarlo, "percentile upper");
        Assert.Equal(Ref["pearson:r"], bca.R, 10);
    }

    [Fact]
    public async Task Bootstrap_is_the_same_whatever_the_thread_count()
    {
        var x = Column("alliance_client");
        var y = Column("outcome");
        var options = new BootstrapOptions { Replicates = 1000, Seed = 99 };
        var a = Correlations.Bootstrap(x, y, CorrelationMethod.Spearman, options: options);
        // Run on a scheduler of one thread (Parallel.For takes the current scheduler): the result must be identical.
        var b = await Task.Factory.StartNew(() => Correlations.Bootstrap(x, y, CorrelationMethod.Spearman, options: options),
            CancellationToken.None, TaskCreationOptions.None, new SingleThreadScheduler());
        Assert.Equal(a.Interval.Lower, b.Interval.Lower);
        Assert.Equal(a.Interval.Upper, b.Interval.Upper);
    }

    [Fact]
    public void Disattenuation_divides_estimate_and_limits_by_the_root_of_the_reliabilities()
    {
        var r = new CorrelationEstimate(CorrelationMethod.Pearson, 0.3, 100, 0, 0, new ConfidenceInterval(0.1, 0.48, 0.95, "Fisher z"));
        var d = Correlations.Disattenuate(r, 0.9, 0.8);
        double f = Math.Sqrt(0.72);
        Assert.Equal(0.3 / f, d.R, 12);
        Assert.Equal(0.1 / f, d.Interval.Lower, 12);
        Assert.Equal(Math.Min(1, 0.48 / f), d.Interval.Upper, 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => Correlations.Disattenuate(r, 0, 0.8));
    }

    [Fact]
    public void Too_few_pairs_and_constant_variables_are_refused_with_a_message()
    {
        var e = Assert.Throws<AllianceInputException>(() => Correlations.Correlate([1, 2, double.NaN], [1, 2, 3]));
        Assert.Contains("complete pairs", e.Message);
        var c = Assert.Throws<AllianceInputException>(() => Correlations.Correlate([1, 1, 1, 1, 1], [1, 2, 3, 4, 5]));
        Assert.Contains("does not vary", c.Message);
    }

    /// <summary>Runs tasks (and Parallel.For's work) on one thread.</summary>
    private sealed class SingleThreadScheduler : TaskScheduler
    {
        protected override IEnumerable<Task>? GetScheduledTasks() => [];
        protected override void QueueTask(Task task) => TryExecuteTask(task);
        protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => TryExecuteTask(task);
        public override int MaximumConcurrencyLevel => 1;
    }
}
