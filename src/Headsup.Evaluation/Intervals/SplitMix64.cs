namespace Headsup.Evaluation.Intervals;

/// <summary>
/// SplitMix64 generator (Steele, Lea and Flood, 2014): small, fast and fully specified, so resamples are the same on
/// every runtime. One stream per resample, seeded from the run's seed and the resample index.
/// </summary>
internal struct SplitMix64
{
    private ulong _state;

    public SplitMix64(ulong seed, ulong stream)
    {
        _state = seed;
        _state = NextUInt64() ^ (stream * 0xD1B54A32D192ED03UL);
    }

    public ulong NextUInt64()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform integer in [0, bound) by Lemire's multiply-high (bias below bound / 2⁶⁴).</summary>
    public int NextInt(int bound) => (int)Math.BigMul(NextUInt64(), (ulong)bound, out _);
}
