using Alliance.Analytics.Data;
using Alliance.Analytics.Irt;
using Alliance.Analytics.Instruments;

namespace Alliance.Analytics.Tests.Irt;

/// <summary>
/// Nothing left out silently: rows without a group label, extreme-score persons, rows S-X² cannot use, items the
/// overall fit leaves out and the warnings of inner fits are all reported (VerbalAggression, Fixtures/Irt).
/// </summary>
public class ReportingHonestyTests
{
    private static readonly ItemScale Scale = ItemScale.Likert(3, 0);
    private static ResponseMatrix Six => IrtFixtures.Matrix("verbal-aggression.csv", Scale, 6);

    private static double[] Values(ResponseMatrix x)
    {
        var v = new double[x.RowCount * x.ItemCount];
        for (int i = 0; i < x.RowCount; i++) x.Row(i).CopyTo(v.AsSpan(i * x.ItemCount, x.ItemCount));
        return v;
    }

    /// <summary>Six plus a seventh item that is 0 for everybody: the overall fit leaves it out.</summary>
    private static ResponseMatrix SixAndConstant()
    {
        var six = Six;
        var v = new double[six.RowCount * 7];
        for (int i = 0; i < six.RowCount; i++) { six.Row(i).CopyTo(v.AsSpan(i * 7, 6)); v[i * 7 + 6] = 0; }
        return ResponseMatrix.Create(v, [.. six.Items, "constant"], Scale);
    }

    [Fact]
    public void AndersenWithUnlabelledRowsFitsAllPersonsOnTheLabelledRowsAndCountsTheRest()
    {
        var gender = IrtFixtures.Column("verbal-aggression.csv", "gender");
        var labels = gender.Select((g, i) => i % 10 == 0 ? null : g).ToArray();
        int unlabelled = labels.Count(l => l is null);
        var options = new IrtOptions { Model = IrtModelType.PartialCredit };
        var test = IrtTests.Andersen(Six, options, labels, "gender");
        Assert.Equal(316 - unlabelled, test.Usage.RowsUsed);
        Assert.Contains(test.Usage.Exclusions, e => e.Reason == "no group label" && e.Count == unlabelled);
        var labelled = Six.SelectRows([.. Enumerable.Range(0, 316).Where(i => labels[i] is not null)]);
        var all = IrtAnalysis.Fit(labelled, options with { Diagnostics = false });
        Assert.Equal(all.LogLikelihood, test.LogLikelihood, 1e-9);
        Assert.Equal(2 * (test.Groups.Sum(g => g.LogLikelihood) - all.LogLikelihood), test.Test.Statistic, 1e-9);
        Assert.Equal(316 - unlabelled, test.Groups.Sum(g => g.Persons));
    }

    [Fact]
    public void AndersenAndDifCarryTheOverallFitsExcludedItemsAndTheLoadUsage()
    {
        var gender = IrtFixtures.Column("verbal-aggression.csv", "gender");
        var options = new IrtOptions { Model = IrtModelType.PartialCredit };
        var load = DataUsage.All(330).Exclude("incomplete row", 14);
        var andersen = IrtTests.Andersen(SixAndConstant(), options, gender, "gender", usage: load);
        Assert.Contains(andersen.ExcludedItems, e => e.StartsWith("constant", StringComparison.Ordinal));
        Assert.Contains(andersen.Warnings, w => w.Contains("constant", StringComparison.Ordinal));
        Assert.Equal(330, andersen.Usage.RowsAvailable);
        Assert.Equal(IrtTests.Andersen(Six, options, gender, "gender").Test.Statistic, andersen.Test.Statistic, 1e-8);
        Assert.NotNull(andersen.ToJson()["excluded_items"]);

        // DIF used to build its split fits from every column, the constant one included, and so tested nothing
        var dif = IrtTests.Dif(SixAndConstant(), gender, options, usage: load);
        var reference = IrtTests.Dif(Six, gender, options);
        Assert.Equal(6, dif.Items.Length);
        for (int j = 0; j < 6; j++) Assert.Equal(reference.Items[j].Test.Statistic, dif.Items[j].Test.Statistic, 1e-6);
        Assert.Equal(IrtFixtures.Cml.GetProperty("pcm6_dif_item1").GetProperty("lr").GetDouble(), dif.Items[0].Test.Statistic, 1e-3);
        Assert.DoesNotContain(dif.Warnings, w => w.Contains("not tested", StringComparison.Ordinal));
        Assert.Contains(dif.ExcludedItems, e => e.StartsWith("constant", StringComparison.Ordinal));
        Assert.Equal(330, dif.Usage.RowsAvailable);
        Assert.Equal(316, dif.Usage.RowsUsed);
    }

    [Fact]
    public void ExtremePersonsAreInTheJsonAndTheSummary()
    {
        var fit = IrtAnalysis.Fit(Six, new IrtOptions { Model = IrtModelType.RatingScale });
        Assert.Equal(34, fit.ExtremePersons); // rowSums 0 or 12 in R: sum(rowSums(x) %in% c(0, 12))
        Assert.Equal(34, (int)fit.ToJson()["extreme_persons"]!);
        Assert.Contains(fit.Summary().Lines, l => l.Contains("extreme raw score", StringComparison.Ordinal) && l.Contains("34 of 316", StringComparison.Ordinal));
    }

    [Fact]
    public void SX2ReportsThePersonsItUsedAndWarnsAboutTheRest()
    {
        var x = IrtFixtures.Matrix("verbal-aggression.csv", Scale, 6, missing: (i, j) => (i * 7 + j * 3) % 13 == 0);
        var fit = IrtAnalysis.Fit(x, new IrtOptions { Model = IrtModelType.GradedResponse, Estimation = IrtEstimation.Marginal, StandardErrors = false });
        int expected = 0, total = 0;
        for (int i = 0; i < x.RowCount; i++)
        {
            var row = x.Row(i).ToArray();
            if (row.All(double.IsNaN)) continue;
            total++;
            if (row.Any(double.IsNaN)) continue;
            double s = row.Sum();
            if (s > 0 && s < 12) expected++;
        }
        Assert.True(expected < total);
        Assert.All(fit.Items, i => Assert.Equal(expected, i.Fit.SX2N));
        Assert.Equal(expected, (int)fit.ToJson()["items"]![0]!["s_x2_n"]!);
        Assert.Contains(fit.Warnings, w => w.StartsWith($"S-X² used {expected} of {total} persons", StringComparison.Ordinal));
    }

    [Fact]
    public void ComparedFitsThatDidNotConvergeAndNegativeStatisticsAreWarned()
    {
        var rsm = IrtAnalysis.Fit(Six, new IrtOptions { Model = IrtModelType.RatingScale, Diagnostics = false });
        var pcm = IrtAnalysis.Fit(Six, new IrtOptions { Model = IrtModelType.PartialCredit, Diagnostics = false, MaxIterations = 1 });
        Assert.False(pcm.Convergence.Converged);
        var cmp = IrtTests.Compare(rsm, pcm);
        Assert.Contains(cmp.Warnings, w => w.Contains("pcm fit did not converge", StringComparison.Ordinal));
        var t = Assert.Single(cmp.Tests);
        Assert.Equal(2 * (pcm.LogLikelihood - rsm.LogLikelihood), t.Test.Statistic, 1e-12);

        // a general fit below the restricted one: the statistic is kept negative (not clamped to 0), p = 1, warned
        var warnings = new List<string>();
        var negative = LikelihoodRatioTest.Of("rsm vs pcm", -1000, -1001.5, 5, warnings);
        Assert.Equal(-3, negative.Statistic, 1e-12);
        Assert.Equal(1, negative.PValue);
        Assert.Contains(warnings, w => w.StartsWith("rsm vs pcm: the likelihood-ratio statistic is negative (-3)", StringComparison.Ordinal));
    }

    [Fact]
    public void WarningsUseTheInvariantCulture()
    {
        var saved = CultureInfo.CurrentCulture;
        try
        {
            // a decimal comma as in de-DE (the test host runs in globalization-invariant mode, so no named cultures)
            var comma = (CultureInfo)CultureInfo.InvariantCulture.Clone();
            comma.NumberFormat.NumberDecimalSeparator = ",";
            CultureInfo.CurrentCulture = comma;
            var fit = IrtAnalysis.Fit(Six, new IrtOptions { Model = IrtModelType.PartialCredit, Estimation = IrtEstimation.Marginal, MaxIterations = 2, StandardErrors = false });
            var em = Assert.Single(fit.Warnings, w => w.StartsWith("EM did not converge", StringComparison.Ordinal));
            Assert.DoesNotMatch(@"\d,\d", em);
            Assert.All(fit.Warnings.Where(w => w.Contains("separation", StringComparison.Ordinal)), w => Assert.DoesNotMatch(@"\d,\d", w));
        }
        finally { CultureInfo.CurrentCulture = saved; }
    }

    [Fact]
    public void AMergeThatLeavesOneCategoryLeavesTheItemOut()
    {
        // a seventh item answered 1 only by persons with the highest possible raw score: its category 1 carries no
        // information in CML, is merged into 0, and the item is left with one category
        var six = Six;
        var v = new double[316 * 7];
        for (int i = 0; i < 316; i++)
        {
            bool top = i < 3;
            for (int j = 0; j < 6; j++) v[i * 7 + j] = top ? 2 : six.Row(i)[j];
            v[i * 7 + 6] = top ? 1 : 0;
        }
        var x = ResponseMatrix.Create(v, [.. six.Items, "extra"], Scale);
        var fit = IrtAnalysis.Fit(x, new IrtOptions { Model = IrtModelType.PartialCredit });
        Assert.Equal(6, fit.Items.Length);
        Assert.Contains(fit.ExcludedItems, e => e.StartsWith("extra", StringComparison.Ordinal) && e.Contains("fewer than two categories", StringComparison.Ordinal));
        Assert.All(fit.Items, i => Assert.True(double.IsFinite(i.Location)));
        Assert.All(fit.Persons.Where(p => p.Extreme == 0), p => Assert.True(double.IsFinite(p.Outfit)));
        Assert.True(fit.Convergence.Converged);
    }

    [Fact]
    public void AnInestimableRatingScaleCategoryIsFlagged()
    {
        // category 2 used only by three persons who answered 2 everywhere (extreme): its threshold has no CML estimate
        var six = Six;
        var v = Values(six);
        for (int i = 0; i < 316; i++)
            for (int j = 0; j < 6; j++) v[i * 6 + j] = i < 3 ? 2 : Math.Min(v[i * 6 + j], 1);
        var x = ResponseMatrix.Create(v, six.Items, Scale);
        var fit = IrtAnalysis.Fit(x, new IrtOptions { Model = IrtModelType.RatingScale, Diagnostics = false });
        Assert.False(fit.Convergence.Converged);
        Assert.Contains(fit.Warnings, w => w.StartsWith("category 2 was used only by persons with extreme raw scores", StringComparison.Ordinal));
    }
}
