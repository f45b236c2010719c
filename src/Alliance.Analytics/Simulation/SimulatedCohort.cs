using System.Collections.Immutable;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Alliance.Analytics.Data;
using Alliance.Analytics.Numerics;
using Alliance.Analytics.Presentation;
using Microsoft.Data.Analysis;

namespace Alliance.Analytics.Simulation;

/// <summary>
/// A simulated clinic: the true therapist and client quantities, one row per attended session with the latent
/// alliance θ, the client's alliance deviation that session (state) and the recorded symptom score, and item
/// responses rendered on request (<see cref="Render"/>). Therapist j's clients are contiguous, in order; a client's
/// sessions are contiguous, in order. Immutable.
/// </summary>
public sealed class SimulatedCohort
{
    private readonly int[] _caseload, _firstClient, _firstRow;
    private readonly double[] _therapistAlliance, _therapistImprovement;
    private readonly int[] _clientTherapist, _sessionsAttended;
    private readonly double[] _clientAlliance, _growth, _baselineTrue, _improvement, _baseline, _post;
    private readonly bool[] _dropped;
    private readonly int[] _rowClient, _rowSession;
    private readonly double[] _theta, _state, _symptoms;
    private readonly int _idDigitsTherapist, _idDigitsClient;

    private SimulatedCohort(CohortOptions options, long seed, OutcomeScale outcome, int[] caseload, int[] firstClient, int[] firstRow,
        double[] therapistAlliance, double[] therapistImprovement, int[] clientTherapist, int[] sessionsAttended, double[] clientAlliance,
        double[] growth, double[] baselineTrue, double[] improvement, double[] baseline, double[] post, bool[] dropped,
        int[] rowClient, int[] rowSession, double[] theta, double[] state, double[] symptoms)
    {
        Options = options;
        Seed = seed;
        Outcome = outcome;
        _caseload = caseload;
        _firstClient = firstClient;
        _firstRow = firstRow;
        _therapistAlliance = therapistAlliance;
        _therapistImprovement = therapistImprovement;
        _clientTherapist = clientTherapist;
        _sessionsAttended = sessionsAttended;
        _clientAlliance = clientAlliance;
        _growth = growth;
        _baselineTrue = baselineTrue;
        _improvement = improvement;
        _baseline = baseline;
        _post = post;
        _dropped = dropped;
        _rowClient = rowClient;
        _rowSession = rowSession;
        _theta = theta;
        _state = state;
        _symptoms = symptoms;
        _idDigitsTherapist = Math.Max(2, caseload.Length.ToString(CultureInfo.InvariantCulture).Length);
        _idDigitsClient = Math.Max(4, clientTherapist.Length.ToString(CultureInfo.InvariantCulture).Length);
    }

    internal static SimulatedCohort Assemble(CohortOptions options, long seed, CohortSimulator.Design design, CohortSimulator.TherapistBlock[] blocks)
    {
        int j = blocks.Length, n = options.Clients;
        int rows = blocks.Sum(b => b.Rows);
        var firstRow = new int[j + 1];
        var therapistAlliance = new double[j];
        var therapistImprovement = new double[j];
        var clientTherapist = new int[n];
        var attended = new int[n];
        var clientAlliance = new double[n];
        var growth = new double[n];
        var baselineTrue = new double[n];
        var improvement = new double[n];
        var baseline = new double[n];
        var post = new double[n];
        var dropped = new bool[n];
        var rowClient = new int[rows];
        var rowSession = new int[rows];
        var theta = new double[rows];
        var state = new double[rows];
        var symptoms = new double[rows];
        int row = 0;
        for (int t = 0; t < j; t++)
        {
            var b = blocks[t];
            therapistAlliance[t] = b.AllianceEffect;
            therapistImprovement[t] = b.ImprovementEffect;
            firstRow[t] = row;
            int c0 = design.FirstClient[t];
            for (int c = 0; c < b.Clients.Length; c++)
            {
                var rec = b.Clients[c];
                int i = c0 + c;
                clientTherapist[i] = t;
                attended[i] = rec.SessionsAttended;
                clientAlliance[i] = rec.AllianceEffect;
                growth[i] = rec.Growth;
                baselineTrue[i] = rec.BaselineTrue;
                improvement[i] = rec.Improvement;
                baseline[i] = rec.Baseline;
                post[i] = rec.Post;
                dropped[i] = rec.DroppedOut;
            }
            for (int r = 0; r < b.Rows; r++)
            {
                rowClient[row + r] = c0 + b.RowClient[r];
                rowSession[row + r] = b.RowSession[r];
            }
            b.RowTheta.AsSpan(0, b.Rows).CopyTo(theta.AsSpan(row));
            b.RowState.AsSpan(0, b.Rows).CopyTo(state.AsSpan(row));
            b.RowSymptoms.AsSpan(0, b.Rows).CopyTo(symptoms.AsSpan(row));
            row += b.Rows;
        }
        firstRow[j] = row;
        return new SimulatedCohort(options, seed, design.Outcome, design.Caseload, design.FirstClient, firstRow, therapistAlliance, therapistImprovement,
            clientTherapist, attended, clientAlliance, growth, baselineTrue, improvement, baseline, post, dropped, rowClient, rowSession, theta, state, symptoms);
    }

    /// <summary>The options the cohort was simulated with.</summary>
    public CohortOptions Options { get; }

    /// <summary>The seed.</summary>
    public long Seed { get; }

    /// <summary>The outcome scale in force (measure, range, resolved parameters).</summary>
    public OutcomeScale Outcome { get; }

    /// <summary>Number of therapists.</summary>
    public int TherapistCount => _caseload.Length;

    /// <summary>Number of clients.</summary>
    public int ClientCount => _clientTherapist.Length;

    /// <summary>Number of attended sessions (rows) in the cohort.</summary>
    public int RowCount => _rowClient.Length;

    /// <summary>Clients per therapist.</summary>
    public ImmutableArray<int> Caseloads => ImmutableCollectionsMarshal.AsImmutableArray(_caseload);

    /// <summary>u_j: each therapist's effect on alliance (θ units).</summary>
    public ImmutableArray<double> TherapistAllianceEffects => ImmutableCollectionsMarshal.AsImmutableArray(_therapistAlliance);

    /// <summary>w_j: each therapist's effect on improvement (outcome units; positive is more improvement).</summary>
    public ImmutableArray<double> TherapistImprovementEffects => ImmutableCollectionsMarshal.AsImmutableArray(_therapistImprovement);

    /// <summary>The therapist (index) of each client.</summary>
    public ImmutableArray<int> ClientTherapist => ImmutableCollectionsMarshal.AsImmutableArray(_clientTherapist);

    /// <summary>v_i: each client's stable alliance within the therapist (θ units).</summary>
    public ImmutableArray<double> ClientAllianceEffects => ImmutableCollectionsMarshal.AsImmutableArray(_clientAlliance);

    /// <summary>s_i: each client's deviation from the mean alliance rise over the course.</summary>
    public ImmutableArray<double> ClientGrowth => ImmutableCollectionsMarshal.AsImmutableArray(_growth);

    /// <summary>B_i: true pre-treatment severity.</summary>
    public ImmutableArray<double> TrueBaseline => ImmutableCollectionsMarshal.AsImmutableArray(_baselineTrue);

    /// <summary>Δ_i: true improvement over the full planned course (outcome units; positive is better).</summary>
    public ImmutableArray<double> TrueImprovement => ImmutableCollectionsMarshal.AsImmutableArray(_improvement);

    /// <summary>Recorded pre-treatment severity (intake score).</summary>
    public ImmutableArray<double> Baseline => ImmutableCollectionsMarshal.AsImmutableArray(_baseline);

    /// <summary>Recorded post score: the end-of-treatment assessment for completers, the last session's score for dropouts.</summary>
    public ImmutableArray<double> Post => ImmutableCollectionsMarshal.AsImmutableArray(_post);

    /// <summary>Sessions each client attended.</summary>
    public ImmutableArray<int> SessionsAttended => ImmutableCollectionsMarshal.AsImmutableArray(_sessionsAttended);

    /// <summary>Whether each client dropped out before the planned end.</summary>
    public ImmutableArray<bool> DroppedOut => ImmutableCollectionsMarshal.AsImmutableArray(_dropped);

    /// <summary>The client (index) of each session row.</summary>
    public ImmutableArray<int> RowClient => ImmutableCollectionsMarshal.AsImmutableArray(_rowClient);

    /// <summary>The session number (1-based) of each row.</summary>
    public ImmutableArray<int> RowSession => ImmutableCollectionsMarshal.AsImmutableArray(_rowSession);

    /// <summary>θ_it: latent alliance of each row.</summary>
    public ImmutableArray<double> Theta => ImmutableCollectionsMarshal.AsImmutableArray(_theta);

    /// <summary>d_it: the client's alliance deviation at that session (session noise minus any rupture dip).</summary>
    public ImmutableArray<double> State => ImmutableCollectionsMarshal.AsImmutableArray(_state);

    /// <summary>Recorded symptom score measured before each session.</summary>
    public ImmutableArray<double> Symptoms => ImmutableCollectionsMarshal.AsImmutableArray(_symptoms);

    /// <summary>u_j + v_i: a client's alliance level (the latent alliance it would have at session 1 without session noise, less μ).</summary>
    public double AllianceLevel(int client) => _therapistAlliance[_clientTherapist[client]] + _clientAlliance[client];

    /// <summary>The id of therapist <paramref name="therapist"/> ("t07").</summary>
    public string TherapistId(int therapist) => "t" + (therapist + 1).ToString("D" + _idDigitsTherapist, CultureInfo.InvariantCulture);

    /// <summary>The id of client <paramref name="client"/> ("c0042").</summary>
    public string ClientId(int client) => "c" + (client + 1).ToString("D" + _idDigitsClient, CultureInfo.InvariantCulture);

    /// <summary>The first session row of therapist <paramref name="therapist"/>; rows run to the next therapist's first row.</summary>
    internal int TherapistFirstRow(int therapist) => _firstRow[therapist];

    /// <summary>
    /// Renders item responses from θ at the chosen sessions. Rendering <paramref name="rendering"/> (0 … 14) of therapist j
    /// draws from its own stream, so renderings are independent of each other and of the thread count.
    /// </summary>
    /// <param name="model">The instrument's response model (validated here).</param>
    /// <param name="rendering">Index of this rendering among those of the cohort (0 … 14).</param>
    /// <param name="sessions">Sessions to render (1-based); null for every attended session.</param>
    /// <param name="maxDegreeOfParallelism">Threads (−1: all cores).</param>
    /// <param name="cancellationToken">Cancels the rendering.</param>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="rendering"/> is outside 0 … 14.</exception>
    public SimulatedResponses Render(ItemResponseModel model, int rendering = 0, IReadOnlyList<int>? sessions = null, int maxDegreeOfParallelism = -1,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        model.Validate();
        if (rendering is < 0 or >= CohortSimulator.StreamsPerTherapist - 1)
            throw new ArgumentOutOfRangeException(nameof(rendering), rendering, $"A cohort has renderings 0 … {CohortSimulator.StreamsPerTherapist - 2}.");
        var wanted = sessions is null ? null : new HashSet<int>(sessions);
        int j = TherapistCount;
        var selectedStart = new int[j + 1];
        var selected = new List<int>(RowCount);
        for (int t = 0; t < j; t++)
        {
            selectedStart[t] = selected.Count;
            for (int r = _firstRow[t]; r < _firstRow[t + 1]; r++)
                if (wanted is null || wanted.Contains(_rowSession[r])) selected.Add(r);
        }
        selectedStart[j] = selected.Count;
        var rows = selected.ToArray();
        int m = model.ItemCount;
        var codes = new byte[rows.Length * m];
        var kernel = new ItemResponseModel.SamplerKernel(model);
        Parallel.For(0, j, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism, CancellationToken = cancellationToken }, t =>
        {
            var rng = CohortSimulator.TherapistStream(Seed, t, 1 + rendering);
            for (int s = selectedStart[t]; s < selectedStart[t + 1]; s++)
                kernel.SampleRow(_theta[rows[s]], rng, codes.AsSpan(s * m, m));
        });
        return new SimulatedResponses(this, model, rows, codes);
    }

    /// <summary>
    /// Writes the session table of a rendering as CSV (whole or not at all): client_id, therapist_id, session, rater
    /// ("client"), the items, then symptoms, baseline, post and dropout (0/1); and its sidecar
    /// <c>&lt;file&gt;.alliance.json</c> naming the instrument, items, scale and numeric columns.
    /// </summary>
    public void WriteSessionTable(string path, SimulatedResponses responses, string description)
    {
        ArgumentNullException.ThrowIfNull(responses);
        var model = responses.Model;
        int m = model.ItemCount;
        var labels = new string[model.Points + 1];
        labels[0] = "";
        for (int c = 1; c <= model.Points; c++) labels[c] = (model.Min + c - 1).ToString(CultureInfo.InvariantCulture);
        // Strings made once: ids, session numbers and the whole-number scores (per-row allocation would dominate).
        var clientIds = new string[ClientCount];
        for (int i = 0; i < clientIds.Length; i++) clientIds[i] = ClientId(i);
        var therapistIds = new string[TherapistCount];
        for (int t = 0; t < therapistIds.Length; t++) therapistIds[t] = TherapistId(t);
        var numbers = new string[Math.Max(Options.Sessions, (int)Outcome.Max) + 1];
        for (int v = 0; v < numbers.Length; v++) numbers[v] = v.ToString(CultureInfo.InvariantCulture);
        string Score(double v) => v >= 0 && v < numbers.Length && v == Math.Floor(v) ? numbers[(int)v] : Truth.Fixed(v, 0);
        AtomicFile.Write(path, w =>
        {
            var header = new List<string> { "client_id", "therapist_id", "session", "rater" };
            header.AddRange(model.ItemNames);
            header.AddRange(SessionOutcomeColumns);
            w.Write(string.Join(',', header.Select(CsvText.Quote)));
            w.Write('\n');
            var sb = new StringBuilder(256);
            var rows = responses.Rows;
            var codes = responses.Codes;
            for (int s = 0; s < rows.Length; s++)
            {
                int r = rows[s], i = _rowClient[r];
                sb.Clear();
                sb.Append(clientIds[i]).Append(',').Append(therapistIds[_clientTherapist[i]]).Append(',')
                  .Append(numbers[_rowSession[r]]).Append(",client");
                for (int k = 0; k < m; k++) sb.Append(',').Append(labels[codes[s * m + k]]);
                sb.Append(',').Append(Score(_symptoms[r]))
                  .Append(',').Append(Score(_baseline[i]))
                  .Append(',').Append(Score(_post[i]))
                  .Append(',').Append(_dropped[i] ? '1' : '0')
                  .Append('\n');
                w.Write(sb);
            }
        });
        AtomicFile.WriteAllText(DataSpec.SidecarPath(path), model.Sidecar(SessionNumericColumns, description).ToJson() + "\n");
    }

    /// <summary>The outcome columns of a session table, after the items.</summary>
    public static ImmutableArray<string> SessionOutcomeColumns { get; } = ["symptoms", "baseline", "post", "dropout"];

    /// <summary>Every numeric non-item column of a session table.</summary>
    public static ImmutableArray<string> SessionNumericColumns { get; } = ["session", "symptoms", "baseline", "post", "dropout"];

    /// <summary>
    /// Writes the true client-level quantities as CSV: client_id, therapist_id, therapist_alliance (u_j),
    /// client_alliance (v_i), alliance_level (u_j + v_i), growth (g + s_i), true_baseline (B_i),
    /// true_improvement (Δ_i), therapist_improvement (w_j), sessions_attended, dropout. Values to 6 decimals.
    /// </summary>
    public void WriteClients(string path)
    {
        AtomicFile.Write(path, w =>
        {
            w.Write("client_id,therapist_id,therapist_alliance,client_alliance,alliance_level,growth,true_baseline,true_improvement,therapist_improvement,sessions_attended,dropout\n");
            var sb = new StringBuilder(160);
            for (int i = 0; i < ClientCount; i++)
            {
                int t = _clientTherapist[i];
                sb.Clear();
                sb.Append(ClientId(i)).Append(',').Append(TherapistId(t))
                  .Append(',').Append(Truth.Fixed(_therapistAlliance[t], 6))
                  .Append(',').Append(Truth.Fixed(_clientAlliance[i], 6))
                  .Append(',').Append(Truth.Fixed(AllianceLevel(i), 6))
                  .Append(',').Append(Truth.Fixed(Options.AllianceGrowth + _growth[i], 6))
                  .Append(',').Append(Truth.Fixed(_baselineTrue[i], 6))
                  .Append(',').Append(Truth.Fixed(_improvement[i], 6))
                  .Append(',').Append(Truth.Fixed(_therapistImprovement[t], 6))
                  .Append(',').Append(_sessionsAttended[i].ToString(CultureInfo.InvariantCulture))
                  .Append(',').Append(_dropped[i] ? '1' : '0').Append('\n');
                w.Write(sb);
            }
        });
    }

    /// <summary>
    /// Writes the latent alliance of every attended session (or of <paramref name="sessions"/> only) as CSV:
    /// client_id, therapist_id, session, theta, state (6 decimals).
    /// </summary>
    public void WriteLatent(string path, IReadOnlyList<int>? sessions = null)
    {
        var wanted = sessions is null ? null : new HashSet<int>(sessions);
        AtomicFile.Write(path, w =>
        {
            w.Write("client_id,therapist_id,session,theta,state\n");
            var sb = new StringBuilder(64);
            for (int r = 0; r < RowCount; r++)
            {
                if (wanted is not null && !wanted.Contains(_rowSession[r])) continue;
                int i = _rowClient[r];
                sb.Clear();
                sb.Append(ClientId(i)).Append(',').Append(TherapistId(_clientTherapist[i])).Append(',')
                  .Append(_rowSession[r].ToString(CultureInfo.InvariantCulture)).Append(',')
                  .Append(Truth.Fixed(_theta[r], 6)).Append(',').Append(Truth.Fixed(_state[r], 6)).Append('\n');
                w.Write(sb);
            }
        });
    }

    /// <summary>One row per attended session: client_id, therapist_id, session, theta, state, symptoms (full precision).</summary>
    public DataFrame SessionsFrame()
    {
        var client = new StringDataFrameColumn("client_id", RowCount);
        var therapist = new StringDataFrameColumn("therapist_id", RowCount);
        var session = new Int32DataFrameColumn("session", RowCount);
        var theta = new DoubleDataFrameColumn("theta", RowCount);
        var state = new DoubleDataFrameColumn("state", RowCount);
        var symptoms = new DoubleDataFrameColumn("symptoms", RowCount);
        for (int r = 0; r < RowCount; r++)
        {
            int i = _rowClient[r];
            client[r] = ClientId(i);
            therapist[r] = TherapistId(_clientTherapist[i]);
            session[r] = _rowSession[r];
            theta[r] = _theta[r];
            state[r] = _state[r];
            symptoms[r] = _symptoms[r];
        }
        return new DataFrame(client, therapist, session, theta, state, symptoms);
    }

    /// <summary>One row per client with the true and recorded client-level quantities (as <see cref="WriteClients"/>, plus baseline and post).</summary>
    public DataFrame ClientsFrame()
    {
        int n = ClientCount;
        var cols = new Microsoft.Data.Analysis.DataFrameColumn[]
        {
            new StringDataFrameColumn("client_id", Enumerable.Range(0, n).Select(ClientId)),
            new StringDataFrameColumn("therapist_id", Enumerable.Range(0, n).Select(i => TherapistId(_clientTherapist[i]))),
            new DoubleDataFrameColumn("therapist_alliance", Enumerable.Range(0, n).Select(i => _therapistAlliance[_clientTherapist[i]])),
            new DoubleDataFrameColumn("client_alliance", _clientAlliance),
            new DoubleDataFrameColumn("alliance_level", Enumerable.Range(0, n).Select(AllianceLevel)),
            new DoubleDataFrameColumn("growth", _growth.Select(g => Options.AllianceGrowth + g)),
            new DoubleDataFrameColumn("true_baseline", _baselineTrue),
            new DoubleDataFrameColumn("true_improvement", _improvement),
            new DoubleDataFrameColumn("baseline", _baseline),
            new DoubleDataFrameColumn("post", _post),
            new Int32DataFrameColumn("sessions_attended", _sessionsAttended),
            new BooleanDataFrameColumn("dropout", _dropped),
        };
        return new DataFrame(cols);
    }

    /// <summary>"1,200 clients of 60 therapists, 10,234 sessions (PHQ-9 outcome)".</summary>
    public override string ToString() =>
        $"{ClientCount.ToString("N0", CultureInfo.InvariantCulture)} clients of {TherapistCount.ToString("N0", CultureInfo.InvariantCulture)} therapists, " +
        $"{RowCount.ToString("N0", CultureInfo.InvariantCulture)} sessions ({Outcome.Name} outcome)";
}

/// <summary>
/// Item responses rendered from a cohort's θ: one row per selected session row, category codes 1 … K (0 = missing),
/// reverse-keyed items as answered.
/// </summary>
public sealed class SimulatedResponses
{
    private readonly int[] _rows;
    private readonly byte[] _codes;

    internal SimulatedResponses(SimulatedCohort cohort, ItemResponseModel model, int[] rows, byte[] codes)
    {
        Cohort = cohort;
        Model = model;
        _rows = rows;
        _codes = codes;
    }

    /// <summary>The cohort the responses belong to.</summary>
    public SimulatedCohort Cohort { get; }

    /// <summary>The response model used.</summary>
    public ItemResponseModel Model { get; }

    /// <summary>The cohort session row of each response row.</summary>
    public ReadOnlySpan<int> Rows => _rows;

    /// <summary>Category codes, row-major (row × item): 1 … K, or 0 for a missing response.</summary>
    public ReadOnlySpan<byte> Codes => _codes;

    /// <summary>Number of response rows.</summary>
    public int RowCount => _rows.Length;

    /// <summary>The responses as a <see cref="ResponseMatrix"/> on the model's scale (values as written, NaN for missing).</summary>
    public ResponseMatrix ToResponseMatrix()
    {
        var values = new double[_codes.Length];
        double offset = Model.Min - 1;
        for (int k = 0; k < values.Length; k++) values[k] = _codes[k] == 0 ? double.NaN : _codes[k] + offset;
        return new ResponseMatrix(values, Model.ItemNames, Model.Scale, null);
    }
}
