using Alliance.Analytics.Data;
using Alliance.Analytics.Formats;
using Alliance.Analytics.Irt;
using Alliance.Analytics.Simulation;
using Alliance.Analytics.Tests.Simulation;
using Alliance.Analytics.Instruments;

namespace Alliance.Analytics.Tests.Formats;

/// <summary>Both committed formats linked once (graded calibrations, default options).</summary>
public sealed class LinkedFormats
{
    public LinkedFormats()
    {
        Seven = AllianceDataset.Load(Repository.Synthetic("formats", "wai36_7point.csv"));
        Five = AllianceDataset.Load(Repository.Synthetic("formats", "wai_revised_5point.csv"));
        Link = FormatLinking.Link(AnalysisData.Prepare(Seven), AnalysisData.Prepare(Five), new LinkingOptions { Replicates = 200 });
    }

    public AllianceDataset Seven { get; }
    public AllianceDataset Five { get; }
    public FormatLink Link { get; }
}

/// <summary>
/// Linking two formats answered by the same respondents: equipercentile equating against hand computations
/// (Kolen &amp; Brennan 2014, ch. 2, eqs. 2.14–2.18), identical forms giving the identity, and the crosswalk of the
/// committed cohort against the simulator's true one, T_5(T_7⁻¹(x)) from the generating graded-response parameters.
/// </summary>
public sealed class LinkingTests(LinkedFormats linked) : IClassFixture<LinkedFormats>
{
    private const double ClosedForm = 1e-12;

    /// <summary>
    /// X: scores 0, 1, 2 with f = .2, .5, .3; Y: f = .3, .4, .3. Percentile ranks of X: P(0) = 100(0 + .1) = 10,
    /// P(1) = 100(.2 + .25) = 45, P(2) = 100(.7 + .15) = 85. With G = .3, .7, 1: e(0) = (.10 − 0)/.3 − .5 = −1/6,
    /// e(1) = (.45 − .3)/.4 + .5 = .875, e(2) = (.85 − .7)/.3 + 1.5 = 2.
    /// </summary>
    [Fact]
    public void EquipercentileEquatingOfASmallDistributionMatchesTheHandComputation()
    {
        int[] x = [0, 0, 1, 1, 1, 1, 1, 2, 2, 2];
        int[] y = [0, 0, 0, 1, 1, 1, 1, 2, 2, 2];
        var e = Equipercentile.Equate(x, y, 0, 2, 0, 2, null);
        Assert.Equal(-1.0 / 6, e[0], ClosedForm);
        Assert.Equal(0.875, e[1], ClosedForm);
        Assert.Equal(2.0, e[2], ClosedForm);
        // bootstrap weights are case counts: doubling every case changes nothing
        Assert.Equal(e, Equipercentile.Equate(x, y, 0, 2, 0, 2, [.. Enumerable.Repeat(2, 10)]));
    }

    /// <summary>Y = X + 1 for every person: every observed x maps to x + 1 exactly.</summary>
    [Fact]
    public void AShiftedFormEquatesToTheShift()
    {
        int[] x = [3, 4, 4, 5, 5, 5, 6, 7, 7, 9];
        var e = Equipercentile.Equate(x, [.. x.Select(v => v + 1)], 0, 10, 1, 11, null);
        foreach (int v in x.Distinct()) Assert.Equal(v + 1, e[v], ClosedForm);
    }

    /// <summary>The same responses as both forms: A = 1, B = 0 (Rasch, mean/sigma) and both crosswalks are the identity.</summary>
    [Fact]
    public void IdenticalFormsLinkToTheIdentity()
    {
        var items = linked.Five.Items.SelectItems(["wai2", "wai4", "wai5", "wai6", "wai8", "wai13"]);
        var link = FormatLinking.Link(items, items, new LinkingOptions { Model = IrtModelType.PartialCredit, Replicates = 50 });
        Assert.Equal(1, link.A, 1e-12);
        Assert.Equal(0, link.B, 1e-12);
        foreach (var r in link.Crosswalk)
        {
            Assert.Equal(r.ScoreX, r.TrueScore, 1e-6);
            if (r.Count > 0) Assert.Equal(r.ScoreX, r.Equipercentile, 1e-9);
        }
    }

    /// <summary>
    /// Recovery of a known ratio of units: the same 4,000 persons answer form X (partial credit, unit slopes) and form Y
    /// (the same item locations with every slope 1.5, so Y's logit is 1.5 of X's). The Rasch fits cannot see the
    /// slopes; the common-person mean/sigma link must find A ≈ 1.5, and the true-score crosswalk must follow the
    /// generating T_Y(T_X⁻¹(x)) whatever origin each calibration chose.
    /// </summary>
    [Fact]
    public void RaschLinkRecoversAKnownRatioOfUnits()
    {
        const int n = 4000, m = 12, k = 4;
        double[] steps = [-0.8, 0.0, 0.8];
        double[] locations = [.. Enumerable.Range(0, m).Select(j => -1.5 + 3.0 * j / (m - 1))];
        double Probability(double slope, int j, int c, double theta)
        {
            // P_c ∝ exp(Σ_{h ≤ c} slope·(θ − b_j − s_h))
            double num = 0, sum = 0, acc = 0;
            for (int h = 0; h < k; h++)
            {
                if (h > 0) acc += slope * (theta - locations[j] - steps[h - 1]);
                double e = Math.Exp(acc);
                sum += e;
                if (h == c) num = e;
            }
            return num / sum;
        }
        double TrueScore(double slope, double theta)
        {
            double s = 0;
            for (int j = 0; j < m; j++) for (int c = 1; c < k; c++) s += c * Probability(slope, j, c, theta);
            return s;
        }
        var rng = Alliance.Analytics.Numerics.RandomStream.Create(20261126);
        var vx = new double[n * m];
        var vy = new double[n * m];
        for (int i = 0; i < n; i++)
        {
            double theta = rng.NextNormal(0, 1);
            foreach (var (values, slope) in new[] { (vx, 1.0), (vy, 1.5) })
                for (int j = 0; j < m; j++)
                {
                    double u = rng.NextDouble(), cum = 0;
                    int x = k - 1;
                    for (int c = 0; c < k; c++) { cum += Probability(slope, j, c, theta); if (u < cum) { x = c; break; } }
                    values[i * m + j] = x;
                }
        }
        var names = Enumerable.Range(1, m).Select(j => $"i{j}").ToArray();
        var formX = ResponseMatrix.Create(vx, names, ItemScale.Likert(k, 0));
        var formY = ResponseMatrix.Create(vy, names, ItemScale.Likert(k, 0));
        var link = FormatLinking.Link(formX, formY, new LinkingOptions { Model = IrtModelType.PartialCredit, Replicates = 100 });
        Assert.True(Math.Abs(link.A - 1.5) < 3 * link.AStandardError + 0.03, $"A = {link.A:F3} (SE {link.AStandardError:F3}), truth 1.5");
        foreach (var r in link.Crosswalk.Where(r => r.ScoreX >= 6 && r.ScoreX <= 30))
        {
            double lo = -10, hi = 10;
            for (int it = 0; it < 100; it++) { double mid = 0.5 * (lo + hi); if (TrueScore(1.0, mid) < r.ScoreX) lo = mid; else hi = mid; }
            double truth = TrueScore(1.5, 0.5 * (lo + hi));
            Assert.True(Math.Abs(r.TrueScore - truth) < 0.5, $"x = {r.ScoreX}: crosswalk {r.TrueScore:F2}, truth {truth:F2}");
        }
    }

    /// <summary>
    /// Recalibration SEs of a graded link of six items: positive inside the score range, zero at the ends (they map to
    /// each other), the same bytes for one thread or two, and larger from 300 persons than from all of them.
    /// </summary>
    [Fact]
    public void RecalibrationStandardErrorsShrinkWithMorePersonsAndIgnoreThreads()
    {
        string[] six = ["wai2", "wai4", "wai5", "wai6", "wai8", "wai13"];
        var x = linked.Seven.Items.SelectItems(six);
        var y = linked.Five.Items.SelectItems(six);
        LinkingOptions Options(int threads) => new() { Replicates = 20, CalibrationReplicates = 8, MaxDegreeOfParallelism = threads };
        var one = FormatLinking.Link(x, y, Options(1));
        var two = FormatLinking.Link(x, y, Options(2));
        Assert.Equal(one.Crosswalk.Select(r => r.TrueScoreStandardError), two.Crosswalk.Select(r => r.TrueScoreStandardError));
        Assert.Equal(0, one.Crosswalk[0].TrueScoreStandardError);
        Assert.Equal(0, one.Crosswalk[^1].TrueScoreStandardError);
        Assert.All(one.Crosswalk.Skip(1).SkipLast(1), r => Assert.True(r.TrueScoreStandardError > 0, $"x = {r.ScoreX}: SE {r.TrueScoreStandardError}"));
        int[] few = [.. Enumerable.Range(0, 300)];
        var small = FormatLinking.Link(x.SelectRows(few), y.SelectRows(few), Options(2));
        double Mean(FormatLink l) => l.Crosswalk.Skip(1).SkipLast(1).Average(r => r.TrueScoreStandardError);
        Assert.True(Mean(small) > 1.5 * Mean(one), $"300 persons: mean SE {Mean(small):F3}; {x.RowCount}: {Mean(one):F3}");
    }

    /// <summary>True crosswalk from the generating models (keyed direction): T(θ) = Σ_j Σ_c (min + c) P_jc(θ).</summary>
    private static double TrueScore(ItemResponseModel m, double theta)
    {
        Span<double> p = stackalloc double[m.Points];
        double s = 0;
        for (int j = 0; j < m.ItemCount; j++)
        {
            m.CategoryProbabilities(j, theta, p);
            for (int c = 0; c < m.Points; c++) s += (m.Min + c) * p[c];
        }
        return s;
    }

    private static double TrueCrosswalk(double x)
    {
        var options = Simulator.FormatsDefaults;
        var seven = SimulationInstruments.Wai36SevenPoint(options);
        var five = SimulationInstruments.Wai36RevisedFivePoint(options);
        double lo = -15, hi = 15;
        for (int i = 0; i < 200; i++)
        {
            double mid = 0.5 * (lo + hi);
            if (TrueScore(seven, mid) < x) lo = mid; else hi = mid;
        }
        return TrueScore(five, 0.5 * (lo + hi));
    }

    /// <summary>
    /// Where the clients are (the 5th to 95th percentile of the observed 7-point totals), the graded true-score
    /// crosswalk is within 0.5 points of the truth (the generating model is graded) and the equipercentile one within
    /// 3 bootstrap SEs plus 0.5 (it equates observed, not true, scores).
    /// </summary>
    [Fact]
    public void CrosswalkRecoversTheSimulatorsTrueCrosswalk()
    {
        var link = linked.Link;
        Assert.Equal("7-point", link.NameX);
        Assert.Equal(36, link.Crosswalk[0].ScoreX);
        Assert.Equal(252, link.Crosswalk[^1].ScoreX);
        var totals = link.Crosswalk.SelectMany(r => Enumerable.Repeat(r.ScoreX, r.Count)).Order().ToArray();
        int p05 = totals[(int)(0.05 * totals.Length)], p95 = totals[(int)(0.95 * totals.Length)];
        foreach (var r in link.Crosswalk.Where(r => r.ScoreX >= p05 && r.ScoreX <= p95))
        {
            double truth = TrueCrosswalk(r.ScoreX);
            Assert.True(Math.Abs(r.TrueScore - truth) < 0.5, $"x = {r.ScoreX}: true-score {r.TrueScore:F2}, truth {truth:F2}");
            Assert.True(Math.Abs(r.Equipercentile - truth) < 3 * r.EquipercentileStandardError + 0.5, $"x = {r.ScoreX}: equipercentile {r.Equipercentile:F2} ± {r.EquipercentileStandardError:F2}, truth {truth:F2}");
        }
        Assert.Equal(1, link.A);
        Assert.Equal(0, link.B);
        Assert.True(link.ScoreCorrelation > 0.9);
        Assert.Equal(36, link[36].TrueScore);
        Assert.Equal(180, link[252].TrueScore);
        Assert.True(Alliance.Analytics.Plotting.PlotExport.ToPng(Alliance.Analytics.Plotting.FormatPlots.CrosswalkChart(link)).Length > 5000);
    }

    [Fact]
    public void CrosswalkIsMonotoneAndItsBootstrapIsTheSameForAnyThreadCount()
    {
        var rows = linked.Link.Crosswalk;
        for (int i = 1; i < rows.Length; i++)
        {
            Assert.True(rows[i].TrueScore >= rows[i - 1].TrueScore);
            Assert.True(rows[i].Equipercentile >= rows[i - 1].Equipercentile);
        }
        var items = linked.Seven.Items.SelectItems(["wai2", "wai4", "wai5", "wai6", "wai8", "wai13"]);
        var other = linked.Five.Items.SelectItems(["wai2", "wai4", "wai5", "wai6", "wai8", "wai13"]);
        var one = FormatLinking.Link(items, other, new LinkingOptions { Model = IrtModelType.RatingScale, Replicates = 60, MaxDegreeOfParallelism = 1 });
        var two = FormatLinking.Link(items, other, new LinkingOptions { Model = IrtModelType.RatingScale, Replicates = 60, MaxDegreeOfParallelism = 2 });
        for (int i = 0; i < one.Crosswalk.Length; i++) Assert.Equal(one.Crosswalk[i], two.Crosswalk[i]);
        Assert.Equal(one.AStandardError, two.AStandardError);
        Assert.True(one.AStandardError > 0);
    }

    [Fact]
    public void FormsOfDifferentRespondentsAreRefused()
    {
        var a = linked.Seven.Items.SelectRows([0, 1, 2, 3]);
        var b = linked.Five.Items.SelectRows([0, 1, 2]);
        Assert.Contains("same respondents", Assert.Throws<AllianceInputException>(() => FormatLinking.Link(a, b)).Message);
    }
}

/// <summary>
/// Common-item linking on a non-equivalent-groups design cut from the committed cohort: group X (session-3 rows)
/// answered items 7–36 in the 7-point format, group Y (session-8 rows, higher alliance and fewer clients after
/// dropout) items 7–36 in the 5-point format, and both answered items 1–6 in the 5-point format as anchors.
/// The crosswalk must recover the true T₅(T₇⁻¹(x)) of items 7–36, which an equivalent-groups link would miss.
/// </summary>
public sealed class CommonItemLinkingTests
{
    private static ResponseMatrix Keyed(string file)
    {
        var data = AllianceDataset.Load(Repository.Synthetic("formats", file));
        return data.Items.Reverse(data.Instrument!.ReverseKeyed.Select(k => data.Items.Items[k - 1]));
    }

    private static double TrueScore(ItemResponseModel m, double theta, int from)
    {
        Span<double> p = stackalloc double[m.Points];
        double s = 0;
        for (int j = from; j < m.ItemCount; j++)
        {
            m.CategoryProbabilities(j, theta, p);
            for (int c = 0; c < m.Points; c++) s += (m.Min + c) * p[c];
        }
        return s;
    }

    [Fact]
    public void AnchorsPutNonEquivalentGroupsOnOneScale()
    {
        var seven = Keyed("wai36_7point.csv");
        var five = Keyed("wai_revised_5point.csv");
        var sessions = AnalysisData.Load(Repository.Synthetic("formats", "wai36_7point.csv")).Session!;
        int[] groupX = [.. Enumerable.Range(0, seven.RowCount).Where(r => sessions[r] == 3)];
        int[] groupY = [.. Enumerable.Range(0, seven.RowCount).Where(r => sessions[r] == 8)];
        var own = Enumerable.Range(7, 30).Select(i => $"wai{i}").ToArray();
        var anchors = Enumerable.Range(1, 6).Select(i => $"a{i}").ToArray();
        ResponseMatrix Form(ResponseMatrix format, int[] rows)
        {
            var values = new List<double>();
            foreach (int r in rows)
            {
                foreach (var item in own) values.Add(format[r, format.IndexOf(item)]);
                for (int i = 1; i <= 6; i++) values.Add(five[r, five.IndexOf($"wai{i}")]);
            }
            return ResponseMatrix.Create(values.ToArray(), [.. own, .. anchors], ItemScale.Likert(7));
        }
        var link = FormatLinking.LinkCommonItems(Form(seven, groupX), Form(five, groupY), anchors, nameX: "7-point", nameY: "5-point");
        Assert.Equal(anchors, link.Anchors);
        Assert.Equal(30, link.Crosswalk[0].ScoreX);
        Assert.Equal(210, link.Crosswalk[^1].ScoreX);
        Assert.True(link.B < -0.1, $"B = {link.B}: the session-8 group's N(0, 1) is centred on a higher alliance, so a θ of the session-3 scale lies lower on Y's scale (B = (μ₃ − μ₈)/σ₈ < 0)");

        var options = Simulator.FormatsDefaults;
        var m7 = SimulationInstruments.Wai36SevenPoint(options);
        var m5 = SimulationInstruments.Wai36RevisedFivePoint(options);
        double Truth(double x)
        {
            double lo = -15, hi = 15;
            for (int i = 0; i < 200; i++) { double mid = 0.5 * (lo + hi); if (TrueScore(m7, mid, 6) < x) lo = mid; else hi = mid; }
            return TrueScore(m5, 0.5 * (lo + hi), 6);
        }
        var totals = link.Crosswalk.SelectMany(r => Enumerable.Repeat(r.ScoreX, r.Count)).Order().ToArray();
        int p05 = totals[(int)(0.05 * totals.Length)], p95 = totals[(int)(0.95 * totals.Length)];
        double worstLinked = 0, worstUnlinked = 0;
        foreach (var r in link.Crosswalk.Where(r => r.ScoreX >= p05 && r.ScoreX <= p95))
        {
            double truth = Truth(r.ScoreX);
            worstLinked = Math.Max(worstLinked, Math.Abs(r.TrueScore - truth));
            double unlinked = FormatLinking.Characteristic(link.FitY, r.ThetaX, [.. Enumerable.Range(0, 30)]);
            worstUnlinked = Math.Max(worstUnlinked, Math.Abs(unlinked - truth));
        }
        // Six 5-point anchors fix A and B to within a few hundredths of θ, and the graded calibrations only approximate the
        // simulator's response model: 1.5 raw points (1.25% of the 120-point range of items 7–36) over the middle 90%.
        Assert.True(worstLinked < 1.5, $"largest error of the linked crosswalk {worstLinked:F2} (unlinked {worstUnlinked:F2}, B {link.B:F3}, A {link.A:F3})");
        Assert.True(worstUnlinked > 4 * worstLinked, $"without the anchors the error would be {worstUnlinked:F2}, linked {worstLinked:F2}");
    }

    [Fact]
    public void AnchorsMustBeInBothFormsAndAtLeastTwo()
    {
        var m = ResponseMatrix.Create(new double[,] { { 1, 2, 3 }, { 2, 3, 1 }, { 3, 1, 2 } }, ["a", "b", "c"], ItemScale.Likert(3));
        Assert.Contains("at least two anchor", Assert.Throws<AllianceInputException>(() => FormatLinking.LinkCommonItems(m, m, ["a"])).Message);
        Assert.Contains("anchor item z is not among", Assert.Throws<AllianceInputException>(() => FormatLinking.LinkCommonItems(m, m, ["a", "z"])).Message);
    }
}
