using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using Alliance.Analytics.Data;
using Alliance.Analytics.Numerics;
using Alliance.Analytics.Presentation;
using Alliance.Analytics.Instruments;

namespace Alliance.Analytics.Simulation;

/// <summary>
/// A middle run of categories that respondents do not use as distinct steps (Mallinckrodt &amp; Tekie 2016): when the
/// graded response model puts an answer in the run, with probability <see cref="Strength"/> the category actually
/// written is drawn from <see cref="Weights"/> whatever θ is. The run's boundaries with its neighbours stay
/// ordered, so the run as a whole still tracks θ; inside it the choice is noise, so the categories are crowded
/// (each rarely the most probable answer), their Rasch–Andrich thresholds come out disordered, and merging them
/// removes variance that carries no information about θ.
/// </summary>
/// <param name="First">Lowest category value of the run (e.g. 2).</param>
/// <param name="Last">Highest category value of the run (e.g. 4).</param>
/// <param name="Strength">κ in [0, 1]: the share of answers in the run whose category is noise (0: a plain GRM).</param>
/// <param name="Weights">Relative probabilities of the run's categories when the choice is noise (one per category).</param>
public sealed record CategoryCrowding(int First, int Last, double Strength, ImmutableArray<double> Weights);

/// <summary>
/// How one instrument renders latent alliance θ into item responses: Samejima's graded response model with item
/// slopes a_k, item locations ℓ_k and category offsets β_c shared by the items (boundaries b_kc = ℓ_k + β_c), plus
/// optional category crowding, reverse-keyed items stored as answered, and responses missing completely at random.
/// </summary>
/// <remarks>
/// <para>P(X_k ≥ c | θ) = 1 / (1 + exp(−a_k (θ − ℓ_k − β_c))) for c = 2 … K (Samejima 1969). Sampling uses the
/// latent-response form: with L a standard logistic deviate, X_k = 1 + #{c : θ − ℓ_k − β_c &gt; L / a_k}, one
/// logarithm per response.</para>
/// <para>Reverse-keyed items (<see cref="ReverseKeyed"/>) are generated in the keyed direction and written as a
/// respondent marks them, Min + Max − x, as in real data; scoring with the instrument's key undoes it.</para>
/// <para>The ceiling skew of alliance ratings comes from boundaries that lie mostly below the mean of θ.</para>
/// </remarks>
public sealed record ItemResponseModel
{
    /// <summary>Instrument id in the registry (e.g. "WAI-SR"), written to the sidecar.</summary>
    public required string Instrument { get; init; }

    /// <summary>Item column names, in instrument order.</summary>
    public required ImmutableArray<string> ItemNames { get; init; }

    /// <summary>Number of categories K.</summary>
    public required int Points { get; init; }

    /// <summary>Lowest category value (1 for the WAI forms).</summary>
    public int Min { get; init; } = 1;

    /// <summary>Item slopes a_k (discriminations), one per item.</summary>
    public required ImmutableArray<double> Slopes { get; init; }

    /// <summary>Item locations ℓ_k (θ units), one per item.</summary>
    public required ImmutableArray<double> Locations { get; init; }

    /// <summary>Category offsets β_2 … β_K (K − 1 values, increasing): boundary c of item k is ℓ_k + β_c.</summary>
    public required ImmutableArray<double> CategoryOffsets { get; init; }

    /// <summary>Reverse-keyed item numbers (1-based), written as answered (Min + Max − keyed value).</summary>
    public ImmutableArray<int> ReverseKeyed { get; init; } = [];

    /// <summary>Crowded middle categories, or null for a plain graded response model.</summary>
    public CategoryCrowding? Crowding { get; init; }

    /// <summary>Probability that a response is missing (completely at random).</summary>
    public double MissingRate { get; init; }

    /// <summary>A short description for the sidecar and the truth file.</summary>
    public string Description { get; init; } = "";

    /// <summary>Number of items.</summary>
    public int ItemCount => ItemNames.Length;

    /// <summary>The response scale.</summary>
    public ItemScale Scale => ItemScale.Likert(Points, Min);

    /// <summary>Checks that the parameters fit together.</summary>
    /// <exception cref="AllianceInputException">When lengths disagree, offsets are not increasing, or a rate is off [0, 1].</exception>
    public void Validate()
    {
        int m = ItemNames.Length;
        if (m == 0) throw new AllianceInputException($"{Instrument}: an item response model needs at least one item");
        if (Points is < 2 or > 254) throw new AllianceInputException($"{Instrument}: points must be between 2 and 254, not {Points}");
        if (Slopes.Length != m || Locations.Length != m)
            throw new AllianceInputException($"{Instrument}: {m} items but {Slopes.Length} slopes and {Locations.Length} locations");
        if (CategoryOffsets.Length != Points - 1)
            throw new AllianceInputException($"{Instrument}: a {Points}-point scale needs {Points - 1} category offsets, not {CategoryOffsets.Length}");
        for (int c = 1; c < CategoryOffsets.Length; c++)
            if (!(CategoryOffsets[c] > CategoryOffsets[c - 1]))
                throw new AllianceInputException($"{Instrument}: category offsets must increase (offset {c + 2} = {CategoryOffsets[c]} is not above {CategoryOffsets[c - 1]})");
        foreach (double a in Slopes)
            if (!(a > 0) || double.IsInfinity(a)) throw new AllianceInputException($"{Instrument}: slopes must be positive and finite, not {a}");
        foreach (int r in ReverseKeyed)
            if (r < 1 || r > m) throw new AllianceInputException($"{Instrument}: reverse-keyed item {r} is not among items 1–{m}");
        if (!(MissingRate >= 0 && MissingRate < 1)) throw new AllianceInputException($"{Instrument}: the missing rate must lie in [0, 1), not {MissingRate}");
        if (Crowding is { } crowd)
        {
            int max = Min + Points - 1;
            if (crowd.First < Min || crowd.Last > max || crowd.Last <= crowd.First)
                throw new AllianceInputException($"{Instrument}: crowded categories {crowd.First}–{crowd.Last} must be a run of at least two categories within {Min}–{max}");
            if (!(crowd.Strength >= 0 && crowd.Strength <= 1))
                throw new AllianceInputException($"{Instrument}: crowding strength must lie in [0, 1], not {crowd.Strength}");
            if (crowd.Weights.Length != crowd.Last - crowd.First + 1 || crowd.Weights.Any(w => !(w >= 0)) || !(crowd.Weights.Sum() > 0))
                throw new AllianceInputException($"{Instrument}: crowding needs one non-negative weight per crowded category ({crowd.Last - crowd.First + 1}), with a positive total");
        }
    }

    /// <summary>
    /// The probability of each category 1 … K of item <paramref name="item"/> at <paramref name="theta"/>, in the
    /// keyed direction, crowding included (missingness excluded): the distribution <see cref="Sample"/> draws from.
    /// </summary>
    public void CategoryProbabilities(int item, double theta, Span<double> probabilities)
    {
        int k = Points;
        double a = Slopes[item], loc = Locations[item];
        double previous = 1;
        for (int c = 0; c < k; c++)
        {
            double atLeastNext = c == k - 1 ? 0 : 1 / (1 + Math.Exp(-a * (theta - loc - CategoryOffsets[c])));
            probabilities[c] = previous - atLeastNext;
            previous = atLeastNext;
        }
        if (Crowding is { Strength: > 0 } crowd)
        {
            int lo = crowd.First - Min, hi = crowd.Last - Min;
            double run = 0;
            for (int c = lo; c <= hi; c++) run += probabilities[c];
            double total = crowd.Weights.Sum();
            for (int c = lo; c <= hi; c++)
                probabilities[c] = (1 - crowd.Strength) * probabilities[c] + crowd.Strength * run * crowd.Weights[c - lo] / total;
        }
    }

    /// <summary>
    /// Draws responses for one administration per θ: row r of <paramref name="responses"/> (row-major, θ.Length ×
    /// <see cref="ItemCount"/>) receives category codes 1 … K (value = Min + code − 1) or 0 for a missing response,
    /// reverse-keyed items already reversed. Draws come from <paramref name="rng"/> in row order.
    /// </summary>
    /// <exception cref="ArgumentException">When <paramref name="responses"/> has the wrong length.</exception>
    public void Sample(ReadOnlySpan<double> theta, RandomStream rng, Span<byte> responses)
    {
        int m = ItemCount;
        if (responses.Length != theta.Length * m)
            throw new ArgumentException($"Expected {theta.Length * m} response cells ({theta.Length} rows × {m} items), got {responses.Length}.", nameof(responses));
        var kernel = new SamplerKernel(this);
        for (int r = 0; r < theta.Length; r++)
            kernel.SampleRow(theta[r], rng, responses.Slice(r * m, m));
    }

    /// <summary>The model as JSON for the truth file: every parameter, with boundaries b_kc spelled out.</summary>
    public JsonObject ToJson()
    {
        var items = new JsonArray();
        for (int k = 0; k < ItemCount; k++)
        {
            items.Add(new JsonObject
            {
                ["item"] = ItemNames[k],
                ["slope"] = Truth.Round(Slopes[k]),
                ["location"] = Truth.Round(Locations[k]),
                ["boundaries"] = Truth.Numbers(CategoryOffsets.Select(b => Locations[k] + b)),
                ["reverse_keyed"] = ReverseKeyed.Contains(k + 1),
            });
        }
        return new JsonObject
        {
            ["instrument"] = Instrument,
            ["description"] = Description,
            ["model"] = "graded response (Samejima 1969), logistic, P(X ≥ c | θ) = 1 / (1 + exp(−a (θ − b_c)))",
            ["points"] = Points,
            ["min"] = Min,
            ["category_offsets"] = Truth.Numbers(CategoryOffsets),
            ["crowding"] = Crowding is { } c ? new JsonObject
            {
                ["first"] = c.First,
                ["last"] = c.Last,
                ["strength"] = Truth.Round(c.Strength),
                ["weights"] = Truth.Numbers(c.Weights),
            } : null,
            ["missing_rate"] = Truth.Round(MissingRate),
            ["items"] = items,
        };
    }

    /// <summary>The sidecar that describes a file of these responses (instrument, items, scale) plus numeric columns.</summary>
    public DataSpec Sidecar(IEnumerable<string> numericColumns, string description) => new()
    {
        Description = description,
        Instrument = Instrument,
        Items = ItemNames,
        Points = Points,
        Min = Min,
        NumericColumns = [.. numericColumns],
    };

    /// <summary>"WAI-SR: 12 items, 5 points".</summary>
    public override string ToString() =>
        $"{Instrument}: {ItemCount.ToString(CultureInfo.InvariantCulture)} items, {Points.ToString(CultureInfo.InvariantCulture)} points" +
        (Crowding is { Strength: > 0 } c ? $", categories {c.First}–{c.Last} crowded (κ = {c.Strength.ToString(CultureInfo.InvariantCulture)})" : "");

    /// <summary>Precomputed per-item arrays for the hot loop (no allocation per row).</summary>
    internal readonly struct SamplerKernel
    {
        private readonly int _m, _k;
        private readonly double[] _inverseSlopes, _locations, _offsets;
        private readonly bool[] _reverse;
        private readonly int _crowdLo, _crowdHi;
        private readonly double _crowdStrength;
        private readonly double[] _crowdCumulative;
        private readonly double _missing;

        public SamplerKernel(ItemResponseModel model)
        {
            _m = model.ItemCount;
            _k = model.Points;
            _inverseSlopes = [.. model.Slopes.Select(a => 1 / a)];
            _locations = [.. model.Locations];
            _offsets = [.. model.CategoryOffsets];
            _reverse = new bool[_m];
            foreach (int r in model.ReverseKeyed) _reverse[r - 1] = true;
            if (model.Crowding is { Strength: > 0 } crowd)
            {
                _crowdLo = crowd.First - model.Min + 1;
                _crowdHi = crowd.Last - model.Min + 1;
                _crowdStrength = crowd.Strength;
                _crowdCumulative = RandomSampling.Cumulative(crowd.Weights.AsSpan());
            }
            else
            {
                _crowdLo = int.MaxValue;
                _crowdHi = int.MinValue;
                _crowdCumulative = [];
            }
            _missing = model.MissingRate;
        }

        public void SampleRow(double theta, RandomStream rng, Span<byte> row)
        {
            var offsets = _offsets.AsSpan();
            for (int j = 0; j < _m; j++)
            {
                double t = theta - _locations[j] - rng.NextLogistic() * _inverseSlopes[j];
                int code = 1;
                while (code < _k && offsets[code - 1] < t) code++;
                if (code >= _crowdLo && code <= _crowdHi && rng.NextDouble() < _crowdStrength)
                    code = _crowdLo + rng.NextCategorical(_crowdCumulative);
                if (_reverse[j]) code = _k + 1 - code;
                if (_missing > 0 && rng.NextDouble() < _missing) code = 0;
                row[j] = (byte)code;
            }
        }
    }
}
