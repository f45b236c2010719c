using Alliance.Analytics.Numerics;

namespace Alliance.Analytics.Tests.Numerics;

/// <summary>
/// t quantiles against R 4.2.2, <c>qt(0.025, df, lower.tail = FALSE)</c>: ordinary, fractional and tiny degrees of
/// freedom (Satterthwaite df of a mixed model can be either), where MathNet's StudentT.InvCDF alone fails to converge.
/// </summary>
public sealed class StudentQuantileTests
{
    [Theory]
    [InlineData(3, 3.182446305283709)]
    [InlineData(0.5, 164.5576734804945)]
    [InlineData(2.5e6, 1.959964933448998)]
    public void UpperQuantilesAgreeWithR(double df, double expected) =>
        Assert.Equal(expected, TailProbabilities.StudentQuantileUpper(0.025, df), expected * 1e-9);

    [Fact]
    public void QuantileOfVerySmallDfIsHugeOrNaNButNeverThrows()
    {
        // R: qt(0.025, 0.05, lower.tail = FALSE) = 1.1958e25 and Inf at df = 1e-6
        double q = TailProbabilities.StudentQuantileUpper(0.025, 0.05);
        Assert.True(double.IsNaN(q) || Math.Abs(q / 1.195833758547491e25 - 1) < 1e-6, $"q = {q}");
        double tiny = TailProbabilities.StudentQuantileUpper(0.025, 1e-6);
        Assert.True(double.IsNaN(tiny) || double.IsPositiveInfinity(tiny) || tiny > 1e100, $"q = {tiny}");
    }
}
