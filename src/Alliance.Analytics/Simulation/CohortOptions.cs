using System.ComponentModel;

namespace Alliance.Analytics.Simulation;

/// <summary>The symptom measure the simulated outcome mimics.</summary>
public enum OutcomeMeasure
{
    /// <summary>A PHQ-9-like depression score, 0–27 (higher is worse).</summary>
    Phq9,
    /// <summary>An OQ-45-like distress score, 0–180 (higher is worse).</summary>
    Oq45,
}

/// <summary>
/// The generative model of a clinic: therapists, clients nested in them, sessions with a latent alliance θ
/// (therapist and client effects, growth, rupture-and-repair dips, session noise), dropout that is more likely
/// after a low-alliance session, and a symptom score per session linked to alliance between therapists, between
/// clients and within clients over time. Every property is a setting of <c>alliance simulate --set key=value</c>
/// (key = the property name in snake_case). Formulas and defaults: docs/methods/simulation.md.
/// </summary>
/// <remarks>
/// θ is on the logit scale of the item response models (<see cref="ItemResponseModel"/>). The latent model for
/// client i of therapist j at session t = 1 … T is
/// θ_it = μ + u_j + v_i + (g + s_i) τ_t + ρ_it + e_it, with τ_t = (t − 1)/(T − 1),
/// u_j ~ N(0, σ_u²), v_i ~ N(0, σ_v²), s_i ~ N(0, σ_s²), e_it ~ N(0, σ_e²) and ρ_it a rupture dip.
/// </remarks>
public sealed record CohortOptions
{
    // ---- Design -------------------------------------------------------------------------------------------------

    /// <summary>Number of therapists J.</summary>
    [Description("number of therapists")]
    public int Therapists { get; init; } = 60;

    /// <summary>Number of clients N (each therapist gets at least one).</summary>
    [Description("number of clients (each therapist gets at least one)")]
    public int Clients { get; init; } = 1200;

    /// <summary>Planned sessions per client T (a completer attends all of them).</summary>
    [Description("planned sessions per client (completers attend all)")]
    public int Sessions { get; init; } = 12;

    /// <summary>Shape of the gamma distribution of therapists' caseload weights (larger: more equal caseloads).</summary>
    [Description("gamma shape of therapist caseload weights (larger = more equal caseloads)")]
    public double CaseloadShape { get; init; } = 4;

    // ---- Alliance -----------------------------------------------------------------------------------------------

    /// <summary>μ: mean latent alliance at the first session (θ units).</summary>
    [Description("mean latent alliance at session 1 (theta units)")]
    public double AllianceMean { get; init; }

    /// <summary>σ_u: SD of therapists' effects on their clients' alliance.</summary>
    [Description("SD of the therapist effect on alliance")]
    public double TherapistAllianceSd { get; init; } = 0.35;

    /// <summary>σ_v: SD of clients' stable (trait-like) alliance within a therapist.</summary>
    [Description("SD of the client's stable alliance level within a therapist")]
    public double ClientAllianceSd { get; init; } = 0.90;

    /// <summary>g: mean rise in latent alliance from the first to the last planned session.</summary>
    [Description("mean rise in alliance from first to last planned session")]
    public double AllianceGrowth { get; init; } = 0.40;

    /// <summary>σ_s: SD of clients' rise over the course.</summary>
    [Description("SD of clients' alliance rise over the course")]
    public double GrowthSd { get; init; } = 0.30;

    /// <summary>σ_e: SD of session-to-session (state-like) fluctuation.</summary>
    [Description("SD of session-to-session alliance fluctuation (state)")]
    public double SessionAllianceSd { get; init; } = 0.35;

    /// <summary>Probability of a rupture at each session from the second on.</summary>
    [Description("probability of a rupture at each session from session 2")]
    public double RuptureProbability { get; init; } = 0.05;

    /// <summary>Depth of a rupture dip (θ units) at the session it happens.</summary>
    [Description("depth of a rupture dip (theta units)")]
    public double RuptureDepth { get; init; } = 0.8;

    /// <summary>Share of the dip still present at the next session (repair: 0 = fully repaired at once).</summary>
    [Description("share of a rupture dip left at the next session (0 = repaired at once)")]
    public double RuptureCarryover { get; init; } = 0.5;

    // ---- Dropout ------------------------------------------------------------------------------------------------

    /// <summary>Probability of dropping out after a session, for a client at the expected alliance of that session.</summary>
    [Description("dropout probability after a session at average alliance")]
    public double DropoutRate { get; init; } = 0.035;

    /// <summary>Change in the log-odds of dropping out per θ unit of the session's alliance above its expectation (negative: low alliance, more dropout).</summary>
    [Description("log-odds change in dropout per theta unit of alliance (negative = low alliance drops out)")]
    public double DropoutAllianceEffect { get; init; } = -0.9;

    // ---- Outcome ------------------------------------------------------------------------------------------------

    /// <summary>The symptom measure mimicked (sets the defaults of the outcome scale settings).</summary>
    [Description("symptom measure: phq9 (0-27) or oq45 (0-180)")]
    public OutcomeMeasure OutcomeMeasure { get; init; } = OutcomeMeasure.Phq9;

    /// <summary>Mean pre-treatment severity; null: the measure's default (PHQ-9 16, OQ-45 82).</summary>
    [Description("mean pre-treatment severity (default by measure: 16 / 82)")]
    public double? BaselineMean { get; init; }

    /// <summary>SD of pre-treatment severity; null: the measure's default (PHQ-9 4.5, OQ-45 20).</summary>
    [Description("SD of pre-treatment severity (default by measure: 4.5 / 20)")]
    public double? BaselineSd { get; init; }

    /// <summary>Mean improvement over the full course; null: the measure's default (PHQ-9 7, OQ-45 18).</summary>
    [Description("mean improvement over the full course (default by measure: 7 / 18)")]
    public double? ImprovementMean { get; init; }

    /// <summary>SD of improvement over the full course; null: the measure's default (PHQ-9 5.5, OQ-45 17).</summary>
    [Description("SD of improvement over the full course (default by measure: 5.5 / 17)")]
    public double? ImprovementSd { get; init; }

    /// <summary>SD of occasion noise of each symptom measurement; null: the measure's default (PHQ-9 2.2, OQ-45 7).</summary>
    [Description("SD of occasion noise of a symptom score (default by measure: 2.2 / 7)")]
    public double? OccasionSd { get; init; }

    /// <summary>Rate k of the negatively accelerated improvement curve h(t) = (1 − e^{−k(t−1)}) / (1 − e^{−kT}).</summary>
    [Description("rate of the negatively accelerated improvement curve")]
    public double ImprovementRate { get; init; } = 0.25;

    /// <summary>Share of improvement variance between therapists (the therapist effect on outcome).</summary>
    [Description("share of improvement variance between therapists")]
    public double OutcomeTherapistShare { get; init; } = 0.07;

    /// <summary>Between-therapist link: correlation of a therapist's alliance effect u_j with their effect on improvement.</summary>
    [Description("correlation of therapist alliance effect with therapist improvement effect")]
    public double TherapistLink { get; init; } = 0.5;

    /// <summary>Between-client link: correlation of a client's alliance level v_i with their improvement within the therapist.</summary>
    [Description("correlation of client alliance level with client improvement (within therapist)")]
    public double ClientLink { get; init; } = 0.26;

    /// <summary>Within-client lagged link: symptom points added at session t + 1 per θ unit of the client's alliance deviation at t (negative: better alliance, fewer symptoms); null: the measure's default (PHQ-9 −1.5, OQ-45 −5).</summary>
    [Description("symptom points at t+1 per theta unit of alliance deviation at t (default by measure: -1.5 / -5)")]
    public double? LagEffect { get; init; }

    /// <summary>Correlation of pre-treatment severity with the client's alliance level.</summary>
    [Description("correlation of pre-treatment severity with client alliance level")]
    public double BaselineAllianceCorrelation { get; init; } = -0.10;

    // ---- Rendering ----------------------------------------------------------------------------------------------

    /// <summary>Shift added to every item location (θ units): negative values strengthen the ceiling.</summary>
    [Description("shift of every item location (negative = stronger ceiling)")]
    public double ItemLocationShift { get; init; }

    /// <summary>Multiplier of every item slope.</summary>
    [Description("multiplier of every item slope")]
    public double ItemSlopeScale { get; init; } = 1;

    /// <summary>κ: share of answers in the 7-point WAI's categories 2–4 whose category is noise (0: no crowding).</summary>
    [Description("crowding of the 7-point WAI's categories 2-4 (0 = none, 1 = pure noise inside the run)")]
    public double Crowding { get; init; } = 0.85;

    /// <summary>Probability that an item response is missing (completely at random).</summary>
    [Description("probability that an item response is missing (MCAR)")]
    public double ItemMissingRate { get; init; } = 0.005;

    /// <summary>Sessions at which the instruments are given: "all" (every attended session) or a list such as "3,8".</summary>
    [Description("sessions rendered: all, or a list such as 3,8")]
    public string RenderSessions { get; init; } = "all";

    /// <summary>The outcome scale in force: the measure's defaults where a setting is null.</summary>
    public OutcomeScale ResolveOutcome() => OutcomeScale.For(this);

    /// <summary>Sessions rendered (1-based), or null for every attended session.</summary>
    /// <exception cref="AllianceInputException">When the list is malformed or names a session outside 1 … T.</exception>
    public IReadOnlyList<int>? ResolveRenderSessions()
    {
        string s = RenderSessions.Trim();
        if (s.Equals("all", StringComparison.OrdinalIgnoreCase)) return null;
        var list = new List<int>();
        foreach (string part in s.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!int.TryParse(part, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int t) || t < 1 || t > Sessions)
                throw new AllianceInputException($"render_sessions: '{part}' is not a session between 1 and {Sessions} (give 'all' or a list such as 3,8)");
            if (!list.Contains(t)) list.Add(t);
        }
        if (list.Count == 0) throw new AllianceInputException("render_sessions: give 'all' or a list of sessions such as 3,8");
        list.Sort();
        return list;
    }

    /// <summary>Checks every setting's range.</summary>
    /// <exception cref="AllianceInputException">When a setting is out of range, naming it by its --set key.</exception>
    public void Validate()
    {
        Require(Therapists >= 1, "therapists", Therapists, "at least 1");
        Require(Clients >= Therapists, "clients", Clients, $"at least the number of therapists ({Therapists})");
        Require(Clients <= Limits.MaxSimulatedClients, "clients", Clients, "at most 50,000,000");
        Require(Sessions is >= 2 and <= 200, "sessions", Sessions, "between 2 and 200");
        Require(CaseloadShape > 0 && double.IsFinite(CaseloadShape), "caseload_shape", CaseloadShape, "positive");
        foreach (var (key, v) in new[] { ("therapist_alliance_sd", TherapistAllianceSd), ("client_alliance_sd", ClientAllianceSd), ("growth_sd", GrowthSd),
                     ("session_alliance_sd", SessionAllianceSd), ("rupture_depth", RuptureDepth) })
            Require(v >= 0 && double.IsFinite(v), key, v, "zero or positive");
        Require(TherapistAllianceSd > 0 || ClientAllianceSd > 0, "client_alliance_sd", ClientAllianceSd, "positive when therapist_alliance_sd is 0");
        foreach (var (key, v) in new[] { ("rupture_probability", RuptureProbability), ("rupture_carryover", RuptureCarryover), ("outcome_therapist_share", OutcomeTherapistShare) })
            Require(v is >= 0 and <= 1, key, v, "between 0 and 1");
        Require(DropoutRate is >= 0 and < 1, "dropout_rate", DropoutRate, "in [0, 1)");
        foreach (var (key, v) in new[] { ("therapist_link", TherapistLink), ("client_link", ClientLink), ("baseline_alliance_correlation", BaselineAllianceCorrelation) })
            Require(v is >= -1 and <= 1, key, v, "between −1 and 1");
        Require(ImprovementRate > 0 && double.IsFinite(ImprovementRate), "improvement_rate", ImprovementRate, "positive");
        Require(ItemSlopeScale > 0 && double.IsFinite(ItemSlopeScale), "item_slope_scale", ItemSlopeScale, "positive");
        Require(Crowding is >= 0 and <= 1, "crowding", Crowding, "between 0 and 1");
        Require(ItemMissingRate is >= 0 and < 1, "item_missing_rate", ItemMissingRate, "in [0, 1)");
        foreach (var (key, v) in new[] { ("alliance_mean", AllianceMean), ("alliance_growth", AllianceGrowth), ("dropout_alliance_effect", DropoutAllianceEffect), ("item_location_shift", ItemLocationShift) })
            Require(double.IsFinite(v), key, v, "a finite number");
        var o = ResolveOutcome();
        Require(o.BaselineSd >= 0, "baseline_sd", o.BaselineSd, "zero or positive");
        Require(o.ImprovementSd >= 0, "improvement_sd", o.ImprovementSd, "zero or positive");
        Require(o.OccasionSd >= 0, "occasion_sd", o.OccasionSd, "zero or positive");
        ResolveRenderSessions();
    }

    /// <summary>
    /// A pre-flight estimate of the memory the simulation needs, in bytes: per client-session row the simulated state
    /// (about 64 bytes) and the responses (9 bytes per item, as codes and as numbers), per client about 128 bytes.
    /// </summary>
    public long EstimatedMemoryBytes => (long)Clients * Sessions * (64 + 9 * 36) + (long)Clients * 128;

    /// <summary>Refuses a simulation whose <see cref="EstimatedMemoryBytes"/> exceed the memory available to the process.</summary>
    /// <exception cref="AllianceInputException">When the estimate exceeds the memory available, naming both.</exception>
    public void CheckMemory() => Limits.CheckMemory(EstimatedMemoryBytes,
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"simulating {Clients:N0} clients × {Sessions} sessions"),
        "lower the setting clients (or sessions)");

    internal static void Require(bool ok, string key, double value, string what)
    {
        if (!ok) throw new AllianceInputException($"setting {key} = {value.ToString(System.Globalization.CultureInfo.InvariantCulture)} is out of range: it must be {what}");
    }
}

/// <summary>The outcome scale in force for a cohort: the measure's bounds and the resolved outcome parameters (measure units).</summary>
/// <param name="Measure">The measure mimicked.</param>
/// <param name="Name">Its short name ("PHQ-9").</param>
/// <param name="Min">Lowest possible score.</param>
/// <param name="Max">Highest possible score.</param>
/// <param name="BaselineMean">Mean pre-treatment severity.</param>
/// <param name="BaselineSd">SD of pre-treatment severity.</param>
/// <param name="ImprovementMean">Mean improvement over the full course.</param>
/// <param name="ImprovementSd">SD of improvement over the full course.</param>
/// <param name="OccasionSd">SD of occasion noise of each measurement.</param>
/// <param name="LagEffect">Symptom points at t + 1 per θ unit of alliance deviation at t.</param>
public sealed record OutcomeScale(OutcomeMeasure Measure, string Name, double Min, double Max, double BaselineMean, double BaselineSd,
    double ImprovementMean, double ImprovementSd, double OccasionSd, double LagEffect)
{
    /// <summary>The scale for <paramref name="options"/>: the measure's defaults where a setting is null.</summary>
    public static OutcomeScale For(CohortOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.OutcomeMeasure switch
        {
            OutcomeMeasure.Oq45 => new(OutcomeMeasure.Oq45, "OQ-45", 0, 180, options.BaselineMean ?? 82, options.BaselineSd ?? 20,
                options.ImprovementMean ?? 18, options.ImprovementSd ?? 17, options.OccasionSd ?? 7, options.LagEffect ?? -5),
            _ => new(OutcomeMeasure.Phq9, "PHQ-9", 0, 27, options.BaselineMean ?? 16, options.BaselineSd ?? 4.5,
                options.ImprovementMean ?? 7, options.ImprovementSd ?? 5.5, options.OccasionSd ?? 2.2, options.LagEffect ?? -1.5),
        };
    }
}
