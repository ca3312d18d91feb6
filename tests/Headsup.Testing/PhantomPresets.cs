using Headsup.Phantom;
using Headsup.Phantom.Lesions;

namespace Headsup.Testing;

/// <summary>The phantom runs the test projects share, by name, so two fixtures never mean different data under one name.</summary>
public static class PhantomPresets
{
    /// <summary>2 studies of 10 slices at 128², every study with a subdural bleed (seed 11): loaders, images, lesions.</summary>
    public static PhantomOptions SmallSubdural { get; } = new()
    {
        Seed = 11,
        Studies = 2,
        SliceCount = 10,
        MatrixSize = 128,
        Hemorrhage = HemorrhageMode.Specified,
        Subtypes = [HemorrhageSubtype.Subdural],
        MinConspicuity = 0.6,
    };

    /// <summary>2 studies of 14 slices at 256², both positive with random subtypes (seed 11): every triage step, quickly.</summary>
    public static PhantomOptions TriagePair { get; } = new()
    {
        Studies = 2,
        Seed = 11,
        SliceCount = 14,
        MatrixSize = 256,
        Hemorrhage = HemorrhageMode.Random,
        PositiveStudyFraction = 1.0,
    };
}

/// <summary>A phantom run generated into a temporary folder, deleted on dispose.</summary>
public class GeneratedPhantom : IDisposable
{
    /// <summary>Generates <paramref name="options"/>.</summary>
    public GeneratedPhantom(PhantomOptions options)
    {
        Folder = TestData.CreateTempFolder();
        Summary = new PhantomGenerator(options).Generate(Folder.Path);
    }

    /// <summary>The run's folder (dicom/, labels, masks).</summary>
    public TempFolder Folder { get; }

    /// <summary>What was generated.</summary>
    public PhantomSummary Summary { get; }

    /// <summary>The DICOM folder of the run.</summary>
    public string DicomFolder => Path.Combine(Folder.Path, "dicom");

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Deletes the folder.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            Folder.Dispose();
        }
    }
}

/// <summary>xUnit class fixture: <see cref="PhantomPresets.SmallSubdural"/>.</summary>
public sealed class SmallSubduralPhantomFixture() : GeneratedPhantom(PhantomPresets.SmallSubdural);
