using Headsup.Datasets;
using Headsup.Inputs;
namespace Headsup.Inputs.Tests;

public class InputBuilderTests(ITestOutputHelper output, SmallSubduralPhantomFixture phantom) : IClassFixture<SmallSubduralPhantomFixture>
{
    [Theory]
    [InlineData("gray-brain", 1)]
    [InlineData("e1", 1)]
    [InlineData("e2", 3)]
    [InlineData("e3", 3)]
    [InlineData("E4", 3)]
    [InlineData("context", 3)]
    [InlineData("brain-plus", 3)]
    public void AllRecipes_OnHu_ShapeAndRange(string recipe, int channels)
    {
        var samples = DatasetLoader.Load(phantom.Folder.Path).Samples.Take(3).Select(SampleImages.Load).ToArray();
        var spec = new InputSpec(recipe, 64);
        Assert.Equal(channels, spec.Channels);
        var input = InputBuilder.Build(samples[1], samples[0], samples[2], spec);
        Assert.Equal(channels * 64 * 64, input.Length);
        Assert.All(input, v => Assert.InRange(v, 0f, 1f));
        Assert.True(input.Average() > 0.05);
        var alone = InputBuilder.Build(samples[1], null, null, spec);
        Assert.Equal(input.Length, alone.Length);
    }

    [Fact]
    public void HuRecipe_OnDisplayImage_TypedError()
    {
        using var folder = TestData.CreateTempFolder();
        var png = Path.Combine(folder.Path, "x.png");
        TestImages.WriteHeadPng(png);
        var image = SliceImageLoader.Load(png);
        var ex = Assert.Throws<InputRecipeException>(() => InputBuilder.Build(image, null, null, new InputSpec("e2", 32)));
        Assert.Contains("Hounsfield", ex.Message, StringComparison.Ordinal);
        Assert.Equal(png, ex.FilePath);
        Assert.Throws<ArgumentException>(() => InputBuilder.Build(image, null, null, new InputSpec("nope", 32)));
        Assert.Equal(32 * 32, InputBuilder.Build(image, null, null, new InputSpec("gray-brain", 32)).Length);
    }

    [Fact]
    public void BrainPlus_OnHu_KeepsCalcificationApartFromBlood_OnDisplay_RepeatsTheImage()
    {
        // A square "head" of brain (35 HU) filling the frame, with a patch of dense blood (85 HU), one of calcification
        // (300 HU) and one of bone (1000 HU): the brain window saturates all three, the 0–200 and 0–1000 HU windows keep
        // them apart. Expected values from the window formula itself.
        const int n = 32;
        var hu = new float[n * n];
        Array.Fill(hu, 35f);
        void Patch(int x0, int y0, float value)
        {
            for (int y = y0; y < y0 + 4; y++)
            {
                for (int x = x0; x < x0 + 4; x++)
                {
                    hu[(y * n) + x] = value;
                }
            }
        }

        Patch(4, 4, 85f);
        Patch(20, 4, 300f);
        Patch(4, 20, 1000f);
        var image = new SliceImage(hu, n, n, SliceIntensity.Hu, "hu-patches");
        var input = InputBuilder.Build(image, null, null, new InputSpec("brain-plus", n));
        Assert.Equal(3 * n * n, input.Length);
        static float Window(float value, float center, float width) => MathF.Round(Math.Clamp((value - (center - (width / 2))) / width, 0f, 1f) * 255f) / 255f;
        foreach (var (x, y, value) in new[] { (5, 5, 85f), (21, 5, 300f), (5, 21, 1000f), (12, 12, 35f) })
        {
            int i = (y * n) + x;
            Assert.Equal(Window(value, 40, 80), input[i], 3);
            Assert.Equal(Window(value, 100, 200), input[(n * n) + i], 3);
            Assert.Equal(Window(value, 500, 1000), input[(2 * n * n) + i], 3);
        }

        // Dense blood and calcification: equal in the brain window, apart by > 0.3 in the 0–200 HU window.
        Assert.Equal(input[(5 * n) + 5], input[(5 * n) + 21]);
        Assert.True(input[(n * n) + (5 * n) + 21] - input[(n * n) + (5 * n) + 5] > 0.3f);

        using var folder = TestData.CreateTempFolder();
        var png = Path.Combine(folder.Path, "x.png");
        TestImages.WriteHeadPng(png);
        var display = SliceImageLoader.Load(png);
        var gray = InputBuilder.Build(display, null, null, new InputSpec("gray-brain", 48));
        var plus = InputBuilder.Build(display, null, null, new InputSpec("brain-plus", 48));
        Assert.Equal(3 * gray.Length, plus.Length);
        Assert.Equal(gray, plus.AsSpan(0, gray.Length).ToArray());
        var scales = InputRecipe.BrainPlus.DisplayChannelScales;
        Assert.Equal([1f, 0.4f, 0.08f], scales);
        for (int c = 1; c < 3; c++)
        {
            // The display image read as 0–80 HU: channel c = (80 / its window's width) × the brain window, up to rounding.
            for (int i = 0; i < gray.Length; i++)
            {
                Assert.InRange(Math.Abs(plus[(c * gray.Length) + i] - (scales[c] * gray[i])), 0f, 1.01f / 255f);
            }
        }

        Assert.False(InputRecipe.BrainPlus.NeedsHu);
        Assert.False(InputRecipe.BrainPlus.BrainWindowOnly);
        Assert.True(InputRecipe.BrainPlus.HasDisplayFallback);
        Assert.All(InputRecipe.All.Where(r => r != InputRecipe.BrainPlus), r => Assert.False(r.HasDisplayFallback));
    }

    [Fact]
    public void Display_TallHead_PaddedToCentredSquare()
    {
        using var folder = TestData.CreateTempFolder();
        var png = Path.Combine(folder.Path, "x.png");
        TestImages.WriteHeadPng(png, width: 100, height: 60, inside: 255); // ellipse 80×48 in a 100×60 image
        var input = InputBuilder.Build(SliceImageLoader.Load(png), null, null, new InputSpec("gray-brain", 80));
        // Head spans the full width, and ~48/80 of the height, centred.
        Assert.True(input[(40 * 80) + 1] > 0.5f);
        Assert.True(input[(40 * 80) + 78] > 0.5f);
        Assert.Equal(0f, input[(5 * 80) + 40]);
        Assert.Equal(0f, input[(74 * 80) + 40]);
        Assert.True(input[(20 * 80) + 40] > 0.5f);
        Assert.True(input[(59 * 80) + 40] > 0.5f);
    }

    [SkippableFact]
    public void RealPngAndRealDicom_LookAlike()
    {
        var pngCsv = TestData.RequireSharedData("head-ct-dev", "labels.csv");
        var dcmCsv = TestData.RequireSharedData("real-ct-dev", "labels.csv");
        var spec = new InputSpec("gray-brain", 256);
        var png = DatasetLoader.Load(pngCsv).Samples.Where(s => s.Any == 0).Take(4).ToArray();
        var dcm = DatasetLoader.Load(dcmCsv).Samples.Where(s => s.Any == 0 && s.Source == "RSNA").OrderBy(s => s.Z).ToArray();
        var chosen = new[] { dcm[dcm.Length / 2], dcm[(dcm.Length * 2) / 3] };
        var preview = TestImages.PreviewFolder;
        var stats = new List<(string Name, double Fill, double Mean)>();
        foreach (var s in png.Concat(chosen))
        {
            var input = InputBuilder.Build(SampleImages.Load(s), null, null, spec);
            TestImages.WritePlane(Path.Combine(preview, $"input-{s.Format}-{Path.GetFileNameWithoutExtension(s.File)}.png"), input, 256, 256);
            // Head extent: the box of non-black pixels must touch both sides of the square along its longer axis.
            int minX = 256, maxX = -1, minY = 256, maxY = -1;
            double sum = 0;
            int count = 0;
            for (int y = 0; y < 256; y++)
            {
                for (int x = 0; x < 256; x++)
                {
                    float v = input[(y * 256) + x];
                    if (v > 0.08f)
                    {
                        minX = Math.Min(minX, x);
                        maxX = Math.Max(maxX, x);
                        minY = Math.Min(minY, y);
                        maxY = Math.Max(maxY, y);
                        sum += v;
                        count++;
                    }
                }
            }

            double fill = Math.Max(maxX - minX + 1, maxY - minY + 1) / 256.0;
            stats.Add((Path.GetFileName(s.File), fill, sum / count));
            output.WriteLine($"{s.Source} {Path.GetFileName(s.File)}: box x {minX}..{maxX} y {minY}..{maxY}, mean inside {sum / count:F3}");
        }

        output.WriteLine("previews in " + preview);
        Assert.All(stats, s => Assert.InRange(s.Fill, 0.93, 1.0));
        Assert.All(stats, s => Assert.InRange(s.Mean, 0.35, 0.8));
    }
}
