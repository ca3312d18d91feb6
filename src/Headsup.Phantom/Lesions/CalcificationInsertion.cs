namespace Headsup.Phantom.Lesions;

/// <summary>What <see cref="CalcificationInserter.Insert"/> did.</summary>
/// <param name="Hu">The slice with the calcification (a copy; the input is untouched).</param>
/// <param name="Mask">1 where the calcification covers at least half a pixel.</param>
/// <param name="Site">Where it was put, or null when no site fits the slice.</param>
public sealed record CalcificationInsertion(float[] Hu, byte[] Mask, CalcificationSite? Site)
{
    /// <summary>True when a calcification was drawn.</summary>
    public bool Inserted => Site is not null;
}
