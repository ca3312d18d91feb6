namespace Headsup.Phantom.Anatomy;

/// <summary>The tissue a phantom pixel was drawn as (before blurring and noise).</summary>
public enum TissueClass : byte
{
    /// <summary>Air outside the head (−1000 HU).</summary>
    Air = 0,

    /// <summary>Head holder or table (plastic / carbon fibre).</summary>
    Holder,

    /// <summary>Skin (+20..+60 HU).</summary>
    Skin,

    /// <summary>Subcutaneous fat (about −100 HU).</summary>
    Fat,

    /// <summary>Muscle (temporalis, neck; about +45 HU).</summary>
    Muscle,

    /// <summary>Cortical bone of the outer and inner tables (+700..+1500 HU).</summary>
    CorticalBone,

    /// <summary>Diploe, the cancellous bone between the tables.</summary>
    Diploe,

    /// <summary>Air in sinuses and mastoid cells.</summary>
    SinusAir,

    /// <summary>Orbital fat and globes.</summary>
    Orbit,

    /// <summary>Cerebrospinal fluid in sulci, fissures and cisterns (0..15 HU).</summary>
    Csf,

    /// <summary>Cerebrospinal fluid in the ventricles.</summary>
    Ventricle,

    /// <summary>Gray matter: cortex, deep nuclei, cerebellar cortex (~35–40 HU).</summary>
    GrayMatter,

    /// <summary>White matter and brainstem (~25–30 HU).</summary>
    WhiteMatter,

    /// <summary>The falx cerebri (thin dense line in the midline).</summary>
    Falx,

    /// <summary>Physiological calcification (choroid plexus).</summary>
    Calcification,
}

/// <summary>Facts about tissue classes.</summary>
public static class TissueClassInfo
{
    /// <summary>True for classes inside the dura (the intracranial space, where hemorrhages go).</summary>
    public static bool IsIntracranial(this TissueClass tissue) =>
        tissue is TissueClass.Csf or TissueClass.Ventricle or TissueClass.GrayMatter or TissueClass.WhiteMatter
            or TissueClass.Falx or TissueClass.Calcification;
}
