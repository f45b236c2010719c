using System.Numerics;

namespace Alliance.Analytics.Numerics;

/// <summary>
/// A seeded pseudo-random number generator (xoshiro256**, Blackman &amp; Vigna 2018) with independent, reproducible
/// streams: <c>RandomStream.Create(seed, stream)</c> gives the same sequence on every machine, runtime and thread
/// count. Give every parallel unit of work (a therapist, a bootstrap replicate block, a permutation block) its own
/// stream index so results do not depend on scheduling. Not thread-safe: one instance per thread of work.
/// </summary>
/// <remarks>
/// The 256-bit state is filled from SplitMix64 applied to the seed and the stream index (Steele, Lea &amp; Flood
/// 2014), the seeding the xoshiro authors recommend. <see cref="System.Random"/> is not used because its seeded
/// algorithm is not a documented contract across .NET versions.
/// </remarks>
public sealed class RandomStream
{
    private ulong _s0, _s1, _s2, _s3;
    private double _spareNormal;
    private bool _hasSpare;

    private RandomStream(ulong seed, ulong stream)
    {
        ulong x = seed ^ (0x9E3779B97F4A7C15UL * (stream + 1));
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
        if ((_s0 | _s1 | _s2 | _s3) == 0) _s0 = 1;
    }

    private RandomStream(ulong s0, ulong s1, ulong s2, ulong s3) => (_s0, _s1, _s2, _s3) = (s0, s1, s2, s3);

    /// <summary>A generator with an explicit 256-bit state (for checking against the reference implementation).</summary>
    internal static RandomStream FromState(ulong s0, ulong s1, ulong s2, ulong s3) => new(s0, s1, s2, s3);

    /// <summary>One step of SplitMix64 (exposed for checking against the reference implementation).</summary>
    internal static ulong SplitMix64(ref ulong state) => SplitMix(ref state);

    /// <summary>Creates stream number <paramref name="stream"/> of seed <paramref name="seed"/>.</summary>
    public static RandomStream Create(long seed, long stream = 0) => new((ulong)seed, (ulong)stream);

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform double in (0, 1): never exactly 0, safe for logarithms and inverse CDFs.</summary>
    public double NextOpenDouble() => ((NextUInt64() >> 11) + 0.5) * (1.0 / (1UL << 53));

    /// <summary>A uniform integer in [0, <paramref name="maxExclusive"/>) without modulo bias (Lemire 2019).</summary>
    public int NextInt(int maxExclusive)
    {
        if (maxExclusive <= 0) throw new ArgumentOutOfRangeException(nameof(maxExclusive), maxExclusive, "Must be positive.");
        ulong range = (ulong)maxExclusive;
        ulong x = NextUInt64();
        UInt128 m = (UInt128)x * range;
        ulong low = (ulong)m;
        if (low < range)
        {
            ulong threshold = (0 - range) % range;
            while (low < threshold)
            {
                x = NextUInt64();
                m = (UInt128)x * range;
                low = (ulong)m;
            }
        }
        return (int)(m >> 64);
    }

    /// <summary>A standard normal deviate (Marsaglia's polar method; the spare deviate is kept for the next call).</summary>
    public double NextNormal()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spareNormal;
        }
        double u, v, s;
        do
        {
            u = 2 * NextDouble() - 1;
            v = 2 * NextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        double f = Math.Sqrt(-2 * Math.Log(s) / s);
        _spareNormal = v * f;
        _hasSpare = true;
        return u * f;
    }

    /// <summary>A normal deviate with mean <paramref name="mean"/> and standard deviation <paramref name="sd"/>.</summary>
    public double NextNormal(double mean, double sd) => mean + sd * NextNormal();

    /// <summary>Shuffles <paramref name="values"/> in place (Fisher–Yates).</summary>
    public void Shuffle<T>(Span<T> values)
    {
        for (int i = values.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }
}
