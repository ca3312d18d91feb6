using System.Globalization;
using Headsup.Explain;
using Headsup.Reporting;
using Headsup.Triage.Rendering;

namespace Headsup.Triage;

/// <summary>An explained key slice drawn for people: its overlay and the file name stem its outputs share.</summary>
/// <param name="Slice">The explained key slice.</param>
/// <param name="Overlay">The overlay (brain window, top region of the heatmap, outline).</param>
/// <param name="Name">The file name stem (key1-slice12).</param>
public sealed record RenderedKeySlice(ExplainedKeySlice Slice, RgbImage Overlay, string Name);

/// <summary>
/// The file writer stage of a triage: draws the explained key slices and writes, into the study's folder, each heatmap
/// (.npy at the slice's size), each overlay (.png) and the panel of the most probable key slice.
/// </summary>
public static class TriageImageWriter
{
    /// <summary>Draws the overlays of explained key slices.</summary>
    public static IReadOnlyList<RenderedKeySlice> Render(IReadOnlyList<ExplainedKeySlice> slices, ExplainMethod method, double topFraction)
    {
        ArgumentNullException.ThrowIfNull(slices);
        return slices.Select(s => new RenderedKeySlice(
            s,
            OverlayRenderer.Explanation(s.Image, s.Explained.Heatmap, s.Explained.Region, method, topFraction),
            string.Create(CultureInfo.InvariantCulture, $"key{s.Rank}-slice{s.Key.InstanceNumber ?? s.Key.Index}"))).ToList();
    }

    /// <summary>Writes heatmaps, overlays and the panel under <paramref name="studyDir"/>; paths in the result are relative to <paramref name="outDir"/>.</summary>
    public static StudyOutputs Write(IReadOnlyList<RenderedKeySlice> rendered, StudyResult result, string panelTitle, string studyDir, string outDir)
    {
        ArgumentNullException.ThrowIfNull(rendered);
        ArgumentNullException.ThrowIfNull(result);
        var outputs = WriteSlices(rendered, studyDir, outDir);
        string? panel = null;
        if (rendered.FirstOrDefault(r => r.Slice.Rank == 1) is { } top)
        {
            var image = top.Slice.Image;
            var keyIndices = result.KeySlices.Select(k => result.Slices.ToList().FindIndex(s => s.SopInstanceUid == k.SopInstanceUid)).Where(i => i >= 0).ToList();
            var panelImage = OverlayRenderer.Panel(OverlayRenderer.BrainWindow(image.Pixels, image.Width, image.Height), top.Overlay, result.Slices, keyIndices, result.Threshold, panelTitle);
            var panelPath = Path.Combine(studyDir, "panel.png");
            OverlayRenderer.SavePng(panelImage, panelPath);
            panel = Path.GetRelativePath(outDir, panelPath);
        }

        return outputs with { Panel = panel };
    }

    /// <summary>
    /// Writes each key slice's heatmap (.npy at the slice's rows × columns) and overlay (.png) under
    /// <paramref name="studyDir"/>, named key&lt;rank&gt;-slice&lt;instance&gt;; paths in the result are relative to <paramref name="outDir"/>.
    /// </summary>
    public static StudyOutputs WriteSlices(IReadOnlyList<RenderedKeySlice> rendered, string studyDir, string outDir)
    {
        ArgumentNullException.ThrowIfNull(rendered);
        Directory.CreateDirectory(studyDir);
        var heatmaps = new List<string>();
        var overlays = new List<string>();
        foreach (var r in rendered)
        {
            var image = r.Slice.Image;
            var npy = Path.Combine(studyDir, r.Name + ".heatmap.npy");
            OverlayRenderer.SaveHeatmap(r.Slice.Explained.Heatmap, image.Height, image.Width, npy);
            heatmaps.Add(Path.GetRelativePath(outDir, npy));
            var png = Path.Combine(studyDir, r.Name + ".overlay.png");
            OverlayRenderer.SavePng(r.Overlay, png);
            overlays.Add(Path.GetRelativePath(outDir, png));
        }

        return new StudyOutputs { Heatmaps = heatmaps, Overlays = overlays };
    }
}
