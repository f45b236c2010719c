using System.Globalization;

namespace Alliance.Analytics;

/// <summary>
/// The documented ceilings of every setting that multiplies work or memory, in one place (docs/cli.md, "Limits"), and
/// the pre-flight memory check that refuses work which would not fit before it starts. A ceiling is far above what an
/// analysis needs and low enough that reaching it cannot exhaust a workstation; memory is checked against what the
/// process may use (<see cref="GCMemoryInfo.TotalAvailableMemoryBytes"/>: the machine's memory, or a container's limit).
/// </summary>
public static class Limits
{
    /// <summary>Bootstrap or permutation resamples of any analysis: at most one million (their replicates, 8 bytes each, stay below 8 MB a statistic).</summary>
    public const int MaxResamples = Defaults.MaxResamples;

    /// <summary>
    /// Items of one scale in a reliability analysis: at most 500. The analysis holds several k × k matrices (pairwise
    /// moments, covariances, correlations) and decomposes them (eigenvalues for λ6 and for the factor fit behind ω,
    /// O(k³)); 500 items answer in seconds, 10,000 would need gigabytes and hours. Analyse subscales or a selection.
    /// </summary>
    public const int MaxReliabilityItems = 500;

    /// <summary>Quadrature points of marginal ML and EAP (IrtOptions.QuadraturePoints): 5 to 501 (mirt's default is 61).</summary>
    public const int MaxQuadraturePoints = 501;

    /// <summary>Characters in one record (line) of a delimited text file: 16,777,216 (16 M).</summary>
    public const int MaxRecordCharacters = 16 << 20;

    /// <summary>
    /// Cells (rows × read columns) of one Parquet row group, which is decoded whole before its rows are handed over:
    /// 67,108,864 (64 M). A file is streamed row group by row group, so this bounds memory, not the file's size;
    /// a larger row group is refused (write the file with smaller row groups).
    /// </summary>
    public const int MaxParquetRowGroupCells = 64 << 20;

    /// <summary>Categories of an inferred Likert scale (values seen from the lowest to the highest): 101; a wider scale must be declared.</summary>
    public const int MaxInferredCategories = 101;

    /// <summary>
    /// Sample size of one study in a study table (meta-analysis): 1,000,000,000. Above it the sampling variance
    /// (1/(n − 3)) is below the rounding of the other studies' and one typo (n = 1e308) would take all the weight.
    /// </summary>
    public const int MaxStudySampleSize = 1_000_000_000;

    /// <summary>
    /// Categories of a scale that an IRT model or a format comparison takes: 255 (each response is coded in one byte,
    /// one code kept for missing); a wider declared scale is refused before any fit.
    /// </summary>
    public const int MaxModelCategories = 255;

    /// <summary>Refuses a scale of <paramref name="points"/> categories for a model of ordered categories when it has more than <see cref="MaxModelCategories"/>.</summary>
    /// <exception cref="AllianceInputException">When the scale is wider.</exception>
    internal static void CheckModelCategories(int? points, string analysis)
    {
        if (points > MaxModelCategories)
            throw new AllianceInputException(string.Create(CultureInfo.InvariantCulture,
                $"{analysis} takes scales of at most {MaxModelCategories} categories, and this one has {points:N0} points; check the scale's points (DataSpec.Points)"), "DataSpec.Points");
    }

    /// <summary>Simulated clients of a cohort (simulate's setting clients): 50,000,000, and never more than memory allows.</summary>
    public const int MaxSimulatedClients = 50_000_000;

    /// <summary>Simulated studies of a study set (simulate's setting studies): 1,000,000.</summary>
    public const int MaxSimulatedStudies = 1_000_000;

    /// <summary>The memory this process may use, in bytes (0 when unknown).</summary>
    public static long AvailableMemoryBytes => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>
    /// Refuses work whose pre-flight estimate <paramref name="neededBytes"/> exceeds the memory available to the
    /// process, naming the work, both figures and what to lower.
    /// </summary>
    /// <param name="neededBytes">The estimate, in bytes.</param>
    /// <param name="work">What would run, e.g. "simulating 40,000,000 clients × 12 sessions".</param>
    /// <param name="remedy">What to lower, e.g. "lower the setting clients (or sessions)".</param>
    /// <exception cref="AllianceInputException">When the estimate exceeds the available memory.</exception>
    public static void CheckMemory(long neededBytes, string work, string remedy)
    {
        long available = AvailableMemoryBytes;
        if (available > 0 && neededBytes > available)
            throw new AllianceInputException(string.Create(CultureInfo.InvariantCulture,
                $"{work} needs about {neededBytes / 1e9:F1} GB of memory, and {available / 1e9:F1} GB are available: {remedy}"));
    }
}
