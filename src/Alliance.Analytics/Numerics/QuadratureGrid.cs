using System.Collections.Immutable;

namespace Alliance.Analytics.Numerics;

/// <summary>
/// A fixed grid of quadrature nodes for integrating over a one-dimensional latent trait, with weights that sum to 1:
/// <c>Points</c> equally spaced nodes on [−Bound, Bound] weighted by a normal density and renormalised, as mirt's
/// default (61 nodes on ±6). Σ_q w_q f(θ_q) approximates E[f(θ)] for θ ~ N(mean, sd²).
/// </summary>
/// <remarks>
/// Equally spaced nodes with density weights are the rectangle (trapezoid) rule, spectrally accurate for smooth
/// integrands that vanish at the ends; they let the latent mean and variance change without moving the nodes
/// (Bock &amp; Aitkin 1981). R: <c>theta &lt;- seq(-6, 6, length.out = 61); w &lt;- dnorm(theta); w &lt;- w / sum(w)</c>.
/// </remarks>
public sealed class QuadratureGrid
{
    private readonly double[] _nodes;
    private readonly double[] _weights;

    private QuadratureGrid(double[] nodes, double[] weights, double mean, double sd)
    {
        _nodes = nodes;
        _weights = weights;
        Mean = mean;
        StandardDeviation = sd;
    }

    /// <summary>
    /// <paramref name="points"/> equally spaced nodes on [−<paramref name="bound"/>, <paramref name="bound"/>] with
    /// weights proportional to the N(<paramref name="mean"/>, <paramref name="sd"/>²) density, normalised to sum 1.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">When points &lt; 3, bound ≤ 0 or sd ≤ 0.</exception>
    public static QuadratureGrid Normal(int points = 61, double bound = 6, double mean = 0, double sd = 1)
    {
        if (points < 3) throw new ArgumentOutOfRangeException(nameof(points), points, "A quadrature grid needs at least 3 points.");
        if (!(bound > 0)) throw new ArgumentOutOfRangeException(nameof(bound), bound, "The grid bound must be positive.");
        var nodes = new double[points];
        for (int q = 0; q < points; q++) nodes[q] = -bound + 2 * bound * q / (points - 1);
        return new QuadratureGrid(nodes, NormalWeights(nodes, mean, sd), mean, sd);
    }

    /// <summary>A grid with given nodes and weights (weights are normalised to sum 1), describing N(<paramref name="mean"/>, <paramref name="sd"/>²).</summary>
    /// <exception cref="ArgumentException">When the lengths differ or a weight is negative.</exception>
    public static QuadratureGrid Custom(double[] nodes, double[] weights, double mean, double sd)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(weights);
        if (nodes.Length != weights.Length || nodes.Length < 3) throw new ArgumentException("Nodes and weights must have the same length (at least 3).", nameof(weights));
        double sum = weights.Sum();
        if (weights.Any(w => w < 0) || !(sum > 0)) throw new ArgumentException("Weights must be non-negative with a positive sum.", nameof(weights));
        return new QuadratureGrid((double[])nodes.Clone(), [.. weights.Select(w => w / sum)], mean, sd);
    }

    /// <summary>The same nodes weighted by a N(<paramref name="mean"/>, <paramref name="sd"/>²) density.</summary>
    public QuadratureGrid WithNormal(double mean, double sd) => new(_nodes, NormalWeights(_nodes, mean, sd), mean, sd);

    /// <summary>Normalised normal-density weights at <paramref name="nodes"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When sd ≤ 0 or not finite.</exception>
    public static double[] NormalWeights(ReadOnlySpan<double> nodes, double mean, double sd)
    {
        if (!(sd > 0) || !double.IsFinite(sd)) throw new ArgumentOutOfRangeException(nameof(sd), sd, "The latent SD must be positive.");
        var w = new double[nodes.Length];
        double sum = 0;
        for (int q = 0; q < nodes.Length; q++)
        {
            double z = (nodes[q] - mean) / sd;
            w[q] = Math.Exp(-0.5 * z * z);
            sum += w[q];
        }
        for (int q = 0; q < w.Length; q++) w[q] /= sum;
        return w;
    }

    /// <summary>The nodes θ_q, ascending.</summary>
    public ReadOnlySpan<double> Nodes => _nodes;

    /// <summary>The weights w_q (sum 1).</summary>
    public ReadOnlySpan<double> Weights => _weights;

    /// <summary>Number of nodes.</summary>
    public int Count => _nodes.Length;

    /// <summary>Mean of the normal density behind the weights.</summary>
    public double Mean { get; }

    /// <summary>SD of the normal density behind the weights.</summary>
    public double StandardDeviation { get; }

    /// <summary>The nodes as an immutable array (for results).</summary>
    public ImmutableArray<double> NodeArray => [.. _nodes];

    /// <summary>"61 nodes on ±6, N(0, 1)".</summary>
    public override string ToString() =>
        $"{Count} nodes on ±{_nodes[^1].ToString("G4", System.Globalization.CultureInfo.InvariantCulture)}, N({Mean.ToString("G4", System.Globalization.CultureInfo.InvariantCulture)}, {(StandardDeviation * StandardDeviation).ToString("G4", System.Globalization.CultureInfo.InvariantCulture)})";
}
