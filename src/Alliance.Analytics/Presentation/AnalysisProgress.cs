namespace Alliance.Analytics.Presentation;

/// <summary>
/// Progress of a long-running call, reported through <see cref="IProgress{T}"/>: what stage it is in and how far
/// along (0–1). The CLI shows it on a terminal; notebooks and scripts may ignore it.
/// </summary>
/// <param name="Stage">What is being done ("bootstrap", "EM iterations", "fitting collapse 12 of 64").</param>
/// <param name="Fraction">Share done, in [0, 1]; NaN when unknown.</param>
public sealed record AnalysisProgress(string Stage, double Fraction);
