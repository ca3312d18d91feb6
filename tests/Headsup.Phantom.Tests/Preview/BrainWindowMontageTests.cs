using Headsup.Imaging.Windowing;

namespace Headsup.Phantom.Tests.Preview;

public sealed class BrainWindowMontageTests : IClassFixture<PhantomOutputFixture>
{
    private readonly PhantomOutputFixture _fixture;

    public BrainWindowMontageTests(PhantomOutputFixture fixture) => _fixture = fixture;

    [Fact]
    public void Generate_EachStudy_WritesBrainWindowMontageOfEverySecondSlice()
    {
        foreach (var study in _fixture.Summary.Studies)
        {
            var path = Path.Combine(_fixture.Folder.Path, PhantomGenerator.PreviewFolder, study.PatientId + ".png");
            var image = PngTestReader.ReadGray(path);
            int tiles = study.Files.Count / 2;
            Assert.Equal(6 * 256, image.Width);
            Assert.Equal((tiles + 5) / 6 * 256, image.Height);
        }
    }

    [Fact]
    public void Write_OneSlice_PixelsAreTheBrainWindowTimes255()
    {
        using var temp = new Headsup.Testing.TempFolder();
        var path = Path.Combine(temp.Path, "m.png");
        float[] hu = [-1000, 0, 20, 40, 79, 2000];
        Headsup.Phantom.Preview.BrainWindowMontage.Write(path, [hu], 2, 3, tilesPerRow: 1);
        var image = PngTestReader.ReadGray(path);
        Assert.Equal(hu.Select(v => (byte)MathF.Round(HuWindow.Brain.Apply(v) * 255f)), image.Pixels);
    }
}
