namespace Headsup.Phantom.Output;

/// <summary>The synthetic identifiers and dates shared by every slice of one phantom study.</summary>
public sealed record PhantomStudyIdentity
{
    /// <summary>Patient's name, e.g. "PHANTOM^0001" (never a real name).</summary>
    public required string PatientName { get; init; }

    /// <summary>Patient ID, e.g. "PHANTOM-1A2B3C4D-0001".</summary>
    public required string PatientId { get; init; }

    /// <summary>Patient's sex, M or F.</summary>
    public required string PatientSex { get; init; }

    /// <summary>Age in years.</summary>
    public required int PatientAgeYears { get; init; }

    /// <summary>Study Instance UID.</summary>
    public required string StudyInstanceUid { get; init; }

    /// <summary>Series Instance UID.</summary>
    public required string SeriesInstanceUid { get; init; }

    /// <summary>Frame of Reference UID.</summary>
    public required string FrameOfReferenceUid { get; init; }

    /// <summary>Study ID (short).</summary>
    public required string StudyId { get; init; }

    /// <summary>Accession number.</summary>
    public required string AccessionNumber { get; init; }

    /// <summary>Study date and time (synthetic, derived from the seed).</summary>
    public required DateTime StudyDateTime { get; init; }

    /// <summary>Creates a study identity from a seeded random source.</summary>
    public static PhantomStudyIdentity Create(Random random, int seed, int studyNumber)
    {
        ArgumentNullException.ThrowIfNull(random);
        var date = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Unspecified)
            .AddDays(random.Next(0, 5 * 365))
            .AddSeconds(random.Next(7 * 3600, 22 * 3600));
        string number = studyNumber.ToString("D4", System.Globalization.CultureInfo.InvariantCulture);
        return new PhantomStudyIdentity
        {
            PatientName = "PHANTOM^" + number,
            PatientId = "PHANTOM-" + seed.ToString("X8", System.Globalization.CultureInfo.InvariantCulture) + "-" + number,
            PatientSex = random.NextDouble() < 0.5 ? "M" : "F",
            PatientAgeYears = random.Next(20, 90),
            StudyInstanceUid = SeededUid.Next(random),
            SeriesInstanceUid = SeededUid.Next(random),
            FrameOfReferenceUid = SeededUid.Next(random),
            StudyId = number,
            AccessionNumber = "PH" + random.Next(0, 100_000_000).ToString("D8", System.Globalization.CultureInfo.InvariantCulture),
            StudyDateTime = date,
        };
    }
}
