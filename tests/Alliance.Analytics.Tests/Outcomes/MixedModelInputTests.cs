using Alliance.Analytics.Outcomes;

namespace Alliance.Analytics.Tests.Outcomes;

/// <summary>Bad input and non-convergence: clear messages naming what and where, convergence reported as data, rows left out counted.</summary>
public sealed class MixedModelInputTests
{
    private static ModelFrame Sleep() => OutcomeFixtures.Frame("sleepstudy.csv", "Reaction", "Days");

    [Fact]
    public void Formula_errors_say_what_is_wrong()
    {
        Assert.Contains("no random-effect term", Assert.Throws<AllianceInputException>(() => LinearMixedModel.Fit("Reaction ~ Days", Sleep())).Message);
        Assert.Contains("'||'", Assert.Throws<AllianceInputException>(() => MixedModelFormula.Parse("y ~ x + (x || g)")).Message);
        Assert.Contains("unbalanced", Assert.Throws<AllianceInputException>(() => MixedModelFormula.Parse("y ~ x + (1 | g")).Message);
        Assert.Contains("no numeric column 'Dayz'", Assert.Throws<AllianceInputException>(() => LinearMixedModel.Fit("Reaction ~ Dayz + (1 | Subject)", Sleep())).Message);
        var f = MixedModelFormula.Parse("y ~ 1 + a + a:b - 1 + (1 + s | t/c)");
        Assert.Equal(["a", "a:b"], f.Fixed.Select(t => t.Name));
        Assert.Equal(["t", "c:t"], f.Random.Select(r => r.GroupName));
    }

    [Fact]
    public void Crossed_grouping_factors_are_refused_naming_the_level_and_line()
    {
        // Two clients seen by two therapists each: crossed, not nested.
        var frame = ModelFrame.Create(8)
            .Factor("client", ["a", "a", "b", "b", "a", "a", "b", "b"])
            .Factor("therapist", ["t1", "t1", "t1", "t1", "t2", "t2", "t2", "t2"])
            .Numeric("y", [1, 2, 3, 4, 5, 6, 7, 9])
            .Build();
        var e = Assert.Throws<AllianceInputException>(() => LinearMixedModel.Fit("y ~ 1 + (1 | client) + (1 | therapist)", frame));
        Assert.Contains("crossed", e.Message);
        Assert.Contains("line", e.Message);
    }

    [Fact]
    public void Collinear_fixed_effects_are_refused()
    {
        var frame = Sleep();
        var days2 = frame.Numeric("Days").ToArray().Select(d => 2 * d).ToArray();
        var e = Assert.Throws<AllianceInputException>(() => LinearMixedModel.Fit("Reaction ~ Days + Days2 + (1 | Subject)", frame.WithNumeric("Days2", days2)));
        Assert.Contains("collinear", e.Message);
    }

    [Fact]
    public void Rows_with_missing_values_are_left_out_and_counted_with_their_lines()
    {
        var frame = Sleep();
        var y = frame.Numeric("Reaction").ToArray();
        y[0] = double.NaN;
        y[10] = double.NaN;
        var fit = LinearMixedModel.Fit("Reaction ~ Days + (1 | Subject)", frame.WithNumeric("Reaction", y));
        Assert.Equal(178, fit.Observations);
        Assert.Equal(178, fit.Usage.RowsUsed);
        var exclusion = Assert.Single(fit.Usage.Exclusions);
        Assert.Equal("missing Reaction", exclusion.Reason);
        Assert.Equal([2, 12], exclusion.Lines.ToArray());
    }

    [Fact]
    public void A_fit_stopped_by_the_evaluation_limit_is_marked_and_warned()
    {
        var fit = LinearMixedModel.Fit("Reaction ~ Days + (Days | Subject)", Sleep(), new MixedModelOptions { Optimizer = new() { MaxEvaluations = 8 } });
        Assert.False(fit.Convergence.Converged);
        Assert.Contains(fit.Warnings, w => w.Contains("did not converge", StringComparison.Ordinal));
        Assert.False(fit.ToJson()["convergence"]!["converged"]!.GetValue<bool>());
    }

    [Fact]
    public void Residual_df_option_gives_n_minus_p()
    {
        var fit = LinearMixedModel.Fit("Reaction ~ Days + (Days | Subject)", Sleep(), new MixedModelOptions { DegreesOfFreedom = DegreesOfFreedomMethod.Residual });
        Assert.All(fit.FixedEffects, f => Assert.Equal(178, f.DegreesOfFreedom));
        Assert.Contains("residual df", fit.Summary().ToText());
    }
}
