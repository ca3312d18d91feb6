using Headsup.Phantom.Raster;

namespace Headsup.Phantom.Lesions;

/// <summary>
/// Draws a planned hemorrhage into a slice: a soft-edged coverage map (partial volume at the boundary), the clot's
/// density with a faint texture, optional perihematomal edema, and the lesion mask (coverage ≥ 0.5). An extent scale
/// below 1 draws the lesion's thinner continuation on a neighbouring slice.
/// </summary>
public static class LesionRenderer
{
    private const double EdgeMm = 0.6;
    private const float ResidualLimitHu = 20f;

    /// <summary>
    /// Draws <paramref name="plan"/> into <paramref name="hu"/> and sets <paramref name="mask"/> to 1 where the lesion
    /// covers at least half a pixel (other mask pixels are left alone). With <paramref name="preserveTexture"/> the
    /// slice's own fine texture (noise) is kept inside the lesion, for slices that already carry scanner noise.
    /// Returns the number of lesion pixels.
    /// </summary>
    public static int Render(LesionPlan plan, SliceContext context, double extentScale, Span<float> hu, Span<byte> mask, bool preserveTexture)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(context);
        var grid = context.Grid;
        grid.CheckLength(hu.Length, nameof(hu));
        grid.CheckLength(mask.Length, nameof(mask));
        double s = Math.Clamp(extentScale, 0, 1);
        if (s <= 0)
        {
            return 0;
        }

        var alpha = new float[grid.Length];
        var edema = plan.EdemaMm > 0 ? new float[grid.Length] : null;
        switch (plan.Subtype)
        {
            case HemorrhageSubtype.Intraparenchymal:
                Blob(plan, context, s, alpha, edema);
                break;
            case HemorrhageSubtype.Epidural:
            case HemorrhageSubtype.Subdural:
                ExtraAxial(plan, context, s, alpha);
                break;
            case HemorrhageSubtype.Subarachnoid:
                Subarachnoid(plan, context, s, alpha);
                break;
            case HemorrhageSubtype.Intraventricular:
                Intraventricular(plan, context, s, alpha);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(plan), plan.Subtype, "unknown subtype");
        }

        var texture = new ValueNoise3D(new Random(plan.TextureSeed), 3.0);
        var original = preserveTexture ? hu.ToArray() : null;
        int count = 0;
        for (int r = 0; r < grid.Rows; r++)
        {
            for (int c = 0; c < grid.Columns; c++)
            {
                int i = (r * grid.Columns) + c;
                float e = edema is null ? 0 : edema[i];
                float a = alpha[i];
                if (e <= 0 && a <= 0)
                {
                    continue;
                }

                float residual = original is null ? 0 : Residual(original, context.Intracranial, grid, r, c);
                if (e > 0)
                {
                    float target = (float)plan.EdemaHu + residual;
                    hu[i] += e * (target - hu[i]);
                }

                if (a > 0)
                {
                    double x = grid.XMm(c), y = grid.YMm(r);
                    float lesionHu = (float)(plan.PeakHu + (3.5 * texture.Sample(x, y, 0))) + residual;
                    hu[i] = ((1 - a) * hu[i]) + (a * lesionHu);
                    if (a >= 0.5f)
                    {
                        mask[i] = 1;
                        count++;
                    }
                }
            }
        }

        return count;
    }

    private static void Blob(LesionPlan plan, SliceContext context, double s, float[] alpha, float[]? edema)
    {
        var grid = context.Grid;
        double radius = plan.SizeMm * s;
        double reach = (radius * 1.5) + plan.EdemaMm + 3;
        ForBox(grid, plan.CenterXMm, plan.CenterYMm, reach, (i, x, y) =>
        {
            if (context.Intracranial[i] == 0)
            {
                return;
            }

            double dx = x - plan.CenterXMm, dy = y - plan.CenterYMm;
            double r = Math.Sqrt((dx * dx) + (dy * dy));
            double theta = Math.Atan2(dy, dx);
            double boundary = radius;
            for (int k = 0; k < plan.HarmonicAmplitudes.Count; k++)
            {
                boundary += radius * plan.HarmonicAmplitudes[k] * Math.Cos(((k + 2) * theta) + plan.HarmonicPhases[k]);
            }

            float a = (float)Math.Clamp(((boundary - r) / EdgeMm) + 0.5, 0, 1);
            alpha[i] = a;
            if (edema is not null && context.Csf[i] == 0)
            {
                double e = Math.Clamp(((boundary + (plan.EdemaMm * s) - r) / 2.0) + 0.5, 0, 1);
                edema[i] = (float)(e * (1 - a));
            }
        });
    }

    private static void ExtraAxial(LesionPlan plan, SliceContext context, double s, float[] alpha)
    {
        var grid = context.Grid;
        bool epidural = plan.Subtype == HemorrhageSubtype.Epidural;
        double thickness = plan.SizeMm * s;
        double halfAngle = plan.HalfAngleRad * (0.45 + (0.55 * s));
        for (int r = 0; r < grid.Rows; r++)
        {
            double y = grid.YMm(r);
            for (int c = 0; c < grid.Columns; c++)
            {
                int i = (r * grid.Columns) + c;
                double depth = context.DepthMm[i];
                if (context.Intracranial[i] == 0 || depth > thickness + 1)
                {
                    continue;
                }

                double x = grid.XMm(c);
                double delta = Math.IEEERemainder(Math.Atan2(y - plan.CenterYMm, x - plan.CenterXMm) - plan.AngleRad, 2 * Math.PI);
                double f = Math.Abs(delta) / halfAngle;
                if (f >= 1)
                {
                    continue;
                }

                // Epidural: biconvex lens (elliptic profile). Subdural: crescent of even thickness with tapering tips.
                double profile = epidural ? Math.Sqrt(1 - (f * f)) : Math.Pow(1 - (f * f * f), 0.7);
                alpha[i] = (float)Math.Clamp((((thickness * profile) - depth) / EdgeMm) + 0.5, 0, 1);
            }
        }
    }

    private static void Subarachnoid(LesionPlan plan, SliceContext context, double s, float[] alpha)
    {
        var grid = context.Grid;
        double radius = plan.SizeMm * (0.4 + (0.6 * s));
        int cols = grid.Columns;
        ForBox(grid, plan.CenterXMm, plan.CenterYMm, radius + 2, (i, x, y) =>
        {
            if (context.Intracranial[i] == 0 || context.Ventricles[i] != 0)
            {
                return;
            }

            double dx = x - plan.CenterXMm, dy = y - plan.CenterYMm;
            double w = Math.Clamp((radius - Math.Sqrt((dx * dx) + (dy * dy))) / 2.0, 0, 1);
            if (w <= 0)
            {
                return;
            }

            double cover;
            if (context.Csf[i] != 0 || context.DepthMm[i] < 1.2)
            {
                cover = 1;
            }
            else
            {
                int c = i % cols, r = i / cols;
                bool besideCsf = (c > 0 && context.Csf[i - 1] != 0) || (c < cols - 1 && context.Csf[i + 1] != 0)
                    || (r > 0 && context.Csf[i - cols] != 0) || (r < grid.Rows - 1 && context.Csf[i + cols] != 0);
                cover = besideCsf ? 0.45 : 0;
            }

            alpha[i] = (float)Math.Min(1, w * cover);
        });
    }

    private static void Intraventricular(LesionPlan plan, SliceContext context, double s, float[] alpha)
    {
        var grid = context.Grid;
        double level = plan.FluidLevelYMm + ((1 - s) * (plan.FluidBottomYMm - plan.FluidLevelYMm) * 0.7);
        for (int r = 0; r < grid.Rows; r++)
        {
            double y = grid.YMm(r);
            double a = Math.Clamp(((y - level) / 0.6) + 0.5, 0, 1);
            if (a <= 0)
            {
                continue;
            }

            for (int c = 0; c < grid.Columns; c++)
            {
                int i = (r * grid.Columns) + c;
                if (context.Ventricles[i] != 0 && LesionPlanner.OnSide(grid.XMm(c), plan.CenterXMm, plan.Side))
                {
                    alpha[i] = (float)a;
                }
            }
        }
    }

    /// <summary>
    /// The pixel's deviation from the median of its 5×5 intracranial neighbourhood — its noise — clamped. The median keeps
    /// partial-volume bone at the inner table from biasing the estimate.
    /// </summary>
    private static float Residual(float[] hu, byte[] intracranial, SliceGrid grid, int r, int c)
    {
        Span<float> window = stackalloc float[25];
        int n = 0;
        for (int rr = Math.Max(0, r - 2); rr <= Math.Min(grid.Rows - 1, r + 2); rr++)
        {
            for (int cc = Math.Max(0, c - 2); cc <= Math.Min(grid.Columns - 1, c + 2); cc++)
            {
                int j = (rr * grid.Columns) + cc;
                if (intracranial[j] != 0)
                {
                    window[n++] = hu[j];
                }
            }
        }

        if (n == 0)
        {
            return 0;
        }

        var values = window[..n];
        values.Sort();
        float median = (n & 1) == 1 ? values[n / 2] : 0.5f * (values[(n / 2) - 1] + values[n / 2]);
        return Math.Clamp(hu[(r * grid.Columns) + c] - median, -ResidualLimitHu, ResidualLimitHu);
    }

    private static void ForBox(SliceGrid grid, double cx, double cy, double reachMm, Action<int, double, double> visit)
    {
        int c0 = Math.Max(0, (int)Math.Floor(grid.ColumnAt(cx - reachMm)));
        int c1 = Math.Min(grid.Columns - 1, (int)Math.Ceiling(grid.ColumnAt(cx + reachMm)));
        int r0 = Math.Max(0, (int)Math.Floor(grid.RowAt(cy - reachMm)));
        int r1 = Math.Min(grid.Rows - 1, (int)Math.Ceiling(grid.RowAt(cy + reachMm)));
        for (int r = r0; r <= r1; r++)
        {
            double y = grid.YMm(r);
            for (int c = c0; c <= c1; c++)
            {
                visit((r * grid.Columns) + c, grid.XMm(c), y);
            }
        }
    }
}
