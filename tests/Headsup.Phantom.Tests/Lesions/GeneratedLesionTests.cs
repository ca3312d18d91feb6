using Headsup.Phantom.Lesions;

namespace Headsup.Phantom.Tests.Lesions;

public sealed class GeneratedLesionTests
{
    [Fact]
    public void CreateStudy_AllSubtypes_LesionHuInBloodRangeAndSpansSlices()
    {
        var options = new PhantomOptions
        {
            Seed = 31,
            SliceCount = 28,
            MatrixSize = 256,
            Hemorrhage = HemorrhageMode.Specified,
            Subtypes = HemorrhageSubtypes.All,
            MinConspicuity = 0.4,
        };
        var study = new PhantomGenerator(options).CreateStudy(0);
        Assert.Equal(5, study.Lesions.Count);
        foreach (var subtype in HemorrhageSubtypes.All)
        {
            byte code = subtype.MaskValue();
            var positiveSlices = study.Slices.Where(s => s.PositiveSubtypes.Contains(subtype)).ToList();
            Assert.True(positiveSlices.Count >= 2, $"{subtype} is positive on {positiveSlices.Count} slices");
            foreach (var slice in positiveSlices)
            {
                double sum = 0;
                int n = 0;
                for (int i = 0; i < slice.Hu.Length; i++)
                {
                    if (slice.LesionMask[i] == code)
                    {
                        sum += slice.Hu[i];
                        n++;
                    }
                }

                Assert.InRange(sum / n, 50, 90);
            }
        }
    }
}
