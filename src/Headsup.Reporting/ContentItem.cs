using Headsup.Dicom;

namespace Headsup.Reporting;

/// <summary>Builds SR content items (PS3.3 C.17.3, Document Content Macro and Document Relationship Macro).</summary>
internal static class ContentItem
{
    /// <summary>Relationship types used here (PS3.3 C.17.3.2.4).</summary>
    public const string Contains = "CONTAINS";

    /// <summary>HAS PROPERTIES: the target describes a property of the source.</summary>
    public const string HasProperties = "HAS PROPERTIES";

    /// <summary>HAS CONCEPT MOD: the target qualifies the concept of the source.</summary>
    public const string HasConceptModifier = "HAS CONCEPT MOD";

    /// <summary>INFERRED FROM: the source was inferred from the target.</summary>
    public const string InferredFrom = "INFERRED FROM";

    /// <summary>A TEXT item (UT value).</summary>
    public static DicomDataset Text(string relationship, CodedConcept name, string text, params DicomDataset[] children)
    {
        var item = Start(relationship, "TEXT", name);
        item.AddString(DicomTags.TextValue, text, DicomVR.UT);
        return WithChildren(item, children);
    }

    /// <summary>A CODE item.</summary>
    public static DicomDataset Code(string relationship, CodedConcept name, CodedConcept value, params DicomDataset[] children)
    {
        var item = Start(relationship, "CODE", name);
        item.AddSequence(DicomTags.ConceptCodeSequence, value.ToItem());
        return WithChildren(item, children);
    }

    /// <summary>A NUM item with one measured value and its unit.</summary>
    public static DicomDataset Number(string relationship, CodedConcept name, double value, CodedConcept unit, params DicomDataset[] children)
    {
        var item = Start(relationship, "NUM", name);
        var measured = new DicomDataset();
        measured.AddString(DicomTags.NumericValue, DicomText.Decimal(value), DicomVR.DS);
        measured.AddSequence(DicomTags.MeasurementUnitsCodeSequence, unit.ToItem());
        item.AddSequence(DicomTags.MeasuredValueSequence, measured);
        return WithChildren(item, children);
    }

    /// <summary>An IMAGE item referencing one instance.</summary>
    public static DicomDataset Image(string relationship, CodedConcept name, string sopClassUid, string sopInstanceUid)
    {
        var item = Start(relationship, "IMAGE", name);
        item.AddSequence(DicomTags.ReferencedSOPSequence, DerivedInstance.SopReference(sopClassUid, sopInstanceUid));
        return item;
    }

    private static DicomDataset Start(string relationship, string valueType, CodedConcept name)
    {
        var item = new DicomDataset();
        item.AddString(DicomTags.RelationshipType, relationship);
        item.AddString(DicomTags.ValueType, valueType);
        item.AddSequence(DicomTags.ConceptNameCodeSequence, name.ToItem());
        return item;
    }

    private static DicomDataset WithChildren(DicomDataset item, DicomDataset[] children)
    {
        if (children.Length > 0)
        {
            item.AddSequence(DicomTags.ContentSequence, children);
        }

        return item;
    }
}
