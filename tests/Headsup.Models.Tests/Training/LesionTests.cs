using Headsup.Testing;
using Xunit;
using Xunit.Abstractions;
using Headsup.Datasets;
using Headsup.Inputs;
using Headsup.Training.Lesions;
namespace Headsup.Models.Tests.Training;

public class LesionTests(ITestOutputHelper output, SmallSubduralPhantomFixture phantom) : IClassFixture<SmallSubduralPhantomFixture>
{
    private SliceImage MidNegativeSlice()
    {
        // The phantom's negative slices near the middle of a study (the lesion-free parts of the head).
        var samples = DatasetLoader.Load(phantom.Folder.Path).Samples.Where(s => s.Any == 0).OrderBy(s => s.PatientId).ThenBy(s => s.Z).ToArray();
        return samples.Select(SampleImages.Load).OrderByDescending(i => BrainMask.Compute(i).Count(b => b != 0)).First();
    }

    private static void CheckInsertion(SliceImage negative, SynthesizedLesion result)
    {
        int n = negative.Width * negative.Height;
        Assert.Equal(n, result.Mask.Length);
        Assert.True(result.PixelCount > 0);
        Assert.Contains(result.Subtype, HemorrhageLabels.Subtypes);
        Assert.InRange(result.Conspicuity, 0.3, 1.0);
        var brain = BrainMask.Compute(negative);
        var hu = negative.Intensity == SliceIntensity.Hu ? negative.Pixels : BrainMask.ToPseudoHu(negative.Pixels);
        var after = negative.Intensity == SliceIntensity.Hu ? result.Image.Pixels : BrainMask.ToPseudoHu(result.Image.Pixels);
        double before = 0, inside = 0;
        for (int i = 0; i < n; i++)
        {
            if (result.Mask[i] != 0)
            {
                Assert.Equal(1, brain[i]);
                before += hu[i];
                inside += after[i];
            }
            else if (brain[i] == 0)
            {
                Assert.Equal(negative.Pixels[i], result.Image.Pixels[i]);
            }
        }

        before /= result.PixelCount;
        inside /= result.PixelCount;
        Assert.True(inside > before + 5, $"lesion mean {inside:F1} HU vs {before:F1} before");
        Assert.InRange(inside, 40, 100);
    }

    [Fact]
    public void Phantom_NegativeSlice_LesionInsideBrainRaisedDeterministic()
    {
        var negative = MidNegativeSlice();
        var synthesizer = new LesionSynthesizer();
        var a = synthesizer.Synthesize(negative, new Random(42));
        Assert.NotNull(a);
        CheckInsertion(negative, a);
        var b = synthesizer.Synthesize(negative, new Random(42));
        Assert.NotNull(b);
        Assert.Equal(a.Image.Pixels, b.Image.Pixels);
        Assert.Equal(a.Mask, b.Mask);
        Assert.Equal(a.Subtype, b.Subtype);
        output.WriteLine($"{a.Subtype} {a.PixelCount} px, conspicuity {a.Conspicuity:F2}");
    }

    [Fact]
    public void EachSubtype_CanBeDrawn()
    {
        var negative = MidNegativeSlice();
        for (int k = 0; k < 5; k++)
        {
            var weights = new double[5];
            weights[k] = 1;
            var result = new LesionSynthesizer(weights).Synthesize(negative, new Random(k));
            if (result is not null)
            {
                Assert.Equal(HemorrhageLabels.Subtypes[k], result.Subtype);
                CheckInsertion(negative, result);
            }

            output.WriteLine($"{HemorrhageLabels.Subtypes[k]}: {(result is null ? "no room" : result.PixelCount + " px")}");
        }
    }

    [Fact]
    public void Calcification_PhantomNegative_BrightSmallFocusInsideBrain_Deterministic()
    {
        // This fixture's negatives are the ends of the head (every study has a bleed): sites that need ventricles or depth
        // do not fit, the falx mostly does.
        var negative = MidNegativeSlice();
        var synthesizer = new LesionSynthesizer();
        var made = Enumerable.Range(0, 10).Select(seed => (Seed: seed, Mimic: synthesizer.SynthesizeCalcification(negative, new Random(seed)))).Where(m => m.Mimic is not null).ToList();
        Assert.True(made.Count >= 5, $"{made.Count} of 10 seeds placed a calcification");
        var (seed, a) = made[0];
        Assert.NotNull(a);
        var brain = BrainMask.Compute(negative);
        int count = 0;
        float max = float.MinValue;
        for (int i = 0; i < a.Mask.Length; i++)
        {
            if (brain[i] == 0)
            {
                Assert.Equal(negative.Pixels[i], a.Image.Pixels[i]);
            }

            if (a.Mask[i] != 0)
            {
                Assert.Equal(1, brain[i]);
                count++;
                max = Math.Max(max, a.Image.Pixels[i]);
            }
        }

        Assert.InRange(count, 1, brain.Count(b => b != 0) / 20); // a focus, not a bleed-sized region
        Assert.True(max >= 110, $"brightest {max:F0} HU");
        var b = synthesizer.SynthesizeCalcification(negative, new Random(seed));
        Assert.NotNull(b);
        Assert.Equal(a.Image.Pixels, b.Image.Pixels);
        Assert.Equal(a.Site, b.Site);
        output.WriteLine($"seed {seed}: {a.Site}, {count} px, brightest {max:F0} HU");
        TestImages.WritePlane(Path.Combine(TestImages.PreviewFolder, "calcification-after.png"), a.Image.Pixels.Select(v => Math.Clamp(v / 80f, 0f, 1f)).ToArray(), negative.Width, negative.Height);
        Assert.Null(synthesizer.SynthesizeCalcification(new SliceImage(Enumerable.Repeat(-1000f, 64 * 64).ToArray(), 64, 64, SliceIntensity.Hu), new Random(1)));
    }

    [Fact]
    public void Calcification_DisplayImage_SaturatesTheFocus_AndLeavesEveryOtherPixelExact()
    {
        var hu = MidNegativeSlice();
        var display = new SliceImage(hu.Pixels.Select(v => MathF.Round(Math.Clamp(v / 80f, 0f, 1f) * 255f)).ToArray(), hu.Width, hu.Height, SliceIntensity.Display);
        var result = Enumerable.Range(0, 10).Select(seed => new LesionSynthesizer().SynthesizeCalcification(display, new Random(seed))).FirstOrDefault(m => m is not null);
        Assert.NotNull(result);
        int saturated = 0, changed = 0;
        for (int i = 0; i < result.Mask.Length; i++)
        {
            if (result.Image.Pixels[i] != display.Pixels[i])
            {
                changed++;
                Assert.True(result.Image.Pixels[i] > display.Pixels[i]);
            }

            if (result.Mask[i] != 0 && result.Image.Pixels[i] >= 254.5f)
            {
                saturated++;
            }
        }

        Assert.True(saturated > 0, "calcification is above the window: its core is 255");
        Assert.InRange(changed, saturated, result.Mask.Length / 50);
    }

    [Fact]
    public void NoBrain_ReturnsNull()
    {
        var air = new SliceImage(Enumerable.Repeat(-1000f, 64 * 64).ToArray(), 64, 64, SliceIntensity.Hu);
        Assert.Null(new LesionSynthesizer().Synthesize(air, new Random(1)));
        Assert.All(BrainMask.Compute(air), b => Assert.Equal(0, b));
    }

    [Fact]
    public void BrainMask_SyntheticSkull_FindsInterior()
    {
        // A ring of bone (radius 20..24) around 30 HU brain, scalp outside, in air.
        int size = 64;
        var hu = new float[size * size];
        for (int y = 0; y < size; y++)
        {
            for (int x = 0; x < size; x++)
            {
                double r = Math.Sqrt(((x - 32) * (x - 32)) + ((y - 32) * (y - 32)));
                hu[(y * size) + x] = r < 20 ? 30 : r < 24 ? 1000 : r < 26 ? 40 : -1000;
            }
        }

        var mask = BrainMask.Compute(new SliceImage(hu, size, size, SliceIntensity.Hu));
        int inside = 0;
        for (int i = 0; i < hu.Length; i++)
        {
            Assert.Equal(hu[i] == 30 ? 1 : 0, mask[i]);
            inside += mask[i];
        }

        Assert.True(inside > 1000);
    }

    [Fact]
    public void BrainMask_OpenSkull_FallsBackToTheBoneHull()
    {
        // The synthetic skull above with a 15-pixel opening (wider than the closing can bridge) linking the brain to the scalp: nothing is
        // enclosed any more, yet the brain is still found, without the scalp outside the opening.
        int size = 64;
        var hu = new float[size * size];
        for (int y = 0; y < size; y++)
        {
            for (int x = 0; x < size; x++)
            {
                double r = Math.Sqrt(((x - 32) * (x - 32)) + ((y - 32) * (y - 32)));
                bool opening = Math.Abs(x - 32) <= 7 && y < 32;
                hu[(y * size) + x] = r < 20 ? 30 : r < 24 ? (opening ? 40 : 1000) : r < 26 ? 40 : -1000;
            }
        }

        var mask = BrainMask.Compute(new SliceImage(hu, size, size, SliceIntensity.Hu));
        int brain = 0, wrong = 0;
        for (int i = 0; i < hu.Length; i++)
        {
            double r = Math.Sqrt(((i % size) - 32) * ((i % size) - 32) + ((i / size) - 32) * ((i / size) - 32));
            brain += r < 19 && mask[i] != 0 ? 1 : 0;
            wrong += r >= 24.5 && mask[i] != 0 ? 1 : 0;
        }

        Assert.True(brain > 0.95 * Math.PI * 19 * 19, $"brain pixels found: {brain}");
        Assert.Equal(0, wrong);
    }

    [SkippableFact]
    public void BrainMask_RealSkullBaseSlice_IsFound()
    {
        // RSNA slice at the orbits: the skull is open there; before the hull fallback its mask was empty.
        var file = TestData.RequireSharedData("real-ct-dev", "studies", "rsna-712bcb4e", "ID_6b0b526cb.dcm");
        var image = SliceImageLoader.Load(file);
        var mask = BrainMask.Compute(image);
        double areaCm2 = mask.Count(b => b != 0) * image.PixelSpacingMm!.Value * image.PixelSpacingMm.Value / 100;
        Assert.InRange(areaCm2, 60, 200);
        Assert.All(Enumerable.Range(0, mask.Length).Where(i => mask[i] != 0), i => Assert.InRange(image.Pixels[i], BrainMask.LowHu, BrainMask.HighHu));
    }

    [SkippableFact]
    public void RealRsnaNegative_Succeeds()
    {
        var csv = TestData.RequireSharedData("real-ct-dev", "labels.csv");
        var samples = DatasetLoader.Load(csv).Samples.Where(s => s.Any == 0 && s.Source == "RSNA").OrderBy(s => s.Z).ToArray();
        // The upper half of the study (above the skull base), the slice with most brain.
        var (sample, negative, brainFraction) = samples.Skip(samples.Length / 2).Select(s =>
        {
            var image = SampleImages.Load(s);
            return (s, image, BrainMask.Compute(image).Count(b => b != 0) / (double)(image.Width * image.Height));
        }).MaxBy(x => x.Item3);
        output.WriteLine($"{sample.RelativeFile}: brain {brainFraction:P1} of the image");
        Assert.InRange(brainFraction, 0.1, 0.6);
        var result = new LesionSynthesizer().Synthesize(negative, new Random(7));
        Assert.NotNull(result);
        CheckInsertion(negative, result);
        output.WriteLine($"{result.Subtype} {result.PixelCount} px, conspicuity {result.Conspicuity:F2}");
        var spec = new InputSpec("gray-brain", 256);
        var preview = TestImages.PreviewFolder;
        TestImages.WritePlane(Path.Combine(preview, "lesion-before.png"), InputBuilder.Build(negative, null, null, spec), 256, 256);
        TestImages.WritePlane(Path.Combine(preview, "lesion-after.png"), InputBuilder.Build(result.Image, null, null, spec), 256, 256);
        var brain = new SliceImage(result.BrainMask.Select(b => b * 255f).ToArray(), negative.Width, negative.Height, SliceIntensity.Display);
        TestImages.WritePlane(Path.Combine(preview, "lesion-brainmask.png"), brain.Pixels.Select(v => v / 255f).ToArray(), negative.Width, negative.Height);
    }

    [SkippableFact]
    public void RealPngNegative_Succeeds()
    {
        var csv = TestData.RequireSharedData("head-ct-dev", "labels.csv");
        var sample = DatasetLoader.Load(csv).Samples.First(s => s.Any == 0);
        var negative = SampleImages.Load(sample);
        var result = new LesionSynthesizer().Synthesize(negative, new Random(3));
        Assert.NotNull(result);
        CheckInsertion(negative, result);
        output.WriteLine($"{sample.RelativeFile}: {result.Subtype} {result.PixelCount} px");
        TestImages.WritePlane(Path.Combine(TestImages.PreviewFolder, "lesion-png-after.png"), result.Image.Pixels.Select(v => v / 255f).ToArray(), negative.Width, negative.Height);
        TestImages.WritePlane(Path.Combine(TestImages.PreviewFolder, "lesion-png-brainmask.png"), result.BrainMask.Select(b => (float)b).ToArray(), negative.Width, negative.Height);
    }
}
