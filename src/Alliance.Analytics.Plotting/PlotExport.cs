using Alliance.Analytics.Data;
using ScottPlot;

namespace Alliance.Analytics.Plotting;

/// <summary>
/// Creating and exporting plots: a <see cref="Plot"/> with the project's explicit font, and one-call PNG/SVG export
/// written whole or not at all. Works headless (no display); text needs a font installed (DejaVu, see
/// docs/plots.md), which <see cref="FontAvailable"/> checks.
/// </summary>
public static class PlotExport
{
    /// <summary>The font family every plot uses (installed by .ci/run; fonts-dejavu-core on Debian).</summary>
    public const string FontFamily = "DejaVu Sans";

    /// <summary>Default export size in pixels.</summary>
    public const int DefaultWidth = 800, DefaultHeight = 500;

    /// <summary>A new plot with the project font set explicitly (labels silently vanish when no font resolves).</summary>
    public static Plot NewPlot()
    {
        var plot = new Plot();
        plot.Font.Set(FontFamily);
        return plot;
    }

    /// <summary>True when SkiaSharp can resolve <see cref="FontFamily"/> on this machine.</summary>
    public static bool FontAvailable()
    {
        using var typeface = SkiaSharp.SKTypeface.FromFamilyName(FontFamily);
        return typeface is not null && typeface.FamilyName.Equals(FontFamily, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Renders the plot as PNG bytes.</summary>
    public static byte[] ToPng(Plot plot, int width = DefaultWidth, int height = DefaultHeight) =>
        plot.GetImageBytes(width, height, ImageFormat.Png);

    /// <summary>Renders the plot as SVG text.</summary>
    public static string ToSvg(Plot plot, int width = DefaultWidth, int height = DefaultHeight) =>
        plot.GetSvgXml(width, height);

    /// <summary>Saves the plot as PNG or SVG (by extension), whole or not at all.</summary>
    public static void Save(Plot plot, string path, int width = DefaultWidth, int height = DefaultHeight)
    {
        if (Path.GetExtension(path).Equals(".svg", StringComparison.OrdinalIgnoreCase))
            AtomicFile.WriteAllText(path, ToSvg(plot, width, height));
        else
            AtomicFile.WriteAllBytes(path, ToPng(plot, width, height));
    }
}
