using System.Reflection;
using Headsup.Deidentification.Cleaning;
using Headsup.Deidentification.Keys;
using Headsup.Deidentification.Profile;
using Headsup.Dicom;
using Headsup.Dicom.Writing;

namespace Headsup.Deidentification;

/// <summary>
/// De-identifies DICOM instances with the DICOM PS3.15 E.1 Basic Application Level Confidentiality Profile: every
/// attribute of Table E.1-1 is removed, emptied, replaced by a dummy or (UIDs) mapped, at every sequence depth; private
/// attributes, curves and overlays are removed; Patient ID and Patient's Name become a keyed pseudonym; with
/// <see cref="DeidentificationOptions.ShiftDates"/> dates move back by a per-patient offset. UIDs, pseudonyms and
/// offsets are keyed hashes, so the same key maps the same study, series, instance and patient the same way in every
/// file and every run. Files whose Burned In Annotation is YES are refused (<see cref="BurnedInAnnotationException"/>).
/// Pixel data and the transfer syntax are kept as they are. Thread-safe: one instance can serve parallel calls.
/// </summary>
public sealed class Deidentifier
{
    /// <summary>The profile's name as written into De-identification Method (0012,0063) (64 characters, the LO limit).</summary>
    public const string ProfileName = "DICOM PS3.15 E.1 Basic Application Level Confidentiality Profile";

    /// <summary>The option's name as written into De-identification Method when dates are shifted.</summary>
    public const string ModifiedDatesOptionName = "Retain Longitudinal Temporal Information Modified Dates Option";

    private readonly IdentifierMapper _mapper;
    private readonly ConfidentialityProfile _profile;
    private readonly DicomReadOptions _readOptions;

    /// <summary>Creates the de-identifier.</summary>
    /// <exception cref="ArgumentException">The key is too short, or the date shift range is not positive.</exception>
    public Deidentifier(DeidentificationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Key);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxDateShiftDays, 1, nameof(options));
        Options = options with { Key = (byte[])options.Key.Clone() };
        _mapper = new IdentifierMapper(options.Key);
        _profile = ConfidentialityProfile.Basic;
        _readOptions = new DicomReadOptions { MaxFileBytes = options.MaxFileBytes };
        MethodCodes = options.ShiftDates ? [DeidentificationCode.BasicProfile, DeidentificationCode.ModifiedDates] : [DeidentificationCode.BasicProfile];
    }

    /// <summary>The options (the key is a private copy).</summary>
    public DeidentificationOptions Options { get; }

    /// <summary>"HEADS UP" and this library's version, as written into De-identification Method.</summary>
    public static string SoftwareName { get; } = "HEADS UP " + LibraryVersion();

    /// <summary>The CID 7050 codes written into De-identification Method Code Sequence (0012,0064).</summary>
    public IReadOnlyList<DeidentificationCode> MethodCodes { get; }

    /// <summary>A short fingerprint of the key, to tell which key a run used without revealing it.</summary>
    public string KeyId => _mapper.KeyId();

    /// <summary>The UID an original UID is mapped to (the same for every file and run with this key).</summary>
    public string MapUid(string uid) => _mapper.MapUid(uid);

    /// <summary>The pseudonym written as Patient ID and Patient's Name for an original Patient ID.</summary>
    public string PseudonymizePatientId(string patientId) => _mapper.Pseudonym(patientId);

    /// <summary>The days a patient's dates move back (1 to <see cref="DeidentificationOptions.MaxDateShiftDays"/>), or null when dates are not shifted.</summary>
    public int? DateShiftDays(string patientId) => Options.ShiftDates ? _mapper.DateShiftDays(patientId, Options.MaxDateShiftDays) : null;

    /// <summary>De-identifies a parsed file in memory.</summary>
    /// <exception cref="BurnedInAnnotationException">Burned In Annotation is YES.</exception>
    /// <exception cref="DeidentificationException">The transfer syntax cannot be written, or the instance has no SOP Class or Instance UID.</exception>
    public DeidentifiedInstance Deidentify(DicomFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var source = file.SourceName;
        var input = file.Dataset;
        if (input.TryGetString(DicomTags.BurnedInAnnotation, out var burnedIn) && burnedIn.Trim().Equals("YES", StringComparison.OrdinalIgnoreCase))
        {
            throw new BurnedInAnnotationException(source);
        }

        if (!DicomFileWriter.CanWrite(file.TransferSyntax))
        {
            throw new DeidentificationException(source, $"transfer syntax {file.TransferSyntax.Uid} cannot be written back");
        }

        var patientId = input.GetStringOrDefault(DicomTags.PatientID);
        var pseudonym = patientId.Length > 0 ? _mapper.Pseudonym(patientId) : string.Empty;
        var shift = DateShiftDays(patientId);
        var output = new DatasetCleaner(_profile, _mapper, shift, pseudonym, input.CharacterSet).Clean(input);

        var sopClass = FirstNonEmpty(output.GetStringOrDefault(DicomTags.SOPClassUID), file.FileMetaInformation.GetStringOrDefault(DicomTags.MediaStorageSOPClassUID));
        var metaInstance = file.FileMetaInformation.GetStringOrDefault(DicomTags.MediaStorageSOPInstanceUID);
        var sopInstance = FirstNonEmpty(output.GetStringOrDefault(DicomTags.SOPInstanceUID), metaInstance.Length > 0 ? _mapper.MapUid(metaInstance) : string.Empty);
        if (sopClass.Length == 0 || sopInstance.Length == 0)
        {
            throw new DeidentificationException(source, "the instance has no SOP Class UID or SOP Instance UID (in the data set or the file meta information)");
        }

        output.AddString(DicomTags.SOPClassUID, sopClass, DicomVR.UI);
        output.AddString(DicomTags.SOPInstanceUID, sopInstance, DicomVR.UI);
        AddMarkers(output);
        var ids = new DeidentifiedIds(
            pseudonym,
            output.GetStringOrDefault(DicomTags.StudyInstanceUID),
            output.GetStringOrDefault(DicomTags.SeriesInstanceUID),
            sopInstance,
            sopClass,
            shift);
        return new DeidentifiedInstance(output, file.TransferSyntax, ids);
    }

    /// <summary>Reads an instance from a stream (e.g. a zip entry) named <paramref name="sourceName"/> and de-identifies it in memory.</summary>
    /// <exception cref="BurnedInAnnotationException">Burned In Annotation is YES.</exception>
    /// <exception cref="DeidentificationException">The input cannot be read or used.</exception>
    public DeidentifiedInstance Deidentify(Stream input, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(sourceName);
        return Deidentify(Read(sourceName, () => DicomFileReader.Open(input, sourceName, _readOptions)));
    }

    /// <summary>Reads <paramref name="inputPath"/>, de-identifies it and writes <paramref name="outputPath"/> atomically (temporary file, then rename).</summary>
    /// <exception cref="BurnedInAnnotationException">Burned In Annotation is YES; nothing is written.</exception>
    /// <exception cref="DeidentificationException">The input cannot be read or used, or the output cannot be written.</exception>
    public DeidentifiedFile DeidentifyFile(string inputPath, string outputPath)
    {
        ArgumentNullException.ThrowIfNull(inputPath);
        ArgumentNullException.ThrowIfNull(outputPath);
        var instance = Deidentify(Read(inputPath, () => DicomFileReader.Open(inputPath, _readOptions)));
        return Save(instance, inputPath, outputPath);
    }

    /// <summary>
    /// Reads a file, de-identifies it and writes it into <paramref name="outputFolder"/> at
    /// <c>&lt;new study uid&gt;/&lt;new series uid&gt;/&lt;new sop uid&gt;.dcm</c> (<see cref="OutputPath"/>).
    /// </summary>
    /// <exception cref="BurnedInAnnotationException">Burned In Annotation is YES; nothing is written.</exception>
    /// <exception cref="DeidentificationException">The input cannot be read or used (e.g. it has no Study or Series Instance UID), or the output cannot be written.</exception>
    public DeidentifiedFile DeidentifyInto(string inputPath, string outputFolder)
    {
        ArgumentNullException.ThrowIfNull(inputPath);
        var instance = Deidentify(Read(inputPath, () => DicomFileReader.Open(inputPath, _readOptions)));
        return Save(instance, inputPath, OutputPath(instance, inputPath, outputFolder));
    }

    /// <summary>Where <paramref name="instance"/> goes in <paramref name="outputFolder"/>: <c>&lt;study&gt;/&lt;series&gt;/&lt;sop&gt;.dcm</c>, full path.</summary>
    /// <exception cref="DeidentificationException">The instance has no Study or Series Instance UID.</exception>
    public static string OutputPath(DeidentifiedInstance instance, string sourceName, string outputFolder)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(outputFolder);
        if (instance.Ids.StudyInstanceUid.Length == 0 || instance.Ids.SeriesInstanceUid.Length == 0)
        {
            throw new DeidentificationException(sourceName, "the instance has no Study Instance UID or Series Instance UID, so it has no place in the output layout");
        }

        return Path.GetFullPath(Path.Combine(outputFolder, instance.Ids.RelativePath));
    }

    /// <summary>Writes a de-identified instance atomically (temporary file beside it, then rename), in its transfer syntax.</summary>
    /// <exception cref="DeidentificationException">The output cannot be written (the message names it).</exception>
    public static DeidentifiedFile Save(DeidentifiedInstance instance, string sourceName, string outputPath)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(sourceName);
        ArgumentNullException.ThrowIfNull(outputPath);
        var fullPath = Path.GetFullPath(outputPath);
        try
        {
            DicomFileWriter.Save(fullPath, instance.Dataset, instance.TransferSyntax);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new DeidentificationException(sourceName, $"cannot write {fullPath}: {ex.Message}", ex);
        }

        return new DeidentifiedFile(sourceName, fullPath, instance.Ids);
    }

    private static DicomFile Read(string sourceName, Func<DicomFile> read)
    {
        try
        {
            return read();
        }
        catch (DicomException ex)
        {
            throw new DeidentificationException(sourceName, "not readable as DICOM: " + WithoutSource(ex.Message, sourceName), ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            throw new DeidentificationException(sourceName, "cannot read the file: " + WithoutSource(ex.Message, sourceName), ex);
        }
    }

    private void AddMarkers(DicomDataset output)
    {
        output.AddString(DicomTags.PatientIdentityRemoved, "YES");
        output.AddStrings(DicomTags.DeidentificationMethod, Options.ShiftDates ? [ProfileName, ModifiedDatesOptionName, SoftwareName] : [ProfileName, SoftwareName]);
        output.AddSequence(DicomTags.DeidentificationMethodCodeSequence, MethodCodes.Select(c => c.ToItem()).ToArray());
        output.AddString(DicomTags.LongitudinalTemporalInformationModified, Options.ShiftDates ? "MODIFIED" : "REMOVED");
    }

    private static string FirstNonEmpty(string a, string b) => a.Length > 0 ? a : b;

    private static string WithoutSource(string message, string sourceName) =>
        message.StartsWith(sourceName + ": ", StringComparison.Ordinal) ? message[(sourceName.Length + 2)..] : message;

    private static string LibraryVersion()
    {
        var version = typeof(Deidentifier).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";
        int plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus > 0 ? version[..plus] : version;
    }
}

/// <summary>A code of CID 7050 "De-identification Method" (coding scheme DCM).</summary>
/// <param name="Value">The code value.</param>
/// <param name="Meaning">The code meaning.</param>
public sealed record DeidentificationCode(string Value, string Meaning)
{
    /// <summary>113100 Basic Application Confidentiality Profile.</summary>
    public static readonly DeidentificationCode BasicProfile = new("113100", "Basic Application Confidentiality Profile");

    /// <summary>113107 Retain Longitudinal Temporal Information Modified Dates Option.</summary>
    public static readonly DeidentificationCode ModifiedDates = new("113107", "Retain Longitudinal Temporal Information Modified Dates Option");

    /// <summary>The coding scheme designator of these codes.</summary>
    public const string Scheme = "DCM";

    /// <summary>The code as a sequence item (Code Value, Coding Scheme Designator, Code Meaning).</summary>
    public DicomDataset ToItem()
    {
        var item = new DicomDataset();
        item.AddString(DicomTags.CodeValue, Value);
        item.AddString(DicomTags.CodingSchemeDesignator, Scheme);
        item.AddString(DicomTags.CodeMeaning, Meaning);
        return item;
    }
}
