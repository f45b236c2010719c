using Alliance.Analytics.Numerics;

namespace Alliance.Analytics.Irt;

/// <summary>The item response models the engine fits.</summary>
public enum IrtModelType
{
    /// <summary>
    /// Rating scale model (Andrich 1978): P(X_j = k | θ) ∝ exp(k(θ − β_j) − Σ_{l≤k} τ_l), one set of Andrich thresholds
    /// τ (Σ τ = 0) shared by all items. R: <c>eRm::RSM(x)</c>, <c>psychotools::rsmodel(x)</c>.
    /// </summary>
    RatingScale,

    /// <summary>
    /// Partial credit model (Masters 1982): P(X_j = k | θ) ∝ exp(kθ − Σ_{l≤k} δ_jl), thresholds per item. With two
    /// categories it is the Rasch (1PL) model. R: <c>eRm::PCM(x)</c>, <c>mirt(x, 1, "Rasch")</c>.
    /// </summary>
    PartialCredit,

    /// <summary>
    /// Generalized partial credit model (Muraki 1992): P(X_j = k | θ) ∝ exp(a_j k θ + d_jk), d_j0 = 0. With two
    /// categories it is the 2PL. R: <c>mirt(x, 1, "gpcm")</c>.
    /// </summary>
    GeneralizedPartialCredit,

    /// <summary>
    /// Graded response model (Samejima 1969, logistic): P(X_j ≥ k | θ) = 1 / (1 + exp(−(a_j θ + d_jk))). With two
    /// categories it is the 2PL. R: <c>mirt(x, 1, "graded")</c>.
    /// </summary>
    GradedResponse,
}

/// <summary>
/// How the covariance matrix of a marginal-ML fit is obtained (<see cref="IrtOptions.StandardErrorMethod"/>). With θ̂ the
/// MML estimate, I the observed information, and s_i the score of person i (Σ_i s_i = 0 at θ̂):
/// </summary>
public enum IrtStandardErrorMethod
{
    /// <summary>
    /// Oakes' (1999) identity (default): I = −[∂²Q(θ | θ′)/∂θ∂θᵀ + ∂²Q(θ | θ′)/∂θ∂θ′ᵀ] at θ′ = θ̂, Q the EM complete-data
    /// expected log-likelihood; Cov = I⁻¹. The exact observed information. R: <c>mirt(..., SE = TRUE, SE.type = "Oakes")</c>
    /// (Chalmers 2018). Its posterior term Σ_u f_u Cov(S_u) is computed analytically from pairwise expected counts by
    /// node (Louis 1982), or by differences of the analytic gradient when that accumulator would exceed 512 MB.
    /// </summary>
    Oakes,

    /// <summary>Cross-product of the person scores (XPD, empirical information; Bock &amp; Lieberman 1970): Cov = (Σ_i s_i s_iᵀ)⁻¹. R: <c>SE.type = "crossprod"</c>.</summary>
    CrossProduct,

    /// <summary>Sandwich (Huber 1967; White 1982): Cov = I⁻¹ (Σ_i s_i s_iᵀ) I⁻¹, robust to misspecification. R: <c>SE.type = "sandwich"</c>.</summary>
    Sandwich,
}

/// <summary>How the item parameters are estimated.</summary>
public enum IrtEstimation
{
    /// <summary>Conditional ML (Rasch family only): the person parameters are conditioned out through their sufficient raw scores.</summary>
    Conditional,

    /// <summary>Marginal ML by EM (Bock &amp; Aitkin 1981), persons integrated over a normal latent distribution on a quadrature grid.</summary>
    Marginal,
}

/// <summary>What a fit does with a category nobody used in an item.</summary>
public enum UnusedCategoryPolicy
{
    /// <summary>
    /// Keep the category's score (Winsteps STKEEP=YES): it is a structural zero with probability 0, and the thresholds on
    /// either side merge into one step across it. Scores and sum scores stay those of the scale.
    /// </summary>
    Keep,

    /// <summary>Renumber the categories an item's respondents used as 0, 1, 2 … (Winsteps STKEEP=NO).</summary>
    Downcode,
}

/// <summary>Person measure estimators.</summary>
public enum PersonEstimator
{
    /// <summary>Expected a posteriori: posterior mean over the quadrature grid, with the posterior SD (Bock &amp; Mislevy 1982).</summary>
    Eap,
    /// <summary>Maximum a posteriori under the model's normal latent distribution.</summary>
    Map,
    /// <summary>Maximum likelihood: infinite (flagged) for the lowest and highest possible scores.</summary>
    MaximumLikelihood,
    /// <summary>Warm's (1989) weighted likelihood estimate: finite for extreme scores, less biased than ML.</summary>
    Wle,
}

/// <summary>How the origin of a Rasch model fitted by CML is fixed (it does not change the fit, only where 0 is).</summary>
public enum RaschNormalization
{
    /// <summary>Item locations (mean of each item's thresholds) sum to 0: psychotools' <c>itempar</c>/<c>threshpar</c> and Winsteps' item mean 0.</summary>
    LocationsSumToZero,

    /// <summary>
    /// eRm's <c>sum0 = TRUE</c>: for the partial credit model the item-category parameters β_jk (= −Σ_{l≤k} δ_jl) sum to
    /// 0; for the rating scale model the items' first-category parameters do. Reproduces <c>eRm::thresholds()</c>.
    /// </summary>
    Erm,
}

/// <summary>
/// Options of an IRT fit (<see cref="IrtAnalysis.Fit(Data.AnalysisData, IrtOptions?, IProgress{Presentation.AnalysisProgress}?, CancellationToken)"/>). The defaults follow mirt for marginal fits (61 nodes on ±6,
/// tolerance 1e-4) and eRm/Winsteps for Rasch fits.
/// </summary>
public sealed record IrtOptions
{
    /// <summary>The model (default rating scale).</summary>
    public IrtModelType Model { get; init; } = IrtModelType.RatingScale;

    /// <summary>Estimation (default: conditional for the Rasch family, marginal otherwise; conditional is refused for GPCM and GRM).</summary>
    public IrtEstimation? Estimation { get; init; }

    /// <summary>Quadrature points for marginal ML and EAP (default 61, as mirt).</summary>
    public int QuadraturePoints { get; init; } = 61;

    /// <summary>Quadrature bound: nodes on ±bound (default 6, as mirt).</summary>
    public double QuadratureBound { get; init; } = 6;

    /// <summary>EM convergence tolerance: largest absolute parameter change in one EM step (default 1e-4, mirt's TOL). CML Newton iterations always run to a step below 1e-8.</summary>
    public double Tolerance { get; init; } = 1e-4;

    /// <summary>Iteration limit (EM iterations, counting each E-step; default 2000).</summary>
    public int MaxIterations { get; init; } = 2000;

    /// <summary>Accelerate EM with SQUAREM (Varadhan &amp; Roland 2008); default on.</summary>
    public bool Accelerate { get; init; } = true;

    /// <summary>Compute standard errors (default on). Marginal fits: see <see cref="StandardErrorMethod"/>; CML fits: the analytic conditional information.</summary>
    public bool StandardErrors { get; init; } = true;

    /// <summary>
    /// Covariance of marginal-ML fits (default <see cref="IrtStandardErrorMethod.Oakes"/>, the exact observed information
    /// as mirt's <c>SE.type = "Oakes"</c>; costs one pass over the response patterns and one E-step). Cross-product and
    /// sandwich use the same pass. Ignored by CML fits.
    /// </summary>
    public IrtStandardErrorMethod StandardErrorMethod { get; init; } = IrtStandardErrorMethod.Oakes;

    /// <summary>Unused-category policy (default keep as structural zeros).</summary>
    public UnusedCategoryPolicy UnusedCategories { get; init; } = UnusedCategoryPolicy.Keep;

    /// <summary>Origin of Rasch CML fits (default: item locations sum to 0).</summary>
    public RaschNormalization Normalization { get; init; } = RaschNormalization.LocationsSumToZero;

    /// <summary>
    /// Person measures reported per row (default: WLE for Rasch fits by CML, EAP for marginal fits). Item and person fit
    /// always use ML measures for CML fits (as eRm and Winsteps) and EAP for marginal fits (as mirt).
    /// </summary>
    public PersonEstimator? PersonEstimator { get; init; }

    /// <summary>Latent variance of marginal Rasch fits (partial credit, rating scale) estimated (default true, as mirt's Rasch itemtype); GPCM and GRM fix it at 1.</summary>
    public bool FreeLatentVarianceForRasch { get; init; } = true;

    /// <summary>
    /// Compute person measures, item and person fit, reliability and category tables (default true). Off: estimation
    /// only (parameters, SEs, log-likelihood), e.g. for likelihood-ratio tests that refit many times.
    /// </summary>
    public bool Diagnostics { get; init; } = true;

    /// <summary>Threads to use (default all cores). Results are identical for any value.</summary>
    public int? MaxDegreeOfParallelism { get; init; }

    internal ParallelOptions Parallel(CancellationToken token) => new()
    {
        CancellationToken = token,
        MaxDegreeOfParallelism = MaxDegreeOfParallelism ?? Environment.ProcessorCount,
    };

    /// <summary>The estimation actually used.</summary>
    public IrtEstimation EffectiveEstimation => Estimation ?? (IsRasch ? IrtEstimation.Conditional : IrtEstimation.Marginal);

    /// <summary>True for the rating scale and partial credit models.</summary>
    public bool IsRasch => Model is IrtModelType.RatingScale or IrtModelType.PartialCredit;

    /// <summary>The person estimator actually used.</summary>
    public PersonEstimator EffectivePersonEstimator => PersonEstimator ?? (EffectiveEstimation == IrtEstimation.Conditional ? Alliance.Analytics.Irt.PersonEstimator.Wle : Alliance.Analytics.Irt.PersonEstimator.Eap);

    internal QuadratureGrid Grid() => QuadratureGrid.Normal(QuadraturePoints, QuadratureBound);
}
