using Alliance.Analytics.Meta;

namespace Alliance.Analytics.Tests.Meta;

/// <summary>Effect-size conversions against published worked examples and R.</summary>
public class EffectSizeTests
{
    private const double FourDecimals = 0.5e-4 + 1e-9;

    /// <summary>Borenstein, Hedges, Higgins &amp; Rothstein (2009), Introduction to Meta-Analysis, ch. 7 worked examples: ln OR 0.9069 (V 0.0676) → d 0.5000 (V 0.0205).</summary>
    [Fact]
    public void Log_odds_ratio_to_d_Borenstein_chapter_7()
    {
        var (d, v) = EffectSizes.DFromLogOddsRatio(0.9069, 0.0676);
        MetaFixtures.Near(0.5000, d, FourDecimals, "d");
        MetaFixtures.Near(0.0205, v, FourDecimals, "V(d)");
    }

    /// <summary>Borenstein et al. (2009), ch. 7: d 0.5000 (V 0.0205), n = 50 per group → r 0.2425 (V 0.0043).</summary>
    [Fact]
    public void D_to_r_Borenstein_chapter_7()
    {
        var (r, v) = EffectSizes.CorrelationFromD(0.5, 50, 50, 0.0205);
        MetaFixtures.Near(0.2425, r, FourDecimals, "r");
        MetaFixtures.Near(0.0043, v, FourDecimals, "V(r)");
    }

    /// <summary>Borenstein et al. (2009), ch. 7: r 0.50 (V 0.0058) → d 1.1547 (V 0.0550).</summary>
    [Fact]
    public void R_to_d_Borenstein_chapter_7()
    {
        var (d, v) = EffectSizes.DFromCorrelation(0.5, 0.0058);
        MetaFixtures.Near(1.1547, d, FourDecimals, "d");
        MetaFixtures.Near(0.0550, v, FourDecimals, "V(d)");
    }

    /// <summary>R: cor.test(mtcars$mpg, mtcars$wt) gives r = −0.8676594, t = −9.559044 on 30 df; t and F = t² convert back to r.</summary>
    [Fact]
    public void T_and_F_statistics_convert_to_the_Pearson_correlation()
    {
        MetaFixtures.Near(-0.8676593765, EffectSizes.CorrelationFromT(-9.5590441470, 30), 1e-9, "r from t");
        MetaFixtures.Near(-0.8676593765, EffectSizes.CorrelationFromF(9.5590441470 * 9.5590441470, 30, positive: false), 1e-9, "r from F");
    }

    [Fact]
    public void Odds_ratio_to_r_chains_the_two_conversions()
    {
        var (r, v) = EffectSizes.CorrelationFromOddsRatio(Math.Exp(0.9069), 50, 50, 0.0676);
        var (d, vd) = EffectSizes.DFromLogOddsRatio(0.9069, 0.0676);
        var (r2, v2) = EffectSizes.CorrelationFromD(d, 50, 50, vd);
        Assert.Equal(r2, r, 12);
        Assert.Equal(v2, v, 12);
    }

    [Fact]
    public void Fisher_z_back_transformation_is_tanh_and_bad_values_are_refused()
    {
        Assert.Equal(Math.Tanh(0.3), EffectSizes.ToCorrelation(0.3, EffectMeasure.FisherZ), 15);
        Assert.Equal(0.3, EffectSizes.ToCorrelation(0.3, EffectMeasure.RawCorrelation));
        Assert.Throws<ArgumentOutOfRangeException>(() => EffectSizes.FisherZ(1.0, 50));
        Assert.Throws<ArgumentOutOfRangeException>(() => EffectSizes.FisherZ(0.3, 3));
        var e = Assert.Throws<AllianceInputException>(() => StudySet.FromCorrelations([0.2, 1.3], [50, 60]));
        Assert.Contains("study 2", e.Message);
    }
}
