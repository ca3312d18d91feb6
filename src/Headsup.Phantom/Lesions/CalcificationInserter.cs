using Headsup.Phantom.Raster;

namespace Headsup.Phantom.Lesions;

/// <summary>
/// Draws physiological intracranial calcifications — the bright foci that the known false positives of ICH detectors
/// are made of (choroid plexus, pineal gland, basal ganglia, falx) — into a negative HU slice, so that training can show
/// the network negatives whose only bright spot is not blood. Calcification is 100–600 HU, above blood (50–90 HU), but
/// the 0–80 HU brain window saturates calcification and the densest blood alike; what separates them there is density
/// within the window, shape, a sharp edge and place.
/// Sites are found on the slice itself (<see cref="SliceContext"/>: ventricles, depth from the inner table, the centroid
/// as the midline); partial volume at the edge; deterministic for a given <see cref="Random"/> state.
/// </summary>
public static class CalcificationInserter
{
    /// <summary>Relative frequency of each site (in <see cref="CalcificationSite"/> order).</summary>
    public static IReadOnlyList<double> SiteWeights { get; } = [0.4, 0.25, 0.15, 0.2];

    private const int Supersample = 4;

    /// <summary>
    /// Inserts one calcification (a site drawn by <see cref="SiteWeights"/>, another tried when it does not fit) into
    /// <paramref name="hu"/>; <paramref name="intracranialMask"/> is non-zero inside the skull.
    /// </summary>
    public static CalcificationInsertion Insert(ReadOnlySpan<float> hu, SliceGrid grid, ReadOnlySpan<byte> intracranialMask, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        grid.CheckLength(hu.Length, nameof(hu));
        grid.CheckLength(intracranialMask.Length, nameof(intracranialMask));
        var context = SliceContext.FromSlice(grid, hu, intracranialMask);
        var copy = hu.ToArray();
        var mask = new byte[grid.Length];
        if (context.IntracranialPixels == 0)
        {
            return new CalcificationInsertion(copy, mask, null);
        }

        var weights = SiteWeights.ToArray();
        while (weights.Sum() > 0)
        {
            var site = (CalcificationSite)WeightedDraw.Index(weights, random);
            var foci = Plan(site, context, random);
            if (foci.Count == 0)
            {
                weights[(int)site] = 0;
                continue;
            }

            // On a coarse grid a focus smaller than a pixel would vanish into partial volume: keep each at least about a pixel.
            double least = 0.6 * grid.PixelSpacingMm;
            foreach (var focus in foci)
            {
                Blend(focus with { A = Math.Max(focus.A, least), B = Math.Max(focus.B, least) }, grid, context.Intracranial, copy, mask);
            }

            if (mask.Any(m => m != 0))
            {
                return new CalcificationInsertion(copy, mask, site);
            }

            copy = hu.ToArray();
            weights[(int)site] = 0;
        }

        return new CalcificationInsertion(copy, mask, null);
    }

    /// <summary>An ellipse in millimetres: centre, semi-axes, rotation and density.</summary>
    private readonly record struct Focus(double X, double Y, double A, double B, double Angle, float Hu);

    private static List<Focus> Plan(CalcificationSite site, SliceContext context, Random random)
    {
        var grid = context.Grid;
        float density = (float)(110 + (random.NextDouble() * 450));
        double cx = context.CentroidXMm, cy = context.CentroidYMm;
        var foci = new List<Focus>();
        switch (site)
        {
            case CalcificationSite.ChoroidPlexus:
            {
                // A ventricle pixel behind the centroid and off the midline (the atrium), then the other side mirrored.
                var candidates = new List<int>();
                for (int i = 0; i < grid.Length; i++)
                {
                    if (context.Ventricles[i] == 0)
                    {
                        continue;
                    }

                    double x = grid.XMm(i % grid.Columns), y = grid.YMm(i / grid.Columns);
                    if (y > cy - 5 && Math.Abs(x - cx) > 6)
                    {
                        candidates.Add(i);
                    }
                }

                if (candidates.Count < 4)
                {
                    return foci;
                }

                int pick = candidates[random.Next(candidates.Count)];
                double px = grid.XMm(pick % grid.Columns), py = grid.YMm(pick / grid.Columns);
                Clump(foci, px, py, 1.5 + (random.NextDouble() * 3), density, random);
                if (random.NextDouble() < 0.8)
                {
                    double mx = (2 * cx) - px + Jitter(random, 3), my = py + Jitter(random, 4);
                    if (Inside(context, mx, my, 8))
                    {
                        Clump(foci, mx, my, 1.2 + (random.NextDouble() * 3), density * (float)(0.7 + (0.3 * random.NextDouble())), random);
                    }
                }

                break;
            }

            case CalcificationSite.Pineal:
            {
                double x = cx + Jitter(random, 1.5), y = cy + 4 + (random.NextDouble() * 16);
                if (Inside(context, x, y, 25))
                {
                    Clump(foci, x, y, 1.5 + (random.NextDouble() * 2.5), density, random);
                }

                break;
            }

            case CalcificationSite.BasalGanglia:
            {
                double dx = 17 + (random.NextDouble() * 8), y = cy - 12 + (random.NextDouble() * 14);
                foreach (int side in new[] { -1, 1 })
                {
                    double x = cx + (side * dx) + Jitter(random, 2);
                    if (Inside(context, x, y, 20))
                    {
                        double r = 0.8 + (random.NextDouble() * 2);
                        foci.Add(new Focus(x, y + Jitter(random, 2), r, r * (0.6 + (0.4 * random.NextDouble())), random.NextDouble() * Math.PI, density * 0.7f));
                    }
                }

                break;
            }

            case CalcificationSite.Falx:
            {
                // Somewhere along the midline (the centroid's column) inside the skull, in front of or behind the centre.
                double half = 3 + (random.NextDouble() * 10);
                int column = (int)Math.Round(grid.ColumnAt(cx));
                var rows = new List<int>();
                for (int r = 0; column >= 0 && column < grid.Columns && r < grid.Rows; r++)
                {
                    double y = grid.YMm(r);
                    if (Math.Abs(y - cy) >= 12 && Inside(context, cx, y, 4) && Inside(context, cx, y - half, 2) && Inside(context, cx, y + half, 2))
                    {
                        rows.Add(r);
                    }
                }

                if (rows.Count > 0)
                {
                    double y = grid.YMm(rows[random.Next(rows.Count)]);
                    foci.Add(new Focus(cx + Jitter(random, 1), y, 0.5 + (random.NextDouble() * 0.9), half, Jitter(random, 0.08), density));
                }

                break;
            }
        }

        return foci;
    }

    /// <summary>A calcification of about <paramref name="radius"/> mm: one to three overlapping ellipses (clumpy, as a choroid plexus or pineal calcification is).</summary>
    private static void Clump(List<Focus> foci, double x, double y, double radius, float density, Random random)
    {
        int parts = 1 + random.Next(3);
        for (int k = 0; k < parts; k++)
        {
            double r = radius * (k == 0 ? 1 : 0.5 + (0.4 * random.NextDouble()));
            double ox = k == 0 ? 0 : Jitter(random, radius), oy = k == 0 ? 0 : Jitter(random, radius);
            foci.Add(new Focus(x + ox, y + oy, r, r * (0.55 + (0.45 * random.NextDouble())), random.NextDouble() * Math.PI, density));
        }
    }

    private static bool Inside(SliceContext context, double xMm, double yMm, double minDepthMm)
    {
        var grid = context.Grid;
        int c = (int)Math.Round(grid.ColumnAt(xMm)), r = (int)Math.Round(grid.RowAt(yMm));
        if (r < 0 || c < 0 || r >= grid.Rows || c >= grid.Columns)
        {
            return false;
        }

        int i = (r * grid.Columns) + c;
        return context.Intracranial[i] != 0 && context.DepthMm[i] >= minDepthMm;
    }

    /// <summary>
    /// Blends the ellipse into <paramref name="hu"/> inside the skull by its pixel coverage (supersampled, so the edge has
    /// partial volume); marks pixels covered at least half.
    /// </summary>
    private static void Blend(Focus focus, SliceGrid grid, byte[] intracranial, float[] hu, byte[] mask)
    {
        double reach = Math.Max(focus.A, focus.B) + grid.PixelSpacingMm;
        int c0 = Math.Max(0, (int)Math.Floor(grid.ColumnAt(focus.X - reach))), c1 = Math.Min(grid.Columns - 1, (int)Math.Ceiling(grid.ColumnAt(focus.X + reach)));
        int r0 = Math.Max(0, (int)Math.Floor(grid.RowAt(focus.Y - reach))), r1 = Math.Min(grid.Rows - 1, (int)Math.Ceiling(grid.RowAt(focus.Y + reach)));
        double cos = Math.Cos(focus.Angle), sin = Math.Sin(focus.Angle);
        double step = grid.PixelSpacingMm / Supersample;
        for (int r = r0; r <= r1; r++)
        {
            for (int c = c0; c <= c1; c++)
            {
                int i = (r * grid.Columns) + c;
                if (intracranial[i] == 0)
                {
                    continue;
                }

                int inside = 0;
                for (int sy = 0; sy < Supersample; sy++)
                {
                    for (int sx = 0; sx < Supersample; sx++)
                    {
                        double x = grid.XMm(c) + ((sx + 0.5 - (Supersample / 2.0)) * step) - focus.X;
                        double y = grid.YMm(r) + ((sy + 0.5 - (Supersample / 2.0)) * step) - focus.Y;
                        double u = ((x * cos) + (y * sin)) / focus.A, v = ((-x * sin) + (y * cos)) / focus.B;
                        if ((u * u) + (v * v) <= 1)
                        {
                            inside++;
                        }
                    }
                }

                float a = inside / (float)(Supersample * Supersample);
                if (a <= 0)
                {
                    continue;
                }

                hu[i] = (hu[i] * (1 - a)) + (focus.Hu * a);
                if (a >= 0.5f)
                {
                    mask[i] = 1;
                }
            }
        }
    }

    private static double Jitter(Random random, double scale) => ((2 * random.NextDouble()) - 1) * scale;
}
