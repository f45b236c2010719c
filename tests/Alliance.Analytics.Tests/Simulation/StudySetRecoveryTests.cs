using Alliance.Analytics.Simulation;

namespace Alliance.Analytics.Tests.Simulation;

/// <summary>
/// Recovery of the study-set truth: a DerSimonian–Laird random-effects meta-analysis (computed here) of a large
/// simulated set recovers ρ within its standard error; moderator effects and variance components are applied as set;
/// suppression of non-significant studies inflates the pooled estimate.
/// </summary>
public class StudySetRecoveryTests
{
    private const double Z = 4.0;

    /// <summary>Study-level inputs for DL: the mean Fisher z of a study's effect sizes, variance 1/((n − 3) m_s).</summary>
    private static (double[] Y, double[] V) StudyMeans(SimulatedStudySet set)
    {
        var groups = set.EffectSizes.GroupBy(e => e.Study).ToArray();
        return ([.. groups.Select(g => g.Average(e => Math.Atanh(e.R)))], [.. groups.Select(g => 1.0 / ((g.First().N - 3) * g.Count()))]);
    }

    /// <summary>
    /// Pooled Fisher z of 4,000 studies equals atanh ρ plus the small-sample bias of z(r), ρ_sl / (2(n − 1)) averaged
    /// over effect sizes (Hotelling 1953), within 4 SE of the DL estimate.
    /// </summary>
    [Fact]
    public void DerSimonianLairdRecoversRho()
    {
        var set = StudySetSimulator.Simulate(new StudySetOptions { Studies = 4000 }, seed: 7);
        var (y, v) = StudyMeans(set);
        var (mu, se, tau2) = Reference.DerSimonianLaird(y, v);
        double bias = set.EffectSizes.Average(e => Math.Tanh(e.TrueZ) / (2.0 * (e.N - 1)));
        Assert.Equal(Math.Atanh(0.278) + bias, mu, Z * se);
        // Heterogeneity of study means: σ²_between + σ²_within / m_s on average.
        double expectedTau2 = 0.010 + 0.004 * set.EffectSizes.GroupBy(e => e.Study).Average(g => 1.0 / g.Count());
        Assert.Equal(expectedTau2, tau2, 0.003);
    }

    /// <summary>
    /// The committed 295-study set: its DL estimate's 95% interval covers the true ρ (its seed was chosen as a typical
    /// realisation: see <see cref="Simulator.CommittedSeed"/>), with more than 30,000 patients as in Flückiger et al. 2018.
    /// </summary>
    [Fact]
    public void CommittedStudySetIntervalCoversRho()
    {
        var lines = File.ReadAllLines(Repository.Synthetic("studies", "studies.csv"));
        Assert.Equal("study,es_id,r,n,rater,measure,timing,ptr,design,year", lines[0]);
        var rows = lines.Skip(1).Select(l => l.Split(',')).Select(f => (Study: f[0], R: double.Parse(f[2], CultureInfo.InvariantCulture), N: int.Parse(f[3], CultureInfo.InvariantCulture))).ToArray();
        var groups = rows.GroupBy(r => r.Study).ToArray();
        Assert.Equal(295, groups.Length);
        var (mu, se, _) = Reference.DerSimonianLaird([.. groups.Select(g => g.Average(r => Math.Atanh(r.R)))], [.. groups.Select(g => 1.0 / ((g.First().N - 3) * g.Count()))]);
        Assert.InRange(0.278, Math.Tanh(mu - 1.96 * se), Math.Tanh(mu + 1.96 * se));
        Assert.True(groups.Sum(g => g.First().N) > 30_000);
    }

    /// <summary>Variance components and the mean of the true effects (no sampling error in ζ beyond u and w).</summary>
    [Fact]
    public void TrueEffectsHaveTheSetMeanAndVariances()
    {
        var options = new StudySetOptions { Studies = 20_000, Tau2Between = 0.02, Tau2Within = 0.01 };
        var set = StudySetSimulator.Simulate(options, seed: 11);
        var studies = set.EffectSizes.Where(e => e.EffectSize == 1).Select(e => e.StudyEffect).ToArray();
        var within = set.EffectSizes.Select(e => e.WithinEffect).ToArray();
        Assert.Equal(0.02, Reference.Variance(studies), Z * 0.02 * Math.Sqrt(2.0 / studies.Length));
        Assert.Equal(0.01, Reference.Variance(within), Z * 0.01 * Math.Sqrt(2.0 / within.Length));
        // E ζ = atanh ρ: moderators are centred at their population means.
        double sdMean = Math.Sqrt((0.02 + 0.01 + 0.01) / studies.Length);
        Assert.Equal(Math.Atanh(0.278), set.EffectSizes.Average(e => e.TrueZ), Z * sdMean * 2);
    }

    /// <summary>Moderator effects: mean true z of RCTs minus others equals effect_rct; per doubling of the ratio, effect_ratio.</summary>
    [Fact]
    public void ModeratorEffectsAreApplied()
    {
        var options = new StudySetOptions { Studies = 20_000, EffectRct = 0.15, EffectRatio = 0.05, EffectRaterTherapist = -0.1, Tau2Between = 0.005, Tau2Within = 0.002 };
        var set = StudySetSimulator.Simulate(options, seed: 13);
        var es = set.EffectSizes;
        // Residual of ζ after removing the known rater/measure/timing/ratio/design terms is u + w: check each term by contrast.
        double rct = es.Where(e => e.Design == "rct").Average(e => e.TrueZ), other = es.Where(e => e.Design != "rct").Average(e => e.TrueZ);
        double noise = Math.Sqrt(0.007 + 0.002) * Math.Sqrt(4.0 / es.Length) * 2;
        Assert.Equal(0.15, rct - other, Z * noise);
        double therapist = es.Where(e => e.Rater == "therapist").Average(e => e.TrueZ), client = es.Where(e => e.Rater == "client").Average(e => e.TrueZ);
        Assert.Equal(-0.1, therapist - client, Z * noise * 2);
        var x = es.Select(e => Math.Log2(e.Ratio)).ToArray();
        var y = es.Select(e => e.TrueZ).ToArray();
        double slope = Reference.Correlation(x, y) * Math.Sqrt(Reference.Variance(y) / Reference.Variance(x));
        Assert.Equal(0.05, slope, 0.01); // ratio rounded to 1 decimal and floored at 1: a slight attenuation
    }

    /// <summary>Suppressing 80% of non-significant studies (publication bias) inflates the pooled estimate above the truth.</summary>
    [Fact]
    public void PublicationBiasInflatesThePooledEstimate()
    {
        var set = StudySetSimulator.Simulate(new StudySetOptions { Studies = 2000, PublishNonsignificant = 0.2 }, seed: 17);
        Assert.True(set.SuppressedStudies > 200, $"{set.SuppressedStudies} studies suppressed");
        var (y, v) = StudyMeans(set);
        var (mu, se, _) = Reference.DerSimonianLaird(y, v);
        Assert.True(mu - Math.Atanh(0.278) > 6 * se, $"pooled z {mu:F4} is not clearly above atanh(.278) = {Math.Atanh(0.278):F4} (SE {se:F4})");
        Assert.All(set.EffectSizes.Where(e => e.EffectSize == 1), e => Assert.InRange(e.N, 12, 3000));
    }

    [Fact]
    public void StudyStructureMatchesTheLiterature()
    {
        var set = StudySetSimulator.Simulate(new StudySetOptions(), seed: Simulator.DefaultSeed);
        Assert.Equal(295, set.StudyCount);
        int totalN = set.EffectSizes.Where(e => e.EffectSize == 1).Sum(e => e.N);
        Assert.InRange(totalN, 20_000, 45_000); // Flückiger et al. 2018: > 30,000 patients in 295 studies
        Assert.InRange(set.EffectSizes.Length, 400, 650);
        Assert.All(set.EffectSizes, e => Assert.InRange(e.R, -1, 1));
    }

    [Fact]
    public void ImpossiblePublicationFillingFailsClearly()
    {
        var e = Assert.Throws<AnalysisFailedException>(() =>
            StudySetSimulator.Simulate(new StudySetOptions { Studies = 5, Rho = -0.9, PublishNonsignificant = 1e-9, SampleSizeMedian = 20, SampleSizeMax = 30 }, seed: 1));
        Assert.Contains("publish_nonsignificant", e.Message);
    }
}
