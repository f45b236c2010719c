using System.Text.Json.Nodes;
using Alliance.Analytics.Data;
using Alliance.Analytics.Formats;
using Alliance.Analytics.Irt;
using Alliance.Analytics.Tests.Simulation;

namespace Alliance.Analytics.Tests.Formats;

/// <summary>
/// Four collapses of the committed 7-point WAI fitted as the explorer fits them (rating scale model by CML on the
/// keyed complete rows) against R: psychotools::rsmodel's conditional log-likelihood and Andrich thresholds, and
/// psych::alpha's raw α (Fixtures/Formats/collapse_rsm.R); and as comparisons fit them (partial credit model by CML)
/// against psychotools::pcmodel, with psych::omega's ω total (Fixtures/Formats/collapse_pcm.R).
/// </summary>
public sealed class CollapseReferenceTests
{
    private const double LogLikelihood = 1e-4;   // psychotools stops its optimiser at a relative 1e-8 of ~1e5
    private const double Threshold = 1e-3;       // the same stopping rule, in logits
    private const double Alpha = 1e-10;
    private const double Omega = 1e-6;           // psych's minres factor analysis stops at its own tolerance

    [Fact]
    public void CollapsedRatingScaleFitsAndAlphaAgreeWithPsychotoolsAndPsych()
    {
        var fixture = JsonNode.Parse(File.ReadAllText(Fixtures.Path("Formats", "collapse_rsm.json")))!;
        var data = AllianceDataset.Load(Repository.Synthetic("formats", "wai36_7point.csv"));
        var keyed = data.Items.Reverse(data.Instrument!.ReverseKeyed.Select(k => data.Items.Items[k - 1])).CompleteRows().Complete;
        Assert.Equal((int)fixture["rows"]!, keyed.RowCount);
        foreach (var f in fixture["fits"]!.AsArray())
        {
            var map = CategoryMap.Parse((string)f!["map"]!, 7);
            var items = map.Apply(keyed);
            var fit = IrtAnalysis.Fit(items, new IrtOptions { Model = IrtModelType.RatingScale, Diagnostics = false });
            Assert.Equal((double)f["loglik"]!, fit.LogLikelihood, LogLikelihood);
            var tau = f["tau"]!.AsArray().Select(v => (double)v!).ToArray();
            Assert.Equal(tau.Length, fit.AndrichThresholds.Length);
            for (int k = 0; k < tau.Length; k++) Assert.Equal(tau[k], fit.AndrichThresholds[k], Threshold);
            Assert.Equal((double)f["alpha"]!, RawScoreStatistics.AlphaOmega(items, omega: false).Alpha, Alpha);
        }
    }

    /// <summary>
    /// Format comparisons fit each scoring by the partial credit model (CML) and report ω: psychotools::pcmodel's
    /// conditional log-likelihood and psych::omega's one-factor ω total of two scorings (Fixtures/Formats/collapse_pcm.R).
    /// </summary>
    [Fact]
    public void CollapsedPartialCreditFitsAndOmegaAgreeWithPsychotoolsAndPsych()
    {
        var fixture = JsonNode.Parse(File.ReadAllText(Fixtures.Path("Formats", "collapse_pcm.json")))!;
        var data = AllianceDataset.Load(Repository.Synthetic("formats", "wai36_7point.csv"));
        var keyed = data.Items.Reverse(data.Instrument!.ReverseKeyed.Select(k => data.Items.Items[k - 1])).CompleteRows().Complete;
        Assert.Equal((int)fixture["rows"]!, keyed.RowCount);
        foreach (var f in fixture["fits"]!.AsArray())
        {
            var items = CategoryMap.Parse((string)f!["map"]!, 7).Apply(keyed);
            var fit = IrtAnalysis.Fit(items, new IrtOptions { Model = IrtModelType.PartialCredit, Diagnostics = false });
            Assert.Equal((double)f["loglik"]!, fit.LogLikelihood, LogLikelihood);
            Assert.Equal((double)f["omega_total"]!, RawScoreStatistics.AlphaOmega(items, omega: true).Omega, Omega);
        }
    }

}
