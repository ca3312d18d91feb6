using Headsup.Phantom.Lesions;
using Headsup.Phantom.Output;

namespace Headsup.Phantom.Tests.Output;

public sealed class LabelTableWriterTests : IClassFixture<PhantomOutputFixture>
{
    private readonly PhantomOutputFixture _fixture;

    public LabelTableWriterTests(PhantomOutputFixture fixture)
    {
        _fixture = fixture;
    }

    [Fact]
    public void WriteRsna_GeneratedRun_ExactRsnaFormat()
    {
        var lines = File.ReadAllText(_fixture.Summary.RsnaLabelsPath).Split('\n');
        Assert.Equal("ID,Label", lines[0]);
        Assert.Equal(string.Empty, lines[^1]);
        var files = _fixture.Summary.Studies.SelectMany(s => s.Files).ToList();
        Assert.Equal(1 + (6 * files.Count) + 1, lines.Length);
        string[] order = ["epidural", "intraparenchymal", "intraventricular", "subarachnoid", "subdural", "any"];
        for (int f = 0; f < files.Count; f++)
        {
            string id = Path.GetFileNameWithoutExtension(files[f]);
            Assert.Matches("^ID_[0-9a-f]{9}$", id);
            for (int k = 0; k < 6; k++)
            {
                var line = lines[1 + (f * 6) + k];
                Assert.Matches("^ID_[0-9a-f]{9}_[a-z]+,[01]$", line);
                Assert.StartsWith(id + "_" + order[k] + ",", line, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void WriteLabels_GeneratedRun_HeaderAndRowsMatchRsna()
    {
        var rsna = File.ReadAllLines(_fixture.Summary.RsnaLabelsPath).Skip(1)
            .Select(l => l.Split(',')).ToDictionary(p => p[0], p => p[1]);
        var lines = File.ReadAllLines(_fixture.Summary.LabelsPath);
        Assert.Equal(LabelTableWriter.LabelsHeader, lines[0]);
        Assert.Equal(_fixture.Summary.FileCount, lines.Length - 1);
        string[] columns = lines[0].Split(',');
        foreach (var line in lines.Skip(1))
        {
            var cells = line.Split(',');
            Assert.Equal(columns.Length, cells.Length);
            Assert.True(File.Exists(Path.Combine(_fixture.Folder.Path, cells[0])), cells[0]);
            Assert.StartsWith("PHANTOM-", cells[1], StringComparison.Ordinal);
            string id = Path.GetFileNameWithoutExtension(cells[0]);
            for (int c = 4; c < columns.Length; c++)
            {
                Assert.Equal(rsna[id + "_" + columns[c]], cells[c]);
            }
        }
    }

    [Fact]
    public void Generate_MaskPngs_LabelsMatchMaskAreas()
    {
        int threshold = _fixture.Options.PositiveMinPixels;
        var labels = File.ReadAllLines(_fixture.Summary.LabelsPath).Skip(1).Select(l => l.Split(',')).ToList();
        int positives = 0;
        var seen = new HashSet<HemorrhageSubtype>();
        foreach (var cells in labels)
        {
            string id = Path.GetFileNameWithoutExtension(cells[0]);
            var (width, height, pixels) = PngTestReader.ReadGray(Path.Combine(_fixture.Folder.Path, "masks", id + ".png"));
            Assert.Equal(_fixture.Options.MatrixSize, width);
            Assert.Equal(_fixture.Options.MatrixSize, height);
            var counts = new int[5];
            foreach (var p in pixels)
            {
                if (p != 0)
                {
                    Assert.True(HemorrhageSubtypes.TryFromMaskValue(p, out var subtype), $"mask value {p} codes no subtype");
                    counts[(int)subtype]++;
                }
            }

            bool any = false;
            foreach (var subtype in HemorrhageSubtypes.All)
            {
                bool positive = counts[(int)subtype] >= threshold;
                any |= positive;
                if (positive)
                {
                    seen.Add(subtype);
                }

                Assert.Equal(positive ? "1" : "0", cells[5 + (int)subtype]);
            }

            Assert.Equal(any ? "1" : "0", cells[4]);
            positives += any ? 1 : 0;
        }

        Assert.Equal(_fixture.Summary.PositiveSliceCount, positives);
        Assert.Equal(HemorrhageSubtypes.All.Count, seen.Count);
    }
}
