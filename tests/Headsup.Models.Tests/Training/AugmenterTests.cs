using Headsup.Inputs;
using Headsup.Training;
using Xunit;
using static TorchSharp.torch;

namespace Headsup.Models.Tests.Training;

public sealed class AugmenterTests
{
    [Fact]
    public void StrengthZero_ReturnsTheInput()
    {
        using var x = rand(4, 1, 32, 32);
        using var augmenter = new Augmenter(0, 1);
        using var y = augmenter.Apply(x);
        Assert.True(x.allclose(y, 0, 0));
    }

    [Fact]
    public void Apply_KeepsShapeAndRange_AndIsDeterministicPerSeed()
    {
        using var x = rand(8, 3, 48, 48);
        using var a1 = new Augmenter(1, 42);
        using var a2 = new Augmenter(1, 42);
        using var a3 = new Augmenter(1, 43);
        using var y1 = a1.Apply(x);
        using var y2 = a2.Apply(x);
        using var y3 = a3.Apply(x);
        Assert.Equal(x.shape, y1.shape);
        Assert.True(y1.min().item<float>() >= 0 && y1.max().item<float>() <= 1);
        Assert.True(y1.allclose(y2, 0, 0));
        Assert.False(y1.allclose(y3, 0, 0));
        Assert.False(y1.allclose(x, 0, 0));
    }

    [Fact]
    public void Apply_KeepsMostOfTheImage_AtFullStrength()
    {
        // A centred bright square stays mostly inside after ±15° rotation, ±15 % scale, ±8 % shift.
        var data = new float[64 * 64];
        for (int y = 24; y < 40; y++)
        {
            for (int x = 24; x < 40; x++)
            {
                data[(y * 64) + x] = 1;
            }
        }

        using var input = tensor(data, new long[] { 1, 1, 64, 64 }).repeat(16, 1, 1, 1);
        using var augmenter = new Augmenter(1, 5);
        using var output = augmenter.Apply(input);
        // Count bright pixels: brightness jitter and noise lift the background a little, never above 0.5.
        var bright = (output > 0.5f).sum(new long[] { 1, 2, 3 }).data<long>().ToArray();
        Assert.All(bright, m => Assert.InRange(m, 256 * 0.6, 256 * 1.5));
    }
}

public sealed class WindowAugmentationTests
{
    [Theory]
    [InlineData(0f, 40, 80, 0f)]
    [InlineData(0.5f, 40, 80, 0.5f)]
    [InlineData(0.5f, 40, 120, 0.5f)]
    [InlineData(0.25f, 35, 100, 0.35f)]
    [InlineData(0.75f, 30, 70, 65f / 70f)]
    [InlineData(1f, 30, 70, 1f)]
    [InlineData(0f, 50, 150, 25f / 150f)]
    [InlineData(0.1f, 50, 80, 0f)]
    [InlineData(1f, 50, 150, 105f / 150f)]
    public void Rewindow_KnownWindow_MatchesHandTable(float value, double center, double width, float expected)
    {
        // v' = clamp((80 v - (C - W/2)) / W, 0, 1): e.g. 0.25 -> 20 HU -> (20 + 15) / 100 = 0.35 at 35/100.
        Assert.Equal(expected, Augmenter.Rewindow(value, center, width), 6);
    }

    [Fact]
    public void Rewindow_Tensor_EqualsScalarMappingPerImage()
    {
        var data = Enumerable.Range(0, 2 * 64).Select(i => (i % 64) / 63f).ToArray();
        using var x = tensor(data, new long[] { 2, 1, 8, 8 });
        using var y = Augmenter.Rewindow(x, [35, 0], [100, 0]);
        var output = y.data<float>().ToArray();
        for (int i = 0; i < 64; i++)
        {
            Assert.Equal(Augmenter.Rewindow(data[i], 35, 100), output[i], 5);
            Assert.Equal(data[64 + i], output[64 + i]);
        }
    }

    [Fact]
    public void Describe_WindowAugmentation_IsRecordedAndOffByDefault()
    {
        Assert.Equal("0", new TrainingOptions().Describe()["window_augmentation"]);
        Assert.Equal("0.5", new TrainingOptions { WindowAugmentation = 0.5 }.Describe()["window_augmentation"]);
    }

    [Fact]
    public void Trainer_WindowAugmentationWithNonBrainRecipe_Throws()
    {
        Assert.Throws<ArgumentException>(() => new Trainer(new TrainingOptions { Recipe = "e2", WindowAugmentation = 0.5 }));
    }

    [Fact]
    public void Apply_ProbabilityZero_IsTheAugmenterWithoutWindowAugmentation()
    {
        using var x = rand(6, 1, 32, 32);
        using var plain = new Augmenter(0.7, 9);
        using var zero = new Augmenter(0.7, 9, 0);
        using var a = plain.Apply(x);
        using var b = zero.Apply(x);
        Assert.True(a.allclose(b, 0, 0));
    }

    [Fact]
    public void Apply_ProbabilityOne_RewindowsEveryImageInsideTheDrawRange()
    {
        // A ramp 0..1 (0..80 HU). Alone (strength 0), each output image is an affine map of the ramp, clamped: from two
        // unclamped points recover scale 80/W and shift -(C - W/2)/W, so C and W must lie in 30–50 and 70–150.
        const int n = 32;
        var ramp = Enumerable.Range(0, 256).Select(i => i / 255f).ToArray();
        using var x = tensor(ramp, new long[] { 1, 1, 16, 16 }).repeat(n, 1, 1, 1);
        using var augmenter = new Augmenter(0, 3, 1);
        using var y = augmenter.Apply(x);
        var output = y.data<float>().ToArray();
        var centers = new List<double>();
        for (int i = 0; i < n; i++)
        {
            var image = output.AsSpan(i * 256, 256).ToArray();
            var inside = Enumerable.Range(0, 256).Where(k => image[k] > 1e-4 && image[k] < 1 - 1e-4).ToArray();
            Assert.True(inside.Length >= 100, $"image {i}: only {inside.Length} unclamped values");
            int p = inside[0], q = inside[^1];
            double scale = (image[q] - image[p]) / (ramp[q] - ramp[p]);
            double shift = image[p] - (scale * ramp[p]);
            double width = 80 / scale;
            double center = (-shift * width) + (width / 2);
            Assert.InRange(width, 70 - 0.5, 150 + 0.5);
            Assert.InRange(center, 30 - 0.5, 50 + 0.5);
            centers.Add(center);
        }

        Assert.True(centers.Max() - centers.Min() > 5, "the centres drawn should vary");
    }
}

public sealed class DisplayDropoutTests
{
    private static readonly float[] Scales = [.. InputRecipe.BrainPlus.DisplayChannelScales];

    [Fact]
    public void DropToDisplay_ScalesTheBrainWindow_OnlyWhereDrawn()
    {
        using var x = rand(3, 3, 8, 8);
        using var y = Augmenter.DropToDisplay(x, [true, false, true], Scales);
        var input = x.data<float>().ToArray();
        var output = y.data<float>().ToArray();
        const int plane = 64, image = 3 * plane;
        for (int i = 0; i < 3; i++)
        {
            for (int c = 0; c < 3; c++)
            {
                for (int p = 0; p < plane; p++)
                {
                    float expected = i == 1 ? input[(i * image) + (c * plane) + p] : MathF.Round(255f * Scales[c] * input[(i * image) + p]) / 255f;
                    Assert.Equal(expected, output[(i * image) + (c * plane) + p], 6);
                }
            }
        }

        Assert.Throws<ArgumentException>(() => Augmenter.DropToDisplay(x, [true], Scales));
        Assert.Throws<ArgumentException>(() => Augmenter.DropToDisplay(x, [true, true, true], [1f]));
        Assert.Throws<ArgumentException>(() => new Augmenter(0, 1, 0, 0.5));
    }

    [Fact]
    public void Apply_KeepHu_NeverDropsThoseImages_AndGivesTheOthersWhatApplyGives()
    {
        // Dropout 1 drops every image; with keep-HU flags, image 1 is augmented exactly as with no dropout at all, and
        // images 0 and 2 exactly as without flags (same seed: the geometric draws do not depend on the dropout).
        using var x = rand(3, 3, 16, 16);
        using var all = new Augmenter(0.5, 7, 0, 1, Scales);
        using var none = new Augmenter(0.5, 7, 0, 0);
        using var some = new Augmenter(0.5, 7, 0, 1, Scales);
        using var dropped = all.Apply(x);
        using var kept = none.Apply(x);
        using var mixed = some.Apply(x, [false, true, false]);
        Assert.True(Same(mixed, dropped, 0));
        Assert.True(Same(mixed, dropped, 2));
        Assert.True(Same(mixed, kept, 1));
        Assert.False(Same(dropped, kept, 1));
        using var other = new Augmenter(0.5, 7, 0, 1, Scales);
        Assert.Throws<ArgumentException>(() => other.Apply(x, [true]));

        static bool Same(Tensor a, Tensor b, int i)
        {
            using var scope = NewDisposeScope();
            return a[i].eq(b[i]).all().item<bool>();
        }
    }

    [Fact]
    public void DroppedDicomInput_IsTheDisplayImagesInput_AndLosesOnlyWhatTheWindowClipped()
    {
        // A frame-filling slice (so the HU and display head finders crop alike): brain 35 HU, a CSF patch 5 HU, blood
        // 65 HU, calcification 300 HU. Its 40/80 display rendering is what a PNG export would carry.
        const int n = 40;
        var hu = new float[n * n];
        Array.Fill(hu, 35f);
        foreach (var (x0, y0, value) in new[] { (4, 4, 5f), (20, 4, 65f), (4, 20, 300f) })
        {
            for (int y = y0; y < y0 + 8; y++)
            {
                for (int x = x0; x < x0 + 8; x++)
                {
                    hu[(y * n) + x] = value;
                }
            }
        }

        var display = hu.Select(v => MathF.Round(255f * Math.Clamp(v / 80f, 0f, 1f))).ToArray();
        var spec = new InputSpec("brain-plus", 32);
        var fromHu = InputBuilder.Build(new SliceImage(hu, n, n, SliceIntensity.Hu, "hu"), null, null, spec);
        var fromDisplay = InputBuilder.Build(new SliceImage(display, n, n, SliceIntensity.Display, "png"), null, null, spec);
        using var batch = tensor(fromHu, new long[] { 1, 3, 32, 32 });
        using var dropped = Augmenter.DropToDisplay(batch, [true], Scales);
        var values = dropped.data<float>().ToArray();
        for (int i = 0; i < values.Length; i++)
        {
            Assert.InRange(Math.Abs(values[i] - fromDisplay[i]), 0f, 2.01f / 255f);
        }

        // Before dropout the calcification stood apart in the 0–200 HU window (1.0 against 0.4 once clipped).
        const int calcification = (32 * 32) + (19 * 32) + 6; // channel 1, inside the 300 HU patch after the 40 → 32 resampling
        Assert.True(fromHu[calcification] > 0.9f, fromHu[calcification].ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.InRange(values[calcification], 0.39f, 0.41f);
    }

    [Fact]
    public void DroppedDicomInput_WithDisplayBone_IsTheDisplayImagesInput_SkullAsBone_ClotAsClipped()
    {
        // A 32² slice at input size 32 (no resampling): brain 35 HU inside a 3-pixel skull ring at 1000 HU that fills the
        // frame, a calcification (300 HU) and blood (65 HU) inside. Its 40/80 display rendering is what a PNG would carry.
        const int n = 32;
        var hu = new float[n * n];
        for (int y = 0; y < n; y++)
        {
            for (int x = 0; x < n; x++)
            {
                bool ring = x < 3 || y < 3 || x >= n - 3 || y >= n - 3;
                bool calcification = x is >= 8 and < 13 && y is >= 8 and < 13;
                bool blood = x is >= 18 and < 24 && y is >= 18 and < 24;
                hu[(y * n) + x] = ring ? 1000f : calcification ? 300f : blood ? 65f : 35f;
            }
        }

        var display = hu.Select(v => MathF.Round(255f * Math.Clamp(v / 80f, 0f, 1f))).ToArray();
        var spec = new InputSpec("brain-plus", n) { DisplayBoneMode = DisplayBoneMode.Skull };
        var fromHu = InputBuilder.Build(new SliceImage(hu, n, n, SliceIntensity.Hu, "hu"), null, null, spec);
        var fromDisplay = InputBuilder.Build(new SliceImage(display, n, n, SliceIntensity.Display, "png"), null, null, spec);
        using var batch = tensor(fromHu, new long[] { 1, 3, n, n });
        using var dropped = Augmenter.DropToDisplay(batch, [true], Scales, InputRecipe.BrainPlus.DisplayBoneValues);
        var values = dropped.data<float>().ToArray();
        for (int i = 0; i < values.Length; i++)
        {
            Assert.InRange(Math.Abs(values[i] - fromDisplay[i]), 0f, 1.01f / 255f);
        }

        const int plane = n * n;
        Assert.Equal(1f, values[plane + (1 * n) + 16]); // the skull, 0–200 HU window: bone, as the DICOM shows it
        Assert.Equal(1f, values[(2 * plane) + (1 * n) + 16]); // and 0–1000 HU
        Assert.InRange(values[plane + (10 * n) + 10], 0.39f, 0.41f); // the enclosed calcification: clipped at 80 HU
        Assert.InRange(values[plane + (20 * n) + 20], 0.32f, 0.33f); // blood, 65 HU of 200
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void DroppedInput_WithSaturatedSkullBone_IsTheDisplayImagesInput_BoneOnlyWhereTheSkullIsClipped(bool clipped)
    {
        // A 32² display image filling the frame (no resampling): brain at 112 inside a 3-pixel skull ring at 255 (clipped,
        // as rendered straight from HU) or at 240 (a film-style export). Dropout sees it as channel 0.
        const int n = 32;
        var display = new float[n * n];
        for (int y = 0; y < n; y++)
        {
            for (int x = 0; x < n; x++)
            {
                bool ring = x < 3 || y < 3 || x >= n - 3 || y >= n - 3;
                display[(y * n) + x] = ring ? (clipped ? 255f : 240f) : 112f;
            }
        }

        var spec = new InputSpec("brain-plus", n) { DisplayBoneMode = DisplayBoneMode.SaturatedSkull };
        var fromDisplay = InputBuilder.Build(new SliceImage(display, n, n, SliceIntensity.Display, "png"), null, null, spec);
        var channel0 = new float[3 * n * n];
        for (int i = 0; i < display.Length; i++)
        {
            channel0[i] = display[i] / 255f;
        }

        using var batch = tensor(channel0, new long[] { 1, 3, n, n });
        using var dropped = Augmenter.DropToDisplay(batch, [true], Scales, InputRecipe.BrainPlus.DisplayBoneValues, saturatedSkullOnly: true);
        var values = dropped.data<float>().ToArray();
        for (int i = 0; i < values.Length; i++)
        {
            Assert.InRange(Math.Abs(values[i] - fromDisplay[i]), 0f, 1.01f / 255f);
        }

        // The skull in the 0–1000 HU window: bone (1) when clipped; otherwise the plain reading, 240 × 0.08 levels.
        Assert.Equal(clipped ? 1f : MathF.Round(Scales[2] * 240f) / 255f, values[(2 * n * n) + (1 * n) + 16], 5);
    }

    [Fact]
    public void DroppedInput_ReadBoneFalse_KeepsThePlainReading_FractionZeroIsNoBone_FractionOneIsAllBone()
    {
        // A clipped skull ring around brain: with bone it reads 1 in the 0–1000 HU window, plain it reads 255 × 0.08 levels.
        const int n = 32;
        var channel0 = new float[3 * n * n];
        for (int y = 0; y < n; y++)
        {
            for (int x = 0; x < n; x++)
            {
                bool ring = x < 3 || y < 3 || x >= n - 3 || y >= n - 3;
                channel0[(y * n) + x] = ring ? 1f : 112f / 255f;
            }
        }

        using var one = tensor(channel0, new long[] { 1, 3, n, n });
        using var batch = cat(new[] { one, one }, 0);
        var boneValues = InputRecipe.BrainPlus.DisplayBoneValues;
        using var mixed = Augmenter.DropToDisplay(batch, [true, true], Scales, boneValues, readBone: [true, false]);
        using var plain = Augmenter.DropToDisplay(batch, [true, true], Scales);
        var values = mixed.data<float>().ToArray();
        var plainValues = plain.data<float>().ToArray();
        const int plane = n * n, image = 3 * plane;
        Assert.Equal(1f, values[(2 * plane) + 16]); // image 0: bone
        Assert.Equal(MathF.Round(Scales[2] * 255f) / 255f, values[image + (2 * plane) + 16], 5); // image 1: plain
        for (int i = image; i < 2 * image; i++)
        {
            Assert.InRange(Math.Abs(values[i] - plainValues[i]), 0f, 1.01f / 255f);
        }

        Assert.Throws<ArgumentException>(() => Augmenter.DropToDisplay(batch, [true, true], Scales, boneValues, readBone: [true]));

        using var x0 = tensor(channel0.Concat(channel0).ToArray(), new long[] { 2, 3, n, n });
        using var none = new Augmenter(0, 5, 0, 1, Scales, boneValues, displayBoneFraction: 0);
        using var all = new Augmenter(0, 5, 0, 1, Scales, boneValues, displayBoneFraction: 1);
        using var noneOut = none.Apply(x0);
        using var allOut = all.Apply(x0);
        using var allBone = Augmenter.DropToDisplay(x0, [true, true], Scales, boneValues);
        Assert.True(allOut.allclose(allBone, 0, 0));
        Assert.True(noneOut.sub(plain).abs().max().item<float>() <= 1.01f / 255f);
    }

    [Fact]
    public void Options_NearDuplicateGroupingAndWeightAveraging_RoundTrip_AndAreChecked()
    {
        Assert.False(new TrainingOptions().GroupNearDuplicates);
        var options = new TrainingOptions { GroupNearDuplicates = true, NearDuplicateThreshold = 0.95 };
        Assert.Equal("true", options.Describe()["group_near_duplicates"]);
        var back = TrainingOptions.FromDescription(options.Describe());
        Assert.True(back.GroupNearDuplicates);
        Assert.Equal(0.95, back.NearDuplicateThreshold);
        // A package recorded before the option existed trains as it did: no grouping.
        var recorded = new Dictionary<string, string>(options.Describe());
        recorded.Remove("group_near_duplicates");
        recorded.Remove("near_duplicate_threshold");
        Assert.False(TrainingOptions.FromDescription(recorded).GroupNearDuplicates);
        Assert.Throws<ArgumentException>(() => TrainingOptions.FromDescription(new Dictionary<string, string> { ["near_duplicate_threshold"] = "0" }));
        Assert.Throws<ArgumentException>(() => TrainingOptions.FromDescription(new Dictionary<string, string> { ["group_near_duplicates"] = "yes" }));
        Assert.Equal(4, TrainingOptions.FromDescription((new TrainingOptions { AverageFromEpoch = 4 }).Describe()).AverageFromEpoch);
        Assert.Equal(0, new TrainingOptions().AverageFromEpoch);
        Assert.Throws<ArgumentException>(() => TrainingOptions.FromDescription(new Dictionary<string, string> { ["average_from_epoch"] = "-2" }));
    }

    [Fact]
    public void Options_TestTimeAugmentation_RoundTrips_AbsentIsNone_AndIsChecked()
    {
        var options = new TrainingOptions { TestTimeAugmentation = TestTimeAugmentation.HorizontalFlip };
        Assert.Equal("horizontal-flip", options.Describe()["test_time_augmentation"]);
        Assert.Equal(TestTimeAugmentation.HorizontalFlip, TrainingOptions.FromDescription(options.Describe()).TestTimeAugmentation);
        Assert.Equal("none", new TrainingOptions().Describe()["test_time_augmentation"]);
        // A package recorded before the option existed scores as it did; --set overrides the recorded value.
        var recorded = new Dictionary<string, string>(options.Describe());
        recorded.Remove("test_time_augmentation");
        Assert.Equal(TestTimeAugmentation.None, TrainingOptions.FromDescription(recorded).TestTimeAugmentation);
        Assert.Equal(TestTimeAugmentation.None, TrainingOptions.FromDescription(options.Describe(), new Dictionary<string, string> { ["test_time_augmentation"] = "none" }).TestTimeAugmentation);
        var ex = Assert.Throws<ArgumentException>(() => TrainingOptions.FromDescription(new Dictionary<string, string> { ["test_time_augmentation"] = "vertical-flip" }));
        Assert.Contains("test_time_augmentation", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_SoupAndTrainingSeed_RoundTrip_AndAnotherSeedDrawsAnotherTraining()
    {
        Assert.Equal(1, new TrainingOptions().Soup);
        Assert.Equal(7, new TrainingOptions { Seed = 7 }.EffectiveTrainingSeed);
        Assert.False(new TrainingOptions { Seed = 7 }.Describe().ContainsKey("training_seed"));
        var options = new TrainingOptions { Seed = 7, TrainingSeed = 11, Soup = 3 };
        Assert.Equal(11, options.EffectiveTrainingSeed);
        var back = TrainingOptions.FromDescription(options.Describe());
        Assert.Equal((7, 11, 3), (back.Seed, back.TrainingSeed, back.Soup));
        // A protocol trained "like" a package with another seed gets another training draw, not only another split.
        var reseeded = TrainingOptions.FromDescription(new TrainingOptions { Seed = 1, Soup = 2 }.Describe(), new Dictionary<string, string> { ["seed"] = "2" });
        Assert.Equal((2, 2, 2), (reseeded.Seed, reseeded.EffectiveTrainingSeed, reseeded.Soup));
        // Packages recorded before the options existed train as they did: one network.
        var recorded = new Dictionary<string, string>(new TrainingOptions().Describe());
        recorded.Remove("soup");
        Assert.Equal(1, TrainingOptions.FromDescription(recorded).Soup);
        Assert.Throws<ArgumentException>(() => TrainingOptions.FromDescription(new Dictionary<string, string> { ["soup"] = "0" }));
        Assert.Throws<ArgumentException>(() => TrainingOptions.FromDescription(new Dictionary<string, string> { ["soup"] = (TrainingOptions.MaxSoup + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) }));
        var unknown = Assert.Throws<ArgumentException>(() => TrainingOptions.FromDescription(new Dictionary<string, string> { ["soop"] = "2" }));
        Assert.Contains("training_seed", unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_DisplayBoneFraction_RoundTrips_AndIsChecked()
    {
        Assert.Equal(1, new TrainingOptions().DisplayBoneFraction);
        var options = new TrainingOptions { Recipe = "brain-plus", DisplayBone = DisplayBoneMode.SaturatedSkull, DisplayBoneFraction = 0.5 };
        Assert.Equal("0.5", options.Describe()["display_bone_fraction"]);
        Assert.Equal(0.5, TrainingOptions.FromDescription(options.Describe()).DisplayBoneFraction);
        Assert.Throws<ArgumentException>(() => TrainingOptions.FromDescription(new Dictionary<string, string> { ["display_bone_fraction"] = "1.5" }));
        Assert.Null(options.Problem);
        Assert.Contains("needs display bone", new TrainingOptions { Recipe = "brain-plus", DisplayBoneFraction = 0.5 }.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_DropoutZero_IsTheAugmenterWithout_DropoutOne_IsTheDisplayInput_Repeatable()
    {
        using var x = rand(6, 3, 32, 32);
        using var without = new Augmenter(0.7, 9, 0);
        using var zero = new Augmenter(0.7, 9, 0, 0);
        using var a = without.Apply(x);
        using var b = zero.Apply(x);
        Assert.True(a.allclose(b, 0, 0));

        using var all = new Augmenter(0, 9, 0, 1, Scales);
        using var dropped = all.Apply(x);
        using var expected = Augmenter.DropToDisplay(x, [true, true, true, true, true, true], Scales);
        Assert.True(dropped.allclose(expected, 0, 0));

        using var half1 = new Augmenter(0, 9, 0, 0.5, Scales);
        using var half2 = new Augmenter(0, 9, 0, 0.5, Scales);
        using var h1 = half1.Apply(x);
        using var h2 = half2.Apply(x);
        Assert.True(h1.allclose(h2, 0, 0));
        using var unchanged = h1.eq(x).all(1).all(1).all(1);
        var flags = unchanged.data<bool>().ToArray();
        Assert.Contains(true, flags);
        Assert.Contains(false, flags);
    }

    [Fact]
    public void Options_DisplayDropout_RoundTrips_OnlyWithBrainPlus_RefusesBadValues()
    {
        Assert.Equal("0", new TrainingOptions().Describe()["display_dropout"]);
        var options = new TrainingOptions { Recipe = "brain-plus", DisplayDropout = 0.5 };
        Assert.Null(options.Problem);
        var back = TrainingOptions.FromDescription(options.Describe());
        Assert.Equal(0.5, back.DisplayDropout);
        Assert.Equal("brain-plus", back.Recipe);
        Assert.Contains("brain-plus", new TrainingOptions { DisplayDropout = 0.5 }.DisplayDropoutProblem, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new Trainer(new TrainingOptions { Recipe = "e2", DisplayDropout = 0.5 }));
        Assert.Throws<ArgumentException>(() => TrainingOptions.FromDescription(new Dictionary<string, string> { ["display_dropout"] = "1.5" }));
        Assert.Throws<ArgumentException>(() => TrainingOptions.FromDescription(new Dictionary<string, string> { ["display_dropout"] = "x" }));

        Assert.Equal("false", new TrainingOptions().Describe()["display_dropout_real_only"]);
        Assert.True(TrainingOptions.FromDescription(new TrainingOptions { Recipe = "brain-plus", DisplayDropout = 0.5, DisplayDropoutRealOnly = true }.Describe()).DisplayDropoutRealOnly);
        Assert.Throws<ArgumentException>(() => TrainingOptions.FromDescription(new Dictionary<string, string> { ["display_dropout_real_only"] = "yes" }));
        Assert.Contains("needs display dropout", new TrainingOptions { Recipe = "brain-plus", DisplayDropoutRealOnly = true }.Problem, StringComparison.Ordinal);
        Assert.Null(new TrainingOptions { Recipe = "brain-plus", DisplayDropout = 0.5, DisplayDropoutRealOnly = true }.Problem);
    }

    [Fact]
    public void Options_DisplayBone_RoundTrips_IntoTheInputSpec_OnlyWithBrainPlus()
    {
        Assert.Equal("false", new TrainingOptions().Describe()["display_bone"]);
        var options = new TrainingOptions { Recipe = "brain-plus", DisplayBone = DisplayBoneMode.Skull };
        Assert.Null(options.Problem);
        Assert.Equal(DisplayBoneMode.Skull, TrainingOptions.FromDescription(options.Describe()).DisplayBone);
        Assert.Equal("true", options.Describe()["display_bone"]);
        Assert.True(options.InputSpec().DisplayBone);
        var saturated = options with { DisplayBone = DisplayBoneMode.SaturatedSkull };
        Assert.Equal("saturated-skull", saturated.Describe()["display_bone"]);
        Assert.Equal(DisplayBoneMode.SaturatedSkull, TrainingOptions.FromDescription(saturated.Describe()).DisplayBone);
        Assert.Equal(DisplayBoneMode.SaturatedSkull, saturated.InputSpec().DisplayBoneMode);
        Assert.Equal(DisplayBoneMode.Skull, TrainingOptions.FromDescription(new Dictionary<string, string> { ["display_bone"] = "skull" }).DisplayBone);
        Assert.Contains("brain-plus", new TrainingOptions { DisplayBone = DisplayBoneMode.SaturatedSkull }.Problem, StringComparison.Ordinal);
        Assert.False(options.InputSpec("gray-brain").DisplayBone);
        Assert.Contains("brain-plus", new TrainingOptions { DisplayBone = DisplayBoneMode.Skull }.Problem, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new Trainer(new TrainingOptions { Recipe = "gray-brain", DisplayBone = DisplayBoneMode.Skull }));
        Assert.Throws<ArgumentException>(() => TrainingOptions.FromDescription(new Dictionary<string, string> { ["display_bone"] = "yes" }));
    }
}
