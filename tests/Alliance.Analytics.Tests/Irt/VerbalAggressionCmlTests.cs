using Alliance.Analytics.Data;
using Alliance.Analytics.Irt;
using Alliance.Analytics.Instruments;

namespace Alliance.Analytics.Tests.Irt;

/// <summary>
/// Rasch models by conditional ML against eRm 1.0.2 and psychotools 0.7.2 on psychotools' VerbalAggression data
/// (Fixtures/Irt/irt-cml.R → irt-cml.json; first 6 items, 316 persons, 3 categories), and the values in
/// shared/domain/reference-values.md (RSM conditional log-likelihood −1004.574, PCM −1001.856, eRm item 1 location
/// −.3275 with thresholds −.6344 and −.0207, person separation reliability .5953).
/// </summary>
public class VerbalAggressionCmlTests
{
    private const double Agreement = 1e-4;
    private const double SeAgreement = 1e-4;
    private static readonly ItemScale Scale = ItemScale.Likert(3, 0);
    private static ResponseMatrix Six => IrtFixtures.Matrix("verbal-aggression.csv", Scale, 6);

    private static IrtFit Rsm(RaschNormalization n = RaschNormalization.Erm) =>
        IrtAnalysis.Fit(Six, new IrtOptions { Model = IrtModelType.RatingScale, Normalization = n });

    private static IrtFit Pcm(RaschNormalization n = RaschNormalization.Erm) =>
        IrtAnalysis.Fit(Six, new IrtOptions { Model = IrtModelType.PartialCredit, Normalization = n });

    [Fact]
    public void RatingScaleConditionalLogLikelihoodEqualsErmAndPsychotools()
    {
        var fit = Rsm();
        var f = IrtFixtures.Cml;
        Assert.True(fit.Convergence.Converged);
        Assert.Equal(f.GetProperty("rsm6").GetProperty("loglik").GetDouble(), fit.LogLikelihood, Agreement);
        Assert.Equal(f.GetProperty("psychotools6").GetProperty("rsm_loglik").GetDouble(), fit.LogLikelihood, Agreement);
        Assert.Equal(-1004.574, fit.LogLikelihood, 1e-3); // reference-values.md
        Assert.Equal(6, fit.ParameterCount);
    }

    [Fact]
    public void RatingScaleThresholdsAndSesEqualErmThresholds()
    {
        var fit = Rsm();
        var rsm = IrtFixtures.Cml.GetProperty("rsm6");
        var table = rsm.GetProperty("table").Table();
        var se = rsm.GetProperty("se").Numbers();
        for (int j = 0; j < 6; j++)
        {
            var item = fit.Items[j];
            Assert.Equal(table[j, 0], item.ErmLocation, Agreement);
            Assert.Equal(table[j, 1], item.ErmThresholds[0], Agreement);
            Assert.Equal(table[j, 2], item.ErmThresholds[1], Agreement);
            Assert.Equal(se[2 * j], item.ErmThresholdStandardErrors[0], SeAgreement);
            Assert.Equal(se[2 * j + 1], item.ErmThresholdStandardErrors[1], SeAgreement);
        }
        Assert.Equal(-0.3275, fit.Items[0].ErmLocation, 1e-4);
        Assert.Equal(-0.6344, fit.Items[0].ErmThresholds[0], 1e-4);
        Assert.Equal(-0.0207, fit.Items[0].ErmThresholds[1], 1e-4);
    }

    [Fact]
    public void PartialCreditLogLikelihoodThresholdsAndSesEqualErm()
    {
        var fit = Pcm();
        var pcm = IrtFixtures.Cml.GetProperty("pcm6");
        Assert.Equal(pcm.GetProperty("loglik").GetDouble(), fit.LogLikelihood, Agreement);
        Assert.Equal(IrtFixtures.Cml.GetProperty("psychotools6").GetProperty("pcm_loglik").GetDouble(), fit.LogLikelihood, Agreement);
        Assert.Equal(11, fit.ParameterCount);
        var table = pcm.GetProperty("table").Table();
        var se = pcm.GetProperty("se").Numbers();
        for (int j = 0; j < 6; j++)
        {
            Assert.Equal(table[j, 0], fit.Items[j].ErmLocation, Agreement);
            Assert.Equal(table[j, 1], fit.Items[j].ErmThresholds[0], Agreement);
            Assert.Equal(table[j, 2], fit.Items[j].ErmThresholds[1], Agreement);
            Assert.Equal(se[2 * j], fit.Items[j].ErmThresholdStandardErrors[0], SeAgreement);
            Assert.Equal(se[2 * j + 1], fit.Items[j].ErmThresholdStandardErrors[1], SeAgreement);
        }
    }

    [Fact]
    public void DefaultNormalizationReproducesPsychotoolsItemAndThresholdParameters()
    {
        var fit = Pcm(RaschNormalization.LocationsSumToZero);
        var ps = IrtFixtures.Cml.GetProperty("psychotools6");
        var itempar = ps.GetProperty("pcm_itempar").Numbers();
        var thresh = ps.GetProperty("pcm_threshpar").Numbers();
        for (int j = 0; j < 6; j++)
        {
            Assert.Equal(itempar[j], fit.Items[j].Location, Agreement);
            Assert.Equal(thresh[2 * j], fit.Items[j].B[0], Agreement);
            Assert.Equal(thresh[2 * j + 1], fit.Items[j].B[1], Agreement);
        }
        Assert.Equal(0, fit.Items.Sum(i => i.Location), 1e-9);
        var rsm = Rsm(RaschNormalization.LocationsSumToZero);
        var rItem = ps.GetProperty("rsm_itempar").Numbers();
        for (int j = 0; j < 6; j++) Assert.Equal(rItem[j], rsm.Items[j].Location, Agreement);
    }

    [Fact]
    public void MissingValuePatternsMatchErmAndPsychotools()
    {
        // eRm conditions on each NA pattern separately; the rule that placed the NAs is in the fixture.
        var x = IrtFixtures.Matrix("verbal-aggression.csv", Scale, 24, (i, j) => (i * 7 + j * 3) % 13 == 0);
        var pcm = IrtAnalysis.Fit(x, new IrtOptions { Model = IrtModelType.PartialCredit, Normalization = RaschNormalization.Erm });
        var f = IrtFixtures.Cml.GetProperty("pcm24na");
        Assert.Equal(f.GetProperty("loglik").GetDouble(), pcm.LogLikelihood, Agreement);
        Assert.Equal(IrtFixtures.Cml.GetProperty("pcm24na_psychotools").GetProperty("loglik").GetDouble(), pcm.LogLikelihood, Agreement);
        // thresholds: psychotools at a tight tolerance to 1e-4; eRm's nlm stops earlier with 47 parameters (to about 5e-4)
        var table = f.GetProperty("table").Table();
        var ps = IrtFixtures.Cml.GetProperty("pcm24na_psychotools").GetProperty("threshpar").Numbers();
        var pcm0 = IrtAnalysis.Fit(x, new IrtOptions { Model = IrtModelType.PartialCredit });
        for (int j = 0; j < 24; j++)
        {
            Assert.Equal(ps[2 * j], pcm0.Items[j].B[0], Agreement);
            Assert.Equal(ps[2 * j + 1], pcm0.Items[j].B[1], Agreement);
            Assert.Equal(table[j, 1], pcm.Items[j].ErmThresholds[0], 5e-4);
            Assert.Equal(table[j, 2], pcm.Items[j].ErmThresholds[1], 5e-4);
        }
        var rsm = IrtAnalysis.Fit(x, new IrtOptions { Model = IrtModelType.RatingScale, Normalization = RaschNormalization.Erm });
        var fr = IrtFixtures.Cml.GetProperty("rsm24na");
        Assert.Equal(fr.GetProperty("loglik").GetDouble(), rsm.LogLikelihood, Agreement);
        var tr = fr.GetProperty("table").Table();
        for (int j = 0; j < 24; j++) Assert.Equal(tr[j, 0], rsm.Items[j].ErmLocation, Agreement);
    }

    [Fact]
    public void ItemFitEqualsErmItemfit()
    {
        foreach (var (fit, key) in new[] { (Rsm(), "rsm6_itemfit"), (Pcm(), "pcm6_itemfit") })
        {
            var f = IrtFixtures.Cml.GetProperty(key);
            var outfit = f.GetProperty("outfit").Numbers();
            var infit = f.GetProperty("infit").Numbers();
            var outZ = f.GetProperty("outfit_z").Numbers();
            var inZ = f.GetProperty("infit_z").Numbers();
            for (int j = 0; j < 6; j++)
            {
                Assert.Equal(outfit[j], fit.Items[j].Fit.Outfit, 1e-4);
                Assert.Equal(infit[j], fit.Items[j].Fit.Infit, 1e-4);
                Assert.Equal(outZ[j], fit.Items[j].Fit.OutfitZ, 1e-3);
                Assert.Equal(inZ[j], fit.Items[j].Fit.InfitZ, 1e-3);
            }
        }
    }

    [Fact]
    public void PersonSeparationReliabilityEqualsErmSepRel()
    {
        var fit = Rsm();
        Assert.Equal(IrtFixtures.Cml.GetProperty("rsm6_seprel").GetDouble(), fit.PersonReliability, 1e-4);
        Assert.Equal(0.5953, fit.PersonReliability, 1e-4);
    }

    [Fact]
    public void MaximumLikelihoodPersonMeasuresEqualErmPersonParameter()
    {
        var fit = IrtAnalysis.Fit(Six, new IrtOptions { Model = IrtModelType.RatingScale, Normalization = RaschNormalization.Erm, PersonEstimator = PersonEstimator.MaximumLikelihood });
        var f = IrtFixtures.Cml.GetProperty("rsm6_persons");
        var raw = f.GetProperty("raw").Numbers();
        var theta = f.GetProperty("theta").Numbers();
        var se = f.GetProperty("se").Numbers();
        var byScore = fit.Persons.Where(p => p.Extreme == 0).GroupBy(p => p.RawScore).ToDictionary(g => g.Key, g => g.First());
        for (int i = 0; i < raw.Length; i++)
        {
            var p = byScore[(int)raw[i]];
            Assert.Equal(theta[i], p.Theta, 1e-4);
            Assert.Equal(se[i], p.StandardError, 2e-3); // eRm: SE from nlm's numerical Hessian
        }
        Assert.All(fit.Persons.Where(p => p.Extreme != 0), p => Assert.True(double.IsInfinity(p.Theta)));
    }

    [Fact]
    public void PersonFitEqualsErmPersonfit()
    {
        // eRm::personfit(person.parameter(RSM(X6))): the 282 persons without an extreme raw score, in row order
        // (the fixture's "rows" are NA: X6 has no row names, so the R script's match found nothing)
        var fit = Rsm();
        var f = IrtFixtures.Cml.GetProperty("rsm6_personfit");
        var outfit = f.GetProperty("outfit").Numbers();
        var infit = f.GetProperty("infit").Numbers();
        var persons = fit.Persons.Where(p => p.Extreme == 0).OrderBy(p => p.Row).ToArray();
        Assert.Equal(282, outfit.Length);
        Assert.Equal(outfit.Length, persons.Length);
        for (int i = 0; i < persons.Length; i++)
        {
            Assert.Equal(outfit[i], persons[i].Outfit, 1e-4);
            Assert.Equal(infit[i], persons[i].Infit, 1e-4);
        }
    }

    [Fact]
    public void AndrichThresholdsAndSesEqualPsychotoolsRsmodel()
    {
        // psychotools::rsmodel: coef = item parameters 2…6 relative to item 1, then C2 = τ₂ − τ₁ (category 1's parameter
        // fixed at 0); threshpar = item location + τ per item. With Σ τ = 0, τ₂ − τ₁ = 2τ₂ and SE(C2) = 2 SE(τ₂).
        var fit = Rsm(RaschNormalization.LocationsSumToZero);
        var ps = IrtFixtures.Cml.GetProperty("psychotools6");
        var coef = ps.GetProperty("rsm_coef").Numbers();
        var se = ps.GetProperty("rsm_se").Numbers();
        var thresh = ps.GetProperty("rsm_threshpar").Numbers();
        var item = ps.GetProperty("rsm_itempar").Numbers();
        Assert.Equal(2, fit.AndrichThresholds.Length);
        Assert.Equal(0, fit.AndrichThresholds.Sum(), 1e-9);
        Assert.Equal(coef[5], fit.AndrichThresholds[1] - fit.AndrichThresholds[0], Agreement);
        Assert.Equal(se[5], 2 * fit.AndrichThresholdStandardErrors[1], SeAgreement);
        Assert.Equal(fit.AndrichThresholdStandardErrors[0], fit.AndrichThresholdStandardErrors[1], 1e-9);
        for (int j = 0; j < 6; j++)
        {
            Assert.Equal(thresh[2 * j] - item[j], fit.AndrichThresholds[0], Agreement);
            Assert.Equal(thresh[2 * j + 1] - item[j], fit.AndrichThresholds[1], Agreement);
            Assert.Equal(thresh[2 * j], fit.Items[j].B[0], Agreement);
            Assert.Equal(thresh[2 * j + 1], fit.Items[j].B[1], Agreement);
            if (j > 0) Assert.Equal(coef[j - 1], fit.Items[j].Location - fit.Items[0].Location, Agreement);
        }
    }
}
