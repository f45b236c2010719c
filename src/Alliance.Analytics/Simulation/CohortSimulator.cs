using Alliance.Analytics.Numerics;
using Alliance.Analytics.Presentation;

namespace Alliance.Analytics.Simulation;

/// <summary>
/// Simulates a clinic cohort (<see cref="CohortOptions"/>): therapists, clients, the sessions each client attends
/// with their latent alliance θ and symptom score, and dropout. Item responses are rendered afterwards from θ with
/// <see cref="SimulatedCohort.Render"/>, so one cohort can answer several instruments.
/// </summary>
/// <remarks>
/// <para>Reproducibility: stream 0 of the seed draws the design (caseloads); therapist j's clients are simulated
/// from stream 16(j + 1) alone and rendering r of them from stream 16(j + 1) + 1 + r, so the bytes do not depend on
/// the number of threads or on which renderings are asked for. Therapists are simulated in parallel and their
/// rows concatenated in therapist order.</para>
/// <para>Model, with symbols as in docs/methods/simulation.md: see <see cref="CohortOptions"/>. The symptom score
/// measured before session t is Y_it = B_i − Δ_i h(t) + λ d_i,t−1 + ε_it with B_i pre-treatment severity, Δ_i the
/// improvement over the full course (Δ_i = Δ̄ + w_j + c_i, linked to u_j and v_i by the therapist and client
/// links), h(t) = (1 − e^{−k(t−1)}) / (1 − e^{−kT}), d_i,t−1 the client's alliance deviation (state) at the
/// previous session and λ the lagged effect.</para>
/// </remarks>
public static class CohortSimulator
{
    /// <summary>Streams reserved per therapist: 0 for the cohort, 1 … 15 for renderings.</summary>
    internal const int StreamsPerTherapist = 16;

    /// <summary>The random stream of therapist <paramref name="therapist"/> for <paramref name="purpose"/> (0 = cohort, 1 + r = rendering r).</summary>
    internal static RandomStream TherapistStream(long seed, int therapist, int purpose) =>
        RandomStream.Create(seed, (long)(therapist + 1) * StreamsPerTherapist + purpose);

    /// <summary>
    /// Simulates a cohort. Same options and seed give the same cohort on every machine and thread count.
    /// </summary>
    /// <param name="options">The generative model (validated here).</param>
    /// <param name="seed">Seed of every random stream.</param>
    /// <param name="maxDegreeOfParallelism">Threads to use (−1: all cores); does not change the result.</param>
    /// <param name="progress">Receives the share of therapists simulated.</param>
    /// <param name="cancellationToken">Cancels the simulation.</param>
    /// <exception cref="AllianceInputException">When a setting is out of range.</exception>
    public static SimulatedCohort Simulate(CohortOptions options, long seed, int maxDegreeOfParallelism = -1,
        IProgress<AnalysisProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        options.CheckMemory();
        var design = Design.Create(options, seed);
        int j = options.Therapists;
        var blocks = new TherapistBlock[j];
        int done = 0;
        var gate = new object();
        Parallel.For(0, j, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism, CancellationToken = cancellationToken }, t =>
        {
            blocks[t] = SimulateTherapist(options, design, seed, t, cancellationToken);
            if (progress is not null)
            {
                int d = Interlocked.Increment(ref done);
                lock (gate) progress.Report(new AnalysisProgress("simulating therapists", (double)d / j));
            }
        });
        return SimulatedCohort.Assemble(options, seed, design, blocks);
    }

    /// <summary>Design quantities shared by all therapists: caseloads and the resolved outcome scale.</summary>
    internal sealed record Design(int[] Caseload, int[] FirstClient, OutcomeScale Outcome, double[] ImprovementCurve,
        double TherapistImprovementSd, double ClientImprovementSd)
    {
        public static Design Create(CohortOptions o, long seed)
        {
            var rng = RandomStream.Create(seed, 0);
            int j = o.Therapists;
            var weights = new double[j];
            for (int t = 0; t < j; t++) weights[t] = rng.NextGamma(o.CaseloadShape);
            var cumulative = RandomSampling.Cumulative(weights);
            var caseload = new int[j];
            Array.Fill(caseload, 1);
            for (int i = j; i < o.Clients; i++) caseload[rng.NextCategorical(cumulative)]++;
            var first = new int[j];
            for (int t = 1; t < j; t++) first[t] = first[t - 1] + caseload[t - 1];
            var outcome = o.ResolveOutcome();
            // h(t) for t = 1 … T + 1 (T + 1 is the post-treatment assessment): 0 at intake, 1 at the planned end.
            var h = new double[o.Sessions + 2];
            double denominator = 1 - Math.Exp(-o.ImprovementRate * o.Sessions);
            for (int t = 1; t <= o.Sessions + 1; t++) h[t] = (1 - Math.Exp(-o.ImprovementRate * (t - 1))) / denominator;
            double share = o.OutcomeTherapistShare;
            return new Design(caseload, first, outcome, h,
                outcome.ImprovementSd * Math.Sqrt(share), outcome.ImprovementSd * Math.Sqrt(1 - share));
        }
    }

    /// <summary>One therapist's simulated clients and sessions (concatenated in therapist order afterwards).</summary>
    internal sealed class TherapistBlock
    {
        public double AllianceEffect, ImprovementEffect;
        public required ClientRecord[] Clients;
        public required int[] RowClient;     // local client index
        public required byte[] RowSession;
        public required double[] RowTheta, RowState, RowSymptoms;
        public int Rows;
    }

    /// <summary>The true and observed client-level quantities.</summary>
    internal struct ClientRecord
    {
        public double AllianceEffect, Growth, BaselineTrue, Improvement, Baseline, Post;
        public int SessionsAttended;
        public bool DroppedOut;
    }

    private static TherapistBlock SimulateTherapist(CohortOptions o, Design design, long seed, int therapist, CancellationToken cancellationToken)
    {
        var rng = TherapistStream(seed, therapist, 0);
        var outcome = design.Outcome;
        int n = design.Caseload[therapist], sessions = o.Sessions;
        int capacity = n * sessions;
        var block = new TherapistBlock
        {
            Clients = new ClientRecord[n],
            RowClient = new int[capacity],
            RowSession = new byte[capacity],
            RowTheta = new double[capacity],
            RowState = new double[capacity],
            RowSymptoms = new double[capacity],
        };
        double zu = rng.NextNormal(), zw = rng.NextNormal();
        block.AllianceEffect = o.TherapistAllianceSd * zu;
        block.ImprovementEffect = design.TherapistImprovementSd * (o.TherapistLink * zu + Math.Sqrt(1 - o.TherapistLink * o.TherapistLink) * zw);

        double baseLogit = o.DropoutRate > 0 ? Math.Log(o.DropoutRate / (1 - o.DropoutRate)) : double.NegativeInfinity;
        double rhoB = o.BaselineAllianceCorrelation, rhoC = o.ClientLink;
        var dip = new double[sessions + 2];
        int row = 0;
        for (int c = 0; c < n; c++)
        {
            if ((c & 63) == 63) cancellationToken.ThrowIfCancellationRequested();
            double zv = rng.NextNormal(), zs = rng.NextNormal(), zb = rng.NextNormal(), zc = rng.NextNormal();
            ref var client = ref block.Clients[c];
            client.AllianceEffect = o.ClientAllianceSd * zv;
            client.Growth = o.GrowthSd * zs;
            client.BaselineTrue = outcome.BaselineMean + outcome.BaselineSd * (rhoB * zv + Math.Sqrt(1 - rhoB * rhoB) * zb);
            client.Improvement = outcome.ImprovementMean + block.ImprovementEffect + design.ClientImprovementSd * (rhoC * zv + Math.Sqrt(1 - rhoC * rhoC) * zc);
            client.Baseline = Score(client.BaselineTrue + outcome.OccasionSd * rng.NextNormal(), outcome);

            Array.Clear(dip);
            double level = o.AllianceMean + block.AllianceEffect + client.AllianceEffect;
            double previousState = 0, lastSymptoms = client.Baseline;
            int attended = 0;
            bool dropped = false;
            for (int t = 1; t <= sessions; t++)
            {
                double tau = (double)(t - 1) / (sessions - 1);
                if (t >= 2 && rng.NextDouble() < o.RuptureProbability)
                {
                    dip[t] += o.RuptureDepth;
                    dip[t + 1] += o.RuptureDepth * o.RuptureCarryover;
                }
                double state = o.SessionAllianceSd * rng.NextNormal() - dip[t];
                double theta = level + (o.AllianceGrowth + client.Growth) * tau + state;
                double symptoms = Score(client.BaselineTrue - client.Improvement * design.ImprovementCurve[t] + outcome.LagEffect * previousState
                                        + outcome.OccasionSd * rng.NextNormal(), outcome);
                block.RowClient[row] = c;
                block.RowSession[row] = (byte)Math.Min(t, 255);
                block.RowTheta[row] = theta;
                block.RowState[row] = state;
                block.RowSymptoms[row] = symptoms;
                row++;
                attended++;
                previousState = state;
                lastSymptoms = symptoms;
                if (t < sessions && o.DropoutRate > 0)
                {
                    double expected = o.AllianceMean + o.AllianceGrowth * tau;
                    double p = 1 / (1 + Math.Exp(-(baseLogit + o.DropoutAllianceEffect * (theta - expected))));
                    if (rng.NextDouble() < p) { dropped = true; break; }
                }
            }
            client.SessionsAttended = attended;
            client.DroppedOut = dropped;
            // Post: the end-of-treatment assessment for completers; the last session's score for dropouts (last observation).
            client.Post = dropped
                ? lastSymptoms
                : Score(client.BaselineTrue - client.Improvement * design.ImprovementCurve[sessions + 1] + outcome.LagEffect * previousState
                        + outcome.OccasionSd * rng.NextNormal(), outcome);
        }
        block.Rows = row;
        return block;
    }

    /// <summary>A symptom score as recorded: rounded to a whole number and kept within the measure's range.</summary>
    private static double Score(double value, OutcomeScale scale) =>
        Math.Clamp(Math.Round(value, MidpointRounding.AwayFromZero), scale.Min, scale.Max);
}
