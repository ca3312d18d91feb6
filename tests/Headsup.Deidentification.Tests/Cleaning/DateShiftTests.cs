using System.Globalization;
using Headsup.Deidentification.Cleaning;
using Headsup.Deidentification.Tests.Fixtures;
using Headsup.Dicom;
using Headsup.Testing;

namespace Headsup.Deidentification.Tests.Cleaning;

/// <summary>The Modified Dates option: every date of a patient moves back by the same keyed offset of 1..365 days.</summary>
public sealed class DateShiftTests
{
    [Fact]
    public void DeidentifyFile_ShiftDates_EveryDateOfThePatientMovesBackByOneOffsetWithinBounds()
    {
        using var temp = TestData.CreateTempFolder();
        var (first, second, _) = TestDeidentifiers.ThreeSlices();
        var deidentifier = TestDeidentifiers.Create(shiftDates: true);
        var a = Run(deidentifier, temp.Path, "a", first);
        var b = Run(deidentifier, temp.Path, "b", second with { StudyDate = "20240229" });

        int days = Days("20230415", a.GetString(DicomTags.StudyDate));
        Assert.InRange(days, 1, 365);
        Assert.Equal(deidentifier.DateShiftDays(first.PatientId), days);
        foreach (var tag in new[] { DicomTags.SeriesDate, DicomTags.AcquisitionDate, DicomTags.ContentDate, DicomTags.InstanceCreationDate, DicomTags.PerformedProcedureStepStartDate })
        {
            Assert.True(a.TryGetString(tag, out var date) ? Days("20230415", date) == days : !a.Contains(tag), $"{DicomDictionary.Keyword(tag)}");
        }

        Assert.Equal(days, Days("20240229", b.GetString(DicomTags.StudyDate)));
        Assert.Equal(days, Days("20230101", a.GetString(DicomTags.DateOfLastCalibration)));
        Assert.Equal(Shift("20230415", days) + "101500.25+0100", a.GetString(DicomTags.AcquisitionDateTime));
        Assert.Equal("101000", a.GetString(DicomTags.StudyTime));
        Assert.False(a.TryGetString(DicomTags.PatientBirthDate, out _)); // Z in the Basic Profile, not covered by the option
        Assert.True(a.Contains(DicomTags.PatientBirthDate));
    }

    [Fact]
    public void DeidentifyFile_ShiftDatesForOtherPatient_OwnOffset()
    {
        using var temp = TestData.CreateTempFolder();
        var (first, _, other) = TestDeidentifiers.ThreeSlices();
        var deidentifier = TestDeidentifiers.Create(shiftDates: true);
        var c = Run(deidentifier, temp.Path, "c", other);

        Assert.Equal(deidentifier.DateShiftDays(other.PatientId), Days(other.StudyDate, c.GetString(DicomTags.StudyDate)));
        Assert.NotEqual(deidentifier.DateShiftDays(first.PatientId), deidentifier.DateShiftDays(other.PatientId));
    }

    [Fact]
    public void DateShiftDays_ManyPatients_AllWithinOneTo365AndSpread()
    {
        var deidentifier = TestDeidentifiers.Create(shiftDates: true);
        var days = Enumerable.Range(0, 500).Select(i => deidentifier.DateShiftDays($"P{i}")!.Value).ToList();

        Assert.All(days, d => Assert.InRange(d, 1, 365));
        Assert.True(days.Distinct().Count() > 250, $"{days.Distinct().Count()} distinct offsets for 500 patients");
        Assert.Equal(days, Enumerable.Range(0, 500).Select(i => TestDeidentifiers.Create(shiftDates: true).DateShiftDays($"P{i}")!.Value));
        Assert.Null(TestDeidentifiers.Create(shiftDates: false).DateShiftDays("P1"));
    }

    [Fact]
    public void DeidentifyFile_NoShift_DatesRemovedEmptiedOrDummied()
    {
        using var temp = TestData.CreateTempFolder();
        var a = Run(TestDeidentifiers.Create(), temp.Path, "a", TestDeidentifiers.ThreeSlices().First);

        Assert.False(a.TryGetString(DicomTags.StudyDate, out _));
        Assert.Equal(DummyValues.Date, a.GetString(DicomTags.SeriesDate));
        Assert.Equal(DummyValues.Date, a.GetString(DicomTags.DateOfLastCalibration)); // not in the table: replaced by VR
        Assert.Equal(DummyValues.Date, a.GetString(DicomTags.InstanceCreationDate));
        Assert.Equal("101530", a.GetString(DicomTags.InstanceCreationTime)); // a time alone is kept when not listed
    }

    [Theory]
    [InlineData("20230415", 10, "20230405")]
    [InlineData("20240301", 1, "20240229")]
    [InlineData("20230101\\20230110", 5, "20221227\\20230105")]
    [InlineData("20230101-20230110", 5, "20221227-20230105")]
    [InlineData("-20230110", 5, "-20230105")]
    [InlineData("2023.04.15", 10, "20230405")]
    [InlineData("2023", 10, DummyValues.Date)]
    [InlineData("20231345", 10, DummyValues.Date)]
    [InlineData("20230415 ", 1, "20230414")]
    public void ShiftDate_Values_MovedBackOrDummied(string value, int days, string expected) =>
        Assert.Equal(expected, DateShifter.ShiftDate(value, days));

    [Theory]
    [InlineData("20230415101500.25+0100", 10, "20230405101500.25+0100")]
    [InlineData("20230415101500-0500", 10, "20230405101500-0500")]
    [InlineData("20230415", 1, "20230414")]
    [InlineData("202304", 1, DummyValues.DateTime)]
    public void ShiftDateTime_Values_DatePartMovedBackRestKept(string value, int days, string expected) =>
        Assert.Equal(expected, DateShifter.ShiftDateTime(value, days));

    private static DicomDataset Run(Deidentifier deidentifier, string folder, string name, PhiSlice slice)
    {
        var input = PhiCtBuilder.Write(Path.Combine(folder, name + "-in.dcm"), slice);
        var output = Path.Combine(folder, name + "-out.dcm");
        deidentifier.DeidentifyFile(input, output);
        return DicomFileReader.Open(output).Dataset;
    }

    private static int Days(string original, string shifted) =>
        Parse(original).DayNumber - Parse(shifted).DayNumber;

    private static string Shift(string date, int days) => Parse(date).AddDays(-days).ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    private static DateOnly Parse(string date) => DateOnly.ParseExact(date, "yyyyMMdd", CultureInfo.InvariantCulture);
}
