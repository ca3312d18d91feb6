using Headsup.Phantom;
using Headsup.Phantom.Lesions;

namespace Headsup.Datasets.Tests;

/// <summary>A small phantom run (2 studies, 10 slices, 128²) shared by loader and image tests.</summary>
public sealed class PhantomFixture : IDisposable
{
    public PhantomFixture()
    {
        Folder = new TempFolder();
        Summary = new PhantomGenerator(new PhantomOptions
        {
            Seed = 11,
            Studies = 2,
            SliceCount = 10,
            MatrixSize = 128,
            Hemorrhage = HemorrhageMode.Specified,
            Subtypes = [HemorrhageSubtype.Subdural],
            MinConspicuity = 0.6,
        }).Generate(Folder.Path);
    }

    public TempFolder Folder { get; }

    public PhantomSummary Summary { get; }

    public void Dispose() => Folder.Dispose();
}
