using Headsup.Dicom;
using Headsup.Testing;
using Xunit;

namespace Headsup.Service.Tests;

/// <summary>Two phantom studies (written by `headsup phantom`), a running embedded service and its keys, shared by a test class.</summary>
public sealed class ServiceFixture : IAsyncLifetime
{
    private readonly TempFolder _temp = TestData.CreateTempFolder();

    /// <summary>The running service.</summary>
    public ServiceProcess Service { get; private set; } = null!;

    /// <summary>Keys by role.</summary>
    public string AdminKey { get; private set; } = string.Empty;

    /// <summary>An ingest key.</summary>
    public string IngestKey { get; private set; } = string.Empty;

    /// <summary>A reader key.</summary>
    public string ReaderKey { get; private set; } = string.Empty;

    /// <summary>Phantom studies: StudyInstanceUID → its files.</summary>
    public IReadOnlyDictionary<string, List<string>> Studies { get; private set; } = new Dictionary<string, List<string>>();

    /// <summary>The folder with every phantom file.</summary>
    public string PhantomDir => Path.Combine(_temp.Path, "phantom");

    /// <summary>A scratch folder of the fixture.</summary>
    public string Temp => _temp.Path;

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        var (code, _, stderr) = ExternalTool.Run("dotnet", [ServiceProcess.Tool, "phantom", "--out", PhantomDir, "--studies", "3", "--seed", "11"], TimeSpan.FromMinutes(5));
        Assert.True(code == 0, "phantom failed: " + stderr);
        Studies = Directory.GetFiles(PhantomDir, "*.dcm", SearchOption.AllDirectories)
            .GroupBy(f => DicomFileReader.Open(f, new DicomReadOptions { StopAtPixelData = true }).Dataset.GetString(DicomTags.StudyInstanceUID))
            .ToDictionary(g => g.Key, g => g.Order(StringComparer.Ordinal).ToList());
        var data = Path.Combine(_temp.Path, "data");
        AdminKey = ServiceProcess.CreateKey(data, "admin");
        IngestKey = ServiceProcess.CreateKey(data, "ingest");
        ReaderKey = ServiceProcess.CreateKey(data, "reader");
        Service = await ServiceProcess.StartAsync(data, "--stable-seconds", "1").ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public Task DisposeAsync()
    {
        Service?.Dispose();
        _temp.Dispose();
        return Task.CompletedTask;
    }
}
