namespace Headsup.Phantom.Lesions;

/// <summary>
/// Draws where and how large a hemorrhage is on a slice. Conspicuity 0 gives small, faint lesions (a few millimetres,
/// ~55–60 HU); 1 gives large, dense ones (~85 HU, several centimetres).
/// </summary>
public static class LesionPlanner
{
    private const int Attempts = 400;

    /// <summary>Plans a lesion; false when the slice has no room for this subtype (e.g. no ventricle for IVH).</summary>
    public static bool TryPlan(HemorrhageSubtype subtype, double conspicuity, SliceContext context, Random random, out LesionPlan plan)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(random);
        if (!double.IsFinite(conspicuity))
        {
            throw new ArgumentOutOfRangeException(nameof(conspicuity), conspicuity, "conspicuity must be in 0..1");
        }

        double c = Math.Clamp(conspicuity, 0, 1);
        plan = null!;
        if (context.IntracranialPixels < 200)
        {
            return false;
        }

        double Uniform(double lo, double hi) => lo + ((hi - lo) * random.NextDouble());
        int textureSeed = random.Next();
        var grid = context.Grid;
        switch (subtype)
        {
            case HemorrhageSubtype.Intraparenchymal:
            {
                double radius = (4 + (16 * c)) * Uniform(0.9, 1.1);
                if (!TryPickPixel(context, random, i => context.DepthMm[i] > radius + 5 && context.Csf[i] == 0, out var x, out var y)
                    && !TryPickPixel(context, random, i => context.DepthMm[i] > (radius * 0.6) + 3 && context.Csf[i] == 0, out x, out y))
                {
                    return false;
                }

                bool edema = c > 0.25 && random.NextDouble() < 0.75;
                plan = new LesionPlan
                {
                    Subtype = subtype,
                    Conspicuity = c,
                    PeakHu = Math.Clamp(62 + (22 * c) + Uniform(-3, 3), 55, 88),
                    CenterXMm = x,
                    CenterYMm = y,
                    SizeMm = radius,
                    HarmonicAmplitudes = [Uniform(0, 0.18), Uniform(0, 0.12), Uniform(0, 0.08)],
                    HarmonicPhases = [Uniform(0, 2 * Math.PI), Uniform(0, 2 * Math.PI), Uniform(0, 2 * Math.PI)],
                    EdemaMm = edema ? radius * Uniform(0.25, 0.5) + 1.5 : 0,
                    EdemaHu = Uniform(15, 22),
                    TextureSeed = textureSeed,
                };
                return true;
            }

            case HemorrhageSubtype.Epidural:
            case HemorrhageSubtype.Subdural:
            {
                bool epidural = subtype == HemorrhageSubtype.Epidural;

                // Convexity collections: temporal, frontal or parietal; avoid straight anterior/posterior midline.
                double angle = Uniform(0, 2 * Math.PI);
                for (int k = 0; k < 8 && Math.Abs(Math.Cos(angle)) < 0.35; k++)
                {
                    angle = Uniform(0, 2 * Math.PI);
                }

                plan = new LesionPlan
                {
                    Subtype = subtype,
                    Conspicuity = c,
                    PeakHu = Math.Clamp(62 + (24 * c) + Uniform(-3, 3), 58, 88),
                    CenterXMm = context.CentroidXMm,
                    CenterYMm = context.CentroidYMm,
                    AngleRad = angle,
                    HalfAngleRad = (epidural ? 12 + (16 * c) : 32 + (50 * c)) * Math.PI / 180 * Uniform(0.9, 1.1),
                    SizeMm = (epidural ? 5 + (17 * c) : 2.5 + (11 * c)) * Uniform(0.9, 1.1),
                    TextureSeed = textureSeed,
                };
                return true;
            }

            case HemorrhageSubtype.Subarachnoid:
            {
                if (!TryPickPixel(context, random, i => context.Csf[i] != 0 && context.Ventricles[i] == 0 && context.DepthMm[i] is > 2 and < 25, out var x, out var y))
                {
                    return false;
                }

                plan = new LesionPlan
                {
                    Subtype = subtype,
                    Conspicuity = c,
                    PeakHu = Math.Clamp(61 + (8 * c) + Uniform(-1, 1), 58, 70),
                    CenterXMm = x,
                    CenterYMm = y,
                    SizeMm = (14 + (30 * c)) * Uniform(0.9, 1.1),
                    TextureSeed = textureSeed,
                };
                return true;
            }

            case HemorrhageSubtype.Intraventricular:
            {
                int side = c > 0.7 && random.NextDouble() < 0.6 ? 0 : (random.NextDouble() < 0.5 ? -1 : 1);
                double top = double.MaxValue, bottom = double.MinValue;
                int count = 0;
                for (int r = 0; r < grid.Rows; r++)
                {
                    for (int col = 0; col < grid.Columns; col++)
                    {
                        int i = (r * grid.Columns) + col;
                        if (context.Ventricles[i] != 0 && OnSide(grid.XMm(col), context.CentroidXMm, side))
                        {
                            double y = grid.YMm(r);
                            top = Math.Min(top, y);
                            bottom = Math.Max(bottom, y);
                            count++;
                        }
                    }
                }

                if (count < 40)
                {
                    return false;
                }

                double fill = 0.25 + (0.6 * c);
                plan = new LesionPlan
                {
                    Subtype = subtype,
                    Conspicuity = c,
                    PeakHu = Math.Clamp(58 + (24 * c) + Uniform(-3, 3), 55, 88),
                    CenterXMm = context.CentroidXMm,
                    CenterYMm = context.CentroidYMm,
                    SizeMm = (bottom - top) * fill,
                    FluidLevelYMm = bottom - ((bottom - top) * fill),
                    FluidBottomYMm = bottom,
                    Side = side,
                    TextureSeed = textureSeed,
                };
                return true;
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(subtype), subtype, "unknown subtype");
        }
    }

    /// <summary>True when x lies on the requested side of the centre (0 = either side).</summary>
    internal static bool OnSide(double xMm, double centerXMm, int side) => side == 0 || Math.Sign(xMm - centerXMm) == side;

    private static bool TryPickPixel(SliceContext context, Random random, Func<int, bool> accept, out double xMm, out double yMm)
    {
        var grid = context.Grid;
        for (int k = 0; k < Attempts; k++)
        {
            int i = random.Next(grid.Length);
            if (context.Intracranial[i] != 0 && accept(i))
            {
                xMm = grid.XMm(i % grid.Columns);
                yMm = grid.YMm(i / grid.Columns);
                return true;
            }
        }

        xMm = 0;
        yMm = 0;
        return false;
    }
}
