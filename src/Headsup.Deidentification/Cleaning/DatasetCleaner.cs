using System.Text;
using Headsup.Deidentification.Keys;
using Headsup.Deidentification.Profile;
using Headsup.Dicom;

namespace Headsup.Deidentification.Cleaning;

/// <summary>
/// Applies a confidentiality profile to one data set, recursively through every sequence item, and returns a new data
/// set (the input is not changed; kept values still reference its bytes). Beyond the table's rows it removes what the
/// Basic Profile removes by rule or what cannot be vouched for: private attributes (odd groups), whole curve (50xx) and
/// overlay (60xx) groups (the table removes Curve Data and Overlay Data; the rest of the group would describe an
/// overlay that is gone), group lengths, file meta elements misplaced in the data set, attributes this build's
/// dictionary does not know, and standard sequences encoded as UN with a defined length (their items cannot be
/// inspected). Dates the table does not list (any DA or DT) are shifted, or replaced by a dummy when dates are not
/// shifted, as PS3.15 E.1.1 note 4 suggests.
/// </summary>
internal sealed class DatasetCleaner
{
    private readonly ConfidentialityProfile _profile;
    private readonly IdentifierMapper _mapper;
    private readonly int? _shiftDays;
    private readonly string _patientPseudonym;
    private readonly Encoding _characterSet;

    /// <summary>Creates the cleaner for one file.</summary>
    /// <param name="profile">The attribute table.</param>
    /// <param name="mapper">Maps UIDs and Patient IDs under the site key.</param>
    /// <param name="shiftDays">Days to move dates back (the Modified Dates option), or null to remove or replace them.</param>
    /// <param name="patientPseudonym">The file's patient pseudonym (Patient's Name becomes "pseudonym^"); empty when the file has no Patient ID.</param>
    /// <param name="characterSet">The file's text encoding (Specific Character Set), to read Patient IDs as the file means them.</param>
    public DatasetCleaner(ConfidentialityProfile profile, IdentifierMapper mapper, int? shiftDays, string patientPseudonym, Encoding characterSet)
    {
        _characterSet = characterSet;
        _profile = profile;
        _mapper = mapper;
        _shiftDays = shiftDays;
        _patientPseudonym = patientPseudonym;
    }

    /// <summary>The cleaned copy of <paramref name="source"/>.</summary>
    public DicomDataset Clean(DicomDataset source) => CleanDataset(source, dummyText: false);

    /// <summary>True for the overlay (6000-601E) and curve (5000-501E) repeating groups.</summary>
    public static bool IsOverlayOrCurveGroup(ushort group) => (group & 0xFF01) is 0x6000 or 0x5000;

    private DicomDataset CleanDataset(DicomDataset source, bool dummyText)
    {
        var result = new DicomDataset(source.SourceName);
        foreach (var item in source.Items)
        {
            var tag = item.Tag;
            if (tag.IsPrivate || tag.Element == 0x0000 || tag.Group == 0x0002 || IsOverlayOrCurveGroup(tag.Group) || !DicomDictionary.TryGet(tag, out _))
            {
                continue;
            }

            var rule = _profile.TryGetRule(tag, out var listed) ? listed : null;
            var cleaned = item switch
            {
                DicomSequence sequence => CleanSequence(sequence, rule?.Action, dummyText),
                DicomElement element => CleanElement(element, rule, dummyText),
                _ => item, // encapsulated pixel data: copied unchanged
            };

            if (cleaned is not null)
            {
                result.Add(cleaned);
            }
        }

        return result;
    }

    private DicomSequence? CleanSequence(DicomSequence sequence, ProfileAction? action, bool dummyText)
    {
        switch (action)
        {
            case ProfileAction.Remove or ProfileAction.RemoveOrDummy:
                return null;
            case ProfileAction.RemoveOrZero or ProfileAction.RemoveOrZeroOrDummy:
                // A Type 3 sequence may not be present without items, so X unless the sequence is Type 2 where it is used.
                return sequence.Tag == DicomTags.AcquisitionContextSequence ? new DicomSequence(sequence.Tag, []) : null;
            case ProfileAction.Zero:
                return new DicomSequence(sequence.Tag, []);
            case ProfileAction.Dummy or ProfileAction.ZeroOrDummy:
                dummyText = true;
                break;
        }

        return new DicomSequence(sequence.Tag, sequence.Items.Select(i => CleanDataset(i, dummyText)).ToArray());
    }

    private DicomElement? CleanElement(DicomElement element, ProfileRule? rule, bool dummyText)
    {
        var tag = element.Tag;
        var vr = element.VR == DicomVR.UN ? DicomDictionary.ImplicitVR(tag) : element.VR;
        if (vr == DicomVR.SQ)
        {
            return null; // a standard sequence encoded as UN with a defined length: its items cannot be inspected
        }

        if (rule is null)
        {
            if (vr is DicomVR.DA or DicomVR.DT)
            {
                return Text(element).Length == 0 ? element : _shiftDays is { } days ? Shifted(element, vr, days) : Dummy(element, vr);
            }

            return dummyText && (DummyValues.IsFreeText(vr) || vr == DicomVR.TM) ? Dummy(element, vr) : element;
        }

        if (rule.ModifiedDates && _shiftDays is { } shift)
        {
            return vr is DicomVR.DA or DicomVR.DT ? Shifted(element, vr, shift) : element;
        }

        switch (rule.Action)
        {
            case ProfileAction.Keep:
                return element;
            case ProfileAction.Remove:
                return null;
            case ProfileAction.Zero:
                if (tag == DicomTags.PatientID)
                {
                    var id = _characterSet.GetString(element.Value.Span).Trim('\0', ' ');
                    return WithText(element, id.Length == 0 ? string.Empty : _mapper.Pseudonym(id));
                }

                // Patient's Name: the pseudonym as family name (with "^", the PN component form readers expect).
                return tag == DicomTags.PatientName ? WithText(element, _patientPseudonym.Length == 0 ? string.Empty : _patientPseudonym + "^") : Empty(element);
            case ProfileAction.RemoveOrZero:
                return Empty(element);
            case ProfileAction.ZeroOrDummy:
                return Text(element).Length == 0 ? Empty(element) : Dummy(element, vr);
            case ProfileAction.Dummy or ProfileAction.RemoveOrDummy or ProfileAction.RemoveOrZeroOrDummy:
                return Dummy(element, vr);
            case ProfileAction.Uid or ProfileAction.RemoveOrZeroOrReplaceUids:
                return vr == DicomVR.UI || rule.Action == ProfileAction.Uid ? MappedUids(element) : Empty(element);
            default:
                throw new InvalidOperationException($"unhandled profile action {rule.Action}");
        }
    }

    private DicomElement Dummy(DicomElement element, DicomVR vr) =>
        vr == DicomVR.UI ? MappedUids(element) : new DicomElement(element.Tag, element.VR, DummyValues.For(vr));

    private static DicomElement Shifted(DicomElement element, DicomVR vr, int days)
    {
        var text = Text(element);
        if (text.Length == 0)
        {
            return element;
        }

        return WithText(element, vr == DicomVR.DA ? DateShifter.ShiftDate(text, days) : DateShifter.ShiftDateTime(text, days));
    }

    private DicomElement MappedUids(DicomElement element)
    {
        var values = Text(element).Split('\\').Select(v => v.Trim('\0', ' ')).Select(v => v.Length == 0 ? v : _mapper.MapUid(v));
        return WithText(element, string.Join('\\', values));
    }

    private static DicomElement Empty(DicomElement element) => new(element.Tag, element.VR, ReadOnlyMemory<byte>.Empty);

    private static DicomElement WithText(DicomElement element, string text) => new(element.Tag, element.VR, Encoding.ASCII.GetBytes(text));

    /// <summary>The value as ASCII text without padding (used for UIDs, dates and identifiers).</summary>
    private static string Text(DicomElement element) => Encoding.ASCII.GetString(element.Value.Span).Trim('\0', ' ');
}
