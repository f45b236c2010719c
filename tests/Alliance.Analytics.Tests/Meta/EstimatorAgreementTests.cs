using Alliance.Analytics.Meta;

namespace Alliance.Analytics.Tests.Meta;

/// <summary>
/// Every τ² estimator on three metafor data sets against <c>metafor::rma(yi, vi, method = m)</c> (fixtures from
/// Fixtures/Meta/meta-fixtures.R): coefficients, τ² and its standard error, I², H², Q, log-likelihoods, weights,
/// prediction and Q-profile intervals.
/// </summary>
public class EstimatorAgreementTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var set in new[] { "bcg", "raudenbush1985", "molloy2014" })
            foreach (var m in new[] { "EE", "DL", "HE", "HS", "SJ", "ML", "REML", "PM", "EB" }) data.Add(set, m);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_estimator_agrees_with_metafor(string set, string method)
    {
        var studies = set switch { "bcg" => MetaFixtures.Bcg(), "raudenbush1985" => MetaFixtures.Raudenbush(), _ => MetaFixtures.Molloy() };
        var fit = MetaAnalysis.Fit(studies, MetaFixtures.Options(method));
        MetaFixtures.AssertMatches(MetaFixtures.Json(set)["methods"]![method]!, fit);
    }
}
