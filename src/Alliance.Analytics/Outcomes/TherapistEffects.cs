using System.Collections.Immutable;
using System.Globalization;
using Alliance.Analytics.Presentation;

namespace Alliance.Analytics.Outcomes;

/// <summary>An effect with its SE and p, as the issue's JSON keys <c>{b, se, p}</c>.</summary>
/// <param name="B">Estimate.</param>
/// <param name="StandardError">Standard error.</param>
/// <param name="DegreesOfFreedom">Denominator df (Satterthwaite).</param>
/// <param name="PValue">Two-sided p.</param>
/// <param name="Interval">Wald t interval at the model's confidence level (95% by default).</param>
public sealed record EffectEstimate(double B, double StandardError, double DegreesOfFreedom, double PValue, ConfidenceInterval Interval)
{
    internal static EffectEstimate From(FixedEffectEstimate f) => new(f.Estimate, f.StandardError, f.DegreesOfFreedom, f.PValue, f.Interval);

    /// <summary>"−1.23 (SE 0.40, p = .002)".</summary>
    public override string ToString() =>
        $"{B.ToString("F3", CultureInfo.InvariantCulture)} (SE {StandardError.ToString("F3", CultureInfo.InvariantCulture)}, p = {PValue.ToString("G3", CultureInfo.InvariantCulture)})";
}

/// <summary>
/// Therapist and patient contributions to the alliance–outcome association (Baldwin, Wampold &amp; Imel 2007):
/// outcome ~ baseline + therapist-mean alliance + the client's deviation from it + (1 | therapist), by REML.
/// </summary>
/// <param name="Model">The fitted mixed model.</param>
/// <param name="BetweenTherapist">The coefficient of the therapist's mean alliance.</param>
/// <param name="WithinTherapist">The coefficient of the client's deviation from the therapist mean.</param>
/// <param name="TherapistVariance">τ² of the therapist random intercept.</param>
/// <param name="ResidualVariance">σ², the client-level residual variance.</param>
/// <param name="TherapistIcc">τ² / (τ² + σ²), conditional on the predictors.</param>
/// <param name="Therapists">Number of therapists.</param>
public sealed record TherapistEffectsResult(MixedModelFit Model, EffectEstimate BetweenTherapist, EffectEstimate WithinTherapist,
    double TherapistVariance, double ResidualVariance, double TherapistIcc, int Therapists);

/// <summary>The Baldwin, Wampold &amp; Imel (2007) decomposition on one row per client.</summary>
public static class TherapistEffects
{
    /// <summary>
    /// Fits outcome ~ [baseline +] therapist_mean + deviation + (1 | therapist) by REML with Satterthwaite df, where
    /// therapist_mean is the mean alliance of the therapist's clients in the analysis and deviation the client's
    /// alliance minus it. R: <c>lmerTest::lmer(outcome ~ baseline + ther_mean + ther_dev + (1 | therapist))</c>.
    /// Clients without therapist, alliance, outcome (or baseline, when given) are left out and counted.
    /// </summary>
    /// <exception cref="AllianceInputException">When fewer than 3 therapists or fewer clients than parameters remain.</exception>
    public static TherapistEffectsResult Fit(IReadOnlyList<string?> therapist, ReadOnlySpan<double> alliance, ReadOnlySpan<double> outcome,
        ReadOnlySpan<double> baseline, IReadOnlyList<int>? sourceLines = null, IProgress<AnalysisProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(therapist);
        int n = alliance.Length;
        bool hasBaseline = !baseline.IsEmpty;
        var usable = new bool[n];
        for (int i = 0; i < n; i++)
            usable[i] = therapist[i] is not null && !double.IsNaN(alliance[i]) && !double.IsNaN(outcome[i]) && (!hasBaseline || !double.IsNaN(baseline[i]));
        var sums = new Dictionary<string, (double Sum, int Count)>(StringComparer.Ordinal);
        for (int i = 0; i < n; i++)
        {
            if (!usable[i]) continue;
            var (s, c) = sums.GetValueOrDefault(therapist[i]!);
            sums[therapist[i]!] = (s + alliance[i], c + 1);
        }
        if (sums.Count < 3) throw new AllianceInputException($"the between/within-therapist model needs at least 3 therapists with complete clients; there are {sums.Count}");
        var mean = new double[n];
        var deviation = new double[n];
        for (int i = 0; i < n; i++)
        {
            if (!usable[i]) { mean[i] = deviation[i] = double.NaN; continue; }
            var (s, c) = sums[therapist[i]!];
            mean[i] = s / c;
            deviation[i] = alliance[i] - mean[i];
        }
        var builder = ModelFrame.Create(n, "clients")
            .Numeric("outcome", outcome)
            .Numeric("therapist_mean", mean)
            .Numeric("deviation", deviation)
            .Factor("therapist", therapist);
        if (hasBaseline) builder.Numeric("baseline", baseline);
        var frame = builder.Build();
        string formula = hasBaseline ? "outcome ~ baseline + therapist_mean + deviation + (1 | therapist)" : "outcome ~ therapist_mean + deviation + (1 | therapist)";
        var fit = LinearMixedModel.Fit(formula, frame, new MixedModelOptions(), progress, cancellationToken);
        var term = fit.Random("therapist");
        double tau2 = term.Variance(0);
        return new TherapistEffectsResult(fit, EffectEstimate.From(fit["therapist_mean"]), EffectEstimate.From(fit["deviation"]),
            tau2, fit.ResidualVariance, tau2 / (tau2 + fit.ResidualVariance), term.Levels.Length);
    }
}
