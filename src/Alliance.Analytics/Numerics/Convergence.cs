using System.Globalization;

namespace Alliance.Analytics.Numerics;

/// <summary>
/// How an iterative fit ended, carried by every iterative result ("convergence is data", as MathNet's
/// MinimizationResult): whether it converged, after how many iterations, the last change of the monitored quantity,
/// the tolerance it was held to, and why it stopped.
/// </summary>
/// <param name="Converged">True when the convergence criterion was met.</param>
/// <param name="Iterations">Iterations performed.</param>
/// <param name="FinalChange">The monitored change at the last iteration (e.g. largest absolute parameter change).</param>
/// <param name="Tolerance">The tolerance the change was compared with.</param>
/// <param name="ExitReason">Why iteration stopped, in words ("parameter change below tolerance", "iteration limit reached" …).</param>
public sealed record Convergence(bool Converged, int Iterations, double FinalChange, double Tolerance, string ExitReason)
{
    /// <summary>For closed-form estimators: converged, zero iterations.</summary>
    public static Convergence ClosedForm { get; } = new(true, 0, 0, 0, "closed form");

    /// <summary>"converged after 12 iterations (change 3.1e-06 &lt; 1e-04)" or "did NOT converge: iteration limit reached …".</summary>
    public override string ToString() => Converged
        ? (Iterations == 0 ? ExitReason : $"converged after {Iterations} iterations (last change {FinalChange.ToString("G2", CultureInfo.InvariantCulture)} < {Tolerance.ToString("G2", CultureInfo.InvariantCulture)})")
        : $"did NOT converge: {ExitReason} after {Iterations} iterations (last change {FinalChange.ToString("G3", CultureInfo.InvariantCulture)}, tolerance {Tolerance.ToString("G2", CultureInfo.InvariantCulture)})";
}
