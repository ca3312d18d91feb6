using System.Text;
using Headsup.Deidentification.Tests.Fixtures;
using Headsup.Dicom;
using Headsup.Dicom.Writing;
using Headsup.Testing;

namespace Headsup.Deidentification.Tests.Conformance;

/// <summary>
/// The output of a PHI-laden synthetic slice and of phantom slices, attribute by attribute, against the actions of
/// PS3.15 Table E.1-1 (transcribed in Fixtures/expected-actions.csv), read back with this project's reader and with
/// pydicom; and the output's conformance judged by dciodvfy.
/// </summary>
public sealed class ProfileConformanceTests : IClassFixture<SmallPhantomFixture>
{
    private readonly SmallPhantomFixture _phantom;

    public ProfileConformanceTests(SmallPhantomFixture phantom) => _phantom = phantom;

    [Fact]
    public void DeidentifyFile_PhiSlice_EveryListedAttributeHandledAsTheTableSays()
    {
        using var temp = TestData.CreateTempFolder();
        var (input, output) = DeidentifyPhi(temp.Path, TestDeidentifiers.Create());

        var problems = ActionChecker.Check(DatasetDump.WithOwnReader(input), DatasetDump.WithOwnReader(output), ExpectedAction.All);

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void DeidentifyFile_PhiSlice_CoversMostRowsOfTheExpectedTable()
    {
        // The conformance check only means something if the input carries the attributes: nearly every row must be present.
        using var temp = TestData.CreateTempFolder();
        var (input, _) = DeidentifyPhi(temp.Path, TestDeidentifiers.Create());
        var present = DatasetDump.WithOwnReader(input);
        var missing = ExpectedAction.All.Where(r => !present.ContainsKey(r.Tag)).Select(r => r.Name).ToList();
        Assert.True(missing.Count == 0, "rows not in the PHI slice: " + string.Join(", ", missing));
    }

    [Fact]
    public void DeidentifyFile_PhantomSlices_EveryListedAttributeHandledAsTheTableSays()
    {
        using var temp = TestData.CreateTempFolder();
        var deidentifier = TestDeidentifiers.Create();
        foreach (var file in _phantom.Files)
        {
            var output = Path.Combine(temp.Path, Path.GetFileName(file));
            deidentifier.DeidentifyFile(file, output);
            var problems = ActionChecker.Check(DatasetDump.WithOwnReader(file), DatasetDump.WithOwnReader(output), ExpectedAction.All);
            Assert.True(problems.Count == 0, file + ":\n" + string.Join('\n', problems));
        }
    }

    [SkippableFact]
    public void DeidentifyFile_PhiAndPhantomSlices_PydicomSeesEveryListedAttributeHandledAsTheTableSays()
    {
        using var temp = TestData.CreateTempFolder();
        var deidentifier = TestDeidentifiers.Create();
        var pairs = new List<(string Input, string Output)> { DeidentifyPhi(temp.Path, deidentifier) };
        var phantomInput = _phantom.Files[0];
        var phantomOutput = Path.Combine(temp.Path, "phantom-out.dcm");
        deidentifier.DeidentifyFile(phantomInput, phantomOutput);
        pairs.Add((phantomInput, phantomOutput));

        var dumps = DatasetDump.WithPydicom(pairs.SelectMany(p => new[] { p.Input, p.Output }).ToList());

        foreach (var (input, output) in pairs)
        {
            var problems = ActionChecker.Check(dumps[input], dumps[output], ExpectedAction.All);
            Assert.True(problems.Count == 0, input + ":\n" + string.Join('\n', problems));
            Assert.DoesNotContain(dumps[output].Keys, t => t.IsPrivate);
            Assert.Equal("YES", dumps[output][DicomTags.PatientIdentityRemoved].Value);
        }
    }

    [Fact]
    public void DeidentifyFile_PhiSlice_NoIdentifyingValueOrOriginalUidLeftInTheBytes()
    {
        using var temp = TestData.CreateTempFolder();
        var (first, second, _) = TestDeidentifiers.ThreeSlices();
        var input = PhiCtBuilder.Write(Path.Combine(temp.Path, "in.dcm"), second);
        var output = Path.Combine(temp.Path, "out.dcm");
        TestDeidentifiers.Create().DeidentifyFile(input, output);
        var text = Encoding.Latin1.GetString(File.ReadAllBytes(output));

        foreach (var value in PhiCtBuilder.IdentifyingValues(second).Concat([second.StudyUid, second.SeriesUid, second.SopUid, first.SopUid, second.FrameOfReferenceUid, "19610203", second.StudyDate]))
        {
            Assert.False(text.Contains(value, StringComparison.OrdinalIgnoreCase), $"\"{value}\" survived de-identification");
        }
    }

    [Fact]
    public void DeidentifyFile_PhiSlice_PrivateCurveOverlayAndGroupLengthElementsRemoved()
    {
        using var temp = TestData.CreateTempFolder();
        var (_, output) = DeidentifyPhi(temp.Path, TestDeidentifiers.Create());
        var items = DicomFileReader.Open(output).Dataset.Items;

        Assert.DoesNotContain(items, i => i.Tag.IsPrivate);
        Assert.DoesNotContain(items, i => (i.Tag.Group & 0xFF00) is 0x5000 or 0x6000);
        Assert.DoesNotContain(items, i => i.Tag.Element == 0);
    }

    [Theory]
    [InlineData(false, "REMOVED")]
    [InlineData(true, "MODIFIED")]
    public void DeidentifyFile_AnySlice_RecordsIdentityRemovedMethodAndCodes(bool shiftDates, string temporal)
    {
        using var temp = TestData.CreateTempFolder();
        var (_, output) = DeidentifyPhi(temp.Path, TestDeidentifiers.Create(shiftDates));
        var ds = DicomFileReader.Open(output).Dataset;

        Assert.Equal("YES", ds.GetString(DicomTags.PatientIdentityRemoved));
        Assert.Equal(temporal, ds.GetString(DicomTags.LongitudinalTemporalInformationModified));
        var methods = ds.GetStrings(DicomTags.DeidentificationMethod);
        Assert.Equal("DICOM PS3.15 E.1 Basic Application Level Confidentiality Profile", methods[0]);
        Assert.Contains(methods, m => m.StartsWith("HEADS UP ", StringComparison.Ordinal));
        Assert.All(methods, m => Assert.InRange(m.Length, 1, 64));
        Assert.True(ds.TryGetSequence(DicomTags.DeidentificationMethodCodeSequence, out var codes));
        var values = codes.Items.Select(i => (i.GetString(DicomTags.CodeValue), i.GetString(DicomTags.CodingSchemeDesignator), i.GetString(DicomTags.CodeMeaning))).ToList();
        Assert.Equal(("113100", "DCM", "Basic Application Confidentiality Profile"), values[0]);
        if (shiftDates)
        {
            Assert.Equal(("113107", "DCM", "Retain Longitudinal Temporal Information Modified Dates Option"), Assert.Single(values.Skip(1)));
        }
        else
        {
            Assert.Single(values);
        }
    }

    [Fact]
    public void DeidentifyFile_NestedSequence_ListedAttributesInsideItemsHandledToo()
    {
        // A kept sequence (K) is cleaned recursively: names, dates and UIDs inside its items follow the table.
        var ds = PhiCtBuilder.Build(TestDeidentifiers.ThreeSlices().First);
        var inner = new DicomDataset();
        inner.AddString(DicomTags.InstitutionName, "General Hospital of Testing");
        inner.AddString(DicomTags.ReferringPhysicianName, "Dr^Referrer");
        inner.AddString(DicomTags.ReferencedSOPInstanceUID, "1.2.826.0.1.3680043.10.1.77.12");
        inner.AddString(DicomTags.CodeMeaning, "kept");
        var code = new DicomDataset();
        code.AddString(DicomTags.CodeValue, "T-A0100");
        code.AddSequence(DicomTags.ReferencedImageSequence, inner);
        ds.AddSequence(DicomTags.AnatomicRegionSequence, code);
        var file = DicomFileReader.Parse(Write(ds, TransferSyntax.ExplicitVRLittleEndian), "nested.dcm");
        var deidentifier = TestDeidentifiers.Create();

        var output = deidentifier.Deidentify(file).Dataset;

        Assert.True(output.TryGetFirstItem(DicomTags.AnatomicRegionSequence, out var outCode));
        Assert.Equal("T-A0100", outCode.GetString(DicomTags.CodeValue));
        Assert.True(outCode.TryGetFirstItem(DicomTags.ReferencedImageSequence, out var outInner));
        Assert.Equal("ANONYMIZED", outInner.GetString(DicomTags.InstitutionName));
        Assert.False(outInner.TryGetString(DicomTags.ReferringPhysicianName, out _));
        Assert.True(outInner.Contains(DicomTags.ReferringPhysicianName));
        Assert.Equal(deidentifier.MapUid("1.2.826.0.1.3680043.10.1.77.12"), outInner.GetString(DicomTags.ReferencedSOPInstanceUID));
        Assert.Equal("kept", outInner.GetString(DicomTags.CodeMeaning));
    }

    [Fact]
    public void Deidentify_DummySequence_TextDatesAndTimesInsideReplacedCodesKept()
    {
        // "D" on a sequence applies to all its contents (E.1.1): every text, date and time value inside is replaced.
        var ds = PhiCtBuilder.Build(TestDeidentifiers.ThreeSlices().First);
        var observer = new DicomDataset();
        observer.AddString(DicomTags.VerifyingObserverName, "Dr^Verifier");
        observer.AddString(DicomTags.VerifyingOrganization, "General Hospital of Testing");
        observer.AddString(DicomTags.VerificationDateTime, "20230415121500");
        var person = new DicomDataset();
        person.AddString(DicomTags.CodeValue, "STAFF-0042");
        person.AddString(DicomTags.CodingSchemeDesignator, "L");
        person.AddString(DicomTags.CodeMeaning, "Dr Verifier");
        observer.AddSequence(DicomTags.VerifyingObserverIdentificationCodeSequence, person);
        ds.AddSequence(DicomTags.VerifyingObserverSequence, observer);
        var file = DicomFileReader.Parse(Write(ds, TransferSyntax.ExplicitVRLittleEndian), "observer.dcm");

        var output = TestDeidentifiers.Create().Deidentify(file).Dataset;

        Assert.True(output.TryGetFirstItem(DicomTags.VerifyingObserverSequence, out var item));
        Assert.Equal("ANONYMIZED^", item.GetString(DicomTags.VerifyingObserverName));
        Assert.Equal("ANONYMIZED", item.GetString(DicomTags.VerifyingOrganization));
        Assert.Equal("19000101000000", item.GetString(DicomTags.VerificationDateTime));
        Assert.True(item.TryGetSequence(DicomTags.VerifyingObserverIdentificationCodeSequence, out var ids));
        Assert.Empty(ids.Items); // Z in the table
    }

    public static TheoryData<string> Syntaxes => new(
        TransferSyntax.ExplicitVRLittleEndian.Uid,
        TransferSyntax.ImplicitVRLittleEndian.Uid,
        TransferSyntax.ExplicitVRBigEndian.Uid,
        TransferSyntax.DeflatedExplicitVRLittleEndian.Uid);

    [Theory]
    [MemberData(nameof(Syntaxes))]
    public void DeidentifyFile_InputInSyntax_KeepsSyntaxAndPixelDataAndHandlesEveryRow(string uid)
    {
        TransferSyntax.TryLookup(uid, out var syntax);
        using var temp = TestData.CreateTempFolder();
        var input = PhiCtBuilder.Write(Path.Combine(temp.Path, "in.dcm"), TestDeidentifiers.ThreeSlices().First, syntax);
        var output = Path.Combine(temp.Path, "out.dcm");

        TestDeidentifiers.Create().DeidentifyFile(input, output);

        var file = DicomFileReader.Open(output);
        Assert.Equal(syntax, file.TransferSyntax);
        Assert.True(file.Dataset.TryGetElement(DicomTags.PixelData, out var pixels));
        Assert.Equal(PhiCtBuilder.Pixels(), pixels.Value.ToArray());
        Assert.Equal(file.Dataset.GetString(DicomTags.SOPInstanceUID), file.FileMetaInformation.GetString(DicomTags.MediaStorageSOPInstanceUID));
        var problems = ActionChecker.Check(DatasetDump.WithOwnReader(input), DatasetDump.WithOwnReader(output), ExpectedAction.All);
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void DeidentifyFile_EncapsulatedPixelData_FragmentsCopiedUnchanged()
    {
        var ds = PhiCtBuilder.Build(TestDeidentifiers.ThreeSlices().First);
        byte[] f1 = [0xFF, 0xD8, 0xFF, 0xC3, 1, 2, 3, 4, 0xFF, 0xD9];
        byte[] f2 = [0xFF, 0xD8, 0xFF, 0xC3, 5, 6, 0xFF, 0xD9];
        ds.Add(new DicomFragments(DicomTags.PixelData, DicomVR.OB, [0u], [new(0, f1), new(18, f2)]));
        using var temp = TestData.CreateTempFolder();
        var input = Path.Combine(temp.Path, "in.dcm");
        DicomFileWriter.Save(input, ds, TransferSyntax.JpegLosslessSV1);
        var output = Path.Combine(temp.Path, "out.dcm");

        TestDeidentifiers.Create().DeidentifyFile(input, output);

        var file = DicomFileReader.Open(output);
        Assert.Equal(TransferSyntax.JpegLosslessSV1, file.TransferSyntax);
        var fragments = Assert.IsType<DicomFragments>(file.Dataset.Items.Single(i => i.Tag == DicomTags.PixelData));
        Assert.Equal(new uint[] { 0 }, fragments.BasicOffsetTable);
        Assert.Equal([f1, f2], fragments.Fragments.Select(f => f.Data.ToArray()));
    }

    [SkippableFact]
    public void DeidentifyFile_PhantomSlices_DciodvfyReportsNoErrors()
    {
        ExternalTool.Require("/usr/bin/dciodvfy");
        using var temp = TestData.CreateTempFolder();
        foreach (var shift in new[] { false, true })
        {
            var deidentifier = TestDeidentifiers.Create(shift);
            foreach (var file in _phantom.Files.Take(2))
            {
                var output = Path.Combine(temp.Path, $"{shift}-{Path.GetFileName(file)}");
                deidentifier.DeidentifyFile(file, output);
                var errors = Dciodvfy.Errors(output);
                Assert.True(errors.Count == 0, $"{file} (shift {shift}):\n{string.Join('\n', errors)}");
            }
        }
    }

    [SkippableFact]
    public void DeidentifyFile_PhiSlice_DciodvfyFindsNoErrorTheInputDidNotHave()
    {
        ExternalTool.Require("/usr/bin/dciodvfy");
        using var temp = TestData.CreateTempFolder();
        foreach (var shift in new[] { false, true })
        {
            var (input, output) = DeidentifyPhi(Directory.CreateDirectory(Path.Combine(temp.Path, shift.ToString())).FullName, TestDeidentifiers.Create(shift));
            var added = Dciodvfy.NewErrors(input, output);
            Assert.True(added.Count == 0, $"shift {shift}: errors introduced:\n{string.Join('\n', added)}\ninput had:\n{string.Join('\n', Dciodvfy.Errors(input))}");
        }
    }

    private static (string Input, string Output) DeidentifyPhi(string folder, Deidentifier deidentifier)
    {
        var input = PhiCtBuilder.Write(Path.Combine(folder, "phi.dcm"), TestDeidentifiers.ThreeSlices().First);
        var output = Path.Combine(folder, "phi-out.dcm");
        deidentifier.DeidentifyFile(input, output);
        return (input, output);
    }

    private static byte[] Write(DicomDataset ds, TransferSyntax syntax)
    {
        using var stream = new MemoryStream();
        DicomFileWriter.Write(stream, ds, syntax);
        return stream.ToArray();
    }
}
