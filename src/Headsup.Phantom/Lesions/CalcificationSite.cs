namespace Headsup.Phantom.Lesions;

/// <summary>Where a physiological calcification sits.</summary>
public enum CalcificationSite
{
    /// <summary>Choroid plexus in the atria of both lateral ventricles (often asymmetric).</summary>
    ChoroidPlexus,

    /// <summary>Pineal gland: one focus in the midline behind the third ventricle.</summary>
    Pineal,

    /// <summary>Globus pallidus: small punctate foci on both sides of the midline.</summary>
    BasalGanglia,

    /// <summary>Falx cerebri: a thin plaque along the midline.</summary>
    Falx,
}
