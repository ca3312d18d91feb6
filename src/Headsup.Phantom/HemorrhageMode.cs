namespace Headsup.Phantom;

/// <summary>Which hemorrhages the phantom draws.</summary>
public enum HemorrhageMode
{
    /// <summary>No hemorrhage: every study is negative.</summary>
    None,

    /// <summary>A random fraction of studies (<see cref="PhantomOptions.PositiveStudyFraction"/>) get one or two random subtypes.</summary>
    Random,

    /// <summary>Every study gets each subtype in <see cref="PhantomOptions.Subtypes"/>.</summary>
    Specified,
}
