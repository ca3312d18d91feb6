using System.Text;
using Headsup.Phantom;
using Headsup.Testing;

namespace Headsup.Deidentification.Tests.Fixtures;

/// <summary>De-identifiers with fixed test keys.</summary>
public static class TestDeidentifiers
{
    /// <summary>The site key most tests use.</summary>
    public static readonly byte[] KeyA = Encoding.ASCII.GetBytes("test-site-key-A-0123456789abcdef");

    /// <summary>A second key, to show that UIDs and pseudonyms depend on it.</summary>
    public static readonly byte[] KeyB = Encoding.ASCII.GetBytes("test-site-key-B-0123456789abcdef");

    /// <summary>A de-identifier with <see cref="KeyA"/> (or <paramref name="key"/>).</summary>
    public static Deidentifier Create(bool shiftDates = false, byte[]? key = null) =>
        new(new DeidentificationOptions { Key = key ?? KeyA, ShiftDates = shiftDates });

    /// <summary>Two PHI slices of one patient and study (the second references the first), plus one of another patient.</summary>
    public static (PhiSlice First, PhiSlice Second, PhiSlice Other) ThreeSlices()
    {
        var first = new PhiSlice("PAT-0001", "Doe^John", "1.2.826.0.1.3680043.10.1.77.10", "1.2.826.0.1.3680043.10.1.77.11", "1.2.826.0.1.3680043.10.1.77.12", "1.2.826.0.1.3680043.10.1.77.99");
        var second = first with { SopUid = "1.2.826.0.1.3680043.10.1.77.13", ReferencedSopUid = first.SopUid };
        var other = new PhiSlice("PAT-0002", "Roe^Jane", "1.2.826.0.1.3680043.10.1.77.20", "1.2.826.0.1.3680043.10.1.77.21", "1.2.826.0.1.3680043.10.1.77.22", "1.2.826.0.1.3680043.10.1.77.12", "20220105");
        return (first, second, other);
    }
}

/// <summary>A small phantom run (2 studies × 4 slices of 64²) generated once per test class.</summary>
public sealed class SmallPhantomFixture() : GeneratedPhantom(new PhantomOptions { Studies = 2, Seed = 5, SliceCount = 4, MatrixSize = 64, Hemorrhage = HemorrhageMode.None })
{
    /// <summary>The phantom's DICOM files, in path order.</summary>
    public IReadOnlyList<string> Files => Directory.GetFiles(DicomFolder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
}
