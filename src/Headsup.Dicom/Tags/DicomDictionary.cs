namespace Headsup.Dicom;

/// <summary>One data dictionary entry.</summary>
public sealed record DicomDictionaryEntry(DicomTag Tag, DicomVR VR, string Keyword, string Multiplicity);

/// <summary>Looks up the VR and keyword of standard tags (needed for implicit VR).</summary>
public static partial class DicomDictionary
{
    private static readonly Dictionary<DicomTag, DicomDictionaryEntry> s_entries = CreateEntries().ToDictionary(e => e.Tag);

    /// <summary>Finds a standard entry.</summary>
    public static bool TryGet(DicomTag tag, out DicomDictionaryEntry entry)
    {
        if (s_entries.TryGetValue(tag, out var found))
        {
            entry = found;
            return true;
        }

        entry = null!;
        return false;
    }

    /// <summary>The VR to assume for a tag when the encoding does not say (implicit VR).</summary>
    public static DicomVR ImplicitVR(DicomTag tag)
    {
        if (tag.Element == 0x0000)
        {
            return DicomVR.UL; // group length
        }

        if (tag.IsPrivate && tag.Element is >= 0x0010 and <= 0x00FF)
        {
            return DicomVR.LO; // private creator
        }

        return s_entries.TryGetValue(tag, out var entry) ? entry.VR : DicomVR.UN;
    }

    /// <summary>The keyword of a tag, or its (gggg,eeee) form.</summary>
    public static string Keyword(DicomTag tag) => s_entries.TryGetValue(tag, out var entry) ? entry.Keyword : tag.ToString();
}
