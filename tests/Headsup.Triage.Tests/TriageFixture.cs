using Headsup.Phantom;
using Headsup.Testing;
using Headsup.Testing.Models;
using Xunit;

namespace Headsup.Triage.Tests;

/// <summary>
/// Two generated phantom studies (256², 14 slices, masks written) and a package holding an untrained small-cnn with
/// subtype outputs: enough to run every step of the triage quickly. What the scores mean is not tested here.
/// </summary>
public sealed class TriageFixture : IDisposable
{
    private readonly TempFolder _folder = TestData.CreateTempFolder();

    public TriageFixture()
    {
        PhantomRoot = Path.Combine(_folder.Path, "phantom");
        var generator = new PhantomGenerator(PhantomPresets.TriagePair);
        Summary = generator.Generate(PhantomRoot);
        ModelPath = Path.Combine(_folder.Path, "model");
        UntrainedModel.Save(ModelPath, "triage-test", 7);
        Triager = StudyTriager.Load(ModelPath);
    }

    public string PhantomRoot { get; }

    public string DicomRoot => Path.Combine(PhantomRoot, PhantomGenerator.DicomFolder);

    public PhantomSummary Summary { get; }

    public string ModelPath { get; }

    public StudyTriager Triager { get; }

    public void Dispose()
    {
        Triager.Dispose();
        _folder.Dispose();
    }
}

[CollectionDefinition("triage")]
public sealed class TriageCollection : ICollectionFixture<TriageFixture>
{
}
