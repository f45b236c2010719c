using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Data.Analysis;

namespace Alliance.Analytics.Presentation;

/// <summary>How a column of a <see cref="ResultTable"/> is aligned when rendered as text.</summary>
public enum ColumnAlignment
{
    /// <summary>Left aligned (labels, names).</summary>
    Left,
    /// <summary>Right aligned (numbers).</summary>
    Right,
}

/// <summary>
/// A column of a <see cref="ResultTable"/>: its header, how numbers in it are formatted, and its alignment.
/// </summary>
/// <param name="Header">The header printed above the column.</param>
/// <param name="NumberFormat">A .NET numeric format string applied to <see cref="double"/> cells (e.g. <c>"F3"</c>).</param>
/// <param name="Alignment">Text alignment; numbers are right aligned by default.</param>
public sealed record TableColumn(string Header, string NumberFormat = "F3", ColumnAlignment Alignment = ColumnAlignment.Right)
{
    /// <summary>A left-aligned label column.</summary>
    public static TableColumn Label(string header) => new(header, "G", ColumnAlignment.Left);

    /// <summary>A right-aligned integer column.</summary>
    public static TableColumn Integer(string header) => new(header, "F0");

    /// <summary>A right-aligned number column with <paramref name="decimals"/> decimals.</summary>
    public static TableColumn Number(string header, int decimals = 3) => new(header, "F" + decimals.ToString(CultureInfo.InvariantCulture));

    /// <summary>A right-aligned percentage column: cells hold fractions (0.25) and print as 25.0%.</summary>
    public static TableColumn Percent(string header, int decimals = 1) => new(header, decimals > 0 ? "0." + new string('0', decimals) + "%" : "0%");
}

/// <summary>
/// A rectangular table of results, the unit every result renders itself into. Cells are <see cref="double"/>,
/// <see cref="int"/>, <see cref="long"/>, <see cref="bool"/>, <see cref="string"/> or <c>null</c>; a NaN or a null
/// cell prints as an em dash so a missing figure is never mistaken for zero.
/// </summary>
/// <param name="Title">Title printed above the table (may be empty).</param>
/// <param name="Columns">The columns, in order.</param>
/// <param name="Rows">The rows; each has exactly one cell per column.</param>
public sealed record ResultTable(string Title, IReadOnlyList<TableColumn> Columns, IReadOnlyList<IReadOnlyList<object?>> Rows)
{
    /// <summary>What a missing cell prints as.</summary>
    public const string MissingMark = "—";

    /// <summary>Formats one cell with its column's number format (invariant culture).</summary>
    public static string FormatCell(object? value, TableColumn column) => value switch
    {
        null => MissingMark,
        double d when double.IsNaN(d) => MissingMark,
        double d when double.IsPositiveInfinity(d) => "∞",
        double d when double.IsNegativeInfinity(d) => "−∞",
        double d => d.ToString(column.NumberFormat, CultureInfo.InvariantCulture),
        float f => FormatCell((double)f, column),
        int i => i.ToString(CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture),
        bool b => b ? "yes" : "no",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    /// <summary>Renders the table as aligned plain text for a terminal.</summary>
    public string ToText()
    {
        var cells = Rows.Select(r => Columns.Select((c, j) => FormatCell(j < r.Count ? r[j] : null, c)).ToArray()).ToList();
        var widths = Columns.Select((c, j) => Math.Max(c.Header.Length, cells.Count == 0 ? 0 : cells.Max(r => r[j].Length))).ToArray();
        var sb = new StringBuilder();
        if (Title.Length > 0) sb.AppendLine(Title);
        AppendLine(sb, Columns.Select(c => c.Header).ToArray(), widths);
        sb.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in cells) AppendLine(sb, row, widths);
        return sb.ToString();

        void AppendLine(StringBuilder b, string[] values, int[] w)
        {
            for (int j = 0; j < values.Length; j++)
            {
                if (j > 0) b.Append("  ");
                bool last = j == values.Length - 1;
                if (Columns[j].Alignment == ColumnAlignment.Left)
                    b.Append(last ? values[j] : values[j].PadRight(w[j]));
                else
                    b.Append(values[j].PadLeft(w[j]));
            }
            b.AppendLine();
        }
    }

    /// <summary>Renders the table as a GitHub-flavoured Markdown table.</summary>
    public string ToMarkdown()
    {
        var sb = new StringBuilder();
        if (Title.Length > 0) sb.Append("**").Append(Title).AppendLine("**").AppendLine();
        sb.Append("| ").Append(string.Join(" | ", Columns.Select(c => Escape(c.Header)))).AppendLine(" |");
        sb.Append('|').Append(string.Join('|', Columns.Select(c => c.Alignment == ColumnAlignment.Left ? " --- " : " ---: "))).AppendLine("|");
        foreach (var r in Rows)
            sb.Append("| ").Append(string.Join(" | ", Columns.Select((c, j) => Escape(FormatCell(r[j], c))))).AppendLine(" |");
        return sb.ToString();

        static string Escape(string s) => s.Replace("|", "\\|", StringComparison.Ordinal);
    }

    /// <summary>Renders the table as an HTML <c>&lt;table&gt;</c> (used by the notebook formatters).</summary>
    public string ToHtml()
    {
        var sb = new StringBuilder();
        sb.Append("<table class=\"alliance-table\">");
        if (Title.Length > 0) sb.Append("<caption style=\"text-align:left;font-weight:bold\">").Append(WebUtility.HtmlEncode(Title)).Append("</caption>");
        sb.Append("<thead><tr>");
        foreach (var c in Columns)
            sb.Append("<th style=\"text-align:").Append(c.Alignment == ColumnAlignment.Left ? "left" : "right").Append("\">")
              .Append(WebUtility.HtmlEncode(c.Header)).Append("</th>");
        sb.Append("</tr></thead><tbody>");
        foreach (var r in Rows)
        {
            sb.Append("<tr>");
            for (int j = 0; j < Columns.Count; j++)
                sb.Append("<td style=\"text-align:").Append(Columns[j].Alignment == ColumnAlignment.Left ? "left" : "right").Append("\">")
                  .Append(WebUtility.HtmlEncode(FormatCell(r[j], Columns[j]))).Append("</td>");
            sb.Append("</tr>");
        }
        sb.Append("</tbody></table>");
        return sb.ToString();
    }

    /// <summary>
    /// Renders the table as CSV (RFC 4180 quoting, invariant culture, full precision for numbers). With
    /// <paramref name="protectFormulas"/> (for files people open in a spreadsheet), text cells that would start a
    /// formula get a leading apostrophe (<see cref="CsvText.ProtectFormula"/>); numbers are never changed.
    /// </summary>
    public string ToCsv(bool protectFormulas = false)
    {
        var sb = new StringBuilder();
        sb.AppendLine(string.Join(',', Columns.Select(c => CsvText.Quote(protectFormulas ? CsvText.ProtectFormula(c.Header) : c.Header))));
        foreach (var r in Rows)
            sb.AppendLine(string.Join(',', r.Select(v => CsvText.FormatValue(v, protectFormulas))));
        return sb.ToString();
    }

    /// <summary>
    /// Converts the table to a <see cref="DataFrame"/>: a column whose cells are all numbers (or missing) becomes a
    /// <see cref="DoubleDataFrameColumn"/> with full precision, any other a <see cref="StringDataFrameColumn"/>.
    /// </summary>
    public DataFrame ToDataFrame()
    {
        var columns = new List<DataFrameColumn>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        for (int j = 0; j < Columns.Count; j++)
        {
            string name = Columns[j].Header;
            for (int k = 2; !used.Add(name); k++) name = Columns[j].Header + "_" + k.ToString(CultureInfo.InvariantCulture);
            bool numeric = Rows.All(r => r[j] is null or double or int or long or float);
            if (numeric)
            {
                var col = new DoubleDataFrameColumn(name, Rows.Count);
                for (int i = 0; i < Rows.Count; i++)
                    col[i] = Rows[i][j] switch { double d when !double.IsNaN(d) => d, int v => v, long v => v, float f => f, _ => null };
                columns.Add(col);
            }
            else
            {
                var col = new StringDataFrameColumn(name, Rows.Count);
                for (int i = 0; i < Rows.Count; i++) col[i] = Rows[i][j] is null ? null : FormatCell(Rows[i][j], Columns[j]);
                columns.Add(col);
            }
        }
        return new DataFrame(columns);
    }
}
