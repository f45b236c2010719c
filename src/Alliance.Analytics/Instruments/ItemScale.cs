using System.Globalization;

namespace Alliance.Analytics.Instruments;

/// <summary>
/// The response scale of a set of items: the lowest and highest allowed value, and whether only whole numbers are
/// allowed (a K-point Likert scale <c>Min … Min + K − 1</c>) or any value in the range (a visual-analogue scale such
/// as the SRS's 0–10).
/// </summary>
/// <param name="Min">Lowest allowed value (1 for the WAI, 0 for the SRS).</param>
/// <param name="Max">Highest allowed value.</param>
/// <param name="IsInteger">True when only whole numbers are allowed (Likert categories).</param>
public sealed record ItemScale(double Min, double Max, bool IsInteger)
{
    /// <summary>A K-point integer scale starting at <paramref name="min"/> (default 1): categories min … min + K − 1.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="points"/> is below 2, or the highest category
    /// <c>min + points − 1</c> would pass <see cref="int.MaxValue"/> (it used to wrap round to a negative maximum).</exception>
    public static ItemScale Likert(int points, int min = 1)
    {
        if (points < 2) throw new ArgumentOutOfRangeException(nameof(points), points, "A Likert scale needs at least 2 points.");
        if ((long)min + points - 1 > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(points), points, $"A Likert scale from {min} with {points} points passes {int.MaxValue}, the largest whole number.");
        return new ItemScale(min, min + points - 1, true);
    }

    /// <summary>A continuous scale on [min, max] (visual-analogue ratings).</summary>
    public static ItemScale Continuous(double min, double max)
    {
        if (!(max > min)) throw new ArgumentOutOfRangeException(nameof(max), max, $"The scale maximum must exceed its minimum {min}.");
        return new ItemScale(min, max, false);
    }

    /// <summary>Number of categories of an integer scale (Max − Min + 1); <c>null</c> for a continuous one.</summary>
    public int? Points => IsInteger ? (int)(Max - Min) + 1 : null;

    /// <summary>True when <paramref name="value"/> is on the scale (inside the range, and whole if the scale is integer).</summary>
    public bool Contains(double value) =>
        value >= Min && value <= Max && (!IsInteger || value == Math.Floor(value));

    /// <summary>The reverse of <paramref name="value"/> on this scale: Min + Max − value.</summary>
    public double Reverse(double value) => Min + Max - value;

    /// <summary>"1–7 (7 points)" or "0–10 (continuous)".</summary>
    public override string ToString() =>
        $"{Min.ToString(CultureInfo.InvariantCulture)}–{Max.ToString(CultureInfo.InvariantCulture)}" +
        (IsInteger ? $" ({Points} points)" : " (continuous)");
}
