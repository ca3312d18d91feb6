using Headsup.Phantom.Lesions;
using Headsup.Testing;

namespace Headsup.Phantom.Tests;

/// <summary>One small phantom run shared by the output tests: two studies with all five subtypes, shuffled instance numbers.</summary>
public sealed class PhantomOutputFixture : IDisposable
{
    public PhantomOutputFixture()
    {
        Folder = new TempFolder();
        Options = new PhantomOptions
        {
            Seed = 7,
            Studies = 2,
            SliceCount = 14,
            MatrixSize = 256,
            Hemorrhage = HemorrhageMode.Specified,
            Subtypes = HemorrhageSubtypes.All,
            MinConspicuity = 0.5,
            ShuffleInstanceNumbers = true,
        };
        Generator = new PhantomGenerator(Options);
        Summary = Generator.Generate(Folder.Path);
    }

    public TempFolder Folder { get; }

    public PhantomOptions Options { get; }

    public PhantomGenerator Generator { get; }

    public PhantomSummary Summary { get; }

    public IEnumerable<string> DicomFiles => Summary.Studies.SelectMany(s => s.Files).Select(f => Path.Combine(Folder.Path, f));

    public void Dispose() => Folder.Dispose();
}
