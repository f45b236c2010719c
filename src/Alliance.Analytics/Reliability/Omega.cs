using System.Collections.Immutable;
using Alliance.Analytics.Data;
using Alliance.Analytics.Numerics;

namespace Alliance.Analytics.Reliability;

/// <summary>
/// McDonald's ω total from a one-factor model, as psych::omega with one factor: ω_t = (V_t − Σ u²_i) / V_t, where
/// V_t is the sum of the correlation matrix (the variance of the standardized total) and u²_i = 1 − λ²_i the
/// uniquenesses of the one-factor fit.
/// </summary>
/// <param name="Total">ω total.</param>
/// <param name="Method">Factor extraction (minres or ML).</param>
/// <param name="Loadings">One loading per item.</param>
/// <param name="Convergence">How the factor fit ended.</param>
public sealed record OmegaResult(double Total, FactorMethod Method, ImmutableArray<double> Loadings, Convergence Convergence)
{
    /// <summary>Uniquenesses u²_i = 1 − λ²_i.</summary>
    public ImmutableArray<double> Uniquenesses => [.. Loadings.Select(l => 1 - l * l)];
}

/// <summary>A group factor of a Schmid–Leiman solution and the items that load most on it.</summary>
/// <param name="Name">"F1*", "F2*", … as psych labels them.</param>
/// <param name="Items">Items whose largest group loading is on this factor.</param>
/// <param name="OmegaTotal">ω total of those items: ((Σ s)² + (Σ g)²) / V_group, V_group the sum of their correlations.</param>
/// <param name="OmegaGeneral">The share of the group's variance due to the general factor: (Σ g)² / V_group.</param>
/// <param name="OmegaGroup">The share due to the group factor alone (ω hierarchical subscale): (Σ s)² / V_group.</param>
/// <param name="Subscale">The instrument subscale most of these items belong to, when one was given.</param>
public sealed record GroupFactor(string Name, ImmutableArray<string> Items, double OmegaTotal, double OmegaGeneral, double OmegaGroup, string? Subscale);

/// <summary>
/// ω hierarchical from an exploratory Schmid–Leiman solution (Schmid &amp; Leiman 1957; Zinbarg, Revelle, Yovel &amp;
/// Li 2005), as psych::omega(x, nfactors): f factors by minres (or ML), varimax then oblimin rotation, a general
/// factor from the factor correlations, and the transformation to a general factor plus f orthogonal group factors.
/// ω_h = (Σ g_i)² / V_t; ω_t = (V_t − Σ u²_i) / V_t; explained common variance ECV = Σ g² / Σ (g² + s²).
/// </summary>
/// <param name="Items">Item names, in matrix order.</param>
/// <param name="OmegaHierarchical">ω hierarchical: the share of total-score variance due to the general factor.</param>
/// <param name="OmegaTotal">ω total of the f-factor model.</param>
/// <param name="OmegaLimit">psych's "omega limit" (ω_h asymptotic), the share of common variance due to the general factor: (Σ g)² / (V_t − Σ u²).</param>
/// <param name="ExplainedCommonVariance">ECV.</param>
/// <param name="GeneralLoadings">General-factor loading g_i of each item.</param>
/// <param name="GroupLoadings">Items × f group-factor loadings s_ik.</param>
/// <param name="Uniquenesses">u²_i = 1 − h²_i.</param>
/// <param name="Groups">Each group factor with its items and ω figures.</param>
/// <param name="Method">Factor extraction.</param>
/// <param name="Convergence">The factor fit's convergence (the rotation's is folded into it when it did not converge).</param>
public sealed record SchmidLeimanResult(
    ImmutableArray<string> Items, double OmegaHierarchical, double OmegaTotal, double OmegaLimit, double ExplainedCommonVariance,
    ImmutableArray<double> GeneralLoadings, double[,] GroupLoadings, ImmutableArray<double> Uniquenesses,
    ImmutableArray<GroupFactor> Groups, FactorMethod Method, Convergence Convergence)
{
    /// <summary>The rows behind the correlations (pairwise: rows with at least one item answered).</summary>
    public DataUsage Usage { get; init; } = DataUsage.All(0);
}

/// <summary>The ω computations (kernels; callers check their input).</summary>
internal static class Omega
{
    /// <summary>ω total from a one-factor fit of the correlation matrix <paramref name="r"/>. R: <c>psych::omega(x, nfactors = 1)$omega.tot</c>.</summary>
    public static OmegaResult OneFactor(double[,] r, FactorMethod method, CancellationToken cancellationToken = default)
    {
        var fit = FactorAnalysis.Fit(r, 1, method, cancellationToken: cancellationToken);
        int p = r.GetLength(0);
        double vt = SymmetricMatrices.Sum(r), u2 = 0;
        var loadings = new double[p];
        for (int i = 0; i < p; i++)
        {
            loadings[i] = fit.Loadings[i, 0];
            u2 += 1 - loadings[i] * loadings[i];
        }
        return new OmegaResult((vt - u2) / vt, method, [.. loadings], fit.Convergence);
    }

    /// <summary>ω not fitted (no more rows than items): NaN, no loadings, and a convergence record that says why.</summary>
    public static OmegaResult NotFitted(FactorMethod method) =>
        new(double.NaN, method, [], new Convergence(false, 0, double.NaN, double.NaN, "not fitted: no more rows than items"));

    /// <summary>
    /// Schmid–Leiman ω hierarchical with <paramref name="factors"/> group factors. R: <c>psych::omega(x, nfactors)</c>
    /// (two factors: general loadings set equal, psych's <c>option = "equal"</c>).
    /// </summary>
    public static SchmidLeimanResult SchmidLeiman(double[,] r, IReadOnlyList<string> items, int factors, FactorMethod method,
        IReadOnlyDictionary<string, string>? subscaleOf = null)
    {
        int p = r.GetLength(0);
        var fit = FactorAnalysis.Fit(r, factors, method);
        var orth = FactorRotation.Varimax(fit.Loadings);
        // GPArotation stops at a projected gradient of 1e-5 after at most 1,000 iterations; 1e-6 and 10,000 iterations
        // reach its answer more precisely (and converge where it gives up on flat criteria, e.g. 36 WAI items).
        var rotation = FactorRotation.Oblimin(orth, eps: 1e-6, maxIterations: 10_000);
        var pattern = rotation.Pattern;
        var phi = rotation.FactorCorrelations;

        var gload = new double[factors];
        if (factors > 2)
        {
            var g = FactorAnalysis.Fit(phi, 1, method);
            for (int k = 0; k < factors; k++) gload[k] = g.Loadings[k, 0];
        }
        else
        {
            double c = phi[0, 1];
            gload[0] = Math.Sqrt(Math.Abs(c));
            gload[1] = Math.Sign(c) * Math.Sqrt(Math.Abs(c));
        }

        var general = new double[p];
        var group = new double[p, factors];
        var u2 = new double[p];
        for (int i = 0; i < p; i++)
        {
            double h2 = 0;
            for (int k = 0; k < factors; k++)
            {
                general[i] += pattern[i, k] * gload[k];
                h2 += orth[i, k] * orth[i, k];
                double f2 = pattern[i, k] * pattern[i, k];
                double rest = Math.Max(f2 - f2 * gload[k] * gload[k], 0);
                group[i, k] = Math.Sign(pattern[i, k]) * Math.Sqrt(rest);
            }
            u2[i] = r[i, i] - h2;
        }

        double vt = SymmetricMatrices.Sum(r), sumG = general.Sum(), sumU = u2.Sum();
        double ev0 = general.Sum(g => g * g), evAll = ev0;
        for (int i = 0; i < p; i++)
            for (int k = 0; k < factors; k++) evAll += group[i, k] * group[i, k];

        var groups = ImmutableArray.CreateBuilder<GroupFactor>();
        var assigned = new int[p];
        for (int i = 0; i < p; i++)
        {
            int best = 0;
            for (int k = 1; k < factors; k++) if (Math.Abs(group[i, k]) > Math.Abs(group[i, best])) best = k;
            assigned[i] = best;
        }
        for (int k = 0; k < factors; k++)
        {
            var idx = Enumerable.Range(0, p).Where(i => assigned[i] == k).ToArray();
            if (idx.Length == 0)
            {
                groups.Add(new GroupFactor($"F{k + 1}*", [], double.NaN, double.NaN, double.NaN, null));
                continue;
            }
            double vgr = 0, gr = 0, gg = 0;
            foreach (int i in idx)
            {
                gr += group[i, k];
                gg += general[i];
                foreach (int j in idx) vgr += r[i, j];
            }
            string? subscale = subscaleOf is null ? null
                : idx.Select(i => subscaleOf.TryGetValue(items[i], out var s) ? s : null).Where(s => s is not null)
                     .GroupBy(s => s).OrderByDescending(gp => gp.Count()).Select(gp => gp.Key).FirstOrDefault();
            groups.Add(new GroupFactor($"F{k + 1}*", [.. idx.Select(i => items[i])], (gr * gr + gg * gg) / vgr, gg * gg / vgr, gr * gr / vgr, subscale));
        }

        var convergence = !fit.Convergence.Converged ? fit.Convergence with { ExitReason = "factor fit: " + fit.Convergence.ExitReason }
            : !rotation.Convergence.Converged ? rotation.Convergence with { ExitReason = "oblimin rotation: " + rotation.Convergence.ExitReason }
            : fit.Convergence;
        return new SchmidLeimanResult([.. items], sumG * sumG / vt, (vt - sumU) / vt, sumG * sumG / (vt - sumU), ev0 / evAll,
            [.. general], group, [.. u2], groups.ToImmutable(), method, convergence);
    }
}
