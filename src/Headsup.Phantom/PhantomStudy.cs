using Headsup.Phantom.Anatomy;
using Headsup.Phantom.Lesions;
using Headsup.Phantom.Output;
using Headsup.Phantom.Raster;

namespace Headsup.Phantom;

/// <summary>One synthesised study held in memory, before (or instead of) writing it.</summary>
public sealed class PhantomStudy
{
    /// <summary>Creates the study.</summary>
    public PhantomStudy(PhantomStudyIdentity identity, HeadParameters head, SliceGrid grid, double sliceThicknessMm, IReadOnlyList<PhantomSlice> slices, IReadOnlyList<LesionPlan> lesions)
    {
        Identity = identity;
        Head = head;
        Grid = grid;
        SliceThicknessMm = sliceThicknessMm;
        Slices = slices;
        Lesions = lesions;
    }

    /// <summary>Identifiers and dates.</summary>
    public PhantomStudyIdentity Identity { get; }

    /// <summary>The drawn anatomy.</summary>
    public HeadParameters Head { get; }

    /// <summary>Pixel grid of every slice.</summary>
    public SliceGrid Grid { get; }

    /// <summary>Slice thickness and spacing (mm).</summary>
    public double SliceThicknessMm { get; }

    /// <summary>Slices, inferior → superior.</summary>
    public IReadOnlyList<PhantomSlice> Slices { get; }

    /// <summary>The hemorrhages drawn (one plan per lesion, as planned on its central slice).</summary>
    public IReadOnlyList<LesionPlan> Lesions { get; }
}

/// <summary>One slice of a <see cref="PhantomStudy"/>.</summary>
public sealed class PhantomSlice
{
    /// <summary>Creates the slice.</summary>
    public PhantomSlice(string fileId, string sopInstanceUid, int instanceNumber, double positionZMm, float[] hu, TissueClass[] tissue, byte[] lesionMask, IReadOnlySet<HemorrhageSubtype> positiveSubtypes)
    {
        FileId = fileId;
        SopInstanceUid = sopInstanceUid;
        InstanceNumber = instanceNumber;
        PositionZMm = positionZMm;
        Hu = hu;
        Tissue = tissue;
        LesionMask = lesionMask;
        PositiveSubtypes = positiveSubtypes;
    }

    /// <summary>RSNA-style file base name, "ID_" and 9 hex digits.</summary>
    public string FileId { get; }

    /// <summary>SOP Instance UID.</summary>
    public string SopInstanceUid { get; }

    /// <summary>Instance Number.</summary>
    public int InstanceNumber { get; }

    /// <summary>Patient z of the slice (ImagePositionPatient z, mm).</summary>
    public double PositionZMm { get; }

    /// <summary>Final HU values with noise, row-major.</summary>
    public float[] Hu { get; }

    /// <summary>The tissue each pixel was drawn as (before lesions).</summary>
    public TissueClass[] Tissue { get; }

    /// <summary>Lesion mask coded per subtype (<see cref="HemorrhageSubtypes.MaskValue"/>); 0 background.</summary>
    public byte[] LesionMask { get; }

    /// <summary>Subtypes whose mask area reaches the positive threshold on this slice.</summary>
    public IReadOnlySet<HemorrhageSubtype> PositiveSubtypes { get; }

    /// <summary>True when any subtype is positive.</summary>
    public bool IsPositive => PositiveSubtypes.Count > 0;
}
