using System.Collections.Immutable;
using System.Globalization;
using Alliance.Analytics.Data;

namespace Alliance.Analytics.Meta;

/// <summary>
/// The design matrix of a meta-regression: an intercept, then each moderator — a numeric moderator as one column, a
/// categorical one (text, or a numeric one written <c>factor(name)</c>) as indicator columns for every level but the
/// first (treatment coding, levels sorted as R's <c>factor()</c> sorts them). Row-major, k × p.
/// R: <c>model.matrix(~ a + factor(b), data)</c>.
/// </summary>
public sealed class ModelMatrix
{
    private readonly double[] _x;

    private ModelMatrix(double[] x, int rows, ImmutableArray<string> names, ImmutableArray<string> moderators)
    {
        _x = x;
        Rows = rows;
        ColumnNames = names;
        Moderators = moderators;
    }

    /// <summary>Number of rows (effect sizes), k.</summary>
    public int Rows { get; }

    /// <summary>Number of columns, p (1 for the intercept-only model).</summary>
    public int Columns => ColumnNames.Length;

    /// <summary>Column names: "intrcpt", then "age" for a numeric moderator, "rater=therapist" for a level of a factor.</summary>
    public ImmutableArray<string> ColumnNames { get; }

    /// <summary>The moderator terms as given (e.g. "age", "factor(quality)").</summary>
    public ImmutableArray<string> Moderators { get; }

    /// <summary>Cell (row, column).</summary>
    public double this[int row, int column] => _x[row * Columns + column];

    /// <summary>The matrix, row-major.</summary>
    internal ReadOnlySpan<double> Span => _x;

    /// <summary>The intercept-only design for k rows.</summary>
    public static ModelMatrix InterceptOnly(int k) => new([.. Enumerable.Repeat(1.0, k)], k, ["intrcpt"], []);

    /// <summary>A design from explicit columns (each of length k) after an intercept column.</summary>
    internal static ModelMatrix FromColumns(int k, IReadOnlyList<(string Name, double[] Values)> columns)
    {
        int p = columns.Count + 1;
        var x = new double[k * p];
        for (int i = 0; i < k; i++)
        {
            x[i * p] = 1;
            for (int j = 0; j < columns.Count; j++) x[i * p + j + 1] = columns[j].Values[i];
        }
        return new ModelMatrix(x, k, ["intrcpt", .. columns.Select(c => c.Name)], []);
    }

    /// <summary>The rows <paramref name="rows"/>, in that order.</summary>
    internal ModelMatrix TakeRows(IReadOnlyList<int> rows)
    {
        int p = Columns;
        var x = new double[rows.Count * p];
        for (int i = 0; i < rows.Count; i++) Array.Copy(_x, rows[i] * p, x, i * p, p);
        return new ModelMatrix(x, rows.Count, ColumnNames, Moderators);
    }

    /// <summary>A copy whose rows are permuted: row i of the result is row <paramref name="order"/>[i] of this one.</summary>
    internal ModelMatrix PermuteRows(ReadOnlySpan<int> order)
    {
        int p = Columns;
        var x = new double[Rows * p];
        for (int i = 0; i < Rows; i++) Array.Copy(_x, order[i] * p, x, i * p, p);
        return new ModelMatrix(x, Rows, ColumnNames, Moderators);
    }

    /// <summary>
    /// Builds the design for <paramref name="moderators"/> (column names of <paramref name="studies"/>, or
    /// <c>factor(name)</c> to treat a numeric column as categorical) and says which rows have every moderator.
    /// </summary>
    /// <exception cref="AllianceInputException">When a moderator is not a column, or a factor has a single level among the usable rows.</exception>
    public static (ModelMatrix Matrix, ImmutableArray<int> Rows, DataUsage Usage) Build(StudySet studies, IReadOnlyList<string> moderators)
    {
        ArgumentNullException.ThrowIfNull(studies);
        ArgumentNullException.ThrowIfNull(moderators);
        int k = studies.Count;
        var terms = moderators.Select(m => m.Trim()).Where(m => m.Length > 0).ToArray();
        var parsed = terms.Select(t =>
        {
            bool factor = t.StartsWith("factor(", StringComparison.OrdinalIgnoreCase) && t.EndsWith(')');
            string name = factor ? t[7..^1].Trim() : t;
            var column = studies.Moderator(name);
            return (Term: t, Column: column, Factor: factor || !column.IsNumeric);
        }).ToArray();

        var usable = new bool[k];
        Array.Fill(usable, true);
        var usage = DataUsage.All(k);
        foreach (var (term, column, _) in parsed)
        {
            var missing = Enumerable.Range(0, k).Where(i => usable[i] && column.Text[i] is null).ToArray();
            foreach (int i in missing) usable[i] = false;
            usage = usage.Exclude($"missing moderator '{column.Name}'", missing.Length, missing.Select(i => studies.Lines[i]));
        }
        var rows = Enumerable.Range(0, k).Where(i => usable[i]).ToImmutableArray();

        var columns = new List<(string Name, double[] Values)>();
        foreach (var (term, column, factor) in parsed)
        {
            if (!factor)
            {
                columns.Add((column.Name, [.. rows.Select(i => column.Numbers[i])]));
                continue;
            }
            var levels = SortLevels(rows.Select(i => column.Text[i]!).Distinct(StringComparer.Ordinal));
            if (levels.Count < 2)
                throw new AllianceInputException($"{studies.Source}: moderator '{column.Name}' has a single level ('{(levels.Count == 1 ? levels[0] : "")}') among the studies used; it cannot explain anything.");
            foreach (string level in levels.Skip(1))
                columns.Add(($"{column.Name}={level}", [.. rows.Select(i => string.Equals(column.Text[i], level, StringComparison.Ordinal) ? 1.0 : 0.0)]));
        }
        var m = FromColumns(rows.Length, columns);
        return (new ModelMatrix(m._x, rows.Length, m.ColumnNames, [.. terms]), rows, usage);
    }

    /// <summary>Levels in R's order: numerically when every level is a number, else alphabetically ignoring case (ties by ordinal).</summary>
    internal static List<string> SortLevels(IEnumerable<string> levels)
    {
        var list = levels.ToList();
        if (list.All(l => double.TryParse(l, NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
            return [.. list.OrderBy(l => double.Parse(l, NumberStyles.Float, CultureInfo.InvariantCulture))];
        return [.. list.OrderBy(l => l, StringComparer.OrdinalIgnoreCase).ThenBy(l => l, StringComparer.Ordinal)];
    }
}
