namespace Headsup.Phantom.Lesions;

/// <summary>The five RSNA 2019 hemorrhage subtypes, in the order of the RSNA label file.</summary>
public enum HemorrhageSubtype
{
    /// <summary>Epidural: biconvex (lens) collection against the inner table.</summary>
    Epidural,

    /// <summary>Intraparenchymal: an irregular hyperdense blob in the brain, often with surrounding edema.</summary>
    Intraparenchymal,

    /// <summary>Intraventricular: blood in a ventricle, layering in the dependent (posterior) part.</summary>
    Intraventricular,

    /// <summary>Subarachnoid: thin hyperdense tracks in sulci and cisterns.</summary>
    Subarachnoid,

    /// <summary>Subdural: crescent along the inner table, may cross sutures.</summary>
    Subdural,
}

/// <summary>Names and codes of hemorrhage subtypes.</summary>
public static class HemorrhageSubtypes
{
    /// <summary>All subtypes in RSNA order.</summary>
    public static IReadOnlyList<HemorrhageSubtype> All { get; } =
        [HemorrhageSubtype.Epidural, HemorrhageSubtype.Intraparenchymal, HemorrhageSubtype.Intraventricular, HemorrhageSubtype.Subarachnoid, HemorrhageSubtype.Subdural];

    /// <summary>The RSNA label name ("epidural", "intraparenchymal", …).</summary>
    public static string RsnaName(this HemorrhageSubtype subtype) => subtype switch
    {
        HemorrhageSubtype.Epidural => "epidural",
        HemorrhageSubtype.Intraparenchymal => "intraparenchymal",
        HemorrhageSubtype.Intraventricular => "intraventricular",
        HemorrhageSubtype.Subarachnoid => "subarachnoid",
        HemorrhageSubtype.Subdural => "subdural",
        _ => throw new ArgumentOutOfRangeException(nameof(subtype), subtype, "unknown subtype"),
    };

    /// <summary>Parses an RSNA name (case-insensitive).</summary>
    public static bool TryParse(string text, out HemorrhageSubtype subtype)
    {
        foreach (var s in All)
        {
            if (string.Equals(s.RsnaName(), text?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                subtype = s;
                return true;
            }
        }

        subtype = default;
        return false;
    }

    /// <summary>
    /// The value of this subtype in phantom mask PNGs: 51 × (RSNA index + 1), i.e. epidural 51, intraparenchymal 102,
    /// intraventricular 153, subarachnoid 204, subdural 255; 0 is background.
    /// </summary>
    public static byte MaskValue(this HemorrhageSubtype subtype) => (byte)(51 * ((int)subtype + 1));

    /// <summary>The subtype a mask value codes, if any.</summary>
    public static bool TryFromMaskValue(byte value, out HemorrhageSubtype subtype)
    {
        subtype = default;
        if (value == 0 || value % 51 != 0)
        {
            return false;
        }

        subtype = (HemorrhageSubtype)((value / 51) - 1);
        return true;
    }
}
